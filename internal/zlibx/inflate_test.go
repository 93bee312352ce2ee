package zlibx

import (
	"bytes"
	"compress/zlib"
	"errors"
	"io"
	"math/rand/v2"
	"testing"
)

// TestInflateCZlib inflates what C zlib wrote for every corpus input at
// every level and strategy, and compares with the input.
func TestInflateCZlib(t *testing.T) {
	inputs := corpus()
	streams := pyCompressAll(t, inputs)
	prefix := []byte("prefix")
	for i, in := range inputs {
		for j, z := range streams[i] {
			name := compressConfigs[j]
			got, err := Inflate(nil, z, len(in))
			if err != nil || !bytes.Equal(got, in) {
				t.Fatalf("input %d (%d bytes), %s: Inflate = %d bytes, %v", i, len(in), name, len(got), err)
			}
			// Appending to dst, and trailing bytes (ignored, as by
			// zlib.decompress).
			dst := append(make([]byte, 0, 10), prefix...)
			got, err = Inflate(dst, append(bytes.Clone(z), "trailing junk"...), len(in))
			if err != nil || !bytes.Equal(got[:len(prefix)], prefix) || !bytes.Equal(got[len(prefix):], in) {
				t.Fatalf("input %d, %s: Inflate after prefix = %q..., %v", i, name, got[:min(len(got), 20)], err)
			}
			if len(in) > 0 {
				if _, err := Inflate(nil, z, len(in)-1); !errors.Is(err, ErrTooLarge) {
					t.Fatalf("input %d, %s: limit len-1: err = %v, want ErrTooLarge", i, name, err)
				}
			}
		}
	}
}

// TestInflateMatchesCompressZlib checks the same streams against Go's
// reader too, so a disagreement shows which side is off.
func TestInflateMatchesCompressZlib(t *testing.T) {
	inputs := corpus()[:40]
	streams := pyCompressAll(t, inputs)
	for i := range inputs {
		for j, z := range streams[i] {
			zr, err := zlib.NewReader(bytes.NewReader(z))
			if err != nil {
				t.Fatal(err)
			}
			want, err := io.ReadAll(zr)
			if err != nil {
				t.Fatalf("compress/zlib: %v", err)
			}
			got, err := Inflate(nil, z, -1)
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("input %d, %s: Inflate disagrees with compress/zlib: %v", i, compressConfigs[j], err)
			}
		}
	}
}

// TestTablesInflate checks that Tables.Inflate, one Tables reused from
// stream to stream (valid and corrupt ones in turn), gives what Inflate
// gives.
func TestTablesInflate(t *testing.T) {
	tables := NewTables()
	var streams [][]byte
	for _, c := range craftCases() {
		streams = append(streams, c.stream)
	}
	r := rand.New(rand.NewPCG(3, 3))
	for range 200 {
		in := randomBytes(r, r.IntN(3000))
		for i := range in {
			in[i] %= byte(2 + r.IntN(60)) // skewed, for dynamic blocks
		}
		streams = append(streams, Deflate(nil, in))
	}
	streams = append(streams, mustHex(sessionStream))
	for i, z := range streams {
		want, werr := Inflate(nil, z, 1<<20)
		got, err := tables.Inflate(nil, z, 1<<20)
		if !bytes.Equal(got, want) || (err == nil) != (werr == nil) || (err != nil && err.Error() != werr.Error()) {
			t.Fatalf("stream %d: Tables.Inflate = %d bytes, %v; Inflate = %d bytes, %v", i, len(got), err, len(want), werr)
		}
	}
}
