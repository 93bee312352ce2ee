//go:build !(linux || openbsd || dragonfly || solaris || illumos || aix || darwin || freebsd || netbsd || ios)

package files

import (
	"io/fs"
	"time"
)

// changeTime is not known here (Windows, Plan 9, wasm): ClearExpired then
// leaves temporary files alone, as Django does.
func changeTime(fs.FileInfo) (time.Time, bool) { return time.Time{}, false }
