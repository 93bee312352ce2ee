package cachevalue

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"runtime"
	"strings"
	"testing"

	"github.com/djangosess/djangosess/serializer"
)

// allocated returns the bytes allocated while f runs.
func allocated(f func()) uint64 {
	var a, b runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&a)
	f()
	runtime.ReadMemStats(&b)
	return b.TotalAlloc - a.TotalAlloc
}

// TestBombs: every compressor's output over MaxSize fails with ErrTooLarge
// and allocates about MaxSize, not the inflated size.
func TestBombs(t *testing.T) {
	const max = 1 << 20
	zeros := make([]byte, 8<<20)
	for _, c := range compressors {
		data := zeros
		if c.name == "lzma" {
			data = zeros[:3<<20] // the pure-Go xz encoder is slow
		}
		bomb, err := c.compress(data)
		if err != nil {
			t.Fatal(err)
		}
		for _, comp := range []string{c.name, "auto"} {
			codec := Codec{Compressor: comp, MaxSize: max}
			var derr error
			n := allocated(func() { _, derr = codec.Decode(bomb) })
			if !errors.Is(derr, serializer.ErrTooLarge) {
				t.Errorf("%s (%d bytes inflating to %d): Decode err = %v, want ErrTooLarge", comp, len(bomb), len(data), derr)
			}
			if n > 8*max {
				t.Errorf("%s: Decode allocated %d bytes for a cap of %d", comp, n, max)
			}
		}
		// Under the cap the same stream decodes (to a pickle error: it
		// holds zeros, not a pickle).
		if _, err := (Codec{Compressor: c.name, MaxSize: 16 << 20}).Decode(bomb); errors.Is(err, serializer.ErrTooLarge) {
			t.Errorf("%s: %d bytes under a 16 MiB cap: %v", c.name, len(data), err)
		}
	}
	// Over the cap before anything is read.
	if _, err := (Codec{MaxSize: 10}).Decode(make([]byte, 11)); !errors.Is(err, serializer.ErrTooLarge) {
		t.Errorf("11 bytes, cap 10: %v", err)
	}
}

// TestHugeDeclaredSizes: headers that declare huge sizes allocate nothing
// of the kind.
func TestHugeDeclaredSizes(t *testing.T) {
	payload := []byte(strings.Repeat("django session ", 20))
	// xz: a block header declaring a 4 GiB dictionary (its CRC made right).
	x, err := xzCompress(payload)
	if err != nil {
		t.Fatal(err)
	}
	hlen := (int(x[12]) + 1) * 4
	at, ok := xzDictByte(x[12 : 12+hlen])
	if !ok {
		t.Fatal("no LZMA2 filter in our own xz output")
	}
	x[12+at] = 40
	binary.LittleEndian.PutUint32(x[12+hlen-4:], crc32.ChecksumIEEE(x[12:12+hlen-4]))
	var got serializer.Value
	n := allocated(func() { _, err = (Codec{Compressor: "lzma", Serializer: "json"}).Decode(x) })
	if n > 64<<20 {
		t.Errorf("xz with a 4 GiB dictionary: allocated %d bytes", n)
	}
	// The stream is otherwise valid: it inflates, and the payload is not JSON.
	out, ok, derr := xzDecompress(x, DefaultMaxSize)
	if !ok || derr != nil || !bytes.Equal(out, payload) {
		t.Errorf("xz with a 4 GiB dictionary: ok=%v err=%v, out %q", ok, derr, out)
	}
	_ = got
	// xz chunks declaring more output than the cap fail before decoding.
	if _, err := (Codec{Compressor: "lzma", MaxSize: 100}).Decode(x); !errors.Is(err, serializer.ErrTooLarge) {
		t.Errorf("xz over a 100-byte cap: %v", err)
	}
	// zstd: a single-segment frame declaring 2^40 bytes of content.
	z := []byte{0x28, 0xb5, 0x2f, 0xfd, 0xe0, 0, 0, 0, 0, 0, 1, 0, 0, 0x09, 0, 0, 'x'}
	n = allocated(func() { _, err = (Codec{Compressor: "zstd"}).Decode(z) })
	if !errors.Is(err, serializer.ErrTooLarge) || n > 64<<20 {
		t.Errorf("zstd declaring 1 TiB: err=%v, allocated %d", err, n)
	}
	// msgpack: containers and strings declaring 4 G items.
	for _, m := range []string{"\xdd\xff\xff\xff\xff", "\xdf\xff\xff\xff\xff", "\xdb\xff\xff\xff\xff", "\xc6\xff\xff\xff\xff"} {
		n = allocated(func() { _, err = (Codec{Serializer: "msgpack"}).Decode([]byte(m)) })
		if !errors.Is(err, serializer.ErrMalformed) || n > 1<<20 {
			t.Errorf("msgpack %q: err=%v, allocated %d", m, err, n)
		}
	}
	// pickle: a FRAME declaring 2^63 bytes.
	p := []byte("\x80\x04\x95\xff\xff\xff\xff\xff\xff\xff\x7fN.")
	n = allocated(func() { _, err = (Codec{}).Decode(p) })
	if err == nil || n > 1<<20 {
		t.Errorf("pickle FRAME 2^63: err=%v, allocated %d", err, n)
	}
}

// TestTruncatedAndGarbage: every prefix of a compressed session, and
// garbage, fails with a typed error and never panics.
func TestTruncatedAndGarbage(t *testing.T) {
	v := serializer.DictOf("_auth_user_id", serializer.Str("1"), "k", serializer.Str(strings.Repeat("abc", 100)))
	for _, ser := range []string{"pickle", "json", "msgpack"} {
		for _, comp := range []string{"none", "zlib", "gzip", "lzma", "lz4", "zstd"} {
			c := Codec{Serializer: ser, Compressor: comp}
			b, err := c.Encode(v)
			if err != nil {
				t.Fatal(err)
			}
			if got, err := c.Decode(b); err != nil || !serializer.Equal(got, v) {
				t.Fatalf("%s/%s: round trip: %v", ser, comp, err)
			}
			auto := c
			auto.Compressor = "auto"
			if got, err := auto.Decode(b); err != nil || !serializer.Equal(got, v) {
				t.Fatalf("%s/auto (%s): round trip: %v", ser, comp, err)
			}
			for i := 0; i < len(b)-1; i++ {
				// A prefix may be a value of its own (one byte "x" of a
				// zlib header is msgpack 120); otherwise a typed error.
				_, err := c.Decode(b[:i])
				if err != nil && !errors.Is(err, serializer.ErrMalformed) && !errors.Is(err, serializer.ErrUnsupported) {
					t.Fatalf("%s/%s: %d of %d bytes: err = %v", ser, comp, i, len(b), err)
				}
			}
			for i := 0; i < 200; i++ {
				g := bytes.Repeat([]byte{byte(i), byte(i * 7), byte(i * 13)}, i%50)
				if _, err := c.Decode(g); err == nil && len(bytes.TrimSpace(g)) > 0 && !isDigits(g) {
					t.Logf("%s/%s: garbage %q decodes", ser, comp, g)
				}
			}
		}
	}
}

func isDigits(b []byte) bool {
	_, ok := parsePyInt(b)
	return ok
}

// TestGzipErrors: django-redis 6's GzipCompressor catches only
// BadGzipFile; truncated gzip (EOFError) and corrupt deflate data
// (zlib.error) are errors, a bad magic or CRC means "not compressed".
func TestGzipErrors(t *testing.T) {
	b, _ := gzipCompress([]byte(strings.Repeat("x", 100)))
	if _, ok, err := gzipDecompress(b[:len(b)-3], 1<<20); ok || !errors.Is(err, serializer.ErrMalformed) {
		t.Errorf("truncated: ok=%v err=%v", ok, err)
	}
	bad := append([]byte(nil), b...)
	bad[len(bad)-8] ^= 1 // CRC
	if _, ok, err := gzipDecompress(bad, 1<<20); ok || err != nil {
		t.Errorf("bad CRC: ok=%v err=%v, want not compressed", ok, err)
	}
	if _, ok, err := gzipDecompress([]byte("\x80\x04N."), 1<<20); ok || err != nil {
		t.Errorf("a pickle: ok=%v err=%v, want not compressed", ok, err)
	}
	two := append(append(append([]byte(nil), b...), 0, 0, 0), b...)
	if out, ok, err := gzipDecompress(two, 1<<20); !ok || err != nil || len(out) != 200 {
		t.Errorf("two members with zero padding: ok=%v err=%v len=%d", ok, err, len(out))
	}
	if out, ok, err := gzipDecompress(nil, 1<<20); !ok || err != nil || len(out) != 0 {
		t.Errorf("empty: ok=%v err=%v", ok, err)
	}
}

// TestConfigErrors: bad configurations are ErrUnsupported.
func TestConfigErrors(t *testing.T) {
	for _, c := range []Codec{
		{Serializer: "yaml"}, {Compressor: "brotli"}, {Client: Django, Serializer: "json"},
		{Client: Django, Compressor: "zlib"}, {Client: 7}, {PickleProtocol: 1}, {PickleProtocol: 6},
	} {
		if _, err := c.Encode(serializer.Str("x")); !errors.Is(err, serializer.ErrUnsupported) {
			t.Errorf("%+v: Encode err = %v", c, err)
		}
	}
	if _, err := (Codec{Compressor: "auto"}).Encode(serializer.Str("x")); !errors.Is(err, serializer.ErrUnsupported) {
		t.Errorf("auto on Encode: %v", err)
	}
	if _, err := (Codec{Serializer: "msgpack"}).Encode(serializer.Set{}); !errors.Is(err, serializer.ErrUnsupported) {
		t.Errorf("msgpack set: %v", err)
	}
	if _, err := (Codec{Serializer: "json"}).Encode(serializer.Bytes("x")); !errors.Is(err, serializer.ErrUnsupported) {
		t.Errorf("json bytes: %v", err)
	}
}
