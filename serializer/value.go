package serializer

import (
	"math/big"
	"time"
)

// Value is a Python value. The set of implementations is closed: every value
// a codec in this module produces or accepts is one of the types below, so a
// type switch over them is exhaustive.
//
//	Python                     Go
//	None                       None
//	bool                       Bool
//	int (fits in int64)        Int
//	int (any other)            BigInt (never in int64 range; see NewBigInt)
//	float                      Float
//	str                        Str (UTF-8; lone surrogates as 3-byte sequences)
//	bytes / bytearray          Bytes / ByteArray
//	list / tuple               List / Tuple
//	set / frozenset            Set / FrozenSet
//	dict (and OrderedDict)     *Dict
//	datetime.datetime          DateTime
//	datetime.date              Date
//	datetime.time              Time
//	datetime.timedelta         TimeDelta
//	decimal.Decimal            Decimal
//	uuid.UUID                  UUID
//	anything else              *Object (opaque; written back unchanged)
type Value interface {
	// Kind names the Python type, as Python's type(v).__name__ would.
	Kind() Kind
}

// Kind identifies which Python type a Value holds.
type Kind uint8

// The kinds, one per implementation of Value.
const (
	KindNone Kind = iota
	KindBool
	KindInt // Int and BigInt
	KindFloat
	KindStr
	KindBytes
	KindByteArray
	KindList
	KindTuple
	KindSet
	KindFrozenSet
	KindDict
	KindDateTime
	KindDate
	KindTime
	KindTimeDelta
	KindDecimal
	KindUUID
	KindObject
)

var kindNames = [...]string{
	KindNone: "NoneType", KindBool: "bool", KindInt: "int", KindFloat: "float",
	KindStr: "str", KindBytes: "bytes", KindByteArray: "bytearray", KindList: "list",
	KindTuple: "tuple", KindSet: "set", KindFrozenSet: "frozenset", KindDict: "dict",
	KindDateTime: "datetime", KindDate: "date", KindTime: "time",
	KindTimeDelta: "timedelta", KindDecimal: "Decimal", KindUUID: "UUID", KindObject: "object",
}

// String returns the Python type name.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// None is Python's None.
type None struct{}

// Bool is a Python bool.
type Bool bool

// Int is a Python int that fits in an int64.
type Int int64

// BigInt is a Python int outside the int64 range. Build one with NewBigInt,
// which returns an Int when the value fits, so that every integer has exactly
// one representation.
type BigInt struct{ V *big.Int }

// Float is a Python float (IEEE 754 double, nan and infinities included).
type Float float64

// Str is a Python str. It holds the string's code points encoded one by one
// in UTF-8, which for a lone surrogate (U+D800–U+DFFF) is the 3-byte sequence
// Python's "surrogatepass" error handler writes. A Str made from any valid Go
// string is therefore the Python str with the same characters.
type Str string

// Bytes is a Python bytes object.
type Bytes []byte

// ByteArray is a Python bytearray.
type ByteArray []byte

// List is a Python list.
type List []Value

// Tuple is a Python tuple.
type Tuple []Value

// Set is a Python set, in the order its elements were read or added.
type Set []Value

// FrozenSet is a Python frozenset, in the order its elements were read or added.
type FrozenSet []Value

// Date is a datetime.date.
type Date struct {
	Year, Month, Day int
}

// Time is a datetime.time.
type Time struct {
	Hour, Minute, Second, Microsecond int
	Fold                              int     // 0 or 1
	TZ                                *TZInfo // nil when naive
}

// DateTime is a datetime.datetime.
type DateTime struct {
	Year, Month, Day                  int
	Hour, Minute, Second, Microsecond int
	Fold                              int     // 0 or 1
	TZ                                *TZInfo // nil when naive
}

// TimeDelta is a datetime.timedelta, normalized as Python does:
// 0 <= Seconds < 86400 and 0 <= Microseconds < 1000000.
type TimeDelta struct {
	Days, Seconds, Microseconds int64
}

// Decimal is a decimal.Decimal, kept as the string Python's str() gives
// ("1.10", "-0", "1E+3", "NaN", "-Infinity", "sNaN"), so no digit is lost.
type Decimal string

// UUID is a uuid.UUID.
type UUID [16]byte

// TZKind says which Python tzinfo class a TZInfo stands for.
type TZKind uint8

// The tzinfo classes Django and its dependencies put into datetimes.
const (
	// TZFixed is datetime.timezone(Offset[, Name]); datetime.timezone.utc is
	// TZFixed with a zero Offset and no Name.
	TZFixed TZKind = iota
	// TZZoneInfo is zoneinfo.ZoneInfo(Name); the offset depends on the moment.
	TZZoneInfo
	// TZPytzUTC is pytz.utc (pytz.UTC), the tzinfo of aware datetimes on Django ≤ 3.2.
	TZPytzUTC
	// TZPytz is a pytz zone localized to one offset: pytz.timezone(Name) with
	// the utcoffset Offset, dst DST and abbreviation Abbrev.
	TZPytz
	// TZOther is any other tzinfo, kept as the opaque object in Raw; Offset is
	// the utcoffset when it is known.
	TZOther
)

// TZInfo is the tzinfo of an aware datetime or time.
type TZInfo struct {
	Kind   TZKind
	Name   string        // TZFixed: the name given to timezone() or ""; TZZoneInfo and TZPytz: the zone key
	Offset time.Duration // TZFixed, TZPytz (and TZOther when known): the UTC offset
	DST    time.Duration // TZPytz: the dst() of the localized zone
	Abbrev string        // TZPytz: the tzname(), e.g. "CET"
	Raw    *Object       // TZOther: the tzinfo object as read
}

// UTC is datetime.timezone.utc.
var UTC = &TZInfo{Kind: TZFixed}

// Object is an instance of a class this module does not model. It keeps what
// the pickle that made it said, so that it can be written back unchanged; it
// is never "called" or interpreted.
type Object struct {
	// Module and Name name the class (or callable) the pickle referred to,
	// e.g. "django.db.models.base" and "model_unpickle".
	Module, Name string
	// How the object was built.
	Build ObjectBuild
	// Args are the arguments passed to the callable or to cls.__new__.
	Args Tuple
	// Kwargs are NEWOBJ_EX's keyword arguments (nil otherwise).
	Kwargs *Dict
	// State is what BUILD applied (nil when there was no BUILD).
	State Value
	// ListItems and DictItems were appended or set on the object after it was
	// built (APPENDS / SETITEMS on an object that is not a list or dict).
	ListItems []Value
	DictItems []Item
}

// ObjectBuild says how a pickle built an Object.
type ObjectBuild uint8

// The ways a pickle builds an object.
const (
	BuildReduce   ObjectBuild = iota // callable(*Args) via REDUCE
	BuildNewObj                      // cls.__new__(cls, *Args) via NEWOBJ
	BuildNewObjEx                    // cls.__new__(cls, *Args, **Kwargs) via NEWOBJ_EX
	BuildGlobal                      // the global itself (a class or function reference)
	BuildInst                        // protocol 0/1 INST or OBJ
)

// QualName is "module.Name", as tagged JSON shows the class.
func (o *Object) QualName() string { return o.Module + "." + o.Name }

// Kind implementations.

func (None) Kind() Kind      { return KindNone }
func (Bool) Kind() Kind      { return KindBool }
func (Int) Kind() Kind       { return KindInt }
func (BigInt) Kind() Kind    { return KindInt }
func (Float) Kind() Kind     { return KindFloat }
func (Str) Kind() Kind       { return KindStr }
func (Bytes) Kind() Kind     { return KindBytes }
func (ByteArray) Kind() Kind { return KindByteArray }
func (List) Kind() Kind      { return KindList }
func (Tuple) Kind() Kind     { return KindTuple }
func (Set) Kind() Kind       { return KindSet }
func (FrozenSet) Kind() Kind { return KindFrozenSet }
func (*Dict) Kind() Kind     { return KindDict }
func (DateTime) Kind() Kind  { return KindDateTime }
func (Date) Kind() Kind      { return KindDate }
func (Time) Kind() Kind      { return KindTime }
func (TimeDelta) Kind() Kind { return KindTimeDelta }
func (Decimal) Kind() Kind   { return KindDecimal }
func (UUID) Kind() Kind      { return KindUUID }
func (*Object) Kind() Kind   { return KindObject }

// NewBigInt returns v as an Int when it fits in an int64 and as a BigInt
// (holding a copy of v) otherwise.
func NewBigInt(v *big.Int) Value {
	if v.IsInt64() {
		return Int(v.Int64())
	}
	return BigInt{V: new(big.Int).Set(v)}
}

// Big returns the integer as a *big.Int.
func (i Int) Big() *big.Int { return big.NewInt(int64(i)) }
