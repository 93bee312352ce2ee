package djangosess_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/cookies"
	"github.com/djangosess/djangosess/internal/djangotest"
	"github.com/djangosess/djangosess/internal/pyrun"
	"github.com/djangosess/djangosess/serializer"
)

const oracleSecret = "test-secret-key-0123456789"

func tagged(t *testing.T, v serializer.Value) json.RawMessage {
	t.Helper()
	b, err := serializer.MarshalTagged(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSetExpiryTimeMatchesDjango: SetExpiryTime writes _session_expiry as
// Django's set_expiry(datetime) does in each version: the datetime itself
// up to 4.0 (pickle only), the isoformat() string from 4.1, aware under
// USE_TZ = True and naive under False.
func TestSetExpiryTimeMatchesDjango(t *testing.T) {
	at := time.Date(2030, 1, 2, 3, 4, 5, 123456000, time.UTC)
	whole := time.Date(2031, 6, 7, 8, 9, 10, 0, time.UTC)
	for _, dj := range djangotest.Versions(t) {
		v, err := djangosess.ParseVersion(dj.Version)
		if err != nil {
			t.Fatal(err)
		}
		ser, codec := "json", serializer.Codec(serializer.JSON{})
		if djangotest.Series(dj.Version) == "3.2" {
			ser, codec = "pickle", serializer.Pickle{}
		}
		for _, useTZ := range []bool{true, false} {
			for _, when := range []time.Time{at, whole} {
				t.Run(fmt.Sprintf("%s/use_tz=%v/%s", dj.Version, useTZ, when.Format(time.RFC3339Nano)), func(t *testing.T) {
					flags := []string{"--serializer=" + ser}
					cfg := djangosess.SessionConfig{Target: v}
					dt := serializer.DateTimeOf(when)
					if !useTZ {
						flags = append(flags, "--no-use-tz")
						cfg.Location = time.UTC
						dt.TZ = nil
					}
					o := dj.Start(t, flags...)
					a := o.Do(t, map[string]any{"op": "session_encode", "value": json.RawMessage(`{}`),
						"params": map[string]any{"set_expiry": tagged(t, dt)}})[0]
					if !a.OK {
						t.Fatalf("Django: %s: %s", a.Error, a.Message)
					}
					c, err := djangosess.NewCodec(djangosess.CodecConfig{SecretKey: []byte(oracleSecret), Serializer: codec})
					if err != nil {
						t.Fatal(err)
					}
					d, err := c.Decode(string(a.Tagged(t).(serializer.Str)))
					if err != nil {
						t.Fatal(err)
					}
					want, _ := d.GetStr(djangosess.ExpiryKey)

					s := djangosess.NewSession(context.Background(), nil, "", cfg)
					s.SetExpiryTime(when)
					got, _ := s.Get(djangosess.ExpiryKey)
					if !serializer.Equal(got, want) {
						t.Errorf("_session_expiry = %v, Django wrote %v", got, want)
					}
					exp, err := s.ExpiryDate()
					if err != nil || !exp.Equal(when) {
						t.Errorf("ExpiryDate = %v, %v; want %v", exp, err, when)
					}
				})
			}
		}
	}
}

// TestExpiryAgeFloors: get_expiry_age is delta.days*86400 + delta.seconds,
// which floors (Python's timedelta normalisation), checked against Python.
func TestExpiryAgeFloors(t *testing.T) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	deltas := []time.Duration{1500 * time.Millisecond, -500 * time.Millisecond, -time.Microsecond, 0, 2*time.Hour + time.Microsecond, -90061 * time.Second}
	var lines []string
	for _, d := range deltas {
		lines = append(lines, strconv.FormatInt(d.Microseconds(), 10))
	}
	py := pyrun.Lines(t, `
import sys, datetime
for line in sys.stdin:
    d = datetime.timedelta(microseconds=int(line))
    print(d.days * 86400 + d.seconds)
`, nil, lines)
	for i, d := range deltas {
		s := djangosess.NewSession(context.Background(), nil, "", djangosess.SessionConfig{Now: func() time.Time { return now }})
		s.SetExpiryTime(now.Add(d))
		got, err := s.ExpiryAge()
		if err != nil || strconv.FormatInt(got, 10) != py[i] {
			t.Errorf("ExpiryAge with %v left = %d, %v; Python says %s", d, got, err, py[i])
		}
	}
}

func TestExpiryForms(t *testing.T) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	cfg := djangosess.SessionConfig{Now: func() time.Time { return now }, CookieAge: time.Hour}
	s := djangosess.NewSession(context.Background(), nil, "", cfg)
	check := func(what string, age int64, date time.Time, browser bool) {
		t.Helper()
		a, err := s.ExpiryAge()
		d, err2 := s.ExpiryDate()
		if err != nil || err2 != nil || a != age || !d.Equal(date) || s.ExpireAtBrowserClose() != browser {
			t.Errorf("%s: age %d (%v), date %v (%v), at browser close %v; want %d, %v, %v", what, a, err, d, err2, s.ExpireAtBrowserClose(), age, date, browser)
		}
	}
	check("default", 3600, now.Add(time.Hour), false)
	s.SetExpirySeconds(300)
	check("300 s", 300, now.Add(300*time.Second), false)
	s.SetExpiryAtBrowserClose()
	check("browser close", 3600, now.Add(time.Hour), true)
	s.SetExpiryIn(90 * time.Second)
	check("in 90 s", 90, now.Add(90*time.Second), false)
	if v, _ := s.Get(djangosess.ExpiryKey); v != serializer.Str("2030-01-01T00:01:30+00:00") {
		t.Errorf("_session_expiry = %#v", v)
	}
	s.ClearExpiry()
	check("cleared", 3600, now.Add(time.Hour), false)
	s.Set(djangosess.ExpiryKey, serializer.List{})
	if _, err := s.ExpiryDate(); err == nil {
		t.Error("a list _session_expiry gave no error")
	}
}

// TestCookieSessionFlow: a new session saved, read back, changed, flushed,
// through the signed_cookies store.
func TestCookieSessionFlow(t *testing.T) {
	ctx := context.Background()
	store, err := cookies.New(cookies.Config{SecretKey: []byte(oracleSecret)})
	if err != nil {
		t.Fatal(err)
	}
	s := djangosess.NewCookieSession(ctx, store, "", djangosess.SessionConfig{})
	if !s.IsEmpty() || s.Accessed() || s.Modified() {
		t.Fatalf("new session: empty %v accessed %v modified %v", s.IsEmpty(), s.Accessed(), s.Modified())
	}
	s.Set("_auth_user_id", serializer.Str("7"))
	if err := s.SetGo("cart", []any{1, 2}); err != nil {
		t.Fatal(err)
	}
	if err := s.Save(ctx); err != nil {
		t.Fatal(err)
	}
	cookie := s.Key()
	r := djangosess.NewCookieSession(ctx, store, cookie, djangosess.SessionConfig{})
	if r.Accessed() {
		t.Error("loading is lazy: accessed before any read")
	}
	if id, ok := r.String("_auth_user_id"); !ok || id != "7" || !r.Accessed() || r.Modified() {
		t.Errorf("read back %q %v (accessed %v, modified %v)", id, ok, r.Accessed(), r.Modified())
	}
	if n, ok := r.Data().List("cart"); !ok || len(n) != 2 {
		t.Errorf("cart = %v", n)
	}
	if _, ok := r.Pop("missing"); ok || r.Modified() {
		t.Error("Pop of a missing key modified the session")
	}
	if err := r.Flush(ctx); err != nil || r.Key() != "" || r.Len() != 0 {
		t.Errorf("Flush: %v, key %q, %d keys", err, r.Key(), r.Len())
	}
	bad := djangosess.NewCookieSession(ctx, store, cookie[:len(cookie)-2]+"xx", djangosess.SessionConfig{})
	if bad.Len() != 0 || bad.Key() != "" || bad.LoadError() == nil || bad.Err() != nil {
		t.Errorf("tampered cookie: %d keys, key %q, load error %v, err %v", bad.Len(), bad.Key(), bad.LoadError(), bad.Err())
	}
	if short := djangosess.NewCookieSession(ctx, store, "abc", djangosess.SessionConfig{}); short.Key() != "" {
		t.Error("a key under 8 characters was kept")
	}
}

func TestSessionWithoutStore(t *testing.T) {
	s := djangosess.NewSession(context.Background(), nil, "abcdefghijklmnop", djangosess.SessionConfig{})
	if s.Key() != "" || s.Len() != 0 {
		t.Errorf("a storeless session kept key %q", s.Key())
	}
	s.Set("a", serializer.Int(1))
	if err := s.Save(context.Background()); !errors.Is(err, djangosess.ErrConfig) {
		t.Errorf("Save without a store = %v, want ErrConfig", err)
	}
	if err := s.CycleKey(context.Background()); !errors.Is(err, djangosess.ErrConfig) {
		t.Errorf("CycleKey without a store = %v, want ErrConfig", err)
	}
}
