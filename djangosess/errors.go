package djangosess

import (
	"errors"
	"fmt"

	"github.com/djangosess/djangosess/signing"
)

// ErrConfig is returned by constructors for a configuration Django could
// not have.
var ErrConfig = errors.New("djangosess: invalid configuration")

// ErrNotAccepted is returned by Decode for data in a format that the
// configured Django versions do not read (legacy data under Django ≥ 4.0,
// signed data under Django ≤ 3.0). It also matches signing.ErrBadSignature,
// which is what Django itself reports for such data.
var ErrNotAccepted = &notAcceptedError{}

type notAcceptedError struct {
	format Format
	accept Compat
}

func notAccepted(f Format, c Compat) error { return &notAcceptedError{format: f, accept: c} }

func (e *notAcceptedError) Error() string {
	if e.accept == (Compat{}) && e.format == 0 {
		return "djangosess: format not accepted"
	}
	return fmt.Sprintf("djangosess: %v does not read the %s format", e.accept, e.format)
}

func (e *notAcceptedError) Is(target error) bool {
	return target == ErrNotAccepted || target == signing.ErrBadSignature
}
