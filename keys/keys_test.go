package keys

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestGenerate(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		k, err := Generate()
		if err != nil {
			t.Fatal(err)
		}
		if len(k) != Length {
			t.Fatalf("len(%q) = %d", k, len(k))
		}
		if err := ValidateFileKey(k); err != nil {
			t.Fatalf("generated key %q fails validation: %v", k, err)
		}
		if seen[k] {
			t.Fatalf("duplicate key %q", k)
		}
		seen[k] = true
	}
}

// Bytes 252..255 would bias the draw towards the first four characters;
// they must be skipped, not folded.
func TestGenerateRejectsBiasedBytes(t *testing.T) {
	src := append(bytes.Repeat([]byte{255, 252}, 20), bytes.Repeat([]byte{0, 35, 36, 251}, 20)...)
	k, err := generate(bytes.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	// 0 → 'a', 35 → '9', 36 → 'a' (36 % 36), 251 → 251 % 36 = 35 → '9'
	want := strings.Repeat("a9a9", 8)
	if k != want {
		t.Fatalf("generate = %q, want %q", k, want)
	}
}

func TestGenerateUniform(t *testing.T) {
	counts := map[rune]int{}
	const n = 2000
	for range n {
		k, err := Generate()
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range k {
			counts[c]++
		}
	}
	// 64000 draws over 36 symbols: each expected 1777.8; a chi-square over
	// 35 degrees of freedom above 80 has probability < 1e-5.
	exp := float64(n*Length) / 36
	chi := 0.0
	for _, c := range ValidChars {
		d := float64(counts[c]) - exp
		chi += d * d / exp
	}
	if chi > 80 {
		t.Fatalf("chi-square %.1f: distribution not uniform: %v", chi, counts)
	}
}

func TestGenerateReadError(t *testing.T) {
	_, err := generate(io.LimitReader(bytes.NewReader(nil), 0))
	if err == nil {
		t.Fatal("no error from an empty random source")
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		key      string
		ok, file bool
	}{
		{"", false, false},
		{"abcdefg", false, false}, // 7: Django sets the key to None
		{"abcdefgh", true, true},  // 8: the shortest Django keeps
		{strings.Repeat("a", 40), true, true},
		{strings.Repeat("a", 41), false, false},
		{"ABCDEFGH", true, false}, // Django's base class keeps it; the file backend refuses
		{"../../etc/passwd", true, false},
		{"abcdefgh/", true, false},
		{"abcdefgh\x00", true, false},
		{"abcdéfgh", true, false},
	} {
		if err := Validate(tc.key); (err == nil) != tc.ok {
			t.Errorf("Validate(%q) = %v, want ok=%v", tc.key, err, tc.ok)
		} else if err != nil && !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Validate(%q) error %v is not ErrInvalidKey", tc.key, err)
		}
		if err := ValidateFileKey(tc.key); (err == nil) != tc.file {
			t.Errorf("ValidateFileKey(%q) = %v, want ok=%v", tc.key, err, tc.file)
		}
	}
}

// The expected keys are what Django's default KEY_FUNCTION makes
// (django-formats.md §7.2, §9).
func TestCacheKeys(t *testing.T) {
	const k = "abcdefghijklmnopqrstuvwxyz012345"
	for _, tc := range []struct{ got, want string }{
		{SessionCacheKey("", 1, k), ":1:django.contrib.sessions.cache" + k},
		{CachedDBCacheKey("", 1, k), ":1:django.contrib.sessions.cached_db" + k},
		{SessionCacheKey("myprefix", 2, k), "myprefix:2:django.contrib.sessions.cache" + k},
		{CacheKey("", 1, "x"), ":1:x"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

func TestFileName(t *testing.T) {
	const k = "abcdefghijklmnopqrstuvwxyz012345"
	if n, err := FileName("", k); err != nil || n != "sessionid"+k {
		t.Fatalf("FileName default = %q, %v", n, err)
	}
	if n, err := FileName("mysess", k); err != nil || n != "mysess"+k {
		t.Fatalf("FileName custom = %q, %v", n, err)
	}
	for _, bad := range []struct{ cookie, key string }{
		{"sessionid", "../" + k},
		{"sessionid", strings.ToUpper(k)},
		{"a/b", k},
		{"..", k},
	} {
		if _, err := FileName(bad.cookie, bad.key); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("FileName(%q, %q) error = %v, want ErrInvalidKey", bad.cookie, bad.key, err)
		}
	}
}
