package serializer

import (
	"fmt"
	"unicode/utf8"
)

// tjNode is one parsed JSON value, before it is read as a Value.
type tjNode struct {
	kind  byte   // 'n' null, 't' true, 'f' false, 's' string, 'i' integer, 'd' other number, 'a' array, 'o' object
	off   int    // byte offset in the input, for errors
	str   string // 's': the string (UTF-8, lone surrogates as 3 bytes); 'i', 'd': the literal
	elems []*tjNode
	keys  []string // 'o': member names, in order; vals holds the values
	vals  []*tjNode
}

func (n *tjNode) kindName() string {
	switch n.kind {
	case 'n':
		return "null"
	case 't', 'f':
		return "boolean"
	case 's':
		return "string"
	case 'i', 'd':
		return "number"
	case 'a':
		return "array"
	}
	return "object"
}

// taggedParser is a strict RFC 8259 JSON parser with a nesting limit.
type taggedParser struct {
	s     []byte
	i     int
	depth int
}

func (p *taggedParser) errAt(off int, what string) error {
	return taggedMalformed("%s at offset %d", what, off)
}

func (p *taggedParser) ws() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *taggedParser) document() (*tjNode, error) {
	p.ws()
	n, err := p.value()
	if err != nil {
		return nil, err
	}
	p.ws()
	if p.i != len(p.s) {
		return nil, p.errAt(p.i, "extra data")
	}
	return n, nil
}

func (p *taggedParser) value() (*tjNode, error) {
	if p.i >= len(p.s) {
		return nil, p.errAt(p.i, "unexpected end of input")
	}
	start := p.i
	switch c := p.s[p.i]; {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"':
		s, err := p.string()
		if err != nil {
			return nil, err
		}
		return &tjNode{kind: 's', off: start, str: s}, nil
	case c == 't':
		return p.word("true", 't')
	case c == 'f':
		return p.word("false", 'f')
	case c == 'n':
		return p.word("null", 'n')
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	}
	return nil, p.errAt(start, "expected a value")
}

func (p *taggedParser) word(w string, kind byte) (*tjNode, error) {
	if len(p.s)-p.i < len(w) || string(p.s[p.i:p.i+len(w)]) != w {
		return nil, p.errAt(p.i, "expected a value")
	}
	n := &tjNode{kind: kind, off: p.i}
	p.i += len(w)
	return n, nil
}

func (p *taggedParser) enter() error {
	p.depth++
	if p.depth > taggedMaxJSONDepth {
		return fmt.Errorf("%w: tagged: JSON nested deeper than %d levels at offset %d", ErrTooLarge, taggedMaxJSONDepth, p.i)
	}
	return nil
}

func (p *taggedParser) array() (*tjNode, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	n := &tjNode{kind: 'a', off: p.i}
	p.i++ // [
	p.ws()
	if p.i < len(p.s) && p.s[p.i] == ']' {
		p.i++
		p.depth--
		return n, nil
	}
	for {
		p.ws()
		e, err := p.value()
		if err != nil {
			return nil, err
		}
		n.elems = append(n.elems, e)
		p.ws()
		if p.i >= len(p.s) {
			return nil, p.errAt(p.i, "unexpected end of input in array")
		}
		switch p.s[p.i] {
		case ',':
			p.i++
		case ']':
			p.i++
			p.depth--
			return n, nil
		default:
			return nil, p.errAt(p.i, "expected , or ] in array")
		}
	}
}

func (p *taggedParser) object() (*tjNode, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	n := &tjNode{kind: 'o', off: p.i}
	p.i++ // {
	p.ws()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		p.depth--
		return n, nil
	}
	for {
		p.ws()
		if p.i >= len(p.s) || p.s[p.i] != '"' {
			return nil, p.errAt(p.i, "expected a member name")
		}
		k, err := p.string()
		if err != nil {
			return nil, err
		}
		p.ws()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			return nil, p.errAt(p.i, "expected :")
		}
		p.i++
		p.ws()
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		n.keys = append(n.keys, k)
		n.vals = append(n.vals, v)
		p.ws()
		if p.i >= len(p.s) {
			return nil, p.errAt(p.i, "unexpected end of input in object")
		}
		switch p.s[p.i] {
		case ',':
			p.i++
		case '}':
			p.i++
			p.depth--
			return n, nil
		default:
			return nil, p.errAt(p.i, "expected , or } in object")
		}
	}
}

func tgIsDigit(c byte) bool { return c >= '0' && c <= '9' }

func (p *taggedParser) number() (*tjNode, error) {
	s, start := p.s, p.i
	i := start
	kind := byte('i')
	if s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		for i < len(s) && tgIsDigit(s[i]) {
			i++
		}
	default:
		return nil, p.errAt(start, "bad number")
	}
	if i < len(s) && s[i] == '.' {
		kind = 'd'
		i++
		if i >= len(s) || !tgIsDigit(s[i]) {
			return nil, p.errAt(start, "bad number")
		}
		for i < len(s) && tgIsDigit(s[i]) {
			i++
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		kind = 'd'
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i >= len(s) || !tgIsDigit(s[i]) {
			return nil, p.errAt(start, "bad number")
		}
		for i < len(s) && tgIsDigit(s[i]) {
			i++
		}
	}
	p.i = i
	return &tjNode{kind: kind, off: start, str: string(s[start:i])}, nil
}

// string reads a string literal at p.i (the opening quote). Raw bytes must
// be UTF-8; \u escapes of lone surrogates give their 3-byte encodings, as
// Python's json.loads gives lone surrogates.
func (p *taggedParser) string() (string, error) {
	s := p.s
	begin := p.i
	i := begin + 1
	// Fast path: printable ASCII up to the closing quote.
	for i < len(s) && s[i] >= 0x20 && s[i] < utf8.RuneSelf && s[i] != '"' && s[i] != '\\' {
		i++
	}
	if i < len(s) && s[i] == '"' {
		p.i = i + 1
		return string(s[begin+1 : i]), nil
	}
	buf := make([]byte, 0, i-begin+16)
	buf = append(buf, s[begin+1:i]...)
	for {
		if i >= len(s) {
			return "", p.errAt(begin, "unterminated string")
		}
		c := s[i]
		switch {
		case c == '"':
			p.i = i + 1
			return string(buf), nil
		case c < 0x20:
			return "", p.errAt(i, "control character in string")
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRune(s[i:])
			if r == utf8.RuneError && size == 1 {
				return "", p.errAt(i, "invalid UTF-8 in string")
			}
			buf = append(buf, s[i:i+size]...)
			i += size
		case c != '\\':
			buf = append(buf, c)
			i++
		default:
			if i+1 >= len(s) {
				return "", p.errAt(begin, "unterminated string")
			}
			e := s[i+1]
			if e == 'u' {
				r, ok := tgHex4(s, i+2)
				if !ok {
					return "", p.errAt(i, `bad \u escape`)
				}
				i += 6
				if r >= 0xD800 && r <= 0xDBFF && i+1 < len(s) && s[i] == '\\' && s[i+1] == 'u' {
					if r2, ok := tgHex4(s, i+2); ok && r2 >= 0xDC00 && r2 <= 0xDFFF {
						r = 0x10000 + (r-0xD800)<<10 + (r2 - 0xDC00)
						i += 6
					}
				}
				buf = tgAppendPyRune(buf, r)
				continue
			}
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
				return "", p.errAt(i, "bad escape")
			}
			buf = append(buf, e)
			i += 2
		}
	}
}

// tgHex4 decodes the four hex digits at s[i:i+4].
func tgHex4(s []byte, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	var r rune
	for _, c := range s[i : i+4] {
		d, ok := tgUnhex(c)
		if !ok {
			return 0, false
		}
		r = r<<4 | rune(d)
	}
	return r, true
}

// tgAppendPyRune appends the code point r in UTF-8, a surrogate as the 3 bytes
// "surrogatepass" writes.
func tgAppendPyRune(b []byte, r rune) []byte {
	if r >= 0xD800 && r <= 0xDFFF {
		return append(b, 0xED, 0x80|byte(r>>6)&0x3F, 0x80|byte(r)&0x3F)
	}
	return utf8.AppendRune(b, r)
}
