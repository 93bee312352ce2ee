package signing

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"hash/adler32"
	"io"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/djangosess/djangosess/internal/zlibx"
	"github.com/djangosess/djangosess/serializer"
)

func TestObjectRoundTrip(t *testing.T) {
	big := serializer.DictOf("list", serializer.List{serializer.Str(strings.Repeat("abc", 500)), serializer.Int(-5), serializer.Float(1.5), serializer.None{}, serializer.Bool(true)})
	cfg := Config{Key: []byte("k"), Now: vecClock}
	s := mustSigner(t, cfg)
	ts := mustTimestampSigner(t, cfg)
	for _, v := range []serializer.Value{vecD(), big, serializer.Str("é"), serializer.List{}, serializer.Int(0)} {
		for _, compress := range []bool{false, true} {
			a, err := s.SignObject(v, compress)
			if err != nil {
				t.Fatal(err)
			}
			b, err := ts.SignObject(v, compress)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Count(a, ":") != 1 || strings.Count(b, ":") != 2 {
				t.Errorf("format: %q, %q", a, b)
			}
			if got, err := s.UnsignObject(a); err != nil || !serializer.Equal(got, v) {
				t.Errorf("Signer round trip %v: %#v, %v", compress, got, err)
			}
			got, ver, err := ts.VerifyObjectMaxAge(b, 0)
			if err != nil || !serializer.Equal(got, v) || ver.Timestamp != vecTS {
				t.Errorf("TimestampSigner round trip %v: %#v, %+v, %v", compress, got, ver, err)
			}
			// A Signer does not read a TimestampSigner's output and vice versa.
			if _, err := s.UnsignObject(b); !isBadSignature(err) {
				t.Errorf("Signer read timestamped: %v", err)
			}
		}
	}
	// big compresses and gets the "." flag; the small ones do not.
	if a, _ := s.SignObject(big, true); a[0] != '.' {
		t.Errorf("big not compressed: %.20q", a)
	}
	if a, _ := s.SignObject(serializer.Int(0), true); a[0] == '.' {
		t.Errorf("0 compressed: %q", a)
	}
}

// TestCompressThreshold: compressed bytes are used only when they are at
// least two bytes shorter, as Django's len(c) < len(data) - 1.
func TestCompressThreshold(t *testing.T) {
	signer, err := NewSigner(Config{Key: []byte("k")})
	if err != nil {
		t.Fatal(err)
	}
	var seenEqual, seenUsed bool
	for n := 1; n < 200; n++ {
		v := serializer.Str(strings.Repeat("a", n))
		data, _ := serializer.JSON{}.Marshal(v)
		z := zlibx.Deflate(nil, data)
		p, err := signer.SignObject(v, true)
		if err != nil {
			t.Fatal(err)
		}
		used := p[0] == '.'
		if want := len(z) < len(data)-1; used != want {
			t.Fatalf("n=%d: compressed %d vs %d bytes, used %v", n, len(z), len(data), used)
		}
		seenUsed = seenUsed || used
		seenEqual = seenEqual || len(z) == len(data)-1
	}
	if !seenUsed || !seenEqual {
		t.Fatalf("threshold not exercised: used %v, len(c)==len(data)-1 %v", seenUsed, seenEqual)
	}
}

// signPayload signs an arbitrary payload string as the object methods
// would, so that the decoding path is reached.
func signPayload(s *TimestampSigner, payload string) string {
	return s.c.sign(payload, B62Encode(vecTS))
}

func zlibOf(b []byte) []byte {
	var buf bytes.Buffer
	zw := zlib.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

// TestObjectMalformed: valid signatures over payloads that do not decode.
func TestObjectMalformed(t *testing.T) {
	s := mustTimestampSigner(t, Config{Key: []byte("k"), Now: vecClock, MaxDecompressed: 100})
	good := zlibOf([]byte(`{"a":1}`))
	badSum := bytes.Clone(good)
	badSum[len(badSum)-1] ^= 1
	deep := strings.Repeat("[", 2000) + strings.Repeat("]", 2000)
	cases := []struct {
		name    string
		payload string
		want    []error
	}{
		{"empty", "", []error{ErrMalformed, serializer.ErrMalformed}},
		{"bad base64", "a", []error{ErrMalformed}},
		{"bad padding", "eyJ", []error{ErrMalformed}},
		{"not json", B64Encode([]byte("{nope")), []error{ErrMalformed, serializer.ErrMalformed}},
		{"raw utf-8 is latin-1", B64Encode([]byte(`"é"`)), nil}, // Django reads "Ã©"; not an error
		{"too deep", B64Encode([]byte(deep)), []error{ErrTooLarge, serializer.ErrTooLarge}},
		{"dot only", ".", []error{ErrMalformed}},
		{"not zlib", "." + B64Encode([]byte("not zlib at all")), []error{ErrMalformed}},
		{"truncated zlib", "." + B64Encode(good[:len(good)-5]), []error{ErrMalformed}},
		{"header only", "." + B64Encode(good[:2]), []error{ErrMalformed}},
		{"bad checksum", "." + B64Encode(badSum), []error{ErrMalformed}},
		{"preset dictionary", "." + B64Encode([]byte{0x78, 0xbb, 0, 0, 0, 1, 3, 0}), []error{ErrMalformed}},
		{"compressed bad json", "." + B64Encode(zlibOf([]byte("{,}"))), []error{ErrMalformed, serializer.ErrMalformed}},
		{"compressed bad base64", ".a", []error{ErrMalformed}},
		{"over MaxDecompressed", "." + B64Encode(zlibOf([]byte(`"`+strings.Repeat("a", 99)+`"`))), []error{ErrTooLarge}},
		{"at MaxDecompressed", "." + B64Encode(zlibOf([]byte(`"`+strings.Repeat("a", 98)+`"`))), nil},
		{"trailing bytes after the stream", "." + B64Encode(append(bytes.Clone(good), "junk"...)), nil}, // ignored, as by zlib.decompress
	}
	for _, c := range cases {
		signed := signPayload(s, c.payload)
		v, err := s.UnsignObjectMaxAge(signed, time.Hour)
		if c.want == nil {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		for _, w := range c.want {
			if !errors.Is(err, w) {
				t.Errorf("%s: %#v, %v; want %v", c.name, v, err, w)
			}
		}
		if errors.Is(err, ErrBadSignature) {
			t.Errorf("%s: %v matches ErrBadSignature", c.name, err)
		}
	}
}

func TestSignObjectUnsupported(t *testing.T) {
	s := mustSigner(t, Config{Key: []byte("k")})
	if _, err := s.SignObject(serializer.DateTime{Year: 2020, Month: 1, Day: 1}, false); !errors.Is(err, serializer.ErrUnsupported) {
		t.Errorf("datetime in JSON: %v", err)
	}
}

// zlibBomb returns a valid zlib stream that inflates to at least n zero
// bytes in a few bits per 258 bytes: one dynamic Huffman block whose
// literal/length code gives 1 bit to "length 258" and whose distance code
// is the single code "distance 1", so every 258 zeros cost 2 bits.
func zlibBomb(n int) []byte {
	var w bitWriter
	w.bytes = []byte{0x78, 0xda}
	w.bits(1, 1)  // BFINAL
	w.bits(2, 2)  // BTYPE dynamic
	w.bits(29, 5) // HLIT: 286 literal/length codes
	w.bits(0, 5)  // HDIST: 1 distance code
	w.bits(14, 4) // HCLEN: 18 code length codes
	// Code length code lengths, in the order 16 17 18 0 8 7 9 6 10 5 11 4
	// 12 3 13 2 14 1: symbol 18 gets 1 bit, 1 and 2 get 2 bits.
	for _, l := range []uint64{0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 2} {
		w.bits(l, 3)
	}
	// Canonical codes: 18 → 0, 1 → 10, 2 → 11 (Huffman codes go MSB first).
	sym1, sym2 := func() { w.code(0b10, 2) }, func() { w.code(0b11, 2) }
	zeros := func(k uint64) { w.code(0, 1); w.bits(k-11, 7) } // symbol 18
	sym2()                                                    // literal 0: length 2
	zeros(138)                                                // 1..138
	zeros(117)                                                // 139..255
	sym2()                                                    // 256 (end of block): length 2
	zeros(28)                                                 // 257..284
	sym1()                                                    // 285 (length 258): length 1
	sym1()                                                    // distance code 0: length 1
	w.code(0b10, 2)                                           // literal 0 (code 10)
	matches := (n - 1 + 257) / 258
	for range matches {
		w.code(0, 1) // length 258 (code 0)
		w.code(0, 1) // distance 1 (code 0)
	}
	w.code(0b11, 2) // end of block
	w.flush()
	total := 1 + 258*matches
	// Adler-32 of total zero bytes: a = 1, b = total mod 65521.
	return binary.BigEndian.AppendUint32(w.bytes, uint32(total%65521)<<16|1)
}

type bitWriter struct {
	bytes []byte
	acc   uint64
	n     uint
}

// bits writes v's low n bits, least significant first.
func (w *bitWriter) bits(v uint64, n uint) {
	w.acc |= v << w.n
	w.n += n
	for w.n >= 8 {
		w.bytes = append(w.bytes, byte(w.acc))
		w.acc >>= 8
		w.n -= 8
	}
}

// code writes a Huffman code of n bits, most significant first.
func (w *bitWriter) code(c uint64, n uint) {
	for i := int(n) - 1; i >= 0; i-- {
		w.bits(c>>uint(i)&1, 1)
	}
}

func (w *bitWriter) flush() {
	if w.n > 0 {
		w.bits(0, 8-w.n)
	}
}

func TestZlibBombIsValid(t *testing.T) {
	for _, n := range []int{1, 259, 100000} {
		z := zlibBomb(n)
		zr, err := zlib.NewReader(bytes.NewReader(z))
		if err != nil {
			t.Fatal(err)
		}
		out, err := io.ReadAll(zr)
		if err != nil || len(out) < n || len(out) > n+257 || bytes.ContainsFunc(out, func(r rune) bool { return r != 0 }) {
			t.Fatalf("bomb(%d): %d bytes, %v", n, len(out), err)
		}
		if adler32.Checksum(out) != binary.BigEndian.Uint32(z[len(z)-4:]) {
			t.Fatal("checksum")
		}
	}
}

var (
	bombOnce   sync.Once
	bombSigner *TimestampSigner
	bombSigned string
)

// gibBomb is a validly signed object whose payload inflates to 1 GiB.
func gibBomb(tb testing.TB) (*TimestampSigner, string) {
	bombOnce.Do(func() {
		bombSigner = mustTimestampSigner(tb, Config{Key: []byte("k"), Now: vecClock})
		bombSigned = signPayload(bombSigner, "."+B64Encode(zlibBomb(1<<30)))
	})
	return bombSigner, bombSigned
}

// TestZlibBomb: a 1 GiB bomb with a valid signature fails with ErrTooLarge
// having allocated a few MiB.
func TestZlibBomb(t *testing.T) {
	s, signed := gibBomb(t)
	if len(signed) > DefaultMaxInput {
		t.Fatalf("bomb of %d bytes is over MaxInput", len(signed))
	}
	// The stream really does inflate past the limit.
	zr, err := zlib.NewReader(bytes.NewReader(zlibBomb(1 << 30)))
	if err != nil {
		t.Fatal(err)
	}
	if n, err := io.CopyN(io.Discard, zr, 16<<20); n != 16<<20 || err != nil {
		t.Fatalf("bomb inflates to %d: %v", n, err)
	}
	s.UnsignObject(signed) // warm the pools
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err = s.UnsignObject(signed)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrTooLarge) || errors.Is(err, ErrMalformed) {
		t.Fatalf("bomb: %v, want ErrTooLarge", err)
	}
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("signed bomb %d bytes; decoding allocated %d bytes", len(signed), alloc)
	if alloc > 8<<20 {
		t.Fatalf("decoding the bomb allocated %d bytes", alloc)
	}
}
