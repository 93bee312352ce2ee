package transfer

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/serializer"
)

// Existing says what Copy does with a key the target already holds.
type Existing uint8

const (
	// SkipExisting leaves the target's session alone (the default; what
	// makes a re-run resume where an interrupted one stopped).
	SkipExisting Existing = iota
	// OverwriteExisting replaces it with the source's.
	OverwriteExisting
	// UpdateChanged loads it and replaces it only when its data or
	// expiry differ from the source's.
	UpdateChanged
)

// Unencodable says what Copy does with a session holding values the
// target's serializer cannot write (a datetime or a set for JSON).
type Unencodable uint8

const (
	// SkipSession leaves the session out of the target (the default).
	SkipSession Unencodable = iota
	// DropValues copies the session without those values.
	DropValues
	// FailCopy stops the copy with an error matching ErrUnencodable.
	FailCopy
)

// ErrUnencodable: a session holds values the target cannot write and the
// policy is FailCopy. It also matches serializer.ErrUnsupported.
var ErrUnencodable = fmt.Errorf("transfer: session values the target cannot hold: %w", serializer.ErrUnsupported)

// Value is a top-level session value the target's serializer cannot hold.
type Value struct {
	// Name is the session key of the value ("cart", "_session_expiry").
	Name string
	// Kind is the Python type that was refused ("datetime", "set", ...),
	// the outermost one when it is nested.
	Kind string
	// Err is the serializer's error.
	Err error
}

// Options configures Copy. The zero value copies every live session,
// skipping keys the target already holds, with DefaultConcurrency workers.
type Options struct {
	// Convert is the serializer the target writes with, when it differs
	// from the source's: every session is checked against it, and those
	// holding values it cannot write go by OnUnencodable. Nil: no check
	// (a session the target then fails to write is counted as failed,
	// "unencodable").
	Convert serializer.Codec
	// OnUnencodable is the policy for such sessions.
	OnUnencodable Unencodable
	// Report, if set, is called for each session with unencodable values,
	// with the policy's outcome already decided. It may be called from
	// several goroutines at once. The key is a credential: keep it out of
	// shared logs.
	Report func(key string, values []Value)
	// Existing is the policy for keys the target already holds.
	Existing Existing
	// DryRun reads everything and writes nothing: the summary says what
	// a real run would do.
	DryRun bool
	// Concurrency is the number of workers (default DefaultConcurrency).
	Concurrency int
	// Progress, if set, is called with the running totals every
	// ProgressEvery (default one second) and once at the end.
	Progress      func(Summary)
	ProgressEvery time.Duration
	// Tolerance is how far apart two expiries may be and still count as
	// the same for UpdateChanged (default one second: stores keep
	// expiries to the millisecond, the file backend to the second).
	Tolerance time.Duration
	// Now is the clock of Elapsed (default time.Now).
	Now func() time.Time
}

// Summary is the outcome of a Copy, or its progress so far.
type Summary struct {
	// Seen is the number of keys listed in the source.
	Seen int64
	// Copied were created in the target (or would be, in a dry run);
	// Overwritten replaced the target's session.
	Copied, Overwritten int64
	// Skipped were in the target already and left alone (with
	// UpdateChanged: identical).
	Skipped int64
	// Expired were listed but had expired (or vanished) by the time they
	// were loaded.
	Expired int64
	// Dropped were copied without their unencodable values; Unencodable
	// were left out because of them.
	Dropped, Unencodable int64
	// Fallback were verified by a fallback key (or legacy/sha1 data):
	// the target now holds them under its own key and format.
	Fallback int64
	// Failed counts the sessions that could not be copied, by Reason,
	// prefixed with the side ("load: bad signature", "write: unavailable").
	Failed map[string]int64
	// Elapsed is the time since the copy started.
	Elapsed time.Duration
}

// FailedTotal is the number of sessions in Failed.
func (s Summary) FailedTotal() int64 {
	var n int64
	for _, v := range s.Failed {
		n += v
	}
	return n
}

// Rate is the number of sessions handled per second so far.
func (s Summary) Rate() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Seen) / s.Elapsed.Seconds()
}

type copier struct {
	src, dst djangosess.Store
	batch    djangosess.BatchCreator // dst, when it is one
	o        Options
	start    time.Time

	seen, copied, overwritten, skipped, expired, dropped, unencodable, fallback atomic.Int64
	failed                                                                      counts
}

func (c *copier) summary() Summary {
	return Summary{
		Seen: c.seen.Load(), Copied: c.copied.Load(), Overwritten: c.overwritten.Load(),
		Skipped: c.skipped.Load(), Expired: c.expired.Load(), Dropped: c.dropped.Load(),
		Unencodable: c.unencodable.Load(), Fallback: c.fallback.Load(),
		Failed: c.failed.snapshot(), Elapsed: c.o.Now().Sub(c.start),
	}
}

// Copy copies every live session of src into dst, keeping its key, data
// and expiry (Record.Expiry as src loads it, given to dst's Create).
// Sessions that fail to load or to write are counted in the summary and
// the copy goes on; the error is the key iteration's, ctx's, or
// ErrUnencodable under FailCopy. The summary is valid in every case:
// after an interruption, running Copy again finishes the job.
func Copy(ctx context.Context, src, dst djangosess.Store, opts Options) (Summary, error) {
	if src == nil || dst == nil {
		return Summary{}, fmt.Errorf("%w: transfer: nil store", djangosess.ErrConfig)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Tolerance == 0 {
		opts.Tolerance = time.Second
	}
	c := &copier{src: src, dst: dst, o: opts, start: opts.Now()}
	c.batch, _ = dst.(djangosess.BatchCreator)
	stop := progress(opts.Progress, opts.ProgressEvery, c.summary)
	err := eachChunk(ctx, src, opts.Concurrency, c.chunk)
	stop()
	s := c.summary()
	if opts.Progress != nil {
		opts.Progress(s)
	}
	return s, err
}

// progress calls fn with snap() every interval until the returned stop.
func progress[S any](fn func(S), every time.Duration, snap func() S) (stop func()) {
	if fn == nil {
		return func() {}
	}
	if every <= 0 {
		every = time.Second
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				fn(snap())
			case <-done:
				return
			}
		}
	}()
	return func() { close(done); <-finished }
}

// chunk copies a run of sessions the source yielded, writing them with
// one CreateBatch when the target has it.
func (c *copier) chunk(ctx context.Context, items []djangosess.Scanned) error {
	var batch []djangosess.Entry
	for _, it := range items {
		rec, ok, err := c.prepare(ctx, it)
		if err != nil {
			return err
		}
		switch {
		case !ok:
		case c.o.DryRun:
			c.dryRun(ctx, it.Key)
		case c.batch != nil:
			batch = append(batch, djangosess.Entry{Key: it.Key, Record: rec})
		default:
			c.written(ctx, it.Key, rec, c.dst.Create(ctx, it.Key, rec))
		}
	}
	if len(batch) > 0 {
		errs := c.batch.CreateBatch(ctx, batch)
		for i, e := range batch {
			c.written(ctx, e.Key, e.Record, errs[i])
		}
	}
	return nil
}

// prepare counts a session the source yielded and returns the record to
// write; ok is false when there is none (expired, failed, skipped). The
// error is ErrUnencodable under FailCopy.
func (c *copier) prepare(ctx context.Context, it djangosess.Scanned) (rec djangosess.Record, ok bool, err error) {
	c.seen.Add(1)
	r := it.Record
	switch {
	case errors.Is(it.Err, djangosess.ErrNotFound):
		c.expired.Add(1)
		return rec, false, nil
	case it.Err != nil:
		if ctx.Err() == nil { // else interrupted: not a session failure
			c.failed.add("load: " + Reason(it.Err))
		}
		return rec, false, nil
	}
	if r.Stored.Signed && (r.Stored.KeyIndex > 0 || r.Stored.Format == djangosess.FormatLegacy || r.Stored.Algorithm == "sha1") {
		c.fallback.Add(1)
	}
	data := r.Data
	if c.o.Convert != nil {
		if _, err := c.o.Convert.Marshal(data); err != nil {
			if !errors.Is(err, serializer.ErrUnsupported) {
				c.failed.add("convert: " + Reason(err))
				return rec, false, nil
			}
			bad := unencodable(c.o.Convert, data)
			if c.o.Report != nil {
				c.o.Report(it.Key, bad)
			}
			switch c.o.OnUnencodable {
			case FailCopy:
				return rec, false, fmt.Errorf("%w (%d values in one session)", ErrUnencodable, len(bad))
			case SkipSession:
				c.unencodable.Add(1)
				return rec, false, nil
			}
			data = data.Clone()
			for _, v := range bad {
				data.DeleteStr(v.Name)
			}
			if _, err := c.o.Convert.Marshal(data); err != nil { // a non-str key, say
				c.failed.add("convert: " + Reason(err))
				return rec, false, nil
			}
			c.dropped.Add(1)
		}
	}
	return djangosess.Record{Data: data, Expiry: r.Expiry}, true, nil
}

// dryRun counts what writing key would do.
func (c *copier) dryRun(ctx context.Context, key string) {
	ok, err := c.dst.Exists(ctx, key)
	switch {
	case err != nil:
		if ctx.Err() == nil {
			c.failed.add("write: " + Reason(err))
		}
	case !ok:
		c.copied.Add(1)
	case c.o.Existing == SkipExisting:
		c.skipped.Add(1)
	default:
		c.overwritten.Add(1)
	}
}

// written counts the outcome of creating key in the target, applying the
// Existing policy when it was there already.
func (c *copier) written(ctx context.Context, key string, rec djangosess.Record, err error) {
	if errors.Is(err, djangosess.ErrExists) {
		err = c.existing(ctx, key, rec)
	} else if err == nil {
		c.copied.Add(1)
	}
	if err != nil && ctx.Err() == nil {
		c.failed.add("write: " + Reason(err))
	}
}

// existing applies the Existing policy to a key the target holds.
func (c *copier) existing(ctx context.Context, key string, rec djangosess.Record) error {
	switch c.o.Existing {
	case SkipExisting:
		c.skipped.Add(1)
		return nil
	case UpdateChanged:
		cur, err := c.dst.Load(ctx, key)
		if err == nil && serializer.Equal(cur.Data, rec.Data) && sameExpiry(cur.Expiry, rec.Expiry, c.o.Tolerance) {
			c.skipped.Add(1)
			return nil
		}
		// Missing, undecodable or different: write ours.
	}
	if err := djangosess.Put(ctx, c.dst, key, rec); err != nil {
		return err
	}
	c.overwritten.Add(1)
	return nil
}

func sameExpiry(a, b time.Time, tol time.Duration) bool {
	if a.IsZero() || b.IsZero() {
		return a.IsZero() == b.IsZero()
	}
	d := a.Sub(b)
	return d <= tol && d >= -tol
}

// unencodable returns the top-level values of d that ser cannot write.
func unencodable(ser serializer.Codec, d *serializer.Dict) []Value {
	var out []Value
	for _, it := range d.Items() {
		name, ok := serializer.AsString(it.Key)
		if !ok {
			continue // a non-str key: the whole session fails again below
		}
		if _, err := ser.Marshal(it.Value); err != nil {
			out = append(out, Value{Name: name, Kind: it.Value.Kind().String(), Err: err})
		}
	}
	return out
}
