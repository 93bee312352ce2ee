package serializer

import "fmt"

// finish turns what the pickle machine built into plain values: lists and
// sets under construction become List and Set, uuid.UUID objects become
// UUID. It walks the result as a tree, enforcing MaxDepth, MaxItems and the
// data limit on every path, so that a small pickle that references a value
// many times cannot make anything built on the result large. When the memo
// was used to reference a container twice (d.shared), nodes are finished
// once and then reused, and a node met again while it is being finished
// means the value contains itself.

// pkFinished is the outcome of finishing a shared node.
type pkFinished struct {
	v            Value
	items, bytes int64 // what the node adds to the tree, itself included
	height       int   // levels of containers in it
	done         bool  // false while the node is being finished
}

func (d *pickleDecoder) tooMany() error {
	if d.items > d.maxItems {
		return fmt.Errorf("%w: pickle: more than %d values in the result", ErrTooLarge, d.maxItems)
	}
	return fmt.Errorf("%w: pickle: more than %d bytes of str and bytes in the result", ErrTooLarge, d.maxBytes)
}

// pkIdentity returns the key under which a node is finished once when the
// result is a graph; nil for values that have no identity to track.
func pkIdentity(v Value) any {
	switch v := v.(type) {
	case *pkListNode, *pkSetNode, *Dict, *Object:
		return v
	case Tuple:
		if len(v) > 0 {
			return &v[0]
		}
	case FrozenSet:
		if len(v) > 0 {
			return &v[0]
		}
	}
	return nil
}

// finish returns v finished, and the number of container levels in it.
func (d *pickleDecoder) finish(v Value, depth int) (Value, int, error) {
	d.items++
	if d.items > d.maxItems {
		return nil, 0, d.tooMany()
	}
	switch x := v.(type) {
	case Str:
		return v, 0, d.addBytes(len(x))
	case Bytes:
		return v, 0, d.addBytes(len(x))
	case ByteArray:
		return v, 0, d.addBytes(len(x))
	case DateTime:
		if x.TZ != nil && x.TZ.Raw != nil {
			if _, _, err := d.finishTZ(x.TZ, depth); err != nil {
				return nil, 0, err
			}
		}
		return v, 0, nil
	case Time:
		if x.TZ != nil && x.TZ.Raw != nil {
			if _, _, err := d.finishTZ(x.TZ, depth); err != nil {
				return nil, 0, err
			}
		}
		return v, 0, nil
	case *pkListNode, *pkSetNode, *Dict, *Object, Tuple, FrozenSet, List, Set:
	default:
		return v, 0, nil
	}
	if depth >= d.maxDepth {
		return nil, 0, pickleTooDeep(d.maxDepth)
	}
	var key any
	if d.shared {
		if key = pkIdentity(v); key != nil {
			if f, ok := d.fin[key]; ok {
				if !f.done {
					return nil, 0, fmt.Errorf("%w: pickle: a %s that contains itself", ErrUnsupported, pkTypeName(f.v))
				}
				d.items += f.items - 1
				d.bytes += f.bytes
				if d.items > d.maxItems || d.bytes > d.maxBytes {
					return nil, 0, d.tooMany()
				}
				if depth+f.height > d.maxDepth {
					return nil, 0, pickleTooDeep(d.maxDepth)
				}
				return f.v, f.height, nil
			}
			if d.fin == nil {
				d.fin = make(map[any]*pkFinished)
			}
			d.fin[key] = &pkFinished{v: v}
		}
	}
	items0, bytes0 := d.items-1, d.bytes
	out, h, err := d.finishNode(v, depth)
	if err != nil {
		return nil, 0, err
	}
	h++
	if key != nil {
		*d.fin[key] = pkFinished{v: out, items: d.items - items0, bytes: d.bytes - bytes0, height: h, done: true}
	}
	return out, h, nil
}

func (d *pickleDecoder) addBytes(n int) error {
	d.bytes += int64(n)
	if d.bytes > d.maxBytes {
		return d.tooMany()
	}
	return nil
}

// finishAll finishes vs in place and returns their greatest height.
func (d *pickleDecoder) finishAll(vs []Value, depth int) (int, error) {
	h := 0
	for i, e := range vs {
		f, eh, err := d.finish(e, depth)
		if err != nil {
			return 0, err
		}
		vs[i] = f
		h = max(h, eh)
	}
	return h, nil
}

func (d *pickleDecoder) finishNode(v Value, depth int) (Value, int, error) {
	switch x := v.(type) {
	case *pkListNode:
		h, err := d.finishAll(x.items, depth+1)
		if x.items == nil {
			x.items = []Value{}
		}
		return List(x.items), h, err
	case List:
		h, err := d.finishAll(x, depth+1)
		return x, h, err
	case Tuple:
		h, err := d.finishAll(x, depth+1)
		return x, h, err
	case *pkSetNode:
		conv := d.converted
		d.converted = false
		h, err := d.finishAll(x.items, depth+1)
		if err != nil {
			return nil, 0, err
		}
		items := x.items
		if d.converted {
			items, err = d.dedupe(items)
		}
		d.converted = d.converted || conv
		if items == nil {
			items = []Value{}
		}
		return Set(items), h, err
	case Set:
		h, err := d.finishAll(x, depth+1)
		return x, h, err
	case FrozenSet:
		conv := d.converted
		d.converted = false
		h, err := d.finishAll(x, depth+1)
		if err != nil {
			return nil, 0, err
		}
		if d.converted {
			var items []Value
			items, err = d.dedupe(x)
			x = FrozenSet(items)
		}
		d.converted = d.converted || conv
		return x, h, err
	case *Dict:
		return d.finishDict(x, depth)
	case *Object:
		return d.finishObject(x, depth)
	}
	return v, 0, nil
}

// dedupe drops repeated elements, after objects in them became values that
// compare by value (UUIDs).
func (d *pickleDecoder) dedupe(items []Value) ([]Value, error) {
	s := &pkSetNode{items: make([]Value, 0, len(items))}
	for _, it := range items {
		if err := d.setAdd(s, it); err != nil {
			return nil, err
		}
	}
	return s.items, nil
}

func (d *pickleDecoder) finishDict(x *Dict, depth int) (Value, int, error) {
	conv := d.converted
	d.converted = false
	h := 0
	for i := range x.items {
		k, kh, err := d.finish(x.items[i].Key, depth+1)
		if err != nil {
			return nil, 0, err
		}
		val, vh, err := d.finish(x.items[i].Value, depth+1)
		if err != nil {
			return nil, 0, err
		}
		x.items[i] = Item{Key: k, Value: val}
		h = max(h, kh, vh)
	}
	if d.converted {
		// A key changed from an object to a value: rebuild, as Python
		// would have merged equal keys.
		items := x.items
		x.items, x.index = make([]Item, 0, len(items)), nil
		for _, it := range items {
			if err := x.Set(it.Key, it.Value); err != nil {
				return nil, 0, fmt.Errorf("%w: pickle: dict key: %w", ErrMalformed, err)
			}
		}
	}
	d.converted = d.converted || conv
	return x, h, nil
}

func (d *pickleDecoder) finishObject(x *Object, depth int) (Value, int, error) {
	if pkIsGlobal(x, "builtins", "getattr") {
		return nil, 0, fmt.Errorf("%w: builtins.getattr used other than on a class", ErrForbiddenGlobal)
	}
	h, err := d.finishAll(x.Args, depth+1)
	if err != nil {
		return nil, 0, err
	}
	if x.Kwargs != nil {
		kw, kh, err := d.finish(x.Kwargs, depth+1)
		if err != nil {
			return nil, 0, err
		}
		x.Kwargs, h = kw.(*Dict), max(h, kh)
	}
	if x.State != nil {
		st, sh, err := d.finish(x.State, depth+1)
		if err != nil {
			return nil, 0, err
		}
		x.State, h = st, max(h, sh)
	}
	lh, err := d.finishAll(x.ListItems, depth+1)
	if err != nil {
		return nil, 0, err
	}
	h = max(h, lh)
	for i := range x.DictItems {
		k, kh, err := d.finish(x.DictItems[i].Key, depth+1)
		if err != nil {
			return nil, 0, err
		}
		val, vh, err := d.finish(x.DictItems[i].Value, depth+1)
		if err != nil {
			return nil, 0, err
		}
		x.DictItems[i] = Item{Key: k, Value: val}
		h = max(h, kh, vh)
	}
	if u, ok := pkUUID(x); ok {
		d.converted = true
		return u, h, nil
	}
	return x, h, nil
}

// finishTZ finishes the object of a TZOther tzinfo.
func (d *pickleDecoder) finishTZ(tz *TZInfo, depth int) (Value, int, error) {
	v, h, err := d.finish(tz.Raw, depth)
	if err != nil {
		return nil, 0, err
	}
	if o, ok := v.(*Object); ok {
		tz.Raw = o
	}
	return v, h, nil
}
