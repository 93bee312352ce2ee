package zlibx

import "encoding/binary"

// fastSlack is the output room the fast loop needs: one match, plus the
// 8 bytes its word copies may write past it.
const fastSlack = maxMatch + 8

// fastMinBits is the fewest bits the fast loop starts a symbol with: a
// root table lookup's worth.
const fastMinBits = litRootMax

// Results of fast.
const (
	fastSlow = iota // near the end of the input or output: go on slowly
	fastEOB
	fastLitCode
	fastDistCode
	fastTooFar
)

// codes decodes the Huffman-coded data of one block, up to its end-of-block
// code: in the fast loop while the input and the output have room, one
// careful symbol at a time near their ends.
func (f *inflater) codes(lt, dt *huffTable) error {
	for {
		var status int
		tail := f.atTail()
		if tail {
			status = f.fastTail(lt, dt)
		} else {
			status = f.fast(lt, dt, f.src)
		}
		switch status {
		case fastEOB:
			return nil
		case fastLitCode:
			return f.corrupt(reasonLitCode)
		case fastDistCode:
			return f.corrupt(reasonDistCode)
		case fastTooFar:
			return f.corrupt(reasonTooFar)
		}
		if f.op > len(f.out)-fastSlack && len(f.out) < f.max && !f.truncated() {
			// Make room for the fast loop if the limit allows.
			f.reserve(fastSlack)
			if f.op <= len(f.out)-fastSlack && f.ip < len(f.src) {
				continue
			}
		}
		if !tail && f.atTail() && f.op <= len(f.out)-fastSlack {
			// The fast loop stopped at the last 8 bytes of the input: go on
			// in it, over fastTail's padded copy of them.
			continue
		}
		if eob, err := f.symbol(lt, dt); eob || err != nil {
			return err
		}
	}
}

// atTail reports whether fewer than 8 bytes of the input are left to
// load, but some are: the place for fastTail.
func (f *inflater) atTail() bool { return f.ip > len(f.src)-8 && f.ip < len(f.src) }

// fastTail runs the fast loop over the last (fewer than 8) bytes of the
// input followed by zero bytes, as refill pads them: the end of a stream
// is decoded as fast as the rest. A valid stream ends before the padding;
// if a truncated one uses it, corrupt and truncated tell.
func (f *inflater) fastTail(lt, dt *huffTable) int {
	var pad [16]byte
	ip := f.ip
	copy(pad[:], f.src[ip:])
	f.ip = 0
	status := f.fast(lt, dt, pad[:])
	f.ip += ip
	return status
}

// fast decodes symbols from src (f.src, or fastTail's copy of its end)
// while at least 8 bytes of it and fastSlack bytes of output room remain.
// It makes no calls, so that its state stays in registers.
func (f *inflater) fast(lt, dt *huffTable, src []byte) int {
	// out is resliced to start at this stream's output, so that a
	// distance is valid when it is at most op.
	out := f.out[f.base:]
	ip, bits, nbits, op := f.ip, f.bits, f.nbits, f.op-f.base
	lent := (*[litEntries]uint32)(lt.entries)
	dent := (*[distEntries]uint32)(dt.entries)
	// A lookup indexes with the bits masked to the table's root: no
	// second mask to prove the index in range (it is, root being at most
	// litRootMax or distRootMax), which would lengthen the chain from one
	// symbol's entry to the next one's by a cycle; the bounds check is a
	// branch beside it.
	lmask := uint64(1)<<(lt.root&63) - 1
	dmask := uint64(1)<<(dt.root&63) - 1
	status := fastSlow
	// Each turn of the loop starts with at least fastMinBits bits in the
	// buffer, enough to look up the root table before the refill: the
	// refill then runs beside the lookup instead of lengthening the chain
	// from the last symbol's entry to this one's.
	if ip <= len(src)-8 {
		bits |= binary.LittleEndian.Uint64(src[ip:]) << (nbits & 63)
		ip += int((63 - nbits) >> 3)
		nbits |= 56
	}
	for ip <= len(src)-8 && op <= len(out)-fastSlack && nbits >= fastMinBits {
		e := lent[bits&lmask]
		// Refill to 56 or more bits: enough for a length, a distance and
		// their extra bits (48 bits at most).
		bits |= binary.LittleEndian.Uint64(src[ip:]) << (nbits & 63)
		ip += int((63 - nbits) >> 3)
		nbits |= 56

		if e&kindMask == kindSub {
			e = lent[((e>>16)+uint32(bits>>(e&63))&(1<<(e>>8&0xf)-1))&(litEntries-1)]
		}
		if e&kindMask == kindLiteral {
			bits >>= e & 63
			nbits -= uint(e & 0xff)
			out[op] = byte(e >> 16)
			op++
			// Two more literals fit in the bits left (41 or more), and
			// leave fastMinBits or more; a subtable entry is not a
			// literal and waits for the top.
			e = lent[bits&lmask]
			if e&kindMask == kindLiteral {
				bits >>= e & 63
				nbits -= uint(e & 0xff)
				out[op] = byte(e >> 16)
				op++
				e = lent[bits&lmask]
				if e&kindMask == kindLiteral {
					bits >>= e & 63
					nbits -= uint(e & 0xff)
					out[op] = byte(e >> 16)
					op++
				}
			}
			continue
		}
		if e&kindMask != kindLength {
			if e&kindMask == kindEOB {
				bits >>= e & 63
				nbits -= uint(e & 0xff)
				status = fastEOB
			} else {
				status = fastLitCode
			}
			break
		}
		n := uint(e & 0xff)
		extra := uint(e>>8) & 0xf
		length := int(e>>16) + int((bits>>(n&63))&(1<<extra-1))
		bits >>= (n + extra) & 63
		nbits -= n + extra

		e = dent[bits&dmask]
		if e&kindMask == kindSub {
			e = dent[((e>>16)+uint32(bits>>(e&63))&(1<<(e>>8&0xf)-1))&(distEntries-1)]
		}
		if e&kindMask != kindLiteral {
			status = fastDistCode
			break
		}
		n = uint(e & 0xff)
		extra = uint(e>>8) & 0xf
		dist := int(e>>16) + int((bits>>(n&63))&(1<<extra-1))
		bits >>= (n + extra) & 63
		nbits -= n + extra
		if dist > op {
			// Reported after the distance, as symbol does: if its bits
			// were fastTail's padding, the stream was truncated.
			status = fastTooFar
			break
		}
		// A match takes up to 48 bits of the 56: refill for the next
		// lookup if it left fewer than fastMinBits.
		if nbits < fastMinBits && ip <= len(src)-8 {
			bits |= binary.LittleEndian.Uint64(src[ip:]) << (nbits & 63)
			ip += int((63 - nbits) >> 3)
			nbits |= 56
		}

		// Copy in words, up to 7 bytes past the end (there is room).
		from := op - dist
		end := op + length
		switch {
		case dist >= 8:
			for op < end {
				binary.LittleEndian.PutUint64(out[op:], binary.LittleEndian.Uint64(out[from:]))
				op += 8
				from += 8
			}
		case dist == 1:
			v := uint64(out[from]) * 0x0101010101010101
			for op < end {
				binary.LittleEndian.PutUint64(out[op:], v)
				op += 8
			}
		default:
			for op < end {
				out[op] = out[from]
				op++
				from++
			}
		}
		op = end
	}
	f.ip, f.bits, f.nbits, f.op = ip, bits, nbits, op+f.base
	return status
}

// symbol decodes one symbol with every check, and reports whether it was
// the end of the block.
func (f *inflater) symbol(lt, dt *huffTable) (eob bool, err error) {
	if f.nbits < 48 {
		if f.truncated() {
			return false, f.corrupt(reasonTruncated)
		}
		f.refill()
	}
	bits := f.bits
	e := lt.entries[bits&(1<<lt.root-1)]
	if e&kindMask == kindSub {
		e = lt.entries[(e>>16)+uint32(bits>>lt.root)&(1<<(e>>8&0xf)-1)]
	}
	n := uint(e & 0xff)
	switch e & kindMask {
	case kindLiteral:
		f.drop(n)
		if f.op >= len(f.out) {
			if err := f.grow(1); err != nil {
				return false, err
			}
		}
		f.out[f.op] = byte(e >> 16)
		f.op++
		return false, nil
	case kindEOB:
		f.drop(n)
		return true, nil
	case kindLength:
	default:
		return false, f.corrupt(reasonLitCode)
	}
	extra := uint(e>>8) & 0xf
	length := int(e>>16) + int((bits>>n)&(1<<extra-1))
	f.drop(n + extra)
	bits = f.bits
	e = dt.entries[bits&(1<<dt.root-1)]
	if e&kindMask == kindSub {
		e = dt.entries[(e>>16)+uint32(bits>>dt.root)&(1<<(e>>8&0xf)-1)]
	}
	if e&kindMask != kindLiteral {
		return false, f.corrupt(reasonDistCode)
	}
	n = uint(e & 0xff)
	extra = uint(e>>8) & 0xf
	dist := int(e>>16) + int((bits>>n)&(1<<extra-1))
	f.drop(n + extra)
	if f.truncated() {
		return false, f.corrupt(reasonTruncated)
	}
	if dist > f.op-f.base {
		return false, f.corrupt(reasonTooFar)
	}
	if length > len(f.out)-f.op {
		if err := f.grow(length); err != nil {
			return false, err
		}
	}
	out, op := f.out, f.op
	from, end := op-dist, op+length
	for op < end {
		op += copy(out[op:end], out[from:op])
	}
	f.op = end
	return false, nil
}
