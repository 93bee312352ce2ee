package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// echoItem copies an item, upper-cased, and fails for "bad".
func echoItem(dst, in []byte) ([]byte, error) {
	if string(in) == "bad" {
		return dst, errors.New("bad item")
	}
	return append(dst, bytes.ToUpper(in)...), nil
}

func errItem(dst []byte, err error) []byte { return append(dst, "ERR:"+err.Error()...) }

// TestRunLinesSplitting checks runLines' idea of a line against lines cut
// by the end of a read block, lines longer than a block, "\r\n", empty
// lines and a last line without "\n", with the input read in odd pieces.
func TestRunLinesSplitting(t *testing.T) {
	long := strings.Repeat("x", 3*blockSize+17)
	var items []string
	for i := range 3000 {
		switch {
		case i%7 == 0:
			items = append(items, "")
		case i%7 == 3:
			items = append(items, "bad")
		case i%200 == 5:
			items = append(items, long[:i*97%len(long)])
		default:
			items = append(items, fmt.Sprintf("item-%d", i))
		}
	}
	for _, tc := range []struct {
		name, sep, end string
	}{
		{"lf", "\n", "\n"},
		{"crlf", "\r\n", "\r\n"},
		{"no final newline", "\n", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := strings.Join(items, tc.sep) + tc.end
			var want strings.Builder
			wantBad := 0
			for _, it := range items {
				if it == "bad" {
					want.WriteString("ERR:bad item\n")
					wantBad++
					continue
				}
				want.WriteString(strings.ToUpper(it) + "\n")
			}
			var out bytes.Buffer
			bad, err := runLines(iotest.HalfReader(strings.NewReader(in)), &out, echoItem, errItem)
			if err != nil || bad != wantBad {
				t.Fatalf("runLines: %d bad, %v; want %d bad", bad, err, wantBad)
			}
			if out.String() != want.String() {
				t.Fatalf("output differs (%d bytes, want %d)", out.Len(), want.Len())
			}
		})
	}
}

// TestRunLinesEdges: no input gives no output; a lone newline is one
// empty item; a read error is reported after the lines before it.
func TestRunLinesEdges(t *testing.T) {
	for in, want := range map[string]string{"": "", "\n": "\n", "a": "A\n", "a\r": "A\n", "\n\n": "\n\n"} {
		var out bytes.Buffer
		if _, err := runLines(strings.NewReader(in), &out, echoItem, errItem); err != nil || out.String() != want {
			t.Errorf("runLines(%q) = %q, %v; want %q", in, out.String(), err, want)
		}
	}
	boom := errors.New("boom")
	var out bytes.Buffer
	r := io.MultiReader(strings.NewReader("a\nb\nc"), iotest.ErrReader(boom))
	if _, err := runLines(r, &out, echoItem, errItem); !errors.Is(err, boom) || out.String() != "A\nB\nC\n" {
		t.Errorf("read error: %q, %v; want the lines read and %v", out.String(), err, boom)
	}
}
