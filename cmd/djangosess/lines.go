package main

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"runtime"
	"runtime/debug"
	"sync"
)

// itemFunc handles one input item and appends its output line (without the
// newline) to dst. On error it returns dst unchanged and the error; the
// caller prints the command's error line for that item instead.
type itemFunc func(dst, item []byte) ([]byte, error)

// errLineFunc appends the line printed for an item that failed.
type errLineFunc func(dst []byte, err error) []byte

const chunkLines = 256

type chunk struct {
	seq   int
	items [][]byte
	out   []byte
	bad   int
}

// runLines treats every line of r as one item, runs fn over the items on
// all cores, and writes one output line per item to w, in input order. It
// returns how many items failed, and the first read or write error.
func runLines(r io.Reader, w io.Writer, fn itemFunc, errLine errLineFunc) (bad int, err error) {
	// Items are small and short-lived: collect garbage less often (the
	// live heap is a few chunks, so this costs little memory).
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	workers := runtime.GOMAXPROCS(0)
	jobs := make(chan *chunk, workers)
	done := make(chan *chunk, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range jobs {
				for _, it := range c.items {
					before := c.out
					out, ferr := fn(c.out, it)
					if ferr != nil {
						out = errLine(before, ferr)
						c.bad++
					}
					c.out = out
					c.out = append(c.out, '\n')
				}
				done <- c
			}
		}()
	}

	readErr := make(chan error, 1)
	go func() {
		defer close(jobs)
		br := bufio.NewReaderSize(r, 1<<16)
		seq := 0
		c := &chunk{seq: seq}
		for {
			line, err := br.ReadBytes('\n')
			if len(line) > 0 {
				c.items = append(c.items, trimEOL(line))
				if len(c.items) == chunkLines {
					jobs <- c
					seq++
					c = &chunk{seq: seq}
				}
			}
			if err != nil {
				if len(c.items) > 0 {
					jobs <- c
				}
				if errors.Is(err, io.EOF) {
					err = nil
				}
				readErr <- err
				return
			}
		}
	}()
	go func() { wg.Wait(); close(done) }()

	// Reorder: chunks finish out of order; write them by sequence number.
	bw := bufio.NewWriterSize(w, 1<<16)
	pending := map[int]*chunk{}
	next := 0
	var werr error
	for c := range done {
		pending[c.seq] = c
		for {
			p, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			bad += p.bad
			if werr == nil {
				_, werr = bw.Write(p.out)
			}
			next++
		}
	}
	if werr == nil {
		werr = bw.Flush()
	}
	if rerr := <-readErr; rerr != nil {
		return bad, rerr
	}
	return bad, werr
}

func trimEOL(b []byte) []byte {
	b = bytes.TrimSuffix(b, []byte("\n"))
	return bytes.TrimSuffix(b, []byte("\r"))
}
