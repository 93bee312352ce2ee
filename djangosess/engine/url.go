package engine

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/djangosess/djangosess/djangosess"
)

// Database is a parsed DATABASE_URL, in dj-database-url's forms.
type Database struct {
	// Engine is "postgres", "sqlite" or "mysql".
	Engine string
	// DSN is what the Go driver opens: the URL itself for PostgreSQL
	// (pgx reads libpq URLs), the file path (or ":memory:") for SQLite,
	// a go-sql-driver/mysql DSN for MySQL.
	DSN string
}

// ParseDatabaseURL reads a dj-database-url style URL:
//
//	postgres://USER:PASSWORD@HOST:PORT/NAME?sslmode=...   (also postgresql://, pgsql://)
//	sqlite:///relative/path.sqlite3, sqlite:////absolute/path, sqlite://:memory:
//	mysql://USER:PASSWORD@HOST:PORT/NAME                  (also mysql2://, mariadb://)
//
// Errors never repeat the URL, which may hold a password.
func ParseDatabaseURL(s string) (Database, error) {
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		return Database{}, fmt.Errorf("%w: DATABASE_URL has no scheme (want postgres://, sqlite:///, mysql://)", djangosess.ErrConfig)
	}
	switch strings.ToLower(scheme) {
	case "sqlite", "sqlite3":
		// dj-database-url: sqlite:///db.sqlite3 is relative,
		// sqlite:////abs is absolute, sqlite://:memory: is in memory.
		switch {
		case rest == ":memory:" || rest == "" || rest == "/:memory:":
			return Database{Engine: "sqlite", DSN: ":memory:"}, nil
		case strings.HasPrefix(rest, "/"):
			path, err := url.PathUnescape(rest[1:])
			if err != nil || path == "" {
				return Database{}, fmt.Errorf("%w: DATABASE_URL: bad sqlite path", djangosess.ErrConfig)
			}
			return Database{Engine: "sqlite", DSN: path}, nil
		}
		return Database{}, fmt.Errorf("%w: DATABASE_URL: sqlite URLs are sqlite:///relative/path or sqlite:////absolute/path", djangosess.ErrConfig)
	case "postgres", "postgresql", "pgsql":
		u, err := url.Parse(s)
		if err != nil {
			return Database{}, fmt.Errorf("%w: DATABASE_URL is not a valid URL", djangosess.ErrConfig)
		}
		u.Scheme = "postgres"
		return Database{Engine: "postgres", DSN: u.String()}, nil
	case "mysql", "mysql2", "mariadb":
		u, err := url.Parse(s)
		if err != nil {
			return Database{}, fmt.Errorf("%w: DATABASE_URL is not a valid URL", djangosess.ErrConfig)
		}
		return Database{Engine: "mysql", DSN: mysqlDSN(u)}, nil
	}
	return Database{}, fmt.Errorf("%w: DATABASE_URL scheme %q is not postgres, sqlite or mysql", djangosess.ErrConfig, scheme)
}

// mysqlDSN turns mysql://user:pass@host:port/db?opts into
// user:pass@tcp(host:port)/db?opts for go-sql-driver/mysql.
func mysqlDSN(u *url.URL) string {
	var b strings.Builder
	if u.User != nil {
		b.WriteString(u.User.Username())
		if p, ok := u.User.Password(); ok {
			b.WriteString(":" + p)
		}
		b.WriteString("@")
	}
	host := u.Hostname()
	port := u.Port()
	if host == "" {
		host = "127.0.0.1"
	}
	if port == "" {
		port = "3306"
	}
	b.WriteString("tcp(" + net.JoinHostPort(host, port) + ")/")
	b.WriteString(strings.TrimPrefix(u.Path, "/"))
	if u.RawQuery != "" {
		b.WriteString("?" + u.RawQuery)
	}
	return b.String()
}

// CacheLocation is a parsed CACHE_URL.
type CacheLocation struct {
	// Mode is "single", "cluster" or "sentinel".
	Mode string
	// Addrs are host:port pairs (or one unix socket path for "single").
	Addrs []string
	// Username and Password authenticate; DB is the database number
	// (single and sentinel only); TLS is set by rediss schemes;
	// MasterName names the sentinel master.
	Username, Password string
	DB                 int
	TLS                bool
	MasterName         string
	// Network is "tcp" or "unix".
	Network string
}

// ParseCacheURL reads a Redis location as Django users write it:
//
//	redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]         one node (rediss:// for TLS)
//	unix:///path/to/redis.sock[?db=N]                  one node over a socket
//	redis+cluster://[[USER]:PASSWORD@]HOST:PORT[,HOST:PORT...]   Redis Cluster (rediss+cluster://)
//	redis+sentinel://[[USER]:PASSWORD@]HOST:PORT[,HOST:PORT...]/MASTER[/DB]
//
// Errors never repeat the URL, which may hold a password.
func ParseCacheURL(s string) (CacheLocation, error) {
	bad := func(what string) (CacheLocation, error) {
		return CacheLocation{}, fmt.Errorf("%w: CACHE_URL: %s", djangosess.ErrConfig, what)
	}
	scheme, _, ok := strings.Cut(s, "://")
	if !ok {
		return bad("no scheme (want redis://, rediss://, unix://, redis+cluster://, redis+sentinel://)")
	}
	scheme = strings.ToLower(scheme)
	if scheme == "unix" {
		u, err := url.Parse(s)
		if err != nil || u.Path == "" {
			return bad("unix:// needs a socket path")
		}
		c := CacheLocation{Mode: "single", Network: "unix", Addrs: []string{u.Path}}
		if u.User != nil {
			c.Username = u.User.Username()
			c.Password, _ = u.User.Password()
		}
		if db := u.Query().Get("db"); db != "" {
			n, err := strconv.Atoi(db)
			if err != nil || n < 0 {
				return bad("db must be a number")
			}
			c.DB = n
		}
		return c, nil
	}
	base, mode, _ := strings.Cut(scheme, "+")
	if base != "redis" && base != "rediss" {
		return bad("scheme must be redis, rediss or unix")
	}
	c := CacheLocation{Network: "tcp", TLS: base == "rediss"}
	switch mode {
	case "":
		c.Mode = "single"
	case "cluster":
		c.Mode = "cluster"
	case "sentinel":
		c.Mode = "sentinel"
	default:
		return bad("unknown mode +" + mode)
	}
	// Several hosts make the authority unparseable for net/url: split by
	// hand.
	rest, query, _ := strings.Cut(s[len(scheme)+3:], "?")
	authority, path, _ := strings.Cut(rest, "/")
	if at := strings.LastIndex(authority, "@"); at >= 0 {
		userinfo := authority[:at]
		authority = authority[at+1:]
		user, pass, hasPass := strings.Cut(userinfo, ":")
		var err error
		if c.Username, err = url.PathUnescape(user); err != nil {
			return bad("bad user")
		}
		if hasPass {
			if c.Password, err = url.PathUnescape(pass); err != nil {
				return bad("bad password")
			}
		}
	}
	for _, h := range strings.Split(authority, ",") {
		if h == "" {
			return bad("empty host")
		}
		host, port, err := net.SplitHostPort(h)
		if err != nil { // no port: a host name, or an address in brackets
			host, port = h, "6379"
			if strings.HasPrefix(h, "[") {
				if !strings.HasSuffix(h, "]") {
					return bad("unclosed [ in a host")
				}
				host = h[1 : len(h)-1]
			}
		}
		if host == "" || strings.ContainsAny(host, "[]@ ") {
			return bad("bad host")
		}
		if n, err := strconv.Atoi(port); err != nil || n <= 0 || n > 65535 {
			return bad("bad port")
		}
		c.Addrs = append(c.Addrs, net.JoinHostPort(host, port))
	}
	if c.Mode == "single" && len(c.Addrs) != 1 {
		return bad("several hosts need redis+cluster:// or redis+sentinel://")
	}
	segs := strings.FieldsFunc(path, func(r rune) bool { return r == '/' })
	if c.Mode == "sentinel" {
		if len(segs) == 0 {
			return bad("redis+sentinel:// needs the master name as its path")
		}
		c.MasterName, segs = segs[0], segs[1:]
	}
	if len(segs) > 1 || (c.Mode == "cluster" && len(segs) > 0) {
		return bad("the path is the database number (none for a cluster)")
	}
	if len(segs) == 1 {
		n, err := strconv.Atoi(segs[0])
		if err != nil || n < 0 {
			return bad("the database must be a number")
		}
		c.DB = n
	}
	if query != "" {
		q, err := url.ParseQuery(query)
		if err != nil {
			return bad("bad query")
		}
		if db := q.Get("db"); db != "" {
			n, err := strconv.Atoi(db)
			if err != nil || n < 0 {
				return bad("db must be a number")
			}
			c.DB = n
		}
	}
	return c, nil
}
