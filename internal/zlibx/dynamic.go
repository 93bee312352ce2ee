package zlibx

import "encoding/binary"

// dynamic reads the header of a dynamic block and builds its tables in d.
func (f *inflater) dynamic(d *decoder) error {
	src := f.src
	ip, bits, nbits := refill(src, f.ip, f.bits, f.nbits)
	nlen := int(bits&31) + 257
	ndist := int(bits>>5&31) + 1
	ncode := int(bits>>10&15) + 4
	bits >>= 14
	nbits -= 14
	if nlen > numLitLen || ndist > numDist {
		f.ip, f.bits, f.nbits = ip, bits, nbits
		return f.corrupt(reasonTooMany)
	}
	var clens [numCodeLen]uint8
	for _, s := range codeOrder[:ncode] {
		if nbits < 3 {
			ip, bits, nbits = refill(src, ip, bits, nbits)
		}
		clens[s] = uint8(bits & 7)
		bits >>= 3
		nbits -= 3
	}
	if clens == ([numCodeLen]uint8{}) {
		// No code length codes at all. zlib accepts this code and then
		// reads every length as 0 from one bit each, failing for the
		// missing end-of-block code, or for truncation first.
		for k := nlen + ndist; k > 0; {
			ip, bits, nbits = refill(src, ip, bits, nbits)
			m := min(k, 48)
			bits >>= m
			nbits -= uint(m)
			k -= m
		}
		f.ip, f.bits, f.nbits = ip, bits, nbits
		return f.corrupt(reasonNoEOB)
	}
	cl := &d.codeLen
	if !cl.buildCodeLen(&clens) {
		f.ip, f.bits, f.nbits = ip, bits, nbits
		return f.corrupt(reasonCodeLens)
	}

	// Read the code lengths, putting each symbol in the bucket of its
	// length (in symbol order): the tables are built from the buckets
	// without sorting. The buckets' stores depend on each other only
	// through their counts, not on the bits, so they overlap the lookups.
	var n [maxCodeLen + 1]uint32 // symbols in each bucket
	bk := &d.buckets
	cent := (*[codeEntries]uint32)(cl.entries)
	cmask := uint64(1)<<(cl.root&63) - 1
	lens := d.lens[:nlen+ndist]
	bad := ""
	for i := 0; i < len(lens); {
		if nbits < 14 {
			ip, bits, nbits = refill(src, ip, bits, nbits)
		}
		e := cent[bits&cmask]
		bits >>= e & 63
		nbits -= uint(e & 0xff)
		sym := e >> 16
		if sym < 16 {
			// Branch-free: a zero length goes in bucket 0, unused.
			lens[i] = uint8(sym)
			w := n[sym]
			bk[(sym*bucketCap+w)&uint32(len(bk)-1)] = uint16(i)
			n[sym] = w + 1
			i++
			continue
		}
		var rep int
		var val uint8
		switch sym {
		case 16:
			if i == 0 {
				bad = reasonRepeat
				break
			}
			val = lens[i-1]
			rep = 3 + int(bits&3)
			bits >>= 2
			nbits -= 2
		case 17:
			rep = 3 + int(bits&7)
			bits >>= 3
			nbits -= 3
		default:
			rep = 11 + int(bits&0x7f)
			bits >>= 7
			nbits -= 7
		}
		if bad != "" || rep > len(lens)-i {
			bad = reasonRepeat
			break
		}
		if val == 0 {
			clear(lens[i : i+rep])
			i += rep
			continue
		}
		l := uint32(val & maxCodeLen)
		for range rep {
			lens[i] = val
			bk[(l*bucketCap+n[l])&uint32(len(bk)-1)] = uint16(i)
			n[l]++
			i++
		}
	}
	f.ip, f.bits, f.nbits = ip, bits, nbits
	if bad != "" {
		return f.corrupt(bad)
	}
	if lens[endOfBlock] == 0 {
		return f.corrupt(reasonNoEOB)
	}
	// Each bucket holds literal/length symbols, then distance symbols
	// (nlen or more): split it.
	var lcount, dcount, lfirst, dfirst [maxCodeLen + 1]uint32
	for l := uint32(1); l <= maxCodeLen; l++ {
		b := bk[l*bucketCap : l*bucketCap+n[l]]
		k := len(b)
		for k > 0 && int(b[k-1]) >= nlen {
			k--
		}
		lcount[l], dcount[l] = uint32(k), n[l]-uint32(k)
		lfirst[l], dfirst[l] = l*bucketCap, l*bucketCap+uint32(k)
	}
	if !d.lit.buildSorted(bk[:], &lfirst, 0, &lcount, litTemplate[:], litRootMax, false) {
		return f.corrupt(reasonLitLens)
	}
	if !d.dist.buildSorted(bk[:], &dfirst, uint16(nlen), &dcount, distTemplate[:], distRootMax, false) {
		return f.corrupt(reasonDistLens)
	}
	return nil
}

// buildCodeLen makes t decode the code length code whose lengths (at most
// 7 bits, not all zero) are clens, as build would: a complete code only
// (zlib's inflate_table refuses an incomplete one for this code), its root
// table as wide as its longest code. Nineteen symbols need none of
// buildSorted's sorting: the canonical codes of each length are handed
// out in symbol order, and each code fills its entries directly.
func (t *huffTable) buildCodeLen(clens *[numCodeLen]uint8) bool {
	// The number of codes of each length, eight bits per length.
	var counts uint64
	for _, l := range clens {
		counts += 1 << (8 * (l & 7))
	}
	// The Kraft sum of a complete code of at most 7 bits is 2^7. The first
	// canonical code of each length (RFC 1951 section 3.2.2).
	var next [8]uint32
	kraft, code, prev := uint32(0), uint32(0), uint32(0)
	maxLen := uint(0)
	for l := uint(1); l <= 7; l++ {
		c := uint32(counts>>(8*l)) & 0xff
		kraft += c << (7 - l)
		code = (code + prev) << 1
		next[l] = code
		prev = c
		if c != 0 {
			maxLen = l
		}
	}
	if kraft != 1<<7 {
		return false // over-subscribed or incomplete
	}
	t.root = maxLen
	entries := (*[codeEntries]uint32)(t.entries)
	size := uint32(1) << maxLen
	for s, l := range clens {
		if l == 0 {
			continue
		}
		l &= 7
		e := codeTemplate[s] | uint32(l)
		for x := reverse(next[l], uint(l)); x < size; x += 1 << l {
			entries[x&(codeEntries-1)] = e
		}
		next[l]++
	}
	return true
}

// refill returns the bit buffer (bits, nbits) with at least 56 bits,
// loaded from src at ip, and the new ip. Past the end of src it pads with
// zero bytes (truncated reports their use).
func refill(src []byte, ip int, bits uint64, nbits uint) (int, uint64, uint) {
	if ip <= len(src)-8 {
		bits |= binary.LittleEndian.Uint64(src[ip:]) << (nbits & 63)
		return ip + int((63-nbits)>>3), bits, nbits | 56
	}
	return refillSlow(src, ip, bits, nbits)
}

func refillSlow(src []byte, ip int, bits uint64, nbits uint) (int, uint64, uint) {
	for nbits <= 56 {
		if ip < len(src) {
			bits |= uint64(src[ip]) << nbits
		}
		ip++
		nbits += 8
	}
	return ip, bits, nbits
}
