package main

import (
	"context"
	"flag"
	"fmt"
	"sort"
	"sync"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/auth"
	"github.com/djangosess/djangosess/djangosess/engine"
	"github.com/djangosess/djangosess/djangosess/transfer"
)

func runResign(ctx context.Context, args []string, e *env) error {
	var onlyFallback, dry, showKeys, stringKeys bool
	var conc int
	var usersURL, userTable string
	var flags *flag.FlagSet
	o, pos, err := storeCommand(ctx, "resign", "", `
Re-signs, in place, every session that verifies only with a fallback key
(SECRET_KEY_FALLBACKS) or is stored in the legacy or sha1 format, under the
current SECRET_KEY and the format of --django (default: the newest),
keeping data and expiry. Afterwards every session loads without the old
key. Logged-in users also hold a session hash (_auth_user_hash), an HMAC
of their password under SECRET_KEY: with --users-database-url, resign
rewrites the hashes made under a fallback key too, so that retiring the
old key logs nobody out (Django 4.1.8+ otherwise rewrites each one on
the user's next request, while the old key is still a fallback). Prints
the sessions that depended on the old key and a summary. Run it when
traffic is low: a session its user changes between the load and the save
is saved as it was loaded.`, args, e, func(fs *flag.FlagSet) {
		flags = fs
		fs.StringVar(&usersURL, "users-database-url", "", "rewrite session hashes too, reading users from the database at `URL` (Django's DATABASES)")
		fs.StringVar(&userTable, "user-table", "auth_user", "the user model's `TABLE`")
		fs.BoolVar(&stringKeys, "user-string-keys", false, "the user model's primary key is not an integer (UUID, ...)")
		fs.BoolVar(&onlyFallback, "only-fallback", false, "leave legacy and sha1 data that the current key verifies as it is")
		fs.BoolVar(&dry, "dry-run", false, "report what would be rewritten, write nothing")
		fs.IntVar(&conc, "concurrency", transfer.DefaultConcurrency, "`N` sessions in flight")
		fs.BoolVar(&showKeys, "show-keys", false, "print whole session keys (by default only their start)")
	})
	if err != nil {
		return err
	}
	defer o.Close()
	if len(pos) != 0 {
		return usageErrorf("resign takes no arguments")
	}
	if o.Store == nil {
		return usageErrorf("signed_cookies keeps nothing to re-sign: cookies are re-signed as they come back")
	}
	var rekey *auth.Auth
	if usersURL != "" {
		users, closeUsers, err := engine.OpenUsers(ctx, usersURL, engine.UserTable{Table: userTable, StringKeys: stringKeys})
		if err != nil {
			return usageErrorf("%v", err)
		}
		defer closeUsers()
		src := secretSource{keyFile: flags.Lookup("secret-key-file").Value.String(), fallbackFile: flags.Lookup("fallback-keys-file").Value.String()}
		key, fallbacks, err := src.load(e.getenv)
		if err != nil {
			return err
		}
		if rekey, err = auth.New(auth.Config{SecretKey: key, FallbackKeys: fallbacks, Users: users}); err != nil {
			return usageErrorf("%v", err)
		}
	}
	var mu sync.Mutex
	sum, err := transfer.Resign(ctx, o.Store, transfer.ResignOptions{
		OnlyFallback: onlyFallback, DryRun: dry, Concurrency: conc, Auth: rekey,
		Report: func(key string, was djangosess.Stored) {
			if !showKeys {
				key = shortKey(key)
			}
			why := fmt.Sprintf("fallback key %d", was.KeyIndex)
			if was.KeyIndex == 0 {
				why = formatOf(was)
			}
			mu.Lock()
			defer mu.Unlock()
			fmt.Fprintf(e.stdout, "%s\t%s\n", key, why)
		},
	})
	verb := "re-signed"
	if dry {
		verb = "would re-sign"
	}
	fmt.Fprintf(e.stdout, "%s %d (by a fallback key %d, in an old format %d), already current %d, expired %d, unsigned (cache) %d\n",
		verb, sum.Resigned, sum.Fallback, sum.Format, sum.Current, sum.Expired, sum.Unsigned)
	if rekey != nil {
		fmt.Fprintf(e.stdout, "session hashes rewritten under the current key: %d\n", sum.Hashes)
	}
	printFailed(e, sum.Failed)
	if err != nil {
		return err
	}
	if len(sum.Failed) > 0 {
		return errSomeRejected
	}
	return nil
}

func formatOf(s djangosess.Stored) string {
	if s.Format == djangosess.FormatLegacy {
		return "legacy format"
	}
	return s.Algorithm + " signature"
}

func printFailed(e *env, failed map[string]int64) {
	reasons := make([]string, 0, len(failed))
	for r := range failed {
		reasons = append(reasons, r)
	}
	sort.Strings(reasons)
	for _, r := range reasons {
		fmt.Fprintf(e.stdout, "  failed, %s: %d\n", r, failed[r])
	}
}
