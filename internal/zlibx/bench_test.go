package zlibx

import (
	"bytes"
	"compress/zlib"
	"encoding/hex"
	"io"
	"testing"
)

// sessionStream is sessionJSON (282 bytes) compressed by C zlib 1.2.13 at
// the default level, as Django's signing.dumps(compress=True) does. It was
// generated once with:
//
//	/usr/bin/python3 -c 'import zlib; print(zlib.compress(SESSION_JSON).hex())'
//
// where SESSION_JSON is the bytes of sessionJSON. It is one dynamic block.
const sessionStream = "789c558e316f83301046ffcbcdc4b20f83315b2375ec1229535421fb6c0a4d0bad6d8608f1df6ba4446dd7efbd7bba153ab3a4a15ba20fdde8a00501c5dfcd1abafa6907eedd4c6f33a3794a61b46c57d89d46f6323bff71bcbbff02838943be46a784a8255a85b5e5527251a322a3fb9c28b1afa8a94ade5ba17949249de58855a384d2288c6c9afd2b322141bbc298fc6784f6b242bc2e39fd74d8e977ba418b057c85917c5e35d31ab6e2211d0fea21895f0925ab386caf39be84e027ca189ecf27d8b61f4c065651"

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

func TestSessionStream(t *testing.T) {
	got, err := Inflate(nil, mustHex(sessionStream), 1<<20)
	if err != nil || string(got) != sessionJSON {
		t.Fatalf("Inflate(sessionStream) = %q, %v", got, err)
	}
}

func BenchmarkInflate(b *testing.B) {
	z := mustHex(sessionStream)
	b.Run("zlibx", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(sessionJSON)))
		for b.Loop() {
			if _, err := Inflate(nil, z, 1<<20); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("zlibx-reuse", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(sessionJSON)))
		buf := make([]byte, 0, 1024)
		for b.Loop() {
			if _, err := Inflate(buf, z, 1<<20); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("compress-zlib", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(sessionJSON)))
		var src bytes.Reader
		src.Reset(z)
		zr, err := zlib.NewReader(&src)
		if err != nil {
			b.Fatal(err)
		}
		out := make([]byte, 0, 1024)
		for b.Loop() {
			src.Reset(z)
			if err := zr.(zlib.Resetter).Reset(&src, nil); err != nil {
				b.Fatal(err)
			}
			w := bytes.NewBuffer(out[:0])
			if _, err := io.Copy(w, zr); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkDeflate(b *testing.B) {
	in := []byte(sessionJSON)
	b.Run("zlibx", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(in)))
		for b.Loop() {
			Deflate(nil, in)
		}
	})
	b.Run("zlibx-reuse", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(in)))
		buf := make([]byte, 0, 1024)
		for b.Loop() {
			Deflate(buf, in)
		}
	})
	b.Run("compress-zlib", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(in)))
		var out bytes.Buffer
		zw := zlib.NewWriter(&out)
		for b.Loop() {
			out.Reset()
			zw.Reset(&out)
			zw.Write(in)
			zw.Close()
		}
	})
}

func BenchmarkAdler32(b *testing.B) {
	in := []byte(sessionJSON)
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		adler32(in)
	}
}

// BenchmarkDynamicHeader reads the header of sessionStream's dynamic block
// and builds its three tables: on a session this size, about half of what
// Inflate does.
func BenchmarkDynamicHeader(b *testing.B) {
	z := mustHex(sessionStream)
	d := new(decoder)
	d.lit.entries, d.dist.entries, d.codeLen.entries = d.litEntries[:], d.distEntries[:], d.codeEntries[:]
	for b.Loop() {
		f := inflater{src: z, ip: 2}
		if f.take(3) != 5 {
			b.Fatal("not a final dynamic block")
		}
		if err := f.dynamic(d); err != nil {
			b.Fatal(err)
		}
	}
}
