package postgres_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/djangosess/djangosess/djangosess/internal/sqlstore/interoptest"
	"github.com/djangosess/djangosess/djangosess/postgres"
	"github.com/djangosess/djangosess/internal/djangotest"
	"github.com/djangosess/djangosess/internal/servertest"
	"github.com/djangosess/djangosess/serializer"
)

// MigrateSQL is what Django's schema editor writes for the same model, for
// custom table names too (index names, their shortening, quoting).
func TestMigrateSQLMatchesDjango(t *testing.T) {
	pg := servertest.Postgres(t)
	var tables []string
	for _, tb := range interoptest.Tables {
		if len([]rune(tb)) <= 63 {
			tables = append(tables, tb)
		}
	}
	for _, d := range djangotest.Versions(t) {
		t.Run(d.Version, func(t *testing.T) {
			want := interoptest.DjangoDDL(t, d, djangoDatabase(pg), tables)
			for i, tb := range tables {
				got, err := postgres.MigrateSQL("", tb)
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
			djangos := servertest.Postgres(t)
			settings, _ := json.Marshal(map[string]any{"DATABASES": map[string]any{"default": djangoDatabase(djangos)}})
			o := d.Start(t, "--settings="+string(settings))
			args, _ := serializer.MarshalTagged(serializer.List{serializer.Str("migrate"), serializer.Str("sessions"), serializer.Str("--verbosity"), serializer.Str("0")})
			if a := o.Do(t, map[string]any{"op": "call_command", "value": json.RawMessage(args)})[0]; !a.OK {
				t.Fatalf("migrate: %s: %s", a.Error, a.Message)
			}
			ours := servertest.Postgres(t)
			db := pool(t, servertest.PostgresDSN())
			for range 2 {
				if err := postgres.MigrateSchema(ctx, db, ours.Schema, ""); err != nil {
					t.Fatal(err)
				}
			}
			want := catalog(t, db, djangos.Schema)
			if got := catalog(t, db, ours.Schema); !slices.Equal(got, want) {
				t.Errorf("catalog of Migrate:\n%s\nof Django's migrate:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			if err := postgres.MigrateSchema(ctx, db, djangos.Schema, ""); err != nil {
				t.Fatalf("Migrate over Django's table: %v", err)
			}
			if got := catalog(t, db, djangos.Schema); !slices.Equal(got, want) {
				t.Errorf("Migrate changed Django's table:\n%s", strings.Join(got, "\n"))
			}
		})
	}
}

// catalog describes django_session in schema: columns, constraints and
// indexes, with the schema name taken out.
func catalog(t *testing.T, db *pgxpool.Pool, schema string) []string {
	t.Helper()
	var out []string
	add := func(q string) {
		rows, err := db.Query(ctx, q, schema)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			vals, err := rows.Values()
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, strings.ReplaceAll(fmt.Sprint(vals...), schema+".", "SCHEMA."))
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	add(`SELECT 'column', ordinal_position, column_name, data_type, coalesce(character_maximum_length, -1),
		coalesce(datetime_precision, -1), is_nullable, coalesce(column_default, ''), coalesce(collation_name, '')
		FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'django_session' ORDER BY ordinal_position`)
	add(`SELECT 'constraint', c.conname, c.contype, pg_get_constraintdef(c.oid) FROM pg_constraint c
		JOIN pg_class r ON r.oid = c.conrelid JOIN pg_namespace n ON n.oid = r.relnamespace
		WHERE n.nspname = $1 AND r.relname = 'django_session' ORDER BY c.conname`)
	add(`SELECT 'index', indexname, indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = 'django_session' ORDER BY indexname`)
	if len(out) < 3+1+3 {
		t.Fatalf("catalog of %s has %d entries: %q", schema, len(out), out)
	}
	return out
}
