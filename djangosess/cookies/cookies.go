package cookies

import (
	"context"
	"fmt"
	"time"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/serializer"
	"github.com/djangosess/djangosess/signing"
)

// Salt is the salt Django's signed_cookies backend signs with.
const Salt = "django.contrib.sessions.backends.signed_cookies"

var (
	v3_1 = djangosess.Version{Major: 3, Minor: 1}
	v4_0 = djangosess.Version{Major: 4}
)

// Config configures a Store. Only SecretKey is required.
type Config struct {
	// SecretKey is SECRET_KEY; FallbackKeys SECRET_KEY_FALLBACKS (read by
	// Django 4.1+ only, so ignored when Accept excludes those versions).
	SecretKey    []byte
	FallbackKeys [][]byte
	// Serializer is SESSION_SERIALIZER (nil: JSON).
	Serializer serializer.Codec
	// Accept is the range of Django versions whose cookies are read (the
	// zero value: any); Target the version new cookies are written for
	// (zero: the newest): sha1 before 3.1, DEFAULT_HASHING_ALGORITHM in
	// 3.1 and 3.2, sha256 from 4.0.
	Accept djangosess.Compat
	Target djangosess.Version
	// HashingAlgorithm is DEFAULT_HASHING_ALGORITHM ("sha1" or "sha256";
	// empty: sha256), which exists in Django 3.1 and 3.2 only.
	HashingAlgorithm string
	// CookieAge is SESSION_COOKIE_AGE, the signature's max age
	// (djangosess.DefaultCookieAge when zero).
	CookieAge time.Duration
	// MaxInput and MaxDecompressed bound what Load reads (see
	// signing.Config).
	MaxInput, MaxDecompressed int
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// Store reads and writes signed-cookie sessions. It is safe for
// concurrent use.
type Store struct {
	reader, writer *signing.TimestampSigner
	age            time.Duration
	now            func() time.Time
	serName        string
}

var _ djangosess.CookieStore = (*Store)(nil)

// New validates cfg and derives the signing keys, once.
func New(cfg Config) (*Store, error) {
	if cfg.CookieAge < 0 {
		return nil, fmt.Errorf("%w: negative CookieAge", djangosess.ErrConfig)
	}
	switch cfg.HashingAlgorithm {
	case "", "sha1", "sha256":
	default:
		return nil, fmt.Errorf("%w: DEFAULT_HASHING_ALGORITHM must be \"sha1\" or \"sha256\", not %q", djangosess.ErrConfig, cfg.HashingAlgorithm)
	}
	s := &Store{age: cfg.CookieAge, now: cfg.Now}
	if s.age == 0 {
		s.age = djangosess.DefaultCookieAge
	}
	if s.now == nil {
		s.now = time.Now
	}
	ser := cfg.Serializer
	if ser == nil {
		ser = serializer.JSON{}
	}
	s.serName = ser.Name()
	base := signing.Config{
		Key: cfg.SecretKey, Salt: Salt, Serializer: ser,
		MaxInput: cfg.MaxInput, MaxDecompressed: cfg.MaxDecompressed, Now: s.now,
	}

	rc := base
	primary, legacy, err := cfg.Accept.SignerAlgorithms(cfg.HashingAlgorithm)
	if err != nil {
		return nil, err
	}
	// A sha1 DEFAULT_HASHING_ALGORITHM (3.1/3.2) beside 4.0+, which signs
	// with sha256, must accept both.
	if primary == "sha1" && cfg.Accept.AcceptsOtherAlgorithms() && (cfg.Accept.Max.IsZero() || !cfg.Accept.Max.Less(v4_0)) {
		legacy = append(legacy, "sha256")
	}
	rc.Algorithm, rc.LegacyAlgorithms = primary, legacy
	if cfg.Accept.AcceptsFallbackKeys() {
		rc.FallbackKeys = cfg.FallbackKeys
	}
	if s.reader, err = signing.NewTimestampSigner(rc); err != nil {
		return nil, fmt.Errorf("cookies: %w", err)
	}

	wc := base
	target := cfg.Target
	if target.IsZero() {
		target = djangosess.Newest
	}
	switch {
	case target.Less(v3_1):
		wc.Algorithm = "sha1"
	case target.Less(v4_0):
		wc.Algorithm = cfg.HashingAlgorithm
		if wc.Algorithm == "" {
			wc.Algorithm = "sha256"
		}
	default:
		if cfg.HashingAlgorithm == "sha1" {
			return nil, fmt.Errorf("%w: DEFAULT_HASHING_ALGORITHM does not exist in Django %s", djangosess.ErrConfig, target)
		}
		wc.Algorithm = "sha256"
	}
	if s.writer, err = signing.NewTimestampSigner(wc); err != nil {
		return nil, fmt.Errorf("cookies: %w", err)
	}
	return s, nil
}

// Load verifies and decodes a cookie value, as Django's load() does with
// signing.loads(max_age=SESSION_COOKIE_AGE), except that failures are
// returned: errors matching signing.ErrBadSignature (signing.ErrExpired
// for a signature older than CookieAge), signing.ErrMalformed for a
// payload that is not a dict, signing.ErrTooLarge past the limits. The
// record's Expiry is the signing time plus CookieAge.
func (s *Store) Load(ctx context.Context, cookie string) (djangosess.Record, error) {
	if err := ctx.Err(); err != nil {
		return djangosess.Record{}, err
	}
	v, info, err := s.reader.VerifyObjectMaxAge(cookie, s.age)
	if err != nil {
		return djangosess.Record{}, err
	}
	d, ok := v.(*serializer.Dict)
	if !ok {
		return djangosess.Record{}, fmt.Errorf("%w: the session is a %s, not a dict", signing.ErrMalformed, v.Kind())
	}
	return djangosess.Record{
		Data:   d,
		Expiry: info.Time().Add(s.age),
		Size:   len(cookie),
		Stored: djangosess.Stored{Serializer: s.serName, Signed: true, Format: djangosess.FormatSigned,
			Algorithm: info.Algorithm, KeyIndex: info.KeyIndex, Timestamp: info.Timestamp, Compressed: len(cookie) > 0 && cookie[0] == '.'},
	}, nil
}

// Save signs r.Data as a new cookie value, timestamped now, compressed
// when that is shorter (signing.dumps(compress=True)). r.Expiry is not
// kept: the cookie's server-side lifetime is CookieAge from now.
func (s *Store) Save(ctx context.Context, r djangosess.Record) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	d := r.Data
	if d == nil {
		d = serializer.NewDict(0)
	}
	return s.writer.SignObjectAt(d, true, s.now().Unix())
}

// CookieAge returns the configured SESSION_COOKIE_AGE.
func (s *Store) CookieAge() time.Duration { return s.age }
