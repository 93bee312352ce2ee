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
	var ccount [maxCodeLen + 1]uint32
	for _, s := range codeOrder[:ncode] {
		if nbits < 3 {
			ip, bits, nbits = refill(src, ip, bits, nbits)
		}
		l := uint8(bits & 7)
		bits >>= 3
		nbits -= 3
		clens[s] = l
		ccount[l]++
	}
	var csyms [numCodeLen]uint16
	nc := 0
	for s, l := range clens {
		if l != 0 {
			csyms[nc] = uint16(s)
			nc++
		}
	}
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
	if !cl.buildFrom(clens[:], csyms[:nc], 0, &ccount, codeTemplate[:], codeRootMax, true) {
		f.ip, f.bits, f.nbits = ip, bits, nbits
		return f.corrupt(reasonCodeLens)
	}

	// Read the code lengths, counting them by length (four counters per
	// length, so that runs of one length do not wait on each other) and
	// listing the symbols that have one.
	var counts [4][maxCodeLen + 1]uint32
	syms := &d.syms
	nsyms := 0
	cent := (*[codeEntries]uint32)(cl.entries)
	cmask := uint64(1)<<(cl.root&63) - 1
	lens := d.lens[:nlen+ndist]
	bad := ""
	for i := 0; i < len(lens); {
		if nbits < 14 {
			ip, bits, nbits = refill(src, ip, bits, nbits)
		}
		e := cent[bits&cmask&(codeEntries-1)]
		bits >>= e & 63
		nbits -= uint(e & 0xff)
		sym := e >> 16
		if sym < 16 {
			// Branch-free: a zero length is counted too (count[0] is
			// ignored) and its entry in syms overwritten.
			lens[i] = uint8(sym)
			counts[nsyms&3][sym]++
			syms[nsyms] = uint16(i)
			if sym != 0 {
				nsyms++
			}
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
		for range rep {
			lens[i] = val
			counts[nsyms&3][val&maxCodeLen]++
			syms[nsyms] = uint16(i)
			nsyms++
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
	// The counts so far mix both codes; take the distance codes out.
	nlit := nsyms
	for nlit > 0 && int(syms[nlit-1]) >= nlen {
		nlit--
	}
	var lcount, dcount [maxCodeLen + 1]uint32
	for l := range lcount {
		lcount[l] = counts[0][l] + counts[1][l] + counts[2][l] + counts[3][l]
	}
	for _, s := range syms[nlit:nsyms] {
		dcount[lens[s]&maxCodeLen]++
	}
	for l := range lcount {
		lcount[l] -= dcount[l]
	}
	if !d.lit.buildFrom(lens[:nlen], syms[:nlit], 0, &lcount, litTemplate[:], litRootMax, false) {
		return f.corrupt(reasonLitLens)
	}
	if !d.dist.buildFrom(lens[nlen:], syms[nlit:nsyms], uint16(nlen), &dcount, distTemplate[:], distRootMax, false) {
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
