package zlibx

import (
	"bytes"
	"compress/zlib"
	"errors"
	"io"
	"testing"
)

// fuzzLimit bounds the output in FuzzInflate.
const fuzzLimit = 1 << 16

// FuzzInflate checks that Inflate never panics, returns only ErrCorrupt
// or ErrTooLarge, and agrees with compress/zlib: the same output when
// both succeed, an error from both otherwise (ErrTooLarge exactly when
// compress/zlib produces more than the limit). Both ignore bytes after
// the checksum. One difference is allowed: compress/zlib reads a preset
// dictionary whose id is the Adler-32 of no bytes (1) as an empty
// dictionary, while Inflate, like zlib.decompress, rejects any preset
// dictionary. TestInflateMutationsAgreeWithPython holds the same
// comparison against C zlib on mutated streams.
func FuzzInflate(f *testing.F) {
	f.Add(mustHex(sessionStream))
	for _, c := range craftCases() {
		f.Add(c.stream)
	}
	for _, in := range [][]byte{nil, []byte("a"), []byte(sessionJSON), bytes.Repeat([]byte("ab"), 300)} {
		f.Add(Deflate(nil, in))
	}
	f.Fuzz(func(t *testing.T, z []byte) {
		got, err := Inflate(nil, z, fuzzLimit)
		if err != nil && !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrTooLarge) {
			t.Fatalf("error matches neither ErrCorrupt nor ErrTooLarge: %v", err)
		}
		if err != nil && got != nil {
			t.Fatalf("error %v with %d bytes of output", err, len(got))
		}
		var ce *CorruptError
		if errors.As(err, &ce) && ce.Reason == reasonDict {
			return
		}
		var want []byte
		zr, werr := zlib.NewReader(bytes.NewReader(z))
		if werr == nil {
			want, werr = io.ReadAll(io.LimitReader(zr, fuzzLimit+1))
		}
		tooLarge := len(want) > fuzzLimit
		switch {
		case tooLarge:
			if !errors.Is(err, ErrTooLarge) {
				t.Fatalf("compress/zlib gives more than %d bytes; Inflate: %d bytes, %v", fuzzLimit, len(got), err)
			}
		case werr != nil:
			if err == nil || errors.Is(err, ErrTooLarge) {
				t.Fatalf("compress/zlib fails (%v) after %d bytes; Inflate: %d bytes, %v", werr, len(want), len(got), err)
			}
		default:
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("compress/zlib gives %d bytes; Inflate: %d bytes, %v", len(want), len(got), err)
			}
		}
	})
}

// FuzzDeflateRoundTrip checks that Deflate's output inflates back to the
// input, with Inflate and with compress/zlib.
func FuzzDeflateRoundTrip(f *testing.F) {
	for _, in := range [][]byte{nil, []byte("a"), []byte(sessionJSON), bytes.Repeat([]byte("ab"), 300), []byte(lorem)} {
		f.Add(in)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		z := Deflate(nil, in)
		got, err := Inflate(nil, z, len(in))
		if err != nil || !bytes.Equal(got, in) {
			t.Fatalf("Inflate(Deflate(%d bytes)) = %d bytes, %v", len(in), len(got), err)
		}
		got, err = zlibRead(z)
		if err != nil || !bytes.Equal(got, in) {
			t.Fatalf("compress/zlib of Deflate(%d bytes) = %d bytes, %v", len(in), len(got), err)
		}
	})
}
