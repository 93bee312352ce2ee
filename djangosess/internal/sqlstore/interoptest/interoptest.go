package interoptest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/internal/djangotest"
	"github.com/djangosess/djangosess/serializer"
)

// TimeZone is the TIME_ZONE of every run: not UTC, so that a naive time
// read in the wrong zone shows.
const TimeZone = "America/Chicago"

// SecretKey is the oracle's default SECRET_KEY.
const SecretKey = "test-secret-key-0123456789"

// Engine is one database as the runs use it.
type Engine struct {
	// Name is "postgres", "sqlite" or "mysql".
	Name string
	// Place makes a fresh, empty database for one run.
	Place func(t *testing.T) Place
}

// Place is one fresh database.
type Place struct {
	// Django is DATABASES["default"] for it.
	Django map[string]any
	// Migrate creates django_session with the Go Migrate.
	Migrate func(ctx context.Context) error
	// Store opens the Go store on django_session.
	Store func(t *testing.T, codec *djangosess.Codec, loc *time.Location) djangosess.Store
	// RawExpiry returns expire_date as stored, as text (engines that
	// store text or naive datetimes); nil to skip the raw comparison.
	RawExpiry func(t *testing.T, key string) string
}

// Run runs the matrix as subtests of t.
func Run(t *testing.T, e Engine) {
	chicago, err := time.LoadLocation(TimeZone)
	if err != nil {
		t.Fatalf("interoptest: %v", err)
	}
	for _, d := range djangotest.Versions(t) {
		series := djangotest.Series(d.Version)
		sers := []string{"json", "pickle"}
		if series >= "5.0" {
			sers = sers[:1] // Django 5 removed PickleSerializer
		}
		for _, ser := range sers {
			for _, useTZ := range []bool{true, false} {
				// Each (version, use_tz) sees both table origins.
				djangoMigrates := useTZ != (ser == "pickle")
				if series >= "5.0" {
					djangoMigrates = useTZ
				}
				origin := "go-migrate"
				if djangoMigrates {
					origin = "django-migrate"
				}
				name := fmt.Sprintf("django-%s/%s/use_tz=%v/%s", series, ser, useTZ, origin)
				t.Run(name, func(t *testing.T) {
					loc := time.UTC
					if !useTZ {
						loc = chicago
					}
					r := newRun(t, e, d, ser, useTZ, djangoMigrates, loc)
					t.Run("DjangoToGo", r.djangoToGo)
					t.Run("GoToDjango", r.goToDjango)
					t.Run("Expiries", r.expiries)
				})
			}
		}
	}
}

type run struct {
	e      Engine
	place  Place
	o      *djangotest.Oracle
	s      djangosess.Store
	series string
	ser    string
	useTZ  bool
	loc    *time.Location
}

var ctx = context.Background()

func newRun(t *testing.T, e Engine, d djangotest.Django, ser string, useTZ, djangoMigrates bool, loc *time.Location) *run {
	place := e.Place(t)
	settings, err := json.Marshal(map[string]any{
		"SESSION_ENGINE": "django.contrib.sessions.backends.db",
		"DATABASES":      map[string]any{"default": place.Django},
		"TIME_ZONE":      TimeZone,
	})
	if err != nil {
		t.Fatal(err)
	}
	flags := []string{"--settings=" + string(settings), "--serializer=" + ser}
	if !useTZ {
		flags = append(flags, "--no-use-tz")
	}
	// Django's settings module sets TZ to TIME_ZONE (so that naive "now"
	// under USE_TZ=False is TIME_ZONE's wall clock); settings.configure(),
	// which the oracle uses, does not: the oracle gets it from here.
	t.Setenv("TZ", TimeZone)
	o := d.Start(t, flags...)
	if djangoMigrates {
		call(t, o, req("call_command", nil, tagged(t, serializer.List{serializer.Str("migrate"), serializer.Str("sessions"), serializer.Str("--verbosity"), serializer.Str("0")})))
	} else if err := place.Migrate(ctx); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	var sc serializer.Codec = serializer.JSON{}
	if ser == "pickle" {
		sc = serializer.Pickle{}
	}
	codec, err := djangosess.NewCodec(djangosess.CodecConfig{SecretKey: []byte(SecretKey), Serializer: sc})
	if err != nil {
		t.Fatal(err)
	}
	return &run{e: e, place: place, o: o, s: place.Store(t, codec, loc), series: djangotest.Series(d.Version),
		ser: ser, useTZ: useTZ, loc: loc}
}

// req builds one oracle request; value is tagged JSON (nil for none).
func req(op string, data any, value json.RawMessage, params ...any) map[string]any {
	m := map[string]any{"op": op}
	if data != nil {
		m["data"] = data
	}
	if value != nil {
		m["value"] = value
	}
	if len(params) > 0 {
		p := map[string]any{}
		for i := 0; i+1 < len(params); i += 2 {
			p[params[i].(string)] = params[i+1]
		}
		m["params"] = p
	}
	return m
}

func tagged(t *testing.T, v serializer.Value) json.RawMessage {
	t.Helper()
	b, err := serializer.MarshalTagged(v)
	if err != nil {
		t.Fatalf("MarshalTagged(%v): %v", v, err)
	}
	return b
}

// call sends one request and requires success.
func call(t *testing.T, o *djangotest.Oracle, r map[string]any) serializer.Value {
	t.Helper()
	a := o.Do(t, r)[0]
	if !a.OK {
		t.Fatalf("Django %s %v: %s: %s", o.Django.Version, r["op"], a.Error, a.Message)
	}
	return a.Tagged(t)
}

func (r *run) django(t *testing.T, op string, data any, value serializer.Value, params ...any) serializer.Value {
	t.Helper()
	var v json.RawMessage
	if value != nil {
		v = tagged(t, value)
	}
	return call(t, r.o, req(op, data, v, params...))
}

// values is a session dict with what the serializer keeps.
func (r *run) values(n int) *serializer.Dict {
	d := serializer.DictOf(
		"_auth_user_id", serializer.Str(fmt.Sprint(n)),
		"_auth_user_backend", serializer.Str("django.contrib.auth.backends.ModelBackend"),
		"_auth_user_hash", serializer.Str("0b7cc1a7bd0ee24c3c9f0c7f0f1e5b1bd7e4c3b1e8a7d2a0f5c6b9e8d7c6b5a4"),
		"cart", serializer.List{serializer.Int(n), serializer.Int(1 << 60), serializer.Float(0.1), serializer.Str("é\u2603\U0001F600")},
		"nested", serializer.DictOf("none", serializer.None{}, "yes", serializer.Bool(true), "empty", serializer.List{}),
	)
	if r.ser == "pickle" {
		d.SetStr("when", serializer.DateTime{Year: 2024, Month: 2, Day: 29, Hour: 23, Minute: 59, Second: 58, Microsecond: 7, TZ: serializer.UTC})
		d.SetStr("naive", serializer.DateTime{Year: 1999, Month: 12, Day: 31, Hour: 1})
		d.SetStr("bytes", serializer.Bytes("\x00\xff"))
		d.SetStr("tuple", serializer.Tuple{serializer.Int(1), serializer.Str("x")})
		d.SetStr("price", serializer.Decimal("19.90"))
	}
	return d
}

// loaded is Django's store_load answer.
type loaded struct {
	found  bool
	data   *serializer.Dict
	expiry time.Time // get_expiry_date()
}

func (r *run) djangoLoad(t *testing.T, key string) loaded {
	t.Helper()
	v := r.django(t, "store_load", key, nil)
	m, ok := v.(*serializer.Dict)
	if !ok {
		t.Fatalf("store_load answered %v", v)
	}
	var l loaded
	if f, _ := m.GetStr("found"); f == serializer.Bool(true) {
		l.found = true
	}
	if d, ok := m.Dict("data"); ok {
		l.data = d
	}
	if e, ok := m.GetStr("expiry_date"); ok {
		if dt, ok := e.(serializer.DateTime); ok {
			l.expiry = r.instant(dt)
		}
	}
	return l
}

// instant reads a datetime Django returned: aware as is, naive in the
// run's zone.
func (r *run) instant(dt serializer.DateTime) time.Time {
	if dt.TZ != nil {
		return dt.Time()
	}
	return time.Date(dt.Year, time.Month(dt.Month), dt.Day, dt.Hour, dt.Minute, dt.Second, dt.Microsecond*1000, r.loc)
}

// rowExpiry is the expire_date of key's row as Django reads it; zero when
// there is no row.
func (r *run) rowExpiry(t *testing.T, key string) time.Time {
	t.Helper()
	v := r.django(t, "store_expire_date", key, nil)
	switch x := v.(type) {
	case serializer.None:
		return time.Time{}
	case serializer.DateTime:
		if r.useTZ && x.TZ == nil {
			t.Errorf("Django read a naive expire_date under USE_TZ=True: %v", x)
		}
		if !r.useTZ && x.TZ != nil {
			t.Errorf("Django read an aware expire_date under USE_TZ=False: %v", x)
		}
		return r.instant(x)
	}
	t.Fatalf("store_expire_date answered %v", v)
	return time.Time{}
}

func (r *run) mustLoad(t *testing.T, key string) djangosess.Record {
	t.Helper()
	rec, err := r.s.Load(ctx, key)
	if err != nil {
		t.Fatalf("Go Load: %v", err)
	}
	return rec
}

func (r *run) notFound(t *testing.T, key string) {
	t.Helper()
	if rec, err := r.s.Load(ctx, key); !errors.Is(err, djangosess.ErrNotFound) {
		t.Errorf("Go Load = %v, %v; want ErrNotFound", rec.Data, err)
	}
}

func same(t *testing.T, what string, got, want *serializer.Dict) {
	t.Helper()
	if !serializer.Equal(got, want) {
		t.Errorf("%s:\n got %v\nwant %v", what, got, want)
	}
}

func sameTime(t *testing.T, what string, got, want time.Time) {
	t.Helper()
	if !got.Equal(want) || got.IsZero() {
		t.Errorf("%s: %v, want %v", what, got, want)
	}
}

func str(v serializer.Value) string {
	s, _ := v.(serializer.Str)
	return string(s)
}

// expiryValue is a fixed expiry as set_expiry(datetime) would store it in
// this Django and serializer, or nil when it cannot (JSON before 4.1
// cannot serialize a datetime).
func (r *run) expiryDateTime(micro int) (serializer.DateTime, bool) {
	dt := serializer.DateTime{Year: 2031, Month: 5, Day: 6, Hour: 7, Minute: 8, Second: 9, Microsecond: micro}
	if r.useTZ {
		dt.TZ = serializer.UTC
	}
	return dt, r.ser == "pickle" || r.series >= "4.1"
}

// expiryStored is how Django ≥ 4.1 keeps a datetime in _session_expiry
// (isoformat), or the datetime itself before.
func (r *run) expiryStored(t *testing.T, dt serializer.DateTime) serializer.Value {
	if r.series < "4.1" {
		return dt
	}
	s, err := dt.ISOFormat()
	if err != nil {
		t.Fatal(err)
	}
	return serializer.Str(s)
}

var naiveShape = regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?$`)

func (r *run) djangoToGo(t *testing.T) {
	// A session Django made.
	v1 := r.values(1)
	k1 := str(r.django(t, "store_create", nil, v1))
	rec := r.mustLoad(t, k1)
	same(t, "Go Load of Django's session", rec.Data, v1)
	sameTime(t, "Go Load expiry vs Django's expire_date", rec.Expiry, r.rowExpiry(t, k1))
	if rec.Stored.Serializer != r.ser || !rec.Stored.Signed || rec.Size <= 0 {
		t.Errorf("Stored = %+v, Size %d", rec.Stored, rec.Size)
	}

	// Changed by Django.
	r.django(t, "store_update", k1, serializer.DictOf("cart", serializer.List{serializer.Int(9)}, "new", serializer.Str("x")))
	want := v1.Clone()
	want.SetStr("cart", serializer.List{serializer.Int(9)})
	want.SetStr("new", serializer.Str("x"))
	rec = r.mustLoad(t, k1)
	same(t, "Go Load after Django's update", rec.Data, want)
	sameTime(t, "expiry after Django's update", rec.Expiry, r.rowExpiry(t, k1))

	// set_expiry(seconds).
	k2 := str(r.django(t, "store_create", nil, r.values(2), "set_expiry", json.RawMessage("300")))
	rec = r.mustLoad(t, k2)
	w2 := r.values(2)
	w2.SetStr(djangosess.ExpiryKey, serializer.Int(300))
	same(t, "Go Load of a set_expiry(300) session", rec.Data, w2)
	sameTime(t, "set_expiry(300) expiry", rec.Expiry, r.rowExpiry(t, k2))

	// set_expiry(datetime).
	if dt, ok := r.expiryDateTime(123456); ok {
		k := str(r.django(t, "store_create", nil, r.values(3), "set_expiry", tagged(t, dt)))
		rec = r.mustLoad(t, k)
		w := r.values(3)
		w.SetStr(djangosess.ExpiryKey, r.expiryStored(t, dt))
		same(t, "Go Load of a set_expiry(datetime) session", rec.Data, w)
		sameTime(t, "set_expiry(datetime) expiry", rec.Expiry, r.instant(dt))
		sameTime(t, "set_expiry(datetime) row", r.rowExpiry(t, k), r.instant(dt))
		if r.place.RawExpiry != nil {
			raw := r.place.RawExpiry(t, k)
			if !naiveShape.MatchString(raw) {
				t.Errorf("Django stored expire_date as %q", raw)
			}
			// The same expiry written by Go is stored identically.
			gk, err := djangosess.CreateNew(ctx, r.s, djangosess.Record{Data: w})
			if err != nil {
				t.Fatal(err)
			}
			if graw := r.place.RawExpiry(t, gk); graw != raw {
				t.Errorf("Go stored expire_date %q, Django %q", graw, raw)
			}
		}
	}

	// cycle_key: a new key with the data, the old one gone.
	k1b := str(r.django(t, "store_cycle_key", k1, nil))
	if k1b == k1 || k1b == "" {
		t.Fatalf("cycle_key gave %q", k1b)
	}
	r.notFound(t, k1)
	same(t, "Go Load after cycle_key", r.mustLoad(t, k1b).Data, want)

	// Deleted by Django.
	r.django(t, "store_delete", k2, nil)
	r.notFound(t, k2)
	if ok, err := r.s.Exists(ctx, k2); err != nil || ok {
		t.Errorf("Go Exists after Django's delete = %v, %v", ok, err)
	}
	// Go's Save of a session Django deleted is Django's UpdateError.
	if err := r.s.Save(ctx, k2, djangosess.Record{Data: w2}); !errors.Is(err, djangosess.ErrVanished) {
		t.Errorf("Go Save after Django's delete = %v, want ErrVanished", err)
	}
}

func (r *run) goToDjango(t *testing.T) {
	// A session Go made, with Django's default expiry.
	v := r.values(10)
	k, err := djangosess.CreateNew(ctx, r.s, djangosess.Record{Data: v})
	if err != nil {
		t.Fatal(err)
	}
	l := r.djangoLoad(t, k)
	if !l.found {
		t.Fatalf("Django did not find Go's session")
	}
	same(t, "Django's load of Go's session", l.data, v)
	sameTime(t, "Django's expire_date of Go's session", r.rowExpiry(t, k), r.mustLoad(t, k).Expiry)
	if ok := r.django(t, "store_exists", k, nil); ok != serializer.Bool(true) {
		t.Errorf("Django store_exists = %v", ok)
	}

	// _session_expiry as seconds.
	v2 := r.values(11)
	v2.SetStr(djangosess.ExpiryKey, serializer.Int(600))
	k2, err := djangosess.CreateNew(ctx, r.s, djangosess.Record{Data: v2})
	if err != nil {
		t.Fatal(err)
	}
	l = r.djangoLoad(t, k2)
	same(t, "Django's load of Go's set_expiry(600) session", l.data, v2)
	got := r.rowExpiry(t, k2)
	if d := time.Until(got); d < 590*time.Second || d > 600*time.Second {
		t.Errorf("expire_date of a 600 s session is %v from now", d)
	}

	// A fixed expiry date.
	if dt, ok := r.expiryDateTime(0); ok {
		v3 := r.values(12)
		v3.SetStr(djangosess.ExpiryKey, r.expiryStored(t, dt))
		k3, err := djangosess.CreateNew(ctx, r.s, djangosess.Record{Data: v3})
		if err != nil {
			t.Fatal(err)
		}
		l = r.djangoLoad(t, k3)
		same(t, "Django's load of Go's dated session", l.data, v3)
		sameTime(t, "Django's expire_date of Go's dated session", r.rowExpiry(t, k3), r.instant(dt))
		sameTime(t, "Django's get_expiry_date of Go's dated session", l.expiry, r.instant(dt))
		if r.place.RawExpiry != nil {
			// Django's own save of the same expiry is stored identically.
			raw := r.place.RawExpiry(t, k3)
			r.django(t, "store_update", k3, serializer.DictOf())
			if draw := r.place.RawExpiry(t, k3); draw != raw {
				t.Errorf("Go stored expire_date %q, Django %q", raw, draw)
			}
		}
	}

	// Changed by Go.
	v4 := r.values(13)
	v4.SetStr("changed", serializer.Bool(true))
	if err := r.s.Save(ctx, k, djangosess.Record{Data: v4}); err != nil {
		t.Fatal(err)
	}
	l = r.djangoLoad(t, k)
	same(t, "Django's load after Go's Save", l.data, v4)
	sameTime(t, "Django's expire_date after Go's Save", r.rowExpiry(t, k), r.mustLoad(t, k).Expiry)

	// Then changed by Django, read by Go, and the other way round again.
	r.django(t, "store_update", k, serializer.DictOf("django", serializer.Int(1)))
	v4.SetStr("django", serializer.Int(1))
	same(t, "Go Load after Django changed Go's session", r.mustLoad(t, k).Data, v4)

	// Deleted by Go.
	if err := r.s.Delete(ctx, k); err != nil {
		t.Fatal(err)
	}
	if l := r.djangoLoad(t, k); l.found {
		t.Errorf("Django still finds the session Go deleted")
	}
	if ok := r.django(t, "store_exists", k, nil); ok != serializer.Bool(false) {
		t.Errorf("Django store_exists after Go's Delete = %v", ok)
	}
}

func (r *run) expiries(t *testing.T) {
	// An expired session Django wrote: Go does not load it, sees the row,
	// and its ClearExpired removes it for Django too.
	kd := str(r.django(t, "store_create", nil, r.values(20), "set_expiry", json.RawMessage("-10")))
	r.notFound(t, kd)
	if ok, err := r.s.Exists(ctx, kd); err != nil || !ok {
		t.Errorf("Go Exists of Django's expired row = %v, %v; want true", ok, err)
	}
	// An expired session Go wrote: Django does not load it.
	kg, err := djangosess.CreateNew(ctx, r.s, djangosess.Record{Data: r.values(21), Expiry: time.Now().Add(-time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	if l := r.djangoLoad(t, kg); l.found {
		t.Errorf("Django loaded the session Go wrote expired")
	}
	if ok := r.django(t, "store_exists", kg, nil); ok != serializer.Bool(true) {
		t.Errorf("Django store_exists of Go's expired row = %v; want True", ok)
	}
	live := str(r.django(t, "store_create", nil, r.values(22)))

	n, err := r.s.ClearExpired(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("Go ClearExpired = %d, want 2", n)
	}
	for _, k := range []string{kd, kg} {
		if ok := r.django(t, "store_exists", k, nil); ok != serializer.Bool(false) {
			t.Errorf("Django store_exists after Go's ClearExpired = %v", ok)
		}
	}

	// Django's clear_expired removes what Go wrote expired.
	kg2, err := djangosess.CreateNew(ctx, r.s, djangosess.Record{Data: r.values(23), Expiry: time.Now().Add(-time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	r.django(t, "store_clear_expired", nil, nil)
	if ok, err := r.s.Exists(ctx, kg2); err != nil || ok {
		t.Errorf("Go Exists after Django's clear_expired = %v, %v; want false", ok, err)
	}
	same(t, "the live session after both clears", r.mustLoad(t, live).Data, r.values(22))
	if l := r.djangoLoad(t, live); !l.found {
		t.Errorf("Django lost the live session")
	}

	// A session Django saves with an expiry in the past is gone for Go.
	k := str(r.django(t, "store_create", nil, r.values(24)))
	r.django(t, "store_update", k, serializer.DictOf(), "set_expiry", json.RawMessage("-1"))
	r.notFound(t, k)
	// And one Go saves in the past is gone for Django.
	k5, err := djangosess.CreateNew(ctx, r.s, djangosess.Record{Data: r.values(25)})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.s.Save(ctx, k5, djangosess.Record{Data: r.values(25), Expiry: time.Now().Add(-time.Second)}); err != nil {
		t.Fatal(err)
	}
	if l := r.djangoLoad(t, k5); l.found {
		t.Errorf("Django loaded a session Go saved expired")
	}
}
