package storetest_test

import (
	"testing"
	"time"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/files"
	"github.com/djangosess/djangosess/djangosess/storetest"
)

// A store's conformance test: here the file store, each subtest in its
// own directory.
func ExampleRun() {
	_ = func(t *testing.T) {
		storetest.Run(t, storetest.Config{
			New: func(t *testing.T) djangosess.Store {
				codec, err := djangosess.NewCodec(djangosess.CodecConfig{SecretKey: []byte("k")})
				if err != nil {
					t.Fatal(err)
				}
				s, err := files.New(files.Config{Dir: t.TempDir(), Codec: codec})
				if err != nil {
					t.Fatal(err)
				}
				return s
			},
			Precision: time.Second,
		})
	}
}
