package serializer

import "fmt"

// Pickle is the codec of Python's pickle module, as Django's PickleSerializer
// (session_data, Django ≤ 4.2), Django's RedisCache and django-redis use it.
//
// # Reading
//
// Unmarshal reads protocols 0 to 5 as CPython 3 writes them, and protocol 0
// to 2 as Python 2.7 writes them (Django 1.11). It never imports, calls or
// evaluates anything: a pickle is read as data. It maps:
//
//	None, bool, int, float          None, Bool, Int/BigInt, Float
//	str (Python 3), unicode (2)     Str (UTF-8; lone surrogates kept, see Str)
//	str (Python 2: STRING,          Str when every byte is ASCII, else Bytes
//	  BINSTRING, SHORT_BINSTRING)   (CPython 3 with its default
//	                                encoding="ASCII" fails on those instead)
//	bytes, bytearray                Bytes, ByteArray (also protocol 2's
//	                                _codecs.encode(s, "latin1") and
//	                                __builtin__.bytes/bytearray reductions)
//	list, tuple, dict               List, Tuple, *Dict
//	set, frozenset                  Set, FrozenSet (EMPTY_SET/ADDITEMS,
//	                                FROZENSET, and the set(list) and
//	                                frozenset(list) reductions)
//	collections.OrderedDict         *Dict with OrderedDict set
//	datetime.datetime/date/time     DateTime, Date, Time (the pickled state
//	                                bytes, fold bit included, and tzinfo)
//	datetime.timedelta              TimeDelta
//	decimal.Decimal                 Decimal, when the argument is the string
//	                                str() gives; any other argument keeps
//	                                the object opaque
//	uuid.UUID                       UUID (copyreg NEWOBJ or _reconstructor,
//	                                then state {"int": n}; is_safe is not
//	                                kept)
//
// A datetime's or time's tzinfo becomes a TZInfo: datetime.timezone (and
// timezone.utc) is TZFixed; pytz.utc (pytz._UTC()) is TZPytzUTC; a pytz zone
// pickled as pytz._p(zone, utcoffset, dst, tzname) is TZPytz, and
// pytz._p(zone) (a StaticTzInfo such as "EST" or "Etc/GMT+5") is TZPytz
// whose Offset and Abbrev come from the system's time zone database (the
// pickle holds the name only; they stay zero without the database, and Abbrev
// empty marks such a zone when written back); zoneinfo.ZoneInfo._unpickle(key,
// 1) is TZZoneInfo. Any other tzinfo is
// TZOther, with the object in Raw. A tzinfo that is not inside a datetime or
// time (a pickled timezone on its own) stays an opaque *Object.
//
// Everything else becomes an opaque *Object that records how the pickle
// built it (the global, REDUCE/NEWOBJ/NEWOBJ_EX/INST/OBJ, arguments, BUILD
// state, appended and set items), so that Marshal writes it back: a Django
// model instance, a lazy translation string, django.utils.safestring's
// SafeString (see Object.StrValue), an Enum member. A class or function
// reference reached as getattr(Outer, "name") is recorded as the dotted
// global "Outer.name", which is how protocol 4 names it.
//
// Globals get their Python 3 names, as CPython's unpickler gives them to a
// Python 2 pickle (__builtin__.unicode is builtins.str, copy_reg is
// copyreg; _compat_pickle's table). They are checked before anything is
// built from them: see SafePickleGlobal and AllowGlobal. A refused global fails with an error
// matching ErrForbiddenGlobal (and so ErrUnsupported). The modeled classes
// above are always accepted.
//
// Values reached twice through the memo (GET after PUT) are shared: a dict
// or object is the same pointer in both places, a list the same slice. A
// value that contains itself cannot be represented and fails with
// ErrUnsupported.
//
// Unmarshal refuses (ErrUnsupported) persistent IDs, out-of-band buffers
// and the copyreg extension registry (EXT1/2/4), which need the writer's
// cooperation to mean anything. As in CPython, bytes after the STOP opcode
// are ignored. It is stricter than CPython about datetime, date and time
// states that hold an impossible date or time (CPython copies them
// unchecked): they fail with ErrMalformed. Str values share one copy of the
// input, so keeping any of them keeps that copy alive.
//
// # Safety
//
// Unmarshal is meant for untrusted input (cache values are not signed):
//
//   - input longer than MaxSize fails with ErrTooLarge before anything is read;
//   - every length the input declares (FRAME, BINUNICODE8, BINBYTES8,
//     BYTEARRAY8, LONG4, ...) is checked against the bytes that remain
//     before anything is allocated;
//   - the result is bounded as a tree, counting a value reached through n
//     references n times: at most MaxDepth levels of containers, at most
//     MaxItems values, and at most 4×MaxSize bytes of str, bytes and
//     bytearray data (so a small pickle that references one big string a
//     million times is refused rather than handed on); decoding also stops
//     after 4×MaxItems values pushed or memoized;
//   - malformed input (truncation, an unknown opcode, stack underflow, a
//     missing MARK, an odd number of SETITEMS items, a memo miss, an
//     unhashable dict key or set element, invalid UTF-8) fails with
//     ErrMalformed; no input makes it panic.
//
// # Writing
//
// Marshal writes protocol Protocol (2 to 5). For None, bool, int, float,
// str, bytes, bytearray, list, tuple, dict, set and frozenset its output is
// byte for byte what CPython 3.11's pickle.dumps(v, protocol) writes for the
// same value built as json.loads and ordinary code build it: framing
// (protocol 4+: FRAME opcodes of at least 64 KiB, a frame closed before any
// str, bytes or bytearray of 64 KiB or more), the memo (MEMOIZE in 4+,
// BINPUT/LONG_BINPUT below), opcode choice by size, APPENDS/SETITEMS/
// ADDITEMS batches of 1000, and protocol 2 and 3's reductions for bytes,
// bytearray, set and frozenset (bytes as _codecs.encode(s, "latin1")). The
// memo follows CPython's object identity, so Marshal decides which values
// are "the same object" as CPython would see them:
//
//   - str dict keys that are equal are one object (json.loads shares them,
//     and literal keys in code are interned); the empty str and every str of
//     one character below U+0100 are one object (CPython caches them), and
//     so are the empty bytes and every bytes of length 1; any other str or
//     bytes is a new object each time it occurs;
//   - a *Dict, *Object or *TZInfo reached twice is one object (the same
//     pointer), and so is a list, tuple, set, frozenset, bytes or bytearray
//     reached twice with the same backing array and length (what Unmarshal
//     gives for a value the pickle shared); so are timezone.utc, pytz.utc,
//     a pytz zone with the same name, offset, dst and abbreviation, and a
//     zoneinfo zone with the same key, which Python caches;
//   - everything else (datetimes, decimals, UUIDs, and str as above) is a
//     new object each time.
//
// The datetime types, Decimal, UUID, OrderedDict and tzinfos are written the
// way their own __reduce__ methods make CPython write them, which is byte
// for byte CPython's output for values built that way too (at protocols 2
// and 3 a datetime's or time's fold is not written, as in CPython; a pytz
// zone whose Abbrev is empty, or one of pytz's static zones (EST, MST, HST,
// GMT*, UCT, Universal, Zulu, Greenwich, Etc/*), is written as
// pytz._p(name), as pytz pickles a StaticTzInfo). Opaque
// objects are written back the way they were read: same global, same build
// opcode, same arguments, state and items; their memo identity and batching
// follow the rules above. At protocol 2 a global's module and name are
// translated to their Python 2 names (builtins → __builtin__ and the
// rest of _compat_pickle's table), as CPython's fix_imports does; at
// protocols 3 to 5 Python 2 names in an Object built by hand are translated
// to Python 3 ones, so that CPython 3 can load the result. A dotted name
// ("Outer.name") is written as STACK_GLOBAL in protocol 4 and 5 and as
// getattr(Outer, "name") below, as CPython does.
//
// Marshal fails with ErrUnsupported for what CPython could not load back: a
// nil Value, a Str that is not UTF-8 (apart from lone surrogates), an
// invalid date or time, a tzinfo with an offset of 24 hours or more, a
// Decimal that decimal.Decimal() would reject, an object whose global is
// refused (as on reading), an object built with NEWOBJ_EX below protocol 4;
// and, also matching ErrTooLarge, containers nested deeper than MaxDepth. A
// *Dict, List or object state that contains itself is written as CPython
// writes one (Unmarshal refuses it, though).
//
// The zero Pickle is ready to use; a limit left at zero (or negative) takes
// its default. Pickle is safe for concurrent use.
type Pickle struct {
	// Protocol is the protocol Marshal writes, 2 to 5. Zero means 5, what
	// Django's PickleSerializer and RedisCache write on Python 3.8+ (and
	// django-redis up to 5.0); django-redis 5.1 and later write 4.
	Protocol int
	// MaxSize bounds the input of Unmarshal, in bytes. Default 16 MiB.
	MaxSize int
	// MaxDepth bounds the nesting of containers (list, tuple, set,
	// frozenset, dict, object), in both directions. Default 1000.
	MaxDepth int
	// MaxItems bounds the number of values in the result of Unmarshal,
	// counted as a tree (see Safety). Default 1,000,000.
	MaxItems int
	// AllowGlobal, when not nil, decides which globals (classes and
	// functions named by GLOBAL, STACK_GLOBAL and INST) Unmarshal accepts
	// and Marshal writes, in place of SafePickleGlobal. It is not asked
	// about the classes Pickle models itself (see Reading), which are always
	// accepted. Module and name are as the pickle spells them (a Python 2
	// pickle says "__builtin__"); a dotted name is a nested attribute.
	AllowGlobal func(module, name string) bool
}

// ErrForbiddenGlobal is matched by the error for a pickle global that the
// global policy refuses (os.system, builtins.eval, subprocess.Popen, ...;
// see SafePickleGlobal). It also matches ErrUnsupported.
var ErrForbiddenGlobal = fmt.Errorf("%w: pickle: forbidden global", ErrUnsupported)

// The defaults.
const (
	// DefaultPickleProtocol is the protocol Marshal writes when Protocol is 0.
	DefaultPickleProtocol = 5
	pickleDefaultMaxSize  = 16 << 20
	pickleDefaultMaxDepth = 1000
	pickleDefaultMaxItems = 1_000_000
	pickleHighestProtocol = 5
)

var _ Codec = Pickle{}

// Name returns "pickle".
func (Pickle) Name() string { return "pickle" }

func (p Pickle) maxSize() int {
	if p.MaxSize > 0 {
		return p.MaxSize
	}
	return pickleDefaultMaxSize
}

func (p Pickle) maxDepth() int {
	if p.MaxDepth > 0 {
		return p.MaxDepth
	}
	return pickleDefaultMaxDepth
}

func (p Pickle) maxItems() int {
	if p.MaxItems > 0 {
		return p.MaxItems
	}
	return pickleDefaultMaxItems
}

func (p Pickle) allowed(module, name string) bool {
	if p.AllowGlobal != nil {
		return p.AllowGlobal(module, name)
	}
	return SafePickleGlobal(module, name)
}

// Unmarshal decodes one pickle (see Pickle for the mapping and the limits).
func (p Pickle) Unmarshal(data []byte) (v Value, err error) {
	if max := p.maxSize(); len(data) > max {
		return nil, fmt.Errorf("%w: pickle: input is %d bytes, over the limit of %d", ErrTooLarge, len(data), max)
	}
	d := newPickleDecoder(p, data)
	defer func() {
		// Last line of defence: a bug must not take the process down on
		// hostile input. Every known failure returns an error on its own.
		if r := recover(); r != nil {
			v, err = nil, fmt.Errorf("%w: pickle: internal error: %v", ErrMalformed, r)
		}
		d.release()
	}()
	return d.decode()
}

// Marshal encodes v at protocol p.Protocol (see Pickle).
func (p Pickle) Marshal(v Value) (out []byte, err error) {
	proto := p.Protocol
	if proto == 0 {
		proto = DefaultPickleProtocol
	}
	if proto < 2 || proto > pickleHighestProtocol {
		return nil, fmt.Errorf("%w: pickle: protocol %d (Marshal writes 2 to %d)", ErrUnsupported, proto, pickleHighestProtocol)
	}
	e := newPickleEncoder(p, proto)
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("%w: pickle: internal error: %v", ErrUnsupported, r)
		}
		e.release()
	}()
	return e.encode(v)
}

// pickleTooDeep is the error for values nested deeper than the limit.
func pickleTooDeep(max int) error {
	return fmt.Errorf("%w: pickle: containers nested deeper than %d", ErrTooLarge, max)
}

// pickleMarshalTooDeep is the Marshal error for values nested too deep: it
// matches both ErrUnsupported and ErrTooLarge.
func pickleMarshalTooDeep(max int) error {
	return fmt.Errorf("%w: %w: pickle: containers nested deeper than %d", ErrUnsupported, ErrTooLarge, max)
}
