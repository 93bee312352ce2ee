package zlibx

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"math/bits"
	"sync"
)

// maxSmall is the largest input Deflate compresses itself; positions in
// its hash table are uint16. Larger inputs go to compress/zlib.
const maxSmall = 1 << 16

// A match is recorded as its position << 32 | (length-3) << 16 |
// (distance-1); the bytes between matches are literals. The last entry
// is only a position: len(src).

// encoder is the working memory of one Deflate call, pooled.
type encoder struct {
	table               [1 << 14]uint16 // hash of 4 bytes → last position seen
	matches             []uint64
	litFreq             [numLitLen]uint32
	distFreq            [numDist]uint32
	litLen              [numLitLen]uint8
	distLen             [numDist]uint8
	litCode             [numLitLen]uint16
	distCode            [numDist]uint16
	clFreq              [numCodeLen]uint32
	clLen               [32]uint8                  // numCodeLen used (32: masked indexes)
	clCode              [32]uint16                 // numCodeLen used
	clSeq               [512]uint16                // code length symbols, extra bits above bit 5 (512: masked indexes)
	clIn                [numLitLen + numDist]uint8 // the code lengths to run-length code
	nClSeq              int
	litSyms             [numLitLen]uint16 // the symbols with a code, in order
	distSyms            [numDist]uint16
	nLitSyms, nDistSyms int
	huff                huffScratch
}

var encoders = sync.Pool{New: func() any { return new(encoder) }}

// Deflate appends to dst a zlib stream (RFC 1950) holding src and returns
// the extended slice. Any zlib reader inflates it back to src: C zlib
// (Python's zlib.decompress, Django), compress/zlib, Inflate.
//
// Inputs of up to 64 KiB are compressed here for speed: greedy LZ77
// matching over a hash table sized to the input, then whichever of a
// fixed-Huffman, a dynamic-Huffman or a stored block is smallest. On
// typical sessions (a few hundred bytes of JSON) the output is within
// about 1% of the size of C zlib's at its default level. Larger inputs
// are compressed by compress/zlib at its default level.
//
// Deflate is safe for concurrent use and, for inputs of up to 64 KiB,
// allocates nothing but the output (nothing when dst has room for it).
func Deflate(dst, src []byte) []byte {
	if len(src) > maxSmall {
		return deflateLarge(dst, src)
	}
	e := encoders.Get().(*encoder)
	defer encoders.Put(e)
	e.lz77(src)

	// Size each kind of block, in bits after the 3-bit block header.
	hlit, hdist, hclen, headerBits := e.dynamicCode()
	litSyms, distSyms := e.litSyms[:e.nLitSyms], e.distSyms[:e.nDistSyms]
	fixedBits, dynBits := e.dataBits(litSyms, distSyms)
	dynBits += headerBits
	nStored := max(1, (len(src)+0xffff-1)/0xffff)
	storedBytes := 5*nStored + len(src) // 3 bits + padding, LEN, NLEN per block

	fixedBytes := (3 + fixedBits + 7) / 8
	dynBytes := (3 + dynBits + 7) / 8
	size := min(fixedBytes, dynBytes, storedBytes)
	dst = grow(dst, 2+size+4+16)  // 16: slack for writeData
	dst = append(dst, 0x78, 0x9c) // 32 KiB window, default level; 0x789c % 31 == 0
	switch size {
	case fixedBytes:
		w := bitWriter{out: dst}
		w.write(1|1<<1, 3) // final, fixed
		e.writeData(&w, fixedBits, src, &fixedLitCode, &fixedLitLen, &fixedDistCode, &fixedDistLen)
		dst = w.flush()
	case dynBytes:
		w := bitWriter{out: dst}
		w.write(1|2<<1, 3) // final, dynamic
		e.writeDynamicHeader(&w, hlit, hdist, hclen)
		e.writeData(&w, dynBits-headerBits, src, &e.litCode, &e.litLen, &e.distCode, &e.distLen)
		dst = w.flush()
	default:
		dst = appendStored(dst, src)
	}
	return binary.BigEndian.AppendUint32(dst, adler32(src))
}

// grow returns b with room for n more bytes.
func grow(b []byte, n int) []byte {
	if cap(b)-len(b) < n {
		nb := make([]byte, len(b), len(b)+n)
		copy(nb, b)
		return nb
	}
	return b
}

// lz77 finds the matches in src (greedy: the longest match at the first
// position that has one, 4 bytes or more, within 32 KiB) and counts the
// symbols the block will be written with.
func (e *encoder) lz77(src []byte) {
	clear(e.litFreq[:])
	clear(e.distFreq[:])
	n := len(src)
	hashBits := uint(min(14, max(8, bits.Len(uint(n)))))
	table := e.table[:1<<hashBits]
	clear(table)
	shift := 32 - hashBits
	matches := e.matches[:0]
	i := 0 // bytes before i are counted, as literals or in matches
	if n >= 4 {
		// Position 0 has nothing before it to match.
		table[(binary.LittleEndian.Uint32(src)*0x1e35a7bd)>>shift&(1<<14-1)] = 0
		e.litFreq[src[0]]++
		i = 1
	}
	// Every position in the table is now before i: a candidate is a
	// real position (0 for a hash not seen), to be verified.
	for i+4 <= n {
		var cand int
		i, cand = findMatch(src, table, i, shift, &e.litFreq)
		if cand < 0 {
			break
		}
		// Extend the match, 8 bytes at a time while they last.
		length := 4
		limit := min(maxMatch, n-i)
		for length+8 <= limit {
			x := binary.LittleEndian.Uint64(src[i+length:]) ^ binary.LittleEndian.Uint64(src[cand+length:])
			if x != 0 {
				length += bits.TrailingZeros64(x) / 8
				goto matched
			}
			length += 8
		}
		for length < limit && src[i+length] == src[cand+length] {
			length++
		}
	matched:
		dist := i - cand
		matches = append(matches, uint64(i)<<32|uint64(length-minMatch)<<16|uint64(dist-1))
		e.litFreq[257+int(lengthCode[length-minMatch])]++
		e.distFreq[distCode(dist)]++
		// Remember the last positions inside the match too (the
		// others would find little that these do not, on sessions).
		end := i + length
		for j := max(i+1, end-4); j < end && j+4 <= n; j++ {
			table[(binary.LittleEndian.Uint32(src[j:])*0x1e35a7bd)>>shift&(1<<14-1)] = uint16(j)
		}
		i = end
	}
	for _, b := range src[i:] {
		e.litFreq[b]++
	}
	e.litFreq[endOfBlock]++
	e.matches = append(matches, uint64(n)<<32) // the end, for writeData

}

// findMatch enters the positions from i on in table (by the hash of their
// first four bytes, shifted right by shift) until one finds an earlier
// position within the window whose four bytes are the same, and returns
// both; cand is -1 when no position up to the last four bytes of src has
// one. The bytes it passes are literals: it counts them in freq. It is
// lz77's loop over the bytes between matches, kept apart so that its few
// variables stay in registers.
func findMatch(src []byte, table []uint16, i int, shift uint, freq *[numLitLen]uint32) (int, int) {
	for ; i+4 <= len(src); i++ {
		cur := load32(src, i)
		h := (cur * 0x1e35a7bd) >> shift & (1<<14 - 1)
		cand := int(table[h])
		table[h] = uint16(i)
		if i-cand <= windowSize && load32(src, cand) == cur {
			return i, cand
		}
		freq[byte(cur)]++ // a literal
	}
	return i, -1
}

// load32 returns the four bytes of b at i as a little-endian word.
func load32(b []byte, i int) uint32 {
	return binary.LittleEndian.Uint32(b[i : i+4 : i+4])
}

// distCode returns the distance symbol of a distance (1..32768).
func distCode(dist int) int {
	x := uint32(dist - 1)
	if x < 4 {
		return int(x)
	}
	nb := bits.Len32(x) - 1 // highest set bit, 2..14
	return 2*nb + int(x>>(nb-1))&1
}

// lengthCode maps length-3 to the length symbol minus 257.
var lengthCode = func() (t [256]uint8) {
	for c := range lengthBase {
		for l := int(lengthBase[c]); l < int(lengthBase[c])+1<<lengthExtra[c] && l <= maxMatch; l++ {
			t[l-minMatch] = uint8(c)
		}
	}
	return t
}()

// The fixed code of RFC 1951 section 3.2.6, for writing.
var (
	fixedLitLen, fixedDistLen   = fixedLengths()
	fixedLitCode, fixedDistCode = fixedCodes()
)

func fixedLengths() (lit [numLitLen]uint8, dist [numDist]uint8) {
	for s := range lit {
		switch {
		case s < 144:
			lit[s] = 8
		case s < 256:
			lit[s] = 9
		case s < 280:
			lit[s] = 7
		default:
			lit[s] = 8
		}
	}
	for s := range dist {
		dist[s] = 5
	}
	return lit, dist
}

// allSymbols lists 0..287.
var allSymbols = func() (t [288]uint16) {
	for i := range t {
		t[i] = uint16(i)
	}
	return t
}()

func fixedCodes() (lit [numLitLen]uint16, dist [numDist]uint16) {
	l, d := fixedLengths()
	// The full fixed alphabets have 288 and 32 symbols; the ones past
	// numLitLen and numDist are never written and do not change the
	// codes of the others (they come last).
	var l288 [288]uint8
	copy(l288[:], l[:])
	l288[286], l288[287] = 8, 8
	var c288 [288]uint16
	huffCodes(l288[:], allSymbols[:288], c288[:])
	copy(lit[:], c288[:])
	huffCodes(d[:], allSymbols[:numDist], dist[:])
	return lit, dist
}

// dataBits returns the bits that the tokens take with the fixed code and
// with the dynamic one (extra bits included), summing over the used
// symbols (from huffLengths).
func (e *encoder) dataBits(litSyms, distSyms []uint16) (fixed, dynamic int) {
	extra := 0 // the same with either code
	for _, s := range litSyms {
		f := int(e.litFreq[s])
		fixed += f * int(fixedLitLen[s])
		dynamic += f * int(e.litLen[s])
		if s > endOfBlock {
			extra += f * int(lengthExtra[s-257])
		}
	}
	for _, c := range distSyms {
		f := int(e.distFreq[c])
		fixed += f * int(fixedDistLen[c])
		dynamic += f * int(e.distLen[c])
		extra += f * int(distExtra[c])
	}
	return fixed + extra, dynamic + extra
}

// dynamicCode builds the dynamic codes for the tokens and the code length
// sequence of the block header, and returns the header's counts and size
// in bits.
func (e *encoder) dynamicCode() (hlit, hdist, hclen, headerBits int) {
	syms := huffLengths(e.litFreq[:], maxCodeLen, e.litLen[:], &e.huff)
	huffCodesCounted(e.litLen[:], syms, &e.huff.count, e.litCode[:])
	e.nLitSyms = copy(e.litSyms[:], syms)
	syms = huffLengths(e.distFreq[:], maxCodeLen, e.distLen[:], &e.huff)
	huffCodesCounted(e.distLen[:], syms, &e.huff.count, e.distCode[:])
	e.nDistSyms = copy(e.distSyms[:], syms)
	nlit := numLitLen
	for nlit > 257 && e.litLen[nlit-1] == 0 {
		nlit--
	}
	ndist := numDist
	for ndist > 1 && e.distLen[ndist-1] == 0 {
		ndist--
	}
	// Run-length code the lengths, both codes as one sequence.
	all := &e.clIn
	copy(all[:], e.litLen[:nlit])
	copy(all[nlit:], e.distLen[:ndist])
	seq := all[:nlit+ndist]
	clear(e.clFreq[:])
	ns := 0
	clSeq := &e.clSeq
	for i := 0; i < len(seq); {
		v := seq[i]
		run := 1
		if v == 0 {
			// Zero runs are long: skip 8 zeros at a time.
			for i+run+8 <= len(seq) && binary.LittleEndian.Uint64(seq[i+run:]) == 0 {
				run += 8
			}
		}
		for i+run < len(seq) && seq[i+run] == v {
			run++
		}
		i += run
		if v == 0 {
			for run >= 11 {
				r := min(run, 138)
				clSeq[ns&(len(clSeq)-1)] = 18 | uint16(r-11)<<5
				ns++
				e.clFreq[18]++
				run -= r
			}
			if run >= 3 {
				clSeq[ns&(len(clSeq)-1)] = 17 | uint16(run-3)<<5
				ns++
				e.clFreq[17]++
				run = 0
			}
		} else {
			clSeq[ns&(len(clSeq)-1)] = uint16(v)
			ns++
			e.clFreq[v&15]++
			run--
			for run >= 3 {
				r := min(run, 6)
				clSeq[ns&(len(clSeq)-1)] = 16 | uint16(r-3)<<5
				ns++
				e.clFreq[16]++
				run -= r
			}
		}
		for ; run > 0; run-- {
			clSeq[ns&(len(clSeq)-1)] = uint16(v)
			ns++
			e.clFreq[v&15]++
		}
	}
	e.nClSeq = ns
	syms = huffLengths(e.clFreq[:], 7, e.clLen[:numCodeLen], &e.huff)
	huffCodesCounted(e.clLen[:numCodeLen], syms, &e.huff.count, e.clCode[:numCodeLen])
	hclen = numCodeLen
	for hclen > 4 && e.clLen[codeOrder[hclen-1]] == 0 {
		hclen--
	}
	headerBits = 5 + 5 + 4 + 3*hclen
	for s, f := range e.clFreq {
		headerBits += int(f) * int(e.clLen[s])
	}
	headerBits += 2*int(e.clFreq[16]) + 3*int(e.clFreq[17]) + 7*int(e.clFreq[18])
	return nlit, ndist, hclen, headerBits
}

// writeDynamicHeader writes the header that dynamicCode prepared, the
// code length sequence with a 64-bit accumulator as in writeData.
func (e *encoder) writeDynamicHeader(w *bitWriter, hlit, hdist, hclen int) {
	w.write(uint64(hlit-257)|uint64(hdist-1)<<5|uint64(hclen-4)<<10, 14)
	for _, s := range codeOrder[:hclen] {
		w.write(uint64(e.clLen[s]), 3)
	}
	for w.nbits >= 8 {
		w.out = append(w.out, byte(w.bits))
		w.bits >>= 8
		w.nbits -= 8
	}
	// At most 7+7 bits an entry.
	w.out = grow(w.out, e.nClSeq*14/8+16)
	buf := w.out[:cap(w.out)]
	pos, acc, n := len(w.out), w.bits, w.nbits
	for _, x := range e.clSeq[:e.nClSeq] {
		sym := x & 31
		acc |= uint64(e.clCode[sym]) << (n & 63)
		n += uint(e.clLen[sym])
		acc |= uint64(x>>5) << (n & 63)
		n += uint(clExtra[sym])
		binary.LittleEndian.PutUint64(buf[pos:], acc)
		pos += int(n >> 3)
		acc >>= n &^ 7 & 63
		n &= 7
	}
	w.out, w.bits, w.nbits = buf[:pos], acc, n
}

// clExtra is the number of extra bits of each code length symbol.
var clExtra = [32]uint8{16: 2, 17: 3, 18: 7}

// writeData writes src as literals and the matches found, then the
// end-of-block code, with the given literal/length and distance codes.
// The bit buffer lives in locals here: a 64-bit accumulator holding
// fewer than 8 bits between symbols, stored 8 bytes at a time into the
// spare capacity of w.out (grown here if short) and advanced by the whole
// bytes written.
func (e *encoder) writeData(w *bitWriter, dataBits int, src []byte, lc *[numLitLen]uint16, ll *[numLitLen]uint8, dc *[numDist]uint16, dl *[numDist]uint8) {
	for w.nbits >= 8 {
		w.out = append(w.out, byte(w.bits))
		w.bits >>= 8
		w.nbits -= 8
	}
	// Room for the data bits (counted by the caller) and 8 bytes of
	// slack for the last store.
	w.out = grow(w.out, dataBits/8+16)
	buf := w.out[:cap(w.out)]
	pos, acc, n := len(w.out), w.bits, w.nbits
	lit := 0
	for _, m := range e.matches {
		pos0 := int(m >> 32)
		run := src[lit:pos0]
		// Literals three at a time: 7 + 3*15 bits fit the accumulator.
		for len(run) >= 3 {
			b0, b1, b2 := run[0], run[1], run[2]
			acc |= uint64(lc[b0]) << (n & 63)
			n += uint(ll[b0])
			acc |= uint64(lc[b1]) << (n & 63)
			n += uint(ll[b1])
			acc |= uint64(lc[b2]) << (n & 63)
			n += uint(ll[b2])
			binary.LittleEndian.PutUint64(buf[pos:], acc)
			pos += int(n >> 3)
			acc >>= n &^ 7 & 63
			n &= 7
			run = run[3:]
		}
		for _, b := range run {
			acc |= uint64(lc[b]) << (n & 63)
			n += uint(ll[b])
		}
		binary.LittleEndian.PutUint64(buf[pos:], acc)
		pos += int(n >> 3)
		acc >>= n &^ 7 & 63
		n &= 7
		if pos0 == len(src) {
			break
		}
		// Length code and extra bits (20 bits at most), distance code
		// and extra bits (28 at most): 55 bits with the 7 left.
		l := int(m>>16) & 0xff // length-3
		c := int(lengthCode[l])
		s := 257 + c
		acc |= (uint64(lc[s]) | uint64(l+minMatch-int(lengthBase[c]))<<(ll[s]&63)) << (n & 63)
		n += uint(ll[s]) + uint(lengthExtra[c])
		d := int(m&0xffff) + 1
		x := distCode(d)
		acc |= (uint64(dc[x]) | uint64(d-int(distBase[x]))<<(dl[x]&63)) << (n & 63)
		n += uint(dl[x]) + uint(distExtra[x])
		binary.LittleEndian.PutUint64(buf[pos:], acc)
		pos += int(n >> 3)
		acc >>= n &^ 7 & 63
		n &= 7
		lit = pos0 + l + minMatch
	}
	w.out, w.bits, w.nbits = buf[:pos], acc, n
	w.write(uint64(lc[endOfBlock]), uint(ll[endOfBlock]))
}

// appendStored appends src as stored blocks, the last one final. The
// stream is byte-aligned here (just after the 2-byte header).
func appendStored(dst, src []byte) []byte {
	for {
		n := min(len(src), 0xffff)
		final := byte(0)
		if n == len(src) {
			final = 1
		}
		dst = append(dst, final, byte(n), byte(n>>8), ^byte(n), ^byte(n>>8))
		dst = append(dst, src[:n]...)
		src = src[n:]
		if final == 1 {
			return dst
		}
	}
}

// bitWriter appends bits to out, least significant first.
type bitWriter struct {
	out   []byte
	bits  uint64
	nbits uint
}

// write appends the low n (≤ 32) bits of v, which has no bits above them.
func (w *bitWriter) write(v uint64, n uint) {
	w.bits |= v << (w.nbits & 63)
	w.nbits += n
	if w.nbits >= 32 {
		w.out = binary.LittleEndian.AppendUint32(w.out, uint32(w.bits))
		w.bits >>= 32
		w.nbits -= 32
	}
}

// flush appends the bits left, padded with zeros to a byte boundary.
func (w *bitWriter) flush() []byte {
	for w.nbits > 0 {
		w.out = append(w.out, byte(w.bits))
		w.bits >>= 8
		w.nbits -= min(w.nbits, 8)
	}
	return w.out
}

// largeWriters holds compress/zlib writers for inputs over maxSmall.
var largeWriters = sync.Pool{New: func() any { return zlib.NewWriter(nil) }}

func deflateLarge(dst, src []byte) []byte {
	b := bytes.NewBuffer(dst)
	zw := largeWriters.Get().(*zlib.Writer)
	zw.Reset(b)
	zw.Write(src) // a bytes.Buffer does not fail
	zw.Close()
	zw.Reset(nil)
	largeWriters.Put(zw)
	return b.Bytes()
}
