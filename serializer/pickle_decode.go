package serializer

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/big"
	"sync"
)

// pickleDecoder is the pickle machine: a stack of values, a stack of marks
// and the memo. Lists and sets under construction are *pkListNode and *pkSetNode
// (APPENDS and ADDITEMS mutate them after they were pushed and memoized);
// dicts and objects are built in place as *Dict and *Object. finish turns
// the result into plain values once STOP is reached.
type pickleDecoder struct {
	s     string // the input; Str values share it
	pos   int
	opPos int // where the current opcode starts, for errors

	stack []Value
	marks []int

	memo    []Value          // memo index → value (nil: unset)
	memoMap map[uint64]Value // indices far beyond len(memo)
	memoLen int              // entries set, as CPython counts them for MEMOIZE

	proto    int
	budget   int // values still allowed on the stack or into the memo
	maxDepth int
	maxItems int64
	maxBytes int64
	p        Pickle

	shared    bool                // a GET or DUP pushed a container: finish must track identity
	converted bool                // finish turned an object into a value (a UUID)
	tzCache   map[*Object]*TZInfo // one TZInfo per tzinfo object
	fin       map[any]*pkFinished // identity → finished value, when shared
	items     int64               // values in the result so far, as a tree
	bytes     int64               // str/bytes data in the result so far, as a tree
	boxes     boxes               // where str, int and dict values are allocated
	strs      *strCache           // the boxes of recent strs, kept across inputs
}

// pkListNode is a list under construction.
type pkListNode struct{ items []Value }

// pkSetNode is a set under construction.
type pkSetNode struct {
	items []Value
	keys  map[string]struct{} // HashKey of each item, once the set is large
}

func (*pkListNode) Kind() Kind { return KindList }
func (*pkSetNode) Kind() Kind  { return KindSet }

var pickleDecoderPool = sync.Pool{New: func() any { return new(pickleDecoder) }}

func newPickleDecoder(p Pickle, data []byte) *pickleDecoder {
	d := pickleDecoderPool.Get().(*pickleDecoder)
	if d.strs == nil {
		d.strs = new(strCache)
	}
	d.s = string(data)
	d.p = p
	d.maxDepth = p.maxDepth()
	d.maxItems = int64(p.maxItems())
	d.maxBytes = 4 * int64(p.maxSize())
	d.budget = 4 * p.maxItems()
	return d
}

// release drops every reference into the input and the result and returns
// the decoder to the pool, unless its buffers grew large.
func (d *pickleDecoder) release() {
	clear(d.stack[:cap(d.stack)])
	clear(d.memo[:cap(d.memo)])
	big := cap(d.stack) > 1<<12 || cap(d.memo) > 1<<12 || cap(d.marks) > 1<<10
	d.strs.drop()
	*d = pickleDecoder{stack: d.stack[:0], memo: d.memo[:0], marks: d.marks[:0], strs: d.strs}
	if !big {
		pickleDecoderPool.Put(d)
	}
}

// errorf is an ErrMalformed error; format may wrap other errors with %w.
func (d *pickleDecoder) errorf(format string, args ...any) error {
	args = append(append([]any{ErrMalformed}, args...), d.opPos)
	return fmt.Errorf("%w: pickle: "+format+" at offset %d", args...)
}

func (d *pickleDecoder) unsupported(format string, args ...any) error {
	return fmt.Errorf("%w: pickle: %s at offset %d", ErrUnsupported, fmt.Sprintf(format, args...), d.opPos)
}

func (d *pickleDecoder) truncated() error {
	return fmt.Errorf("%w: pickle: data was truncated at offset %d", ErrMalformed, len(d.s))
}

// read returns the next n bytes, checking n against what remains before
// anything else happens: declared lengths are never trusted.
func (d *pickleDecoder) read(n uint64) (string, error) {
	if n > uint64(len(d.s)-d.pos) {
		return "", d.truncated()
	}
	s := d.s[d.pos : d.pos+int(n)]
	d.pos += int(n)
	return s, nil
}

// readCounted reads an unsigned little-endian length of w bytes and then that
// many bytes.
func (d *pickleDecoder) readCounted(w int) (string, error) {
	b, err := d.read(uint64(w))
	if err != nil {
		return "", err
	}
	var n uint64
	for i := w - 1; i >= 0; i-- {
		n = n<<8 | uint64(b[i])
	}
	return d.read(n)
}

// readLine returns the text up to the next newline (not included).
func (d *pickleDecoder) readLine() (string, error) {
	for i := d.pos; i < len(d.s); i++ {
		if d.s[i] == '\n' {
			line := d.s[d.pos:i]
			d.pos = i + 1
			return line, nil
		}
	}
	return "", d.truncated()
}

func (d *pickleDecoder) push(v Value) error {
	if d.budget--; d.budget < 0 {
		return fmt.Errorf("%w: pickle: more than %d values at offset %d", ErrTooLarge, 4*d.maxItems, d.opPos)
	}
	d.stack = append(d.stack, v)
	return nil
}

// fence is the lowest stack position the current opcode may touch: values
// below the top mark belong to an enclosing construction.
func (d *pickleDecoder) fence() int {
	if n := len(d.marks); n > 0 {
		return d.marks[n-1]
	}
	return 0
}

func (d *pickleDecoder) underflow() error { return d.errorf("stack underflow") }

func (d *pickleDecoder) pop() (Value, error) {
	n := len(d.stack)
	if n <= d.fence() {
		return nil, d.underflow()
	}
	v := d.stack[n-1]
	d.stack[n-1] = nil
	d.stack = d.stack[:n-1]
	return v, nil
}

func (d *pickleDecoder) top() (Value, error) {
	n := len(d.stack)
	if n <= d.fence() {
		return nil, d.underflow()
	}
	return d.stack[n-1], nil
}

// popMark removes the top mark and returns its stack position.
func (d *pickleDecoder) popMark() (int, error) {
	n := len(d.marks)
	if n == 0 {
		return 0, d.errorf("could not find MARK")
	}
	m := d.marks[n-1]
	d.marks = d.marks[:n-1]
	return m, nil
}

// truncate drops the stack above position m.
func (d *pickleDecoder) truncate(m int) {
	clear(d.stack[m:])
	d.stack = d.stack[:m]
}

// popTuple removes the top n values (above the fence) as a tuple.
func (d *pickleDecoder) popTuple(n int) (Tuple, error) {
	if len(d.stack)-n < d.fence() {
		return nil, d.underflow()
	}
	t := make(Tuple, n)
	copy(t, d.stack[len(d.stack)-n:])
	d.truncate(len(d.stack) - n)
	return t, nil
}

// sharedValue reports whether pushing v a second time makes the result a
// graph rather than a tree.
func sharedValue(v Value) bool {
	switch v := v.(type) {
	case None, Bool, Int, BigInt, Float, Str, Bytes, ByteArray, Date, TimeDelta, Decimal, UUID:
		return false
	case DateTime:
		return v.TZ != nil && v.TZ.Raw != nil
	case Time:
		return v.TZ != nil && v.TZ.Raw != nil
	case Tuple:
		return len(v) > 0
	case FrozenSet:
		return len(v) > 0
	}
	return true
}

// pushShared pushes a value that is now referenced twice.
func (d *pickleDecoder) pushShared(v Value) error {
	if !d.shared && sharedValue(v) {
		d.shared = true
	}
	return d.push(v)
}

func (d *pickleDecoder) memoGet(i uint64) (Value, error) {
	var v Value
	if i < uint64(len(d.memo)) {
		v = d.memo[i]
	} else if d.memoMap != nil {
		v = d.memoMap[i]
	}
	if v == nil {
		return nil, d.errorf("memo key %d not found", i)
	}
	return v, nil
}

func (d *pickleDecoder) memoPut(i uint64) error {
	v, err := d.top()
	if err != nil {
		return err
	}
	switch {
	case i < uint64(len(d.memo)):
		if d.memo[i] == nil {
			d.memoLen++
		}
		d.memo[i] = v
		return nil
	case i == uint64(len(d.memo)) && d.memoMap[i] == nil:
		d.memo = append(d.memo, v)
	default:
		if d.memoMap == nil {
			d.memoMap = make(map[uint64]Value)
		}
		if _, ok := d.memoMap[i]; ok {
			d.memoMap[i] = v
			return nil
		}
		d.memoMap[i] = v
	}
	d.memoLen++
	if d.budget--; d.budget < 0 {
		return fmt.Errorf("%w: pickle: more than %d values at offset %d", ErrTooLarge, 4*d.maxItems, d.opPos)
	}
	return nil
}

func (d *pickleDecoder) decode() (Value, error) {
	v, err := d.run()
	if err != nil {
		return nil, err
	}
	v, _, err = d.finish(v, 0)
	if err != nil {
		return nil, err
	}
	return v, nil
}

// run executes opcodes up to STOP and returns the value STOP pops.
func (d *pickleDecoder) run() (Value, error) {
	for {
		if d.pos >= len(d.s) {
			return nil, d.truncated()
		}
		d.opPos = d.pos
		op := d.s[d.pos]
		d.pos++
		var err error
		switch op {
		case pkStop:
			return d.pop()
		case pkProto:
			var b string
			if b, err = d.read(1); err == nil {
				if b[0] > pickleHighestProtocol {
					return nil, d.unsupported("unsupported pickle protocol %d", b[0])
				}
				d.proto = int(b[0])
			}
		case pkFrame:
			// The frame's length must be there; opcodes are then read as
			// usual (CPython does not check where frames end either).
			var b string
			if b, err = d.read(8); err == nil {
				if binary.LittleEndian.Uint64([]byte(b)) > uint64(len(d.s)-d.pos) {
					return nil, d.truncated()
				}
			}
		case pkMark:
			if len(d.marks) > d.maxDepth {
				return nil, fmt.Errorf("%w: pickle: more than %d nested MARKs at offset %d", ErrTooLarge, d.maxDepth, d.opPos)
			}
			d.marks = append(d.marks, len(d.stack))
		case pkPop:
			// As CPython: a mark at the top of the stack is popped instead.
			if n := len(d.marks); n > 0 && d.marks[n-1] == len(d.stack) {
				d.marks = d.marks[:n-1]
			} else {
				_, err = d.pop()
			}
		case pkPopMark:
			var m int
			if m, err = d.popMark(); err == nil {
				d.truncate(m)
			}
		case pkDup:
			var v Value
			if v, err = d.top(); err == nil {
				err = d.pushShared(v)
			}

		case pkNone:
			err = d.push(None{})
		case pkNewTrue:
			err = d.push(Bool(true))
		case pkNewFalse:
			err = d.push(Bool(false))
		case pkBinInt:
			var b string
			if b, err = d.read(4); err == nil {
				err = d.push(d.boxes.int(int64(int32(binary.LittleEndian.Uint32([]byte(b))))))
			}
		case pkBinInt1:
			var b string
			if b, err = d.read(1); err == nil {
				err = d.push(Int(b[0]))
			}
		case pkBinInt2:
			var b string
			if b, err = d.read(2); err == nil {
				err = d.push(d.boxes.int(int64(binary.LittleEndian.Uint16([]byte(b)))))
			}
		case pkLong1:
			var b string
			if b, err = d.readCounted(1); err == nil {
				err = d.push(pkDecodeLong(b))
			}
		case pkLong4:
			var b string
			if b, err = d.read(4); err == nil {
				n := int32(binary.LittleEndian.Uint32([]byte(b)))
				if n < 0 {
					return nil, d.errorf("LONG4 with a negative byte count")
				}
				if b, err = d.read(uint64(n)); err == nil {
					err = d.push(pkDecodeLong(b))
				}
			}
		case pkBinFloat:
			var b string
			if b, err = d.read(8); err == nil {
				err = d.push(Float(math.Float64frombits(binary.BigEndian.Uint64([]byte(b)))))
			}
		case pkInt:
			var line string
			if line, err = d.readLine(); err == nil {
				var v Value
				if v, err = d.parseIntLine(line); err == nil {
					err = d.push(v)
				}
			}
		case pkLong:
			var line string
			if line, err = d.readLine(); err == nil {
				var v Value
				if v, err = d.parseLongLine(line); err == nil {
					err = d.push(v)
				}
			}
		case pkFloat:
			var line string
			if line, err = d.readLine(); err == nil {
				var f float64
				if f, err = d.parseFloatLine(line); err == nil {
					err = d.push(Float(f))
				}
			}

		case pkBinUnicode:
			err = d.pushUnicode(d.readCounted(4))
		case pkShortBinUnicode:
			err = d.pushUnicode(d.readCounted(1))
		case pkBinUnicode8:
			err = d.pushUnicode(d.readCounted(8))
		case pkUnicode:
			var line string
			if line, err = d.readLine(); err == nil {
				var s Str
				if s, err = d.rawUnicodeEscape(line); err == nil {
					err = d.push(s)
				}
			}
		case pkBinString:
			err = d.pushPy2Str(d.readCounted(4))
		case pkShortBinString:
			err = d.pushPy2Str(d.readCounted(1))
		case pkString:
			var line string
			if line, err = d.readLine(); err == nil {
				var b []byte
				if b, err = d.escapeDecode(line); err == nil {
					err = d.push(pkPy2Str(string(b)))
				}
			}
		case pkBinBytes:
			err = d.pushBytes(d.readCounted(4))
		case pkShortBinBytes:
			err = d.pushBytes(d.readCounted(1))
		case pkBinBytes8:
			err = d.pushBytes(d.readCounted(8))
		case pkByteArray8:
			var b string
			if b, err = d.readCounted(8); err == nil {
				err = d.push(ByteArray(b))
			}

		case pkEmptyList:
			err = d.push(&pkListNode{})
		case pkEmptyDict:
			err = d.push(d.boxes.dict())
		case pkEmptySet:
			err = d.push(&pkSetNode{})
		case pkEmptyTuple:
			err = d.push(pkEmptyTupleValue)
		case pkTuple1, pkTuple2, pkTuple3:
			var t Tuple
			if t, err = d.popTuple(int(op-pkTuple1) + 1); err == nil {
				err = d.push(t)
			}
		case pkTuple:
			var m int
			if m, err = d.popMark(); err == nil {
				t := make(Tuple, len(d.stack)-m)
				copy(t, d.stack[m:])
				d.truncate(m)
				err = d.push(t)
			}
		case pkList:
			var m int
			if m, err = d.popMark(); err == nil {
				l := &pkListNode{items: make([]Value, len(d.stack)-m)}
				copy(l.items, d.stack[m:])
				d.truncate(m)
				err = d.push(l)
			}
		case pkDict:
			var m int
			if m, err = d.popMark(); err == nil {
				dict := d.boxes.dict()
				if err = d.setItems(dict, d.stack[m:]); err == nil {
					d.truncate(m)
					err = d.push(dict)
				}
			}
		case pkFrozenSet:
			var m int
			if m, err = d.popMark(); err == nil {
				var fs FrozenSet
				if fs, err = d.frozenSet(d.stack[m:]); err == nil {
					d.truncate(m)
					err = d.push(fs)
				}
			}
		case pkAppend:
			var v Value
			if v, err = d.pop(); err == nil {
				var target Value
				if target, err = d.top(); err == nil {
					err = d.appendItems(target, []Value{v})
				}
			}
		case pkAppends:
			err = d.markedOp(d.appendItems)
		case pkSetItem:
			if len(d.stack)-2 <= d.fence() {
				return nil, d.underflow()
			}
			n := len(d.stack)
			err = d.setItems(d.stack[n-3], d.stack[n-2:])
			d.truncate(n - 2)
		case pkSetItems:
			err = d.markedOp(d.setItems)
		case pkAddItems:
			err = d.markedOp(d.addItems)

		case pkGet:
			var line string
			if line, err = d.readLine(); err == nil {
				var i uint64
				if i, err = d.parseMemoIndex(line); err == nil {
					err = d.get(i)
				}
			}
		case pkBinGet:
			var b string
			if b, err = d.read(1); err == nil {
				err = d.get(uint64(b[0]))
			}
		case pkLongBinGet:
			var b string
			if b, err = d.read(4); err == nil {
				err = d.get(uint64(binary.LittleEndian.Uint32([]byte(b))))
			}
		case pkPut:
			var line string
			if line, err = d.readLine(); err == nil {
				var i uint64
				if i, err = d.parseMemoIndex(line); err == nil {
					err = d.memoPut(i)
				}
			}
		case pkBinPut:
			var b string
			if b, err = d.read(1); err == nil {
				err = d.memoPut(uint64(b[0]))
			}
		case pkLongBinPut:
			var b string
			if b, err = d.read(4); err == nil {
				err = d.memoPut(uint64(binary.LittleEndian.Uint32([]byte(b))))
			}
		case pkMemoize:
			err = d.memoPut(uint64(d.memoLen))

		case pkGlobal:
			var module, name string
			if module, name, err = d.readGlobalLines(); err == nil {
				var g *Object
				if g, err = d.global(module, name); err == nil {
					err = d.push(g)
				}
			}
		case pkStackGlobal:
			var name, module Value
			if name, err = d.pop(); err == nil {
				if module, err = d.pop(); err == nil {
					ms, ok1 := module.(Str)
					ns, ok2 := name.(Str)
					if !ok1 || !ok2 {
						return nil, d.errorf("STACK_GLOBAL requires str")
					}
					var g *Object
					if g, err = d.global(string(ms), string(ns)); err == nil {
						err = d.push(g)
					}
				}
			}
		case pkReduce:
			err = d.reduceOp()
		case pkBuild:
			var state, inst Value
			if state, err = d.pop(); err == nil {
				if inst, err = d.top(); err == nil {
					err = d.build(inst, state)
				}
			}
		case pkNewObj:
			err = d.newObjOp(false)
		case pkNewObjEx:
			err = d.newObjOp(true)
		case pkInst:
			var module, name string
			if module, name, err = d.readGlobalLines(); err == nil {
				var m int
				if m, err = d.popMark(); err == nil {
					var cls *Object
					if cls, err = d.global(module, name); err == nil {
						args := make(Tuple, len(d.stack)-m)
						copy(args, d.stack[m:])
						d.truncate(m)
						err = d.push(&Object{Module: cls.Module, Name: cls.Name, Build: BuildInst, Args: args})
					}
				}
			}
		case pkObj:
			var m int
			if m, err = d.popMark(); err == nil {
				if len(d.stack)-m < 1 {
					return nil, d.underflow()
				}
				cls, ok := d.stack[m].(*Object)
				if !ok || cls.Build != BuildGlobal {
					return nil, d.errorf("OBJ of a %s, not a class", pkTypeName(d.stack[m]))
				}
				args := make(Tuple, len(d.stack)-m-1)
				copy(args, d.stack[m+1:])
				d.truncate(m)
				err = d.push(&Object{Module: cls.Module, Name: cls.Name, Build: BuildInst, Args: args})
			}

		case pkPersID, pkBinPersID:
			return nil, d.unsupported("persistent IDs are not supported")
		case pkExt1, pkExt2, pkExt4:
			return nil, d.unsupported("the copyreg extension registry (EXT opcodes) is not supported")
		case pkNextBuffer, pkReadonlyBuffer:
			return nil, d.unsupported("out-of-band buffers are not supported")
		default:
			return nil, d.errorf("unknown opcode 0x%02x", op)
		}
		if err != nil {
			return nil, err
		}
	}
}

var pkEmptyTupleValue Value = Tuple{}

// markedOp pops a mark and applies f to the value just below it and the
// values above it, as APPENDS, SETITEMS and ADDITEMS do. Like CPython it
// does nothing when there are no values.
func (d *pickleDecoder) markedOp(f func(target Value, items []Value) error) error {
	m, err := d.popMark()
	if err != nil {
		return err
	}
	if m > len(d.stack) || m <= d.fence() {
		return d.underflow()
	}
	if m == len(d.stack) {
		return nil
	}
	if err := f(d.stack[m-1], d.stack[m:]); err != nil {
		return err
	}
	d.truncate(m)
	return nil
}

func (d *pickleDecoder) get(i uint64) error {
	v, err := d.memoGet(i)
	if err != nil {
		return err
	}
	return d.pushShared(v)
}

func (d *pickleDecoder) pushUnicode(s string, err error) error {
	if err != nil {
		return err
	}
	if v := pkBoxedStr(s); v != nil {
		return d.push(v)
	}
	if !pkValidStr(s) {
		return d.errorf("str is not valid UTF-8")
	}
	if len(s) > strOwnedMax {
		return d.push(d.boxes.str(s))
	}
	// Short strs recur: keys within and across inputs (those of one
	// input are often memoized, not always), and common values.
	return d.push(d.strs.box(s, &d.boxes))
}

// pkBoxedStr returns a str that sessions hold again and again (one ASCII
// character, the keys Django writes, Django's default auth backend)
// already boxed as a Value, sparing an allocation; nil for any other.
func pkBoxedStr(s string) Value {
	switch {
	case len(s) == 1 && s[0] < 0x80:
		return pkASCIIBoxes[s[0]]
	case len(s) == len(jsonModelBackend) && s == jsonModelBackend:
		return jsonValModelBackend
	case len(s) < 9 || s[0] != '_':
		return nil
	}
	for _, k := range pkSessionKeys {
		if string(k.(Str)) == s {
			return k
		}
	}
	return nil
}

var pkASCIIBoxes = func() (t [128]Value) {
	for i := range t {
		t[i] = Str(string(rune(i)))
	}
	return t
}()

var pkSessionKeys = []Value{Str("_auth_user_id"), Str("_auth_user_backend"), Str("_auth_user_hash"),
	Str("_session_expiry"), Str("_messages"), Str("_csrftoken"), Str("_language")}

func (d *pickleDecoder) pushPy2Str(s string, err error) error {
	if err != nil {
		return err
	}
	return d.push(pkPy2Str(s))
}

func (d *pickleDecoder) pushBytes(s string, err error) error {
	if err != nil {
		return err
	}
	return d.push(Bytes(s))
}

// pkPy2Str is a Python 2 str: Str when it is ASCII (what CPython 3 reads
// with its default encoding="ASCII"), else Bytes (where CPython 3 fails).
func pkPy2Str(s string) Value {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return Bytes(s)
		}
	}
	return Str(s)
}

// pkDecodeLong decodes LONG1/LONG4 data: little-endian two's complement.
func pkDecodeLong(b string) Value {
	if len(b) <= 8 {
		var u uint64
		for i := len(b) - 1; i >= 0; i-- {
			u = u<<8 | uint64(b[i])
		}
		if n := uint(len(b)) * 8; n > 0 && n < 64 && u&(1<<(n-1)) != 0 {
			u |= ^uint64(0) << n // sign-extend
		}
		return Int(int64(u))
	}
	be := make([]byte, len(b))
	for i := 0; i < len(b); i++ {
		be[len(b)-1-i] = b[i]
	}
	x := new(big.Int).SetBytes(be)
	if b[len(b)-1]&0x80 != 0 {
		x.Sub(x, new(big.Int).Lsh(big.NewInt(1), uint(len(b))*8))
	}
	return NewBigInt(x)
}

func (d *pickleDecoder) readGlobalLines() (module, name string, err error) {
	if module, err = d.readLine(); err != nil {
		return
	}
	if name, err = d.readLine(); err != nil {
		return
	}
	if !pkValidStr(module) || !pkValidStr(name) {
		return "", "", d.errorf("global name is not valid UTF-8")
	}
	return module, name, nil
}

// pkTypeName names the Python type of a value on the stack, for errors.
func pkTypeName(v Value) string {
	switch v := v.(type) {
	case nil:
		return "nothing"
	case *Object:
		return v.QualName()
	}
	return v.Kind().String()
}
