package djangosess

import (
	"context"
	"errors"
	"iter"
	"time"

	"github.com/djangosess/djangosess/keys"
	"github.com/djangosess/djangosess/serializer"
)

// Store is one of Django's keyed session backends (db, file, cache,
// cached_db) as Django's SessionStore classes use it. Every method takes a
// context first and is safe for concurrent use. Keys are session keys as
// they travel in the cookie; each store applies Django's own key checks.
//
// The value a store writes is exactly the value Django writes (the
// session_data string in a row or file, the pickled dict in a cache), and
// the expiry lives where Django keeps it (the expire_date column, the
// cache TTL, the file's mtime or _session_expiry).
//
// The signed_cookies backend has no keys of its own; see CookieStore.
type Store interface {
	// Load returns the session stored under key. A missing or expired
	// session is ErrNotFound; data that does not decode is the codec's
	// typed error (Django would silently start an empty session instead).
	Load(ctx context.Context, key string) (Record, error)
	// Create stores a new session under key with Django's must-create
	// semantics: if the key is already taken the result is ErrExists and
	// nothing is written; the caller draws another key (see CreateNew).
	Create(ctx context.Context, key string, r Record) error
	// Save replaces the session stored under key with Django's update
	// semantics: if it no longer exists (deleted or expired meanwhile)
	// the result is ErrVanished, Django's UpdateError, and nothing is
	// written.
	Save(ctx context.Context, key string, r Record) error
	// Delete removes the session; a missing one is not an error.
	Delete(ctx context.Context, key string) error
	// Exists reports whether key is taken, as Django's exists() does (the
	// db backend counts expired rows that are still there).
	Exists(ctx context.Context, key string) (bool, error)
	// ClearExpired deletes expired sessions, as Django's clearsessions
	// does, and reports how many it deleted (0 where the store expires
	// sessions itself, like a cache with TTLs).
	ClearExpired(ctx context.Context) (int, error)
	// Keys iterates over the stored keys, expired or not, in no
	// particular order, streaming (memory does not grow with the number
	// of sessions). An error ends the iteration.
	Keys(ctx context.Context) iter.Seq2[string, error]
}

// CookieStore is the signed_cookies backend: the cookie value is the
// whole session, so there are no keys to create, look up or delete.
type CookieStore interface {
	// Load verifies and decodes a cookie value. A bad signature, or a
	// signature older than the session cookie age, is an error matching
	// signing.ErrBadSignature (signing.ErrExpired for the latter).
	Load(ctx context.Context, cookie string) (Record, error)
	// Save encodes r as a new cookie value.
	Save(ctx context.Context, r Record) (cookie string, err error)
}

// Record is one session as a store holds it.
type Record struct {
	// Data is the session dict.
	Data *serializer.Dict
	// Expiry is the moment the session stops loading. Load fills it from
	// the store. On Create and Save the zero time means "as Django
	// computes it at save time": ExpiryDate(Data, now, CookieAge).
	Expiry time.Time
	// Size is the size in bytes of the stored value; set by Load.
	Size int
	// Stored describes how the stored value was encoded; set by Load.
	Stored Stored
}

// Stored describes the encoding a store found a session in, for reports
// and for migrations that must re-sign or convert.
type Stored struct {
	// Serializer is "json" or "pickle".
	Serializer string
	// Signed is false for cache values, which Django keeps unsigned; the
	// fields below are then zero.
	Signed bool
	// Format, Algorithm, KeyIndex, Timestamp and Compressed are those of
	// Decoded.
	Format     Format
	Algorithm  string
	KeyIndex   int
	Timestamp  int64
	Compressed bool
}

// StoredOf describes what Codec.DecodeInfo found.
func StoredOf(d Decoded, serializerName string) Stored {
	return Stored{Serializer: serializerName, Signed: true, Format: d.Format, Algorithm: d.Algorithm,
		KeyIndex: d.KeyIndex, Timestamp: d.Timestamp, Compressed: d.Compressed}
}

// Errors common to every store.
var (
	// ErrNotFound: no session under the key, or it has expired.
	ErrNotFound = errors.New("djangosess: session not found")
	// ErrExists: Create found the key taken (Django's CreateError).
	ErrExists = errors.New("djangosess: session key already exists")
	// ErrVanished: Save found no session to update (Django's UpdateError,
	// which its middleware answers with 400 Bad Request).
	ErrVanished = errors.New("djangosess: session vanished before it could be saved")
	// ErrInvalidKey: the key is not one the store accepts (the file
	// backend's character check, or a key under 8 characters); it is
	// keys.ErrInvalidKey.
	ErrInvalidKey = keys.ErrInvalidKey
	// ErrUnavailable: the server behind a store could not be reached or
	// failed; the underlying error is wrapped beside it.
	ErrUnavailable = errors.New("djangosess: session store unavailable")
)

// DefaultCookieAge is SESSION_COOKIE_AGE's default, two weeks.
const DefaultCookieAge = 1209600 * time.Second

// MaxCreateAttempts is how many keys CreateNew draws before giving up, as
// Django's cache backend does.
const MaxCreateAttempts = 10000
