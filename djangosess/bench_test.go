package djangosess

import (
	"bytes"
	"compress/zlib"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/djangosess/djangosess/internal/zlibx"
	"github.com/djangosess/djangosess/serializer"
	"github.com/djangosess/djangosess/signing"
)

// typicalSession is a logged-in session with a small cart, compressed,
// as Django 3.2's SessionStore.encode wrote it (bench/django_bench.py typical).
func typicalSession(tb testing.TB) string {
	tb.Helper()
	return readSession(tb, "testdata/typical_session.txt")
}

func readSession(tb testing.TB, path string) string {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

func BenchmarkCodecDecode(b *testing.B) {
	data := typicalSession(b)
	c := mustCodec(b, CodecConfig{})
	if _, err := c.Decode(data); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := c.Decode(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCodecDecodePickle decodes the same session written by Django
// 3.2 with PickleSerializer (bench/django_bench.py --serializer=pickle typical).
func BenchmarkCodecDecodePickle(b *testing.B) {
	data := readSession(b, "testdata/typical_session_pickle.txt")
	c := mustCodec(b, CodecConfig{Serializer: serializer.Pickle{}})
	if _, err := c.Decode(data); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Decode(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCodecEncode(b *testing.B) {
	c := mustCodec(b, CodecConfig{})
	d, err := c.Decode(typicalSession(b))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.EncodeAt(d, 1700000000); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeParts measures the parts no decoder can skip, each alone
// and on the same bytes as BenchmarkCodecDecode: the HMAC over the signed
// part, base64 of the payload, inflating it, and parsing the JSON. Their
// sum is the floor the codec is compared with (bench/compare.py). Each
// part is done by the fastest code the module has for it, the code the
// codec itself runs (signing.SaltedMAC and signing.B64DecodeAppend take
// the same paths as the signer: SHA extensions, 8-character base64 steps).
func BenchmarkDecodeParts(b *testing.B) {
	p := newDecodeParts(b)
	b.Run("hmac", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			p.sum = p.mac.AppendSum(p.sum[:0], p.signed)
		}
	})
	b.Run("base64", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var err error
			if p.dec, err = signing.B64DecodeAppend(p.dec[:0], p.payload); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("inflate", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := zlibx.Inflate(p.inflated[:0], p.z, 1<<20); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := (serializer.JSON{}).Unmarshal(p.raw); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkDecodePartsChained runs the four parts of BenchmarkDecodeParts
// one after another in one loop: what a decode costs without its glue
// (finding the separators, the timestamp, comparing the signature, the
// pools), but with its parts sharing the caches and branch predictors as
// they do in a decode.
func BenchmarkDecodePartsChained(b *testing.B) {
	p := newDecodeParts(b)
	b.ReportAllocs()
	for b.Loop() {
		p.sum = p.mac.AppendSum(p.sum[:0], p.signed)
		var err error
		if p.dec, err = signing.B64DecodeAppend(p.dec[:0], p.payload); err != nil {
			b.Fatal(err)
		}
		if _, err := zlibx.Inflate(p.inflated[:0], p.z, 1<<20); err != nil {
			b.Fatal(err)
		}
		if _, err := (serializer.JSON{}).Unmarshal(p.raw); err != nil {
			b.Fatal(err)
		}
	}
}

// decodeParts holds the inputs of the parts of a decode of the typical
// session, and their outputs' buffers. The benchmarks call the parts
// directly, as the codec does, with nothing in between.
type decodeParts struct {
	mac                *signing.SaltedMAC
	signed             []byte
	payload            string // base64, without the "." flag
	z, raw             []byte
	sum, dec, inflated []byte
}

func newDecodeParts(b *testing.B) *decodeParts {
	data := typicalSession(b)
	signed := data[:strings.LastIndexByte(data, ':')]
	payload := signed[1:strings.IndexByte(signed, ':')] // without the "." flag
	z, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		b.Fatal(err)
	}
	zr, err := zlib.NewReader(bytes.NewReader(z))
	if err != nil {
		b.Fatal(err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		b.Fatal(err)
	}
	m, err := signing.NewSaltedMAC("django.contrib.sessions.SessionStoresigner", []byte(docSecret), "sha256")
	if err != nil {
		b.Fatal(err)
	}
	return &decodeParts{
		mac: m, signed: []byte(signed), payload: payload, z: z, raw: raw,
		sum:      make([]byte, 0, sha256.Size),
		dec:      make([]byte, 0, base64.RawURLEncoding.DecodedLen(len(payload))+8),
		inflated: make([]byte, 0, len(raw)+512),
	}
}

// BenchmarkEncodeParts measures the parts of an encode alone, on the
// typical session: its JSON written, deflated (reporting the compressed
// size, as bench/c_parts.sh compares it with C zlib's and libdeflate's)
// and base64 of the compressed bytes. The HMAC is the same as a decode's
// (BenchmarkDecodeParts/hmac).
func BenchmarkEncodeParts(b *testing.B) {
	data := typicalSession(b)
	c := mustCodec(b, CodecConfig{})
	d, err := c.Decode(data)
	if err != nil {
		b.Fatal(err)
	}
	raw, err := (serializer.JSON{}).Marshal(d)
	if err != nil {
		b.Fatal(err)
	}
	z := zlibx.Deflate(nil, raw)

	b.Run("json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := (serializer.JSON{}).Marshal(d); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("deflate", func(b *testing.B) {
		dst := make([]byte, 0, 2*len(raw)+64)
		b.ReportAllocs()
		for b.Loop() {
			dst = zlibx.Deflate(dst[:0], raw)
		}
		b.ReportMetric(float64(len(dst)), "zbytes")
	})
	b.Run("base64", func(b *testing.B) {
		dst := make([]byte, base64.RawURLEncoding.EncodedLen(len(z)))
		b.ReportAllocs()
		for b.Loop() {
			base64.RawURLEncoding.Encode(dst, z)
		}
	})
}

// BenchmarkStdlibInflate is compress/zlib inflating the same stream, for
// comparison with the internal/zlibx inflater the codec uses.
func BenchmarkStdlibInflate(b *testing.B) {
	data := typicalSession(b)
	z, err := base64.RawURLEncoding.DecodeString(data[1:strings.IndexByte(data, ':')])
	if err != nil {
		b.Fatal(err)
	}
	br := bytes.NewReader(z)
	zr, err := zlib.NewReader(br)
	if err != nil {
		b.Fatal(err)
	}
	dst := make([]byte, 0, 1024)
	b.ReportAllocs()
	for b.Loop() {
		br.Reset(z)
		if err := zr.(zlib.Resetter).Reset(br, nil); err != nil {
			b.Fatal(err)
		}
		buf := bytes.NewBuffer(dst[:0])
		if _, err := buf.ReadFrom(zr); err != nil {
			b.Fatal(err)
		}
	}
}
