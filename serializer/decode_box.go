package serializer

// Allocation helpers shared by the JSON and pickle decoders.
//
// Dicts of one input come from shared blocks. Strs, Ints and Lists are
// plain conversions to Value (one small allocation each): sharing their
// boxes too would need forging interface values with unsafe, which we do
// not do. A str met before reuses its box instead (strCache).

// boxes are the slots left in the current blocks of one input.
type boxes struct {
	dicts     []Dict
	items     []Item // room left in the current block of dict items
	itemBlock int    // the size of the next block (0: not started)
}

// str returns Str(s) as a Value.
func (b *boxes) str(s string) Value { return Str(s) }

// int returns Int(x) as a Value.
func (b *boxes) int(x int64) Value { return Int(x) }

// dict returns an empty Dict, from a block of four.
func (b *boxes) dict() *Dict {
	if len(b.dicts) == 0 {
		b.dicts = make([]Dict, 4)
	}
	d := &b.dicts[0]
	b.dicts = b.dicts[1:]
	return d
}

// jsonList returns a List of n values as a Value and the elements to
// fill in.
func jsonList(n int) (Value, []Value) {
	l := make(List, n)
	return l, l
}

// jsonEmptyList is every empty JSON array: a Value holds a copy of its
// List, so one box serves them all.
var jsonEmptyList Value = List{}

// dictItems returns an empty slice with room for n dict items. Dicts of up
// to 16 items share blocks: the first of first items (at least 4), the
// next ones doubling up to 64. The slice's capacity is n, so a dict that
// grows past it moves out instead of writing over its neighbour's items.
func (b *boxes) dictItems(n, first int) []Item {
	if n > 16 {
		return make([]Item, 0, n)
	}
	if len(b.items) < n {
		size := b.itemBlock
		if size == 0 {
			size = max(first, 4)
		}
		b.itemBlock = min(2*size, 64)
		b.items = make([]Item, max(size, n))
	}
	it := b.items[:0:n]
	b.items = b.items[n:]
	return it
}
