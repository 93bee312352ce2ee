package mysql_test

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/djangosess/djangosess/djangosess/internal/sqlstore/interoptest"
	"github.com/djangosess/djangosess/djangosess/mysql"
	"github.com/djangosess/djangosess/internal/djangotest"
	"github.com/djangosess/djangosess/internal/servertest"
	"github.com/djangosess/djangosess/serializer"
)

// MigrateSQL is what Django's schema editor writes for the same model, for
// custom table names too (index names, their shortening, quoting).
func TestMigrateSQLMatchesDjango(t *testing.T) {
	my := servertest.MySQL(t)
	var tables []string
	for _, tb := range interoptest.Tables {
		if len([]rune(tb)) <= 64 {
			tables = append(tables, tb)
		}
	}
	for _, d := range djangotest.Versions(t) {
		t.Run(d.Version, func(t *testing.T) {
			want := interoptest.DjangoDDL(t, d, djangoDatabase(my), tables)
			for i, tb := range tables {
				got, err := mysql.MigrateSQL(tb)
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

// Migrate makes what Django's migrate makes, catalog entry for catalog
// entry, and is idempotent, also over Django's own table.
func TestMigrateMatchesDjangoMigrate(t *testing.T) {
	for _, d := range djangotest.Versions(t) {
		t.Run(d.Version, func(t *testing.T) {
			djangos := servertest.MySQL(t)
			settings, _ := json.Marshal(map[string]any{"DATABASES": map[string]any{"default": djangoDatabase(djangos)}})
			o := d.Start(t, "--settings="+string(settings))
			args, _ := serializer.MarshalTagged(serializer.List{serializer.Str("migrate"), serializer.Str("sessions"), serializer.Str("--verbosity"), serializer.Str("0")})
			if a := o.Do(t, map[string]any{"op": "call_command", "value": json.RawMessage(args)})[0]; !a.OK {
				t.Fatalf("migrate: %s: %s", a.Error, a.Message)
			}
			ours := servertest.MySQL(t)
			odb := open(t, ours.DSN)
			for range 2 {
				if err := mysql.Migrate(ctx, odb, ""); err != nil {
					t.Fatal(err)
				}
			}
			ddb := open(t, djangos.DSN)
			want := catalog(t, ddb)
			if got := catalog(t, odb); !slices.Equal(got, want) {
				t.Errorf("catalog of Migrate:\n%s\nof Django's migrate:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			if err := mysql.Migrate(ctx, ddb, ""); err != nil {
				t.Fatalf("Migrate over Django's table: %v", err)
			}
			if got := catalog(t, ddb); !slices.Equal(got, want) {
				t.Errorf("Migrate changed Django's table:\n%s", strings.Join(got, "\n"))
			}
		})
	}
}

// catalog describes django_session in the connection's database: SHOW
// CREATE TABLE, the columns and the index entries.
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
			vals := make([]sql.NullString, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			out = append(out, fmt.Sprint(vals))
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	add("SHOW CREATE TABLE django_session")
	add(`SELECT ordinal_position, column_name, column_type, is_nullable, column_key, column_default,
		character_set_name, collation_name, extra FROM information_schema.columns
		WHERE table_schema = DATABASE() AND table_name = 'django_session' ORDER BY ordinal_position`)
	add(`SELECT index_name, seq_in_index, column_name, non_unique, index_type, collation, sub_part
		FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = 'django_session'
		ORDER BY index_name, seq_in_index`)
	add(`SELECT engine, table_collation, row_format FROM information_schema.tables
		WHERE table_schema = DATABASE() AND table_name = 'django_session'`)
	if len(out) < 1+3+2+1 {
		t.Fatalf("catalog has %d entries: %q", len(out), out)
	}
	return out
}
