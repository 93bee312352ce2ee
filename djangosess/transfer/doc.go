// Package transfer moves, converts, re-signs and inspects the sessions of
// any djangosess.Store without logging anyone out: Copy (any engine to any
// engine, keeping key, data and expiry), Verify (compare two stores
// session by session), Resign (rewrite, in place, the sessions that only
// an old key or an old format still verifies, and with Auth the session
// hashes of logged-in users), Stats (counts, sizes, formats, users),
// Doctor (checks a store's setup and says what to fix) and Bench (measures
// a store on this machine).
//
// Everything streams: sessions come from a djangosess.Scanner in pages of
// whole rows when the store is one (the SQL stores), else from Store.Keys
// and a Load each, through a bounded pool of workers, so memory does not
// grow with the number of sessions; a djangosess.BatchCreator target
// (Redis) is written in pipelined batches.
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
