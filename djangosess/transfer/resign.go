package transfer

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/auth"
)

// ResignOptions configures Resign.
type ResignOptions struct {
	// OnlyFallback rewrites only the sessions a fallback key verified,
	// leaving legacy and sha1 data that the current key verifies as it
	// is. By default those are rewritten too (in the store codec's
	// target format), since Django 4.0 and later cannot read them.
	OnlyFallback bool
	// DryRun reports what would be rewritten and writes nothing.
	DryRun bool
	// Concurrency is the number of workers (default DefaultConcurrency).
	Concurrency int
	// Report, if set, is called for every session that needed
	// rewriting, with how it was stored; possibly from several
	// goroutines at once. The key is a credential.
	Report func(key string, was djangosess.Stored)
	// Auth, when set, also rewrites the session hash (_auth_user_hash)
	// of logged-in sessions whose hash was made under a fallback key
	// (auth.Auth.Rekey, which looks the user up): the hash is an HMAC of
	// the password under SECRET_KEY, so without this a user whose session
	// was re-signed is still logged out when the old key leaves the
	// fallbacks, unless they came back in between (Django 4.1.8+ rekeys
	// it on the next request). This covers cache sessions too, which
	// are unsigned but hold the hash.
	Auth *auth.Auth
	// Progress is called every ProgressEvery (default one second) and
	// once at the end.
	Progress      func(ResignSummary)
	ProgressEvery time.Duration
}

// ResignSummary is the outcome of Resign.
type ResignSummary struct {
	// Seen keys; Current were already under the current key and format.
	Seen, Current int64
	// Resigned were rewritten (or would be, in a dry run); of them,
	// Fallback had depended on a fallback key (SECRET_KEY_FALLBACKS) and
	// Format on the legacy or sha1 format.
	Resigned, Fallback, Format int64
	// Hashes had their session hash rewritten under the current key
	// (with Auth set; counted in Resigned too).
	Hashes int64
	// Expired were gone by the time they were loaded or saved; Unsigned
	// are kept unsigned by their backend (cache) and need no re-signing.
	Expired, Unsigned int64
	// Failed counts the sessions that did not load or save, by Reason.
	Failed map[string]int64
}

// Resign rewrites in place, under the store's current SECRET_KEY and in
// its codec's target format, every session that its codec verified only
// with a fallback key (Record.Stored.KeyIndex > 0) or found in the legacy
// or sha1 format, keeping data and expiry. When it has run, every session
// still loads with the old key gone from SECRET_KEY_FALLBACKS; logged-in
// users stay logged in too when ResignOptions.Auth is set (or once each
// has made a request to Django 4.1.8+ in between): see Auth.
//
// Each session is loaded and saved (Django's update: a session deleted
// meanwhile stays deleted). A session that its user changes between the
// two is overwritten with what was loaded, as two Django requests racing
// on one session would; run it when traffic is low.
func Resign(ctx context.Context, s djangosess.Store, opts ResignOptions) (ResignSummary, error) {
	if s == nil {
		return ResignSummary{}, fmt.Errorf("%w: transfer: nil store", djangosess.ErrConfig)
	}
	var seen, current, resigned, fallback, format, hashes, expired, unsigned atomic.Int64
	var failed counts
	snap := func() ResignSummary {
		return ResignSummary{Seen: seen.Load(), Current: current.Load(), Resigned: resigned.Load(),
			Fallback: fallback.Load(), Format: format.Load(), Hashes: hashes.Load(), Expired: expired.Load(), Unsigned: unsigned.Load(),
			Failed: failed.snapshot()}
	}
	stop := progress(opts.Progress, opts.ProgressEvery, snap)
	err := eachRecord(ctx, s, opts.Concurrency, func(ctx context.Context, key string, r djangosess.Record, err error) error {
		seen.Add(1)
		switch {
		case errors.Is(err, djangosess.ErrNotFound):
			expired.Add(1)
			return nil
		case err != nil:
			if ctx.Err() == nil {
				failed.add("load: " + Reason(err))
			}
			return nil
		}
		rekeyed := false
		if opts.Auth != nil {
			if rekeyed, err = opts.Auth.Rekey(ctx, r.Data); err != nil {
				if ctx.Err() == nil {
					failed.add("user: " + Reason(err))
				}
				return nil
			}
		}
		if !r.Stored.Signed && !rekeyed {
			unsigned.Add(1)
			return nil
		}
		byKey := r.Stored.Signed && r.Stored.KeyIndex > 0
		byFormat := r.Stored.Signed && (r.Stored.Format == djangosess.FormatLegacy || r.Stored.Algorithm == "sha1")
		if !rekeyed && !byKey && (opts.OnlyFallback || !byFormat) {
			current.Add(1)
			return nil
		}
		if !opts.DryRun {
			err := s.Save(ctx, key, djangosess.Record{Data: r.Data, Expiry: r.Expiry})
			switch {
			case errors.Is(err, djangosess.ErrVanished):
				expired.Add(1)
				return nil
			case err != nil:
				if ctx.Err() == nil {
					failed.add("save: " + Reason(err))
				}
				return nil
			}
		}
		resigned.Add(1)
		if byKey {
			fallback.Add(1)
		}
		if byFormat {
			format.Add(1)
		}
		if rekeyed {
			hashes.Add(1)
		}
		if opts.Report != nil {
			opts.Report(key, r.Stored)
		}
		return nil
	})
	stop()
	out := snap()
	if opts.Progress != nil {
		opts.Progress(out)
	}
	return out, err
}
