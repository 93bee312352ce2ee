package djangosess

import (
	"context"
	"iter"
)

// Scanner is implemented by stores that can read every session in bulk,
// far faster than Keys followed by a Load per key: the SQL stores read
// pages of whole rows (key, data, expiry) in key order. The transfer
// package uses it when the source store has it.
type Scanner interface {
	// Scan yields every session the store holds, expired ones included,
	// in the store's order. A session that cannot be used comes with its
	// error in Scanned.Err and the iteration goes on: ErrNotFound for an
	// expired one (its data is not decoded), the codec's error for data
	// that does not decode. The iteration's own error (the store failing,
	// ctx ending) ends it. No cursor or connection is held while the
	// loop body runs.
	Scan(ctx context.Context) iter.Seq2[Scanned, error]
}

// Scanned is one session read by Scanner.Scan.
type Scanned struct {
	Key    string
	Record Record
	// Err is ErrNotFound for an expired session, or why its data did not
	// decode; Record is then the zero value.
	Err error
}

// Entry is a key and its record, for BatchCreator.
type Entry struct {
	Key    string
	Record Record
}

// BatchCreator is implemented by stores that can create many sessions in
// one round trip (the Redis store pipelines its SET … NX commands).
type BatchCreator interface {
	// CreateBatch is Create for each entry, in one round trip where the
	// store can. It returns one error per entry (nil, ErrExists, or the
	// entry's failure). A failure of the whole batch (the server
	// unreachable, ctx ending) is the error of every entry that was not
	// known to be written.
	CreateBatch(ctx context.Context, entries []Entry) []error
}
