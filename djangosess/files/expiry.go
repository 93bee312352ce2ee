package files

import (
	"time"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/serializer"
)

// expiryRule is how Django's file backend finds a session's expiry:
// SessionStore._expiry_date returns _session_expiry when it is truthy and
// the file's mtime + SESSION_COOKIE_AGE otherwise; get_expiry_age then
// returns a number as-is and floors the seconds left before a datetime.
type expiryRule uint8

const (
	byMtime  expiryRule = iota // _session_expiry falsy: mtime + CookieAge
	byNumber                   // a truthy number N: expired iff N <= 0
	byDate                     // a datetime or (4.1+) ISO string
)

// rule classifies data's _session_expiry with Python's truthiness, and
// reports a number <= 0 (expired at once) and a naive datetime. Types
// Django cannot compute an expiry from are left to djangosess.ExpiryDate,
// which refuses them.
func rule(data *serializer.Dict) (r expiryRule, negative, naive bool) {
	if data == nil {
		return byMtime, false, false
	}
	v, ok := data.GetStr(djangosess.ExpiryKey)
	if !ok {
		return byMtime, false, false
	}
	switch x := v.(type) {
	case serializer.None:
		return byMtime, false, false
	case serializer.Bool:
		if !x {
			return byMtime, false, false
		}
		return byNumber, false, false // True == 1 > 0
	case serializer.Int:
		if x == 0 {
			return byMtime, false, false
		}
		return byNumber, x < 0, false
	case serializer.BigInt:
		return byNumber, x.V.Sign() < 0, false
	case serializer.Float:
		if x == 0 {
			return byMtime, false, false
		}
		return byNumber, x < 0, false // nan <= 0 is False
	case serializer.Str:
		if x == "" {
			return byMtime, false, false
		}
		dt, err := serializer.ParseISODateTime(string(x))
		return byDate, false, err == nil && dt.TZ == nil
	case serializer.DateTime:
		return byDate, false, x.TZ == nil
	}
	return byDate, false, false
}

// expiry is what Django's load() computes for data in a file modified at
// mtime: the expiry Load reports and whether the session has expired.
//
// Under USE_TZ=False (a Location other than UTC) Django works with naive
// local datetimes: the mtime becomes a wall-clock time, SESSION_COOKIE_AGE
// is added to the wall clock, and naive datetimes are compared with the
// wall clock now. Across a daylight-saving change that differs from
// instants by the change; Store computes as Django does.
func (s *Store) expiry(data *serializer.Dict, mtime time.Time) (time.Time, bool, error) {
	exp, err := djangosess.ExpiryDate(data, mtime, s.cookieAge, s.loc)
	if err != nil {
		return time.Time{}, false, err
	}
	now := s.now()
	var left time.Duration
	switch r, negative, naive := rule(data); {
	case r == byNumber:
		return exp, negative, nil
	case r == byMtime:
		w := s.wall(mtime).Add(s.cookieAge)
		exp = s.unwall(w)
		left = w.Sub(s.wall(now))
	case naive:
		left = s.wall(exp).Sub(s.wall(now))
	default:
		left = exp.Sub(now)
	}
	// get_expiry_age: (expiry - now).days*86400 + .seconds, the floor
	// of the seconds left, must be positive.
	return exp, left < time.Second, nil
}

// wall is t's wall clock in the Location, as a naive datetime (in UTC,
// where Go's arithmetic is Python's naive arithmetic).
func (s *Store) wall(t time.Time) time.Time {
	t = t.In(s.loc)
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
}

// unwall is the instant of a naive wall clock in the Location.
func (s *Store) unwall(w time.Time) time.Time {
	return time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), w.Nanosecond(), s.loc)
}

// Modification times are kept within what every file system and Python's
// datetime.fromtimestamp handle.
var (
	minMtime = time.Unix(0, 0)
	maxMtime = time.Unix(1<<33, 0) // year 2242
)

// modification is the mtime a write gives the file so that Django computes
// r's expiry from it; now when r.Expiry is zero or when _session_expiry
// fixes the expiry by itself. Data whose _session_expiry Django cannot use
// is an error matching serializer.ErrMalformed.
func (s *Store) modification(r djangosess.Record, now time.Time) (time.Time, error) {
	atNow, err := djangosess.ExpiryDate(r.Data, now, s.cookieAge, s.loc)
	if err != nil {
		return time.Time{}, err
	}
	if r.Expiry.IsZero() {
		return now, nil
	}
	m := now
	switch ru, _, _ := rule(r.Data); ru {
	case byMtime:
		m = s.unwall(s.wall(r.Expiry).Add(-s.cookieAge))
	case byNumber:
		m = r.Expiry.Add(-atNow.Sub(now))
	}
	switch {
	case m.Before(minMtime):
		m = minMtime
	case m.After(maxMtime):
		m = maxMtime
	}
	return m, nil
}
