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
	// The symbols by length, in symbol order (buckets of 32).
	var csorted [8 * 32]uint16
	var ccount, cfirst [maxCodeLen + 1]uint32
	for s, l := range clens {
		l &= 7
		csorted[(uint32(l)*32+ccount[l])&(8*32-1)] = uint16(s)
		ccount[l]++
	}
	for l := range 8 {
		cfirst[l] = uint32(l) * 32
	}
	nc := numCodeLen - ccount[0]
	if nc == 0 {
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
	if !cl.buildSorted(csorted[:], &cfirst, 0, &ccount, codeTemplate[:], codeRootMax, true) {
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
