package zlibx

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
)

// pyReason returns zlib's message in a Python zlib.error ("Error -3 while
// decompressing data: invalid block type" → "invalid block type"), and
// what Inflate reports for the errors zlib has no message for.
func pyReason(err string) string {
	if _, msg, ok := strings.Cut(err, "decompressing data: "); ok {
		return msg
	}
	if strings.HasPrefix(err, "Error 2 ") { // Z_NEED_DICT
		return reasonDict
	}
	return err
}

// checkAgainstPython inflates every stream and compares with what
// zlib.decompress made of it: the same verdict, the same output, and on
// error a *CorruptError with zlib's reason.
func checkAgainstPython(t *testing.T, streams [][]byte) {
	t.Helper()
	res := pyDecompressAll(t, streams)
	reasons := map[string]int{}
	mismatches := map[string]int{}
	for i, z := range streams {
		got, err := Inflate(nil, z, 1<<24)
		py := res[i]
		if py.OK != nil {
			want := mustHex(*py.OK)
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("stream %x: zlib.decompress gives %d bytes; Inflate gives %d bytes, %v", z, len(want), len(got), err)
			}
			continue
		}
		var ce *CorruptError
		if !errors.As(err, &ce) || !errors.Is(err, ErrCorrupt) {
			t.Fatalf("stream %x: zlib.decompress fails (%s); Inflate gives %d bytes, %v", z, py.Err, len(got), err)
		}
		if want := pyReason(py.Err); ce.Reason != want {
			key := ce.Reason + " | zlib: " + want
			if mismatches[key] == 0 {
				t.Errorf("stream %x: reason %q, zlib says %q", z, ce.Reason, want)
			}
			mismatches[key]++
		}
		reasons[ce.Reason]++
	}
	t.Logf("%d streams, rejections by reason: %v", len(streams), reasons)
	if len(mismatches) > 0 {
		t.Errorf("reasons that differ from zlib's: %v", mismatches)
	}
}

// baseStreams are valid streams of every block type, from C zlib and
// from Deflate.
func baseStreams(t *testing.T) [][]byte {
	t.Helper()
	inputs := [][]byte{
		[]byte(sessionJSON), {}, []byte("a"),
		[]byte(strings.Repeat("abcabcabd", 20)),
	}
	all := pyCompressAll(t, inputs)
	streams := [][]byte{mustHex(sessionStream)}
	for i := range inputs {
		for j, z := range all[i] {
			switch compressConfigs[j] {
			case "level 0", "level 1", "level 9", "Z_FIXED", "Z_HUFFMAN_ONLY", "sync+full flush":
				streams = append(streams, z)
			}
		}
		streams = append(streams, Deflate(nil, inputs[i]))
	}
	return streams
}

// TestInflateMutationsAgreeWithPython cuts valid streams at every length,
// flips every bit of them, and overwrites random bytes, and checks that
// Inflate and zlib.decompress agree on each result.
func TestInflateMutationsAgreeWithPython(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var streams [][]byte
	for _, z := range baseStreams(t) {
		for n := range len(z) {
			streams = append(streams, z[:n])
		}
		for bit := range 8 * len(z) {
			m := bytes.Clone(z)
			m[bit/8] ^= 1 << (bit % 8)
			streams = append(streams, m)
		}
		for range 200 {
			m := bytes.Clone(z)
			for range 1 + r.IntN(3) {
				m[r.IntN(len(m))] = byte(r.Uint32())
			}
			streams = append(streams, m)
		}
	}
	// Random bodies behind a valid header: mostly bad dynamic headers.
	for range 3000 {
		body := randomBytes(r, r.IntN(60))
		streams = append(streams, append([]byte{0x78, 0x9c}, body...))
	}
	checkAgainstPython(t, streams)
}
