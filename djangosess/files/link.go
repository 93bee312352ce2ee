//go:build !plan9

package files

import (
	"errors"
	"os"
	"syscall"
)

// noHardLinks reports a link(2) failure that means the file system (or a
// sandbox) does not do hard links.
func noHardLinks(err error) bool {
	var le *os.LinkError
	if errors.As(err, &le) {
		err = le.Err
	}
	for _, e := range []error{errors.ErrUnsupported, syscall.EPERM, syscall.EMLINK, syscall.EXDEV} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}
