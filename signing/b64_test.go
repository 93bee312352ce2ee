package signing

import (
	"bytes"
	"encoding/base64"
	"errors"
	"math/rand/v2"
	"slices"
	"testing"
)

// Expected values are what Python 3.11's django.core.signing.b64_decode
// returns (checked by TestB64DecodeMatchesPython as well).
var b64Cases = []struct {
	in   string
	want string // the decoded bytes
	err  bool
}{
	{in: "", want: ""},
	{in: "aGVsbG8", want: "hello"},
	{in: "aGVsbG8=", want: "hello"},
	{in: "aGVsbA", want: "hell"},
	{in: "aGVsbA==", want: "hell"},
	{in: "ImhlbGxvIg", want: `"hello"`},
	{in: "a", err: true},                // one data character left over
	{in: "aGVsb", err: true},            // 5 ≡ 1 (mod 4)
	{in: "aG!", err: true},              // '!' skipped: 2 data chars, one '=' added
	{in: "aG!!", err: true},             // no padding added, 2 left over
	{in: "aG==", want: "h"},             // explicit padding
	{in: "aG==aGVsbG8", want: "h"},      // stops after the completed group
	{in: "aG=", want: "h"},              // one '=' given plus one added
	{in: "a=G=", err: true},             // '=' after one data char is ignored
	{in: "a=G==", want: "h"},            // ...then "aG" + "==" ends the group
	{in: "aGVs\nbG8", err: true},        // 7 data chars in 8 bytes: no padding added
	{in: "aGVsbG8\n", err: true},        // the same
	{in: "aGVs\nbG8=", want: "hello"},   // the newline is skipped
	{in: "+/+/", want: "\xfb\xff\xbf"},  // the standard alphabet is accepted
	{in: "-_-_", want: "\xfb\xff\xbf"},  // the URL-safe one
	{in: "aGVs\xffbG8=", want: "hello"}, // non-ASCII bytes skipped
	{in: "====", want: ""},              // padding alone
	{in: "aGV=", want: "he"},            // 3 data chars + '='
	{in: "aGVsbG9=", want: "hello"},     // non-zero unused bits ignored
	{in: "....", want: ""},              // nothing but skipped bytes
	{in: "aGVsbG8=====", want: "hello"}, // excess padding
}

func TestB64Decode(t *testing.T) {
	for _, c := range b64Cases {
		got, err := B64Decode(c.in)
		if c.err {
			if !errors.Is(err, ErrMalformed) {
				t.Errorf("B64Decode(%q) = %q, %v; want ErrMalformed", c.in, got, err)
			}
			continue
		}
		if err != nil || string(got) != c.want {
			t.Errorf("B64Decode(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

func TestB64Encode(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", ""}, {"h", "aA"}, {"he", "aGU"}, {"hel", "aGVs"}, {`"hello"`, "ImhlbGxvIg"},
		{"\xfb\xff\xbf", "-_-_"},
	} {
		if got := B64Encode([]byte(c.in)); got != c.want {
			t.Errorf("B64Encode(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// b64Inputs returns the differential test's inputs: the table, valid
// encodings with bytes inserted, and random strings over an alphabet
// weighted towards the interesting bytes.
func b64Inputs() []string {
	var ins []string
	for _, c := range b64Cases {
		ins = append(ins, c.in)
	}
	r := rand.New(rand.NewPCG(1, 2))
	const odd = "AaZz09-_+/=== \n\r\t!.:\x00\x80\xff"
	for range 2500 {
		b := make([]byte, r.IntN(13))
		for i := range b {
			if r.IntN(3) == 0 {
				b[i] = odd[r.IntN(len(odd))]
			} else {
				b[i] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[r.IntN(64)]
			}
		}
		ins = append(ins, string(b))
	}
	for range 500 {
		raw := make([]byte, r.IntN(20))
		for i := range raw {
			raw[i] = byte(r.Uint32())
		}
		enc := []byte(base64.RawURLEncoding.EncodeToString(raw))
		if r.IntN(2) == 0 {
			enc = []byte(base64.URLEncoding.EncodeToString(raw))
		}
		for range r.IntN(3) {
			at := r.IntN(len(enc) + 1)
			enc = append(enc[:at], append([]byte{odd[r.IntN(len(odd))]}, enc[at:]...)...)
		}
		ins = append(ins, string(enc))
	}
	return ins
}

// TestB64DecodeMatchesPython runs Django's b64_decode over a few thousand
// inputs in one Python process and requires the same bytes, or an error
// exactly where Python raises.
func TestB64DecodeMatchesPython(t *testing.T) {
	testB64MatchesPython(t, "b64", B64Decode)
}

// TestB64DecodeStdMatchesPython does the same for base64.b64decode, which
// reads the legacy session format.
func TestB64DecodeStdMatchesPython(t *testing.T) {
	testB64MatchesPython(t, "b64std", B64DecodeStd)
}

func testB64MatchesPython(t *testing.T, opName string, decode func(string) ([]byte, error)) {
	d := djangos(t)[0]
	ins := b64Inputs()
	ops := make([]op, len(ins))
	for i, in := range ins {
		ops[i] = op{"op": opName, "b64in": base64.StdEncoding.EncodeToString([]byte(in))}
	}
	res := d.oracle(t, ops)
	errs := 0
	for i, in := range ins {
		got, err := decode(in)
		if res[i].Err != "" {
			errs++
			if res[i].Err != "Error" { // binascii.Error
				t.Fatalf("Python raised %s for %q", res[i].Err, in)
			}
			if !errors.Is(err, ErrMalformed) {
				t.Errorf("B64Decode(%q) = %q, %v; Python raises binascii.Error", in, got, err)
			}
			continue
		}
		want, _ := base64.StdEncoding.DecodeString(res[i].str(t))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("B64Decode(%q) = %q, %v; Python gives %q", in, got, err, want)
		}
	}
	if errs == 0 || errs == len(ins) {
		t.Fatalf("%d of %d inputs fail in Python: the inputs do not cover both outcomes", errs, len(ins))
	}
	t.Logf("%d inputs, %d rejected", len(ins), errs)
}

func FuzzB64Decode(f *testing.F) {
	for _, c := range b64Cases {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := B64Decode(s)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v does not match ErrMalformed", err)
			}
			return
		}
		if len(got) > len(s)*3/4+2 {
			t.Fatalf("B64Decode(%q) gave %d bytes", s, len(got))
		}
		// Round trip: what Python's decoder accepted re-encodes to a string
		// that decodes to the same bytes.
		again, err := B64Decode(B64Encode(got))
		if err != nil || !bytes.Equal(again, got) {
			t.Fatalf("round trip of %q: %q, %v", got, again, err)
		}
		// The fast path agrees with the lenient decoder it stands in for.
		if ref, err := b64DecodeWith(nil, s, &b64Table, true); err != nil || !bytes.Equal(ref, got) {
			t.Fatalf("B64Decode(%q) = %q, the lenient decoder gives %q, %v", s, got, ref, err)
		}
		// On canonical input the strict decoder agrees.
		if std, err := base64.RawURLEncoding.Strict().DecodeString(s); err == nil && !bytes.Equal(std, got) {
			t.Fatalf("B64Decode(%q) = %q, encoding/base64 gives %q", s, got, std)
		}
	})
}

// TestB64DecodeDataMatchesLenient checks the fast decoder against the
// lenient one (which TestB64DecodeMatchesPython checks against Python) at
// every length up to 100, in both alphabets, after a prefix it must keep,
// and with a byte outside the alphabet at every position, which it must
// leave to the lenient decoder.
func TestB64DecodeDataMatchesLenient(t *testing.T) {
	onB64Paths(t, testB64DecodeDataMatchesLenient)
}

// onB64Paths runs f on b64DecodeData's path in Go and, where the CPU has
// it, on its vector path.
func onB64Paths(t *testing.T, f func(t *testing.T)) {
	t.Run("go", func(t *testing.T) {
		defer func(v bool) { haveB64SSSE3 = v }(haveB64SSSE3)
		haveB64SSSE3 = false
		f(t)
	})
	t.Run("vector", func(t *testing.T) {
		if !haveB64SSSE3 {
			t.Skip("no SSSE3 (or a purego build): base64 decodes in Go")
		}
		f(t)
	})
}

func testB64DecodeDataMatchesLenient(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	const url = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	const std = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	prefix := []byte("keep")
	for n := 0; n <= 100; n++ {
		for _, alpha := range []string{url, std, url + std} {
			b := make([]byte, n)
			for i := range b {
				b[i] = alpha[r.IntN(len(alpha))]
			}
			s := string(b)
			want, werr := b64DecodeWith(nil, s, &b64Table, true)
			got, ok := b64DecodeData(slices.Clip(slices.Clone(prefix)), s)
			if n%4 == 1 {
				if ok || werr == nil {
					t.Fatalf("length %d: fast ok = %v, lenient err = %v; want both to refuse", n, ok, werr)
				}
				continue
			}
			if !ok || werr != nil || !bytes.Equal(got, append(slices.Clone(prefix), want...)) {
				t.Fatalf("b64DecodeData(%q) = %q, %v; the lenient decoder gives %q, %v", s, got, ok, want, werr)
			}
			for i := range n {
				for _, bad := range []byte{'=', '\n', '.', 0x80, 0} {
					c := []byte(s)
					c[i] = bad
					if out, ok := b64DecodeData(prefix, string(c)); ok || !bytes.Equal(out, prefix) {
						t.Fatalf("b64DecodeData(%q) = %q, %v; want the prefix and false", c, out, ok)
					}
				}
			}
		}
	}
}

// TestB64DecodeDataEveryByte puts every byte value at positions inside
// and after the 16-character vector chunks, on the vector path (where the
// CPU has it) and on the path in Go: only the 64 data characters of
// either alphabet may be decoded, to what the lenient decoder gives.
func TestB64DecodeDataEveryByte(t *testing.T) {
	const url = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	r := rand.New(rand.NewPCG(5, 6))
	base := make([]byte, 50) // three chunks and a tail of two
	for i := range base {
		base[i] = url[r.IntN(len(url))]
	}
	run := func(t *testing.T) {
		for c := range 256 {
			data := b64Table[c] < 64
			for _, pos := range []int{0, 5, 15, 16, 30, 47, 48, 49} {
				in := slices.Clone(base)
				in[pos] = byte(c)
				got, ok := b64DecodeData(nil, string(in))
				if ok != data {
					t.Fatalf("byte %#02x at %d: ok = %v, want %v", c, pos, ok, data)
				}
				if !ok {
					continue
				}
				want, err := b64DecodeWith(nil, string(in), &b64Table, true)
				if err != nil || !bytes.Equal(got, want) {
					t.Fatalf("byte %#02x at %d: %x, the lenient decoder gives %x, %v", c, pos, got, want, err)
				}
			}
		}
	}
	onB64Paths(t, run)
}

func TestB64EncodeMatchesStdlib(t *testing.T) {
	src := make([]byte, 200)
	for i := range src {
		src[i] = byte(i*151 + 7)
	}
	for n := 0; n <= len(src); n++ {
		for _, off := range []int{0, 1, 5} {
			if off > n {
				continue
			}
			in := src[off:n]
			want := base64.RawURLEncoding.EncodeToString(in)
			got := make([]byte, len(want))
			b64Encode(got, in)
			if string(got) != want {
				t.Fatalf("b64Encode(%x) = %q, want %q", in, got, want)
			}
		}
	}
}
