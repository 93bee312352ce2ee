package serializer

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"strconv"
	"strings"
	"sync"
	"unsafe"
)

// Unmarshal parses data as Django's JSONSerializer.loads does:
// json.loads(data.decode("latin-1")) under CPython's rules.
//
//   - Any JSON value may be at the top level; NaN, Infinity and -Infinity are
//     accepted; whitespace is ' ', '\t', '\n' and '\r' only.
//   - Objects become *Dict (with str keys; a repeated key keeps its first
//     position and takes its last value, as a Python dict does), arrays
//     become List, integers Int or BigInt, numbers with a fraction or an
//     exponent Float (rounded as Python's float() rounds: 1e400 is +Inf).
//   - A \uXXXX escape of a high surrogate directly followed by one of a low
//     surrogate gives the combined character; any other surrogate stays a
//     lone surrogate in the Str (see Str).
//   - Control characters (below 0x20) inside strings, anything after the
//     value, and every other syntax error give ErrMalformed with the byte
//     offset; input longer than MaxSize, nesting deeper than MaxDepth and
//     integers longer than MaxIntDigits give ErrTooLarge.
//
// Strings in the result may share one copy of data, so keeping any of them
// keeps that copy alive.
func (j JSON) Unmarshal(data []byte) (Value, error) {
	if max := j.maxSize(); len(data) > max {
		return nil, fmt.Errorf("%w: json: input is %d bytes, over the limit of %d", ErrTooLarge, len(data), max)
	}
	d := jsonDecoderPool.Get().(*jsonDecoder)
	d.s = string(data)
	d.pos = 0
	d.maxDepth = j.maxDepth()
	d.maxIntDigits = j.maxIntDigits()
	d.planSlab()
	v, err := d.decode()
	d.release()
	return v, err
}

var jsonDecoderPool = sync.Pool{New: func() any { return new(jsonDecoder) }}

// jsonDecoder reads containers by recursion down to jsonRecurseMax, their
// first entries gathered on the goroutine's stack and the rest on the vals
// and keys stacks, and deeper ones iteratively (iter: open containers are
// frames whose entries wait on those stacks). Either way every List and
// Dict is allocated at its final size, once it closes.
type jsonDecoder struct {
	s            string // the input, as latin-1 text: one byte, one character
	pos          int
	vals         []Value
	keys         []string
	frames       []jsonFrame
	buf          []byte   // scratch for strings that need decoding
	strs         strCache // the boxes of recent keys and short values
	boxes        boxes
	maxDepth     int
	maxIntDigits int

	// The dicts of one input are carved from a few shared allocations
	// (see planSlab): dicts and items are what is left of the current
	// slab, and slabDicts and slabItems estimate what the rest of the
	// input still needs.
	dicts                []Dict
	items                []Item
	slabDicts, slabItems int

	// arena is set for a JSONDecoder: its dicts and lists come from memory
	// reused from input to input, and no str points into the input.
	arena *jsonArena
}

type jsonFrame struct {
	obj        bool
	vals, keys int // where the frame's entries start on the stacks
}

// release drops every reference into the input and result and returns the
// decoder to the pool, unless its buffers grew large.
func (d *jsonDecoder) release() {
	if d.finish() {
		jsonDecoderPool.Put(d)
	}
}

// finish drops every reference into the input and result, and reports
// whether the decoder's buffers are small enough to keep.
func (d *jsonDecoder) finish() bool {
	// Entries above len were cleared as their frames closed; an error
	// leaves some below it.
	clear(d.vals)
	clear(d.keys)
	d.vals, d.keys, d.frames = d.vals[:0], d.keys[:0], d.frames[:0]
	d.s = ""
	d.strs.drop()
	d.dicts, d.items = nil, nil
	d.boxes = boxes{}
	return cap(d.vals) <= 1<<12 && cap(d.keys) <= 1<<12 && cap(d.buf) <= 1<<16 && cap(d.frames) <= 1<<12
}

func (d *jsonDecoder) errAt(msg string, off int) error {
	return fmt.Errorf("%w: json: %s at offset %d", ErrMalformed, msg, off)
}

func (d *jsonDecoder) skipWS() {
	for d.pos < len(d.s) {
		switch d.s[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

// jsonRecurseMax is the nesting up to which containers are read by
// recursive calls, their entries gathered on the goroutine's stack; deeper
// ones go to the iterative parser (iter), whose memory is the decoder's.
const jsonRecurseMax = 24

// decode reads the input: one value and nothing after it.
func (d *jsonDecoder) decode() (Value, error) {
	v, err := d.value(0)
	if err != nil {
		return nil, err
	}
	d.skipWS()
	if d.pos != len(d.s) {
		return nil, d.errAt("Extra data", d.pos)
	}
	return v, nil
}

// value reads one value at d.pos (after whitespace) inside depth open
// containers.
func (d *jsonDecoder) value(depth int) (Value, error) {
	d.skipWS()
	if d.pos >= len(d.s) {
		return nil, d.errAt("Expecting value", d.pos)
	}
	c := d.s[d.pos]
	if c != '{' && c != '[' {
		return d.scalar(c)
	}
	if depth >= d.maxDepth {
		return nil, d.tooDeep()
	}
	if depth >= jsonRecurseMax {
		return d.iter(depth)
	}
	if c == '{' {
		return d.object(depth)
	}
	return d.array(depth)
}

func (d *jsonDecoder) tooDeep() error {
	return fmt.Errorf("%w: json: nesting deeper than %d at offset %d", ErrTooLarge, d.maxDepth, d.pos)
}

// jsonInline is how many entries of a container are gathered on the stack
// before the rest go to the decoder's stacks.
const jsonInline = 8

// object reads the object at d.pos ('{'), inside depth open containers.
func (d *jsonDecoder) object(depth int) (Value, error) {
	s := d.s
	d.pos++
	d.skipWS()
	if d.pos < len(s) && s[d.pos] == '}' {
		d.pos++
		return NewDict(0), nil
	}
	var kbuf [jsonInline]string
	var vbuf [jsonInline]Value
	n := 0
	kbase, vbase := -1, -1 // where the entries start on d.keys and d.vals, once spilled
	for {
		k, err := d.keyStr()
		if err != nil {
			return nil, err
		}
		v, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		switch {
		case n < jsonInline:
			kbuf[n], vbuf[n] = k, v
		case kbase < 0:
			kbase, vbase = len(d.keys), len(d.vals)
			d.keys = append(append(d.keys, kbuf[:]...), k)
			d.vals = append(append(d.vals, vbuf[:]...), v)
		default:
			d.keys = append(d.keys, k)
			d.vals = append(d.vals, v)
		}
		n++
		d.skipWS()
		if d.pos < len(s) {
			if c := s[d.pos]; c == ',' {
				d.pos++
				d.skipWS()
				continue
			} else if c == '}' {
				d.pos++
				if kbase < 0 {
					return d.buildDict(kbuf[:n], vbuf[:n]), nil
				}
				dict := d.buildDict(d.keys[kbase:], d.vals[vbase:])
				clear(d.keys[kbase:])
				clear(d.vals[vbase:])
				d.keys, d.vals = d.keys[:kbase], d.vals[:vbase]
				return dict, nil
			}
		}
		return nil, d.errAt("Expecting ',' delimiter", d.pos)
	}
}

// array reads the array at d.pos ('['), inside depth open containers.
func (d *jsonDecoder) array(depth int) (Value, error) {
	s := d.s
	d.pos++
	d.skipWS()
	if d.pos < len(s) && s[d.pos] == ']' {
		d.pos++
		return jsonEmptyList, nil
	}
	var vbuf [jsonInline]Value
	n := 0
	base := -1
	for {
		v, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		switch {
		case n < jsonInline:
			vbuf[n] = v
		case base < 0:
			base = len(d.vals)
			d.vals = append(append(d.vals, vbuf[:]...), v)
		default:
			d.vals = append(d.vals, v)
		}
		n++
		d.skipWS()
		if d.pos < len(s) {
			if c := s[d.pos]; c == ',' {
				d.pos++
				continue
			} else if c == ']' {
				d.pos++
				v, l := d.list(n)
				if base < 0 {
					copy(l, vbuf[:n])
					return v, nil
				}
				copy(l, d.vals[base:])
				clear(d.vals[base:])
				d.vals = d.vals[:base]
				return v, nil
			}
		}
		return nil, d.errAt("Expecting ',' delimiter", d.pos)
	}
}

// keyStr reads `"name" :` at d.pos and returns the name.
func (d *jsonDecoder) keyStr() (string, error) {
	if d.pos >= len(d.s) || d.s[d.pos] != '"' {
		return "", d.errAt("Expecting property name enclosed in double quotes", d.pos)
	}
	k, err := d.str()
	if err != nil {
		return "", err
	}
	d.skipWS()
	if d.pos >= len(d.s) || d.s[d.pos] != ':' {
		return "", d.errAt("Expecting ':' delimiter", d.pos)
	}
	d.pos++
	return k, nil
}

// iter reads the container at d.pos, inside depth open containers,
// without recursion: open containers are frames, and the values and keys
// read so far inside them wait on the vals and keys stacks until the
// container closes.
func (d *jsonDecoder) iter(depth int) (Value, error) {
	s := d.s
	frames0 := len(d.frames)
	for {
		// Read one value at d.pos; containers open a frame and loop back.
		d.skipWS()
		if d.pos >= len(s) {
			return nil, d.errAt("Expecting value", d.pos)
		}
		var v Value
		switch c := s[d.pos]; c {
		case '{', '[':
			if depth+len(d.frames)-frames0 >= d.maxDepth {
				return nil, d.tooDeep()
			}
			d.pos++
			d.skipWS()
			if c == '{' {
				if d.pos < len(s) && s[d.pos] == '}' {
					d.pos++
					v = NewDict(0)
					break
				}
				d.frames = append(d.frames, jsonFrame{obj: true, vals: len(d.vals), keys: len(d.keys)})
				if err := d.key(); err != nil {
					return nil, err
				}
				continue
			}
			if d.pos < len(s) && s[d.pos] == ']' {
				d.pos++
				v = jsonEmptyList
				break
			}
			d.frames = append(d.frames, jsonFrame{vals: len(d.vals), keys: len(d.keys)})
			continue
		default:
			var err error
			if v, err = d.scalar(c); err != nil {
				return nil, err
			}
		}
		// v is complete: add it to the open container, closing containers
		// for as long as their end follows.
		for {
			if len(d.frames) == frames0 {
				return v, nil
			}
			d.vals = append(d.vals, v)
			d.skipWS()
			f := &d.frames[len(d.frames)-1]
			if d.pos < len(s) {
				c := s[d.pos]
				if c == ',' {
					d.pos++
					if f.obj {
						d.skipWS()
						if err := d.key(); err != nil {
							return nil, err
						}
					}
					break
				}
				if f.obj && c == '}' || !f.obj && c == ']' {
					d.pos++
					v = d.closeFrame()
					continue
				}
			}
			return nil, d.errAt("Expecting ',' delimiter", d.pos)
		}
	}
}

// key reads `"name" :` at d.pos and pushes the name.
func (d *jsonDecoder) key() error {
	k, err := d.keyStr()
	if err != nil {
		return err
	}
	d.keys = append(d.keys, k)
	return nil
}

// closeFrame pops the innermost container and builds its value.
func (d *jsonDecoder) closeFrame() Value {
	f := d.frames[len(d.frames)-1]
	d.frames = d.frames[:len(d.frames)-1]
	vals := d.vals[f.vals:]
	var v Value
	if f.obj {
		keys := d.keys[f.keys:]
		v = d.buildDict(keys, vals)
		clear(keys)
		d.keys = d.keys[:f.keys]
	} else {
		var l []Value
		v, l = d.list(len(vals))
		copy(l, vals)
	}
	clear(vals)
	d.vals = d.vals[:f.vals]
	return v
}

// buildDict makes the dict of an object's keys and values. When the keys
// are distinct (the usual case) and few, the items are laid down directly,
// sparing SetStr's per-key hash string; Dict scans dicts this small anyway
// and builds its index lazily. Otherwise SetStr gives Python's semantics for
// a repeated key: first position, last value.
func (d *jsonDecoder) buildDict(keys []string, vals []Value) *Dict {
	const direct = 16
	if len(keys) <= direct && jsonDistinct(keys) {
		dict, items := d.allocDict(len(keys))
		for i, k := range keys {
			items[i] = Item{Key: d.boxKey(k), Value: vals[i]}
		}
		dict.items = items
		return dict
	}
	dict := NewDict(len(keys))
	for i, k := range keys {
		dict.SetStr(d.keep(k), vals[i])
	}
	return dict
}

// keep returns s, which may point into the input, as a str the result can
// hold: s itself, or for a JSONDecoder (whose input is not kept) a copy.
func (d *jsonDecoder) keep(s string) string {
	if d.arena != nil {
		return strings.Clone(s)
	}
	return s
}

// list returns a List of n values as a Value and the elements to fill in,
// from the arena when there is one.
func (d *jsonDecoder) list(n int) (Value, []Value) {
	if d.arena != nil {
		if l := d.arena.list(n); l != nil {
			return l, l
		}
	}
	return jsonList(n)
}

// planSlab estimates, from the input's braces and colons (an over-count
// when strings hold them), how many dicts and items the input makes, for
// allocDict.
func (d *jsonDecoder) planSlab() {
	d.slabDicts, d.slabItems = 0, 0
	colons := strings.Count(d.s, ":")
	if n := strings.Count(d.s, "{"); n >= 2 {
		d.slabDicts, d.slabItems = n, colons
	}
}

// allocDict returns a Dict and room for its n ≤ 16 items, from the slab
// when it has room, refilling the slab while more than one dict is still
// expected.
func (d *jsonDecoder) allocDict(n int) (*Dict, []Item) {
	if d.arena != nil {
		if dict, items := d.arena.dict(n); dict != nil {
			return dict, items
		}
	}
	if len(d.dicts) == 0 || len(d.items) < n {
		if d.slabDicts < 2 || d.slabItems < n {
			return jsonAllocDict(n)
		}
		d.refillSlab()
		if len(d.items) < n {
			return jsonAllocDict(n)
		}
	}
	dict := &d.dicts[0]
	items := d.items[:n:n]
	d.dicts, d.items = d.dicts[1:], d.items[n:]
	d.slabDicts--
	d.slabItems -= n
	return dict, items
}

// refillSlab allocates the dicts and items for the next dicts in one
// allocation of a size class, as many as the estimate asks up to 16 dicts
// and 64 items.
func (d *jsonDecoder) refillSlab() {
	switch nd, ni := d.slabDicts, d.slabItems; {
	case nd <= 4 && ni <= 12:
		x := new(struct {
			d  [4]Dict
			it [12]Item
		})
		d.dicts, d.items = x.d[:], x.it[:]
	case nd <= 4 && ni <= 16:
		x := new(struct {
			d  [4]Dict
			it [16]Item
		})
		d.dicts, d.items = x.d[:], x.it[:]
	case nd <= 8 && ni <= 32:
		x := new(struct {
			d  [8]Dict
			it [32]Item
		})
		d.dicts, d.items = x.d[:], x.it[:]
	default:
		x := new(struct {
			d  [16]Dict
			it [64]Item
		})
		d.dicts, d.items = x.d[:], x.it[:]
	}
}

// jsonAllocDict allocates a Dict together with room for n ≤ 16 items, in one
// allocation of a size class.
func jsonAllocDict(n int) (*Dict, []Item) {
	switch {
	case n <= 2:
		x := new(struct {
			d  Dict
			it [2]Item
		})
		return &x.d, x.it[:n:n]
	case n <= 4:
		x := new(struct {
			d  Dict
			it [4]Item
		})
		return &x.d, x.it[:n:n]
	case n <= 8:
		x := new(struct {
			d  Dict
			it [8]Item
		})
		return &x.d, x.it[:n:n]
	default:
		x := new(struct {
			d  Dict
			it [16]Item
		})
		return &x.d, x.it[:n:n]
	}
}

// boxKey returns Str(k) as a Value, reusing the box of an equal key seen
// recently or of a key Django writes, instead of allocating one.
func (d *jsonDecoder) boxKey(k string) Value {
	if v := jsonDjangoKey(k); v != nil {
		return v
	}
	return d.strs.box(k, &d.boxes)
}

// The keys Django's own code puts into sessions, boxed once.
var (
	jsonKeyAuthUserID      Value = Str("_auth_user_id")
	jsonKeyAuthUserBackend Value = Str("_auth_user_backend")
	jsonKeyAuthUserHash    Value = Str("_auth_user_hash")
	jsonKeySessionExpiry   Value = Str("_session_expiry")
	jsonKeyMessages        Value = Str("_messages")
	jsonKeyCSRFToken       Value = Str("_csrftoken")
	jsonKeyLanguage        Value = Str("_language")
)

// jsonModelBackend is the _auth_user_backend of most logged-in sessions
// (Django's default AUTHENTICATION_BACKENDS), boxed once.
const jsonModelBackend = "django.contrib.auth.backends.ModelBackend"

var jsonValModelBackend Value = Str(jsonModelBackend)

func jsonDjangoKey(k string) Value {
	if len(k) < 9 || k[0] != '_' {
		return nil
	}
	switch k {
	case "_auth_user_id":
		return jsonKeyAuthUserID
	case "_auth_user_backend":
		return jsonKeyAuthUserBackend
	case "_auth_user_hash":
		return jsonKeyAuthUserHash
	case "_session_expiry":
		return jsonKeySessionExpiry
	case "_messages":
		return jsonKeyMessages
	case "_csrftoken":
		return jsonKeyCSRFToken
	case "_language":
		return jsonKeyLanguage
	}
	return nil
}

func jsonDistinct(keys []string) bool {
	for i := 1; i < len(keys); i++ {
		for _, k := range keys[:i] {
			if k == keys[i] {
				return false
			}
		}
	}
	return true
}

// scalar reads a value that is not a container, starting with c.
func (d *jsonDecoder) scalar(c byte) (Value, error) {
	s := d.s
	switch c {
	case '"':
		str, err := d.str()
		if err != nil {
			return nil, err
		}
		switch {
		case len(str) == 1 && str[0] < 0x80:
			return jsonChars[str[0]], nil
		case len(str) == len(jsonModelBackend) && str == jsonModelBackend:
			return jsonValModelBackend, nil
		case len(str) <= strOwnedMax:
			// Short values recur too, from input to input.
			return d.strs.box(str, &d.boxes), nil
		}
		return d.boxes.str(d.keep(str)), nil
	case 'n':
		if d.word("null") {
			return None{}, nil
		}
	case 't':
		if d.word("true") {
			return Bool(true), nil
		}
	case 'f':
		if d.word("false") {
			return Bool(false), nil
		}
	case 'N':
		if d.word("NaN") {
			return Float(math.NaN()), nil
		}
	case 'I':
		if d.word("Infinity") {
			return Float(math.Inf(1)), nil
		}
	case '-':
		if d.pos+1 < len(s) && s[d.pos+1] == 'I' {
			if d.word("-Infinity") {
				return Float(math.Inf(-1)), nil
			}
			break
		}
		return d.number()
	default:
		if c >= '0' && c <= '9' {
			return d.number()
		}
	}
	return nil, d.errAt("Expecting value", d.pos)
}

// jsonChars boxes each one-character ASCII string once ("1", the user id of
// many a session, among them).
var jsonChars = func() (t [0x80]Value) {
	for c := range t {
		t[c] = Str(string(rune(c)))
	}
	return t
}()

func (d *jsonDecoder) word(w string) bool {
	if len(d.s)-d.pos >= len(w) && d.s[d.pos:d.pos+len(w)] == w {
		d.pos += len(w)
		return true
	}
	return false
}

func jsonIsDigit(c byte) bool { return c >= '0' && c <= '9' }

// number reads a number as CPython's scanner matches it:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?, where a fraction or an
// exponent that is not complete is left unread (and then fails as the next
// token).
func (d *jsonDecoder) number() (Value, error) {
	s := d.s
	start := d.pos
	p := start
	if s[p] == '-' {
		p++
	}
	digits := p
	switch {
	case p < len(s) && s[p] == '0':
		p++
	case p < len(s) && s[p] >= '1' && s[p] <= '9':
		p++
		for p < len(s) && jsonIsDigit(s[p]) {
			p++
		}
	default:
		return nil, d.errAt("Expecting value", start)
	}
	intEnd := p
	isFloat := false
	if p+1 < len(s) && s[p] == '.' && jsonIsDigit(s[p+1]) {
		isFloat = true
		p += 2
		for p < len(s) && jsonIsDigit(s[p]) {
			p++
		}
	}
	if p < len(s) && (s[p] == 'e' || s[p] == 'E') {
		q := p + 1
		if q < len(s) && (s[q] == '+' || s[q] == '-') {
			q++
		}
		e := q
		for q < len(s) && jsonIsDigit(s[q]) {
			q++
		}
		if q > e {
			isFloat = true
			p = q
		}
	}
	d.pos = p
	if isFloat {
		f, err := strconv.ParseFloat(s[start:p], 64)
		if err != nil && !math.IsInf(f, 0) { // out of range is ±Inf, as in Python
			return nil, d.errAt("Expecting value", start)
		}
		return Float(f), nil
	}
	n := intEnd - digits
	if n > d.maxIntDigits {
		return nil, fmt.Errorf("%w: json: integer of %d digits, over the limit of %d, at offset %d", ErrTooLarge, n, d.maxIntDigits, start)
	}
	if n <= 18 {
		var x int64
		for i := digits; i < intEnd; i++ {
			x = x*10 + int64(s[i]-'0')
		}
		if digits != start {
			x = -x
		}
		return d.boxes.int(x), nil
	}
	if x, err := strconv.ParseInt(s[start:p], 10, 64); err == nil {
		return d.boxes.int(x), nil
	}
	b, ok := new(big.Int).SetString(s[start:p], 10)
	if !ok {
		return nil, d.errAt("Expecting value", start)
	}
	return BigInt{V: b}, nil
}

// jsonStrPlain[c] is true for the bytes that stand for themselves inside a
// string: not a quote, backslash, control character or latin-1 byte.
var jsonStrPlain = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// jsonLoad8 returns the eight bytes of s at i (which must be in range) as
// a little-endian word.
func jsonLoad8(s string, i int) uint64 {
	_ = s[i+7]
	return binary.LittleEndian.Uint64(unsafe.Slice(unsafe.StringData(s[i:]), 8))
}

// jsonSpecial8 returns the high bit of each of the eight bytes of w (in
// little-endian order) that is not plain inside a string: a quote, a
// backslash, a control character or a byte ≥ 0x80. Borrows can mark bytes
// above the first such byte too, never below it, so the lowest mark is
// exact.
func jsonSpecial8(w uint64) uint64 {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	q := w ^ lo*'"'
	b := w ^ lo*'\\'
	return ((q-lo)&^q | (b-lo)&^b | (w-lo*0x20)&^w | w) & hi
}

// str reads a string literal at d.pos (which holds the opening quote).
func (d *jsonDecoder) str() (string, error) {
	s := d.s
	begin := d.pos
	p := begin + 1
	// Eight bytes at a time, then one at a time up to the first byte that
	// is not plain.
	for p+8 <= len(s) {
		if m := jsonSpecial8(jsonLoad8(s, p)); m != 0 {
			p += bits.TrailingZeros64(m) / 8
			break
		}
		p += 8
	}
	for p < len(s) && jsonStrPlain[s[p]] {
		p++
	}
	if p < len(s) && s[p] == '"' {
		d.pos = p + 1
		return s[begin+1 : p], nil
	}
	buf := append(d.buf[:0], s[begin+1:p]...)
	for {
		if p >= len(s) {
			return "", d.errAt("Unterminated string starting", begin)
		}
		c := s[p]
		switch {
		case c == '"':
			d.pos = p + 1
			d.buf = buf
			return string(buf), nil
		case c < 0x20:
			return "", d.errAt("Invalid control character", p)
		case c >= 0x80: // latin-1: the byte is the code point
			buf = append(buf, 0xC0|c>>6, 0x80|c&0x3F)
			p++
		case c != '\\':
			q := p + 1
			for q < len(s) && jsonStrPlain[s[q]] {
				q++
			}
			buf = append(buf, s[p:q]...)
			p = q
		default:
			if p+1 >= len(s) {
				return "", d.errAt("Unterminated string starting", begin)
			}
			e := s[p+1]
			if e != 'u' {
				switch e {
				case '"', '\\', '/':
				case 'b':
					e = '\b'
				case 'f':
					e = '\f'
				case 'n':
					e = '\n'
				case 'r':
					e = '\r'
				case 't':
					e = '\t'
				default:
					return "", d.errAt("Invalid \\escape", p)
				}
				buf = append(buf, e)
				p += 2
				break
			}
			r, ok := jsonUnhex4(s, p+2)
			if !ok {
				return "", d.errAt("Invalid \\uXXXX escape", p)
			}
			p += 6
			if r >= 0xD800 && r <= 0xDBFF && p+1 < len(s) && s[p] == '\\' && s[p+1] == 'u' {
				r2, ok := jsonUnhex4(s, p+2)
				if !ok {
					return "", d.errAt("Invalid \\uXXXX escape", p)
				}
				if r2 >= 0xDC00 && r2 <= 0xDFFF {
					r = 0x10000 + (r-0xD800)<<10 + (r2 - 0xDC00)
					p += 6
				}
			}
			buf = jsonAppendCodePoint(buf, r)
		}
	}
}

// jsonUnhex4 decodes the four hex digits at s[i:i+4].
func jsonUnhex4(s string, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s[i : i+4]) {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// jsonAppendCodePoint appends r encoded in UTF-8, writing a surrogate as the
// 3-byte sequence of Python's "surrogatepass" (which utf8.AppendRune refuses).
func jsonAppendCodePoint(b []byte, r rune) []byte {
	switch {
	case r < 0x80:
		return append(b, byte(r))
	case r < 0x800:
		return append(b, 0xC0|byte(r>>6), 0x80|byte(r)&0x3F)
	case r < 0x10000:
		return append(b, 0xE0|byte(r>>12), 0x80|byte(r>>6)&0x3F, 0x80|byte(r)&0x3F)
	default:
		return append(b, 0xF0|byte(r>>18), 0x80|byte(r>>12)&0x3F, 0x80|byte(r>>6)&0x3F, 0x80|byte(r)&0x3F)
	}
}
