package signing

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"math/rand/v2"
	"testing"
)

func needSHANI(t testing.TB) {
	t.Helper()
	if !haveSHANI {
		t.Skip("the CPU has no SHA extensions (or this is a purego build): crypto/hmac is used")
	}
}

// sha256NI hashes p with sha256BlocksNI and the padding of FIPS 180-4
// section 5.1.1.
func sha256NI(p []byte) [32]byte {
	st := sha256IV
	whole := len(p) &^ 63
	sha256BlocksNI(&st, p[:whole])
	tail := append(append([]byte(nil), p[whole:]...), 0x80)
	for len(tail)%64 != 56 {
		tail = append(tail, 0)
	}
	tail = binary.BigEndian.AppendUint64(tail, uint64(len(p))*8)
	sha256BlocksNI(&st, tail)
	var out [32]byte
	for i, v := range st {
		binary.BigEndian.PutUint32(out[4*i:], v)
	}
	return out
}

// TestSHA256BlocksNI checks the compression function against crypto/sha256
// on every length up to 300 bytes (one to six blocks, every padding case)
// and on a long input, at every alignment of the first few bytes.
func TestSHA256BlocksNI(t *testing.T) {
	needSHANI(t)
	r := rand.New(rand.NewPCG(5, 6))
	data := make([]byte, 4096+8)
	for i := range data {
		data[i] = byte(r.Uint32())
	}
	for off := range 8 {
		for n := 0; n <= 300; n++ {
			p := data[off : off+n]
			if got, want := sha256NI(p), sha256.Sum256(p); got != want {
				t.Fatalf("offset %d, %d bytes: %x, want %x", off, n, got, want)
			}
		}
		p := data[off : off+4096]
		if got, want := sha256NI(p), sha256.Sum256(p); got != want {
			t.Fatalf("offset %d, 4096 bytes: %x, want %x", off, got, want)
		}
	}
	// A block left alone: an empty p changes nothing.
	st := sha256IV
	sha256BlocksNI(&st, data[:63])
	if st != sha256IV {
		t.Fatalf("63 bytes changed the state: %x", st)
	}
}

func hmacStd(key []byte, a, b, c string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(a + b + c))
	return m.Sum(nil)
}

// TestHMACSHA256NI checks hmacSHA256NI against crypto/hmac for keys of
// every length around the block size (longer ones are hashed first) and
// messages up to 200 bytes split into three parts at every pair of points
// (each part's bytes may complete a block left by the one before).
func TestHMACSHA256NI(t *testing.T) {
	needSHANI(t)
	r := rand.New(rand.NewPCG(7, 8))
	buf := make([]byte, 300)
	for i := range buf {
		buf[i] = byte(r.Uint32())
	}
	for _, kl := range []int{0, 1, 31, 32, 55, 63, 64, 65, 100, 200} {
		key := buf[100 : 100+kl]
		h := newHMACSHA256NI(key)
		for n := 0; n <= 200; n++ {
			msg := string(buf[:n])
			for i := 0; i <= n; i += 1 + n/16 {
				for j := i; j <= n; j += 1 + n/16 {
					var got [32]byte
					h.mac(&got, msg[:i], msg[i:j], msg[j:])
					if want := hmacStd(key, msg[:i], msg[i:j], msg[j:]); !bytes.Equal(got[:], want) {
						t.Fatalf("key %d bytes, message %d bytes split at %d, %d: %x, want %x", kl, n, i, j, got, want)
					}
				}
			}
		}
	}
}

func FuzzHMACSHA256NI(f *testing.F) {
	f.Add([]byte("key"), "value", ":", "1xWL8B")
	f.Add(bytes.Repeat([]byte{1}, 65), string(bytes.Repeat([]byte{2}, 119)), "", "x")
	f.Fuzz(func(t *testing.T, key []byte, a, b, c string) {
		needSHANI(t)
		var got [32]byte
		newHMACSHA256NI(key).mac(&got, a, b, c)
		if want := hmacStd(key, a, b, c); !bytes.Equal(got[:], want) {
			t.Fatalf("HMAC(%x, %q+%q+%q) = %x, want %x", key, a, b, c, got, want)
		}
	})
}

// TestSignerWithoutSHANI signs and verifies with the crypto/hmac path that
// CPUs without the SHA extensions take, and requires the same signatures
// as the path this CPU takes.
func TestSignerWithoutSHANI(t *testing.T) {
	needSHANI(t)
	cfg := Config{Key: []byte("test-secret-key-0123456789"), Algorithm: "sha256"}
	fast, err := NewSigner(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if fast.c.cands[0].ni == nil {
		t.Fatal("sha256 signer does not use the SHA extensions")
	}
	haveSHANI = false
	slow, err := NewSigner(cfg)
	haveSHANI = true
	if err != nil {
		t.Fatal(err)
	}
	if slow.c.cands[0].ni != nil {
		t.Fatal("signer uses the SHA extensions when told not to")
	}
	r := rand.New(rand.NewPCG(9, 10))
	for n := range 300 {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('a' + r.IntN(26))
		}
		v := string(b)
		s := fast.Sign(v)
		if s2 := slow.Sign(v); s2 != s {
			t.Fatalf("Sign(%q) = %q with the SHA extensions, %q without", v, s, s2)
		}
		if got, err := slow.Unsign(s); err != nil || got != v {
			t.Fatalf("Unsign(%q) without the SHA extensions = %q, %v", s, got, err)
		}
	}
}
