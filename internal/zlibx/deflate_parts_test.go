package zlibx

import "testing"

// BenchmarkDeflateParts times the stages of Deflate on the typical
// session, to show where the time goes.
func BenchmarkDeflateParts(b *testing.B) {
	in := []byte(sessionJSON)
	e := new(encoder)
	b.Run("lz77", func(b *testing.B) {
		for b.Loop() {
			e.lz77(in)
		}
	})
	e.lz77(in)
	b.Run("litCode", func(b *testing.B) {
		for b.Loop() {
			syms := huffLengths(e.litFreq[:], maxCodeLen, e.litLen[:], &e.huff)
			huffCodesCounted(e.litLen[:], syms, &e.huff.count, e.litCode[:])
		}
	})
	b.Run("dynamicCode", func(b *testing.B) {
		for b.Loop() {
			e.dynamicCode()
		}
	})
	hlit, hdist, hclen, _ := e.dynamicCode()
	buf := make([]byte, 0, 1024)
	b.Run("write", func(b *testing.B) {
		for b.Loop() {
			w := bitWriter{out: buf}
			e.writeDynamicHeader(&w, hlit, hdist, hclen)
			e.writeData(&w, 8*len(in), in, &e.litCode, &e.litLen, &e.distCode, &e.distLen)
			w.flush()
		}
	})
	b.Run("adler32", func(b *testing.B) {
		for b.Loop() {
			adler32(in)
		}
	})
	n := 0
	for _, f := range e.litFreq {
		n += int(min(f, 1))
	}
	b.Logf("%d literal/length symbols, %d matches", n, len(e.matches)-1)
}
