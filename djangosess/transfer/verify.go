package transfer

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/serializer"
)

// Kind is the kind of a Difference.
type Kind uint8

// The kinds of difference Verify reports.
const (
	// OnlyInA: a live session of a that b does not hold.
	OnlyInA Kind = iota + 1
	// OnlyInB: a live session of b that a does not hold.
	OnlyInB
	// DataDiffers: both hold the key, with different data.
	DataDiffers
	// ExpiryDiffers: same data, expiries further apart than the tolerance.
	ExpiryDiffers
	// LoadFailed: a or b could not load the session (Detail says why).
	LoadFailed
)

func (k Kind) String() string {
	switch k {
	case OnlyInA:
		return "only in a"
	case OnlyInB:
		return "only in b"
	case DataDiffers:
		return "data differs"
	case ExpiryDiffers:
		return "expiry differs"
	case LoadFailed:
		return "load failed"
	}
	return "unknown"
}

// Difference is one session on which the stores disagree.
type Difference struct {
	Key    string
	Kind   Kind
	Detail string
}

// VerifyOptions configures Verify. The zero value compares data exactly
// and expiries within a second.
type VerifyOptions struct {
	// Through, if set, is the serializer a was converted through on its
	// way to b: a's data is written and read back with it before the
	// comparison (a tuple becomes a list in JSON, say). A session it
	// cannot write compares without its unencodable values, as Copy's
	// DropValues leaves it.
	Through serializer.Codec
	// Tolerance is how far apart the expiries may be (default one second).
	// A cache keeps a TTL, not a date: a session copied through Redis
	// reads back an expiry computed from the TTL at load time, which on
	// a loaded machine can drift a second or two from the source's; widen
	// Tolerance (a minute still catches a lost expiry, which reads as the
	// two-week default) when comparing across a cache.
	Tolerance time.Duration
	// Concurrency is the number of workers (default DefaultConcurrency).
	Concurrency int
	// OnDifference, if set, is called for every difference, possibly
	// from several goroutines at once.
	OnDifference func(Difference)
	// Keep is how many differences the report keeps (default 100).
	Keep int
}

// VerifyReport is the outcome of Verify.
type VerifyReport struct {
	// Compared is the number of sessions live in a or b; Same agree.
	Compared, Same int64
	// Counts is the number of differences by kind.
	Counts map[Kind]int64
	// Differences are the first VerifyOptions.Keep of them.
	Differences []Difference
}

// Equal reports whether no difference was found.
func (r VerifyReport) Equal() bool { return len(r.Counts) == 0 }

type verifier struct {
	a, b     djangosess.Store
	o        VerifyOptions
	compared atomic.Int64
	same     atomic.Int64
	mu       sync.Mutex
	counts   map[Kind]int64
	kept     []Difference
}

func (v *verifier) diff(d Difference) {
	v.mu.Lock()
	v.counts[d.Kind]++
	if len(v.kept) < v.o.Keep {
		v.kept = append(v.kept, d)
	}
	v.mu.Unlock()
	if v.o.OnDifference != nil {
		v.o.OnDifference(d)
	}
}

// Verify compares a and b session by session: every live session of a
// must be in b with the same data and expiry, and b must hold no live
// session that a does not. Expired sessions are ignored on both sides.
// It streams both stores' keys; the error is an iteration's or ctx's.
func Verify(ctx context.Context, a, b djangosess.Store, opts VerifyOptions) (VerifyReport, error) {
	if a == nil || b == nil {
		return VerifyReport{}, djangosess.ErrConfig
	}
	if opts.Tolerance == 0 {
		opts.Tolerance = time.Second
	}
	if opts.Keep == 0 {
		opts.Keep = 100
	}
	v := &verifier{a: a, b: b, o: opts, counts: map[Kind]int64{}}
	err := eachRecord(ctx, a, opts.Concurrency, v.fromA)
	if err == nil {
		err = eachKey(ctx, b, opts.Concurrency, v.fromB)
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	return VerifyReport{Compared: v.compared.Load(), Same: v.same.Load(), Counts: v.counts, Differences: v.kept}, err
}

func (v *verifier) fromA(ctx context.Context, key string, ra djangosess.Record, err error) error {
	if errors.Is(err, djangosess.ErrNotFound) || ctx.Err() != nil {
		return nil
	}
	v.compared.Add(1)
	if err != nil {
		v.diff(Difference{Key: key, Kind: LoadFailed, Detail: "a: " + Reason(err)})
		return nil
	}
	rb, err := v.b.Load(ctx, key)
	switch {
	case ctx.Err() != nil:
		return nil
	case errors.Is(err, djangosess.ErrNotFound):
		v.diff(Difference{Key: key, Kind: OnlyInA})
		return nil
	case err != nil:
		v.diff(Difference{Key: key, Kind: LoadFailed, Detail: "b: " + Reason(err)})
		return nil
	}
	want := ra.Data
	if v.o.Through != nil {
		want = through(v.o.Through, want)
	}
	switch {
	case !serializer.Equal(want, rb.Data):
		v.diff(Difference{Key: key, Kind: DataDiffers})
	case !sameExpiry(ra.Expiry, rb.Expiry, v.o.Tolerance):
		v.diff(Difference{Key: key, Kind: ExpiryDiffers,
			Detail: ra.Expiry.UTC().Format(time.RFC3339Nano) + " vs " + rb.Expiry.UTC().Format(time.RFC3339Nano)})
	default:
		v.same.Add(1)
	}
	return nil
}

func (v *verifier) fromB(ctx context.Context, key string) error {
	ok, err := v.a.Exists(ctx, key)
	if err != nil || ok {
		if err != nil && ctx.Err() == nil {
			v.compared.Add(1)
			v.diff(Difference{Key: key, Kind: LoadFailed, Detail: "a: " + Reason(err)})
		}
		return nil // compared from a's side (or expired there and kept by its backend)
	}
	if _, err := v.b.Load(ctx, key); err == nil {
		v.compared.Add(1)
		v.diff(Difference{Key: key, Kind: OnlyInB})
	}
	return nil
}

// through writes d with ser and reads it back, leaving out the values
// ser cannot write.
func through(ser serializer.Codec, d *serializer.Dict) *serializer.Dict {
	b, err := ser.Marshal(d)
	if err != nil {
		d = d.Clone()
		for _, v := range unencodable(ser, d) {
			d.DeleteStr(v.Name)
		}
		if b, err = ser.Marshal(d); err != nil {
			return d
		}
	}
	out, err := ser.Unmarshal(b)
	if err != nil {
		return d
	}
	if od, ok := out.(*serializer.Dict); ok {
		return od
	}
	return d
}
