package sqlite_test

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/djangosess/djangosess/djangosess/internal/sqlstore/interoptest"
	"github.com/djangosess/djangosess/djangosess/sqlite"
	"github.com/djangosess/djangosess/internal/djangotest"
	"github.com/djangosess/djangosess/serializer"
)

// MigrateSQL is what Django's schema editor writes for the same model, for
// custom table names too.
func TestMigrateSQLMatchesDjango(t *testing.T) {
	for _, d := range djangotest.Versions(t) {
		t.Run(d.Version, func(t *testing.T) {
			want := interoptest.DjangoDDL(t, d, map[string]any{"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}, interoptest.Tables)
			for i, tb := range interoptest.Tables {
				got, err := sqlite.MigrateSQL(tb)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(got, want[i]) {
					t.Errorf("table %q:\n got %q\nwant %q", tb, got, want[i])
				}
			}
		})
	}
}

// Migrate makes what Django's migrate makes (sqlite_master holds the same
// statements) and is idempotent, also over Django's own table.
func TestMigrateMatchesDjangoMigrate(t *testing.T) {
	for _, d := range djangotest.Versions(t) {
		t.Run(d.Version, func(t *testing.T) {
			dir := t.TempDir()
			djangos := filepath.Join(dir, "django.sqlite3")
			settings, _ := json.Marshal(map[string]any{"DATABASES": map[string]any{"default": map[string]any{
				"ENGINE": "django.db.backends.sqlite3", "NAME": djangos}}})
			o := d.Start(t, "--settings="+string(settings))
			args, _ := serializer.MarshalTagged(serializer.List{serializer.Str("migrate"), serializer.Str("sessions"), serializer.Str("--verbosity"), serializer.Str("0")})
			if a := o.Do(t, map[string]any{"op": "call_command", "value": json.RawMessage(args)})[0]; !a.OK {
				t.Fatalf("migrate: %s: %s", a.Error, a.Message)
			}
			ours := open(t, filepath.Join(dir, "ours.sqlite3"))
			for range 2 {
				if err := sqlite.Migrate(ctx, ours, ""); err != nil {
					t.Fatal(err)
				}
			}
			ddb := open(t, djangos)
			want := catalog(t, ddb)
			if got := catalog(t, ours); !slices.Equal(got, want) {
				t.Errorf("catalog of Migrate:\n%s\nof Django's migrate:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			if err := sqlite.Migrate(ctx, ddb, ""); err != nil {
				t.Fatalf("Migrate over Django's table: %v", err)
			}
			if got := catalog(t, ddb); !slices.Equal(got, want) {
				t.Errorf("Migrate changed Django's table:\n%s", strings.Join(got, "\n"))
			}
		})
	}
}

// catalog describes django_session: sqlite_master's entries (with their
// SQL), the columns and the indexes.
func catalog(t *testing.T, db *sql.DB) []string {
	t.Helper()
	var out []string
	add := func(q string) {
		rows, err := db.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			out = append(out, fmt.Sprint(vals...))
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	add(`SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_master WHERE tbl_name = 'django_session' ORDER BY name`)
	add(`SELECT * FROM pragma_table_info('django_session') ORDER BY cid`)
	add(`SELECT name, "unique", origin, partial FROM pragma_index_list('django_session') ORDER BY name`)
	if len(out) < 3+3+2 {
		t.Fatalf("catalog has %d entries: %q", len(out), out)
	}
	return out
}
