package serializer

import (
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/djangosess/djangosess/internal/pyrun"
)

// TestPickleLimitBoundaries: every limit of Pickle.Unmarshal (docs/limits.md)
// lets through input exactly at the limit and refuses one step over it
// with ErrTooLarge. pickle_test.go has the refusals far over the limits;
// these pin where each limit sits.
func TestPickleLimitBoundaries(t *testing.T) {
	// A bytes value of 64 KiB, memoized, then referenced n times in a list.
	refs := func(n int) []byte {
		return pktOps("\x80\x04\x8e", "\x00\x00\x01\x00\x00\x00\x00\x00", pktRepeat("x", 1<<16), "\x94(", pktRepeat("h\x00", n), "l.")
	}
	items := func(n int) []byte { return []byte("\x80\x02](" + pktRepeat("K\x01", n) + "e.") }
	pushes := func(n int) []byte { return []byte("\x80\x02" + pktRepeat("N", n) + ".") }
	for _, tc := range []struct {
		name     string
		p        Pickle
		at, over []byte
	}{
		// MaxSize: the length of the input.
		{"MaxSize", Pickle{MaxSize: 100}, []byte("\x80\x04N." + pktRepeat(" ", 96)), []byte("\x80\x04N." + pktRepeat(" ", 97))},
		// MaxDepth: levels of containers (default 1000).
		{"MaxDepth default", Pickle{}, pktDeepList(1000), pktDeepList(1001)},
		{"MaxDepth 10", Pickle{MaxDepth: 10}, pktDeepList(10), pktDeepList(11)},
		// MaxItems: values in the result, the containers included: a list
		// of 999 ints is 1000 values.
		{"MaxItems", Pickle{MaxItems: 1000}, items(999), items(1000)},
		// 4×MaxItems values pushed or memoized while decoding.
		{"push budget", Pickle{MaxItems: 1000}, pushes(4000), pushes(4001)},
		// 4×MaxSize bytes of str/bytes/bytearray in the result, each
		// reference counted: 8 × 64 KiB = 4 × 128 KiB.
		{"data budget", Pickle{MaxSize: 1 << 17}, refs(8), refs(9)},
		// Digits of a protocol 0 INT or LONG (CPython's 4300; checked
		// against CPython below).
		{"INT digits", Pickle{}, []byte("I" + pktRepeat("9", 4300) + "\n."), []byte("I" + pktRepeat("9", 4301) + "\n.")},
		{"LONG digits", Pickle{}, []byte("L-" + pktRepeat("9", 4300) + "L\n."), []byte("L-" + pktRepeat("9", 4301) + "L\n.")},
	} {
		if _, err := tc.p.Unmarshal(tc.at); err != nil {
			t.Errorf("%s: at the limit: %v", tc.name, err)
		}
		if _, err := tc.p.Unmarshal(tc.over); !errors.Is(err, ErrTooLarge) {
			t.Errorf("%s: over the limit: %v, want ErrTooLarge", tc.name, err)
		}
	}
}

// TestPickleDigitLimitIsCPythons: CPython's own pickle.loads accepts a
// protocol 0 INT or LONG of 4300 digits and refuses 4301 (ValueError, from
// sys.get_int_max_str_digits()), as Unmarshal does.
func TestPickleDigitLimitIsCPythons(t *testing.T) {
	inputs := [][]byte{
		[]byte("I" + pktRepeat("9", 4300) + "\n."),
		[]byte("I" + pktRepeat("9", 4301) + "\n."),
		[]byte("L" + pktRepeat("9", 4300) + "L\n."),
		[]byte("L" + pktRepeat("9", 4301) + "L\n."),
		[]byte("I-" + pktRepeat("1", 4301) + "\n."),
	}
	lines := make([]string, len(inputs))
	for i, in := range inputs {
		lines[i] = hex.EncodeToString(in)
	}
	const script = `
import pickle, sys
for line in sys.stdin:
    try:
        pickle.loads(bytes.fromhex(line.strip()))
        print("ok")
    except Exception as e:
        print(type(e).__name__)
`
	got := pyrun.Lines(t, script, nil, lines)
	for i, in := range inputs {
		_, err := Pickle{}.Unmarshal(in)
		switch {
		case got[i] == "ok" && err != nil:
			t.Errorf("%.12q…: CPython reads it, Unmarshal: %v", in, err)
		case got[i] == "ValueError" && !errors.Is(err, ErrTooLarge):
			t.Errorf("%.12q…: CPython raises ValueError, Unmarshal: %v (want ErrTooLarge)", in, err)
		case got[i] != "ok" && got[i] != "ValueError":
			t.Errorf("%.12q…: CPython: %s", in, got[i])
		}
	}
	if strings.Join(got, ",") != "ok,ValueError,ok,ValueError,ValueError" {
		t.Errorf("CPython answered %v (is sys.get_int_max_str_digits() 4300?)", got)
	}
}
