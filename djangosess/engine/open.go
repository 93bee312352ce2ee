package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/cookies"
)

// Opened is an open session store.
type Opened struct {
	// Engine is the engine's short name (db, file, cache, cached_db,
	// signed_cookies).
	Engine string
	// Store is the keyed store; nil for signed_cookies.
	Store djangosess.Store
	// Cookies is the signed_cookies store; nil for the others.
	Cookies *cookies.Store
	// Migrate creates the session table as Django's migration does; nil
	// for the engines without a database.
	Migrate func(ctx context.Context) error
	// Django is the target version and Location the zone of naive
	// datetimes (nil under USE_TZ = True), from the settings.
	Django   djangosess.Version
	Location *time.Location

	now     func() time.Time
	closers []func() error
}

// Load loads a session by key, or by cookie value for signed_cookies. A
// cookie that does not verify is ErrNotFound there too, beside its
// signing error.
func (o *Opened) Load(ctx context.Context, key string) (djangosess.Record, error) {
	if o.Store != nil {
		return o.Store.Load(ctx, key)
	}
	r, err := o.Cookies.Load(ctx, key)
	if err != nil && ctx.Err() == nil {
		err = errors.Join(djangosess.ErrNotFound, err)
	}
	return r, err
}

// New creates a session under a fresh key and returns the key (for
// signed_cookies, the cookie value).
func (o *Opened) New(ctx context.Context, r djangosess.Record) (string, error) {
	if o.Store != nil {
		return djangosess.CreateNew(ctx, o.Store, r)
	}
	return o.Cookies.Save(ctx, r)
}

// Now is the settings' clock.
func (o *Opened) Now() time.Time { return o.now() }

// Close releases the connections.
func (o *Opened) Close() error {
	var errs []error
	for i := len(o.closers) - 1; i >= 0; i-- {
		errs = append(errs, o.closers[i]())
	}
	o.closers = nil
	return errors.Join(errs...)
}

// Open builds the store s describes. It connects lazily where the driver
// does (the first operation reports an unreachable server, as
// djangosess.ErrUnavailable).
func Open(ctx context.Context, s Settings) (*Opened, error) {
	name, err := EngineName(s.Engine)
	if err != nil {
		return nil, err
	}
	if s.Now == nil {
		s.Now = time.Now
	}
	if s.CookieAge == 0 {
		s.CookieAge = djangosess.DefaultCookieAge
	}
	if s.CookieName == "" {
		s.CookieName = "sessionid"
	}
	o := &Opened{Engine: name, now: s.Now, Django: s.Django}
	if s.TimeZone != "" {
		if o.Location, err = s.location(); err != nil {
			return nil, err
		}
	}
	ok := false
	defer func() {
		if !ok {
			o.Close()
		}
	}()
	switch name {
	case DB:
		err = openDB(ctx, s, o)
	case File:
		err = openFile(s, o)
	case Cache:
		o.Store, err = openCache(ctx, s, o, false)
	case CachedDB:
		err = openCachedDB(ctx, s, o)
	case SignedCookies:
		err = openCookies(s, o)
	}
	if err != nil {
		return nil, err
	}
	ok = true
	return o, nil
}

func openCookies(s Settings, o *Opened) error {
	ser, err := SerializerCodec(s.Serializer)
	if err != nil {
		return err
	}
	var accept djangosess.Compat
	if !s.Django.IsZero() {
		accept = djangosess.Strict(s.Django)
	}
	o.Cookies, err = cookies.New(cookies.Config{
		SecretKey: s.SecretKey, FallbackKeys: s.FallbackKeys, Serializer: ser,
		Accept: accept, Target: s.Django, HashingAlgorithm: s.HashingAlgorithm,
		CookieAge: s.CookieAge, Now: s.Now,
	})
	return err
}

func openFile(s Settings, o *Opened) error {
	codec, err := s.codec()
	if err != nil {
		return err
	}
	loc, err := s.location()
	if err != nil {
		return err
	}
	dir := s.FilePath
	if dir == "" {
		dir = os.TempDir()
	}
	o.Store, err = newFileStore(dir, s, codec, loc)
	if err != nil {
		return fmt.Errorf("file engine: %w", err)
	}
	return nil
}
