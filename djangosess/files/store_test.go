package files

import (
	"testing"
	"time"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/storetest"
	"github.com/djangosess/djangosess/serializer"
)

const testSecret = "test-secret-key-0123456789" // testdata/djangoops.py's SECRET_KEY

func testCodec(tb testing.TB, ser serializer.Codec) *djangosess.Codec {
	tb.Helper()
	c, err := djangosess.NewCodec(djangosess.CodecConfig{SecretKey: []byte(testSecret), Serializer: ser})
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// newStore is a Store on a fresh directory.
func newStore(tb testing.TB, cfg Config) *Store {
	tb.Helper()
	if cfg.Dir == "" {
		cfg.Dir = tb.TempDir()
	}
	if cfg.Codec == nil {
		cfg.Codec = testCodec(tb, nil)
	}
	s, err := New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) {
	for _, tc := range []struct {
		name string
		ser  serializer.Codec
	}{{"json", serializer.JSON{}}, {"pickle", serializer.Pickle{}}} {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Run(t, storetest.Config{
				New: func(t *testing.T) djangosess.Store {
					return newStore(t, Config{Codec: testCodec(t, tc.ser)})
				},
				// Modification times have a nanosecond resolution on
				// Linux file systems; a second covers the coarsest
				// ones (HFS+, ext3).
				Precision: time.Second,
				Pickle:    tc.name == "pickle",
			})
		})
	}
}

// The suite again with a clock far from the real one: every expiry must
// come from the store's clock and the modification times it sets, never
// from the file system's idea of now.
func TestConformanceInjectedClock(t *testing.T) {
	base := time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC)
	now := func() time.Time { return base }
	storetest.Run(t, storetest.Config{
		New: func(t *testing.T) djangosess.Store {
			return newStore(t, Config{Now: now, CookieAge: time.Hour})
		},
		Now:       now,
		CookieAge: time.Hour,
		Precision: time.Microsecond,
	})
}
