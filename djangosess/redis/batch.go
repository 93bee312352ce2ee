package redis

import (
	"context"
	"errors"

	goredis "github.com/redis/go-redis/v9"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/serializer/cachevalue"
)

var _ djangosess.BatchCreator = (*Store)(nil)

// CreateBatch implements djangosess.BatchCreator: Create for each entry,
// with every SET … NX sent in one pipeline (one round trip to a single
// server; go-redis splits it per node on a cluster). An entry whose
// expiry has passed takes Create's own path. The whole pipeline failing
// is the error of each entry whose command did not succeed.
func (s *Store) CreateBatch(ctx context.Context, entries []djangosess.Entry) []error {
	errs := make([]error, len(entries))
	type queued struct {
		i   int
		rk  string
		b   []byte
		n   int64
		cmd *goredis.Cmd
	}
	unit := "px"
	if s.codec.Client == cachevalue.Django {
		unit = "ex"
	}
	q := make([]queued, 0, len(entries))
	for i, e := range entries {
		rk, b, t, err := s.prepare(ctx, e.Key, e.Record)
		switch {
		case err != nil:
			errs[i] = err
		case !t.positive(s.codec.Client):
			errs[i] = s.Create(ctx, e.Key, e.Record)
		case unit == "ex":
			q = append(q, queued{i: i, rk: rk, b: b, n: t.sec})
		default:
			q = append(q, queued{i: i, rk: rk, b: b, n: t.ms})
		}
	}
	if len(q) == 0 {
		return errs
	}
	_, perr := s.c.Pipelined(ctx, func(p goredis.Pipeliner) error {
		for j := range q {
			q[j].cmd = p.Do(ctx, "set", q[j].rk, q[j].b, unit, q[j].n, "nx")
		}
		return nil
	})
	for _, c := range q {
		var err error
		if c.cmd == nil { // a Client that did not run fn
			err = perr
			if err == nil {
				err = errors.New("the pipeline ran no commands")
			}
		} else {
			err = c.cmd.Err()
		}
		switch {
		case err == nil:
		case err == goredis.Nil:
			errs[c.i] = djangosess.ErrExists
		default:
			errs[c.i] = s.fail(ctx, "SET", err)
		}
	}
	return errs
}
