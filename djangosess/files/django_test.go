package files

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/internal/djangotest"
	"github.com/djangosess/djangosess/internal/pyrun"
	"github.com/djangosess/djangosess/keys"
	"github.com/djangosess/djangosess/serializer"
)

var ctx = context.Background()

// peer is one Django (oracle) and one Store sharing a session directory.
type peer struct {
	t      *testing.T
	dj     djangotest.Django
	series string
	o      *djangotest.Oracle
	s      *Store
	dir    string
	pickle bool
	useTZ  bool
	loc    *time.Location
	probes []probe // see expect
}

// probe is an expiry Django's file backend must compute for a session.
type probe struct {
	what, key string
	want      time.Time
	age       string // for a numeric _session_expiry: the age Django returns as-is
}

func newPeer(t *testing.T, dj djangotest.Django, ser string, useTZ bool) *peer {
	p := &peer{t: t, dj: dj, series: djangotest.Series(dj.Version), dir: t.TempDir(), pickle: ser == "pickle", useTZ: useTZ, loc: time.UTC}
	if !useTZ {
		// Under USE_TZ=False Django's naive datetimes are the process's
		// local time (settings.configure() leaves TZ alone): use a zone
		// with an offset, so that a mix-up shows.
		t.Setenv("TZ", "Europe/Paris")
		loc, err := time.LoadLocation("Europe/Paris")
		if err != nil {
			t.Fatal(err)
		}
		p.loc = loc
	}
	settings, err := json.Marshal(map[string]any{
		"SESSION_ENGINE":    "django.contrib.sessions.backends.file",
		"SESSION_FILE_PATH": p.dir,
	})
	if err != nil {
		t.Fatal(err)
	}
	flags := []string{"--settings=" + string(settings), "--serializer=" + ser}
	if !useTZ {
		flags = append(flags, "--no-use-tz")
	}
	p.o = dj.Start(t, flags...)
	var codec serializer.Codec = serializer.JSON{}
	if p.pickle {
		codec = serializer.Pickle{}
	}
	p.s = newStore(t, Config{Dir: p.dir, Codec: testCodec(t, codec), Location: p.loc})
	return p
}

func tag(t *testing.T, v serializer.Value) json.RawMessage {
	t.Helper()
	b, err := serializer.MarshalTagged(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// do sends one request and returns its answer, failing on a Django error.
func (p *peer) do(req map[string]any) serializer.Value {
	p.t.Helper()
	a := p.o.Do(p.t, req)[0]
	if !a.OK {
		p.t.Fatalf("Django %s %v: %s: %s", p.dj.Version, req["op"], a.Error, a.Message)
	}
	return a.Tagged(p.t)
}

// create is Django's SessionStore().update(data); set_expiry(exp); save().
func (p *peer) create(data *serializer.Dict, setExpiry serializer.Value) string {
	p.t.Helper()
	req := map[string]any{"op": "store_create", "value": tag(p.t, data)}
	if setExpiry != nil {
		req["params"] = map[string]any{"set_expiry": tag(p.t, setExpiry)}
	}
	return string(p.do(req).(serializer.Str))
}

// djangoLoad is what Django's SessionStore(key).load() gives.
type djangoLoad struct {
	found  bool
	data   *serializer.Dict
	age    serializer.Value
	expiry time.Time
}

func (p *peer) load(key string) djangoLoad {
	p.t.Helper()
	v := p.do(map[string]any{"op": "store_load", "data": key}).(*serializer.Dict)
	var l djangoLoad
	found, _ := v.GetStr("found")
	l.found = bool(found.(serializer.Bool))
	if !l.found {
		return l
	}
	data, _ := v.GetStr("data")
	l.data = data.(*serializer.Dict)
	l.age, _ = v.GetStr("expiry_age")
	e, _ := v.GetStr("expiry_date")
	l.expiry = p.instant(e.(serializer.DateTime))
	return l
}

func (p *peer) instant(dt serializer.DateTime) time.Time {
	if dt.TZ == nil {
		return time.Date(dt.Year, time.Month(dt.Month), dt.Day, dt.Hour, dt.Minute, dt.Second, dt.Microsecond*1000, p.loc)
	}
	return dt.Time()
}

func (p *peer) exists(key string) bool {
	p.t.Helper()
	return bool(p.do(map[string]any{"op": "store_exists", "data": key}).(serializer.Bool))
}

func (p *peer) goLoad(key string) djangosess.Record {
	p.t.Helper()
	r, err := p.s.Load(ctx, key)
	if err != nil {
		p.t.Fatalf("Go Load: %v", err)
	}
	return r
}

func (p *peer) goNotFound(key string) {
	p.t.Helper()
	if r, err := p.s.Load(ctx, key); !errors.Is(err, djangosess.ErrNotFound) {
		p.t.Errorf("Go Load = %v, %v; want ErrNotFound", r.Data, err)
	}
}

func (p *peer) goExists(key string) bool {
	p.t.Helper()
	ok, err := p.s.Exists(ctx, key)
	if err != nil {
		p.t.Fatal(err)
	}
	return ok
}

func near(t *testing.T, what string, got, want time.Time, tol time.Duration) {
	t.Helper()
	if d := got.Sub(want); d > tol || d < -tol {
		t.Errorf("%s: %v, want %v (±%v; off by %v)", what, got, want, tol, d)
	}
}

// serverExpiry is the expiry Django's file backend itself computes when it
// loads key (SessionStore._expiry_date and get_expiry_age, the two calls
// load() makes; store_load reports get_expiry_date(), the cookie's
// expiry). Numeric _session_expiry values give a zero time and their age.
// A key may be followed by " <unix time>": the age is then computed at
// that moment (get_expiry_age's modification argument) instead of now.
type serverExpiry struct {
	Expiry *float64        `json:"expiry"`
	Age    json.RawMessage `json:"age"`
}

const probeScript = `
import datetime, json, os, sys
sys.path.insert(0, os.environ["PROBE_TESTDATA"])
import djangoops as d
conf = json.loads(os.environ["PROBE_CONF"])
d.setup(serializer=conf["serializer"], use_tz=conf["use_tz"], extra=conf["settings"])
from django.contrib.sessions.backends.file import SessionStore
from django.conf import settings
for line in sys.stdin:
    key, _, now = line.strip().partition(" ")
    s = SessionStore(key)
    with open(s._key_to_file(), encoding="ascii") as f:
        data = s.decode(f.read())
    e = s._expiry_date(data)
    if now:  # timezone.now() at that moment
        tz = datetime.timezone.utc if settings.USE_TZ else None
        age = s.get_expiry_age(expiry=e, modification=datetime.datetime.fromtimestamp(float(now), tz))
    else:
        age = s.get_expiry_age(expiry=e)
    if isinstance(e, str):
        e = datetime.datetime.fromisoformat(e)
    print(json.dumps({"expiry": e.timestamp() if isinstance(e, datetime.datetime) else None, "age": age}))
`

func (p *peer) serverExpiry(keys ...string) []serverExpiry {
	p.t.Helper()
	ser := "json"
	if p.pickle {
		ser = "pickle"
	}
	conf, err := json.Marshal(map[string]any{"serializer": ser, "use_tz": p.useTZ, "settings": map[string]any{
		"SESSION_ENGINE": "django.contrib.sessions.backends.file", "SESSION_FILE_PATH": p.dir,
	}})
	if err != nil {
		p.t.Fatal(err)
	}
	env := []string{"PYTHONPATH=" + p.dj.PythonPath, "PROBE_CONF=" + string(conf),
		"PROBE_TESTDATA=" + filepath.Join(djangotest.Root(p.t), "testdata")}
	lines := pyrun.Lines(p.t, probeScript, env, keys)
	out := make([]serverExpiry, len(lines))
	for i, l := range lines {
		if err := json.Unmarshal([]byte(l), &out[i]); err != nil {
			p.t.Fatalf("probe: %q: %v", l, err)
		}
	}
	return out
}

// expect records that Django's file backend must find key expiring at
// want (±1 ms); checkExpected asks Django about all of them at once.
func (p *peer) expect(what, key string, want time.Time) {
	p.probes = append(p.probes, probe{what: what, key: key, want: want})
}

func (p *peer) expectAge(what, key, age string) {
	p.probes = append(p.probes, probe{what: what, key: key, age: age})
}

func (p *peer) checkExpected() {
	p.t.Helper()
	if len(p.probes) == 0 {
		return
	}
	keys := make([]string, len(p.probes))
	for i, pr := range p.probes {
		keys[i] = pr.key
	}
	for i, se := range p.serverExpiry(keys...) {
		pr := p.probes[i]
		if pr.age != "" {
			if string(se.Age) != pr.age || se.Expiry != nil {
				p.t.Errorf("%s: Django's file backend: expiry %v, age %s; want the number %s as-is", pr.what, se.Expiry, se.Age, pr.age)
			}
			continue
		}
		near(p.t, pr.what+": Django's file expiry", se.time(), pr.want, time.Millisecond)
	}
	p.probes = nil
}

func (se serverExpiry) time() time.Time {
	if se.Expiry == nil {
		return time.Time{}
	}
	sec, frac := math.Modf(*se.Expiry)
	return time.Unix(int64(sec), int64(math.Round(frac*1e6))*1000)
}

// values is a session with every type the serializer keeps.
func (p *peer) values(i int) *serializer.Dict {
	d := serializer.DictOf(
		"_auth_user_id", serializer.Str(fmt.Sprint(i)),
		"_auth_user_backend", serializer.Str("django.contrib.auth.backends.ModelBackend"),
		"cart", serializer.List{serializer.Int(i), serializer.Int(1 << 60), serializer.Float(0.1)},
		"name", serializer.Str("Zo\u00eb \u2603 \U0001F600"),
		"flags", serializer.DictOf("a", serializer.Bool(true), "b", serializer.None{}, "c", serializer.List{}),
	)
	if p.pickle {
		d.SetStr("when", serializer.DateTime{Year: 2024, Month: 2, Day: 29, Hour: 23, Minute: 59, Second: 58, Microsecond: 7, TZ: serializer.UTC})
		d.SetStr("bytes", serializer.Bytes("\x00\xff"))
		d.SetStr("tuple", serializer.Tuple{serializer.Int(1), serializer.Str("x")})
		d.SetStr("set", serializer.Set{serializer.Int(3)})
		d.SetStr("price", serializer.Decimal("1.10"))
	}
	return d
}

func withExpiry(d *serializer.Dict, v serializer.Value) *serializer.Dict {
	d = d.Clone()
	d.SetStr(djangosess.ExpiryKey, v)
	return d
}

// TestDjangoInterop runs every Django version, serializer and USE_TZ
// setting against one shared session directory, both ways.
func TestDjangoInterop(t *testing.T) {
	for _, dj := range djangotest.Versions(t) {
		for _, ser := range []string{"json", "pickle"} {
			if ser == "pickle" && djangotest.Series(dj.Version) >= "5.0" {
				continue // Django 5.0 removed PickleSerializer
			}
			for _, useTZ := range []bool{true, false} {
				name := fmt.Sprintf("%s/%s/use_tz=%v", dj.Version, ser, useTZ)
				t.Run(name, func(t *testing.T) {
					p := newPeer(t, dj, ser, useTZ)
					t.Run("DjangoToGo", p.djangoToGo)
					t.Run("GoToDjango", p.goToDjango)
					t.Run("Expired", p.expired)
					t.Run("ClearExpired", p.clearExpired)
					t.Run("ExpiryRules", p.expiryRules)
					if !useTZ {
						t.Run("DaylightSaving", p.daylightSaving)
					}
				})
			}
		}
	}
}

func (p *peer) sub(t *testing.T) *peer {
	q := *p
	q.t = t
	q.probes = nil
	t.Cleanup(q.checkExpected)
	return &q
}

// djangoToGo: sessions Django creates and changes load in Go with the same
// values and expiry.
func (p *peer) djangoToGo(t *testing.T) {
	p = p.sub(t)
	check := func(what, key string) djangosess.Record {
		t.Helper()
		dl := p.load(key)
		if !dl.found {
			t.Fatalf("%s: Django does not find its own session", what)
		}
		r := p.goLoad(key)
		if !serializer.Equal(r.Data, dl.data) {
			t.Errorf("%s: Go loads %v, Django %v", what, r.Data, dl.data)
		}
		near(t, what+": expiry vs Django's get_expiry_date", r.Expiry, dl.expiry, time.Second)
		if r.Size <= 0 || r.Stored.Serializer != p.s.serName || !r.Stored.Signed {
			t.Errorf("%s: Size %d, Stored %+v", what, r.Size, r.Stored)
		}
		return r
	}

	k1 := p.create(p.values(1), nil)
	r1 := check("default expiry", k1)
	p.expect("default expiry (mtime + age)", k1, r1.Expiry)

	k2 := p.create(p.values(2), serializer.Int(300))
	r2 := check("set_expiry(300)", k2)
	if v, _ := r2.Data.GetStr(djangosess.ExpiryKey); !serializer.Equal(v, serializer.Int(300)) {
		t.Errorf("_session_expiry = %v", v)
	}

	if p.series != "3.2" || p.pickle { // JSON cannot hold 3.2's datetime
		k3 := p.create(p.values(3), serializer.TimeDeltaOf(2*time.Hour))
		r3 := check("set_expiry(timedelta(hours=2))", k3)
		p.expect("set_expiry(timedelta)", k3, r3.Expiry)
		near(t, "set_expiry(timedelta)", r3.Expiry, time.Now().Add(2*time.Hour), 5*time.Second)
	}

	p.checkExpected()

	// Changes.
	p.do(map[string]any{"op": "store_update", "data": k1, "value": tag(t, serializer.DictOf("more", serializer.Int(7)))})
	want := p.values(1)
	want.SetStr("more", serializer.Int(7))
	if r := check("after Django's update", k1); !serializer.Equal(r.Data, want) {
		t.Errorf("after update: %v, want %v", r.Data, want)
	}
	p.do(map[string]any{"op": "store_save", "data": k2, "value": tag(t, p.values(20))})
	if r := check("after Django's save", k2); !serializer.Equal(r.Data, p.values(20)) {
		t.Errorf("after save: %v", r.Data)
	}
	k1b := string(p.do(map[string]any{"op": "store_cycle_key", "data": k1}).(serializer.Str))
	p.goNotFound(k1)
	if r := check("after cycle_key", k1b); !serializer.Equal(r.Data, want) {
		t.Errorf("after cycle_key: %v, want %v", r.Data, want)
	}
	p.do(map[string]any{"op": "store_delete", "data": k1b})
	p.goNotFound(k1b)
	if p.goExists(k1b) {
		t.Error("Go Exists after Django's delete")
	}
	// Keys sees Django's files.
	seen := map[string]bool{}
	for k, err := range p.s.Keys(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		seen[k] = true
	}
	if !seen[k2] || seen[k1] || seen[k1b] {
		t.Errorf("Keys = %v; want %s, not %s or %s", seen, k2, k1, k1b)
	}
}

// goToDjango: sessions Go creates and changes load in Django with the same
// values and the same expiry.
func (p *peer) goToDjango(t *testing.T) {
	p = p.sub(t)
	check := func(what, key string, want *serializer.Dict) djangoLoad {
		t.Helper()
		r := p.goLoad(key)
		dl := p.load(key)
		if !dl.found {
			t.Fatalf("%s: Django does not find the session", what)
		}
		if !serializer.Equal(dl.data, want) {
			t.Errorf("%s: Django loads %v, want %v", what, dl.data, want)
		}
		if !serializer.Equal(r.Data, want) {
			t.Errorf("%s: Go loads %v, want %v", what, r.Data, want)
		}
		if v, _ := want.GetStr(djangosess.ExpiryKey); v == nil {
			p.expect(what, key, r.Expiry)
		}
		return dl
	}
	create := func(key string, r djangosess.Record) {
		t.Helper()
		if err := p.s.Create(ctx, key, r); err != nil {
			t.Fatalf("Go Create: %v", err)
		}
	}

	// Default expiry: mtime + SESSION_COOKIE_AGE.
	k1 := newKey(t)
	create(k1, djangosess.Record{Data: p.values(1)})
	dl := check("default expiry", k1, p.values(1))
	near(t, "default expiry vs Django's get_expiry_date", dl.expiry, time.Now().Add(djangosess.DefaultCookieAge), 5*time.Second)

	// _session_expiry = 600 (set_expiry(600)).
	k2 := newKey(t)
	d2 := withExpiry(p.values(2), serializer.Int(600))
	create(k2, djangosess.Record{Data: d2})
	dl = check("_session_expiry 600", k2, d2)
	if !serializer.Equal(dl.age, serializer.Int(600)) {
		t.Errorf("Django's expiry_age = %v, want 600", dl.age)
	}
	near(t, "_session_expiry 600: Django's get_expiry_date vs Go's", dl.expiry, p.goLoad(k2).Expiry, time.Second)
	p.expectAge("_session_expiry 600", k2, "600")

	// Record.Expiry, kept in the modification time.
	k3 := newKey(t)
	exp := time.Now().Add(3 * time.Hour).Truncate(time.Second).Add(250 * time.Millisecond)
	create(k3, djangosess.Record{Data: p.values(3), Expiry: exp})
	check("Record.Expiry in 3h", k3, p.values(3))
	p.expect("Record.Expiry in 3h", k3, exp)
	if r := p.goLoad(k3); !r.Expiry.Equal(exp) {
		t.Errorf("Go Load expiry %v, want %v", r.Expiry, exp)
	}
	// Record.Expiry with a numeric _session_expiry: mtime = Expiry − N.
	k3b := newKey(t)
	create(k3b, djangosess.Record{Data: withExpiry(p.values(3), serializer.Int(600)), Expiry: exp})
	check("Record.Expiry with _session_expiry 600", k3b, withExpiry(p.values(3), serializer.Int(600)))
	if fi, err := os.Stat(filepath.Join(p.dir, "sessionid"+k3b)); err != nil || !fi.ModTime().Equal(exp.Add(-600*time.Second)) {
		t.Errorf("mtime %v, %v; want %v", fi.ModTime(), err, exp.Add(-600*time.Second))
	}

	// A datetime _session_expiry: an ISO string (Django 4.1+), or a
	// datetime in a pickled session.
	when := time.Now().Add(5 * time.Hour).Truncate(time.Microsecond)
	iso := when.UTC().Format("2006-01-02T15:04:05.000000-07:00")
	dtv := serializer.DateTimeOf(when.UTC())
	if !p.useTZ {
		iso = when.In(p.loc).Format("2006-01-02T15:04:05.000000")
		dtv = serializer.DateTimeOf(when.In(p.loc))
		dtv.TZ = nil
	}
	k4 := newKey(t)
	d4 := withExpiry(p.values(4), serializer.Str(iso))
	create(k4, djangosess.Record{Data: d4})
	if r := p.goLoad(k4); !r.Expiry.Equal(when) {
		t.Errorf("ISO _session_expiry: Go expiry %v, want %v", r.Expiry, when)
	}
	if p.series == "3.2" {
		// Django ≤ 4.0 cannot compare a str with 0 in the file backend's load().
		if a := p.o.Do(t, map[string]any{"op": "store_load", "data": k4})[0]; a.OK || a.Error != "TypeError" {
			t.Errorf("Django 3.2 on an ISO _session_expiry: %+v, want a TypeError", a)
		}
		if err := p.s.Delete(ctx, k4); err != nil { // it would stop Django's clear_expired too
			t.Fatal(err)
		}
	} else {
		dl = check("ISO _session_expiry", k4, d4)
		p.expect("ISO _session_expiry", k4, when)
		if !dl.expiry.Equal(when) {
			t.Errorf("ISO _session_expiry: Django's expiry %v, want %v", dl.expiry, when)
		}
	}
	if p.pickle {
		k5 := newKey(t)
		d5 := withExpiry(p.values(5), dtv)
		create(k5, djangosess.Record{Data: d5})
		dl = check("datetime _session_expiry", k5, d5)
		p.expect("datetime _session_expiry", k5, when)
		if r := p.goLoad(k5); !dl.expiry.Equal(when) || !r.Expiry.Equal(when) {
			t.Errorf("datetime _session_expiry: Django %v, Go %v, want %v", dl.expiry, r.Expiry, when)
		}
	}

	p.checkExpected()

	// Save, Delete.
	if err := p.s.Save(ctx, k1, djangosess.Record{Data: p.values(10)}); err != nil {
		t.Fatal(err)
	}
	check("after Go's Save", k1, p.values(10))
	p.checkExpected()
	p.do(map[string]any{"op": "store_update", "data": k1, "value": tag(t, serializer.DictOf("django", serializer.Bool(true)))})
	want := p.values(10)
	want.SetStr("django", serializer.Bool(true))
	if r := p.goLoad(k1); !serializer.Equal(r.Data, want) {
		t.Errorf("Go after Django's update of a Go session: %v", r.Data)
	}
	if err := p.s.Delete(ctx, k1); err != nil {
		t.Fatal(err)
	}
	if p.exists(k1) {
		t.Error("Django's exists() after Go's Delete")
	}
	if dl := p.load(k1); dl.found {
		t.Error("Django loads a session Go deleted")
	}
	// Django's save of a session Go deleted meanwhile is an UpdateError.
	k6 := newKey(t)
	create(k6, djangosess.Record{Data: p.values(6)})
	if err := p.s.Delete(ctx, k6); err != nil {
		t.Fatal(err)
	}
	if err := p.s.Save(ctx, k6, djangosess.Record{Data: p.values(7)}); !errors.Is(err, djangosess.ErrVanished) {
		t.Errorf("Go Save after Delete = %v, want ErrVanished", err)
	}
	if p.exists(k6) {
		t.Error("the vanished session came back")
	}
}

// expired: sessions either side considers expired are gone for the other.
func (p *peer) expired(t *testing.T) {
	p = p.sub(t)
	// Go writes a past expiry: Django treats the session as expired and
	// deletes its file.
	k1 := newKey(t)
	if err := p.s.Create(ctx, k1, djangosess.Record{Data: p.values(1), Expiry: time.Now().Add(-time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if dl := p.load(k1); dl.found {
		t.Error("Django loads a session Go wrote expired")
	}
	if p.goExists(k1) {
		t.Error("Django left the expired file")
	}
	// And the other way: a few seconds left is alive on both sides.
	k2 := newKey(t)
	if err := p.s.Create(ctx, k2, djangosess.Record{Data: p.values(2), Expiry: time.Now().Add(30 * time.Second)}); err != nil {
		t.Fatal(err)
	}
	if dl := p.load(k2); !dl.found {
		t.Error("Django does not load a session with 30 s left")
	}
	p.goLoad(k2)

	// Django's files grow old (their modification time is moved back):
	// Go finds them expired and deletes them, as Django does.
	k3 := p.create(p.values(3), nil)
	k4 := p.create(p.values(4), nil)
	old := time.Now().Add(-djangosess.DefaultCookieAge - time.Minute)
	for _, k := range []string{k3, k4} {
		if err := os.Chtimes(filepath.Join(p.dir, "sessionid"+k), time.Time{}, old); err != nil {
			t.Fatal(err)
		}
	}
	p.goNotFound(k3)
	if p.exists(k3) {
		t.Error("Go left the expired file")
	}
	if dl := p.load(k4); dl.found {
		t.Error("Django loads its own old session")
	}
	p.goNotFound(k4)

	// set_expiry(-5): a negative number has expired at once.
	k5 := p.create(p.values(5), serializer.Int(-5))
	p.goNotFound(k5)
	if p.exists(k5) {
		t.Error("Go left the file of set_expiry(-5)")
	}
	// A past datetime.
	if p.series != "3.2" || p.pickle {
		k6 := p.create(p.values(6), serializer.TimeDeltaOf(-time.Hour))
		p.goNotFound(k6)
	}

	// Django's quirk: set_expiry(60) never expires on the server; both
	// sides keep loading the session however old its file.
	k7 := p.create(p.values(7), serializer.Int(60))
	if err := os.Chtimes(filepath.Join(p.dir, "sessionid"+k7), time.Time{}, time.Now().Add(-30*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if dl := p.load(k7); !dl.found {
		t.Error("Django: an integer _session_expiry expired")
	}
	r := p.goLoad(k7)
	near(t, "integer _session_expiry: reported expiry (mtime + 60)", r.Expiry, time.Now().Add(-30*24*time.Hour+time.Minute), 5*time.Second)
}

// clearExpired: Django's clear_expired removes expired sessions Go wrote,
// Go's ClearExpired those Django wrote, and each leaves the live ones.
func (p *peer) clearExpired(t *testing.T) {
	p = p.sub(t)
	if _, err := p.s.ClearExpired(ctx); err != nil { // earlier subtests' leftovers
		t.Fatal(err)
	}
	// Go writes, Django clears.
	live, dead, deadData := newKey(t), newKey(t), newKey(t)
	for k, r := range map[string]djangosess.Record{
		live:     {Data: p.values(1)},
		dead:     {Data: p.values(2), Expiry: time.Now().Add(-time.Hour)},
		deadData: {Data: withExpiry(p.values(3), serializer.Int(-1))},
	} {
		if err := p.s.Create(ctx, k, r); err != nil {
			t.Fatal(err)
		}
	}
	// A temporary file a killed writer left: Django skips it.
	leftover := filepath.Join(p.dir, "sessionid"+newKey(t)+"_out_x1y2z3")
	if err := os.WriteFile(leftover, []byte("partial"), 0o600); err != nil {
		t.Fatal(err)
	}
	p.do(map[string]any{"op": "store_clear_expired"})
	if !p.goExists(live) || p.goExists(dead) || p.goExists(deadData) {
		t.Errorf("after Django's clear_expired: live %v, dead %v, deadData %v", p.goExists(live), p.goExists(dead), p.goExists(deadData))
	}
	if _, err := os.Stat(leftover); err != nil {
		t.Errorf("Django's clear_expired touched a temporary file: %v", err)
	}

	// Django writes, Go clears.
	dLive := p.create(p.values(4), nil)
	dDead := p.create(p.values(5), serializer.Int(-1))
	dOld := p.create(p.values(6), nil)
	if err := os.Chtimes(filepath.Join(p.dir, "sessionid"+dOld), time.Time{}, time.Now().Add(-djangosess.DefaultCookieAge-time.Second)); err != nil {
		t.Fatal(err)
	}
	n, err := p.s.ClearExpired(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("ClearExpired = %d, want 2", n)
	}
	for k, want := range map[string]bool{dLive: true, dDead: false, dOld: false, live: true} {
		if got := p.exists(k); got != want {
			t.Errorf("Django's exists(%s) after Go's ClearExpired = %v, want %v", k[:6], got, want)
		}
	}
	if _, err := os.Stat(leftover); err != nil {
		t.Errorf("a fresh temporary file was removed: %v", err)
	}
	if dl := p.load(dLive); !dl.found || !serializer.Equal(dl.data, p.values(4)) {
		t.Errorf("Django's live session after Go's ClearExpired: %+v", dl)
	}
}

func newKey(t *testing.T) string {
	t.Helper()
	k, err := keys.Generate()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// expiryRules: for every kind of _session_expiry, Go and Django agree on
// whether the session has expired. Each case is written twice by Go, one
// copy loaded by Django, the other by Go.
func (p *peer) expiryRules(t *testing.T) {
	p = p.sub(t)
	now := time.Now()
	iso := func(d time.Duration) serializer.Value {
		w := now.Add(d)
		if p.useTZ {
			return serializer.Str(w.UTC().Format("2006-01-02T15:04:05.000000+00:00"))
		}
		return serializer.Str(w.In(p.loc).Format("2006-01-02T15:04:05.000000"))
	}
	dt := func(d time.Duration) serializer.Value {
		v := serializer.DateTimeOf(now.Add(d).In(p.loc))
		if p.useTZ {
			v = serializer.DateTimeOf(now.Add(d).UTC())
		} else {
			v.TZ = nil
		}
		return v
	}
	type tc struct {
		name   string
		v      serializer.Value // nil: absent
		expiry time.Duration    // Record.Expiry from now; 0: zero
		found  bool
	}
	cases := []tc{
		{"absent, 20 s left", nil, 20 * time.Second, true},
		{"absent, 0.5 s left", nil, 500 * time.Millisecond, false},
		{"absent, 1 s ago", nil, -time.Second, false},
		{"None, past", serializer.None{}, -time.Hour, false},
		{"0, past", serializer.Int(0), -time.Hour, false},
		{"0.0, past", serializer.Float(0), -time.Hour, false},
		{"False, past", serializer.Bool(false), -time.Hour, false},
		{"empty str, past", serializer.Str(""), -time.Hour, false},
		{"60, past (never expires)", serializer.Int(60), -time.Hour, true},
		{"True, past", serializer.Bool(true), -time.Hour, true},
		{"0.5", serializer.Float(0.5), 0, true},
		{"-0.5", serializer.Float(-0.5), 0, false},
		{"-1", serializer.Int(-1), 0, false},
		// (2**70 loads in Django too, but the oracle's get_expiry_date
		// overflows on it: timedelta(seconds=2**70).)
		{"-2**70", serializer.NewBigInt(new(big.Int).Lsh(big.NewInt(-1), 70)), 0, false},
	}
	if p.series != "3.2" { // 3.2 raises a TypeError for any ISO string
		cases = append(cases,
			tc{"ISO, 20 s left", iso(20 * time.Second), 0, true},
			tc{"ISO, 0.5 s left", iso(500 * time.Millisecond), 0, false},
			tc{"ISO, past", iso(-time.Minute), 0, false})
	}
	if p.pickle {
		cases = append(cases,
			tc{"datetime, 20 s left", dt(20 * time.Second), 0, true},
			tc{"datetime, 0.5 s left", dt(500 * time.Millisecond), 0, false})
	}
	type pair struct{ django, goKey string }
	pairs := make([]pair, len(cases))
	for i, c := range cases {
		d := p.values(i)
		if c.v != nil {
			d.SetStr(djangosess.ExpiryKey, c.v)
		}
		r := djangosess.Record{Data: d}
		if c.expiry != 0 {
			r.Expiry = now.Add(c.expiry)
		}
		pairs[i] = pair{newKey(t), newKey(t)}
		for _, k := range []string{pairs[i].django, pairs[i].goKey} {
			if err := p.s.Create(ctx, k, r); err != nil {
				t.Fatalf("%s: Create: %v", c.name, err)
			}
		}
	}
	for i, c := range cases {
		dl := p.load(pairs[i].django)
		_, err := p.s.Load(ctx, pairs[i].goKey)
		goFound := err == nil
		if err != nil && !errors.Is(err, djangosess.ErrNotFound) {
			t.Errorf("%s: Go Load: %v", c.name, err)
		}
		if dl.found != c.found || goFound != c.found {
			t.Errorf("%s: Django found %v, Go %v; want %v", c.name, dl.found, goFound, c.found)
		}
		if !c.found && (p.goExists(pairs[i].goKey) || p.goExists(pairs[i].django)) {
			t.Errorf("%s: an expired file is still there", c.name)
		}
	}
}

// daylightSaving: under USE_TZ=False Django adds SESSION_COOKIE_AGE to the
// naive local mtime and compares with the naive local now, so across a
// daylight-saving change a session expires an hour off the instant
// mtime + age. Go computes as Django does. Django's clock cannot be moved,
// so its side is get_expiry_age(modification=<that moment>), as load()
// calls it at that moment.
func (p *peer) daylightSaving(t *testing.T) {
	p = p.sub(t)
	// Paris leaves CET (UTC+1) for CEST (UTC+2) on 2030-03-31.
	saved := time.Date(2030, 3, 17, 12, 0, 0, 0, p.loc)      // 11:00 UTC
	wallExpiry := time.Date(2030, 3, 31, 12, 0, 0, 0, p.loc) // 10:00 UTC, not 11:00
	at := func(tm time.Time) *Store {
		return newStore(t, Config{Dir: p.dir, Codec: p.s.codec, Location: p.loc, Now: func() time.Time { return tm }})
	}
	k1, k2 := newKey(t), newKey(t)
	// Saved with the default expiry two weeks before.
	if err := at(saved).Create(ctx, k1, djangosess.Record{Data: p.values(1)}); err != nil {
		t.Fatal(err)
	}
	// Saved with that expiry given.
	if err := at(time.Date(2030, 3, 20, 0, 0, 0, 0, time.UTC)).Create(ctx, k2, djangosess.Record{Data: p.values(2), Expiry: wallExpiry}); err != nil {
		t.Fatal(err)
	}
	moments := []time.Time{wallExpiry.Add(-10 * time.Minute), wallExpiry.Add(30 * time.Minute)}
	var lines []string
	for _, k := range []string{k1, k2} {
		for _, m := range moments {
			lines = append(lines, fmt.Sprintf("%s %d", k, m.Unix()))
		}
	}
	got := p.serverExpiry(lines...)
	i := 0
	for _, k := range []string{k1, k2} {
		for _, m := range moments {
			se := got[i]
			i++
			if !se.time().Equal(wallExpiry) {
				t.Errorf("%s at %v: Django's expiry %v, want %v", k[:6], m, se.time(), wallExpiry)
			}
			var age int
			if err := json.Unmarshal(se.Age, &age); err != nil {
				t.Fatal(err)
			}
			r, err := at(m).Load(ctx, k)
			goAlive := err == nil
			if goAlive != (age > 0) {
				t.Errorf("%s at %v: Django's age %d, Go Load %v", k[:6], m, age, err)
			}
			if goAlive && !r.Expiry.Equal(wallExpiry) {
				t.Errorf("%s at %v: Go's expiry %v, want %v", k[:6], m, r.Expiry, wallExpiry)
			}
			if m == moments[0] && !goAlive {
				t.Errorf("%s: expired 10 minutes early", k[:6])
			}
		}
	}
}
