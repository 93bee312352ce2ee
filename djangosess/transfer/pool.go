package transfer

import (
	"context"
	"errors"
	"sync"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/serializer"
	"github.com/djangosess/djangosess/signing"
)

// DefaultConcurrency is the number of workers when an option leaves it 0.
const DefaultConcurrency = 16

// eachKey calls fn for every key of s from n workers. Keys are handed
// over through a channel of bounded size, so memory stays flat. It
// returns the iteration's error, ctx's error, or the first error fn
// returns (which stops the run).
func eachKey(ctx context.Context, s djangosess.Store, n int, fn func(ctx context.Context, key string) error) error {
	if n <= 0 {
		n = DefaultConcurrency
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	keys := make(chan string, 4*n)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range keys {
				if ctx.Err() != nil {
					continue // drain
				}
				if err := fn(ctx, k); err != nil {
					cancel(err)
				}
			}
		}()
	}
	var iterErr error
	for k, err := range s.Keys(ctx) {
		if err != nil {
			iterErr = err
			break
		}
		select {
		case keys <- k:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(keys)
	wg.Wait()
	if cause := context.Cause(ctx); cause != nil {
		if iterErr != nil && !errors.Is(iterErr, context.Canceled) {
			return errors.Join(cause, iterErr)
		}
		return cause
	}
	return iterErr
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
