package main

import (
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

// blockSize is how much input is read at a time; the complete lines in a
// block make one chunk of work (a few hundred sessions).
const blockSize = 64 << 10

// chunk is a run of consecutive items and, once handled, their output.
type chunk struct {
	seq   int
	items [][]byte
	block *[]byte // the input block the items are in
	out   []byte
	bad   int
}

// chunks recycles chunks (their item lists and output buffers) and blocks
// recycles input blocks, once a chunk is written. An item's bytes are not
// overwritten before then: an itemFunc may read them as a string made
// without a copy, and must not keep it.
var (
	chunks = sync.Pool{New: func() any { return new(chunk) }}
	blocks = sync.Pool{New: func() any { b := make([]byte, blockSize); return &b }}
)

// runLines treats every line of r as one item, runs fn over the items on
// all cores, and writes one output line per item to w, in input order. A
// line ends at "\n" (a "\r" before it is dropped), and a last line without
// one counts when it is not empty. It returns how many items failed, and
// the first read or write error.
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
				out := c.out[:0]
				for _, it := range c.items {
					before := out
					o, ferr := fn(out, it)
					if ferr != nil {
						o = errLine(before, ferr)
						c.bad++
					}
					out = append(o, '\n')
				}
				c.out = out
				done <- c
			}
		}()
	}

	readErr := make(chan error, 1)
	go func() {
		defer close(jobs)
		readErr <- readChunks(r, jobs)
	}()
	go func() { wg.Wait(); close(done) }()

	// Reorder: chunks finish out of order; write them by sequence number.
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
				_, werr = w.Write(p.out)
			}
			next++
			if p.block != nil && len(*p.block) == blockSize {
				blocks.Put(p.block)
			}
			clear(p.items)
			*p = chunk{items: p.items[:0], out: p.out[:0]}
			chunks.Put(p)
		}
	}
	if rerr := <-readErr; rerr != nil {
		return bad, rerr
	}
	return bad, werr
}

// maxLine bounds the part of one line kept in memory: a longer line is
// cut to maxLine+1 bytes, which every command rejects as too large (the
// codec's input limit is 4 MiB), and the rest of it is skipped.
const maxLine = 16 << 20

// readChunks reads r a block at a time and sends the complete lines of
// each block as a chunk; a line cut by the end of a block starts the next
// one, which doubles in size as needed for a long line, so a line of n
// bytes costs O(n) copying, up to maxLine.
func readChunks(r io.Reader, jobs chan<- *chunk) error {
	var rest []byte   // the start of a line cut by the end of the last block
	skipping := false // inside a line cut at maxLine: drop bytes up to its newline
	for seq := 0; ; {
		var bp *[]byte
		if len(rest) < blockSize/2 {
			bp = blocks.Get().(*[]byte)
		} else {
			// A long line: a block of its own, doubled as needed.
			b := make([]byte, max(2*len(rest), len(rest)+blockSize))
			bp = &b
		}
		block := *bp
		copy(block, rest)
		n, err := io.ReadFull(r, block[len(rest):])
		data := block[:len(rest)+n]
		// At the end of the input, or on a read error, what was read is
		// the last of it.
		eof := err != nil
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			err = nil
		}
		if skipping {
			i := bytes.IndexByte(data, '\n')
			if i < 0 {
				data = data[:0]
			} else {
				data, skipping = data[i+1:], false
			}
		}
		lines := data
		rest = nil
		if !eof {
			i := bytes.LastIndexByte(data, '\n')
			lines, rest = data[:i+1], data[i+1:]
		}
		if len(rest) > maxLine {
			// Too long to keep: what was read of it goes out as one line
			// of maxLine+1 bytes, after the complete lines before it.
			lines = data[:len(lines)+maxLine+1]
			rest, skipping = nil, true
		}
		if len(lines) > 0 {
			c := chunks.Get().(*chunk)
			c.seq = seq
			seq++
			c.items = splitLines(c.items, lines)
			c.block = bp
			jobs <- c
		} else if len(block) == blockSize {
			// Nothing of it is sent (the start of one line, copied to the
			// next block, or skipped).
			blocks.Put(bp)
		}
		if eof {
			return err
		}
	}
}

// splitLines appends the lines of b to items: every "\n" ends one, and
// what follows the last is one more unless it is empty.
func splitLines(items [][]byte, b []byte) [][]byte {
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			return append(items, trimCR(b))
		}
		items = append(items, trimCR(b[:i]))
		b = b[i+1:]
	}
	return items
}

func trimCR(b []byte) []byte { return bytes.TrimSuffix(b, []byte("\r")) }

// trimEOL drops a final "\n" or "\r\n".
func trimEOL(b []byte) []byte {
	return trimCR(bytes.TrimSuffix(b, []byte("\n")))
}
