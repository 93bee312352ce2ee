package zlibx

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"io"
	"runtime"
	"testing"
	"time"
)

// bomb returns a valid stream that inflates to 1 + 258*n zero bytes in
// about n/4 bytes: a dynamic block where length 258 (symbol 285) and
// distance 1 both have one-bit codes that are 0, so each match is two
// zero bits.
func bomb(n int) []byte {
	c := new(crafter)
	lc, _ := c.dynamic(true, lengths(286, map[int]uint8{0: 2, 256: 2, 285: 1}), lengths(1, map[int]uint8{0: 1}), nil)
	if lc[285] != 0 {
		panic("symbol 285 should have code 0")
	}
	c.bits(uint64(lc[0]), 2)
	for k := 2 * n; k > 0; k -= min(k, 16) {
		c.bits(0, uint(min(k, 16)))
	}
	c.bits(uint64(lc[256]), 2)
	body := c.w.flush()
	size := 1 + 258*uint64(n)
	// Adler-32 of zeros: s1 stays 1, s2 is the length.
	out := append([]byte{0x78, 0x01}, body...)
	return binary.BigEndian.AppendUint32(out, uint32(size%adlerModulus)<<16|1)
}

// TestBombIsValid checks the bomb generator on a small bomb with
// compress/zlib and zlib.decompress, so that the limit test below
// rejects a valid stream.
func TestBombIsValid(t *testing.T) {
	z := bomb(5000)
	want := make([]byte, 1+258*5000)
	zr, err := zlib.NewReader(bytes.NewReader(z))
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(zr)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("compress/zlib: %d bytes, %v", len(got), err)
	}
	py := pyDecompressAll(t, [][]byte{z})[0]
	if py.OK == nil || !bytes.Equal(mustHex(*py.OK), want) {
		t.Fatalf("zlib.decompress: %v", py.Err)
	}
	got, err = Inflate(nil, z, len(want))
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("Inflate: %d bytes, %v", len(got), err)
	}
}

// TestBombLimit inflates a stream declaring 1 GiB: it must fail with
// ErrTooLarge at the limit, having allocated at most about twice the
// limit (the output grows by doubling), which bounds the work done too:
// no more than limit bytes are ever produced. (Time is only logged: a
// timed assertion would fail on a loaded machine.)
func TestBombLimit(t *testing.T) {
	z := bomb(1 << 30 / 258)
	for _, limit := range []int{1 << 10, 1 << 20, 64 << 20} {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		start := time.Now()
		out, err := Inflate(nil, z, limit)
		took := time.Since(start)
		runtime.ReadMemStats(&after)
		if !errors.Is(err, ErrTooLarge) || out != nil {
			t.Fatalf("Inflate(1 GiB bomb, %d) = %d bytes, %v; want ErrTooLarge", limit, len(out), err)
		}
		alloc := after.TotalAlloc - before.TotalAlloc
		t.Logf("%d-byte stream declaring 1 GiB, limit %d: %v after %v, %d bytes allocated", len(z), limit, err, took, alloc)
		if alloc > uint64(2*limit+64<<10) {
			t.Errorf("limit %d: allocated %d bytes", limit, alloc)
		}
	}
}

func TestInflateLimit(t *testing.T) {
	z := mustHex(sessionStream)
	n := len(sessionJSON)
	for _, tc := range []struct {
		limit int
		ok    bool
	}{{n, true}, {n + 1, true}, {-1, true}, {n - 1, false}, {0, false}, {1, false}} {
		got, err := Inflate(nil, z, tc.limit)
		if tc.ok != (err == nil) || (tc.ok && string(got) != sessionJSON) || (!tc.ok && !errors.Is(err, ErrTooLarge)) {
			t.Errorf("limit %d: %d bytes, %v", tc.limit, len(got), err)
		}
	}
	// An empty stream fits a limit of 0.
	empty := []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01} // zlib.compress(b"")
	if got, err := Inflate(nil, empty, 0); err != nil || len(got) != 0 {
		t.Errorf("empty stream, limit 0: %q, %v", got, err)
	}
	// The limit does not count what dst holds already.
	got, err := Inflate([]byte("prefix:"), z, n)
	if err != nil || string(got) != "prefix:"+sessionJSON {
		t.Errorf("with a prefix: %q, %v", got, err)
	}
}

// TestInflateDstIsNotADictionary checks that a distance reaching back
// into what dst held is an error: the stream's own output is the whole
// window.
func TestInflateDstIsNotADictionary(t *testing.T) {
	c := new(crafter)
	c.bits(1|1<<1, 3).fixedLit('a').fixedLit(257).code(1, 5).fixedLit(256) // "a", then 3 bytes from distance 2
	z := c.zlib(nil)
	dst := []byte("xyz")
	got, err := Inflate(dst, z, 100)
	var ce *CorruptError
	if !errors.As(err, &ce) || ce.Reason != reasonTooFar || string(got) != "xyz" {
		t.Fatalf("Inflate = %q, %v; want dst unchanged and %q", got, err, reasonTooFar)
	}
}

// TestInflateReusesDst checks that Inflate writes into dst's spare
// capacity and allocates nothing then.
func TestInflateReusesDst(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not exact with the race detector (sync.Pool drops items)")
	}
	z := mustHex(sessionStream)
	buf := make([]byte, 0, 1024)
	allocs := testing.AllocsPerRun(100, func() {
		out, err := Inflate(buf, z, 1<<20)
		if err != nil || &out[0] != &buf[:1][0] {
			t.Fatalf("Inflate did not write into dst: %v", err)
		}
	})
	if allocs != 0 {
		t.Errorf("Inflate into a big enough dst: %v allocations, want 0", allocs)
	}
	allocs = testing.AllocsPerRun(100, func() { Inflate(nil, z, 1<<20) })
	if allocs != 1 {
		t.Errorf("Inflate into nil: %v allocations, want 1 (the output)", allocs)
	}
	in := []byte(sessionJSON)
	allocs = testing.AllocsPerRun(100, func() { Deflate(buf, in) })
	if allocs != 0 {
		t.Errorf("Deflate into a big enough dst: %v allocations, want 0", allocs)
	}
	allocs = testing.AllocsPerRun(100, func() { Deflate(nil, in) })
	if allocs != 1 {
		t.Errorf("Deflate into nil: %v allocations, want 1 (the output)", allocs)
	}
}
