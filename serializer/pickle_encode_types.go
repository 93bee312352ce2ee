package serializer

import (
	"fmt"
	"math/big"
	"strings"
	"time"
)

// Globals, and the types CPython pickles through __reduce__: the datetime
// family, tzinfos, Decimal, UUID and opaque objects.

// saveGlobal writes a reference to a class or function, as save_global:
// STACK_GLOBAL (protocol 4+) or GLOBAL, memoized; a dotted name below
// protocol 4 as getattr(parent, "last").
func (e *pickleEncoder) saveGlobal(module, name string) error {
	e.boundary()
	var g pkGlobalName
	if e.proto < 3 {
		g = pkPython2Name(module, name)
	} else {
		g = pkPython3Name(module, name)
	}
	key := &pkMemoKey{ns: pkNSGlobal, a: g.module, b: g.name}
	if e.memoGet(key) {
		return nil
	}
	if g.module == "" || g.name == "" {
		return pkUnsupported("empty global name %q %q", module, name)
	}
	switch {
	case e.proto >= 4:
		if !pkValidStr(g.module) || !pkValidStr(g.name) {
			return pkUnsupported("global name is not UTF-8")
		}
		// The module name is one str object per module in CPython, except
		// that builtins' functions carry another one than its types.
		family := ""
		if pkIsGetattr(g.module, g.name) {
			family = "function"
		}
		e.boundary()
		if key := (&pkMemoKey{ns: pkNSModule, a: g.module, b: family}); !e.memoGet(key) {
			e.writeStrData(g.module)
			e.memoPut(key)
		}
		e.boundary()
		e.writeStrData(g.name)
		e.memoPut(nil)
		e.write(pkStackGlobal)
	case strings.Contains(g.name, "."):
		i := strings.LastIndexByte(g.name, '.')
		parent, last := g.name[:i], g.name[i+1:]
		if parent == "" || last == "" {
			return pkUnsupported("bad global name %q", g.name)
		}
		if err := e.saveGlobal("builtins", "getattr"); err != nil {
			return err
		}
		e.boundary()
		if err := e.saveGlobal(g.module, parent); err != nil {
			return err
		}
		if err := e.saveNewStr(last); err != nil {
			return err
		}
		e.write(pkTuple2)
		e.memoPut(nil)
		e.write(pkReduce)
	default:
		for _, s := range []string{g.module, g.name} {
			if strings.ContainsAny(s, "\n\r") || !pkValidStr(s) || e.proto < 3 && !pkASCII(s) {
				return pkUnsupported("global name %q cannot be written at protocol %d", s, e.proto)
			}
		}
		e.write(pkGlobal)
		e.writeString(g.module)
		e.write('\n')
		e.writeString(g.name)
		e.write('\n')
	}
	e.memoPut(key)
	return nil
}

func pkASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// saveReduceArgs writes callable(*args) as save_reduce does with a global
// callable, and memoizes the result under key.
func (e *pickleEncoder) saveReduce(module, name string, args func() error, key *pkMemoKey) error {
	if err := e.saveGlobal(module, name); err != nil {
		return err
	}
	e.boundary()
	if err := args(); err != nil {
		return err
	}
	e.write(pkReduce)
	e.memoPut(key)
	return nil
}

// saveArgs writes the argument tuple of a reduction (save_tuple, with the
// boundary of its own save() already passed).
func (e *pickleEncoder) saveArgs(items ...func() error) error {
	if len(items) == 0 {
		e.write(pkEmptyTuple)
		return nil
	}
	if len(items) > 3 {
		e.write(pkMark)
	}
	for _, f := range items {
		if err := f(); err != nil {
			return err
		}
	}
	if len(items) > 3 {
		e.write(pkTuple)
	} else {
		e.write(pkTuple1 + byte(len(items)-1))
	}
	e.memoPut(nil)
	return nil
}

func (e *pickleEncoder) intArg(n int64) func() error {
	return func() error { e.boundary(); e.saveInt(n); return nil }
}

func (e *pickleEncoder) strArg(s string) func() error {
	return func() error { return e.saveNewStr(s) }
}

// freshStrArg writes a str that is a new object even when it has one
// character (Decimal's str() builds its result from scratch).
func (e *pickleEncoder) freshStrArg(s string) func() error {
	return func() error {
		e.boundary()
		e.writeStrData(s)
		e.memoPut(nil)
		return nil
	}
}

func (e *pickleEncoder) valueArg(v Value) func() error {
	return func() error { return e.save(v) }
}

// stateArg writes the state bytes of a datetime, date or time: a new bytes
// object.
func (e *pickleEncoder) stateArg(b []byte) func() error {
	return func() error { e.boundary(); return e.saveBytes(string(b), true, nil) }
}

func (e *pickleEncoder) tzArgs(tz *TZInfo, state []byte) []func() error {
	args := []func() error{e.stateArg(state)}
	if tz != nil {
		args = append(args, func() error { return e.saveTZ(tz) })
	}
	return args
}

func (e *pickleEncoder) saveDateTime(dt DateTime) error {
	if !pkValidDate(dt.Year, dt.Month, dt.Day) || !pkValidClock(dt.Hour, dt.Minute, dt.Second, dt.Microsecond) || dt.Fold&^1 != 0 {
		return pkUnsupported("invalid datetime %d-%d-%d %d:%d:%d.%d fold=%d", dt.Year, dt.Month, dt.Day, dt.Hour, dt.Minute, dt.Second, dt.Microsecond, dt.Fold)
	}
	us := dt.Microsecond
	st := []byte{byte(dt.Year >> 8), byte(dt.Year), byte(dt.Month), byte(dt.Day), byte(dt.Hour), byte(dt.Minute), byte(dt.Second), byte(us >> 16), byte(us >> 8), byte(us)}
	if dt.Fold == 1 && e.proto > 3 {
		st[2] |= 0x80
	}
	return e.saveReduce("datetime", "datetime", func() error { return e.saveArgs(e.tzArgs(dt.TZ, st)...) }, nil)
}

func (e *pickleEncoder) saveDate(d Date) error {
	if !pkValidDate(d.Year, d.Month, d.Day) {
		return pkUnsupported("invalid date %d-%d-%d", d.Year, d.Month, d.Day)
	}
	st := []byte{byte(d.Year >> 8), byte(d.Year), byte(d.Month), byte(d.Day)}
	return e.saveReduce("datetime", "date", func() error { return e.saveArgs(e.stateArg(st)) }, nil)
}

func (e *pickleEncoder) saveTime(t Time) error {
	if !pkValidClock(t.Hour, t.Minute, t.Second, t.Microsecond) || t.Fold&^1 != 0 {
		return pkUnsupported("invalid time %d:%d:%d.%d fold=%d", t.Hour, t.Minute, t.Second, t.Microsecond, t.Fold)
	}
	us := t.Microsecond
	st := []byte{byte(t.Hour), byte(t.Minute), byte(t.Second), byte(us >> 16), byte(us >> 8), byte(us)}
	if t.Fold == 1 && e.proto > 3 {
		st[0] |= 0x80
	}
	return e.saveReduce("datetime", "time", func() error { return e.saveArgs(e.tzArgs(t.TZ, st)...) }, nil)
}

func (e *pickleEncoder) saveTimeDelta(td TimeDelta) error {
	n, ok := pkNormTimeDeltaInt(td)
	if !ok {
		return pkUnsupported("timedelta out of range: %+v", td)
	}
	return e.saveReduce("datetime", "timedelta", func() error {
		return e.saveArgs(e.intArg(n.Days), e.intArg(n.Seconds), e.intArg(n.Microseconds))
	}, nil)
}

// pkNormTimeDeltaInt normalizes a TimeDelta whose fields may be out of their
// usual ranges.
func pkNormTimeDeltaInt(td TimeDelta) (TimeDelta, bool) {
	if td.Seconds >= 0 && td.Seconds < 86400 && td.Microseconds >= 0 && td.Microseconds < 1000000 &&
		td.Days >= -999999999 && td.Days <= 999999999 {
		return td, true
	}
	return pkNormTimeDelta(bigOf(td.Days), bigOf(td.Seconds), bigOf(td.Microseconds))
}

func (e *pickleEncoder) saveDecimal(d Decimal) error {
	if !pkDecimalValid(string(d)) {
		return pkUnsupported("invalid decimal %q", string(d))
	}
	return e.saveReduce("decimal", "Decimal", func() error { return e.saveArgs(e.freshStrArg(string(d))) }, nil)
}

// saveUUID writes uuid.UUID as object.__reduce_ex__ makes CPython write it:
// NEWOBJ with no arguments, then BUILD with the state {"int": n}.
func (e *pickleEncoder) saveUUID(u UUID) error {
	if err := e.saveGlobal("uuid", "UUID"); err != nil {
		return err
	}
	e.boundary()
	e.write(pkEmptyTuple, pkNewObj)
	e.memoPut(nil)
	e.boundary()
	e.write(pkEmptyDict)
	e.memoPut(nil)
	e.saveConstStr(pkNSConst, "int")
	e.boundary()
	var n [17]byte // little-endian, with room for a sign byte
	for i := 0; i < 16; i++ {
		n[i] = u[15-i]
	}
	hi := uint64(0)
	for i := 8; i < 16; i++ {
		hi |= uint64(n[i]) << (8 * (i - 8))
	}
	lo := uint64(0)
	for i := 0; i < 8; i++ {
		lo |= uint64(n[i]) << (8 * i)
	}
	if hi == 0 && lo < 1<<63 {
		e.saveInt(int64(lo))
	} else {
		size := 17
		for size > 1 && n[size-1] == 0 && n[size-2]&0x80 == 0 {
			size--
		}
		e.saveLong(n[:size])
	}
	e.write(pkSetItem, pkBuild)
	return nil
}

// pkStaticPytzZones are the pytz zones without transitions (StaticTzInfo),
// which pytz pickles by name only.
func pkStaticPytzZone(name string) bool {
	if strings.HasPrefix(name, "Etc/") {
		return true
	}
	switch name {
	case "EST", "MST", "HST", "GMT", "GMT+0", "GMT-0", "GMT0", "Greenwich", "UCT", "Universal", "Zulu":
		return true
	}
	return false
}

// pkSeconds returns a whole number of seconds strictly inside ±1 day.
func pkSeconds(d time.Duration) (int64, bool) {
	if d%time.Second != 0 || d <= -24*time.Hour || d >= 24*time.Hour {
		return 0, false
	}
	return int64(d / time.Second), true
}

// saveTZ writes a datetime's or time's tzinfo.
func (e *pickleEncoder) saveTZ(tz *TZInfo) error {
	e.boundary()
	var key *pkMemoKey
	switch {
	case tz.Kind == TZFixed && tz.Offset == 0 && tz.Name == "":
		key = &pkMemoKey{ns: pkNSUTC}
	case tz.Kind == TZPytzUTC:
		key = &pkMemoKey{ns: pkNSPytzUTC}
	case tz.Kind == TZPytz:
		key = &pkMemoKey{ns: pkNSPytz, a: tz.Name, b: tz.Abbrev, n: int64(tz.Offset), m: int64(tz.DST)}
	case tz.Kind == TZZoneInfo:
		key = &pkMemoKey{ns: pkNSZoneInfo, a: tz.Name}
	case tz.Kind == TZOther:
		if tz.Raw == nil {
			return pkUnsupported("tzinfo of kind other without its object")
		}
		return e.saveObject(tz.Raw)
	default:
		key = &pkMemoKey{ns: pkNSPtr, p: tz}
	}
	if e.memoGet(key) {
		return nil
	}
	switch tz.Kind {
	case TZFixed:
		if tz.Offset <= -24*time.Hour || tz.Offset >= 24*time.Hour || tz.Offset%time.Microsecond != 0 {
			return pkUnsupported("timezone offset %v", tz.Offset)
		}
		us := int64(tz.Offset / time.Microsecond)
		td := TimeDelta{Days: floorDivInt(us, 86400e6)}
		rem := us - td.Days*86400e6
		td.Seconds, td.Microseconds = rem/1e6, rem%1e6
		args := []func() error{e.valueArg(td)}
		if tz.Name != "" {
			args = append(args, e.strArg(tz.Name))
		}
		return e.saveReduce("datetime", "timezone", func() error { return e.saveArgs(args...) }, key)
	case TZPytzUTC:
		return e.saveReduce("pytz", "_UTC", func() error { return e.saveArgs() }, key)
	case TZPytz:
		if tz.Name == "" {
			return pkUnsupported("pytz zone without a name")
		}
		zone := func() error { e.saveConstStr(pkNSPytzZone, tz.Name); return nil }
		if tz.Abbrev == "" && tz.Offset == 0 && tz.DST == 0 || pkStaticPytzZone(tz.Name) {
			return e.saveReduce("pytz", "_p", func() error { return e.saveArgs(zone) }, key)
		}
		off, ok1 := pkSeconds(tz.Offset)
		dst, ok2 := pkSeconds(tz.DST)
		if !ok1 || !ok2 || tz.Abbrev == "" {
			return pkUnsupported("pytz zone %s with offset %v, dst %v, abbreviation %q", tz.Name, tz.Offset, tz.DST, tz.Abbrev)
		}
		return e.saveReduce("pytz", "_p", func() error {
			return e.saveArgs(zone, e.intArg(off), e.intArg(dst), e.strArg(tz.Abbrev))
		}, key)
	case TZZoneInfo:
		if tz.Name == "" {
			return pkUnsupported("zoneinfo zone without a key")
		}
		// ZoneInfo.__reduce__ returns the bound classmethod _unpickle,
		// which pickles as getattr(ZoneInfo, "_unpickle") at every protocol.
		if err := e.saveGlobal("builtins", "getattr"); err != nil {
			return err
		}
		e.boundary()
		if err := e.saveArgs(func() error { return e.saveGlobal("zoneinfo", "ZoneInfo") }, e.strArg("_unpickle")); err != nil {
			return err
		}
		e.write(pkReduce)
		e.memoPut(nil)
		e.boundary()
		if err := e.saveArgs(e.strArg(tz.Name), e.intArg(1)); err != nil {
			return err
		}
		e.write(pkReduce)
		e.memoPut(key)
		return nil
	}
	return pkUnsupported("tzinfo kind %d", tz.Kind)
}

func floorDivInt(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// saveObject writes an opaque object back the way it was read.
func (e *pickleEncoder) saveObject(o *Object) error {
	if o.Build == BuildGlobal {
		if err := e.checkGlobal(o.Module, o.Name); err != nil {
			return err
		}
		return e.saveGlobal(o.Module, o.Name)
	}
	key := &pkMemoKey{ns: pkNSPtr, p: o}
	if e.memoGet(key) {
		return nil
	}
	if err := e.checkGlobal(o.Module, o.Name); err != nil {
		return err
	}
	if e.onStack[o] {
		return pkUnsupported("a %s object that contains itself", o.QualName())
	}
	if e.onStack == nil {
		e.onStack = make(map[*Object]bool)
	}
	e.onStack[o] = true
	defer delete(e.onStack, o)
	if err := e.enter(); err != nil {
		return err
	}
	defer e.leave()
	switch o.Build {
	case BuildReduce, BuildNewObj, BuildNewObjEx:
		if err := e.saveGlobal(o.Module, o.Name); err != nil {
			return err
		}
		// The arguments are not a level of nesting: Unmarshal counts the
		// object's arguments as its direct children.
		e.depth--
		err := e.saveTupleValue(o.Args)
		e.depth++
		if err != nil {
			return err
		}
		switch o.Build {
		case BuildReduce:
			e.write(pkReduce)
		case BuildNewObj:
			e.write(pkNewObj)
		default:
			if e.proto < 4 {
				return pkUnsupported("%s built with NEWOBJ_EX needs protocol 4", o.QualName())
			}
			kw := o.Kwargs
			if kw == nil {
				kw = &Dict{}
			}
			if err := e.save(kw); err != nil {
				return err
			}
			e.write(pkNewObjEx)
		}
	case BuildInst:
		e.write(pkMark)
		if err := e.saveGlobal(o.Module, o.Name); err != nil {
			return err
		}
		for _, a := range o.Args {
			if err := e.save(a); err != nil {
				return err
			}
		}
		e.write(pkObj)
	default:
		return pkUnsupported("object build %d", o.Build)
	}
	e.memoPut(key)
	if err := e.batchList(o.ListItems); err != nil {
		return err
	}
	if err := e.batchDict(o.DictItems); err != nil {
		return err
	}
	if o.State != nil {
		if err := e.save(o.State); err != nil {
			return err
		}
		e.write(pkBuild)
	}
	return nil
}

func (e *pickleEncoder) saveTupleValue(t Tuple) error {
	if t == nil {
		t = Tuple{}
	}
	return e.save(t)
}

func (e *pickleEncoder) checkGlobal(module, name string) error {
	if pkModeled(pkPython3Name(module, name)) && !pkIsGetattr(module, name) || e.p.allowed(module, name) {
		return nil
	}
	return pkForbidden(module, name)
}

func pkIsGetattr(module, name string) bool {
	return pkPython3Name(module, name) == pkGlobalName{"builtins", "getattr"}
}

func pkForbidden(module, name string) error {
	return fmt.Errorf("%w: %s.%s", ErrForbiddenGlobal, module, name)
}

func bigOf(n int64) *big.Int { return big.NewInt(n) }
