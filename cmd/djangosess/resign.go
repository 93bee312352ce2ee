package main

import (
	"context"
	"flag"
	"fmt"
	"sort"
	"sync"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/transfer"
)

func runResign(ctx context.Context, args []string, e *env) error {
	var onlyFallback, dry, showKeys bool
	var conc int
	o, pos, err := storeCommand(ctx, "resign", "", `
Re-signs, in place, every session that verifies only with a fallback key
(SECRET_KEY_FALLBACKS) or is stored in the legacy or sha1 format, under the
current SECRET_KEY and the format of --django (default: the newest),
keeping data and expiry. Afterwards the old key can be retired without
logging anyone out. Prints the sessions that depended on it and a summary.
Run it when traffic is low: a session its user changes between the load
and the save is saved as it was loaded.`, args, e, func(fs *flag.FlagSet) {
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
	var mu sync.Mutex
	sum, err := transfer.Resign(ctx, o.Store, transfer.ResignOptions{
		OnlyFallback: onlyFallback, DryRun: dry, Concurrency: conc,
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
