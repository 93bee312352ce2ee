package main

import (
	"bytes"
	"fmt"
	"os"
)

// Secrets are read from a file or the environment, never from argv, where
// every user of the machine could read them.
const (
	envSecretKey    = "DJANGO_SECRET_KEY"
	envFallbackKeys = "DJANGO_SECRET_KEY_FALLBACKS"
)

// secretSource says where the signing keys come from.
type secretSource struct {
	keyFile      string // --secret-key-file
	fallbackFile string // --fallback-keys-file
}

// load returns SECRET_KEY and SECRET_KEY_FALLBACKS. A key file holds the key
// with at most one trailing newline; a fallback file holds one key per line
// (blank lines are skipped). Error messages name the source, never the key.
func (s secretSource) load(getenv func(string) string) (key []byte, fallbacks [][]byte, err error) {
	switch {
	case s.keyFile != "":
		b, err := os.ReadFile(s.keyFile)
		if err != nil {
			return nil, nil, usageErrorf("reading --secret-key-file: %v", err)
		}
		key = trimOneEOL(b)
	case getenv(envSecretKey) != "":
		key = []byte(getenv(envSecretKey))
	}
	if len(key) == 0 {
		return nil, nil, usageErrorf("no secret key: set %s or pass --secret-key-file PATH", envSecretKey)
	}
	var list []byte
	switch {
	case s.fallbackFile != "":
		list, err = os.ReadFile(s.fallbackFile)
		if err != nil {
			return nil, nil, usageErrorf("reading --fallback-keys-file: %v", err)
		}
	default:
		list = []byte(getenv(envFallbackKeys))
	}
	for _, line := range bytes.Split(list, []byte("\n")) {
		line = bytes.TrimSuffix(line, []byte("\r"))
		if len(line) > 0 {
			fallbacks = append(fallbacks, line)
		}
	}
	return key, fallbacks, nil
}

func trimOneEOL(b []byte) []byte {
	if bytes.HasSuffix(b, []byte("\r\n")) {
		return b[:len(b)-2]
	}
	return bytes.TrimSuffix(b, []byte("\n"))
}

// usageError is a mistake in how the command was called: exit status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usageErrorf(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}
