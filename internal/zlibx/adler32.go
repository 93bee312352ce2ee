package zlibx

import "encoding/binary"

// adlerNMax is the most bytes that can be summed before s2 may overflow 32
// bits (the same bound zlib uses); a multiple of 8.
const adlerNMax = 5552

// adler32 returns the Adler-32 checksum of p (RFC 1950 section 8.2).
//
// Eight bytes are summed at a time: for bytes b0..b7 the block adds
// b0+...+b7 to s1 and 8*s1 + 8*b0 + 7*b1 + ... + 1*b7 to s2. Both sums
// are computed in 16-bit lanes of a uint64 (no lane can carry: every
// partial sum is below 2^13).
func adler32(p []byte) uint32 {
	const (
		lanes = 0x00FF00FF00FF00FF
		ones  = 0x0001000100010001
		// weights 7,5,3,1 for the byte pairs (b0+b1),(b2+b3),... land in
		// the top lane.
		odds = 7<<48 | 5<<32 | 3<<16 | 1
	)
	s1, s2 := uint32(1), uint32(0)
	for len(p) > 0 {
		n := min(len(p), adlerNMax)
		chunk := p[:n]
		p = p[n:]
		if haveAdlerSums && len(chunk) >= 16 {
			// Sixteen bytes at a time in vector registers: each chunk adds
			// its bytes to s1, and 16·s1 plus its bytes weighted 16..1 to
			// s2.
			m := len(chunk) &^ 15
			sum1, ps, w := adlerSums(chunk[:m])
			k := uint64(m / 16)
			s2 = uint32((uint64(s2) + 16*(k*uint64(s1)+ps) + w) % adlerModulus)
			s1 = uint32((uint64(s1) + sum1) % adlerModulus)
			chunk = chunk[m:]
		}
		for len(chunk) >= 8 {
			v := binary.LittleEndian.Uint64(chunk)
			even := v & lanes
			pair := even + (v>>8)&lanes
			s2 += 8*s1 + uint32((pair*odds)>>48) + uint32((even*ones)>>48)
			s1 += uint32((pair * ones) >> 48)
			chunk = chunk[8:]
		}
		for _, b := range chunk {
			s1 += uint32(b)
			s2 += s1
		}
		s1 %= adlerModulus
		s2 %= adlerModulus
	}
	return s2<<16 | s1
}
