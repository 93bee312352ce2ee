package serializer

import (
	"strconv"
	"strings"
)

// decimal.Decimal strings: what str() writes (a pickled Decimal's argument)
// and what Decimal() accepts.

// pkDecimalCanonical reports whether s is exactly what str(Decimal(s))
// gives, so that Decimal(s) holds it without change.
func pkDecimalCanonical(s string) bool {
	body := strings.TrimPrefix(s, "-")
	switch {
	case body == "Infinity":
		return true
	case strings.HasPrefix(body, "sNaN"):
		return pkCanonicalPayload(body[4:])
	case strings.HasPrefix(body, "NaN"):
		return pkCanonicalPayload(body[3:])
	}
	mant, expPart, hasExp := strings.Cut(body, "E")
	intPart, frac, hasDot := strings.Cut(mant, ".")
	if !pkAllDigits(intPart) || hasDot && !pkAllDigits(frac) || intPart == "" {
		return false
	}
	exp := int64(0)
	if hasExp {
		if len(expPart) < 2 || len(expPart) > 19 || expPart[0] != '+' && expPart[0] != '-' || !pkAllDigits(expPart[1:]) {
			return false
		}
		var err error
		if exp, err = strconv.ParseInt(expPart, 10, 64); err != nil {
			return false
		}
	}
	coeff := strings.TrimLeft(intPart+frac, "0")
	if coeff == "" {
		coeff = "0"
	}
	if len(frac) > 1<<20 {
		return false
	}
	return pkDecimalString(s[:len(s)-len(body)], coeff, exp-int64(len(frac))) == s
}

func pkCanonicalPayload(p string) bool {
	return p == "" || pkAllDigits(p) && p[0] != '0'
}

func pkAllDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// pkDecimalString is Decimal.__str__ for a finite number: sign, coefficient
// digits (no leading zeros) and exponent.
func pkDecimalString(sign, coeff string, exp int64) string {
	left := exp + int64(len(coeff))
	dot := int64(1)
	if exp <= 0 && left > -6 {
		dot = left
	}
	var b strings.Builder
	b.WriteString(sign)
	switch {
	case dot <= 0:
		b.WriteString("0.")
		b.WriteString(strings.Repeat("0", int(-dot)))
		b.WriteString(coeff)
	case dot >= int64(len(coeff)):
		b.WriteString(coeff)
		b.WriteString(strings.Repeat("0", int(dot-int64(len(coeff)))))
	default:
		b.WriteString(coeff[:dot])
		b.WriteByte('.')
		b.WriteString(coeff[dot:])
	}
	if left != dot {
		b.WriteByte('E')
		if left-dot >= 0 {
			b.WriteByte('+')
		}
		b.WriteString(strconv.FormatInt(left-dot, 10))
	}
	return b.String()
}

// pkDecimalValid reports whether decimal.Decimal(s) accepts s.
func pkDecimalValid(s string) bool {
	s = strings.Trim(s, " \t\n\r\v\f")
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	low := strings.ToLower(s)
	switch {
	case low == "inf" || low == "infinity":
		return true
	case strings.HasPrefix(low, "snan"):
		return low == "snan" || pkDigitRun(s[4:])
	case strings.HasPrefix(low, "nan"):
		return low == "nan" || pkDigitRun(s[3:])
	}
	mant, exp := s, ""
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		mant, exp = s[:i], s[i+1:]
		if exp != "" && (exp[0] == '+' || exp[0] == '-') {
			exp = exp[1:]
		}
		if !pkDigitRun(exp) {
			return false
		}
	}
	intPart, frac, hasDot := strings.Cut(mant, ".")
	switch {
	case !hasDot:
		return pkDigitRun(intPart)
	case intPart == "":
		return pkDigitRun(frac)
	default:
		return pkDigitRun(intPart) && (frac == "" || pkDigitRun(frac))
	}
}

// pkDigitRun reports whether s is digits with single underscores between
// them, as Python's numeric literals allow.
func pkDigitRun(s string) bool {
	if s == "" || s[0] == '_' || s[len(s)-1] == '_' || strings.Contains(s, "__") {
		return false
	}
	for i := 0; i < len(s); i++ {
		if (s[i] < '0' || s[i] > '9') && s[i] != '_' {
			return false
		}
	}
	return true
}
