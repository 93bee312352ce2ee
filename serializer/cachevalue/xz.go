package cachevalue

import (
	"encoding/binary"
	"hash/crc32"

	"github.com/ulikunitz/xz/lzma"
)

// xzMinDict is the smallest dictionary handed to the xz reader.
const xzMinDict = 1 << 12

// xzPrepare walks the blocks of the first xz stream in b without
// decompressing anything, and fails fast when the LZMA2 chunks declare more
// than max bytes of output. The xz reader allocates the dictionary size a
// block header declares (up to 4 GiB) before reading any data, so where a
// header declares more than max bytes (no output we accept can reach back
// further) a copy of b is returned with a smaller dictionary declared and
// the header's CRC32 redone. ok is false when b is not a well-formed xz
// stream as far as the walk sees (the reader is left to find the rest).
//
// out is cut at the end of the first stream (index and footer included).
func xzPrepare(b []byte, max int) (out []byte, ok bool, err error) {
	if len(b) < 12 || string(b[:6]) != "\xfd7zXZ\x00" {
		return nil, false, nil
	}
	checkSize := [16]int{0, 4, 4, 4, 8, 8, 8, 16, 16, 16, 32, 32, 32, 64, 64, 64}[b[7]&0x0F]
	want := max
	if want < xzMinDict {
		want = xzMinDict
	}
	out = b
	total := 0
	pos := 12
	for {
		if pos >= len(b) {
			return nil, false, nil
		}
		if b[pos] == 0 { // the index: no more blocks
			end, ok := xzIndexEnd(b, pos)
			if !ok {
				return nil, false, nil
			}
			return out[:end], true, nil
		}
		start := pos
		hlen := (int(b[pos]) + 1) * 4
		if pos+hlen > len(b) {
			return nil, false, nil
		}
		if dictAt, found := xzDictByte(b[pos : pos+hlen]); found {
			dc, derr := lzma.DecodeDictCap(b[pos+dictAt])
			if derr == nil && dc > int64(want) && crc32.ChecksumIEEE(b[pos:pos+hlen-4]) == binary.LittleEndian.Uint32(b[pos+hlen-4:]) {
				if &out[0] == &b[0] {
					out = append([]byte(nil), b...)
				}
				code := byte(0)
				for c, err := lzma.DecodeDictCap(code); err == nil && c < int64(want); c, err = lzma.DecodeDictCap(code) {
					code++
				}
				out[pos+dictAt] = code
				binary.LittleEndian.PutUint32(out[pos+hlen-4:], crc32.ChecksumIEEE(out[pos:pos+hlen-4]))
			}
		}
		pos += hlen
		// LZMA2 chunks up to the end marker.
		for {
			if pos >= len(b) {
				return nil, false, nil
			}
			c := b[pos]
			pos++
			switch {
			case c == 0:
			case c == 1 || c == 2:
				if pos+2 > len(b) {
					return nil, false, nil
				}
				n := int(b[pos])<<8 | int(b[pos+1]) + 1
				pos += 2 + n
				total += n
			case c >= 0x80:
				if pos+4 > len(b) {
					return nil, false, nil
				}
				total += int(c&0x1F)<<16 | int(b[pos])<<8 | int(b[pos+1]) + 1
				packed := int(b[pos+2])<<8 | int(b[pos+3]) + 1
				pos += 4 + packed
				if c >= 0xC0 {
					pos++
				}
			default:
				return nil, false, nil
			}
			if total > max {
				return nil, false, tooLarge("lzma", max)
			}
			if c == 0 {
				break
			}
		}
		pos += (4-(pos-start)%4)%4 + checkSize
	}
}

// xzDictByte finds the LZMA2 filter's dictionary-size byte in a block
// header (offset into h).
func xzDictByte(h []byte) (int, bool) {
	if len(h) < 8 {
		return 0, false
	}
	flags := h[1]
	p := 2
	varint := func() (uint64, bool) {
		var v uint64
		for i := 0; i < 9 && p < len(h)-4; i++ {
			c := h[p]
			p++
			v |= uint64(c&0x7F) << (7 * i)
			if c&0x80 == 0 {
				return v, true
			}
		}
		return 0, false
	}
	if flags&0x40 != 0 {
		if _, ok := varint(); !ok {
			return 0, false
		}
	}
	if flags&0x80 != 0 {
		if _, ok := varint(); !ok {
			return 0, false
		}
	}
	for i := 0; i <= int(flags&3); i++ {
		id, ok1 := varint()
		size, ok2 := varint()
		if !ok1 || !ok2 || uint64(len(h)-4-p) < size {
			return 0, false
		}
		if id == 0x21 && size == 1 {
			return p, true
		}
		p += int(size)
	}
	return 0, false
}

// xzIndexEnd returns the end of the stream whose index starts at pos: the
// index (indicator, record count, records, padding, CRC32) and the 12-byte
// stream footer.
func xzIndexEnd(b []byte, pos int) (int, bool) {
	start := pos
	pos++
	varint := func() (uint64, bool) {
		var v uint64
		for i := 0; i < 9 && pos < len(b); i++ {
			c := b[pos]
			pos++
			v |= uint64(c&0x7F) << (7 * i)
			if c&0x80 == 0 {
				return v, true
			}
		}
		return 0, false
	}
	n, ok := varint()
	if !ok || n > uint64(len(b)) {
		return 0, false
	}
	for i := uint64(0); i < 2*n; i++ {
		if _, ok := varint(); !ok {
			return 0, false
		}
	}
	pos += (4 - (pos-start)%4) % 4
	pos += 4 + 12
	if pos > len(b) {
		return 0, false
	}
	return pos, true
}
