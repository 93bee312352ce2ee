package transfer

import (
	"context"
	"errors"
	"iter"
	"sync"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/serializer"
	"github.com/djangosess/djangosess/signing"
)

// DefaultConcurrency is the number of workers when an option leaves it 0.
const DefaultConcurrency = 16

// eachKey calls fn for every key of s from n workers (Keys only, no
// Load), with eachChunk's memory bound and error rules.
func eachKey(ctx context.Context, s djangosess.Store, n int, fn func(ctx context.Context, key string) error) error {
	return eachChunkOf(ctx, s, n, false, func(ctx context.Context, items []djangosess.Scanned) error {
		for _, it := range items {
			if ctx.Err() != nil {
				return nil
			}
			if err := fn(ctx, it.Key); err != nil {
				return err
			}
		}
		return nil
	})
}

// chunkSize is how many sessions eachChunk hands a worker at a time.
const chunkSize = 64

// eachChunk calls fn from n workers with runs of up to chunkSize sessions
// of s: read in pages when s is a djangosess.Scanner, else listed by Keys
// and loaded one by one by the worker (Scanned.Err is then Load's error).
// Memory stays flat: at most 2n chunks wait. It returns the iteration's
// error, ctx's error, or the first error fn returns (which stops the run).
func eachChunk(ctx context.Context, s djangosess.Store, n int, fn func(ctx context.Context, items []djangosess.Scanned) error) error {
	return eachChunkOf(ctx, s, n, true, fn)
}

// eachChunkOf is eachChunk; without load, items carry keys only (Keys,
// never Scan or Load).
func eachChunkOf(ctx context.Context, s djangosess.Store, n int, load bool, fn func(ctx context.Context, items []djangosess.Scanned) error) error {
	if n <= 0 {
		n = DefaultConcurrency
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	scanner, scans := s.(djangosess.Scanner)
	scans = scans && load
	chunks := make(chan []djangosess.Scanned, 2*n)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for items := range chunks {
				if ctx.Err() != nil {
					continue // drain
				}
				if load && !scans {
					for i := range items {
						items[i].Record, items[i].Err = s.Load(ctx, items[i].Key)
					}
				}
				if err := fn(ctx, items); err != nil {
					cancel(err)
				}
			}
		}()
	}
	var seq iter.Seq2[djangosess.Scanned, error]
	if scans {
		seq = scanner.Scan(ctx)
	} else {
		seq = func(yield func(djangosess.Scanned, error) bool) {
			for k, err := range s.Keys(ctx) {
				if !yield(djangosess.Scanned{Key: k}, err) {
					return
				}
			}
		}
	}
	var iterErr error
	items := make([]djangosess.Scanned, 0, chunkSize)
	send := func() {
		select {
		case chunks <- items:
		case <-ctx.Done():
		}
		items = make([]djangosess.Scanned, 0, chunkSize)
	}
	for it, err := range seq {
		if err != nil {
			iterErr = err
			break
		}
		if items = append(items, it); len(items) == chunkSize {
			send()
		}
		if ctx.Err() != nil {
			break
		}
	}
	if len(items) > 0 && iterErr == nil && ctx.Err() == nil {
		send()
	}
	close(chunks)
	wg.Wait()
	if cause := context.Cause(ctx); cause != nil {
		if iterErr != nil && !errors.Is(iterErr, context.Canceled) {
			return errors.Join(cause, iterErr)
		}
		return cause
	}
	return iterErr
}

// eachRecord calls fn for every session of s, as eachChunk reads them:
// r and err are what Load would return for key.
func eachRecord(ctx context.Context, s djangosess.Store, n int, fn func(ctx context.Context, key string, r djangosess.Record, err error) error) error {
	return eachChunk(ctx, s, n, func(ctx context.Context, items []djangosess.Scanned) error {
		for _, it := range items {
			if err := fn(ctx, it.Key, it.Record, it.Err); err != nil {
				return err
			}
		}
		return nil
	})
}

// Reason names the kind of a session error, for the Failed counts of a
// summary: "bad signature", "malformed", "too large", "unencodable",
// "invalid key", "unavailable", "canceled" or "other".
func Reason(err error) string {
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return "canceled"
	case errors.Is(err, djangosess.ErrInvalidKey):
		return "invalid key"
	case errors.Is(err, djangosess.ErrUnavailable):
		return "unavailable"
	case errors.Is(err, signing.ErrBadSignature):
		return "bad signature"
	case errors.Is(err, signing.ErrTooLarge), errors.Is(err, serializer.ErrTooLarge):
		return "too large"
	case errors.Is(err, serializer.ErrUnsupported):
		return "unencodable"
	case errors.Is(err, signing.ErrMalformed), errors.Is(err, serializer.ErrMalformed):
		return "malformed"
	}
	return "other"
}

// counts is a concurrency-safe map of reason → count.
type counts struct {
	mu sync.Mutex
	m  map[string]int64
}

func (c *counts) add(reason string) {
	c.mu.Lock()
	if c.m == nil {
		c.m = map[string]int64{}
	}
	c.m[reason]++
	c.mu.Unlock()
}

func (c *counts) snapshot() map[string]int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int64, len(c.m))
	for k, v := range c.m {
		out[k] = v
	}
	return out
}
