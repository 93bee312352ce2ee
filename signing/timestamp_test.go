package signing

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

// clock is an injectable Config.Now.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestMaxAgeBoundary(t *testing.T) {
	c := &clock{t: time.Unix(vecTS, 0)}
	s := mustTimestampSigner(t, Config{Key: []byte("k"), Now: c.now})
	signed := s.Sign("v") // at vecTS
	cases := []struct {
		now     time.Time
		maxAge  time.Duration
		expired bool
	}{
		{time.Unix(vecTS, 0), 0, false},                   // age 0 == max_age 0
		{time.Unix(vecTS, 1), 0, true},                    // +1ns
		{time.Unix(vecTS+10, 0), 10 * time.Second, false}, // age == max_age is valid
		{time.Unix(vecTS+10, 1), 10 * time.Second, true},  // +1ns
		{time.Unix(vecTS+9, 999999999), 10 * time.Second, false},
		{time.Unix(vecTS-100, 0), 0, false},                  // signed in the future
		{time.Unix(vecTS-100, 0), -100 * time.Second, false}, // negative max_age
		{time.Unix(vecTS-99, 0), -100 * time.Second, true},   //
		{time.Unix(vecTS+86400*365, 0), 365 * 24 * time.Hour, false},
	}
	for _, tc := range cases {
		c.t = tc.now
		v, err := s.UnsignMaxAge(signed, tc.maxAge)
		if !tc.expired {
			if err != nil || v != "v" {
				t.Errorf("now %v max %v: %q, %v", tc.now.Sub(time.Unix(vecTS, 0)), tc.maxAge, v, err)
			}
			continue
		}
		var e *ExpiredError
		if !errors.As(err, &e) || !errors.Is(err, ErrExpired) || !errors.Is(err, ErrBadSignature) || errors.Is(err, ErrMalformed) {
			t.Errorf("now %v max %v: %q, %v; want *ExpiredError", tc.now.Sub(time.Unix(vecTS, 0)), tc.maxAge, v, err)
			continue
		}
		if e.Age != tc.now.Sub(time.Unix(vecTS, 0)) || e.MaxAge != tc.maxAge {
			t.Errorf("ExpiredError %+v", e)
		}
		// Without a maximum age the value is fine.
		if v, err := s.Unsign(signed); err != nil || v != "v" {
			t.Errorf("Unsign: %q, %v", v, err)
		}
	}
}

// TestSignatureBeforeTimestamp: a bad signature is reported as such even
// when the value is also expired or its timestamp unreadable.
func TestSignatureBeforeTimestamp(t *testing.T) {
	c := &clock{t: time.Unix(vecTS+1000, 0)}
	cfg := Config{Key: []byte("k"), Now: c.now}
	s := mustTimestampSigner(t, cfg)
	expired := s.SignAt("v", vecTS)
	tampered := "w" + expired[1:]
	if _, err := s.UnsignMaxAge(tampered, time.Second); !isBadSignature(err) {
		t.Errorf("tampered and expired: %v, want ErrBadSignature only", err)
	}
	// Valid signatures over values that are not timestamped: Django raises
	// ValueError, not BadSignature.
	plain := mustSigner(t, Config{Key: []byte("k"), Salt: DefaultTimestampSignerSalt})
	for _, v := range []string{"v", "v:", "v:!", "v:--1", "v:AzL8n0Y58m8", ""} {
		signed := plain.Sign(v)
		_, err := s.UnsignMaxAge(signed, time.Hour)
		if !errors.Is(err, ErrMalformed) || errors.Is(err, ErrBadSignature) {
			t.Errorf("signed %q: %v, want ErrMalformed", signed, err)
		}
		if _, err := s.Unsign(signed); !errors.Is(err, ErrMalformed) {
			t.Errorf("Unsign(%q): %v, want ErrMalformed", signed, err)
		}
	}
	if _, err := s.Unsign(plain.Sign("v")); err == nil || !strings.Contains(err.Error(), `no ":" found`) {
		t.Errorf("message: %v", err)
	}
	// "v:-" decodes to 0 as in Python, and "v:" + "" does not.
	if v, err := s.Verify(plain.Sign("v:-")); err != nil || v.Timestamp != 0 || v.Value != "v" {
		t.Errorf("timestamp \"-\": %+v, %v", v, err)
	}
}

// TestClock: Sign uses Config.Now, truncating toward zero as Python's
// int(time.time()) does.
func TestClock(t *testing.T) {
	c := &clock{}
	s := mustTimestampSigner(t, Config{Key: []byte("k"), Now: c.now})
	for _, tc := range []struct {
		now  time.Time
		want int64
	}{
		{time.Unix(vecTS, 999999999), vecTS},
		{time.Unix(0, 0), 0},
		{time.Unix(-2, 500000000), -1}, // -1.5 → -1
		{time.Unix(-2, 0), -2},
		{time.Unix(0, 1), 0},
	} {
		c.t = tc.now
		v, err := s.Verify(s.Sign("v"))
		if err != nil || v.Timestamp != tc.want || !v.Time().Equal(time.Unix(tc.want, 0)) {
			t.Errorf("now %v: %+v, %v; want ts %d", tc.now, v, err, tc.want)
		}
	}
	// The default clock is time.Now.
	d := mustTimestampSigner(t, Config{Key: []byte("k")})
	before := time.Now().Unix()
	v, err := d.Verify(d.Sign("v"))
	if after := time.Now().Unix(); err != nil || v.Timestamp < before || v.Timestamp > after {
		t.Errorf("default clock: %+v, %v", v, err)
	}
}

func TestAgeAt(t *testing.T) {
	for _, tc := range []struct {
		now  time.Time
		ts   int64
		want time.Duration
	}{
		{time.Unix(10, 5), 3, 7*time.Second + 5},
		{time.Unix(3, 0), 10, -7 * time.Second},
		{time.Unix(vecTS, 0), math.MinInt64, math.MaxInt64},
		{time.Unix(vecTS, 0), math.MaxInt64, math.MinInt64},
		{time.Unix(-vecTS, 0), math.MaxInt64, math.MinInt64},
		{time.Unix(vecTS, 0), -9300000000, math.MaxInt64},
	} {
		if got := ageAt(tc.now, tc.ts); got != tc.want {
			t.Errorf("ageAt(%v, %d) = %v, want %v", tc.now.Unix(), tc.ts, got, tc.want)
		}
	}
	// Extreme timestamps decode and compare without overflowing.
	c := &clock{t: time.Unix(vecTS, 0)}
	s := mustTimestampSigner(t, Config{Key: []byte("k"), Now: c.now})
	if _, err := s.UnsignMaxAge(s.SignAt("v", math.MinInt64), math.MaxInt64-1); !errors.Is(err, ErrExpired) {
		t.Errorf("MinInt64 timestamp: %v", err)
	}
	if _, err := s.UnsignMaxAge(s.SignAt("v", math.MaxInt64), 0); err != nil {
		t.Errorf("MaxInt64 timestamp: %v", err)
	}
}
