package zlibx

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"
)

// A crafter writes deflate blocks bit by bit, for streams no compressor
// would make.
type crafter struct{ w bitWriter }

// bits writes the low n bits of v, least significant first (header
// fields, extra bits).
func (c *crafter) bits(v uint64, n uint) *crafter {
	for ; n > 16; n -= 16 {
		c.w.write(v&0xffff, 16)
		v >>= 16
	}
	c.w.write(v, n)
	return c
}

// code writes an n-bit Huffman code, most significant bit first.
func (c *crafter) code(v uint64, n uint) *crafter {
	for i := int(n) - 1; i >= 0; i-- {
		c.w.write(v>>uint(i)&1, 1)
	}
	return c
}

// fixedLit writes literal/length symbol s in the fixed code.
func (c *crafter) fixedLit(s int) *crafter {
	switch {
	case s < 144:
		return c.code(uint64(0x30+s), 8)
	case s < 256:
		return c.code(uint64(0x190+s-144), 9)
	case s < 280:
		return c.code(uint64(s-256), 7)
	default:
		return c.code(uint64(0xc0+s-280), 8)
	}
}

// zlib returns the stream: header 78 01, the blocks (padded to a byte),
// and the Adler-32 of want.
func (c *crafter) zlib(want []byte) []byte {
	body := c.w.flush()
	out := append([]byte{0x78, 0x01}, body...)
	return binary.BigEndian.AppendUint32(out, adler32(want))
}

// dynamic writes a dynamic block header for the given literal/length and
// distance code lengths, sending every length as itself with a fixed
// code length code (13 symbols of 4 bits, 6 of 5 bits) unless clens is
// given, and returns the codes to write the data with.
func (c *crafter) dynamic(final bool, lit, dist []uint8, clens []uint8) (litCodes, distCodes []uint16) {
	c.bits(b2u(final)|2<<1, 3)
	c.bits(uint64(len(lit)-257)|uint64(len(dist)-1)<<5|uint64(19-4)<<10, 14)
	if clens == nil {
		clens = make([]uint8, 19)
		for i, s := range codeOrder {
			clens[s] = 4
			if i >= 13 {
				clens[s] = 5
			}
		}
	}
	for _, s := range codeOrder {
		c.bits(uint64(clens[s]), 3)
	}
	clCodes := make([]uint16, 19)
	huffCodes(clens, symbolsWithLength(clens), clCodes)
	for _, l := range append(append([]uint8{}, lit...), dist...) {
		c.bits(uint64(clCodes[l]), uint(clens[l]))
	}
	litCodes = make([]uint16, len(lit))
	huffCodes(lit, symbolsWithLength(lit), litCodes)
	distCodes = make([]uint16, len(dist))
	huffCodes(dist, symbolsWithLength(dist), distCodes)
	return litCodes, distCodes
}

func symbolsWithLength(lens []uint8) []uint16 {
	var s []uint16
	for i, l := range lens {
		if l != 0 {
			s = append(s, uint16(i))
		}
	}
	return s
}

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// lengths returns n code lengths, all 0 but those set in m.
func lengths(n int, m map[int]uint8) []uint8 {
	l := make([]uint8, n)
	for s, v := range m {
		l[s] = v
	}
	return l
}

// craftCase is a stream made by hand and what zlib.decompress says of it.
type craftCase struct {
	name   string
	stream []byte
	want   string // Inflate's output, or zlib's reason when err
	err    bool
}

func craftCases() []craftCase {
	var cs []craftCase
	add := func(name string, stream []byte, want string, err bool) {
		cs = append(cs, craftCase{name, stream, want, err})
	}
	fixed := func(final bool) *crafter {
		c := new(crafter)
		c.bits(b2u(final)|1<<1, 3)
		return c
	}

	add("empty input", nil, reasonTruncated, true)
	add("header only", []byte{0x78, 0x9c}, reasonTruncated, true)
	add("FCHECK wrong", []byte{0x78, 0x9d, 3, 0, 0, 0, 0, 1}, reasonHeader, true)
	add("CM 7", []byte{0x77, 0x85, 3, 0, 0, 0, 0, 1}, reasonMethod, true)
	add("CINFO 8", []byte{0x88, 0x98, 3, 0, 0, 0, 0, 1}, reasonWindow, true)
	add("CINFO 0 (256-byte window)", []byte{0x08, 0x1d, 3, 0, 0, 0, 0, 1}, "", false)
	add("FDICT", []byte{0x78, 0xbb, 0, 0, 0, 1, 3, 0, 0, 0, 0, 1}, reasonDict, true)
	add("empty fixed block", fixed(true).fixedLit(256).zlib(nil), "", false)
	add("block type 3", new(crafter).bits(1|3<<1, 3).zlib(nil), reasonBlockType, true)
	add("stored NLEN mismatch", append([]byte{0x78, 0x01, 1, 1, 0, 0xfe, 0xfe, 'a'}, 0, 0x62, 0, 0x62), reasonStored, true)
	add("stored, empty", []byte{0x78, 0x01, 1, 0, 0, 0xff, 0xff, 0, 0, 0, 1}, "", false)
	add("stored, truncated", []byte{0x78, 0x01, 1, 5, 0, 0xfa, 0xff, 'a', 'b'}, reasonTruncated, true)
	add("empty stored then fixed", append([]byte{0x78, 0x01, 0, 0, 0, 0xff, 0xff}, fixed(true).fixedLit('x').fixedLit(256).zlib([]byte("x"))[2:]...), "x", false)
	add("fixed: literal/length 286", fixed(true).fixedLit('a').fixedLit(286).zlib(nil), reasonLitCode, true)
	add("fixed: literal/length 287", fixed(true).fixedLit(287).zlib(nil), reasonLitCode, true)
	add("fixed: distance 30", fixed(true).fixedLit('a').fixedLit(257).code(30, 5).zlib(nil), reasonDistCode, true)
	add("fixed: distance 31", fixed(true).fixedLit('a').fixedLit(257).code(31, 5).zlib(nil), reasonDistCode, true)
	add("distance before the start", fixed(true).fixedLit('a').fixedLit(257).code(1, 5).fixedLit(256).zlib(nil), reasonTooFar, true)
	add("distance at the start", fixed(true).fixedLit('a').fixedLit(257).code(0, 5).fixedLit(256).zlib([]byte("aaaa")), "aaaa", false)
	add("match of 258 over 1 byte", fixed(true).fixedLit('z').fixedLit(285).code(0, 5).fixedLit(256).zlib(bytes.Repeat([]byte("z"), 259)), string(bytes.Repeat([]byte("z"), 259)), false)
	add("first block not final, second final", fixed(false).fixedLit('p').fixedLit(256).bits(1|1<<1, 3).fixedLit('q').fixedLit(256).zlib([]byte("pq")), "pq", false)
	noFinal := fixed(false).fixedLit('p').fixedLit(256).zlib([]byte("p"))
	add("no final block", noFinal[:len(noFinal)-4], reasonTruncated, true)

	// Dynamic blocks. A literal/length code: 'a' and end-of-block and
	// length 3 (symbol 257) with two bits each, and 'b' with two.
	good := lengths(258, map[int]uint8{'a': 2, 'b': 2, 256: 2, 257: 2})
	oneDist := lengths(1, map[int]uint8{0: 1})
	{
		c := new(crafter)
		lc, dc := c.dynamic(true, good, oneDist, nil)
		c.bits(uint64(lc['a']), 2).bits(uint64(lc['b']), 2).bits(uint64(lc[257]), 2).bits(uint64(dc[0]), 1)
		c.bits(uint64(lc[256]), 2)
		// Distance code 0 is distance 1: "ab" then "bbb".
		add("dynamic: single one-bit distance code", c.zlib([]byte("abbbb")), "abbbb", false)
	}
	{
		c := new(crafter)
		lc, _ := c.dynamic(true, good, lengths(1, nil), nil)
		c.bits(uint64(lc['a']), 2).bits(uint64(lc[256]), 2)
		add("dynamic: no distance codes, no match", c.zlib([]byte("a")), "a", false)
	}
	{
		c := new(crafter)
		lc, _ := c.dynamic(true, good, lengths(1, nil), nil)
		c.bits(uint64(lc['a']), 2).bits(uint64(lc[257]), 2).bits(0, 8).bits(uint64(lc[256]), 2)
		add("dynamic: no distance codes, a match", c.zlib(nil), reasonDistCode, true)
	}
	{
		c := new(crafter)
		c.dynamic(true, lengths(257, map[int]uint8{256: 1}), lengths(1, nil), nil)
		c.bits(0, 1)
		add("dynamic: only end-of-block, one bit", c.zlib(nil), "", false)
	}
	{
		c := new(crafter)
		c.dynamic(true, lengths(257, map[int]uint8{256: 1}), lengths(1, nil), nil)
		c.bits(1, 1)
		add("dynamic: the unused one-bit code", c.zlib(nil), reasonLitCode, true)
	}
	{
		c := new(crafter)
		c.dynamic(true, good, lengths(2, map[int]uint8{0: 2, 1: 2}), nil)
		add("dynamic: incomplete distance code", c.zlib(nil), reasonDistLens, true)
	}
	{
		c := new(crafter)
		c.dynamic(true, lengths(258, map[int]uint8{'a': 2, 256: 2, 257: 2}), oneDist, nil)
		add("dynamic: incomplete literal/length code", c.zlib(nil), reasonLitLens, true)
	}
	{
		c := new(crafter)
		c.dynamic(true, lengths(258, map[int]uint8{'a': 1, 'b': 2, 256: 2, 257: 2}), oneDist, nil)
		add("dynamic: over-subscribed literal/length code", c.zlib(nil), reasonLitLens, true)
	}
	{
		c := new(crafter)
		c.dynamic(true, lengths(258, map[int]uint8{'a': 1, 257: 1}), oneDist, nil)
		add("dynamic: no end-of-block code", c.zlib(nil), reasonNoEOB, true)
	}
	{
		c := new(crafter)
		c.dynamic(true, lengths(257, map[int]uint8{256: 1}), lengths(32, map[int]uint8{0: 1}), nil)
		add("dynamic: 32 distance codes", c.zlib(nil), reasonTooMany, true)
	}
	{
		c := new(crafter)
		c.dynamic(true, lengths(287, map[int]uint8{256: 1}), oneDist, nil)
		add("dynamic: 287 literal/length codes", c.zlib(nil), reasonTooMany, true)
	}
	{
		c := new(crafter)
		cl := make([]uint8, 19)
		cl[0], cl[1], cl[2] = 1, 1, 1
		c.dynamic(true, good, oneDist, cl)
		add("dynamic: over-subscribed code length code", c.zlib(nil), reasonCodeLens, true)
	}
	{
		c := new(crafter)
		cl := make([]uint8, 19)
		cl[0] = 1
		c.dynamic(true, good, oneDist, cl)
		add("dynamic: single one-bit code length code", c.zlib(nil), reasonCodeLens, true)
	}
	{
		c := new(crafter)
		c.bits(1|2<<1, 3).bits(1|0<<5|(19-4)<<10, 14)
		for range 19 {
			c.bits(0, 3) // no code length codes: every length reads as 0
		}
		c.bits(0, 257+1)
		add("dynamic: empty code length code", c.zlib(nil), reasonNoEOB, true)
	}
	{
		// Repeat (16) as the first code length; then lengths past the
		// end (18 repeats 138 zeros).
		cl := make([]uint8, 19)
		cl[16], cl[18], cl[1], cl[2] = 2, 2, 2, 2
		codes := make([]uint16, 19)
		huffCodes(cl, symbolsWithLength(cl), codes)
		c := new(crafter)
		c.bits(1|2<<1, 3).bits(1|0<<5|(19-4)<<10, 14)
		for _, s := range codeOrder {
			c.bits(uint64(cl[s]), 3)
		}
		c.bits(uint64(codes[16]), 2).bits(0, 2)
		add("dynamic: repeat before any length", c.zlib(nil), reasonRepeat, true)

		c = new(crafter)
		c.bits(1|2<<1, 3).bits(1|0<<5|(19-4)<<10, 14)
		for _, s := range codeOrder {
			c.bits(uint64(cl[s]), 3)
		}
		c.bits(uint64(codes[18]), 2).bits(127, 7) // 138 zeros
		c.bits(uint64(codes[18]), 2).bits(127, 7) // 276
		c.bits(uint64(codes[18]), 2).bits(0, 7)   // 287 > 258
		add("dynamic: repeat past the last length", c.zlib(nil), reasonRepeat, true)
	}
	{
		// A repeat (16) that runs from the literal/length code lengths
		// into the distance code lengths, as RFC 1951 allows: the last
		// literal/length length (257: 2) is repeated for distances 0-2,
		// and distance 3 is sent as itself. The code length code: 0 in
		// one bit, 2 and 16 in two.
		cl := make([]uint8, 19)
		cl[0], cl[2], cl[16] = 1, 2, 2
		codes := make([]uint16, 19)
		huffCodes(cl, symbolsWithLength(cl), codes)
		c := new(crafter)
		c.bits(1|2<<1, 3).bits(uint64(258-257)|uint64(4-1)<<5|(19-4)<<10, 14)
		for _, s := range codeOrder {
			c.bits(uint64(cl[s]), 3)
		}
		for _, l := range good { // 258 literal/length lengths
			c.bits(uint64(codes[l]), uint(cl[l]))
		}
		c.bits(uint64(codes[16]), 2).bits(0, 2) // 3 more 2s: distances 0-2
		c.bits(uint64(codes[2]), uint(cl[2]))   // distance 3
		lc := make([]uint16, len(good))
		huffCodes(good, symbolsWithLength(good), lc)
		// "ab", then length 3 (257) at distance 2 (distance code 1, two
		// bits: 01 after 00), then end-of-block.
		c.bits(uint64(lc['a']), 2).bits(uint64(lc['b']), 2).bits(uint64(lc[257]), 2).code(1, 2).bits(uint64(lc[256]), 2)
		add("dynamic: repeat across the two codes' lengths", c.zlib([]byte("ababa")), "ababa", false)
	}
	good5 := fixed(true).fixedLit('h').fixedLit('i').fixedLit(256).zlib([]byte("hi"))
	bad := bytes.Clone(good5)
	bad[len(bad)-1] ^= 0x80
	add("bad Adler-32", bad, reasonCheck, true)
	add("Adler-32 cut short", good5[:len(good5)-2], reasonTruncated, true)
	add("trailing bytes", append(bytes.Clone(good5), "more"...), "hi", false)
	return cs
}

// TestInflateCrafted checks streams made to hit each of zlib's checks,
// with zlib.decompress's verdict on each as the expectation.
func TestInflateCrafted(t *testing.T) {
	cs := craftCases()
	streams := make([][]byte, len(cs))
	for i, c := range cs {
		streams[i] = c.stream
	}
	res := pyDecompressAll(t, streams)
	for i, c := range cs {
		py := res[i]
		// The case must be what zlib says it is...
		if c.err != (py.OK == nil) {
			t.Fatalf("%s: zlib.decompress: ok=%v err=%q; the case expects err=%v", c.name, py.OK != nil, py.Err, c.err)
		}
		if c.err && pyReason(py.Err) != c.want {
			t.Fatalf("%s: zlib says %q, the case expects %q", c.name, pyReason(py.Err), c.want)
		}
		if !c.err && string(mustHex(*py.OK)) != c.want {
			t.Fatalf("%s: zlib gives %q, the case expects %q", c.name, mustHex(*py.OK), c.want)
		}
		// ...and Inflate must say the same.
		got, err := Inflate(nil, c.stream, 1<<20)
		var ce *CorruptError
		switch {
		case !c.err && (err != nil || string(got) != c.want):
			t.Errorf("%s: Inflate = %q, %v; want %q", c.name, got, err, c.want)
		case c.err && (!errors.As(err, &ce) || ce.Reason != c.want || !errors.Is(err, ErrCorrupt)):
			t.Errorf("%s: Inflate error = %v; want %q (ErrCorrupt)", c.name, err, c.want)
		}
	}
}
