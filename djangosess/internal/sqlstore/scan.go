package sqlstore

import (
	"context"
	"fmt"
	"iter"
	"time"

	"github.com/djangosess/djangosess/djangosess"
)

var _ djangosess.Scanner = (*Store)(nil)

// scanRow is one row of a Scan page, before decoding.
type scanRow struct {
	key, data string
	exp       time.Time
	err       error
}

// Scan implements djangosess.Scanner: pages of KeysBatch whole rows in key
// order (keyset pagination, as Keys), each page read and its rows closed
// before any is yielded. A row whose expire_date is not after now (the
// comparison Load makes in SQL) comes with ErrNotFound; its data is not
// decoded.
func (s *Store) Scan(ctx context.Context) iter.Seq2[djangosess.Scanned, error] {
	return func(yield func(djangosess.Scanned, error) bool) {
		page := make([]scanRow, 0, s.batch)
		last := ""
		for first := true; ; first = false {
			if err := ctx.Err(); err != nil {
				yield(djangosess.Scanned{}, fmt.Errorf("%s: scan: %w", s.e.Name, err))
				return
			}
			var err error
			if page, err = s.scanPage(ctx, page[:0], first, last); err != nil {
				yield(djangosess.Scanned{}, s.fail(ctx, "scan", err))
				return
			}
			now := s.now().Truncate(time.Microsecond)
			for i := range page {
				row := &page[i]
				it := djangosess.Scanned{Key: row.key}
				switch kerr := checkKey(row.key); {
				case kerr != nil:
					it.Err = kerr
				case row.err != nil:
					it.Err = fmt.Errorf("%s: scan: %w", s.e.Name, row.err)
				case !row.exp.After(now):
					it.Err = djangosess.ErrNotFound
				default:
					dec, err := s.codec.DecodeInfo(row.data)
					if err != nil {
						it.Err = fmt.Errorf("%s: scan: %w", s.e.Name, err)
						break
					}
					it.Record = djangosess.Record{Data: dec.Data, Expiry: row.exp, Size: len(row.data),
						Stored: djangosess.StoredOf(dec, s.serName)}
				}
				row.data = "" // let the page's strings go as soon as they are decoded
				if !yield(it, nil) {
					return
				}
			}
			if len(page) < s.batch {
				return
			}
			last = page[len(page)-1].key
		}
	}
}

// scanPage reads one page of rows into dst.
func (s *Store) scanPage(ctx context.Context, dst []scanRow, first bool, last string) ([]scanRow, error) {
	q, args := s.qScanFirst, []any(nil)
	if !first {
		q, args = s.qScanNext, []any{last}
	}
	var key, data string
	var exp time.Time
	var raw any
	dest := []any{&key, &data, &exp}
	if s.e.Naive {
		dest[2] = &raw
	}
	err := s.c.QueryRows(ctx, q, args, dest, func() error {
		row := scanRow{key: key, data: data}
		if s.e.Naive {
			row.exp, row.err = NaiveValue(raw, s.loc)
		} else {
			row.exp = exp.In(s.loc)
		}
		dst = append(dst, row)
		return nil
	})
	return dst, err
}
