package serializer

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Globals, REDUCE, NEWOBJ and BUILD: where the classes Pickle models become
// values and everything else becomes an opaque *Object. Nothing is called.

// pkModeled reports whether g (a Python 3 name) is a global Pickle models,
// which the global policy is not asked about.
func pkModeled(g pkGlobalName) bool {
	switch g.module {
	case "builtins":
		switch g.name {
		case "set", "frozenset", "bytes", "bytearray", "getattr":
			return true
		}
	case "_codecs":
		return g.name == "encode"
	case "copyreg":
		return g.name == "_reconstructor"
	case "collections":
		return g.name == "OrderedDict"
	case "datetime":
		switch g.name {
		case "datetime", "date", "time", "timedelta", "timezone":
			return true
		}
	case "decimal":
		return g.name == "Decimal"
	case "uuid":
		return g.name == "UUID" || g.name == "SafeUUID"
	case "pytz":
		return g.name == "_UTC" || g.name == "_p"
	case "zoneinfo":
		return g.name == "ZoneInfo" || g.name == "ZoneInfo._unpickle"
	}
	return false
}

// global returns the class or function reference that GLOBAL, STACK_GLOBAL
// and INST name, after the policy check, under its Python 3 name (as
// CPython's unpickler finds Python 2 globals).
func (d *pickleDecoder) global(module, name string) (*Object, error) {
	if module == "" || name == "" {
		return nil, d.errorf("empty global name %q %q", module, name)
	}
	g := pkPython3Name(module, name)
	if !pkModeled(g) && !d.p.allowed(module, name) {
		return nil, fmt.Errorf("%w: %s.%s at offset %d", ErrForbiddenGlobal, module, name, d.opPos)
	}
	return &Object{Module: g.module, Name: g.name, Build: BuildGlobal}, nil
}

func pkIsGlobal(v Value, module, name string) bool {
	o, ok := v.(*Object)
	return ok && o.Build == BuildGlobal && pkPython3Name(o.Module, o.Name) == pkGlobalName{module, name}
}

// reduceOp is REDUCE: callable(*args).
func (d *pickleDecoder) reduceOp() error {
	argsV, err := d.pop()
	if err != nil {
		return err
	}
	callable, err := d.pop()
	if err != nil {
		return err
	}
	args, ok := argsV.(Tuple)
	if !ok {
		return d.errorf("REDUCE arguments must be a tuple, not %s", pkTypeName(argsV))
	}
	fn, ok := callable.(*Object)
	if !ok {
		return d.errorf("REDUCE of a %s, which is not callable", pkTypeName(callable))
	}
	if fn.Build != BuildGlobal {
		return d.unsupported("REDUCE of a %s object: only globals are called", fn.QualName())
	}
	v, err := d.reduce(fn, args)
	if err != nil {
		return err
	}
	return d.push(v)
}

func (d *pickleDecoder) reduce(fn *Object, args Tuple) (Value, error) {
	g := pkPython3Name(fn.Module, fn.Name)
	switch g.module {
	case "builtins":
		switch g.name {
		case "getattr":
			return d.getattrGlobal(args)
		case "set":
			s, err := d.setFromArgs("set", args)
			if err != nil {
				return nil, err
			}
			return s, nil
		case "frozenset":
			s, err := d.setFromArgs("frozenset", args)
			if err != nil {
				return nil, err
			}
			return FrozenSet(s.items), nil
		case "bytes":
			b, err := d.bytesFromArgs("bytes", args)
			if err != nil {
				return nil, err
			}
			return Bytes(b), nil
		case "bytearray":
			b, err := d.bytesFromArgs("bytearray", args)
			if err != nil {
				return nil, err
			}
			return ByteArray(b), nil
		}
	case "_codecs":
		if g.name == "encode" {
			b, err := d.codecsEncode(args)
			if err != nil {
				return nil, err
			}
			return Bytes(b), nil
		}
	case "copyreg":
		if g.name == "_reconstructor" && len(args) == 3 && pkIsGlobal(args[0], "uuid", "UUID") &&
			pkIsGlobal(args[1], "builtins", "object") && args[2] == (None{}) {
			// What protocols 0 and 1 write for a UUID; written back as
			// protocol 2's NEWOBJ, which builds the same object.
			cls := args[0].(*Object)
			return &Object{Module: cls.Module, Name: cls.Name, Build: BuildNewObj, Args: Tuple{}}, nil
		}
	case "collections":
		if g.name == "OrderedDict" {
			return d.orderedDict(args)
		}
	case "datetime":
		switch g.name {
		case "datetime":
			return d.reduceDateTime(args)
		case "date":
			return d.reduceDate(args)
		case "time":
			return d.reduceTime(args)
		case "timedelta":
			return d.reduceTimeDelta(args)
		}
	case "decimal":
		if g.name == "Decimal" && len(args) == 1 {
			if s, ok := args[0].(Str); ok && pkDecimalCanonical(string(s)) {
				return Decimal(s), nil
			}
		}
	}
	return &Object{Module: fn.Module, Name: fn.Name, Build: BuildReduce, Args: args}, nil
}

// getattrGlobal is getattr(cls, "name") with cls a global: the dotted global
// "cls.name" (how pickle refers to a classmethod such as
// zoneinfo.ZoneInfo._unpickle). getattr of anything else is refused.
func (d *pickleDecoder) getattrGlobal(args Tuple) (Value, error) {
	if len(args) == 2 {
		parent, ok1 := args[0].(*Object)
		attr, ok2 := args[1].(Str)
		if ok1 && ok2 && parent.Build == BuildGlobal && attr != "" && !strings.Contains(string(attr), ".") {
			return d.global(parent.Module, parent.Name+"."+string(attr))
		}
	}
	return nil, fmt.Errorf("%w: getattr(%s) at offset %d", ErrForbiddenGlobal, pkArgTypes(args), d.opPos)
}

func pkArgTypes(args Tuple) string {
	names := make([]string, len(args))
	for i, a := range args {
		names[i] = pkTypeName(a)
	}
	return strings.Join(names, ", ")
}

// pkIterItems returns the items of a list, tuple, set or frozenset argument.
func pkIterItems(v Value) ([]Value, bool) {
	switch v := v.(type) {
	case *pkListNode:
		return v.items, true
	case Tuple:
		return v, true
	case List:
		return v, true
	case FrozenSet:
		return v, true
	case *pkSetNode:
		return v.items, true
	}
	return nil, false
}

// setFromArgs is set(), set(iterable) and the same for frozenset.
func (d *pickleDecoder) setFromArgs(what string, args Tuple) (*pkSetNode, error) {
	s := &pkSetNode{}
	switch len(args) {
	case 0:
		return s, nil
	case 1:
		items, ok := pkIterItems(args[0])
		if !ok {
			break
		}
		s.items = make([]Value, 0, len(items))
		for _, it := range items {
			if err := d.setAdd(s, it); err != nil {
				return nil, err
			}
		}
		return s, nil
	}
	return nil, d.unsupported("%s(%s)", what, pkArgTypes(args))
}

// bytesFromArgs is bytes() or bytearray() of nothing, of bytes, of a str and
// an encoding (how protocol 2 writes a bytearray), or of a list of ints.
func (d *pickleDecoder) bytesFromArgs(what string, args Tuple) ([]byte, error) {
	switch len(args) {
	case 0:
		return []byte{}, nil
	case 1:
		switch a := args[0].(type) {
		case Bytes:
			return append([]byte{}, a...), nil
		case ByteArray:
			return append([]byte{}, a...), nil
		}
		if items, ok := pkIterItems(args[0]); ok {
			b := make([]byte, len(items))
			for i, it := range items {
				n, ok := it.(Int)
				if !ok || n < 0 || n > 255 {
					return nil, d.errorf("%s() of a list that is not of bytes", what)
				}
				b[i] = byte(n)
			}
			return b, nil
		}
	case 2:
		if _, ok := args[0].(Str); ok {
			return d.codecsEncode(args)
		}
	}
	return nil, d.unsupported("%s(%s)", what, pkArgTypes(args))
}

// codecsEncode is _codecs.encode(str[, encoding]): protocol 2's way of
// writing bytes (with "latin1"), for the encodings it needs.
func (d *pickleDecoder) codecsEncode(args Tuple) ([]byte, error) {
	if len(args) < 1 || len(args) > 2 {
		return nil, d.unsupported("_codecs.encode(%s)", pkArgTypes(args))
	}
	s, ok := args[0].(Str)
	if !ok {
		return nil, d.errorf("_codecs.encode of a %s", pkTypeName(args[0]))
	}
	enc := "utf-8"
	if len(args) == 2 {
		e, ok := args[1].(Str)
		if !ok {
			return nil, d.errorf("_codecs.encode with an encoding that is a %s", pkTypeName(args[1]))
		}
		enc = strings.ReplaceAll(strings.ToLower(string(e)), "_", "-")
	}
	var limit rune
	switch enc {
	case "latin1", "latin-1", "iso-8859-1", "iso8859-1", "8859", "cp819", "l1", "latin":
		limit = 0xFF
	case "ascii", "us-ascii", "646":
		limit = 0x7F
	case "utf-8", "utf8", "u8":
		if !utf8ValidNoSurrogates(string(s)) {
			return nil, d.errorf("_codecs.encode: str with surrogates is not valid utf-8")
		}
		return []byte(s), nil
	default:
		return nil, d.unsupported("_codecs.encode with encoding %q", enc)
	}
	b := make([]byte, 0, len(s))
	for _, r := range pkCodePoints(string(s)) {
		if r > limit {
			return nil, d.errorf("_codecs.encode: character U+%04X is not in %s", r, enc)
		}
		b = append(b, byte(r))
	}
	return b, nil
}

func utf8ValidNoSurrogates(s string) bool {
	for _, r := range pkCodePoints(s) {
		if r >= 0xD800 && r <= 0xDFFF {
			return false
		}
	}
	return true
}

// pkCodePoints returns the code points of a Str (surrogates included).
func pkCodePoints(s string) []rune {
	out := make([]rune, 0, len(s))
	for i := 0; i < len(s); {
		c := s[i]
		if c < 0x80 {
			out = append(out, rune(c))
			i++
			continue
		}
		if c == 0xED && i+2 < len(s) && s[i+1] >= 0xA0 {
			out = append(out, rune(c&0x0F)<<12|rune(s[i+1]&0x3F)<<6|rune(s[i+2]&0x3F))
			i += 3
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		out = append(out, r)
		i += size
	}
	return out
}

// orderedDict is collections.OrderedDict() (protocol 2+ writes the items
// with SETITEMS afterwards) or OrderedDict([[k, v], ...]) (Python 2).
func (d *pickleDecoder) orderedDict(args Tuple) (Value, error) {
	od := &Dict{OrderedDict: true}
	if len(args) == 0 {
		return od, nil
	}
	if len(args) == 1 {
		if src, ok := args[0].(*Dict); ok {
			for _, it := range src.items {
				if err := d.dictSet(od, it.Key, it.Value); err != nil {
					return nil, err
				}
			}
			return od, nil
		}
		if pairs, ok := pkIterItems(args[0]); ok {
			for _, p := range pairs {
				kv, ok := pkIterItems(p)
				if !ok || len(kv) != 2 {
					return nil, d.errorf("OrderedDict() of a sequence that is not of pairs")
				}
				if err := d.dictSet(od, kv[0], kv[1]); err != nil {
					return nil, err
				}
			}
			return od, nil
		}
	}
	return nil, d.unsupported("collections.OrderedDict(%s)", pkArgTypes(args))
}

// newObjOp is NEWOBJ (cls.__new__(cls, *args)) and NEWOBJ_EX (with kwargs).
func (d *pickleDecoder) newObjOp(ex bool) error {
	var kwargs *Dict
	if ex {
		kw, err := d.pop()
		if err != nil {
			return err
		}
		if kwargs, _ = kw.(*Dict); kwargs == nil {
			return d.errorf("NEWOBJ_EX keyword arguments must be a dict, not %s", pkTypeName(kw))
		}
	}
	argsV, err := d.pop()
	if err != nil {
		return err
	}
	clsV, err := d.pop()
	if err != nil {
		return err
	}
	args, ok := argsV.(Tuple)
	if !ok {
		return d.errorf("NEWOBJ arguments must be a tuple, not %s", pkTypeName(argsV))
	}
	cls, ok := clsV.(*Object)
	if !ok || cls.Build != BuildGlobal {
		return d.errorf("NEWOBJ of a %s, not a class", pkTypeName(clsV))
	}
	o := &Object{Module: cls.Module, Name: cls.Name, Build: BuildNewObj, Args: args}
	if ex {
		o.Build, o.Kwargs = BuildNewObjEx, kwargs
	}
	return d.push(o)
}

// build is BUILD: the state of an opaque object.
func (d *pickleDecoder) build(inst, state Value) error {
	o, ok := inst.(*Object)
	if !ok || o.Build == BuildGlobal {
		return d.unsupported("BUILD on a %s", pkTypeName(inst))
	}
	if o.State != nil {
		return d.unsupported("a second BUILD on one %s object", o.QualName())
	}
	o.State = state
	return nil
}

// pkUUID returns the UUID an opaque uuid.UUID object stands for: NEWOBJ
// with no arguments and the state {"int": n} (plus "is_safe", which is
// dropped).
func pkUUID(o *Object) (UUID, bool) {
	var u UUID
	if o.Build != BuildNewObj || len(o.Args) != 0 || o.Kwargs != nil || o.ListItems != nil || o.DictItems != nil ||
		pkPython3Name(o.Module, o.Name) != (pkGlobalName{"uuid", "UUID"}) {
		return u, false
	}
	st, ok := o.State.(*Dict)
	if !ok {
		return u, false
	}
	found := false
	for _, it := range st.items {
		k, ok := it.Key.(Str)
		if !ok {
			return u, false
		}
		switch k {
		case "int":
			b, ok := pkUint128(it.Value)
			if !ok {
				return u, false
			}
			u, found = b, true
		case "is_safe":
			switch v := it.Value.(type) {
			case None:
			case Int:
				if v != 0 && v != -1 {
					return u, false
				}
			case *Object:
				if pkPython3Name(v.Module, v.Name) != (pkGlobalName{"uuid", "SafeUUID"}) {
					return u, false
				}
			default:
				return u, false
			}
		default:
			return u, false
		}
	}
	return u, found
}

// pkUint128 returns an int in [0, 2**128) as 16 big-endian bytes.
func pkUint128(v Value) (UUID, bool) {
	var u UUID
	switch n := v.(type) {
	case Int:
		if n < 0 {
			return u, false
		}
		for i := 0; i < 8; i++ {
			u[15-i] = byte(uint64(n) >> (8 * i))
		}
		return u, true
	case BigInt:
		if n.V == nil || n.V.Sign() < 0 || n.V.BitLen() > 128 {
			return u, false
		}
		n.V.FillBytes(u[:])
		return u, true
	}
	return u, false
}
