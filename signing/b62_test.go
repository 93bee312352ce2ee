package signing

import (
	"errors"
	"math"
	"math/big"
	"math/rand/v2"
	"strconv"
	"testing"
)

var b62Cases = []struct {
	in   string
	want int64
	err  bool
}{
	{in: "0", want: 0},
	{in: "1r31eq", want: 1700000000}, // django-formats.md §1.4
	{in: "-1r31eq", want: -1700000000},
	{in: "z", want: 61},
	{in: "10", want: 62},
	{in: "000A", want: 10},
	{in: "-", want: 0},  // Python: sign -1 times the empty sum
	{in: "-0", want: 0}, //
	{in: "AzL8n0Y58m7", want: math.MaxInt64},
	{in: "-AzL8n0Y58m8", want: math.MinInt64},
	{in: "AzL8n0Y58m8", err: true},  // 2^63: Python's int, not an int64
	{in: "-AzL8n0Y58m9", err: true}, // below MinInt64
	{in: "zzzzzzzzzzzzzzzzzzzzz", err: true},
	{in: "", err: true},    // IndexError
	{in: "--1", err: true}, // ValueError: '-' is not a digit
	{in: "1-", err: true},
	{in: " 1", err: true},
	{in: "1r31eq\n", err: true},
	{in: "+1", err: true},
	{in: "é", err: true},
}

func TestB62Decode(t *testing.T) {
	for _, c := range b62Cases {
		got, err := B62Decode(c.in)
		if c.err {
			if !errors.Is(err, ErrMalformed) {
				t.Errorf("B62Decode(%q) = %d, %v; want ErrMalformed", c.in, got, err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("B62Decode(%q) = %d, %v; want %d", c.in, got, err, c.want)
		}
	}
}

func TestB62Encode(t *testing.T) {
	for _, c := range []struct {
		in   int64
		want string
	}{
		{0, "0"}, {1700000000, "1r31eq"}, {-1700000000, "-1r31eq"}, {61, "z"}, {62, "10"},
		{math.MaxInt64, "AzL8n0Y58m7"}, {math.MinInt64, "-AzL8n0Y58m8"},
	} {
		if got := B62Encode(c.in); got != c.want {
			t.Errorf("B62Encode(%d) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestB62MatchesDjango decodes random strings (and encodes random numbers)
// with every Django version and compares: where Python returns a number
// that fits in an int64 we must return it, where it raises we must fail,
// and where it returns a larger number we must fail with ErrMalformed.
func TestB62MatchesDjango(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	ins := []string{}
	for _, c := range b62Cases {
		ins = append(ins, c.in)
	}
	const chars = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	for range 400 {
		b := make([]byte, r.IntN(14))
		for i := range b {
			switch r.IntN(20) {
			case 0:
				b[i] = '-'
			case 1:
				b[i] = " +_."[r.IntN(4)]
			default:
				b[i] = chars[r.IntN(len(chars))]
			}
		}
		ins = append(ins, string(b))
	}
	nums := []int64{0, 1, -1, 61, 62, math.MaxInt64, math.MinInt64, 1700000000}
	for range 200 {
		nums = append(nums, int64(r.Uint64()))
	}
	for _, n := range nums {
		ins = append(ins, B62Encode(n))
	}
	for _, d := range djangos(t) {
		ops := make([]op, len(ins))
		for i, in := range ins {
			ops[i] = op{"op": "b62", "value": in}
		}
		res := d.oracle(t, ops)
		for i, in := range ins {
			got, err := B62Decode(in)
			if res[i].Err != "" {
				if !errors.Is(err, ErrMalformed) {
					t.Errorf("Django %s: B62Decode(%q) = %d, %v; Python raises %s", d.name, in, got, err, res[i].Err)
				}
				continue
			}
			want, ok := new(big.Int).SetString(res[i].str(t), 10)
			if !ok {
				t.Fatalf("oracle gave %v", res[i].OK)
			}
			if !want.IsInt64() {
				if !errors.Is(err, ErrMalformed) {
					t.Errorf("Django %s: B62Decode(%q) = %d, %v; Python gives %v (out of range)", d.name, in, got, err, want)
				}
				continue
			}
			if err != nil || got != want.Int64() {
				t.Errorf("Django %s: B62Decode(%q) = %d, %v; Python gives %v", d.name, in, got, err, want)
			}
		}
	}
}

func FuzzB62Decode(f *testing.F) {
	for _, c := range b62Cases {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := B62Decode(s)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("B62Decode(%q): %v does not match ErrMalformed", s, err)
			}
			return
		}
		// Round trip through the canonical form.
		enc := B62Encode(n)
		if m, err := B62Decode(enc); err != nil || m != n {
			t.Fatalf("B62Decode(B62Encode(%d) = %q) = %d, %v", n, enc, m, err)
		}
		// The value is the base-62 reading, as math/big computes it.
		digits := s
		neg := len(s) > 0 && s[0] == '-'
		if neg {
			digits = s[1:]
		}
		want := new(big.Int)
		for i := range len(digits) {
			want.Mul(want, big.NewInt(62))
			want.Add(want, big.NewInt(int64(b62Index[digits[i]])))
		}
		if neg {
			want.Neg(want)
		}
		if want.String() != strconv.FormatInt(n, 10) {
			t.Fatalf("B62Decode(%q) = %d, want %v", s, n, want)
		}
	})
}
