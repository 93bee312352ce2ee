package serializer

// The pickle machine's containers: APPEND(S), SETITEM(S), DICT, ADDITEMS
// and FROZENSET, with Python's dict and set semantics.

// appendItems is APPEND and APPENDS.
func (d *pickleDecoder) appendItems(target Value, items []Value) error {
	switch t := target.(type) {
	case *pkListNode:
		t.items = append(t.items, items...)
	case *Object:
		if t.Build == BuildGlobal {
			return d.unsupported("APPEND to the global %s", t.QualName())
		}
		t.ListItems = append(t.ListItems, items...)
	default:
		return d.errorf("APPEND to a %s", pkTypeName(target))
	}
	return nil
}

// itemsGuess is the size of the first block of dict items for this input:
// about one item per 24 bytes of pickle (a session's typical density),
// between 4 and 32.
func (d *pickleDecoder) itemsGuess() int {
	return min(max(len(d.s)/24, 4), 32)
}

// setItems is SETITEM, SETITEMS and DICT.
func (d *pickleDecoder) setItems(target Value, kv []Value) error {
	if len(kv)%2 != 0 {
		return d.errorf("odd number of items for SETITEMS")
	}
	switch t := target.(type) {
	case *Dict:
		if len(t.items) == 0 && cap(t.items) < len(kv)/2 {
			t.items = d.boxes.dictItems(len(kv)/2, d.itemsGuess())
		}
		for i := 0; i < len(kv); i += 2 {
			if err := d.dictSet(t, kv[i], kv[i+1]); err != nil {
				return err
			}
		}
	case *Object:
		if t.Build == BuildGlobal {
			return d.unsupported("SETITEM on the global %s", t.QualName())
		}
		for i := 0; i < len(kv); i += 2 {
			t.DictItems = append(t.DictItems, Item{Key: kv[i], Value: kv[i+1]})
		}
	default:
		return d.errorf("SETITEM on a %s", pkTypeName(target))
	}
	return nil
}

// dictSet is d[k] = v. Str keys of small dicts (sessions) skip HashKey's
// allocation; Dict scans such dicts and builds no index.
func (d *pickleDecoder) dictSet(dict *Dict, k, v Value) error {
	if s, ok := k.(Str); ok && len(dict.items) < 16 && dict.index == nil {
		for i := range dict.items {
			if ks, ok := dict.items[i].Key.(Str); ok && ks == s {
				dict.items[i].Value = v
				return nil
			}
		}
		dict.items = append(dict.items, Item{Key: k, Value: v})
		return nil
	}
	if err := dict.Set(k, v); err != nil {
		return d.errorf("dict key: %w", err)
	}
	return nil
}

// addItems is ADDITEMS.
func (d *pickleDecoder) addItems(target Value, items []Value) error {
	s, ok := target.(*pkSetNode)
	if !ok {
		return d.errorf("ADDITEMS to a %s", pkTypeName(target))
	}
	for _, it := range items {
		if err := d.setAdd(s, it); err != nil {
			return err
		}
	}
	return nil
}

// setAdd adds v to s unless an equal element is there.
func (d *pickleDecoder) setAdd(s *pkSetNode, v Value) error {
	hk, err := HashKey(v)
	if err != nil {
		return d.errorf("set element: %w", err)
	}
	const scan = 8
	if s.keys == nil && len(s.items) < scan {
		for _, it := range s.items {
			if h, _ := HashKey(it); h == hk {
				return nil
			}
		}
		s.items = append(s.items, v)
		return nil
	}
	if s.keys == nil {
		s.keys = make(map[string]struct{}, 2*len(s.items))
		for _, it := range s.items {
			h, _ := HashKey(it)
			s.keys[h] = struct{}{}
		}
	}
	if _, ok := s.keys[hk]; ok {
		return nil
	}
	s.keys[hk] = struct{}{}
	s.items = append(s.items, v)
	return nil
}

// frozenSet builds a frozenset of items, dropping repeats.
func (d *pickleDecoder) frozenSet(items []Value) (FrozenSet, error) {
	s := &pkSetNode{items: make([]Value, 0, len(items))}
	for _, it := range items {
		if err := d.setAdd(s, it); err != nil {
			return nil, err
		}
	}
	return FrozenSet(s.items), nil
}
