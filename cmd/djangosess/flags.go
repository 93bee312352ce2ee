package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/serializer"
	"github.com/djangosess/djangosess/signing"
)

// commonFlags are the flags every data command shares.
type commonFlags struct {
	secrets   secretSource
	django    string
	algorithm string
	maxAge    string
	now       string
	lines     bool
}

func (c *commonFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.secrets.keyFile, "secret-key-file", "", "read SECRET_KEY from `PATH` (default: $DJANGO_SECRET_KEY)")
	fs.StringVar(&c.secrets.fallbackFile, "fallback-keys-file", "", "read SECRET_KEY_FALLBACKS from `PATH`, one per line (default: $DJANGO_SECRET_KEY_FALLBACKS, newline-separated)")
	fs.StringVar(&c.django, "django", "", "behave as Django `VERSION` (what to accept when reading, what to write); default: accept every version 1.11–6.0, write the newest format")
	fs.StringVar(&c.algorithm, "algorithm", "", "signature hash `NAME` (with --salt or for sign/unsign: any hashlib name Django accepts; for session data: DEFAULT_HASHING_ALGORITHM of Django 3.1/3.2, sha1 or sha256)")
	fs.StringVar(&c.maxAge, "max-age", "", "reject signatures older than `SECONDS` (fractions allowed)")
	fs.StringVar(&c.now, "now", "", "judge age as of Unix time `UNIX` (fractions allowed; default: the clock)")
	fs.BoolVar(&c.lines, "lines", false, "treat every input line as one item; print one output line per item")
}

// keys loads the secret key and its fallbacks.
func (c *commonFlags) keys(e *env) ([]byte, [][]byte, error) {
	return c.secrets.load(e.getenv)
}

// version returns the --django version (zero when unset).
func (c *commonFlags) version() (djangosess.Version, error) {
	if c.django == "" {
		return djangosess.Version{}, nil
	}
	v, err := djangosess.ParseVersion(c.django)
	if err != nil {
		return v, usageErrorf("--django: %v", err)
	}
	return v, nil
}

// compat is what to accept: one version with --django, all without.
func (c *commonFlags) compat() (djangosess.Compat, error) {
	v, err := c.version()
	if err != nil || v.IsZero() {
		return djangosess.Compat{}, err
	}
	return djangosess.Strict(v), nil
}

// clock returns the --now clock, or nil for the real one.
func (c *commonFlags) clock() (func() time.Time, error) {
	if c.now == "" {
		return nil, nil
	}
	f, err := strconv.ParseFloat(c.now, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, usageErrorf("--now: want Unix seconds, got %q", c.now)
	}
	sec, frac := math.Modf(f)
	t := time.Unix(int64(sec), int64(math.Round(frac*1e9)))
	return func() time.Time { return t }, nil
}

// maxAgeDuration returns the --max-age limit; ok is false when unset.
func (c *commonFlags) maxAgeDuration() (d time.Duration, ok bool, err error) {
	if c.maxAge == "" {
		return 0, false, nil
	}
	f, err := strconv.ParseFloat(c.maxAge, 64)
	if err != nil || math.IsNaN(f) || math.Abs(f) > float64(math.MaxInt64)/1e9 {
		return 0, false, usageErrorf("--max-age: want seconds, got %q", c.maxAge)
	}
	return time.Duration(f * 1e9), true, nil
}

// serializerFlag selects SESSION_SERIALIZER.
func serializerByName(name string) (serializer.Codec, error) {
	switch name {
	case "", "json":
		return serializer.JSON{}, nil
	}
	return newPickleSerializer(name)
}

// parseTimestamp parses --timestamp (whole Unix seconds, as Django signs).
func parseTimestamp(s string) (int64, bool, error) {
	if s == "" {
		return 0, false, nil
	}
	ts, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, false, usageErrorf("--timestamp: want whole Unix seconds, got %q", s)
	}
	return ts, true, nil
}

// parseInterspersed parses flags that may come before or after the
// positional arguments, and returns the positional ones.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := parseFlags(fs, args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// oneInput returns the single item: the positional argument, or stdin with
// its final newline removed.
func oneInput(pos []string, e *env) ([]byte, error) {
	switch len(pos) {
	case 0:
		b, err := io.ReadAll(io.LimitReader(e.stdin, maxStdin+1))
		if err != nil {
			return nil, fmt.Errorf("reading stdin: %w", err)
		}
		if len(b) > maxStdin {
			return nil, fmt.Errorf("%w: stdin over %d bytes", signing.ErrTooLarge, maxStdin)
		}
		return trimEOL(b), nil
	case 1:
		return []byte(pos[0]), nil
	}
	return nil, usageErrorf("want at most one argument, got %d", len(pos))
}

const maxStdin = 64 << 20

// reason is the one-word-or-two class of a rejection, as printed on stderr
// and in --lines error items.
func reason(err error) string {
	switch {
	case errors.Is(err, djangosess.ErrNotFound):
		return "not found"
	case errors.Is(err, djangosess.ErrExists):
		return "key exists"
	case errors.Is(err, djangosess.ErrVanished):
		return "vanished"
	case errors.Is(err, djangosess.ErrInvalidKey):
		return "invalid key"
	case errors.Is(err, djangosess.ErrUnavailable):
		return "store unavailable"
	case errors.Is(err, context.DeadlineExceeded):
		return "timed out"
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, signing.ErrExpired):
		return "expired"
	case errors.Is(err, signing.ErrBadSignature):
		return "bad signature"
	case errors.Is(err, signing.ErrTooLarge), errors.Is(err, serializer.ErrTooLarge):
		return "too large"
	case errors.Is(err, serializer.ErrUnsupported), errors.Is(err, djangosess.ErrConfig):
		return "unsupported"
	default:
		return "malformed"
	}
}

// errorItem is decode's --lines line for a rejected item.
func errorItem(dst []byte, err error) []byte {
	dst = append(dst, `{"$error":"`...)
	dst = append(dst, reason(err)...)
	return append(dst, `"}`...)
}

// emptyItem is encode's --lines line for a rejected item.
func emptyItem(dst []byte, _ error) []byte { return dst }

// linesResult turns a --lines run's outcome into the command's error.
func linesResult(bad int, err error) error {
	if err != nil {
		return err
	}
	if bad > 0 {
		return errSomeRejected
	}
	return nil
}
