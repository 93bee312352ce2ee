package sqlite_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/sqlite"
	"github.com/djangosess/djangosess/serializer"
	"github.com/djangosess/djangosess/signing"
)

// Scan reads pages of KeysBatch rows and goes on past rows it cannot use:
// a tampered session is its signing error, a key Django would refuse is
// ErrInvalidKey, an expired row ErrNotFound; every other row is yielded
// once, in key order, as Load reads it.
func TestScanPagesAndBadRows(t *testing.T) {
	db := open(t, filepath.Join(t.TempDir(), "db.sqlite3"))
	if err := sqlite.Migrate(ctx, db, ""); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	s, err := sqlite.New(db, sqlite.Config{Codec: codec(t, serializer.JSON{}), KeysBatch: 2, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i := range 5 {
		k := fmt.Sprintf("scanlive%024d", i)
		if err := s.Create(ctx, k, djangosess.Record{Data: serializer.DictOf("i", serializer.Int(i)), Expiry: now.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Create(ctx, "scanold0000000000000000000000000", djangosess.Record{Data: serializer.NewDict(0), Expiry: now.Add(-time.Second)}); err != nil {
		t.Fatal(err)
	}
	exp := "2026-11-26 13:00:00"
	for _, row := range [][2]string{
		{"scanbad0000000000000000000000000", "eyJpIjoxfQ:1r31eq:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
		{"short", ""},
	} {
		if _, err := db.ExecContext(ctx, `INSERT INTO django_session VALUES (?, ?, ?)`, row[0], row[1], exp); err != nil {
			t.Fatal(err)
		}
	}
	var order []string
	for it, err := range s.Scan(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		order = append(order, it.Key)
		switch it.Key {
		case "scanbad0000000000000000000000000":
			if !errors.Is(it.Err, signing.ErrBadSignature) {
				t.Errorf("tampered row: %v, want ErrBadSignature", it.Err)
			}
		case "short":
			if !errors.Is(it.Err, djangosess.ErrInvalidKey) {
				t.Errorf("short key: %v, want ErrInvalidKey", it.Err)
			}
		case "scanold0000000000000000000000000":
			if !errors.Is(it.Err, djangosess.ErrNotFound) {
				t.Errorf("expired row: %v, want ErrNotFound", it.Err)
			}
		default:
			want, err := s.Load(ctx, it.Key)
			if it.Err != nil || err != nil || !serializer.Equal(it.Record.Data, want.Data) || !it.Record.Expiry.Equal(want.Expiry) {
				t.Errorf("%s: Scan %v %v, Load %v %v", it.Key, it.Record, it.Err, want, err)
			}
		}
	}
	want := []string{"scanbad0000000000000000000000000", "scanlive000000000000000000000000", "scanlive000000000000000000000001",
		"scanlive000000000000000000000002", "scanlive000000000000000000000003", "scanlive000000000000000000000004",
		"scanold0000000000000000000000000", "short"}
	if fmt.Sprint(order) != fmt.Sprint(want) {
		t.Errorf("Scan order\n got %v\nwant %v", order, want)
	}
}
