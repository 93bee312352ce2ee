package sqlstore

import (
	"crypto/md5"
	"encoding/hex"
	"strings"
	"unicode"
)

// DefaultTable is the table of Django's Session model.
const DefaultTable = "django_session"

// The columns of AbstractBaseSession.
const (
	colKey    = "session_key"
	colData   = "session_data"
	colExpiry = "expire_date"
)

// IndexName is Django's BaseDatabaseSchemaEditor._create_index_name(table,
// [column], suffix) for a backend whose max_name_length() is maxLength (0
// meaning none, so 200): "<table>_<column>_<md5(table+column)[:8]><suffix>",
// shortened as Django shortens it when that is too long. Lengths count
// characters, as Python's do.
func IndexName(table, column, suffix string, maxLength int) string {
	if maxLength == 0 {
		maxLength = 200
	}
	sum := md5.Sum([]byte(table + column))
	hashSuffix := hex.EncodeToString(sum[:])[:8] + suffix
	name := table + "_" + column + "_" + hashSuffix
	if runeLen(name) <= maxLength {
		return name
	}
	if runeLen(hashSuffix) > maxLength/3 {
		hashSuffix = runePrefix(hashSuffix, maxLength/3)
	}
	other := (maxLength-runeLen(hashSuffix))/2 - 1
	name = runePrefix(table, other) + "_" + runePrefix(column, other) + "_" + hashSuffix
	if first := []rune(name)[0]; first == '_' || unicode.IsDigit(first) {
		r := []rune(name)
		name = "D" + string(r[:len(r)-1])
	}
	return name
}

func runeLen(s string) int { return len([]rune(s)) }

func runePrefix(s string, n int) string {
	if n < 0 {
		// Python's s[:negative] drops characters from the end.
		r := []rune(s)
		if -n >= len(r) {
			return ""
		}
		return string(r[:len(r)+n])
	}
	r := []rune(s)
	if n >= len(r) {
		return s
	}
	return string(r[:n])
}

// DDL returns the statements of Django's migration sessions.0001_initial
// for a Session model in table (unqualified), as Django's schema editor
// writes them for this engine; qualified is how they name the table
// (quoted, perhaps with a schema). The first creates the table, the
// others its indexes.
func (e *Engine) DDL(table, qualified string) []Statement {
	var b strings.Builder
	b.WriteString(qualified)
	b.WriteString(" (")
	b.WriteString(e.Quote(colKey) + " varchar(40) NOT NULL PRIMARY KEY, ")
	b.WriteString(e.Quote(colData) + " " + e.TextType + " NOT NULL, ")
	b.WriteString(e.Quote(colExpiry) + " " + e.DateTimeType + " NOT NULL)")
	out := []Statement{{Kind: "TABLE", Name: table, body: b.String()}}
	if e.LikeIndex {
		name := IndexName(table, colKey, "_like", e.MaxNameLength)
		out = append(out, Statement{Kind: "INDEX", Name: name,
			body: e.Quote(name) + " ON " + qualified + " (" + e.Quote(colKey) + " varchar_pattern_ops)"})
	}
	name := IndexName(table, colExpiry, "", e.MaxNameLength)
	out = append(out, Statement{Kind: "INDEX", Name: name,
		body: e.Quote(name) + " ON " + qualified + " (" + e.Quote(colExpiry) + ")"})
	return out
}

// Statement is one CREATE TABLE or CREATE INDEX of the migration.
type Statement struct {
	Kind string // "TABLE" or "INDEX"
	Name string // the table's or the index's name, unquoted
	body string
}

// SQL is the statement, with IF NOT EXISTS when ifNotExists is true.
func (s Statement) SQL(ifNotExists bool) string {
	if ifNotExists {
		return "CREATE " + s.Kind + " IF NOT EXISTS " + s.body
	}
	return "CREATE " + s.Kind + " " + s.body
}
