package zlibx

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"io"
	"testing"
)

// fibonacciInput has 21 distinct bytes with Fibonacci frequencies (1, 2,
// 3, 5, ...; 28655 bytes), shuffled: with the end-of-block symbol (once)
// an optimal unlimited code for its bytes is 21 bits deep, so the 15-bit
// limit must act.
func fibonacciInput() []byte {
	var in []byte
	a, b := 1, 2
	for s := range 21 {
		in = append(in, bytes.Repeat([]byte{byte('!' + s)}, a)...)
		a, b = b, a+b
	}
	// A fixed pseudo-random permutation (xorshift).
	x := uint32(2463534242)
	for i := len(in) - 1; i > 0; i-- {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		j := int(x % uint32(i+1))
		in[i], in[j] = in[j], in[i]
	}
	return in
}

func TestHuffLengthsLimit(t *testing.T) {
	var freq [numLitLen]uint32
	a, b := uint32(1), uint32(1)
	for s := range 30 {
		freq[s] = a
		a, b = b, a+b
	}
	var lens [numLitLen]uint8
	var h huffScratch
	syms := huffLengths(freq[:], maxCodeLen, lens[:], &h)
	if len(syms) != 30 {
		t.Fatalf("%d symbols with a code, want 30", len(syms))
	}
	// The code must be complete (Kraft sum exactly 1) and no deeper than
	// 15 bits.
	kraft := 0
	for _, s := range syms {
		if lens[s] == 0 || lens[s] > maxCodeLen {
			t.Fatalf("symbol %d: length %d", s, lens[s])
		}
		kraft += 1 << (maxCodeLen - lens[s])
	}
	if kraft != 1<<maxCodeLen {
		t.Errorf("Kraft sum %d/2^15, want 1", kraft)
	}
}

// TestDynamicBlockLengthLimited writes fibonacciInput as literals only
// (LZ77 would find matches and flatten the frequencies) in a dynamic
// block, whose literal code must be limited to 15 bits, and has
// compress/zlib read it back.
func TestDynamicBlockLengthLimited(t *testing.T) {
	in := fibonacciInput()
	e := new(encoder)
	for _, b := range in {
		e.litFreq[b]++
	}
	e.litFreq[endOfBlock]++
	e.matches = []uint64{uint64(len(in)) << 32}
	// Without the limit the code would be deeper than 15 bits.
	var lens [numLitLen]uint8
	deepest := 0
	for _, s := range huffLengths(e.litFreq[:], 64, lens[:], &e.huff) {
		deepest = max(deepest, int(lens[s]))
	}
	if deepest <= maxCodeLen {
		t.Fatalf("unlimited code %d bits deep: the test does not exercise the limit", deepest)
	}
	hlit, hdist, hclen, headerBits := e.dynamicCode()
	for _, s := range e.litSyms[:e.nLitSyms] {
		if e.litLen[s] > maxCodeLen {
			t.Fatalf("symbol %d: code of %d bits", s, e.litLen[s])
		}
	}
	w := bitWriter{out: []byte{0x78, 0x9c}}
	w.write(1|2<<1, 3)
	e.writeDynamicHeader(&w, hlit, hdist, hclen)
	_, dataBits := e.dataBits(e.litSyms[:e.nLitSyms], e.distSyms[:e.nDistSyms])
	e.writeData(&w, dataBits, in, &e.litCode, &e.litLen, &e.distCode, &e.distLen)
	z := binary.BigEndian.AppendUint32(w.flush(), adler32(in))
	if want := 2 + (3+headerBits+dataBits+7)/8 + 4; len(z) != want {
		t.Errorf("stream of %d bytes, sized as %d", len(z), want)
	}
	zr, err := zlib.NewReader(bytes.NewReader(z))
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(zr)
	if err != nil || !bytes.Equal(got, in) {
		t.Fatalf("compress/zlib: %v, equal %v", err, bytes.Equal(got, in))
	}
}
