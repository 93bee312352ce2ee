package auth

import (
	"context"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/serializer"
	"github.com/djangosess/djangosess/signing"
)

// The session keys django.contrib.auth writes.
const (
	SessionKey        = "_auth_user_id"
	BackendSessionKey = "_auth_user_backend"
	HashSessionKey    = "_auth_user_hash"
)

// ModelBackend is Django's default authentication backend.
const ModelBackend = "django.contrib.auth.backends.ModelBackend"

// hashSalt is get_session_auth_hash's key_salt.
const hashSalt = "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash"

// User is what the session check needs of a user.
type User struct {
	// ID is the primary key as Django writes it into the session
	// (pk.value_to_string: "42", or a UUID's canonical form).
	ID string
	// Password is the encoded password field ("pbkdf2_sha256$...").
	Password string
	// Active is is_active; Django's ModelBackend treats an inactive user
	// as no user.
	Active bool
}

// ErrNoUser is returned by a Users source for an unknown id.
var ErrNoUser = errors.New("auth: no such user")

// Users finds users by primary key.
type Users interface {
	// User returns the user whose primary key is id, or ErrNoUser.
	User(ctx context.Context, id string) (User, error)
}

// UsersFunc adapts a function to Users.
type UsersFunc func(ctx context.Context, id string) (User, error)

// User calls f.
func (f UsersFunc) User(ctx context.Context, id string) (User, error) { return f(ctx, id) }

// Config mirrors the settings django.contrib.auth reads.
type Config struct {
	// SecretKey and FallbackKeys are SECRET_KEY and SECRET_KEY_FALLBACKS.
	SecretKey    []byte
	FallbackKeys [][]byte
	// Accept is the range of Django versions whose session hashes are
	// accepted (zero: all): the legacy sha1 hash of 3.1/3.2, fallback
	// keys from 4.1.8. Target is the version whose hash Login writes
	// (zero: the newest): sha1 before 3.1, DEFAULT_HASHING_ALGORITHM
	// (HashingAlgorithm) in 3.1/3.2, sha256 from 4.0.
	Accept           djangosess.Compat
	Target           djangosess.Version
	HashingAlgorithm string
	// Backends is AUTHENTICATION_BACKENDS (default: ModelBackend only).
	// A session naming another backend is anonymous, and not flushed.
	Backends []string
	// Users finds the user behind _auth_user_id. Required.
	Users Users
	// ReadOnly makes GetUser a pure check, for gateways that cannot send
	// a new cookie: a mismatch gives no user without flushing the
	// session, and a fallback-key match is accepted without cycling the
	// key or rewriting the hash.
	ReadOnly bool
}

// Auth checks and writes the auth keys of sessions. It is safe for
// concurrent use.
type Auth struct {
	cfg       Config
	algorithm string
	current   *signing.SaltedMAC   // SECRET_KEY, the target's algorithm
	legacy    *signing.SaltedMAC   // SECRET_KEY, sha1: the 3.1/3.2 legacy hash; nil when not accepted
	fallbacks []*signing.SaltedMAC // FallbackKeys, sha256 (4.1.8+); nil when not accepted
}

// New checks cfg.
func New(cfg Config) (*Auth, error) {
	if len(cfg.SecretKey) == 0 {
		return nil, fmt.Errorf("auth: %w", signing.ErrNoKey)
	}
	if cfg.Users == nil {
		return nil, fmt.Errorf("%w: auth needs a Users source", djangosess.ErrConfig)
	}
	if len(cfg.Backends) == 0 {
		cfg.Backends = []string{ModelBackend}
	}
	a := &Auth{cfg: cfg}
	target := cfg.Target
	if target.IsZero() {
		target = djangosess.Newest
	}
	switch {
	case target.Less(djangosess.Version{Major: 3, Minor: 1}):
		a.algorithm = "sha1"
	case target.Less(djangosess.Version{Major: 4}):
		a.algorithm = cfg.HashingAlgorithm
		if a.algorithm == "" {
			a.algorithm = "sha256"
		}
	default:
		if cfg.HashingAlgorithm == "sha1" {
			return nil, fmt.Errorf("%w: DEFAULT_HASHING_ALGORITHM does not exist in Django %s", djangosess.ErrConfig, target)
		}
		a.algorithm = "sha256"
	}
	if a.algorithm != "sha1" && a.algorithm != "sha256" {
		return nil, fmt.Errorf("%w: DEFAULT_HASHING_ALGORITHM must be sha1 or sha256", djangosess.ErrConfig)
	}
	lo, hi := cfg.Accept.Min, cfg.Accept.Max
	if lo.IsZero() {
		lo = djangosess.Oldest
	}
	if hi.IsZero() {
		hi = djangosess.Newest
	}
	mac := func(secret []byte, algorithm string) *signing.SaltedMAC {
		m, err := signing.NewSaltedMAC(hashSalt, secret, algorithm)
		if err != nil { // sha1 and sha256 always exist
			panic(err)
		}
		return m
	}
	a.current = mac(cfg.SecretKey, a.algorithm)
	if lo.Less(djangosess.Version{Major: 4}) && a.algorithm != "sha1" {
		a.legacy = mac(cfg.SecretKey, "sha1")
	}
	if !hi.Less(djangosess.Version{Major: 4, Minor: 1, Patch: 8}) {
		for _, k := range cfg.FallbackKeys {
			a.fallbacks = append(a.fallbacks, mac(k, "sha256"))
		}
	}
	return a, nil
}

// SessionHash is user.get_session_auth_hash(): the hex HMAC of the
// password field under SECRET_KEY, with the target's algorithm.
func (a *Auth) SessionHash(password string) string { return hashWith(a.current, password) }

func hashWith(m *signing.SaltedMAC, password string) string {
	return hex.EncodeToString(m.Sum([]byte(password)))
}

func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// GetUser is django.contrib.auth.get_user: the user the session is
// logged in as, or nil for an anonymous session. A session whose hash no
// longer matches the user's password (changed, or logged out everywhere)
// is flushed, as Django does; one that matches only under a fallback key
// gets a new key and the current hash (Django 4.1.8+). Errors are the
// Users source's and the store's, never a mismatch.
func (a *Auth) GetUser(ctx context.Context, s *djangosess.Session) (*User, error) {
	id, ok := userID(s)
	if !ok {
		return nil, s.Err()
	}
	backend, ok := s.String(BackendSessionKey)
	if !ok || !slices.Contains(a.cfg.Backends, backend) {
		return nil, nil
	}
	u, err := a.cfg.Users.User(ctx, id)
	if errors.Is(err, ErrNoUser) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !u.Active {
		return nil, nil
	}
	stored, _ := s.String(HashSessionKey)
	current := a.SessionHash(u.Password)
	if stored != "" && equal(stored, current) {
		return &u, nil
	}
	if stored != "" && a.legacy != nil && equal(stored, hashWith(a.legacy, u.Password)) {
		return &u, nil
	}
	if stored != "" {
		for _, m := range a.fallbacks {
			if equal(stored, hashWith(m, u.Password)) {
				if a.cfg.ReadOnly {
					return &u, nil
				}
				if err := s.CycleKey(ctx); err != nil {
					return nil, err
				}
				s.Set(HashSessionKey, serializer.Str(current))
				return &u, nil
			}
		}
	}
	if a.cfg.ReadOnly {
		return nil, nil
	}
	return nil, s.Flush(ctx)
}

// Rekey replaces, in session data d, a session hash made under one of the
// fallback keys with the current key's hash of the same password: what
// GetUser does on the user's next request (Django 4.1.8+), done ahead,
// so that a key can leave SECRET_KEY_FALLBACKS without logging out users
// who have not come back yet (djangosess resign uses it). It reports
// whether d changed; an anonymous session, an unknown user, or a hash
// that matches no fallback (current already, or stale) is left alone.
// Errors are the Users source's.
func (a *Auth) Rekey(ctx context.Context, d *serializer.Dict) (bool, error) {
	var id string
	switch v, _ := d.GetStr(SessionKey); x := v.(type) {
	case serializer.Str:
		id = string(x)
	case serializer.Int:
		id = fmt.Sprint(int64(x))
	case serializer.UUID:
		id = x.String()
	default:
		return false, nil
	}
	stored, ok := d.String(HashSessionKey)
	if !ok || stored == "" {
		return false, nil
	}
	u, err := a.cfg.Users.User(ctx, id)
	if errors.Is(err, ErrNoUser) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	current := a.SessionHash(u.Password)
	if equal(stored, current) {
		return false, nil
	}
	for _, m := range a.fallbacks {
		if equal(stored, hashWith(m, u.Password)) {
			d.SetStr(HashSessionKey, serializer.Str(current))
			return true, nil
		}
	}
	return false, nil
}

// userID is _auth_user_id as a string; Django writes a str, and reads an
// int too (pk.to_python).
func userID(s *djangosess.Session) (string, bool) {
	v, ok := s.Get(SessionKey)
	if !ok {
		return "", false
	}
	switch x := v.(type) {
	case serializer.Str:
		return string(x), true
	case serializer.Int:
		return fmt.Sprint(int64(x)), true
	case serializer.UUID:
		return x.String(), true
	}
	return "", false
}

// Login is django.contrib.auth.login: it flushes a session that belongs
// to someone else (or holds a stale hash), else cycles its key against
// session fixation, then writes the user's id, backend ("" means
// ModelBackend) and session hash. The caller saves the session (the
// middleware does). Django's login() also rotates the CSRF secret: a
// service that serves forms calls csrf.Checker.Rotate after Login.
func (a *Auth) Login(ctx context.Context, s *djangosess.Session, u User, backend string) error {
	if backend == "" {
		backend = a.cfg.Backends[0]
	}
	hash := a.SessionHash(u.Password)
	if id, ok := userID(s); ok {
		stored, _ := s.String(HashSessionKey)
		if id != u.ID || !equal(stored, hash) {
			if err := s.Flush(ctx); err != nil {
				return err
			}
		}
	} else if err := s.CycleKey(ctx); err != nil {
		return err
	}
	s.Set(SessionKey, serializer.Str(u.ID))
	s.Set(BackendSessionKey, serializer.Str(backend))
	s.Set(HashSessionKey, serializer.Str(hash))
	return nil
}

// Logout is django.contrib.auth.logout: the session is flushed.
func (a *Auth) Logout(ctx context.Context, s *djangosess.Session) error {
	return s.Flush(ctx)
}

// ReadOnly reports whether GetUser leaves sessions unchanged.
func (a *Auth) ReadOnly() bool { return a.cfg.ReadOnly }
