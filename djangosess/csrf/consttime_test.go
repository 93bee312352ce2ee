package csrf_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// TestConstantTimeCompare reads this package's own source (not the tests)
// and checks that a CSRF token is only ever compared with the secret in
// constant time, as Django's _does_token_match does (constant_time_compare
// after unmasking): equal calls subtle.ConstantTimeCompare and tests its
// result against 1, matches goes through equal, and nowhere is a token or
// secret compared with ==, !=, a switch or a variable-time function. The
// mutations prove the check sees each way the comparison could be
// replaced.
func TestConstantTimeCompare(t *testing.T) {
	rules := ctRules{
		constantTime: map[string][]string{"equal": {"crypto/subtle.ConstantTimeCompare"}},
		mustCall:     map[string][]string{"matches": {"equal"}, "Checker.checkToken": {"matches"}, "Checker.checkTokenLegacy": {"matches"}},
		secrets:      ctNames("token", "secret", "unmask", "UnmaskToken", "sec"),
	}
	if v := ctCheck(t, ".", rules, nil); len(v) > 0 {
		t.Errorf("non-constant-time comparisons in package csrf:\n%s", strings.Join(v, "\n"))
	}
	for _, m := range []ctMutation{
		{"token.go", `return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1`, `return a == b`},
		{"token.go", `return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1`, `return subtle.ConstantTimeCompare([]byte(a), []byte(b)) > -1`},
		{"check.go", `return s.usable && equal(token, s.value)`, `return s.usable && token == s.value`},
		{"check.go", `return s.usable && equal(token, s.value)`, `return s.usable && strings.Compare(token, s.value) == 0`},
		{"check.go", `if !matches(token, s) {`, `if unmask(token) != s.value {`},
	} {
		v := ctCheck(t, ".", rules, &m)
		if len(v) == 0 {
			t.Errorf("the check misses %s: %q -> %q", m.file, m.old, m.new)
		} else if testing.Verbose() {
			t.Logf("%s: %q -> %q:\n%s", m.file, m.old, m.new, strings.Join(v, "\n"))
		}
	}
}

// The checker below is the same in signing/consttime_test.go,
// djangosess/consttime_security_test.go and the consttime_test.go of
// djangosess/auth, djangosess/csrf and djangosess/hashers; only the rules
// differ.

// ctRules says what a package must do.
type ctRules struct {
	// constantTime: functions ("Recv.name" or "name") that must call one
	// of the listed constant-time comparisons ("import/path.Func");
	// crypto/subtle.ConstantTimeCompare must be compared with == 1 or != 1.
	constantTime map[string][]string
	// mustCall: functions that must call one of the listed functions or
	// methods (by name).
	mustCall map[string][]string
	// secrets: identifiers, fields and functions/methods whose values are
	// secret (a signature, a MAC, a hash, a token). No ==, !=, switch or
	// variable-time comparison function may have an operand that mentions
	// one, outside len()/cap() and outside the constant-time calls. A
	// comparison with "" or nil (is it set at all?) is allowed.
	secrets map[string]bool
}

func ctNames(names ...string) map[string]bool {
	m := map[string]bool{}
	for _, n := range names {
		m[n] = true
	}
	return m
}

// ctMutation replaces old by new in file before parsing.
type ctMutation struct{ file, old, new string }

// ctVariableTime are comparison functions that return early.
var ctVariableTime = map[string]bool{
	"bytes.Equal": true, "bytes.Compare": true, "bytes.EqualFold": true,
	"strings.EqualFold": true, "strings.Compare": true,
	"slices.Equal": true, "slices.Compare": true, "reflect.DeepEqual": true,
}

// ctCheck parses the non-test Go files of dir (with m applied) and returns
// the rule violations.
func ctCheck(t *testing.T, dir string, r ctRules, m *ctMutation) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var files []*ast.File
	applied := m == nil
	for _, p := range paths {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		src, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		text := string(src)
		if m != nil && filepath.Base(p) == m.file {
			if !strings.Contains(text, m.old) {
				t.Fatalf("mutation: %q not found in %s (update the test to the code)", m.old, p)
			}
			text = strings.Replace(text, m.old, m.new, 1)
			applied = true
		}
		f, err := parser.ParseFile(fset, p, text, 0)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	if !applied {
		t.Fatalf("mutation: no file %s in %s", m.file, dir)
	}
	if len(files) == 0 {
		t.Fatalf("no Go source in %s", dir)
	}

	var out []string
	seen := map[string]bool{}
	for _, f := range files {
		imports := ctImports(f)
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			name := ctFuncName(fn)
			seen[name] = true
			if want, ok := r.constantTime[name]; ok && !ctCallsConstantTime(fn.Body, imports, want) {
				out = append(out, fmt.Sprintf("%s: does not compare with %s", name, strings.Join(want, " or ")))
			}
			if want, ok := r.mustCall[name]; ok && !ctCallsAny(fn.Body, want) {
				out = append(out, fmt.Sprintf("%s: does not call %s", name, strings.Join(want, " or ")))
			}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				switch x := n.(type) {
				case *ast.BinaryExpr:
					if x.Op != token.EQL && x.Op != token.NEQ {
						return true
					}
					if ctIsConstantTimeCall(x.X, imports) || ctIsConstantTimeCall(x.Y, imports) {
						return true
					}
					if ctIsEmpty(x.X) || ctIsEmpty(x.Y) {
						return true
					}
					if s := ctMentions(x, r.secrets, imports); s != "" {
						out = append(out, fmt.Sprintf("%s: %s compares %s with %s", fset.Position(x.Pos()), name, s, x.Op))
					}
				case *ast.SwitchStmt:
					if x.Tag != nil {
						if s := ctMentions(x.Tag, r.secrets, imports); s != "" {
							out = append(out, fmt.Sprintf("%s: %s switches on %s", fset.Position(x.Pos()), name, s))
						}
					}
				case *ast.CallExpr:
					if q := ctQualified(x.Fun, imports); ctVariableTime[q] {
						for _, a := range x.Args {
							if s := ctMentions(a, r.secrets, imports); s != "" {
								out = append(out, fmt.Sprintf("%s: %s compares %s with %s", fset.Position(x.Pos()), name, s, q))
								break
							}
						}
					}
				}
				return true
			})
		}
	}
	for _, group := range []map[string][]string{r.constantTime, r.mustCall} {
		for name := range group {
			if !seen[name] {
				out = append(out, fmt.Sprintf("%s: no such function (update the test to the code)", name))
			}
		}
	}
	sort.Strings(out)
	return out
}

// ctImports maps a file's import names to their paths.
func ctImports(f *ast.File) map[string]string {
	m := map[string]string{}
	for _, imp := range f.Imports {
		path, _ := strconv.Unquote(imp.Path.Value)
		name := path[strings.LastIndex(path, "/")+1:]
		if imp.Name != nil {
			name = imp.Name.Name
		}
		m[name] = path
	}
	return m
}

// ctQualified returns "import/path.Func" for a call of pkg.Func (the
// package's usual name when the file does not import it), else "".
func ctQualified(fun ast.Expr, imports map[string]string) string {
	sel, ok := fun.(*ast.SelectorExpr)
	if !ok {
		return ""
	}
	id, ok := sel.X.(*ast.Ident)
	if !ok {
		return ""
	}
	path, ok := imports[id.Name]
	if !ok {
		path = id.Name
	}
	return path + "." + sel.Sel.Name
}

func ctFuncName(fn *ast.FuncDecl) string {
	if fn.Recv == nil || len(fn.Recv.List) == 0 {
		return fn.Name.Name
	}
	typ := fn.Recv.List[0].Type
	if st, ok := typ.(*ast.StarExpr); ok {
		typ = st.X
	}
	if ix, ok := typ.(*ast.IndexExpr); ok {
		typ = ix.X
	}
	if id, ok := typ.(*ast.Ident); ok {
		return id.Name + "." + fn.Name.Name
	}
	return fn.Name.Name
}

// ctConstantTime are the comparisons accepted as constant-time.
var ctConstantTime = map[string]bool{
	"crypto/subtle.ConstantTimeCompare":                 true,
	"crypto/hmac.Equal":                                 true,
	"golang.org/x/crypto/bcrypt.CompareHashAndPassword": true,
}

func ctIsConstantTimeCall(e ast.Expr, imports map[string]string) bool {
	call, ok := ast.Unparen(e).(*ast.CallExpr)
	return ok && ctConstantTime[ctQualified(call.Fun, imports)]
}

// ctCallsConstantTime reports whether body calls one of want, with
// ConstantTimeCompare's result compared with 1.
func ctCallsConstantTime(body *ast.BlockStmt, imports map[string]string, want []string) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.BinaryExpr:
			if x.Op != token.EQL && x.Op != token.NEQ {
				return true
			}
			for _, pair := range [][2]ast.Expr{{x.X, x.Y}, {x.Y, x.X}} {
				call, ok := ast.Unparen(pair[0]).(*ast.CallExpr)
				lit, isLit := ast.Unparen(pair[1]).(*ast.BasicLit)
				if ok && isLit && lit.Value == "1" && ctQualified(call.Fun, imports) == "crypto/subtle.ConstantTimeCompare" {
					for _, w := range want {
						found = found || w == "crypto/subtle.ConstantTimeCompare"
					}
				}
			}
		case *ast.CallExpr:
			q := ctQualified(x.Fun, imports)
			if q == "crypto/subtle.ConstantTimeCompare" {
				return true // only counts when compared with 1 (above)
			}
			for _, w := range want {
				found = found || (q == w && ctConstantTime[q])
			}
		}
		return true
	})
	return found
}

// ctCallsAny reports whether body calls a function or method named one of
// names.
func ctCallsAny(body *ast.BlockStmt, names []string) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok {
			name := ""
			switch f := ast.Unparen(call.Fun).(type) {
			case *ast.Ident:
				name = f.Name
			case *ast.SelectorExpr:
				name = f.Sel.Name
			}
			for _, w := range names {
				found = found || name == w
			}
		}
		return true
	})
	return found
}

// ctIsEmpty reports whether e is "" or nil.
func ctIsEmpty(e ast.Expr) bool {
	switch x := ast.Unparen(e).(type) {
	case *ast.BasicLit:
		return x.Kind == token.STRING && (x.Value == `""` || x.Value == "``")
	case *ast.Ident:
		return x.Name == "nil"
	}
	return false
}

// ctMentions returns the first secret name e mentions, outside len(),
// cap() and constant-time calls, or "".
func ctMentions(e ast.Node, secrets map[string]bool, imports map[string]string) string {
	found := ""
	ast.Inspect(e, func(n ast.Node) bool {
		if found != "" {
			return false
		}
		switch x := n.(type) {
		case *ast.CallExpr:
			if id, ok := ast.Unparen(x.Fun).(*ast.Ident); ok && (id.Name == "len" || id.Name == "cap") {
				return false
			}
			if ctConstantTime[ctQualified(x.Fun, imports)] {
				return false
			}
		case *ast.Ident:
			if secrets[x.Name] {
				found = x.Name
			}
		case *ast.SelectorExpr:
			if secrets[x.Sel.Name] {
				found = x.Sel.Name
			}
		}
		return true
	})
	return found
}
