package djangosess

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/djangosess/djangosess/keys"
	"github.com/djangosess/djangosess/serializer"
)

// SessionConfig is what a Session needs of Django's settings.
type SessionConfig struct {
	// CookieAge is SESSION_COOKIE_AGE (DefaultCookieAge when zero).
	CookieAge time.Duration
	// ExpireAtBrowserClose is SESSION_EXPIRE_AT_BROWSER_CLOSE.
	ExpireAtBrowserClose bool
	// Target is the Django version the session is written for; it
	// decides how SetExpiryTime stores _session_expiry (a datetime up to
	// 4.0, an ISO 8601 string from 4.1). Zero: the newest.
	Target Version
	// Location is TIME_ZONE under USE_TZ = False: naive datetimes are
	// wall clock there. Nil means USE_TZ = True (aware UTC).
	Location *time.Location
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

func (c *SessionConfig) cookieAge() time.Duration {
	if c.CookieAge <= 0 {
		return DefaultCookieAge
	}
	return c.CookieAge
}

func (c *SessionConfig) now() time.Time {
	var t time.Time
	if c.Now != nil {
		t = c.Now()
	} else {
		t = time.Now()
	}
	return t.Truncate(time.Microsecond) // Python's datetime resolution
}

// Session is one request's session, with the semantics of Django's
// SessionBase: the data is loaded lazily, on first access; reads set
// Accessed, writes set Modified; Save, CycleKey and Flush behave as their
// Django namesakes. A Session is not safe for concurrent use (neither is
// Django's).
//
// Like Django, a session whose stored data is missing, expired or does
// not verify starts empty under no key (a new key is drawn on save). Unlike
// Django, a store failure (ErrUnavailable, a cancelled context) does not
// silently give an empty session: Err reports it, and Save refuses to
// overwrite what it could not read.
type Session struct {
	ctx     context.Context
	store   Store
	cookies CookieStore
	cfg     SessionConfig

	key      string
	data     *serializer.Dict
	loaded   bool
	accessed bool
	modified bool
	err      error
	// loadErr is the error that made a stored session unreadable
	// (missing, expired, bad signature), for reports.
	loadErr error
}

// NewSession returns the session stored under key in store, loaded on
// first use with ctx. An empty key, or one Django would ignore (shorter
// than 8 characters), starts a new session.
func NewSession(ctx context.Context, store Store, key string, cfg SessionConfig) *Session {
	s := &Session{ctx: ctx, store: store, cfg: cfg}
	// Django's _validate_session_key: 8 characters or more. What else a
	// store refuses (the file backend's charset, the db column's length)
	// is found when the session loads, which then drops the key.
	if store != nil && len(key) >= keys.MinLength {
		s.key = key
	}
	return s
}

// NewCookieSession returns the signed_cookies session whose cookie value
// is cookie (empty: a new session).
func NewCookieSession(ctx context.Context, store CookieStore, cookie string, cfg SessionConfig) *Session {
	s := &Session{ctx: ctx, cookies: store, cfg: cfg}
	if store != nil && len(cookie) >= keys.MinLength {
		s.key = cookie
	}
	return s
}

// Key is the session key (for signed_cookies, the cookie value); empty
// when the session has none yet.
func (s *Session) Key() string { return s.key }

// Err is the store failure met while loading, if any.
func (s *Session) Err() error { return s.err }

// LoadError is why the stored session could not be used and the session
// started empty (ErrNotFound, a bad or expired signature, a decode
// error); nil when it loaded or there was no key.
func (s *Session) LoadError() error { return s.loadErr }

// Accessed reports whether the data was read or written.
func (s *Session) Accessed() bool { return s.accessed }

// Modified reports whether the data was changed (and so will be saved).
func (s *Session) Modified() bool { return s.modified }

// MarkModified records a change made in place to a nested value, which
// the session cannot see (Django's request.session.modified = True).
func (s *Session) MarkModified() { s.modified = true }

// IsEmpty is Django's is_empty(): no key and nothing loaded.
func (s *Session) IsEmpty() bool {
	return s.key == "" && (!s.loaded || s.data.Len() == 0)
}

// load fills the data on first use, as Django's _get_session.
func (s *Session) load() *serializer.Dict {
	s.accessed = true
	if s.loaded {
		return s.data
	}
	s.loaded = true
	s.data = serializer.NewDict(0)
	if s.key == "" {
		return s.data
	}
	var r Record
	var err error
	if s.store != nil {
		r, err = s.store.Load(s.ctx, s.key)
	} else {
		r, err = s.cookies.Load(s.ctx, s.key)
	}
	switch {
	case err == nil:
		s.data = r.Data
	case errors.Is(err, ErrUnavailable), s.ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)):
		s.err = err
	default:
		// Missing, expired, tampered, undecodable: Django drops the key
		// (its file and db backends call create() or set None) and
		// starts over.
		// (Django's db backend keeps the key of a row whose data does
		// not verify and overwrites it on save; a new key is no worse.)
		s.loadErr = err
		s.key = ""
		if s.cookies != nil {
			s.modified = true // Django's signed_cookies load() calls create()
		}
	}
	return s.data
}

// Data returns the session dict (loading it). Changes made to it directly
// need MarkModified.
func (s *Session) Data() *serializer.Dict { return s.load() }

// Get returns session[key].
func (s *Session) Get(key string) (serializer.Value, bool) { return s.load().GetStr(key) }

// String returns session[key] when it is a str.
func (s *Session) String(key string) (string, bool) { return s.load().String(key) }

// Int64 returns session[key] when it is an int that fits an int64.
func (s *Session) Int64(key string) (int64, bool) { return s.load().Int64(key) }

// Float64 returns session[key] when it is a float (or an int a float64
// holds exactly).
func (s *Session) Float64(key string) (float64, bool) { return s.load().Float64(key) }

// Bool returns session[key] when it is a bool.
func (s *Session) Bool(key string) (bool, bool) { return s.load().Bool(key) }

// Time returns session[key] when it is a datetime.
func (s *Session) Time(key string) (time.Time, bool) { return s.load().Time(key) }

// Keys returns the session's keys in insertion order.
func (s *Session) Keys() []string { return s.load().Keys() }

// Len returns the number of keys.
func (s *Session) Len() int { return s.load().Len() }

// Set sets session[key] = v.
func (s *Session) Set(key string, v serializer.Value) {
	s.load().SetStr(key, v)
	s.modified = true
}

// SetGo sets session[key] to a plain Go value (see serializer.FromGo).
func (s *Session) SetGo(key string, v any) error {
	pv, err := serializer.FromGo(v)
	if err != nil {
		return err
	}
	s.Set(key, pv)
	return nil
}

// Pop deletes session[key] and returns it, as Django's pop(): the session
// is modified only when the key was there.
func (s *Session) Pop(key string) (serializer.Value, bool) {
	d := s.load()
	v, ok := d.GetStr(key)
	if ok {
		d.DeleteStr(key)
		s.modified = true
	}
	return v, ok
}

// Clear empties the session without loading it, as Django's clear().
func (s *Session) Clear() {
	s.data = serializer.NewDict(0)
	s.loaded = true
	s.accessed = true
	s.modified = true
}

// Expiry setters: Django's set_expiry in each of its forms.

// SetExpirySeconds is set_expiry(n): expire after n seconds of
// inactivity (0: at browser close). Every Django version reads it.
func (s *Session) SetExpirySeconds(n int64) { s.Set(ExpiryKey, serializer.Int(n)) }

// SetExpiryAtBrowserClose is set_expiry(0).
func (s *Session) SetExpiryAtBrowserClose() { s.SetExpirySeconds(0) }

// SetExpiryTime is set_expiry(datetime), and set_expiry(timedelta) with
// Now()+d: from Django 4.1 the ISO 8601 string, before that the datetime
// itself (which only the pickle serializer can store; with JSON the save
// fails, as in Django). The time is written aware in UTC, or as a naive
// wall clock in Location under USE_TZ = False.
func (s *Session) SetExpiryTime(t time.Time) {
	s.Set(ExpiryKey, ExpiryValue(t, s.cfg.Target, s.cfg.Location))
}

// ExpiryValue is what Django's set_expiry(t) stores in _session_expiry
// for the target version: the ISO 8601 string from 4.1, the datetime
// before (zero target: the newest); aware UTC, or a naive wall clock in
// loc when loc is set (USE_TZ = False).
func ExpiryValue(t time.Time, target Version, loc *time.Location) serializer.Value {
	var dt serializer.DateTime
	if loc != nil {
		dt = serializer.DateTimeOf(t.In(loc))
		dt.TZ = nil
	} else {
		dt = serializer.DateTimeOf(t.UTC())
	}
	if target.orNewest().Less(v4_1) {
		return dt
	}
	iso, err := dt.ISOFormat()
	if err != nil { // years outside 1–9999
		return dt
	}
	return serializer.Str(iso)
}

// SetExpiryIn is set_expiry(timedelta(d)): the time Now()+d.
func (s *Session) SetExpiryIn(d time.Duration) { s.SetExpiryTime(s.cfg.now().Add(d)) }

// ClearExpiry is set_expiry(None): back to the default.
func (s *Session) ClearExpiry() {
	if _, ok := s.load().GetStr(ExpiryKey); ok {
		s.Pop(ExpiryKey)
	}
}

// ExpiryAge is Django's get_expiry_age(), in seconds: the cookie age when
// _session_expiry is absent or 0, the number it holds, or the whole
// seconds until the moment it holds (floored; negative once past).
func (s *Session) ExpiryAge() (int64, error) {
	v, ok := s.load().GetStr(ExpiryKey)
	if !ok {
		return int64(s.cfg.cookieAge() / time.Second), nil
	}
	switch x := v.(type) {
	case serializer.None:
		return int64(s.cfg.cookieAge() / time.Second), nil
	case serializer.Int:
		if x == 0 {
			return int64(s.cfg.cookieAge() / time.Second), nil
		}
		return int64(x), nil
	case serializer.Bool:
		if x {
			return 1, nil
		}
		return int64(s.cfg.cookieAge() / time.Second), nil
	}
	t, err := ExpiryDate(s.data, s.cfg.now(), s.cfg.cookieAge(), s.cfg.Location)
	if err != nil {
		return 0, err
	}
	us := t.Sub(s.cfg.now()).Microseconds()
	secs := us / 1e6
	if us%1e6 < 0 {
		secs--
	}
	return secs, nil
}

// ExpiryDate is Django's get_expiry_date().
func (s *Session) ExpiryDate() (time.Time, error) {
	return ExpiryDate(s.load(), s.cfg.now(), s.cfg.cookieAge(), s.cfg.Location)
}

// ExpireAtBrowserClose is Django's get_expire_at_browser_close().
func (s *Session) ExpireAtBrowserClose() bool {
	return ExpiresAtBrowserClose(s.load(), s.cfg.ExpireAtBrowserClose)
}

// Save stores the session, as Django's save(): under a new key (drawn
// until free) when it has none, else as an update, which fails with
// ErrVanished when the stored session disappeared meanwhile (Django's
// UpdateError). A session whose load failed with Err is not saved.
func (s *Session) Save(ctx context.Context) error {
	if s.err != nil {
		return fmt.Errorf("djangosess: not saving a session that could not be loaded: %w", s.err)
	}
	d := s.load()
	if s.store == nil && s.cookies == nil {
		return fmt.Errorf("%w: the session has no store", ErrConfig)
	}
	if s.cookies != nil {
		c, err := s.cookies.Save(ctx, Record{Data: d})
		if err != nil {
			return err
		}
		s.key = c
		return nil
	}
	exp, err := s.ExpiryDate()
	if err != nil {
		return err
	}
	r := Record{Data: d, Expiry: exp}
	if s.key == "" {
		return s.create(ctx, r)
	}
	return s.store.Save(ctx, s.key, r)
}

// create is Django's create(): a new key, stored with must-create.
func (s *Session) create(ctx context.Context, r Record) error {
	key, err := CreateNew(ctx, s.store, r)
	if err != nil {
		return err
	}
	s.key = key
	s.modified = true
	return nil
}

// CycleKey moves the data to a new key and deletes the old one, as
// Django's cycle_key() (which login() calls against session fixation).
func (s *Session) CycleKey(ctx context.Context) error {
	if s.err != nil {
		return fmt.Errorf("djangosess: not cycling a session that could not be loaded: %w", s.err)
	}
	d := s.load()
	if s.store == nil && s.cookies == nil {
		return fmt.Errorf("%w: the session has no store", ErrConfig)
	}
	if s.cookies != nil { // signed_cookies: cycle_key is save()
		return s.Save(ctx)
	}
	old := s.key
	exp, err := s.ExpiryDate()
	if err != nil {
		return err
	}
	if err := s.create(ctx, Record{Data: d, Expiry: exp}); err != nil {
		return err
	}
	if old != "" {
		return s.store.Delete(ctx, old)
	}
	return nil
}

// Flush empties the session, deletes the stored record and drops the key,
// as Django's flush() (which logout() calls).
func (s *Session) Flush(ctx context.Context) error {
	s.Clear()
	s.err = nil
	old := s.key
	s.key = ""
	if old != "" && s.store != nil {
		return s.store.Delete(ctx, old)
	}
	return nil
}
