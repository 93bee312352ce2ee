package djangosess

import (
	"fmt"
	"math"
	"math/big"
	"time"

	"github.com/djangosess/djangosess/serializer"
)

// ExpiryKey is the session key where set_expiry() keeps a custom expiry.
const ExpiryKey = "_session_expiry"

// ExpiryDate is Django's SessionBase.get_expiry_date(): the moment a session
// holding data, saved at modification, expires. _session_expiry may hold a
// number of seconds (0 or absent: cookieAge), a datetime, or (Django 4.1+)
// an ISO 8601 string; naive datetimes are wall-clock times in loc (UTC when
// nil), as Django reads them under USE_TZ=False with TIME_ZONE=loc.
// A _session_expiry of any other type is an error matching
// serializer.ErrMalformed (Django would raise a TypeError).
func ExpiryDate(data *serializer.Dict, modification time.Time, cookieAge time.Duration, loc *time.Location) (time.Time, error) {
	if data == nil {
		return modification.Add(cookieAge), nil
	}
	v, ok := data.GetStr(ExpiryKey)
	if !ok {
		return modification.Add(cookieAge), nil
	}
	switch x := v.(type) {
	case serializer.None:
		return modification.Add(cookieAge), nil
	case serializer.Bool:
		// True == 1 in Python; False is falsy.
		if x {
			return modification.Add(time.Second), nil
		}
		return modification.Add(cookieAge), nil
	case serializer.Int:
		if x == 0 {
			return modification.Add(cookieAge), nil
		}
		return modification.Add(secondsDuration(float64(x))), nil
	case serializer.BigInt:
		f, _ := new(big.Float).SetInt(x.V).Float64()
		return modification.Add(secondsDuration(f)), nil
	case serializer.Float:
		if x == 0 {
			return modification.Add(cookieAge), nil
		}
		if math.IsNaN(float64(x)) {
			return time.Time{}, fmt.Errorf("%w: %s is nan", serializer.ErrMalformed, ExpiryKey)
		}
		return modification.Add(secondsDuration(float64(x))), nil
	case serializer.DateTime:
		return dateTimeIn(x, loc), nil
	case serializer.Str:
		if x == "" {
			return modification.Add(cookieAge), nil
		}
		dt, err := serializer.ParseISODateTime(string(x))
		if err != nil {
			return time.Time{}, fmt.Errorf("%w: %s: %v", serializer.ErrMalformed, ExpiryKey, err)
		}
		return dateTimeIn(dt, loc), nil
	}
	return time.Time{}, fmt.Errorf("%w: %s holds a %T", serializer.ErrMalformed, ExpiryKey, v)
}

// ExpiresAtBrowserClose is Django's get_expire_at_browser_close():
// _session_expiry == 0, or the setting when _session_expiry is absent.
func ExpiresAtBrowserClose(data *serializer.Dict, setting bool) bool {
	if data == nil {
		return setting
	}
	v, ok := data.GetStr(ExpiryKey)
	if !ok {
		return setting
	}
	switch x := v.(type) {
	case serializer.None:
		return setting
	case serializer.Int:
		return x == 0
	case serializer.Float:
		return x == 0
	case serializer.Bool:
		return !bool(x)
	}
	return false
}

// secondsDuration converts seconds to a Duration, saturating.
func secondsDuration(s float64) time.Duration {
	const limit = float64(math.MaxInt64) / float64(time.Second)
	switch {
	case s >= limit:
		return math.MaxInt64
	case s <= -limit:
		return math.MinInt64
	}
	return time.Duration(s * float64(time.Second))
}

// dateTimeIn is dt as an instant, naive wall clocks read in loc.
func dateTimeIn(dt serializer.DateTime, loc *time.Location) time.Time {
	if dt.TZ != nil {
		return dt.Time()
	}
	if loc == nil {
		loc = time.UTC
	}
	return time.Date(dt.Year, time.Month(dt.Month), dt.Day, dt.Hour, dt.Minute, dt.Second, dt.Microsecond*1000, loc)
}
