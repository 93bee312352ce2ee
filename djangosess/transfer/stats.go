package transfer

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/djangosess/djangosess/djangosess"
)

// SizeBuckets are the upper bounds (inclusive, in bytes) of the size
// histogram of Stats; a last bucket holds the larger sessions.
var SizeBuckets = []int{128, 256, 512, 1 << 10, 2 << 10, 4 << 10, 16 << 10, 64 << 10}

// Bucket is one bar of the size histogram.
type Bucket struct {
	// UpTo is the bucket's upper bound in bytes; 0 for the last, open one.
	UpTo  int
	Count int64
}

// StoreStats describes the sessions of a store.
type StoreStats struct {
	// Keys is the number of keys listed, Live of sessions that loaded,
	// Expired of those that had expired (or vanished).
	Keys, Live, Expired int64
	// Failed counts the sessions that did not load, by Reason.
	Failed map[string]int64
	// Sizes is the histogram of stored sizes; TotalSize and MaxSize are
	// in bytes.
	Sizes              []Bucket
	TotalSize, MaxSize int64
	// Formats counts live sessions by how they were stored: "legacy",
	// "sha1", "sha256" (signed data) or "unsigned" (cache values).
	Formats map[string]int64
	// Serializers counts them by serializer ("json", "pickle", ...).
	Serializers map[string]int64
	// Compressed counts the zlib-compressed ones.
	Compressed int64
	// Fallback counts the sessions only a fallback key verified.
	Fallback int64
	// Authenticated counts the sessions with a logged-in user, Users the
	// distinct users among them.
	Authenticated, Users int64
}

// StatsOptions configures Stats.
type StatsOptions struct {
	// Concurrency is the number of workers (default DefaultConcurrency).
	Concurrency int
}

// Stats loads every session of s and describes them. Memory grows with
// the number of distinct logged-in users (their ids are counted exactly),
// not with the number of sessions.
func Stats(ctx context.Context, s djangosess.Store, opts StatsOptions) (StoreStats, error) {
	if s == nil {
		return StoreStats{}, djangosess.ErrConfig
	}
	var keys, live, expired, total, compressed, fallback, authed atomic.Int64
	var failed counts
	var mu sync.Mutex
	var maxSize int64
	sizes := make([]int64, len(SizeBuckets)+1)
	formats := map[string]int64{}
	sers := map[string]int64{}
	users := map[string]struct{}{}
	err := eachRecord(ctx, s, opts.Concurrency, func(ctx context.Context, key string, r djangosess.Record, err error) error {
		keys.Add(1)
		switch {
		case errors.Is(err, djangosess.ErrNotFound):
			expired.Add(1)
			return nil
		case err != nil:
			if ctx.Err() == nil {
				failed.add(Reason(err))
			}
			return nil
		}
		live.Add(1)
		total.Add(int64(r.Size))
		if r.Stored.Compressed {
			compressed.Add(1)
		}
		if r.Stored.KeyIndex > 0 {
			fallback.Add(1)
		}
		uid := userID(r)
		if uid != "" {
			authed.Add(1)
		}
		b := len(SizeBuckets)
		for i, up := range SizeBuckets {
			if r.Size <= up {
				b = i
				break
			}
		}
		mu.Lock()
		defer mu.Unlock()
		sizes[b]++
		maxSize = max(maxSize, int64(r.Size))
		formats[formatName(r.Stored)]++
		sers[r.Stored.Serializer]++
		if uid != "" {
			users[uid] = struct{}{}
		}
		return nil
	})
	mu.Lock()
	defer mu.Unlock()
	out := StoreStats{
		Keys: keys.Load(), Live: live.Load(), Expired: expired.Load(), Failed: failed.snapshot(),
		TotalSize: total.Load(), MaxSize: maxSize, Formats: formats, Serializers: sers,
		Compressed: compressed.Load(), Fallback: fallback.Load(), Authenticated: authed.Load(), Users: int64(len(users)),
	}
	for i, n := range sizes {
		up := 0
		if i < len(SizeBuckets) {
			up = SizeBuckets[i]
		}
		out.Sizes = append(out.Sizes, Bucket{UpTo: up, Count: n})
	}
	return out, err
}

func formatName(s djangosess.Stored) string {
	switch {
	case !s.Signed:
		return "unsigned"
	case s.Format == djangosess.FormatLegacy:
		return "legacy"
	case s.Algorithm != "":
		return s.Algorithm
	}
	return "signed"
}

// userID is _auth_user_id as a string (an int is accepted, as Django's
// pk.to_python does).
func userID(r djangosess.Record) string {
	if r.Data == nil {
		return ""
	}
	if s, ok := r.Data.String("_auth_user_id"); ok {
		return s
	}
	if n, ok := r.Data.Int64("_auth_user_id"); ok {
		return strconv.FormatInt(n, 10)
	}
	return ""
}
