package transfer

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	_ "github.com/go-sql-driver/mysql" // registers "mysql" for DoctorSettings
	"github.com/jackc/pgx/v5"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/internal/sqlstore"
	"github.com/djangosess/djangosess/djangosess/mysql"
	"github.com/djangosess/djangosess/djangosess/postgres"
	"github.com/djangosess/djangosess/djangosess/sqlite"
)

// CheckDatabase examines a session table: whether it exists, whether
// expire_date has an index usable for clearsessions (a valid, complete
// index whose first column is expire_date), and how many rows have
// expired and since when. It reads the catalog and counts rows (one
// pass over the table). The error is for a bad DoctorDatabase
// (ErrConfig); server failures are findings.
func CheckDatabase(ctx context.Context, d DoctorDatabase, opts DoctorOptions) ([]Finding, error) {
	opts = opts.withDefaults()
	table := d.Table
	if table == "" {
		table = "django_session"
	}
	loc := d.Location
	if loc == nil {
		loc = time.UTC
	}
	var q querier
	var exists, indexed bool
	var createIndex []string
	var err error
	var now any
	switch d.Dialect {
	case "postgres":
		if d.Postgres == nil {
			return nil, fmt.Errorf("%w: doctor: no PostgreSQL connection", djangosess.ErrConfig)
		}
		q = pgQuerier{d.Postgres}
		createIndex, err = postgres.MigrateSQL(d.Schema, table)
		now = opts.Now().Truncate(time.Microsecond)
	case "sqlite", "mysql":
		if d.SQL == nil {
			return nil, fmt.Errorf("%w: doctor: no %s connection", djangosess.ErrConfig, d.Dialect)
		}
		if d.Schema != "" {
			return nil, fmt.Errorf("%w: doctor: Schema is for PostgreSQL only", djangosess.ErrConfig)
		}
		q = sqlQuerier{d.SQL}
		if d.Dialect == "sqlite" {
			createIndex, err = sqlite.MigrateSQL(table)
		} else {
			createIndex, err = mysql.MigrateSQL(table)
		}
		if err == nil {
			now, err = sqlstore.FormatNaive(opts.Now(), loc)
		}
	default:
		return nil, fmt.Errorf("%w: doctor: database dialect %q is not postgres, sqlite or mysql", djangosess.ErrConfig, d.Dialect)
	}
	if err != nil {
		return nil, err
	}
	storeErr := func(err error) ([]Finding, error) {
		if cerr := ctx.Err(); cerr != nil {
			return nil, cerr
		}
		return []Finding{{Check: CheckStore, Severity: SeverityError, Message: "cannot examine the session table: " + errText(err),
			Advice: "Check DATABASE_URL and that the server is up."}}, nil
	}
	var quoted string
	switch d.Dialect {
	case "postgres":
		ident := pgx.Identifier{table}
		if d.Schema != "" {
			ident = pgx.Identifier{d.Schema, table}
		}
		quoted = ident.Sanitize()
		err = q.row(ctx, `SELECT to_regclass($1::text) IS NOT NULL, EXISTS (
  SELECT 1 FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
  WHERE i.indrelid = to_regclass($1::text) AND a.attname = 'expire_date' AND i.indisvalid AND i.indpred IS NULL)`,
			[]any{quoted}, &exists, &indexed)
	case "mysql":
		quoted = "`" + strings.ReplaceAll(table, "`", "``") + "`"
		var nt, ni int64
		err = q.row(ctx, `SELECT
  (SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?),
  (SELECT COUNT(*) FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = ?
     AND column_name = 'expire_date' AND seq_in_index = 1)`, []any{table, table}, &nt, &ni)
		exists, indexed = nt > 0, ni > 0
	case "sqlite":
		quoted = `"` + strings.ReplaceAll(table, `"`, `""`) + `"`
		var nt, ni int64
		err = q.row(ctx, `SELECT
  (SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ? COLLATE NOCASE),
  (SELECT COUNT(*) FROM pragma_index_list(?) AS l, pragma_index_info(l.name) AS c
     WHERE c.seqno = 0 AND c.name = 'expire_date' COLLATE NOCASE AND l.partial = 0)`, []any{table, table}, &nt, &ni)
		exists, indexed = nt > 0, ni > 0
	}
	if err != nil {
		return storeErr(err)
	}
	if !exists {
		return []Finding{{Check: CheckStore, Severity: SeverityError,
			Message: fmt.Sprintf("the session table %s does not exist", table),
			Advice:  "Run manage.py migrate (or djangosess migrate)."}}, nil
	}
	var out []Finding
	if indexed {
		out = append(out, Finding{Check: CheckExpireDateIndex, Severity: SeverityOK,
			Message: fmt.Sprintf("%s.expire_date is indexed, as Django's migration makes it", table)})
	} else {
		out = append(out, Finding{Check: CheckExpireDateIndex, Severity: SeverityWarning,
			Message: fmt.Sprintf("%s.expire_date has no index: clearsessions (DELETE ... WHERE expire_date < now) reads the whole table, holding locks as it goes", table),
			Advice:  "Create the index Django's migration sessions.0001_initial makes: " + createIndex[len(createIndex)-1] + ";"})
	}
	p := "?"
	if d.Dialect == "postgres" {
		p = "$1"
	}
	var total, expired int64
	var oldest any
	var pgOldest *time.Time
	dest := []any{&total, &expired, &oldest}
	if d.Dialect == "postgres" {
		dest[2] = &pgOldest
	}
	err = q.row(ctx, "SELECT COUNT(*), COUNT(CASE WHEN expire_date < "+p+" THEN 1 END), MIN(expire_date) FROM "+quoted, []any{now}, dest...)
	if err != nil {
		return storeErr(err)
	}
	var oldestAt time.Time
	switch {
	case pgOldest != nil:
		oldestAt = *pgOldest
	case oldest != nil:
		if oldestAt, err = sqlstore.NaiveValue(oldest, loc); err != nil {
			return storeErr(err)
		}
	}
	return append(out, expiredFinding(total, expired, oldestAt, opts)), nil
}

// expiredFinding grades expired rows: a warning when more than
// ExpiredLimit, more than half of them, or one older than ExpiredAge
// (clearsessions is not running on a schedule).
func expiredFinding(total, expired int64, oldest time.Time, opts DoctorOptions) Finding {
	f := Finding{Check: CheckExpiredSessions, Severity: SeverityOK}
	switch {
	case total == 0:
		f.Message = "the session table is empty"
		return f
	case expired == 0:
		f.Message = fmt.Sprintf("none of the %d sessions has expired", total)
		return f
	}
	age := opts.Now().Sub(oldest)
	f.Message = fmt.Sprintf("%d of %d sessions have expired, the oldest %s ago (%s)", expired, total, roundAge(age), oldest.UTC().Format("2006-01-02 15:04 MST"))
	f.Advice = clearAdvice
	switch {
	case expired > opts.ExpiredLimit:
		f.Severity = SeverityWarning
		f.Message += fmt.Sprintf(": over %d are piling up", opts.ExpiredLimit)
	case 2*expired > total:
		f.Severity = SeverityWarning
		f.Message += ": most of the table is dead rows"
	case age > opts.ExpiredAge:
		f.Severity = SeverityWarning
		f.Message += fmt.Sprintf(": nothing has cleared them for more than %s", roundAge(opts.ExpiredAge))
	default:
		f.Advice = ""
	}
	return f
}

// roundAge writes a duration in days, hours or minutes.
func roundAge(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return strconv.FormatInt(int64(d/(24*time.Hour)), 10) + " days"
	case d >= 2*time.Hour:
		return strconv.FormatInt(int64(d/time.Hour), 10) + " hours"
	case d >= time.Minute:
		return strconv.FormatInt(int64(d/time.Minute), 10) + " minutes"
	}
	return "under a minute"
}

// querier runs a one-row query on either driver.
type querier interface {
	row(ctx context.Context, query string, args []any, dest ...any) error
}

type pgQuerier struct{ db postgres.DB }

func (p pgQuerier) row(ctx context.Context, query string, args []any, dest ...any) error {
	// The simple protocol: no prepared statement, so PgBouncer in
	// transaction mode is fine.
	return p.db.QueryRow(ctx, query, append([]any{pgx.QueryExecModeSimpleProtocol}, args...)...).Scan(dest...)
}

type sqlQuerier struct{ db *sql.DB }

func (s sqlQuerier) row(ctx context.Context, query string, args []any, dest ...any) error {
	return s.db.QueryRowContext(ctx, query, args...).Scan(dest...)
}
