package files

import (
	"errors"
	"io/fs"
)

// noHardLinks: Plan 9 has no hard links; any failure but a taken name
// takes the placeholder path.
func noHardLinks(err error) bool { return !errors.Is(err, fs.ErrExist) }
