// Package transfer moves, converts, re-signs and inspects the sessions of
// any djangosess.Store without logging anyone out: Copy (any engine to any
// engine, keeping key, data and expiry), Verify (compare two stores
// session by session), Resign (rewrite, in place, the sessions that only
// an old key or an old format still verifies) and Stats (counts, sizes,
// formats, users).
//
// Everything streams: keys come from Store.Keys and go through a bounded
// pool of workers, so memory does not grow with the number of sessions.
// Copy is idempotent and resumable: it creates sessions with Django's
// must-create semantics, so running it again after an interruption skips
// (or, by option, overwrites or updates) what the first run copied and
// copies the rest.
//
// Conversion and re-signing are done by the stores themselves: a store
// decodes with its own codec (the source's SECRET_KEY with its fallbacks,
// any accepted format) and encodes with its own (the target's key,
// serializer and Django version). Copy only checks, when asked, that the
// target's serializer can hold every value, and applies a policy to the
// sessions where it cannot.
package transfer
