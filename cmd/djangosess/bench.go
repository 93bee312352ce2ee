package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/djangosess/djangosess/djangosess/engine"
	"github.com/djangosess/djangosess/djangosess/transfer"
)

const benchDoc = `
Measures, on this machine, what each session engine costs: every
configured engine creates, loads, saves and deletes --sessions sessions
of its own (a typical logged-in session, or --size bytes), at each
--concurrency, and a table of latencies (p50, p99) and throughputs is
printed, followed by what the numbers say about choosing a backend.

The engines measured are those the settings configure: db when a
database URL is given (--database-url or $DATABASE_URL), file when a
session directory is (--file-path or $SESSION_FILE_PATH), cache when a
Redis URL is (--cache-url or $CACHE_URL), cached_db when both a database
and a cache are, and signed_cookies always (signing only, no I/O).
--engine takes a comma-separated list to measure those alone.

Only the benchmark's own sessions are touched: fresh random keys, each
deleted at the end, even after an error or an interrupt; they are given
a one-hour expiry, so that any a killed run leaves behind expire soon.
The db engines need the session table (--migrate creates it). Without a
secret key, a throwaway one signs the benchmark's sessions. A PostgreSQL
pool has at most max(4, CPUs) connections unless the URL sets
pool_max_conns.`

// benchRow is one engine at one concurrency.
type benchRow struct {
	// Engine is the engine's name, Backend the server behind it
	// ("postgres", "sqlite", "mysql", "redis", "" for file and
	// signed_cookies), Label the two together as the table shows them.
	Engine  string `json:"engine"`
	Backend string `json:"backend,omitempty"`
	Label   string `json:"label"`
	transfer.BenchResult
	// Error is why the engine could not be measured.
	Error string `json:"error,omitempty"`
}

// benchReport is the --json output.
type benchReport struct {
	Sessions int        `json:"sessions"`
	Go       string     `json:"go"`
	OS       string     `json:"os"`
	Arch     string     `json:"arch"`
	CPUs     int        `json:"cpus"`
	Results  []benchRow `json:"results"`
}

var benchOrder = []string{engine.DB, engine.File, engine.Cache, engine.CachedDB, engine.SignedCookies}

func runBench(ctx context.Context, args []string, e *env) error {
	fs := newFlagSet("bench", "", benchDoc+"\n"+storeDoc, e)
	var f storeFlags
	f.register(fs)
	var sessions, size int
	var concList string
	var migrate, asJSON bool
	fs.IntVar(&sessions, "sessions", transfer.DefaultBenchSessions, "measure each operation over `N` sessions")
	fs.StringVar(&concList, "concurrency", "1,16", "comma-separated `LIST` of worker counts to measure at")
	fs.IntVar(&size, "size", 0, "pad the session to about `BYTES` of JSON (default: a typical logged-in session, about 300 bytes stored)")
	fs.BoolVar(&migrate, "migrate", false, "create the session table first (db engines), as Django's migration does")
	fs.BoolVar(&asJSON, "json", false, "print the measurements as one JSON object")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usageErrorf("bench takes no arguments")
	}
	if sessions < 1 {
		return usageErrorf("--sessions must be at least 1")
	}
	if size < 0 {
		return usageErrorf("--size must not be negative")
	}
	concs, err := parseConcurrency(concList)
	if err != nil {
		return err
	}
	names, err := benchEngines(f.s, e.getenv)
	if err != nil {
		return err
	}
	be := *e
	be.getenv = throwawayKey(f.secrets, e.getenv)
	opts := transfer.BenchOptions{Sessions: sessions}
	if size > 0 {
		opts.Data = transfer.BenchSession(size)
	}

	var rows []benchRow
	var errs []error
	for _, name := range names {
		more, err := benchEngine(ctx, f, name, concs, opts, migrate, &be)
		rows = append(rows, more...)
		if err != nil {
			errs = append(errs, err)
			if ctx.Err() != nil {
				break
			}
		}
	}
	if asJSON {
		b, err := json.Marshal(benchReport{Sessions: sessions, Go: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH,
			CPUs: runtime.NumCPU(), Results: rows})
		if err != nil {
			return err
		}
		if _, err := e.stdout.Write(append(b, '\n')); err != nil {
			return err
		}
	} else {
		printBench(e.stdout, sessions, size, rows)
	}
	return errors.Join(errs...)
}

// benchEngine measures one engine at every concurrency. A failure is
// reported on stderr and in the row, and returned.
func benchEngine(ctx context.Context, f storeFlags, name string, concs []int, opts transfer.BenchOptions, migrate bool, e *env) ([]benchRow, error) {
	f.s.Engine = name
	row := benchRow{Engine: name}
	row.Backend, row.Label = benchLabel(f.s, name, e.getenv)
	fail := func(err error) ([]benchRow, error) {
		row.Error = strings.ReplaceAll(err.Error(), "\n", "; ")
		if ue := (*usageError)(nil); !errors.As(err, &ue) {
			row.Error = reason(err) + ": " + row.Error
		}
		fmt.Fprintf(e.stderr, "bench: %s: %s\n", row.Label, row.Error)
		return []benchRow{row}, fmt.Errorf("%s: %w", row.Label, err)
	}
	o, err := f.open(ctx, e, false)
	if err != nil {
		return fail(err)
	}
	defer o.Close()
	if migrate && o.Migrate != nil {
		if err := o.Migrate(ctx); err != nil {
			return fail(err)
		}
	}
	var rows []benchRow
	for _, c := range concs {
		opts.Concurrency = c
		fmt.Fprintf(e.stderr, "bench: %s at concurrency %d...\n", row.Label, c)
		var r transfer.BenchResult
		if o.Store != nil {
			r, err = transfer.Bench(ctx, o.Store, opts)
		} else {
			r, err = transfer.BenchCookies(ctx, o.Cookies, opts)
		}
		if err != nil {
			more, err := fail(err)
			return append(rows, more...), err
		}
		rows = append(rows, benchRow{Engine: row.Engine, Backend: row.Backend, Label: row.Label, BenchResult: r})
	}
	return rows, nil
}

// benchEngines lists the engines to measure: --engine's list, else every
// engine the settings configure.
func benchEngines(s engine.Settings, getenv func(string) string) ([]string, error) {
	if s.Engine != "" {
		var names []string
		for _, n := range strings.Split(s.Engine, ",") {
			name, err := engine.EngineName(strings.TrimSpace(n))
			if err != nil {
				return nil, usageErrorf("--engine: %v", err)
			}
			if !slices.Contains(names, name) {
				names = append(names, name)
			}
		}
		slices.SortFunc(names, func(a, b string) int { return slices.Index(benchOrder, a) - slices.Index(benchOrder, b) })
		return names, nil
	}
	s, err := engine.FromEnv(s, getenv)
	if err != nil {
		return nil, usageErrorf("%v", err)
	}
	db, file, cache := s.DatabaseURL != "", s.FilePath != "", s.CacheURL != ""
	if !db && !file && !cache {
		return nil, usageErrorf("name the stores to measure: --database-url, --file-path, --cache-url (or $DATABASE_URL, $SESSION_FILE_PATH, $CACHE_URL), or --engine")
	}
	var names []string
	for name, ok := range map[string]bool{engine.DB: db, engine.File: file, engine.Cache: cache, engine.CachedDB: db && cache, engine.SignedCookies: true} {
		if ok {
			names = append(names, name)
		}
	}
	slices.SortFunc(names, func(a, b string) int { return slices.Index(benchOrder, a) - slices.Index(benchOrder, b) })
	return names, nil
}

// benchLabel names the server behind an engine: "db (postgres)".
func benchLabel(s engine.Settings, name string, getenv func(string) string) (backend, label string) {
	s, _ = engine.FromEnv(s, getenv)
	dbName := func() string {
		u := s.DatabaseURL
		if u == "" {
			u = engine.DefaultDatabaseURL
		}
		if d, err := engine.ParseDatabaseURL(u); err == nil {
			return d.Engine
		}
		return "?"
	}
	cacheName := func() string {
		u := s.CacheURL
		if u == "" {
			u = engine.DefaultCacheURL
		}
		if c, err := engine.ParseCacheURL(u); err == nil && c.Mode != "single" {
			return "redis " + c.Mode
		}
		return "redis"
	}
	switch name {
	case engine.DB:
		backend = dbName()
	case engine.Cache:
		backend = cacheName()
	case engine.CachedDB:
		backend = dbName() + "+" + cacheName()
	}
	if backend == "" {
		return "", name
	}
	return backend, name + " (" + backend + ")"
}

// throwawayKey supplies a random SECRET_KEY when none is configured: the
// benchmark signs only its own sessions, which it deletes.
func throwawayKey(src secretSource, getenv func(string) string) func(string) string {
	if src.keyFile != "" || getenv(envSecretKey) != "" {
		return getenv
	}
	var b [32]byte
	rand.Read(b[:])
	key := "djangosess-bench-" + hex.EncodeToString(b[:])
	return func(k string) string {
		if k == envSecretKey {
			return key
		}
		return getenv(k)
	}
}

func parseConcurrency(list string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > 10000 {
			return nil, usageErrorf("--concurrency: want a comma-separated list of worker counts from 1 to 10000, got %q", list)
		}
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out, nil
}

// printBench prints the table and what it says about choosing.
func printBench(w io.Writer, sessions, size int, rows []benchRow) {
	what := "a typical logged-in session"
	if size > 0 {
		what = fmt.Sprintf("a session of about %d bytes of JSON", size)
	}
	fmt.Fprintf(w, "%d sessions per operation, %s; %s/%s, %d CPUs, %s\n\n", sessions, what, runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version())
	width := utf8.RuneCountInString("engine")
	for _, r := range rows {
		width = max(width, utf8.RuneCountInString(r.Label))
	}
	line := func(label string, cols ...string) {
		var sb strings.Builder
		sb.WriteString(label + strings.Repeat(" ", width-utf8.RuneCountInString(label)))
		for i, c := range cols {
			n := 10
			if i < 2 || i == 10 {
				n = 7
			}
			sb.WriteString(strings.Repeat(" ", max(n-utf8.RuneCountInString(c), 1)) + c)
		}
		fmt.Fprintln(w, sb.String())
	}
	line("engine", "conc", "size", "load p50", "load p99", "save p50", "save p99", "loads/s", "saves/s", "creates/s", "deletes/s", "failed")
	var notes []string
	for _, r := range rows {
		if r.Error != "" {
			fmt.Fprintf(w, "%s  failed: %s\n", r.Label+strings.Repeat(" ", width-utf8.RuneCountInString(r.Label)), r.Error)
			continue
		}
		var failed int64
		for _, op := range []struct {
			name string
			r    transfer.OpResult
		}{{"creates", r.Create}, {"loads", r.Load}, {"saves", r.Save}, {"deletes", r.Delete}} {
			if op.r.Failed > 0 {
				failed += op.r.Failed
				notes = append(notes, fmt.Sprintf("%s at concurrency %d: %d of %d %s failed: %s: %s", r.Label, r.Concurrency,
					op.r.Failed, op.r.Failed+op.r.Ops, op.name, reason(op.r.Err), op.r.Error))
			}
		}
		line(r.Label, strconv.Itoa(r.Concurrency), fmtBytes(r.Size),
			fmtLatency(r.Load.P50), fmtLatency(r.Load.P99), fmtLatency(r.Save.P50), fmtLatency(r.Save.P99),
			fmtRate(r.Load), fmtRate(r.Save), fmtRate(r.Create), fmtRate(r.Delete), strconv.FormatInt(failed, 10))
	}
	if len(notes) > 0 {
		fmt.Fprintln(w)
		for _, n := range notes {
			fmt.Fprintln(w, n)
		}
	}
	printChoice(w, rows)
}

// printChoice derives the "which backend" lines from the rows measured at
// the highest concurrency.
func printChoice(w io.Writer, rows []benchRow) {
	top := 0
	for _, r := range rows {
		if r.Error == "" {
			top = max(top, r.Concurrency)
		}
	}
	var at []benchRow
	for _, r := range rows {
		if r.Error == "" && r.Concurrency == top {
			at = append(at, r)
		}
	}
	if len(at) == 0 {
		return
	}
	by := func(r benchRow) string { return r.Engine }
	find := func(name string) (benchRow, bool) {
		i := slices.IndexFunc(at, func(r benchRow) bool { return by(r) == name })
		if i < 0 {
			return benchRow{}, false
		}
		return at[i], true
	}
	fmt.Fprintf(w, "\nchoosing (at concurrency %d; sessions are loaded on every request that uses them, saved when they change):\n", top)
	rank := func(what string, op func(benchRow) transfer.OpResult) {
		sorted := slices.Clone(at)
		slices.SortStableFunc(sorted, func(a, b benchRow) int {
			switch x, y := op(a).PerSecond, op(b).PerSecond; {
			case x > y:
				return -1
			case x < y:
				return 1
			}
			return 0
		})
		parts := make([]string, len(sorted))
		for i, r := range sorted {
			parts[i] = fmt.Sprintf("%s %s/s", r.Label, fmtRate(op(r)))
		}
		fmt.Fprintf(w, "  %s: %s\n", what, strings.Join(parts, " > "))
	}
	rank("loads", func(r benchRow) transfer.OpResult { return r.Load })
	rank("saves", func(r benchRow) transfer.OpResult { return r.Save })
	db, hasDB := find(engine.DB)
	cache, hasCache := find(engine.Cache)
	if cdb, ok := find(engine.CachedDB); ok {
		line := "  cached_db keeps sessions in the database"
		if hasDB && db.Load.PerSecond > 0 {
			line += fmt.Sprintf(" and loads them at %s db's rate", ratio(cdb.Load.PerSecond/db.Load.PerSecond))
		}
		if hasCache && cache.Load.PerSecond > 0 {
			line += fmt.Sprintf(" (%s cache's)", ratio(cdb.Load.PerSecond/cache.Load.PerSecond))
		}
		if hasDB && db.Save.PerSecond > 0 {
			line += fmt.Sprintf("; saves write both, at %s db's rate", ratio(cdb.Save.PerSecond/db.Save.PerSecond))
		}
		fmt.Fprintln(w, line)
	}
	if hasCache {
		fmt.Fprintln(w, "  cache keeps sessions only in Redis: a restart without persistence, or an eviction, logs users out")
	}
	if hasDB {
		fmt.Fprintf(w, "  db (%s) keeps expired rows until clear-expired (Django's clearsessions) deletes them\n", db.Backend)
		if db.Backend == "sqlite" {
			fmt.Fprintf(w, "  sqlite has one writer at a time: saves p99 %s at concurrency %d\n", strings.TrimSpace(fmtLatency(db.Save.P99)), top)
		}
	}
	if _, ok := find(engine.File); ok {
		fmt.Fprintln(w, "  file keeps sessions on this machine's disk: every server answering the site must share the directory")
	}
	if sc, ok := find(engine.SignedCookies); ok {
		line := fmt.Sprintf("  signed_cookies stores nothing: the %d-byte session travels with every request, and a logout cannot revoke a copied cookie", sc.Size)
		if sc.Size > 4093 {
			line += "; over the 4093 bytes browsers keep, it would be dropped"
		}
		fmt.Fprintln(w, line)
	}
}

// ratio prints x as "2.4×" or "63%".
func ratio(x float64) string {
	if x >= 1 {
		return fmt.Sprintf("%.1f×", x)
	}
	return fmt.Sprintf("%.0f%% of", 100*x)
}

func fmtLatency(d time.Duration) string {
	us := float64(d) / float64(time.Microsecond)
	switch {
	case us < 10:
		return fmt.Sprintf("%.1fµs", us)
	case us < 1000:
		return fmt.Sprintf("%.0fµs", us)
	case us < 100_000:
		return fmt.Sprintf("%.2fms", us/1000)
	case us < 1_000_000:
		return fmt.Sprintf("%.0fms", us/1000)
	}
	return fmt.Sprintf("%.2fs", us/1e6)
}

// fmtRate is operations per second with thousands separators; "-" when
// the engine has no such operation.
func fmtRate(r transfer.OpResult) string {
	if r.Ops == 0 {
		return "-"
	}
	s := strconv.FormatInt(int64(r.PerSecond+0.5), 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func fmtBytes(n int) string {
	if n < 10_000 {
		return strconv.Itoa(n) + "B"
	}
	return strconv.Itoa((n+512)/1024) + "KB"
}
