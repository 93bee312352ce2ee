package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"sort"

	"github.com/djangosess/djangosess/djangosess/transfer"
)

func runStats(ctx context.Context, args []string, e *env) error {
	var asJSON bool
	var conc int
	o, pos, err := storeCommand(ctx, "stats", "", `
Loads every stored session and prints: counts (live, expired, failing to
load and why), the size distribution, the formats seen (legacy, sha1,
sha256, unsigned cache values), serializers, sessions only a fallback key
verifies, and logged-in users.`, args, e, func(fs *flag.FlagSet) {
		fs.BoolVar(&asJSON, "json", false, "print the statistics as one JSON object")
		fs.IntVar(&conc, "concurrency", transfer.DefaultConcurrency, "`N` sessions in flight")
	})
	if err != nil {
		return err
	}
	defer o.Close()
	if len(pos) != 0 {
		return usageErrorf("stats takes no arguments")
	}
	if o.Store == nil {
		return usageErrorf("the %s engine stores nothing to count: the cookie is the session", o.Engine)
	}
	st, err := transfer.Stats(ctx, o.Store, transfer.StatsOptions{Concurrency: conc})
	if err != nil {
		return err
	}
	if asJSON {
		b, err := json.Marshal(st)
		if err != nil {
			return err
		}
		_, err = e.stdout.Write(append(b, '\n'))
		return err
	}
	w := e.stdout
	fmt.Fprintf(w, "engine      %s\n", o.Engine)
	fmt.Fprintf(w, "keys        %d (live %d, expired %d, failing %d)\n", st.Keys, st.Live, st.Expired, sumCounts(st.Failed))
	printFailed(e, st.Failed)
	fmt.Fprintf(w, "users       %d logged in over %d sessions\n", st.Users, st.Authenticated)
	fmt.Fprintf(w, "formats     %s\n", joinCounts(st.Formats))
	fmt.Fprintf(w, "serializers %s\n", joinCounts(st.Serializers))
	fmt.Fprintf(w, "fallback    %d sessions verify only with a fallback key\n", st.Fallback)
	fmt.Fprintf(w, "compressed  %d\n", st.Compressed)
	avg := int64(0)
	if st.Live > 0 {
		avg = st.TotalSize / st.Live
	}
	fmt.Fprintf(w, "size        total %d bytes, mean %d, max %d\n", st.TotalSize, avg, st.MaxSize)
	for _, b := range st.Sizes {
		if b.Count == 0 {
			continue
		}
		label := fmt.Sprintf("≤ %d", b.UpTo)
		if b.UpTo == 0 {
			label = fmt.Sprintf("> %d", transfer.SizeBuckets[len(transfer.SizeBuckets)-1])
		}
		fmt.Fprintf(w, "  %-9s %d\n", label, b.Count)
	}
	return nil
}

func sumCounts(m map[string]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}

func joinCounts(m map[string]int64) string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	s := ""
	for i, k := range names {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%s %d", k, m[k])
	}
	if s == "" {
		return "-"
	}
	return s
}
