package files

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/serializer"
)

// Test hooks: the link(2) call (so that tests can take the no-hard-links
// path), and stageHook, called with the temporary file's name before it
// is written ("write") and before it is published ("publish"), so that
// tests can fail or kill a write midway.
var (
	linkFile  = os.Link
	stageHook = func(stage, tmp string) error { return nil }
)

// write is Create (create true) and Save.
func (s *Store) write(ctx context.Context, key string, r djangosess.Record, create bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	path, err := s.Path(key)
	if err != nil {
		return err
	}
	if r.Data == nil {
		r.Data = serializer.NewDict(0)
	}
	mtime, err := s.modification(r, s.now())
	if err != nil {
		return err
	}
	encoded, err := s.codec.Encode(r.Data)
	if err != nil {
		return err
	}
	if !create {
		// Django opens the file without O_CREAT: a missing one is an
		// UpdateError, and nothing is written.
		if _, err := os.Lstat(path); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return djangosess.ErrVanished
			}
			return ioError("checking", err)
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	tmp, err := s.writeTemp(path, encoded, mtime)
	if err != nil {
		return err
	}
	if err := stageHook("publish", tmp); err != nil {
		os.Remove(tmp)
		return err
	}
	if create {
		return s.publishNew(tmp, path)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return ioError("replacing", err)
	}
	return nil
}

// publishNew gives the finished file tmp the name path if that name is
// free, and drops the name tmp: link(2) is atomic and fails when the name
// is taken. Without hard links it does what Django does, an
// O_CREAT|O_EXCL placeholder and a rename over it.
func (s *Store) publishNew(tmp, path string) error {
	err := linkFile(tmp, path)
	if err == nil || !noHardLinks(err) {
		os.Remove(tmp)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, fs.ErrExist):
			return djangosess.ErrExists
		}
		return ioError("creating", err)
	}
	ph, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		os.Remove(tmp)
		if errors.Is(err, fs.ErrExist) {
			return djangosess.ErrExists
		}
		return ioError("creating", err)
	}
	ph.Close()
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		os.Remove(path) // our own empty placeholder
		return ioError("creating", err)
	}
	return nil
}

// writeTemp writes data to a new file beside path, named as Django's
// mkstemp(prefix=<file name> + "_out_") names its own, with mode 0600,
// synced to disk and with the given modification time. On failure nothing
// is left behind.
func (s *Store) writeTemp(path, data string, mtime time.Time) (string, error) {
	dir, name := filepath.Split(path)
	f, err := os.CreateTemp(dir, name+tempInfix+"*")
	if err != nil {
		return "", ioError("creating a temporary file for", err)
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err := stageHook("write", tmp); err != nil {
		return "", err
	}
	if _, err := f.WriteString(data); err != nil {
		return "", ioError("writing", err)
	}
	if err := f.Sync(); err != nil {
		return "", ioError("syncing", err)
	}
	if err := f.Close(); err != nil {
		return "", ioError("writing", err)
	}
	if err := os.Chtimes(tmp, time.Time{}, mtime); err != nil {
		return "", ioError("setting the modification time of", err)
	}
	ok = true
	return tmp, nil
}

// tempInfix separates a session file's name from the random part of its
// temporary files' names, as in Django.
const tempInfix = "_out_"
