package serializer

// JSON is the codec of Django's JSONSerializer: Python's json module as
// Django calls it.
//
// Marshal writes exactly the bytes of json.dumps(v, separators=(",", ":"))
// (ensure_ascii=True, allow_nan=True, insertion-ordered keys), so the output
// is pure ASCII. Unmarshal reads data as Django does,
// json.loads(data.decode("latin-1")): each byte is one character, so a byte
// of 0x80 or more is U+0080–U+00FF and raw UTF-8 comes back as mojibake, just
// as Django sees it.
//
// The zero JSON is ready to use; a field left at zero (or negative) takes
// its default. JSON is safe for concurrent use.
type JSON struct {
	// MaxDepth bounds the nesting of arrays and objects, in both directions.
	// Default 1000, CPython's default recursion limit (CPython's json itself
	// gives up slightly earlier, at about 995 levels). Deeper input fails
	// with ErrTooLarge; a deeper value (or a dict that contains itself) fails
	// to marshal with an error matching both ErrUnsupported and ErrTooLarge.
	MaxDepth int
	// MaxSize bounds the length of the input to Unmarshal, in bytes.
	// Default 16 MiB. Longer input fails with ErrTooLarge.
	MaxSize int
	// MaxIntDigits bounds the decimal digits of an integer (the sign is not
	// counted), as CPython 3.11's sys.get_int_max_str_digits() does for both
	// json.loads and json.dumps. Default 4300, CPython's default. Unmarshal
	// fails with ErrTooLarge; Marshal with an error matching both
	// ErrUnsupported and ErrTooLarge. Floats are not limited.
	MaxIntDigits int
}

const (
	jsonDefaultMaxDepth     = 1000
	jsonDefaultMaxSize      = 16 << 20
	jsonDefaultMaxIntDigits = 4300
)

var _ Codec = JSON{}

// Name returns "json".
func (JSON) Name() string { return "json" }

func (j JSON) maxDepth() int {
	if j.MaxDepth > 0 {
		return j.MaxDepth
	}
	return jsonDefaultMaxDepth
}

func (j JSON) maxSize() int {
	if j.MaxSize > 0 {
		return j.MaxSize
	}
	return jsonDefaultMaxSize
}

func (j JSON) maxIntDigits() int {
	if j.MaxIntDigits > 0 {
		return j.MaxIntDigits
	}
	return jsonDefaultMaxIntDigits
}
