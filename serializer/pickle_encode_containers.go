package serializer

// Writing lists, tuples, sets, frozensets and dicts as CPython's
// save_list, save_tuple, save_set, save_frozenset and save_dict do.

// saveList writes a list: EMPTY_LIST, then its items.
func (e *pickleEncoder) saveList(l List, key *pkMemoKey) error {
	if e.memoGetKey(key) {
		return nil
	}
	if err := e.enter(); err != nil {
		return err
	}
	defer e.leave()
	e.write(pkEmptyList)
	e.memoPut(key)
	return e.batchListExact(l)
}

// batchListExact is CPython's batch_list_exact: APPEND for one item, else
// MARK ... APPENDS per 1000.
func (e *pickleEncoder) batchListExact(l []Value) error {
	if len(l) == 0 {
		return nil
	}
	if len(l) == 1 {
		if err := e.save(l[0]); err != nil {
			return err
		}
		e.write(pkAppend)
		return nil
	}
	for i := 0; i < len(l); {
		e.write(pkMark)
		for n := 0; n < pkBatchSize && i < len(l); n, i = n+1, i+1 {
			if err := e.save(l[i]); err != nil {
				return err
			}
		}
		e.write(pkAppends)
	}
	return nil
}

// batchList is CPython's batch_list, for an iterator (an object's
// listitems): APPEND for a lone item in a batch.
func (e *pickleEncoder) batchList(l []Value) error {
	for i := 0; i < len(l); {
		if len(l)-i == 1 {
			if err := e.save(l[i]); err != nil {
				return err
			}
			e.write(pkAppend)
			return nil
		}
		e.write(pkMark)
		for n := 0; n < pkBatchSize && i < len(l); n, i = n+1, i+1 {
			if err := e.save(l[i]); err != nil {
				return err
			}
		}
		e.write(pkAppends)
	}
	return nil
}

func (e *pickleEncoder) saveTuple(t Tuple, key *pkMemoKey) error {
	if len(t) == 0 {
		e.write(pkEmptyTuple)
		return nil
	}
	if e.memoGetKey(key) {
		return nil
	}
	if err := e.enter(); err != nil {
		return err
	}
	defer e.leave()
	if len(t) <= 3 {
		for _, x := range t {
			if err := e.save(x); err != nil {
				return err
			}
		}
		e.write(pkTuple1 + byte(len(t)-1))
	} else {
		e.write(pkMark)
		for _, x := range t {
			if err := e.save(x); err != nil {
				return err
			}
		}
		e.write(pkTuple)
	}
	if key != nil && e.memoLookup(key) >= 0 {
		// The tuple contains itself (through a list): CPython drops what
		// it pushed and fetches the tuple from the memo.
		if len(t) <= 3 {
			e.buf = e.buf[:len(e.buf)-1]
			for range t {
				e.write(pkPop)
			}
		} else {
			e.buf[len(e.buf)-1] = pkPopMark
		}
		e.memoGetKey(key)
		return nil
	}
	e.memoPut(key)
	return nil
}

// saveSet writes a set (EMPTY_SET and ADDITEMS batches) or frozenset (MARK
// ... FROZENSET); below protocol 4, set(list) and frozenset(list) reduced.
func (e *pickleEncoder) saveSet(items []Value, frozen bool, key *pkMemoKey) error {
	if e.memoGetKey(key) {
		return nil
	}
	if err := e.enter(); err != nil {
		return err
	}
	defer e.leave()
	if e.proto < 4 {
		name := "set"
		if frozen {
			name = "frozenset"
		}
		if err := e.saveGlobal("builtins", name); err != nil {
			return err
		}
		e.boundary() // save(args)
		e.boundary() // save(list)
		e.write(pkEmptyList)
		e.memoPut(nil)
		if err := e.batchListExact(items); err != nil {
			return err
		}
		e.write(pkTuple1)
		e.memoPut(nil)
		e.write(pkReduce)
		e.memoPut(key)
		return nil
	}
	if frozen {
		e.write(pkMark)
		for _, x := range items {
			if err := e.save(x); err != nil {
				return err
			}
		}
		e.write(pkFrozenSet)
		e.memoPut(key)
		return nil
	}
	e.write(pkEmptySet)
	e.memoPut(key)
	if len(items) == 0 {
		return nil
	}
	// As batch_dict_exact, a full last batch is followed by an empty one.
	for i := 0; ; {
		e.write(pkMark)
		n := 0
		for ; n < pkBatchSize && i < len(items); n, i = n+1, i+1 {
			if err := e.save(items[i]); err != nil {
				return err
			}
		}
		e.write(pkAddItems)
		if n < pkBatchSize {
			return nil
		}
	}
}

// saveDict writes a dict (EMPTY_DICT, then SETITEM or SETITEMS batches) or an
// OrderedDict (reduced, then its items).
func (e *pickleEncoder) saveDict(d *Dict) error {
	var key *pkMemoKey
	if d != nil {
		key = &pkMemoKey{ns: pkNSPtr, p: d}
		if e.memoGet(key) {
			return nil
		}
	}
	if err := e.enter(); err != nil {
		return err
	}
	defer e.leave()
	items := d.Items()
	if d != nil && d.OrderedDict {
		if err := e.saveGlobal("collections", "OrderedDict"); err != nil {
			return err
		}
		e.boundary()
		e.write(pkEmptyTuple, pkReduce)
		e.memoPut(key)
		return e.batchDict(items)
	}
	e.write(pkEmptyDict)
	e.memoPut(key)
	if len(items) == 0 {
		return nil
	}
	if len(items) == 1 {
		if err := e.saveItem(items[0]); err != nil {
			return err
		}
		e.write(pkSetItem)
		return nil
	}
	for i := 0; ; {
		e.write(pkMark)
		n := 0
		for ; n < pkBatchSize && i < len(items); n, i = n+1, i+1 {
			if err := e.saveItem(items[i]); err != nil {
				return err
			}
		}
		e.write(pkSetItems)
		if n < pkBatchSize {
			return nil
		}
	}
}

// batchDict is CPython's batch_dict, for an iterator of items (an
// OrderedDict's, an object's dictitems).
func (e *pickleEncoder) batchDict(items []Item) error {
	for i := 0; i < len(items); {
		if len(items)-i == 1 {
			if err := e.saveItem(items[i]); err != nil {
				return err
			}
			e.write(pkSetItem)
			return nil
		}
		e.write(pkMark)
		for n := 0; n < pkBatchSize && i < len(items); n, i = n+1, i+1 {
			if err := e.saveItem(items[i]); err != nil {
				return err
			}
		}
		e.write(pkSetItems)
	}
	return nil
}

func (e *pickleEncoder) saveItem(it Item) error {
	if k, ok := it.Key.(Str); ok {
		e.boundary()
		if err := e.saveStr(string(k), true); err != nil {
			return err
		}
	} else if err := e.save(it.Key); err != nil {
		return err
	}
	return e.save(it.Value)
}
