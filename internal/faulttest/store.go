package faulttest

import (
	"context"
	"errors"
	"fmt"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/serializer"
)

// What the fault tests of session stores share: the session their loads
// write and read, and which errors a call may fail with while a server is
// failing.

// Counter is the session a load's Write stores: {"n": n}.
func Counter(n int64) djangosess.Record {
	return djangosess.Record{Data: serializer.DictOf("n", serializer.Int(n))}
}

// CounterValue is n of the session a Load returned. An error is returned
// as it is (djangosess.ErrNotFound too), and a session without n is an
// error.
func CounterValue(r djangosess.Record, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	n, ok := r.Data.Int64("n")
	if !ok {
		return 0, fmt.Errorf("no counter in %v", r.Data)
	}
	return n, nil
}

// CounterOrZero is CounterValue with a missing session read as 0: below
// every acknowledged write, so that a lost session counts in Stats.Lost.
func CounterOrZero(r djangosess.Record, err error) (int64, error) {
	if errors.Is(err, djangosess.ErrNotFound) {
		return 0, nil
	}
	return CounterValue(r, err)
}

// Typed reports whether err is what a store call may fail with while a
// server is failing: djangosess.ErrUnavailable or the call's context
// error. It suits LoadConfig.Allowed.
func Typed(err error) bool { return Kind(err) != "other" }

// Kind names the kind of a failed store call's error ("unavailable",
// "context" or "other"), for LoadConfig.Kind.
func Kind(err error) string {
	switch {
	case errors.Is(err, djangosess.ErrUnavailable):
		return "unavailable"
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled):
		return "context"
	}
	return "other"
}
