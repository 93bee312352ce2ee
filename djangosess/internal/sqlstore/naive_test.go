package sqlstore

import (
	"errors"
	"testing"
	"time"
)

func TestFormatNaive(t *testing.T) {
	chicago, err := time.LoadLocation("America/Chicago")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		t    time.Time
		loc  *time.Location
		want string
	}{
		// str(datetime): the fraction only when the microseconds are not zero.
		{time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC), time.UTC, "2030-01-02 03:04:05"},
		{time.Date(2030, 1, 2, 3, 4, 5, 999, time.UTC), time.UTC, "2030-01-02 03:04:05"},
		{time.Date(2030, 1, 2, 3, 4, 5, 1000, time.UTC), time.UTC, "2030-01-02 03:04:05.000001"},
		{time.Date(2030, 1, 2, 3, 4, 5, 120000000, time.UTC), time.UTC, "2030-01-02 03:04:05.120000"},
		{time.Date(7, 1, 2, 3, 4, 5, 0, time.UTC), time.UTC, "0007-01-02 03:04:05"},
		{time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC), time.UTC, "9999-12-31 23:59:59.999999"},
		{time.Date(2030, 7, 1, 12, 0, 0, 0, time.UTC), chicago, "2030-07-01 07:00:00"},
		{time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC), chicago, "2030-01-01 06:00:00"},
	} {
		got, err := FormatNaive(tc.t, tc.loc)
		if err != nil || got != tc.want {
			t.Errorf("FormatNaive(%v, %v) = %q, %v; want %q", tc.t, tc.loc, got, err, tc.want)
		}
	}
	for _, bad := range []time.Time{time.Date(0, 12, 31, 0, 0, 0, 0, time.UTC), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)} {
		if _, err := FormatNaive(bad, time.UTC); !errors.Is(err, ErrDateRange) {
			t.Errorf("FormatNaive(%v) = %v, want ErrDateRange", bad, err)
		}
	}
}

func TestParseNaive(t *testing.T) {
	chicago, err := time.LoadLocation("America/Chicago")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		s    string
		loc  *time.Location
		want time.Time
	}{
		{"2030-01-02 03:04:05", time.UTC, time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)},
		{"2030-01-02 03:04:05.000001", time.UTC, time.Date(2030, 1, 2, 3, 4, 5, 1000, time.UTC)},
		{"2030-01-02T03:04:05.5", time.UTC, time.Date(2030, 1, 2, 3, 4, 5, 500000000, time.UTC)},
		{"2030-01-02 03:04:05.123456789", time.UTC, time.Date(2030, 1, 2, 3, 4, 5, 123456789, time.UTC)},
		{"2030-07-01 07:00:00", chicago, time.Date(2030, 7, 1, 12, 0, 0, 0, time.UTC)},
		{"2030-07-01 07:00:00+00:00", chicago, time.Date(2030, 7, 1, 7, 0, 0, 0, time.UTC)},
		{"2030-07-01 07:00:00-05:30", time.UTC, time.Date(2030, 7, 1, 12, 30, 0, 0, time.UTC)},
		{"2030-07-01 07:00:00Z", chicago, time.Date(2030, 7, 1, 7, 0, 0, 0, time.UTC)},
		{"2024-02-29 00:00:00", time.UTC, time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)},
	} {
		got, err := ParseNaive(tc.s, tc.loc)
		if err != nil || !got.Equal(tc.want) {
			t.Errorf("ParseNaive(%q, %v) = %v, %v; want %v", tc.s, tc.loc, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "2030-01-02", "2030-01-02 03:04", "2030/01/02 03:04:05", "2030-13-02 03:04:05",
		"2023-02-29 00:00:00", "2030-01-02 24:00:00", "2030-01-02 03:60:00", "2030-01-02 03:04:05.", "2030-01-02 03:04:05.1234567890",
		"2030-01-02 03:04:05 ", "2030-01-02 03:04:05+1:00", "2030-01-02 03:04:05+25:00", "0000-01-01 00:00:00", "2030-01-02 03:04:0x",
		"+030-01-02 03:04:05"} {
		if got, err := ParseNaive(bad, time.UTC); !errors.Is(err, ErrBadDateTime) {
			t.Errorf("ParseNaive(%q) = %v, %v; want ErrBadDateTime", bad, got, err)
		}
	}
}

func TestNaiveValue(t *testing.T) {
	chicago, err := time.LoadLocation("America/Chicago")
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2030, 7, 1, 12, 0, 0, 0, time.UTC)
	for _, v := range []any{
		"2030-07-01 07:00:00",
		[]byte("2030-07-01 07:00:00"),
		time.Date(2030, 7, 1, 7, 0, 0, 0, time.UTC),                      // modernc, go-sql-driver with loc=UTC
		time.Date(2030, 7, 1, 7, 0, 0, 0, time.FixedZone("JST", 9*3600)), // a driver's loc
		time.Date(2030, 7, 1, 14, 0, 0, 0, time.FixedZone("", 2*3600)),   // text with an offset
	} {
		got, err := NaiveValue(v, chicago)
		if err != nil || !got.Equal(want) {
			t.Errorf("NaiveValue(%#v) = %v, %v; want %v", v, got, err, want)
		}
	}
	if _, err := NaiveValue(int64(5), chicago); !errors.Is(err, ErrBadDateTime) {
		t.Errorf("NaiveValue(int64) = %v", err)
	}
}

func FuzzParseNaive(f *testing.F) {
	for _, s := range []string{"2030-01-02 03:04:05", "2030-01-02 03:04:05.000001", "2030-01-02T03:04:05+01:00", "9999-12-31 23:59:59.999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseNaive(s, time.UTC)
		if err != nil {
			return
		}
		if y := got.Year(); y < 1 || y > 10000 {
			t.Fatalf("ParseNaive(%q) = %v", s, got)
		}
		// What FormatNaive writes reads back as the same instant.
		if out, err := FormatNaive(got, time.UTC); err == nil {
			back, err := ParseNaive(out, time.UTC)
			if err != nil || !back.Equal(got.Truncate(time.Microsecond)) {
				t.Fatalf("%q -> %v -> %q -> %v, %v", s, got, out, back, err)
			}
		}
	})
}

func TestCheckKey(t *testing.T) {
	for _, ok := range []string{"abcdefgh", "ABCDEFGH-ijkl_/..", "éééééééé", "ééééééééééééééééééééééééééééééééééééééé€", "0123456789012345678901234567890123456789"} {
		if err := checkKey(ok); err != nil {
			t.Errorf("checkKey(%q) = %v", ok, err)
		}
	}
	// Characters, not bytes, as Python's len: "éééé" is 8 bytes but 4 characters.
	for _, bad := range []string{"", "abcdefg", "éééé", "01234567890123456789012345678901234567890", "ééééééééééééééééééééééééééééééééééééééééé", "abcdefgh\x00", "abcdefgh\xff"} {
		if err := checkKey(bad); err == nil {
			t.Errorf("checkKey(%q) accepted", bad)
		}
	}
}

func TestIndexName(t *testing.T) {
	// Names from Django 3.2's _create_index_name (see the engines' tests
	// for the comparison with every Django version).
	for _, tc := range []struct {
		table, column, suffix string
		max                   int
		want                  string
	}{
		{"django_session", "expire_date", "", 0, "django_session_expire_date_a5c62663"},
		{"django_session", "expire_date", "", 63, "django_session_expire_date_a5c62663"},
		{"django_session", "session_key", "_like", 63, "django_session_session_key_c0390e0f_like"},
	} {
		if got := IndexName(tc.table, tc.column, tc.suffix, tc.max); got != tc.want {
			t.Errorf("IndexName(%q, %q, %q, %d) = %q, want %q", tc.table, tc.column, tc.suffix, tc.max, got, tc.want)
		}
	}
}
