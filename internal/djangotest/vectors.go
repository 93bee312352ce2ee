package djangotest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// VectorFile is one testdata/vectors/django-<version>.json: cases that
// real Django produced (testdata/gen_vectors.py; schema in testdata/README.md).
type VectorFile struct {
	Django       string   `json:"django"`
	SecretKey    string   `json:"secret_key"`
	FallbackKeys []string `json:"fallback_keys"`
	Timestamp    int64    `json:"timestamp"`
	Cases        []Case   `json:"cases"`
}

// Case is one vector.
type Case struct {
	Name              string          `json:"name"`
	Op                string          `json:"op"`
	Params            map[string]any  `json:"params"`
	Input             json.RawMessage `json:"input"`
	Output            json.RawMessage `json:"output"`
	Error             *string         `json:"error"`
	Message           string          `json:"message"`
	Value             json.RawMessage `json:"value"`
	DjangoDecode      json.RawMessage `json:"django_decode"`
	DjangoDecodeError *string         `json:"django_decode_error"`
	Legacy            json.RawMessage `json:"legacy"`
	Compressed        *bool           `json:"compressed"`
	// IdentityDependent marks pickles whose bytes depend on which Python
	// objects were shared (memo references), which a value rebuilt from
	// tagged JSON cannot reproduce: compare values, not bytes.
	IdentityDependent bool `json:"identity_dependent"`
}

// Str returns a string param ("" when absent).
func (c Case) Str(name string) string {
	s, _ := c.Params[name].(string)
	return s
}

// Has reports whether a param is present.
func (c Case) Has(name string) bool {
	_, ok := c.Params[name]
	return ok
}

// OutputString returns Output as a string ("" when null).
func (c Case) OutputString(tb testing.TB) string {
	tb.Helper()
	var s *string
	if err := json.Unmarshal(c.Output, &s); err != nil || s == nil {
		return ""
	}
	return *s
}

// InputString returns Input as a string.
func (c Case) InputString(tb testing.TB) string {
	tb.Helper()
	var s string
	if err := json.Unmarshal(c.Input, &s); err != nil {
		tb.Fatalf("case %s: input is not a string: %s", c.Name, c.Input)
	}
	return s
}

// Vectors loads every vector file, oldest Django first.
func Vectors(tb testing.TB) []VectorFile {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join(Root(tb), "testdata", "vectors", "django-*.json"))
	if err != nil || len(files) == 0 {
		tb.Fatalf("djangotest: no vector files (%v)", err)
	}
	var out []VectorFile
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		var vf VectorFile
		if err := json.Unmarshal(b, &vf); err != nil {
			tb.Fatalf("%s: %v", f, err)
		}
		out = append(out, vf)
	}
	return out
}
