package serializer

import (
	"math/bits"
	"math/rand/v2"
	"strings"
	"testing"
)

// The word-at-a-time scan of strings must agree with its byte table for
// every byte value at every position, whatever the bytes after it.
func TestSWARScanMatchesByteTable(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for c := range 256 {
		for p := range 8 {
			for trial := range 64 {
				var w [8]byte
				for i := range w {
					w[i] = 'a'
					if trial > 0 && i > p {
						w[i] = byte(rng.IntN(256)) // after p: anything
					}
				}
				w[p] = byte(c)
				s := string(w[:])
				firstSpecial := 8
				for i := 7; i >= 0; i-- {
					if !jsonStrPlain[s[i]] {
						firstSpecial = i
					}
				}
				if got := bits.TrailingZeros64(jsonSpecial8(jsonLoad8(s, 0))) / 8; got != firstSpecial {
					t.Fatalf("jsonSpecial8(%q): first special byte at %d, want %d", s, got, firstSpecial)
				}
			}
		}
	}
}

func TestPlainASCII(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	alphabet := "abc\"\\\x00\x1f\x7f\x80\xff ~"
	for range 20000 {
		n := rng.IntN(40)
		var b strings.Builder
		for range n {
			if rng.IntN(8) == 0 {
				b.WriteByte(alphabet[rng.IntN(len(alphabet))])
			} else {
				b.WriteByte(byte(0x20 + rng.IntN(0x5F)))
			}
		}
		s := b.String()
		plain := true
		for i := range len(s) {
			plain = plain && jsonStrPlain[s[i]]
		}
		if got := plainASCII(s); got != plain {
			t.Fatalf("plainASCII(%q) = %v, want %v", s, got, plain)
		}
	}
}

// jsonSafeRun, eight bytes at a time, stops where the encoder's byte table
// does: at every byte value, at every position of inputs of every length
// up to 24, whatever the bytes after it.
func TestJSONSafeRunMatchesByteTable(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for c := range 256 {
		for n := 1; n <= 24; n++ {
			for trial := range 8 {
				b := make([]byte, n)
				p := rng.IntN(n)
				for i := range b {
					b[i] = byte(0x20 + rng.IntN(0x5F)) // mostly safe
					if trial > 0 && i > p {
						b[i] = byte(rng.IntN(256)) // after p: anything
					}
				}
				b[p] = byte(c)
				s := string(b)
				for from := 0; from <= n; from++ {
					want := from
					for want < n && jsonSafe[s[want]] {
						want++
					}
					if got := jsonSafeRun(s, from); got != want {
						t.Fatalf("jsonSafeRun(%q, %d) = %d, want %d", s, from, got, want)
					}
				}
			}
		}
	}
}
