package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"iter"
	"strconv"
	"time"

	"github.com/djangosess/djangosess/djangosess"
)

// listItem is one line of list --json (and get --meta).
type listItem struct {
	Key     string          `json:"key"`
	Expiry  string          `json:"expiry,omitempty"`
	UserID  string          `json:"user_id,omitempty"`
	Size    int             `json:"size,omitempty"`
	Expired bool            `json:"expired,omitempty"`
	Error   string          `json:"error,omitempty"`
	Data    json.RawMessage `json:"data,omitempty"`
}

func runList(ctx context.Context, args []string, e *env) error {
	var asJSON, expired bool
	o, pos, err := storeCommand(ctx, "list", "", `
Lists the stored sessions: key, expiry (UTC), logged-in user id, and the
stored size in bytes, one per line (tab-separated), or as JSON lines with
--json. Sessions that fail to decode are listed with the reason.`, args, e, func(fs *flag.FlagSet) {
		fs.BoolVar(&asJSON, "json", false, "print one JSON object per session")
		fs.BoolVar(&expired, "include-expired", false, "also list sessions that have expired but are still stored")
	})
	if err != nil {
		return err
	}
	defer o.Close()
	if len(pos) != 0 {
		return usageErrorf("list takes no arguments")
	}
	if o.Store == nil {
		return usageErrorf("the %s engine stores nothing to list: the cookie is the session", o.Engine)
	}
	w := bufio.NewWriter(e.stdout)
	defer w.Flush()
	if !asJSON {
		fmt.Fprintf(w, "%-32s\t%-20s\t%s\t%s\n", "KEY", "EXPIRY (UTC)", "USER", "SIZE")
	}
	for sc, err := range records(ctx, o.Store) {
		if err != nil {
			return err
		}
		it := listItem{Key: sc.Key}
		r, err := sc.Record, sc.Err
		switch {
		case errors.Is(err, djangosess.ErrNotFound):
			if !expired {
				continue
			}
			it.Expired = true
		case err != nil:
			if ctx.Err() != nil {
				return err
			}
			it.Error = reason(err)
		default:
			it.Expiry = r.Expiry.UTC().Format(time.RFC3339)
			it.Size = r.Size
			it.UserID = userID(r)
		}
		if asJSON {
			b, err := json.Marshal(it)
			if err != nil {
				return err
			}
			w.Write(append(b, '\n'))
			continue
		}
		note := it.Expiry
		switch {
		case it.Expired:
			note = "expired"
		case it.Error != "":
			note = "error: " + it.Error
		}
		user := it.UserID
		if user == "" {
			user = "-"
		}
		fmt.Fprintf(w, "%-32s\t%-20s\t%s\t%d\n", it.Key, note, user, it.Size)
	}
	return w.Flush()
}

// records yields every session of s: read in pages by a
// djangosess.Scanner (the SQL stores), else listed by Keys and loaded one
// by one (Scanned.Err is then Load's error).
func records(ctx context.Context, s djangosess.Store) iter.Seq2[djangosess.Scanned, error] {
	if sc, ok := s.(djangosess.Scanner); ok {
		return sc.Scan(ctx)
	}
	return func(yield func(djangosess.Scanned, error) bool) {
		for key, err := range s.Keys(ctx) {
			if err != nil {
				yield(djangosess.Scanned{}, err)
				return
			}
			r, err := s.Load(ctx, key)
			if !yield(djangosess.Scanned{Key: key, Record: r, Err: err}, nil) {
				return
			}
		}
	}
}

// userID is _auth_user_id as a string (Django writes a str; an int is
// accepted on read, as Django's pk.to_python does).
func userID(r djangosess.Record) string {
	if s, ok := r.Data.String("_auth_user_id"); ok {
		return s
	}
	if n, ok := r.Data.Int64("_auth_user_id"); ok {
		return strconv.FormatInt(n, 10)
	}
	return ""
}
