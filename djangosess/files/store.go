package files

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/keys"
	"github.com/djangosess/djangosess/serializer"
	"github.com/djangosess/djangosess/signing"
)

// Config configures a Store. Every field but Codec has a default.
type Config struct {
	// Dir is SESSION_FILE_PATH. It must be an existing directory. Empty
	// means os.TempDir(), as Django falls back to tempfile.gettempdir().
	// A relative path is made absolute by New.
	Dir string
	// CookieName is SESSION_COOKIE_NAME, the prefix of every session
	// file's name. Empty means "sessionid".
	CookieName string
	// Codec encodes and decodes the session data. Required.
	Codec *djangosess.Codec
	// CookieAge is SESSION_COOKIE_AGE. Zero means
	// djangosess.DefaultCookieAge (two weeks).
	CookieAge time.Duration
	// Location is Django's local time zone under USE_TZ=False (the
	// process's zone, TIME_ZONE): naive _session_expiry datetimes are
	// read in it, and the file's mtime + CookieAge is computed on its wall
	// clock, as Django does with naive datetimes. Leave it nil (UTC) under
	// USE_TZ=True.
	Location *time.Location
	// Now is the clock for expiry checks and modification times. Nil
	// means time.Now.
	Now func() time.Time
}

// Store is a session directory shared with Django. It implements
// djangosess.Store and is safe for concurrent use, also by several
// processes (and Django) on the same directory.
type Store struct {
	dir       string
	prefix    string
	codec     *djangosess.Codec
	serName   string
	cookieAge time.Duration
	loc       *time.Location
	now       func() time.Time
}

var _ djangosess.Store = (*Store)(nil)

// maxFileSize bounds what Load reads; the codec's own limit (4 MiB by
// default) is normally far below it.
const maxFileSize = 64 << 20

// New checks cfg and returns a Store. A missing Dir, a Dir that is not a
// directory, a cookie name that cannot prefix a file name, a nil Codec or
// a negative CookieAge is an error matching djangosess.ErrConfig.
func New(cfg Config) (*Store, error) {
	if cfg.Codec == nil {
		return nil, fmt.Errorf("%w: files: a Codec is required", djangosess.ErrConfig)
	}
	if cfg.CookieAge < 0 {
		return nil, fmt.Errorf("%w: files: negative SESSION_COOKIE_AGE", djangosess.ErrConfig)
	}
	prefix := cfg.CookieName
	if prefix == "" {
		prefix = keys.DefaultCookieName
	}
	if _, err := keys.FileName(prefix, "00000000"); err != nil || strings.ContainsRune(prefix, filepath.Separator) {
		return nil, fmt.Errorf("%w: files: SESSION_COOKIE_NAME %q cannot prefix a file name", djangosess.ErrConfig, prefix)
	}
	dir := cfg.Dir
	if dir == "" {
		dir = os.TempDir()
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("%w: files: SESSION_FILE_PATH: %v", djangosess.ErrConfig, err)
	}
	fi, err := os.Stat(dir)
	if err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("%w: files: the session storage path %q doesn't exist or is not a directory", djangosess.ErrConfig, dir)
	}
	s := &Store{
		dir:       dir,
		prefix:    prefix,
		codec:     cfg.Codec,
		serName:   cfg.Codec.Serializer().Name(),
		cookieAge: cfg.CookieAge,
		loc:       cfg.Location,
		now:       cfg.Now,
	}
	if s.cookieAge == 0 {
		s.cookieAge = djangosess.DefaultCookieAge
	}
	if s.loc == nil {
		s.loc = time.UTC
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s, nil
}

// Dir returns the session directory (absolute).
func (s *Store) Dir() string { return s.dir }

// Path returns the file that holds the session key, or an error matching
// djangosess.ErrInvalidKey for a key the file backend refuses.
func (s *Store) Path(key string) (string, error) {
	name, err := keys.FileName(s.prefix, key)
	if err != nil {
		return "", err
	}
	return filepath.Join(s.dir, name), nil
}

// Load returns the session stored under key, as Django's load() reads it.
// A missing session is djangosess.ErrNotFound; an expired one is deleted
// and is ErrNotFound too. Data that does not decode is the codec's error.
// An empty file (Django's placeholder) is an empty session with a zero
// Record.Stored.
func (s *Store) Load(ctx context.Context, key string) (djangosess.Record, error) {
	if err := ctx.Err(); err != nil {
		return djangosess.Record{}, err
	}
	path, err := s.Path(key)
	if err != nil {
		return djangosess.Record{}, err
	}
	f, err := s.read(path)
	if err != nil {
		return djangosess.Record{}, err
	}
	r, expired, err := s.decode(f)
	if err != nil {
		return djangosess.Record{}, err
	}
	if expired {
		if err := s.removeIfSame(path, f.info); err != nil {
			return djangosess.Record{}, err
		}
		return djangosess.Record{}, djangosess.ErrNotFound
	}
	return r, nil
}

// Exists reports whether a file for key is there, expired or not, as
// Django's exists() does.
func (s *Store) Exists(ctx context.Context, key string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	path, err := s.Path(key)
	if err != nil {
		return false, err
	}
	_, err = os.Stat(path)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	}
	return false, ioError("checking", err)
}

// Delete removes the session file; a missing one is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	path, err := s.Path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return ioError("deleting", err)
	}
	return nil
}

// Create stores r under key with Django's must-create semantics: if a file
// for key exists the result is djangosess.ErrExists and nothing is
// written.
func (s *Store) Create(ctx context.Context, key string, r djangosess.Record) error {
	return s.write(ctx, key, r, true)
}

// Save replaces the session under key. If its file is gone the result is
// djangosess.ErrVanished (Django's UpdateError) and nothing is written.
func (s *Store) Save(ctx context.Context, key string, r djangosess.Record) error {
	return s.write(ctx, key, r, false)
}

// file is a session file as read: its content and what fstat said.
type file struct {
	data []byte
	info fs.FileInfo
}

// read opens path and reads it through one descriptor, so that the
// modification time belongs to the content even while writers rename new
// files over the name.
func (s *Store) read(path string) (file, error) {
	fh, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return file{}, djangosess.ErrNotFound
		}
		return file{}, ioError("opening", err)
	}
	defer fh.Close()
	fi, err := fh.Stat()
	if err != nil {
		return file{}, ioError("reading", err)
	}
	if fi.Size() > maxFileSize {
		return file{}, fmt.Errorf("files: session file of %d bytes: %w", fi.Size(), signing.ErrTooLarge)
	}
	buf := make([]byte, fi.Size())
	n, err := io.ReadFull(fh, buf)
	switch {
	case err == io.ErrUnexpectedEOF || err == io.EOF:
		// The descriptor's file never changes size (writers rename
		// new files over the name), but another program may
		// truncate it in place: keep what was there.
		buf = buf[:n]
	case err != nil:
		return file{}, ioError("reading", err)
	}
	return file{data: buf, info: fi}, nil
}

// decode turns a file's content into a Record and reports whether Django
// would find it expired.
func (s *Store) decode(f file) (djangosess.Record, bool, error) {
	mtime := f.info.ModTime()
	if len(f.data) == 0 {
		// Django's empty placeholder: {} and no expiry check.
		return djangosess.Record{Data: serializer.NewDict(0), Expiry: mtime.Add(s.cookieAge)}, false, nil
	}
	d, err := s.codec.DecodeInfo(string(f.data))
	if err != nil {
		return djangosess.Record{}, false, err
	}
	exp, expired, err := s.expiry(d.Data, mtime)
	if err != nil {
		return djangosess.Record{}, false, err
	}
	return djangosess.Record{
		Data:   d.Data,
		Expiry: exp,
		Size:   len(f.data),
		Stored: djangosess.StoredOf(d, s.serName),
	}, expired, nil
}

// removeIfSame deletes path if it is still the file described by fi, so
// that an expired session is not confused with a new one renamed over it
// meanwhile.
func (s *Store) removeIfSame(path string, fi fs.FileInfo) error {
	now, err := os.Lstat(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return ioError("deleting", err)
	}
	if !os.SameFile(fi, now) {
		return nil
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return ioError("deleting", err)
	}
	return nil
}

// ioError reports an I/O failure without the path (which holds a session
// key): it matches djangosess.ErrUnavailable and the underlying errno.
func ioError(op string, err error) error {
	var pe *fs.PathError
	var le *os.LinkError
	switch {
	case errors.As(err, &pe):
		err = pe.Err
	case errors.As(err, &le):
		err = le.Err
	}
	return fmt.Errorf("%w: files: %s a session file: %w", djangosess.ErrUnavailable, op, err)
}
