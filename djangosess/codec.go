package djangosess

import (
	"fmt"
	"strings"
	"time"

	"github.com/djangosess/djangosess/serializer"
	"github.com/djangosess/djangosess/signing"
)

// DefaultSessionClass is the __qualname__ of every built-in session store
// class (db, cache, cached_db, file), and so the class whose salt they share.
const DefaultSessionClass = "SessionStore"

// CodecConfig configures a Codec. The zero value of every field but
// SecretKey means its documented default.
type CodecConfig struct {
	// SecretKey is SECRET_KEY. Required.
	SecretKey []byte
	// FallbackKeys is SECRET_KEY_FALLBACKS, tried in order when reading,
	// where Accept includes Django ≥ 4.1.
	FallbackKeys [][]byte
	// SessionClass is the __qualname__ of the session store class, which
	// names the salt: "django.contrib.sessions." + SessionClass (and, for
	// the legacy format, "django.contrib.sessions" + its last component).
	// Empty means DefaultSessionClass.
	SessionClass string
	// Serializer is SESSION_SERIALIZER. Nil means serializer.JSON{}.
	Serializer serializer.Codec
	// Accept is the range of Django versions whose data Decode accepts.
	// The zero Compat accepts what any of them wrote; Strict(v) behaves as
	// Django v does.
	Accept Compat
	// Target is the Django version Encode writes for. Zero means Newest.
	// Before 3.1 the legacy format is written; from 3.1 the signed format.
	Target Version
	// HashingAlgorithm is Django 3.1/3.2's DEFAULT_HASHING_ALGORITHM:
	// "sha256" (the default) or "sha1". With "sha1", Django 3.1.1–3.2
	// write the legacy format, 3.1.0 writes the signed format with a sha1
	// signature, and those versions accept only sha1 signatures. It must
	// be empty or "sha256" for a Target of 4.0 or later, where the setting
	// no longer exists.
	HashingAlgorithm string
	// MaxInput bounds the length of session_data Decode accepts, and
	// MaxDecompressed what it may inflate to; zero means the signing
	// package's defaults (4 MiB and 2 MiB). Both give ErrTooLarge.
	MaxInput, MaxDecompressed int
	// Now is the clock whose time Encode writes into the signature. Nil
	// means time.Now. Django ignores the timestamp of session data.
	Now func() time.Time
}

// String describes c without its keys.
func (c CodecConfig) String() string {
	ser := "json"
	if c.Serializer != nil {
		ser = c.Serializer.Name()
	}
	return fmt.Sprintf("djangosess.CodecConfig{SecretKey: [redacted], FallbackKeys: %d, SessionClass: %q, Serializer: %s, Accept: %v, Target: %v}",
		len(c.FallbackKeys), c.sessionClass(), ser, c.Accept, c.Target.orNewest())
}

// GoString is String, so that %#v does not print the keys either.
func (c CodecConfig) GoString() string { return c.String() }

func (c CodecConfig) sessionClass() string {
	if c.SessionClass == "" {
		return DefaultSessionClass
	}
	return c.SessionClass
}

// Format is the shape of a session_data string.
type Format uint8

// The session_data formats.
const (
	// FormatSigned is Django 3.1+'s signing.dumps format:
	// "[.]<b64 payload>:<b62 timestamp>:<b64 signature>".
	FormatSigned Format = iota
	// FormatLegacy is Django ≤ 3.0's base64("<sha1 hex>:<payload>").
	FormatLegacy
)

func (f Format) String() string {
	if f == FormatLegacy {
		return "legacy"
	}
	return "signed"
}

// Decoded is a session_data string taken apart.
type Decoded struct {
	// Data is the session dict.
	Data *serializer.Dict
	// Format is the format the data was in.
	Format Format
	// Algorithm is the hash of the signature that matched ("sha1" for
	// legacy data).
	Algorithm string
	// KeyIndex is 0 when SECRET_KEY verified the data and i when
	// FallbackKeys[i-1] did: such data should be written again.
	KeyIndex int
	// Timestamp is the signing time (Unix seconds) of signed data; 0 for legacy.
	Timestamp int64
	// Compressed reports a zlib-compressed payload.
	Compressed bool
}

// Codec encodes and decodes session_data exactly as Django's
// SessionBase.encode and decode do, for the configured Django versions.
// A Codec is safe for concurrent use.
type Codec struct {
	cfg      CodecConfig
	ser      serializer.Codec
	reader   *signing.TimestampSigner // verifies, with every accepted key and algorithm
	writer   *signing.TimestampSigner // signs for Target (nil when Target writes legacy)
	legacy   *legacyCodec             // nil when legacy is neither read nor written
	readsNew bool
	readsOld bool
}

// NewCodec validates cfg and builds a Codec. The signing keys are derived
// here, once.
func NewCodec(cfg CodecConfig) (*Codec, error) {
	if len(cfg.SecretKey) == 0 {
		return nil, fmt.Errorf("djangosess: %w", signing.ErrNoKey)
	}
	c := &Codec{cfg: cfg, ser: cfg.Serializer}
	if c.ser == nil {
		c.ser = serializer.JSON{}
	}
	switch cfg.HashingAlgorithm {
	case "", "sha256", "sha1":
	default:
		return nil, fmt.Errorf("%w: DEFAULT_HASHING_ALGORITHM must be \"sha1\" or \"sha256\", not %q", ErrConfig, cfg.HashingAlgorithm)
	}
	target := cfg.Target.orNewest()
	if cfg.HashingAlgorithm == "sha1" && !target.Less(v4_0) {
		return nil, fmt.Errorf("%w: DEFAULT_HASHING_ALGORITHM does not exist in Django %s", ErrConfig, target)
	}
	class := cfg.sessionClass()
	base := signing.Config{
		Key:             cfg.SecretKey,
		Salt:            "django.contrib.sessions." + class,
		Serializer:      c.ser,
		MaxInput:        cfg.MaxInput,
		MaxDecompressed: cfg.MaxDecompressed,
		Now:             cfg.Now,
	}

	c.readsNew = cfg.Accept.AcceptsNewFormat()
	c.readsOld = cfg.Accept.AcceptsLegacy()
	if c.readsNew {
		rc := base
		rc.Algorithm, rc.LegacyAlgorithms = cfg.Accept.algorithms(cfg.HashingAlgorithm)
		if cfg.Accept.AcceptsFallbackKeys() {
			rc.FallbackKeys = cfg.FallbackKeys
		}
		r, err := signing.NewTimestampSigner(rc)
		if err != nil {
			return nil, fmt.Errorf("djangosess: %w", err)
		}
		c.reader = r
	}

	writeLegacy := target.Less(v3_1) || (cfg.HashingAlgorithm == "sha1" && !target.Less(v3_1_1))
	if !writeLegacy {
		wc := base
		wc.Algorithm = "sha256"
		if cfg.HashingAlgorithm == "sha1" { // 3.1.0
			wc.Algorithm = "sha1"
		}
		w, err := signing.NewTimestampSigner(wc)
		if err != nil {
			return nil, fmt.Errorf("djangosess: %w", err)
		}
		c.writer = w
	}
	if c.readsOld || writeLegacy {
		c.legacy = newLegacyCodec(cfg.SecretKey, class, c.ser, cfg.MaxInput)
	}
	return c, nil
}

// algorithms returns the signature algorithms the range accepts, the first
// being the one Django's Signer is configured with.
func (c Compat) algorithms(hashing string) (primary string, legacy []string) {
	_, hi := c.bounds()
	primary = "sha256"
	if hashing == "sha1" && hi.Less(v4_0) {
		primary = "sha1"
	}
	if !c.AcceptsOtherAlgorithms() {
		return "sha1", nil
	}
	if primary != "sha1" && c.AcceptsSHA1() {
		legacy = []string{"sha1"}
	}
	if primary == "sha1" && c.includes(v4_0, forever) {
		legacy = []string{"sha256"}
	}
	return primary, legacy
}

// Decode returns the session dict stored in data.
//
// Unlike Django, which turns every failure into an empty session, it
// returns an error: one matching signing.ErrBadSignature when no accepted
// key verifies the data (or its format is one the Accept range does not
// read: ErrNotAccepted), signing.ErrMalformed when the verified data does
// not parse, signing.ErrTooLarge past the configured limits.
func (c *Codec) Decode(data string) (*serializer.Dict, error) {
	d, err := c.DecodeInfo(data)
	return d.Data, err
}

// DecodeInfo is Decode, also reporting the format, key and algorithm that
// verified the data.
func (c *Codec) DecodeInfo(data string) (Decoded, error) {
	return c.decodeInfo(data, nil)
}

// decodeInfo is DecodeInfo, with r (when not nil) verifying and decoding
// signed data.
func (c *Codec) decodeInfo(data string, r *signing.ObjectReader) (Decoded, error) {
	// A signed string always holds ":"; standard base64 never does.
	if hasColon(data) {
		if !c.readsNew {
			return Decoded{}, notAccepted(FormatSigned, c.cfg.Accept)
		}
		return c.decodeSigned(data, r)
	}
	if !c.readsOld {
		// Django ≥ 4.0 reports a bad signature: no ":" found.
		return Decoded{}, notAccepted(FormatLegacy, c.cfg.Accept)
	}
	return c.legacy.decode(data)
}

func (c *Codec) decodeSigned(data string, r *signing.ObjectReader) (Decoded, error) {
	var v serializer.Value
	var ver signing.Verified
	var err error
	if r != nil {
		v, ver, err = r.VerifyObject(data)
	} else {
		v, ver, err = c.reader.VerifyObject(data)
	}
	if err != nil {
		return Decoded{}, err
	}
	dict, err := asDict(v)
	if err != nil {
		return Decoded{}, err
	}
	return Decoded{
		Data:       dict,
		Format:     FormatSigned,
		Algorithm:  ver.Algorithm,
		KeyIndex:   ver.KeyIndex,
		Timestamp:  ver.Timestamp,
		Compressed: strings.HasPrefix(ver.Value, "."),
	}, nil
}

// hasColon is strings.Contains(s, ":"), looking first at the end, where
// a signed string has the colon before its signature.
func hasColon(s string) bool {
	tail := s[max(0, len(s)-100):]
	return strings.IndexByte(tail, ':') >= 0 || strings.IndexByte(s[:len(s)-len(tail)], ':') >= 0
}

func asDict(v serializer.Value) (*serializer.Dict, error) {
	d, ok := v.(*serializer.Dict)
	if !ok {
		return nil, fmt.Errorf("%w: session data is a %s, not a dict", signing.ErrMalformed, v.Kind())
	}
	return d, nil
}

// Encode returns d as the target Django version's SessionBase.encode would,
// signed now (by the configured clock).
func (c *Codec) Encode(d *serializer.Dict) (string, error) {
	if c.writer == nil {
		return c.legacy.encode(d)
	}
	return c.writer.SignObject(d, true)
}

// EncodeAt is Encode with the given signing time (Unix seconds), so that
// the output is reproducible. Legacy data has no timestamp.
func (c *Codec) EncodeAt(d *serializer.Dict, ts int64) (string, error) {
	if c.writer == nil {
		return c.legacy.encode(d)
	}
	return c.writer.SignObjectAt(d, true, ts)
}

// Serializer returns the serializer the codec uses.
func (c *Codec) Serializer() serializer.Codec { return c.ser }
