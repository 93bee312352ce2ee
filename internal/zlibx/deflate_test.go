package zlibx

import (
	"bytes"
	"compress/zlib"
	stdadler "hash/adler32"
	"io"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
)

// zlibRead inflates z with compress/zlib.
func zlibRead(z []byte) ([]byte, error) {
	zr, err := zlib.NewReader(bytes.NewReader(z))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}

// TestDeflatePython sends what Deflate makes of every corpus input to
// zlib.decompress, which must give the input back.
func TestDeflatePython(t *testing.T) {
	inputs := corpus()
	streams := make([][]byte, len(inputs))
	for i, in := range inputs {
		streams[i] = Deflate(nil, in)
	}
	res := pyDecompressAll(t, streams)
	for i, in := range inputs {
		if res[i].OK == nil {
			t.Fatalf("input %d (%d bytes): zlib.decompress: %s", i, len(in), res[i].Err)
		}
		if got := mustHex(*res[i].OK); !bytes.Equal(got, in) {
			t.Fatalf("input %d (%d bytes): zlib.decompress gives %d other bytes", i, len(in), len(got))
		}
	}
}

// TestDeflateRoundTrip compresses the corpus and random inputs of every
// kind and size (up to past 64 KiB, where compress/zlib takes over) and
// checks that compress/zlib and Inflate give them back, and that Deflate
// appends to dst.
func TestDeflateRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	inputs := corpus()
	for range 1500 {
		inputs = append(inputs, randomInput(r))
	}
	for i, in := range inputs {
		z := Deflate([]byte("dst"), in)
		if string(z[:3]) != "dst" {
			t.Fatalf("input %d: dst overwritten", i)
		}
		z = z[3:]
		got, err := zlibRead(z)
		if err != nil || !bytes.Equal(got, in) {
			t.Fatalf("input %d (%d bytes): compress/zlib read %d bytes, %v", i, len(in), len(got), err)
		}
		got, err = Inflate(nil, z, len(in))
		if err != nil || !bytes.Equal(got, in) {
			t.Fatalf("input %d (%d bytes): Inflate: %d bytes, %v", i, len(in), len(got), err)
		}
	}
}

// randomInput returns an input of a random kind: random bytes, text with
// a few letters, runs, mixes of those, sessions; sizes mostly small, some
// up to 70 KB.
func randomInput(r *rand.Rand) []byte {
	n := r.IntN(600)
	if r.IntN(20) == 0 {
		n = r.IntN(70000)
	}
	switch r.IntN(6) {
	case 0:
		return randomBytes(r, n)
	case 1:
		return lowEntropy(r, n, 1+r.IntN(8))
	case 2:
		var b []byte
		for len(b) < n {
			b = append(b, bytes.Repeat([]byte{byte(r.Uint32())}, 1+r.IntN(300))...)
		}
		return b[:n]
	case 3:
		var b []byte
		for len(b) < n {
			if r.IntN(2) == 0 {
				b = append(b, randomBytes(r, r.IntN(40))...)
			} else if len(b) > 0 {
				// Copy from up to 40 KB back, overlapping or not.
				from := r.IntN(len(b))
				for k := range r.IntN(300) {
					b = append(b, b[from+k])
				}
			}
		}
		return b[:n]
	case 4:
		return randomSession(r)
	default:
		return []byte(strings.Repeat(lorem, 1+n/len(lorem))[:n])
	}
}

// TestDeflateSize compares the size of Deflate's output on sessions with
// C zlib's at the default level: within 10% over all of them.
func TestDeflateSize(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	inputs := [][]byte{[]byte(sessionJSON)}
	for range 200 {
		inputs = append(inputs, randomSession(r))
	}
	streams := pyCompressAll(t, inputs)
	ours, level6, fixed := 0, 0, 0
	for i, in := range inputs {
		ours += len(Deflate(nil, in))
		level6 += len(streams[i][6])
		fixed += len(streams[i][10])
	}
	t.Logf("%d sessions: Deflate %d bytes, zlib level 6 %d bytes (%+.1f%%), zlib Z_FIXED %d bytes",
		len(inputs), ours, level6, 100*float64(ours-level6)/float64(level6), fixed)
	if float64(ours) > 1.1*float64(level6) {
		t.Errorf("Deflate output is more than 10%% larger than zlib's")
	}
}

// TestConcurrent runs Inflate and Deflate from several goroutines (for
// the race detector and the pools).
func TestConcurrent(t *testing.T) {
	z := mustHex(sessionStream)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(g), 9))
			for range 200 {
				in := randomInput(r)
				back, err := Inflate(nil, Deflate(nil, in), len(in))
				if err != nil || !bytes.Equal(back, in) {
					t.Errorf("round trip of %d bytes: %v", len(in), err)
					return
				}
				if out, err := Inflate(nil, z, 1<<20); err != nil || string(out) != sessionJSON {
					t.Errorf("Inflate(sessionStream): %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
}

// TestAdler32 checks adler32 against hash/adler32, on the vector path
// (adlerSums) where the CPU has it and on the path in Go.
func TestAdler32(t *testing.T) {
	t.Run("go", func(t *testing.T) {
		defer func(v bool) { haveAdlerSums = v }(haveAdlerSums)
		haveAdlerSums = false
		testAdler32(t)
	})
	t.Run("vector", func(t *testing.T) {
		if !haveAdlerSums {
			t.Skip("no SSSE3 (or a purego build): adler32 sums in Go")
		}
		testAdler32(t)
	})
}

func testAdler32(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	for n := range 3000 {
		b := randomBytes(r, n)
		if got, want := adler32(b), adler32sum(b); got != want {
			t.Fatalf("adler32 of %d random bytes = %08x, want %08x", n, got, want)
		}
	}
	// The largest sums: runs of 0xff across the modulo reductions.
	for _, n := range []int{adlerNMax - 1, adlerNMax, adlerNMax + 1, 3*adlerNMax + 5, 1 << 20} {
		b := bytes.Repeat([]byte{0xff}, n)
		if got, want := adler32(b), adler32sum(b); got != want {
			t.Fatalf("adler32 of %d bytes 0xff = %08x, want %08x", n, got, want)
		}
	}
}

func adler32sum(b []byte) uint32 { return stdadler.Checksum(b) }
