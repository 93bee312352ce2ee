package files

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/keys"
	"github.com/djangosess/djangosess/serializer"
)

// readBatch is how many directory entries Keys and ClearExpired read at a
// time: memory does not grow with the number of sessions.
const readBatch = 256

// staleTemp is the age (by status-change time) past which ClearExpired
// removes a temporary file a killed writer left behind.
const staleTemp = 24 * time.Hour

// Keys iterates over the keys of the session files in the directory,
// expired or not: the names that start with the cookie name and go on with
// a key that passes keys.ValidateFileKey (temporary files do not). The
// directory is read in batches; a read error or a canceled ctx ends the
// iteration with that error.
func (s *Store) Keys(ctx context.Context) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		for e, err := range s.entries(ctx) {
			if err != nil {
				yield("", err)
				return
			}
			if key, ok := s.keyOf(e.Name()); ok && !e.IsDir() {
				if !yield(key, nil) {
					return
				}
			}
		}
	}
}

// ClearExpired deletes the expired sessions, as Django's clear_expired
// (the clearsessions command) does, and reports how many it deleted.
// Like Django it loads every file named like a session: one whose data
// does not decode counts as an empty session, expiring with its file's
// modification time; one with a _session_expiry Django cannot compute with
// is skipped (Django's clear_expired would stop at it with a TypeError).
// It also removes the temporary files (<file name>_out_…) that a killed
// writer left behind, once they are a day old by status-change time.
//
// A file it cannot read or delete does not stop it (Django skips such
// files too): it goes on, and returns the first such error with the
// count. A canceled ctx or an unreadable directory stops it.
func (s *Store) ClearExpired(ctx context.Context) (int, error) {
	n := 0
	var first error
	for e, err := range s.entries(ctx) {
		if err != nil {
			return n, err
		}
		if e.IsDir() {
			continue
		}
		name := e.Name()
		path := filepath.Join(s.dir, name)
		if _, ok := s.keyOf(name); ok {
			deleted, err := s.clearOne(path)
			if deleted {
				n++
			}
			if err != nil && first == nil {
				first = err
			}
		} else if s.isTemp(name) {
			if err := s.clearTemp(path); err != nil && first == nil {
				first = err
			}
		}
	}
	return n, first
}

// clearOne loads path as Django's clear_expired does (create() disabled)
// and deletes it if expired.
func (s *Store) clearOne(path string) (bool, error) {
	f, err := s.read(path)
	if err != nil {
		if errors.Is(err, djangosess.ErrNotFound) {
			return false, nil // deleted meanwhile
		}
		return false, err
	}
	if len(f.data) == 0 {
		return false, nil
	}
	d, err := s.codec.Decode(string(f.data))
	if err != nil {
		d = serializer.NewDict(0) // Django: session_data = {}
	}
	_, expired, err := s.expiry(d, f.info.ModTime())
	if err != nil || !expired {
		return false, nil
	}
	if err := s.removeIfSame(path, f.info); err != nil {
		return false, err
	}
	return true, nil
}

// clearTemp removes a temporary file whose status last changed more than
// staleTemp ago. A writer sets the modification time of its temporary
// file, but that changes the status-change time to the present, so a
// write in progress is never taken for a leftover.
func (s *Store) clearTemp(path string) error {
	fi, err := os.Lstat(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return ioError("checking", err)
	}
	ctime, ok := changeTime(fi)
	if !ok || s.now().Sub(ctime) <= staleTemp {
		return nil
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return ioError("deleting", err)
	}
	return nil
}

// keyOf returns the key a directory entry holds the session of.
func (s *Store) keyOf(name string) (string, bool) {
	key, ok := strings.CutPrefix(name, s.prefix)
	if !ok || keys.ValidateFileKey(key) != nil {
		return "", false
	}
	return key, true
}

// isTemp reports a temporary file of a session file's writer:
// <cookie name><key>_out_<random>.
func (s *Store) isTemp(name string) bool {
	base, _, ok := strings.Cut(name, tempInfix)
	if !ok {
		return false
	}
	_, ok = s.keyOf(base)
	return ok
}

// entries streams the directory's entries in batches, checking ctx
// before each one.
func (s *Store) entries(ctx context.Context) iter.Seq2[fs.DirEntry, error] {
	return func(yield func(fs.DirEntry, error) bool) {
		if err := ctx.Err(); err != nil {
			yield(nil, err)
			return
		}
		d, err := os.Open(s.dir)
		if err != nil {
			yield(nil, ioError("listing the directory of", err))
			return
		}
		defer d.Close()
		for {
			if err := ctx.Err(); err != nil {
				yield(nil, err)
				return
			}
			batch, err := d.ReadDir(readBatch)
			for _, e := range batch {
				if err := ctx.Err(); err != nil {
					yield(nil, err)
					return
				}
				if !yield(e, nil) {
					return
				}
			}
			if err == io.EOF {
				return
			}
			if err != nil {
				yield(nil, ioError("listing the directory of", err))
				return
			}
		}
	}
}
