package main

import (
	"context"
	"flag"
	"strings"

	"github.com/djangosess/djangosess/djangosess/engine"
)

const pairDoc = `
The source is configured as for the store commands (see "djangosess get
-h"), by --from-* flags or the environment a Django project already has:
SESSION_ENGINE, DATABASE_URL, CACHE_URL, SESSION_FILE_PATH,
SESSION_SERIALIZER, ..., and DJANGO_SECRET_KEY / DJANGO_SECRET_KEY_FALLBACKS
(the old key belongs in the fallbacks, or is the source's key).

The target takes the same settings as --to-* flags, or from the same
variables prefixed with TO_ (TO_SESSION_ENGINE, TO_DATABASE_URL,
TO_CACHE_URL, TO_DJANGO_SECRET_KEY, ...). The target must be named
(--to-engine, --to-database-url, --to-cache-url or --to-file-path, or
their TO_ variables). Its secret key is --new-secret-key-file, else
--to-secret-key-file or $TO_DJANGO_SECRET_KEY, else the source's key.`

// pairFlags are the flags of the commands that read one store (--from-*)
// and write or compare another (--to-*).
type pairFlags struct {
	from, to storeFlags
	newKey   string // --new-secret-key-file
	toSer    string // --to-serializer
	migrate  bool
}

// registerPrefixed registers f's store flags under prefix, their
// documented environment variables under envPrefix.
func registerPrefixed(fs *flag.FlagSet, f *storeFlags, prefix, envPrefix string) {
	tmp := flag.NewFlagSet("", flag.ContinueOnError)
	f.register(tmp)
	tmp.VisitAll(func(fl *flag.Flag) {
		if fl.Name == "timeout" {
			return // for single-session commands; copy and verify run until done
		}
		usage := fl.Usage
		if envPrefix != "" {
			usage = strings.ReplaceAll(usage, "$", "$"+envPrefix)
		}
		fs.Var(fl.Value, prefix+fl.Name, usage)
	})
}

func (p *pairFlags) register(fs *flag.FlagSet, target bool) {
	registerPrefixed(fs, &p.from, "from-", "")
	registerPrefixed(fs, &p.to, "to-", "TO_")
	if target {
		fs.StringVar(&p.newKey, "new-secret-key-file", "", "re-sign with the SECRET_KEY in `PATH` (the target's key)")
		fs.StringVar(&p.toSer, "to-serializer", "", "write with `NAME` (json or pickle): the target's SESSION_SERIALIZER, or its cache SERIALIZER")
		fs.BoolVar(&p.migrate, "migrate", false, "create the target's session table first (db engines), as Django's migration does")
	}
}

// toGetenv reads the target's environment: TO_-prefixed names, with the
// source's secret key when the target names none.
func (p *pairFlags) toGetenv(e *env, srcKey []byte) func(string) string {
	return func(name string) string {
		v := e.getenv("TO_" + name)
		if name == envSecretKey && v == "" && p.to.secrets.keyFile == "" {
			return string(srcKey)
		}
		return v
	}
}

// open opens both stores. The target must be named.
func (p *pairFlags) open(ctx context.Context, fs *flag.FlagSet, e *env) (src, dst *engine.Opened, err error) {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	for flagName, v := range map[string]string{"to-engine": "SESSION_ENGINE", "to-database-url": "DATABASE_URL",
		"to-cache-url": "CACHE_URL", "to-file-path": "SESSION_FILE_PATH"} {
		if e.getenv("TO_"+v) != "" {
			given[flagName] = true
		}
	}
	if !given["to-engine"] && !given["to-database-url"] && !given["to-cache-url"] && !given["to-file-path"] {
		return nil, nil, usageErrorf("name the target: --to-engine, --to-database-url, --to-cache-url or --to-file-path (or their TO_ variables)")
	}
	// Without an engine the target is Django's default, db: a cache URL or
	// a file path alone would copy into ./db.sqlite3.
	if !given["to-engine"] && !given["to-database-url"] {
		return nil, nil, usageErrorf("a target named by --to-cache-url or --to-file-path alone would be the db engine on ./db.sqlite3: add --to-engine (cache, cached_db or file)")
	}
	for flagName, v := range map[string]string{"from-engine": "SESSION_ENGINE", "from-database-url": "DATABASE_URL"} {
		if e.getenv(v) != "" {
			given[flagName] = true
		}
	}
	if (given["from-cache-url"] || given["from-file-path"]) && !given["from-engine"] && !given["from-database-url"] {
		return nil, nil, usageErrorf("a source named by --from-cache-url or --from-file-path alone would be the db engine on ./db.sqlite3: add --from-engine (cache, cached_db or file)")
	}
	if p.newKey != "" {
		p.to.secrets.keyFile = p.newKey
	}
	if p.toSer != "" {
		if p.to.s.Serializer == "" {
			p.to.s.Serializer = p.toSer
		}
		if p.to.s.CacheSerializer == "" {
			p.to.s.CacheSerializer = p.toSer
		}
	}
	// The source's key, if it has one, is the target's default.
	srcKey, _, _ := p.from.secrets.load(e.getenv)
	if src, err = p.from.open(ctx, e, false); err != nil {
		return nil, nil, err
	}
	te := &env{stdin: e.stdin, stdout: e.stdout, stderr: e.stderr, getenv: p.toGetenv(e, srcKey)}
	if dst, err = p.to.open(ctx, te, false); err != nil {
		src.Close()
		return nil, nil, err
	}
	if src.Store == nil || dst.Store == nil {
		src.Close()
		dst.Close()
		return nil, nil, usageErrorf("signed_cookies keeps no sessions to copy or compare: the cookie is the session")
	}
	if p.migrate && dst.Migrate != nil {
		if err := dst.Migrate(ctx); err != nil {
			src.Close()
			dst.Close()
			return nil, nil, err
		}
	}
	return src, dst, nil
}

// shortKey is the start of a session key: enough to find it, not enough
// to use it (a session key is a credential).
func shortKey(k string) string {
	if len(k) > 8 {
		return k[:8] + "…"
	}
	return k
}
