package zlibx

import (
	"errors"
	"strconv"
)

// The errors Inflate returns, wrapped in a *CorruptError for corruption.
// Test for them with errors.Is.
var (
	// ErrCorrupt: the input is not one complete, valid zlib stream: a bad
	// header, a preset dictionary, an invalid block, Huffman code or
	// distance, a truncated stream, or an Adler-32 checksum that does not
	// match. Inflate returns it as a *CorruptError.
	ErrCorrupt = errors.New("zlibx: corrupt zlib stream")
	// ErrTooLarge: the stream inflates to more than the limit passed to
	// Inflate. It is returned as soon as the output would pass the limit,
	// before the rest of the stream is read.
	ErrTooLarge = errors.New("zlibx: output over limit")
)

// CorruptError reports where and why a zlib stream is invalid. It matches
// ErrCorrupt with errors.Is.
type CorruptError struct {
	// Offset is the index into the input of the byte being read when the
	// error was found (len(src) for a truncated stream).
	Offset int
	// Reason is zlib's message for the same error where zlib has one
	// ("invalid distance too far back", "incorrect data check", ...).
	Reason string
}

func (e *CorruptError) Error() string {
	return "zlibx: corrupt zlib stream at byte " + strconv.Itoa(e.Offset) + ": " + e.Reason
}

// Is reports whether target is ErrCorrupt.
func (e *CorruptError) Is(target error) bool { return target == ErrCorrupt }
