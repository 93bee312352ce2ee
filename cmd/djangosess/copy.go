package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/djangosess/djangosess/djangosess/engine"
	"github.com/djangosess/djangosess/djangosess/transfer"
	"github.com/djangosess/djangosess/serializer"
)

// maxReported is how many unencodable sessions copy describes on stderr.
const maxReported = 20

func runCopy(ctx context.Context, args []string, e *env) error {
	var p pairFlags
	var existing, onBad string
	var overwrite, dry bool
	var conc int
	var every time.Duration
	fs := newFlagSet("copy", "", `
Copies every live session from one store to another (any engine to any
engine), keeping key, data and expiry. Sessions are read with the source's
keys and formats and written with the target's: a different SECRET_KEY
re-signs them, --to-serializer converts them, --to-django writes the
format of that Django version. Keys the target already holds are skipped
(--existing), so an interrupted copy run again finishes the job. Progress
goes to stderr (a bar on a terminal), the summary to stdout; exit status 1
when some sessions failed.
`+pairDoc, e)
	p.register(fs, true)
	fs.StringVar(&existing, "existing", "skip", "keys the target holds: `skip`, overwrite, or changed (overwrite when data or expiry differ)")
	fs.BoolVar(&overwrite, "overwrite", false, "same as --existing overwrite")
	fs.StringVar(&onBad, "on-unencodable", "skip", "sessions with values the target serializer cannot hold: `skip` the session, drop the values, or fail")
	fs.BoolVar(&dry, "dry-run", false, "read everything, write nothing, and report what would be done")
	fs.IntVar(&conc, "concurrency", transfer.DefaultConcurrency, "`N` sessions in flight")
	fs.DurationVar(&every, "progress-every", 2*time.Second, "progress `INTERVAL` when stderr is not a terminal")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usageErrorf("copy takes no arguments")
	}
	opts := transfer.Options{DryRun: dry, Concurrency: conc}
	switch existing {
	case "skip":
	case "overwrite":
		opts.Existing = transfer.OverwriteExisting
	case "changed":
		opts.Existing = transfer.UpdateChanged
	default:
		return usageErrorf("--existing: want skip, overwrite or changed")
	}
	if overwrite {
		opts.Existing = transfer.OverwriteExisting
	}
	switch onBad {
	case "skip":
	case "drop":
		opts.OnUnencodable = transfer.DropValues
	case "fail":
		opts.OnUnencodable = transfer.FailCopy
	default:
		return usageErrorf("--on-unencodable: want skip, drop or fail")
	}
	if conc < 1 {
		return usageErrorf("--concurrency must be at least 1")
	}
	src, dst, err := p.open(ctx, fs, e)
	if err != nil {
		return err
	}
	defer src.Close()
	defer dst.Close()
	opts.Convert = targetJSON(&p, dst)
	var reported atomic.Int64
	var mu sync.Mutex
	opts.Report = func(key string, vs []transfer.Value) {
		if reported.Add(1) > maxReported {
			return
		}
		names := make([]string, len(vs))
		for i, v := range vs {
			names[i] = fmt.Sprintf("%q (%s)", v.Name, v.Kind)
		}
		what := map[transfer.Unencodable]string{transfer.SkipSession: "skipped", transfer.DropValues: "copied without them", transfer.FailCopy: "stopping"}[opts.OnUnencodable]
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(e.stderr, "session %s: %s cannot be written as %s: %s\n", shortKey(key), strings.Join(names, ", "), opts.Convert.Name(), what)
	}
	bar := newProgressBar(ctx, e.stderr, src)
	opts.Progress = bar.show
	opts.ProgressEvery = every
	if bar.tty {
		opts.ProgressEvery = 200 * time.Millisecond
	}
	sum, err := transfer.Copy(ctx, src.Store, dst.Store, opts)
	bar.done()
	if n := reported.Load(); n > maxReported {
		fmt.Fprintf(e.stderr, "... and %d more sessions with unencodable values\n", n-maxReported)
	}
	printSummary(e.stdout, sum, dry)
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return fmt.Errorf("interrupted; run the same command again to finish: %w", err)
		}
		return err
	}
	if sum.FailedTotal() > 0 {
		return errSomeRejected
	}
	return nil
}

// targetJSON is the serializer to check sessions against: JSON when the
// target writes JSON (pickle holds whatever was read).
func targetJSON(p *pairFlags, dst *engine.Opened) serializer.Codec {
	name := p.to.s.Serializer
	if dst.Engine == engine.Cache {
		name = p.to.s.CacheSerializer
	}
	if c, err := engine.SerializerCodec(name); err == nil && dst.Engine != engine.Cache && c.Name() == "json" {
		return c
	}
	if dst.Engine == engine.Cache && name == "json" {
		return serializer.JSON{}
	}
	return nil
}

func printSummary(w io.Writer, s transfer.Summary, dry bool) {
	verb := "copied"
	if dry {
		verb = "would copy"
	}
	fmt.Fprintf(w, "%s %d, overwritten %d, skipped %d (already there), expired %d", verb, s.Copied, s.Overwritten, s.Skipped, s.Expired)
	if s.Dropped+s.Unencodable > 0 {
		fmt.Fprintf(w, ", with values dropped %d, left out as unencodable %d", s.Dropped, s.Unencodable)
	}
	fmt.Fprintf(w, ", failed %d\n", s.FailedTotal())
	reasons := make([]string, 0, len(s.Failed))
	for r := range s.Failed {
		reasons = append(reasons, r)
	}
	sort.Strings(reasons)
	for _, r := range reasons {
		fmt.Fprintf(w, "  failed, %s: %d\n", r, s.Failed[r])
	}
	if s.Fallback > 0 {
		fmt.Fprintf(w, "%d sessions were verified by a fallback key or an old format and are now under the target's key and format\n", s.Fallback)
	}
	fmt.Fprintf(w, "%d sessions in %s (%.0f/s)\n", s.Seen, s.Elapsed.Round(time.Millisecond), s.Rate())
}

// progressBar draws copy's progress on stderr: a bar redrawn in place on
// a terminal (the total counted first), a plain line otherwise.
type progressBar struct {
	w     io.Writer
	tty   bool
	total int64
	drawn bool
}

func newProgressBar(ctx context.Context, w io.Writer, src *engine.Opened) *progressBar {
	b := &progressBar{w: w}
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			b.tty = true
			for _, err := range src.Store.Keys(ctx) {
				if err != nil {
					break
				}
				b.total++
			}
		}
	}
	return b
}

func (b *progressBar) show(s transfer.Summary) {
	counts := fmt.Sprintf("copied %d  skipped %d  expired %d  failed %d  %.0f/s", s.Copied+s.Overwritten, s.Skipped+s.Unencodable, s.Expired, s.FailedTotal(), s.Rate())
	if !b.tty {
		fmt.Fprintf(b.w, "copy: %d sessions: %s\n", s.Seen, counts)
		return
	}
	const width = 30
	frac := 1.0
	if b.total > 0 {
		frac = min(float64(s.Seen)/float64(b.total), 1)
	}
	n := int(frac * width)
	fmt.Fprintf(b.w, "\r[%s%s] %3.0f%% %d/%d  %s\x1b[K", strings.Repeat("#", n), strings.Repeat(".", width-n), frac*100, s.Seen, b.total, counts)
	b.drawn = true
}

func (b *progressBar) done() {
	if b.tty && b.drawn {
		fmt.Fprintln(b.w)
	}
}
