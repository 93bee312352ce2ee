package serializer

import "errors"

// The errors every codec in this package returns, wrapped with detail. Test
// for them with errors.Is.
var (
	// ErrMalformed: the input is not valid in the format being read.
	ErrMalformed = errors.New("serializer: malformed input")
	// ErrTooLarge: the input, or what it declares, is over a configured limit
	// (size, nesting depth, item count, digits of an integer).
	ErrTooLarge = errors.New("serializer: input over limit")
	// ErrUnsupported: the value cannot be written in the format (a datetime
	// in JSON, say), or the input uses something this package refuses to
	// read (a pickle global that is not data).
	ErrUnsupported = errors.New("serializer: unsupported value")
)
