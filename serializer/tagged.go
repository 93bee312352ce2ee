// # Tagged JSON
//
// Tagged JSON is how the djangosess command prints a Value and reads one
// back (MarshalTagged, UnmarshalTagged). It is a stable contract for tools
// outside this module: every Python value maps to exactly one JSON text,
// and that text reads back to an Equal value.
//
// Output is compact UTF-8 JSON on one line. Strings are escaped as Go's
// encoding/json escapes them, except that <, > and & are left alone: '"',
// '\\', \n, \r, \t, \b and \f as two-character escapes, other control
// characters and U+2028/U+2029 as \u00XX / \u2028 / \u2029, everything
// else as itself. Object members come in the order listed below.
//
// Plain JSON stands for the common types:
//
//	None                 null
//	bool                 true, false
//	int in int64 range   a number without "." or exponent: 42, -7
//	float, finite        a number as Python's repr writes it, which always
//	                     has a "." or an exponent: 1.0, -0.0, 1e+16, 1.5e-05
//	str                  a string
//	list                 an array
//	dict                 an object, in insertion order, when every key is a
//	                     str (without lone surrogates), no key is "$type" and
//	                     the dict is not an OrderedDict
//
// Everything else is an object with a "$type" member, followed by the
// members shown (no others are allowed):
//
//	float nan/inf        {"$type":"float","value":"nan"}  ("inf", "-inf")
//	other int            {"$type":"int","value":"-123456789012345678901"}
//	str with surrogates  {"$type":"str","wtf8":"7aCA"}
//	                     base64 (standard, padded) of the str's code
//	                     points in UTF-8, a lone surrogate U+D800–U+DFFF
//	                     taking the 3 bytes "surrogatepass" writes (see Str)
//	other dict           {"$type":"dict","items":[[k,v],...]}
//	OrderedDict          {"$type":"dict","items":[[k,v],...],"ordered":true}
//	tuple, set,          {"$type":"tuple","value":[...]}
//	frozenset            ("set", "frozenset"; elements in their order)
//	bytes, bytearray     {"$type":"bytes","value":"AAEC"} ("bytearray");
//	                     base64, standard alphabet, padded
//	datetime             {"$type":"datetime","value":"2030-01-02T03:04:05.000006+01:00",
//	                     "tz":TZ,"fold":1}
//	                     value is Python's dt.isoformat(); tz is null for a
//	                     naive datetime; "fold" appears only when it is 1
//	time                 {"$type":"time","value":"03:04:05","tz":null}
//	                     likewise, with t.isoformat()
//	date                 {"$type":"date","value":"2030-01-02"}
//	timedelta            {"$type":"timedelta","days":-1,"seconds":86399,"microseconds":0}
//	                     normalized: 0 <= seconds < 86400, 0 <= microseconds < 10**6
//	Decimal              {"$type":"decimal","value":"1.10"}  (str(d))
//	UUID                 {"$type":"uuid","value":"12345678-1234-5678-1234-567812345678"}
//	any other object     {"$type":"object","class":"module.Name","build":B,
//	                     "args":[...],"kwargs":DICT,"state":V,
//	                     "listitems":[...],"dictitems":[[k,v],...]}
//
// An object's "build" says how pickle made it: "reduce", "newobj",
// "newobj_ex", "global" or "inst" (see ObjectBuild). "kwargs", "state",
// "listitems" and "dictitems" appear only when the object has them; "kwargs"
// is a dict in either form. When the class name itself contains a "." (a
// nested class), a "module" member follows "class" to say where the module
// name ends.
//
// A TZ (a datetime's or time's tzinfo) is one of:
//
//	{"kind":"fixed","offset":3600,"name":"CET"}  datetime.timezone; "name"
//	                     only when given; datetime.timezone.utc is
//	                     {"kind":"fixed","offset":0}
//	{"kind":"zoneinfo","key":"Europe/Paris"}     zoneinfo.ZoneInfo
//	{"kind":"pytz_utc"}                          pytz.utc
//	{"kind":"pytz","zone":"Europe/Paris","offset":3600,"dst":0,"abbrev":"CET"}
//	                     a pytz zone localized to one offset
//	{"kind":"other","offset":3600,"object":OBJECT}
//	                     any other tzinfo, kept as the object pickle gave;
//	                     offset is null when it is not known (TZInfo.Offset
//	                     zero), and "value" then has no offset
//
// Offsets are seconds, an integer unless the offset has microseconds
// (3600.5). In a datetime's "value" the offset is the one Python would
// print: a zoneinfo zone's offset for that wall time and fold is worked out
// with time.LoadLocation, so writing one fails (ErrUnsupported) when the
// time zone database is not available; a program can import time/tzdata.
//
// Text that is a Python str inside these objects (a timezone's name, a zone
// key, an abbreviation, a class or module name) is a JSON string, or a
// tagged str when it holds lone surrogates.
//
// Reading accepts exactly the above, with these allowances: any JSON
// whitespace; a number without "." or exponent is an int (a BigInt beyond
// int64; at most 4300 digits, as CPython), any other number a float (1e400
// is inf); \ud800-style escapes of lone surrogates in strings (as Python's
// json.dumps writes them); a "value" holding an offset or not (the tz member
// alone decides the tzinfo; "value" gives only the wall clock), and
// fractions of 1 to 6 digits; "tz" and "fold" may be left out (naive,
// fold 0), as may any of the timedelta fields (0, and the three are then
// normalized as timedelta(days, seconds, microseconds) does); a uuid in the
// forms ParseUUID takes. Duplicate members of a plain object
// behave as in Python (the first position, the last value); duplicate
// members of a tagged object are an error.
//
// Nesting is limited, in both directions, to 1000 levels of containers
// (list, tuple, set, frozenset, dict, object: the Python value's depth, not
// the JSON text's), and the JSON read to 10000 levels of arrays and
// objects; deeper input or values fail with ErrTooLarge. Whatever
// UnmarshalTagged returns, MarshalTagged writes, and the other way round.
package serializer

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// taggedMaxDepth bounds the nesting of containers (list, tuple, set,
// frozenset, dict, object) in both directions.
const taggedMaxDepth = 1000

// taggedMaxJSONDepth bounds the nesting of JSON arrays and objects read. A
// value within taggedMaxDepth is written at most 5 JSON levels per
// container level deep (a dict item holding a datetime whose tzinfo is an
// object), so everything MarshalTagged writes reads back.
const taggedMaxJSONDepth = 10000

// taggedMaxIntDigits bounds the digits of an int, as CPython 3.11's
// sys.get_int_max_str_digits() does.
const taggedMaxIntDigits = 4300

// MarshalTagged writes v as tagged JSON (see the package documentation):
// one line, no trailing newline. It fails with ErrUnsupported for a value
// Python could not hold (a nil Value, an invalid date, a timedelta that is
// not normalized, a str that is not UTF-8 with surrogates, a zoneinfo zone
// that cannot be loaded) and with ErrTooLarge for containers nested deeper
// than 1000 levels (a dict that contains itself included).
func MarshalTagged(v Value) ([]byte, error) {
	e := taggedEncoder{buf: make([]byte, 0, 256)}
	if err := e.value(v); err != nil {
		return nil, err
	}
	return e.buf, nil
}

// AppendTagged appends the tagged JSON of v to dst, as MarshalTagged
// writes it. On error it returns dst as it was.
func AppendTagged(dst []byte, v Value) ([]byte, error) {
	e := taggedEncoder{buf: dst}
	if err := e.value(v); err != nil {
		return dst, err
	}
	return e.buf, nil
}

// MarshalTaggedIndent is MarshalTagged with the output indented as
// json.MarshalIndent indents: each element on a new line starting with
// prefix and one copy of indent per level.
func MarshalTaggedIndent(v Value, prefix, indent string) ([]byte, error) {
	b, err := MarshalTagged(v)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	out.Grow(len(b) * 2)
	if err := json.Indent(&out, b, prefix, indent); err != nil {
		return nil, fmt.Errorf("serializer: tagged: indent: %v", err) // not reached: b is valid JSON
	}
	return out.Bytes(), nil
}

// UnmarshalTagged reads tagged JSON (see the package documentation). Errors
// match ErrMalformed, or ErrTooLarge for nesting beyond the limits or an
// int of more than 4300 digits. It never panics.
func UnmarshalTagged(data []byte) (Value, error) {
	p := taggedParser{s: data}
	n, err := p.document()
	if err != nil {
		return nil, err
	}
	return taggedValue(n, 0)
}

func taggedMalformed(format string, args ...any) error {
	return fmt.Errorf("%w: tagged: "+format, append([]any{ErrMalformed}, args...)...)
}

func taggedUnsupported(format string, args ...any) error {
	return fmt.Errorf("%w: tagged: "+format, append([]any{ErrUnsupported}, args...)...)
}

func taggedTooDeep() error {
	return fmt.Errorf("%w: tagged: containers nested deeper than %d levels", ErrTooLarge, taggedMaxDepth)
}
