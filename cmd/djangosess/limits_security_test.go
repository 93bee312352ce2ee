package main

import (
	"runtime"
	"strings"
	"testing"
)

// TestLinesLongLine: with --lines, a line over the codec's MaxInput (4 MiB)
// is one rejected item, "too large", and the lines after it are still read.
func TestLinesLongLine(t *testing.T) {
	in := strings.Repeat("A", 5<<20) + "\n" + sessionD + "\n"
	r := runCLI(t, withKey, in, "decode", "--lines")
	if want := `{"$error":"too large"}` + "\n" + taggedD + "\n"; r.code != exitRejected || r.stdout != want {
		t.Errorf("decode --lines: exit %d, stdout %.200q, want %q", r.code, r.stdout, want)
	}
}

// TestLinesLongLineCost: reading a long line costs memory in proportion to
// its length. readChunks (lines.go) copies a line that spans blocks into a
// new buffer one 64 KiB block larger on every block, so an n-byte line
// allocates about n²/128 KiB bytes and takes quadratic time (a 32 MiB line
// without a newline: 34 s and 360 MB on the test machine), with no cap on
// the line. Skipped until that is fixed; see SECURITY.md.
func TestLinesLongLineCost(t *testing.T) {
	t.Skip("known issue: readChunks copies a long line once per 64 KiB block (quadratic); remove this skip with the fix")
	in := strings.Repeat("A", 5<<20) + "\n"
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	runCLI(t, withKey, in, "decode", "--lines")
	runtime.ReadMemStats(&after)
	if n := after.TotalAlloc - before.TotalAlloc; n > 64<<20 {
		t.Errorf("a 5 MiB line allocated %d MiB", n>>20)
	}
}
