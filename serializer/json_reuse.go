package serializer

import (
	"fmt"
	"unsafe"
)

// A JSONDecoder unmarshals one input after another, as JSON.Unmarshal
// does, into memory it reuses: the dicts and lists of the Value it returns
// are valid only until its next call, which overwrites them with the next
// input's. Everything else stays valid: strs are copies, never pointing
// into the input or into the decoder's memory, so they can be kept.
//
// It is for loops that are done with each value before they decode the
// next, such as printing or checking every session of a store (the CLI's
// decode --lines, list, stats): after the first few inputs a typical
// session decodes with a few small allocations (its new strs) instead of
// the copy of the input and the dicts that Unmarshal allocates.
//
// The zero value decodes with JSON{}'s limits. A JSONDecoder must not be
// used by several goroutines at once.
type JSONDecoder struct {
	j     JSON
	d     jsonDecoder
	arena jsonArena
}

// NewDecoder returns a JSONDecoder with j's limits.
func (j JSON) NewDecoder() *JSONDecoder { return &JSONDecoder{j: j} }

// Unmarshal is JSON.Unmarshal, except that the dicts and lists of the
// result are valid only until the next call. It keeps no reference to
// data.
func (r *JSONDecoder) Unmarshal(data []byte) (Value, error) {
	if max := r.j.maxSize(); len(data) > max {
		return nil, fmt.Errorf("%w: json: input is %d bytes, over the limit of %d", ErrTooLarge, len(data), max)
	}
	d := &r.d
	d.arena = &r.arena
	d.strs.clone = true
	// No str of the result points into data (see jsonDecoder.keep), so
	// it is read in place, for this call only.
	d.s = unsafe.String(unsafe.SliceData(data), len(data))
	d.pos = 0
	d.maxDepth = r.j.maxDepth()
	d.maxIntDigits = r.j.maxIntDigits()
	r.arena.reset()
	d.planSlab()
	v, err := d.decode()
	if !d.finish() {
		// A huge input grew the stacks: let them go.
		r.d = jsonDecoder{strs: r.d.strs}
	}
	return v, err
}

// jsonArena is the memory that a JSONDecoder's dicts, their items and its
// lists take, reused from input to input. An input that needs more than
// it holds gets the rest from the heap, as Unmarshal would, and the arena
// grows to fit the largest input seen (up to the caps), from the next
// input on.
type jsonArena struct {
	dicts      []Dict
	items      []Item
	vals       []Value
	nd, ni, nv int // taken by the current input (or asked for, past the end)
	// wd, wi, wv are the most the inputs so far asked for.
	wd, wi, wv int
}

// The arena's caps: inputs bigger than this decode partly from the heap.
const (
	arenaMaxDicts = 1 << 10
	arenaMaxItems = 1 << 12
	arenaMaxVals  = 1 << 12
)

// reset makes the whole arena free again for a new input, first growing
// it to what the largest input so far asked for.
func (a *jsonArena) reset() {
	a.wd, a.wi, a.wv = max(a.wd, a.nd), max(a.wi, a.ni), max(a.wv, a.nv)
	if a.wd > len(a.dicts) {
		a.dicts = make([]Dict, min(a.wd, arenaMaxDicts))
	}
	if a.wi > len(a.items) {
		a.items = make([]Item, min(a.wi, arenaMaxItems))
	}
	if a.wv > len(a.vals) {
		a.vals = make([]Value, min(a.wv, arenaMaxVals))
	}
	a.nd, a.ni, a.nv = 0, 0, 0
}

// dict returns an empty Dict and room for its n items, or nil when the
// arena has no room left for them.
func (a *jsonArena) dict(n int) (*Dict, []Item) {
	nd, ni := a.nd, a.ni
	a.nd, a.ni = nd+1, ni+n
	if nd >= len(a.dicts) || n > len(a.items)-ni {
		return nil, nil
	}
	d := &a.dicts[nd]
	*d = Dict{}
	return d, a.items[ni : ni+n : ni+n]
}

// list returns n elements for a List, or nil when the arena has no room
// left for them.
func (a *jsonArena) list(n int) List {
	nv := a.nv
	a.nv = nv + n
	if n > len(a.vals)-nv {
		return nil
	}
	return List(a.vals[nv : nv+n : nv+n])
}
