package main

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"github.com/djangosess/djangosess/djangosess/transfer"
	"github.com/djangosess/djangosess/serializer"
)

func runVerify(ctx context.Context, args []string, e *env) error {
	var p pairFlags
	var through string
	var conc int
	var showKeys bool
	fs := newFlagSet("verify", "", `
Compares two stores session by session (--from-* is a, --to-* is b, as for
copy) and prints the differences: sessions only in one of them, different
data, expiries more than a second apart, sessions one side cannot load.
Expired sessions are ignored. Exit status 1 when they differ.
`+pairDoc, e)
	p.register(fs, false)
	fs.StringVar(&through, "through", "", "compare a's data as written and read back by serializer `NAME` (json: after copy --to-serializer json)")
	fs.IntVar(&conc, "concurrency", transfer.DefaultConcurrency, "`N` sessions in flight")
	fs.BoolVar(&showKeys, "show-keys", false, "print whole session keys (they are credentials; by default only their start)")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usageErrorf("verify takes no arguments")
	}
	opts := transfer.VerifyOptions{Concurrency: conc}
	switch through {
	case "":
	case "json":
		opts.Through = serializer.JSON{}
	case "pickle":
		opts.Through = serializer.Pickle{}
	default:
		return usageErrorf("--through: want json or pickle")
	}
	a, b, err := p.open(ctx, fs, e)
	if err != nil {
		return err
	}
	defer a.Close()
	defer b.Close()
	var mu sync.Mutex
	opts.OnDifference = func(d transfer.Difference) {
		k := d.Key
		if !showKeys {
			k = shortKey(k)
		}
		mu.Lock()
		defer mu.Unlock()
		if d.Detail != "" {
			fmt.Fprintf(e.stdout, "%s\t%s\t%s\n", k, d.Kind, d.Detail)
		} else {
			fmt.Fprintf(e.stdout, "%s\t%s\n", k, d.Kind)
		}
	}
	rep, err := transfer.Verify(ctx, a.Store, b.Store, opts)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "compared %d sessions: %d identical", rep.Compared, rep.Same)
	kinds := make([]transfer.Kind, 0, len(rep.Counts))
	for k := range rep.Counts {
		kinds = append(kinds, k)
	}
	sort.Slice(kinds, func(i, j int) bool { return kinds[i] < kinds[j] })
	for _, k := range kinds {
		fmt.Fprintf(e.stdout, ", %s %d", k, rep.Counts[k])
	}
	fmt.Fprintln(e.stdout)
	if !rep.Equal() {
		return errSomeRejected
	}
	return nil
}
