package zlibx

import (
	"encoding/hex"
	"encoding/json"
	"github.com/djangosess/djangosess/internal/pyrun"
	"testing"
)

// The differential tests compare with CPython's zlib module (C zlib) run
// under /usr/bin/python3, once per test with every case batched.

// python runs script under /usr/bin/python3 with in, JSON-encoded, on its
// standard input and decodes its standard output (JSON) into out. Without
// the interpreter the test is skipped, or fails under CI=true.
func python(t testing.TB, script string, in, out any) {
	t.Helper()
	stdin, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(pyrun.Output(t, script, nil, stdin), out); err != nil {
		t.Fatalf("python output: %v", err)
	}
}

// hexes is a list of byte strings that travels as hex in JSON.
type hexes [][]byte

func (h hexes) MarshalJSON() ([]byte, error) {
	s := make([]string, len(h))
	for i, b := range h {
		s[i] = hex.EncodeToString(b)
	}
	return json.Marshal(s)
}

func (h *hexes) UnmarshalJSON(data []byte) error {
	var s []string
	if err := json.Unmarshal(data, &s); err != nil {
		return err
	}
	*h = make([][]byte, len(s))
	for i, x := range s {
		b, err := hex.DecodeString(x)
		if err != nil {
			return err
		}
		(*h)[i] = b
	}
	return nil
}

// compressConfigs are the ways pyCompress compresses each input, in the
// order of its answer: zlib.compress at levels 0-9, then compressobj with
// the strategies and window sizes named, then a stream with flushes in
// the middle (empty stored blocks, several blocks).
var compressConfigs = []string{
	"level 0", "level 1", "level 2", "level 3", "level 4",
	"level 5", "level 6", "level 7", "level 8", "level 9",
	"Z_FIXED", "Z_HUFFMAN_ONLY", "Z_RLE", "Z_FILTERED",
	"wbits 9", "memLevel 1 (many blocks)", "sync+full flush",
}

const pyCompress = `
import json, sys, zlib
def streams(d):
    out = [zlib.compress(d, lvl) for lvl in range(10)]
    for st in (zlib.Z_FIXED, zlib.Z_HUFFMAN_ONLY, zlib.Z_RLE, zlib.Z_FILTERED):
        c = zlib.compressobj(9, zlib.DEFLATED, 15, 9, st)
        out.append(c.compress(d) + c.flush())
    c = zlib.compressobj(6, zlib.DEFLATED, 9)
    out.append(c.compress(d) + c.flush())
    c = zlib.compressobj(6, zlib.DEFLATED, 15, 1)
    out.append(c.compress(d) + c.flush())
    c = zlib.compressobj(6)
    h = len(d) // 2
    out.append(c.compress(d[:h]) + c.flush(zlib.Z_SYNC_FLUSH) + c.flush(zlib.Z_SYNC_FLUSH)
               + c.compress(d[h:]) + c.flush(zlib.Z_FULL_FLUSH) + c.flush())
    return [s.hex() for s in out]
json.dump([streams(bytes.fromhex(x)) for x in json.load(sys.stdin)], sys.stdout)
`

// pyCompressAll returns, for each input, the streams of compressConfigs.
func pyCompressAll(t testing.TB, inputs [][]byte) [][][]byte {
	t.Helper()
	var res []hexes
	python(t, pyCompress, hexes(inputs), &res)
	if len(res) != len(inputs) {
		t.Fatalf("python returned %d results for %d inputs", len(res), len(inputs))
	}
	out := make([][][]byte, len(res))
	for i, r := range res {
		if len(r) != len(compressConfigs) {
			t.Fatalf("python returned %d streams, want %d", len(r), len(compressConfigs))
		}
		out[i] = r
	}
	return out
}

// pyResult is what zlib.decompress made of one stream.
type pyResult struct {
	OK  *string `json:"ok"` // hex of the output; nil on error
	Err string  `json:"err"`
}

const pyDecompress = `
import json, sys, zlib
res = []
for x in json.load(sys.stdin):
    try:
        res.append({"ok": zlib.decompress(bytes.fromhex(x)).hex()})
    except zlib.error as e:
        res.append({"err": str(e)})
json.dump(res, sys.stdout)
`

// pyDecompressAll runs zlib.decompress on each stream.
func pyDecompressAll(t testing.TB, streams [][]byte) []pyResult {
	t.Helper()
	var res []pyResult
	python(t, pyDecompress, hexes(streams), &res)
	if len(res) != len(streams) {
		t.Fatalf("python returned %d results for %d streams", len(res), len(streams))
	}
	return res
}
