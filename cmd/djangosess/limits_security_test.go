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
// its length (readChunks doubles the block of a line that spans blocks;
// growing it by one block each time made a 32 MiB line cost 34 s and
// 360 MB).
func TestLinesLongLineCost(t *testing.T) {
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

// TestLinesLineOverCap: a line longer than maxLine (with or without a
// newline after it) is one "too large" item, memory stays bounded, and
// the lines after it are read.
func TestLinesLineOverCap(t *testing.T) {
	for _, tail := range []string{"\n" + sessionD + "\n", ""} {
		in := strings.Repeat("A", maxLine+3*blockSize+17) + tail
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		r := runCLI(t, withKey, in, "decode", "--lines")
		runtime.ReadMemStats(&after)
		want := `{"$error":"too large"}` + "\n"
		if tail != "" {
			want += taggedD + "\n"
		}
		if r.code != exitRejected || r.stdout != want {
			t.Errorf("tail %q: exit %d, stdout %.200q, want %q", tail, r.code, r.stdout, want)
		}
		if n := after.TotalAlloc - before.TotalAlloc; n > 3*maxLine+uint64(len(in)) {
			t.Errorf("a %d MiB line allocated %d MiB", len(in)>>20, n>>20)
		}
	}
}
