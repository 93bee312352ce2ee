package files

import (
	"os"
	"testing"
	"time"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/serializer"
)

// benchSession is a typical logged-in session with a little state.
func benchSession() *serializer.Dict {
	return serializer.DictOf(
		"_auth_user_id", serializer.Str("12345"),
		"_auth_user_backend", serializer.Str("django.contrib.auth.backends.ModelBackend"),
		"_auth_user_hash", serializer.Str("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"),
		"cart", serializer.List{serializer.Int(1), serializer.Int(2), serializer.Int(3)},
		"_language", serializer.Str("en"),
	)
}

// BenchmarkLoad compares Store.Load with the bare work it wraps: reading
// the file and decoding it.
func BenchmarkLoad(b *testing.B) {
	for _, ser := range []serializer.Codec{serializer.JSON{}, serializer.Pickle{}} {
		s := newStore(b, Config{Codec: testCodec(b, ser)})
		key := mustKey(b)
		if err := s.Create(ctx, key, djangosess.Record{Data: benchSession()}); err != nil {
			b.Fatal(err)
		}
		path, _ := s.Path(key)
		b.Run(ser.Name()+"/Store.Load", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.Load(ctx, key); err != nil {
					b.Fatal(err)
				}
			}
		})
		// Both, alternating in one loop, so that a busy machine slows
		// them alike: the ratio is Load's cost over the bare work.
		b.Run(ser.Name()+"/Interleaved", func(b *testing.B) {
			var load, bare time.Duration
			for b.Loop() {
				t0 := time.Now()
				if _, err := s.Load(ctx, key); err != nil {
					b.Fatal(err)
				}
				t1 := time.Now()
				data, err := os.ReadFile(path)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := s.codec.DecodeInfo(string(data)); err != nil {
					b.Fatal(err)
				}
				t2 := time.Now()
				load += t1.Sub(t0)
				bare += t2.Sub(t1)
			}
			b.ReportMetric(float64(load.Nanoseconds())/float64(b.N), "load-ns/op")
			b.ReportMetric(float64(bare.Nanoseconds())/float64(b.N), "bare-ns/op")
			b.ReportMetric(float64(load)/float64(bare), "load/bare")
		})
		b.Run(ser.Name()+"/ReadFile+Decode", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				data, err := os.ReadFile(path)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := s.codec.DecodeInfo(string(data)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSave is one Save: encode, temporary file, fsync, rename.
func BenchmarkSave(b *testing.B) {
	s := newStore(b, Config{})
	key := mustKey(b)
	if err := s.Create(ctx, key, djangosess.Record{Data: benchSession()}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Save(ctx, key, djangosess.Record{Data: benchSession()}); err != nil {
			b.Fatal(err)
		}
	}
}
