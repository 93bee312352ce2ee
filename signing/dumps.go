package signing

import (
	"time"

	"github.com/djangosess/djangosess/serializer"
)

// DefaultDumpsSalt is the salt of Dumps and Loads when none is given.
const DefaultDumpsSalt = "django.core.signing"

// DumpsOptions configures Dumps. Config.Salt defaults to DefaultDumpsSalt
// here; Config.Key is required.
type DumpsOptions struct {
	Config
	// Compress asks for zlib compression, used only when it makes the
	// serialized bytes at least two bytes shorter (Django's compress=True).
	Compress bool
}

// LoadsOptions configures Loads. Config.Salt defaults to DefaultDumpsSalt
// here; Config.Key is required.
type LoadsOptions struct {
	Config
	// MaxAge, when not nil, rejects values signed more than *MaxAge before
	// Config.Now with an *ExpiredError (Django's max_age; nil is
	// max_age=None; new(0*time.Second) expires everything dated before
	// Now). See TimestampSigner for how the age is measured.
	MaxAge *time.Duration
}

// Dumps returns a URL-safe, signed, timestamped string holding v, as
// Django's signing.dumps does: TimestampSigner(key, salt).sign_object(v,
// serializer, compress).
//
// Dumps builds a TimestampSigner, deriving its keys, on every call; reuse a
// TimestampSigner to sign many values.
func Dumps(v serializer.Value, opts DumpsOptions) (string, error) {
	s, err := NewTimestampSigner(dumpsConfig(opts.Config))
	if err != nil {
		return "", err
	}
	return s.SignObject(v, opts.Compress)
}

// Loads reverses Dumps, as Django's signing.loads does. The signature (with
// Config.Key, then Config.FallbackKeys) and the age are checked before the
// payload is decoded. Errors are those of TimestampSigner.UnsignObject and
// UnsignObjectMaxAge.
func Loads(s string, opts LoadsOptions) (serializer.Value, error) {
	ts, err := NewTimestampSigner(dumpsConfig(opts.Config))
	if err != nil {
		return nil, err
	}
	if opts.MaxAge != nil {
		return ts.UnsignObjectMaxAge(s, *opts.MaxAge)
	}
	return ts.UnsignObject(s)
}

func dumpsConfig(c Config) Config {
	c.Salt = orDefault(c.Salt, DefaultDumpsSalt)
	return c
}
