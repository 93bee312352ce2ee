package servertest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net"
	"net/url"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"

	"github.com/djangosess/djangosess/internal/pyrun"
)

// Missing reports a missing server: a skip outside CI, a failure in it.
func Missing(tb testing.TB, format string, args ...any) {
	tb.Helper()
	pyrun.Missing(tb, format, args...)
}

// Name returns "djangosess_test_" and 12 random hex digits.
func Name() string {
	var b [6]byte
	rand.Read(b[:])
	return "djangosess_test_" + hex.EncodeToString(b[:])
}

// PostgresDSN is the server tests use: $DJANGOSESS_POSTGRES_DSN, default
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable.
func PostgresDSN() string {
	if s := os.Getenv("DJANGOSESS_POSTGRES_DSN"); s != "" {
		return s
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

// PG is a fresh PostgreSQL schema.
type PG struct {
	// Schema is the schema's name.
	Schema string
	// DSN connects with search_path set to Schema.
	DSN string
	// Host, Port, User, Password and Database are the parts of the DSN,
	// for Django's DATABASES.
	Host, Port, User, Password, Database string
}

// Postgres creates a schema for this test and drops it (CASCADE) at the
// end.
func Postgres(tb testing.TB) PG {
	tb.Helper()
	base := PostgresDSN()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		Missing(tb, "servertest: PostgreSQL: %v", err)
	}
	defer conn.Close(context.Background())
	schema := Name()
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		tb.Fatalf("servertest: CREATE SCHEMA: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, base)
		if err != nil {
			tb.Errorf("servertest: dropping schema %s: %v", schema, err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			tb.Errorf("servertest: dropping schema %s: %v", schema, err)
		}
	})
	cfg := conn.Config()
	u, err := url.Parse(base)
	if err != nil || u.Scheme == "" {
		tb.Fatalf("servertest: $DJANGOSESS_POSTGRES_DSN must be a postgres:// URL")
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return PG{Schema: schema, DSN: u.String(), Host: cfg.Host, Port: strconv.Itoa(int(cfg.Port)),
		User: cfg.User, Password: cfg.Password, Database: cfg.Database}
}

// MySQLDSN is the server tests use: $DJANGOSESS_MYSQL_DSN (a
// go-sql-driver DSN without a database), default root@tcp(127.0.0.1:3306)/.
func MySQLDSN() string {
	if s := os.Getenv("DJANGOSESS_MYSQL_DSN"); s != "" {
		return s
	}
	return "root@tcp(127.0.0.1:3306)/"
}

// My is a fresh MySQL/MariaDB database.
type My struct {
	// Database is its name.
	Database string
	// DSN is a go-sql-driver DSN for it.
	DSN string
	// Host, Port, User and Password are for Django's DATABASES.
	Host, Port, User, Password string
}

// MySQL creates a database for this test and drops it at the end.
func MySQL(tb testing.TB) My {
	tb.Helper()
	cfg, err := mysql.ParseDSN(MySQLDSN())
	if err != nil {
		tb.Fatalf("servertest: $DJANGOSESS_MYSQL_DSN: %v", err)
	}
	cfg.DBName = ""
	base := cfg.FormatDSN()
	db, err := sql.Open("mysql", base)
	if err != nil {
		tb.Fatalf("servertest: %v", err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		Missing(tb, "servertest: MySQL/MariaDB: %v", err)
	}
	name := Name()
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name+" CHARACTER SET utf8mb4"); err != nil {
		tb.Fatalf("servertest: CREATE DATABASE: %v", err)
	}
	tb.Cleanup(func() {
		db, err := sql.Open("mysql", base)
		if err == nil {
			defer db.Close()
			_, err = db.Exec("DROP DATABASE " + name)
		}
		if err != nil {
			tb.Errorf("servertest: dropping database %s: %v", name, err)
		}
	})
	host, port, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		host, port = cfg.Addr, "3306"
	}
	dcfg := cfg.Clone()
	dcfg.DBName = name
	return My{Database: name, DSN: dcfg.FormatDSN(), Host: host, Port: port, User: cfg.User, Password: cfg.Passwd}
}
