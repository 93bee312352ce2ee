package signing

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// Names salted_hmac rejects: not hashlib attributes (sha512_224 is only
// reachable through hashlib.new), not hashes HMAC can use with a default
// size (shake_*), or hashlib functions that are not hashes.
var badAlgorithms = []string{"", "SHA256", "sha-256", "sha512_224", "sha512_256", "ripemd160", "md5-sha1", "sm3", "shake_128", "shake_256", "new", "pbkdf2_hmac", "sha256 "}

func TestAlgorithms(t *testing.T) {
	want := []string{"blake2b", "blake2s", "md5", "sha1", "sha224", "sha256", "sha384", "sha3_224", "sha3_256", "sha3_384", "sha3_512", "sha512"}
	if got := Algorithms(); !slices.Equal(got, want) {
		t.Fatalf("Algorithms() = %q, want %q", got, want)
	}
	for _, name := range badAlgorithms {
		if _, err := SaltedHMAC("s", nil, []byte("k"), name); !errors.Is(err, ErrInvalidAlgorithm) {
			t.Errorf("SaltedHMAC(algorithm %q): %v, want ErrInvalidAlgorithm", name, err)
		}
		if _, err := NewSigner(Config{Key: []byte("k"), Algorithm: name}); name != "" && !errors.Is(err, ErrInvalidAlgorithm) {
			t.Errorf("NewSigner(Algorithm %q): %v, want ErrInvalidAlgorithm", name, err)
		}
		if _, err := NewSigner(Config{Key: []byte("k"), LegacyAlgorithms: []string{name}}); !errors.Is(err, ErrInvalidAlgorithm) {
			t.Errorf("NewSigner(LegacyAlgorithms %q): %v, want ErrInvalidAlgorithm", name, err)
		}
	}
}

// TestSaltedHMACMatchesDjango computes salted_hmac for every algorithm
// (and the rejected names) over random salts, secrets and messages, with
// every Django version.
func TestSaltedHMACMatchesDjango(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	type tc struct {
		salt       string
		value, key []byte
		alg        string
	}
	var cases []tc
	names := append(Algorithms(), badAlgorithms[1:]...)
	for _, alg := range names {
		for range 6 {
			// Lengths around the block sizes (64, 72, 104, 128, 136, 144)
			// exercise the key handling of HMAC.
			cases = append(cases, tc{
				salt:  randString(r, r.IntN(20)),
				value: randBytes(r, r.IntN(300)),
				key:   randBytes(r, 1+r.IntN(200)),
				alg:   alg,
			})
		}
	}
	for _, d := range djangos(t) {
		ops := make([]op, len(cases))
		for i, c := range cases {
			ops[i] = op{"op": "hmac", "salt": c.salt, "b64in": base64.StdEncoding.EncodeToString(c.value),
				"key": base64.StdEncoding.EncodeToString(c.key), "algorithm": c.alg}
		}
		res := d.oracle(t, ops)
		for i, c := range cases {
			got, err := SaltedHMAC(c.salt, c.value, c.key, c.alg)
			if res[i].Err != "" {
				if !errors.Is(err, ErrInvalidAlgorithm) {
					t.Errorf("Django %s: SaltedHMAC(%q): %x, %v; Django raises %s", d.name, c.alg, got, err, res[i].Err)
				}
				continue
			}
			if err != nil || hex.EncodeToString(got) != res[i].str(t) {
				t.Errorf("Django %s: SaltedHMAC(%q, %q, %x, %q) = %x, %v; Django gives %s", d.name, c.salt, c.value, c.key, c.alg, got, err, res[i].OK)
			}
		}
	}
}

// randString returns n random runes: ASCII, Latin-1, BMP and astral.
func randString(r *rand.Rand, n int) string {
	rs := make([]rune, n)
	for i := range rs {
		switch r.IntN(4) {
		case 0:
			rs[i] = rune(0x20 + r.IntN(0x5f))
		case 1:
			rs[i] = rune(0xa0 + r.IntN(0x60))
		case 2:
			rs[i] = rune(0x100 + r.IntN(0xd700)) // below the surrogates
		default:
			rs[i] = rune(0x10000 + r.IntN(0x1000))
		}
	}
	return string(rs)
}

func randBytes(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func TestSaltedMACIsSaltedHMAC(t *testing.T) {
	for _, alg := range []string{"sha1", "sha256", "sha512", "md5"} {
		m, err := NewSaltedMAC("some.salt", []byte("secret"), alg)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range []string{"", "pbkdf2_sha256$260000$x$y", strings.Repeat("v", 300)} {
			want, _ := SaltedHMAC("some.salt", []byte(v), []byte("secret"), alg)
			if got := m.Sum([]byte(v)); !bytes.Equal(got, want) {
				t.Errorf("%s %q: %x, SaltedHMAC gives %x", alg, v, got, want)
			}
			prefix := []byte("keep")
			if got := m.AppendSum(prefix, []byte(v)); !bytes.Equal(got, append([]byte("keep"), want...)) {
				t.Errorf("%s %q: AppendSum gives %x, want keep + %x", alg, v, got, want)
			}
		}
	}
	if _, err := NewSaltedMAC("s", []byte("k"), "crc32"); !errors.Is(err, ErrInvalidAlgorithm) {
		t.Errorf("unknown algorithm: %v", err)
	}
}
