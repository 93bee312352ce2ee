// Package consttime checks, by reading a package's source, that secrets
// are only compared in constant time: the signing, auth, csrf, hashers and
// djangosess tests give it their rules (which functions must call
// crypto/subtle or crypto/hmac, which names hold secrets) and mutations of
// their own code that the check must catch.
package consttime

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

// Rules says what a package must do.
type Rules struct {
	// ConstantTime: functions ("Recv.name" or "name") that must call one
	// of the listed constant-time comparisons ("import/path.Func");
	// crypto/subtle.ConstantTimeCompare must be compared with == 1 or != 1.
	ConstantTime map[string][]string
	// MustCall: functions that must call one of the listed functions or
	// methods (by name).
	MustCall map[string][]string
	// Secrets: identifiers, fields and functions/methods whose values are
	// secret (a signature, a MAC, a hash, a token). No ==, !=, switch or
	// variable-time comparison function may have an operand that mentions
	// one, outside len()/cap() and outside the constant-time calls. A
	// comparison with "" or nil (is it set at all?) is allowed.
	Secrets map[string]bool
}

// Names is a set of names, for Rules.Secrets.
func Names(names ...string) map[string]bool {
	m := map[string]bool{}
	for _, n := range names {
		m[n] = true
	}
	return m
}

// Mutation replaces old by new in file before parsing.
type Mutation struct{ File, Old, New string }

// variableTime are comparison functions that return early.
var variableTime = map[string]bool{
	"bytes.Equal": true, "bytes.Compare": true, "bytes.EqualFold": true,
	"strings.EqualFold": true, "strings.Compare": true,
	"slices.Equal": true, "slices.Compare": true, "reflect.DeepEqual": true,
}

// Check parses the non-test Go files of dir (with m applied) and returns
// the rule violations.
func Check(t *testing.T, dir string, r Rules, m *Mutation) []string {
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
		if m != nil && filepath.Base(p) == m.File {
			if !strings.Contains(text, m.Old) {
				t.Fatalf("mutation: %q not found in %s (update the test to the code)", m.Old, p)
			}
			text = strings.Replace(text, m.Old, m.New, 1)
			applied = true
		}
		f, err := parser.ParseFile(fset, p, text, 0)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	if !applied {
		t.Fatalf("mutation: no file %s in %s", m.File, dir)
	}
	if len(files) == 0 {
		t.Fatalf("no Go source in %s", dir)
	}

	var out []string
	seen := map[string]bool{}
	for _, f := range files {
		imports := imports(f)
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			name := funcName(fn)
			seen[name] = true
			if want, ok := r.ConstantTime[name]; ok && !callsConstantTime(fn.Body, imports, want) {
				out = append(out, fmt.Sprintf("%s: does not compare with %s", name, strings.Join(want, " or ")))
			}
			if want, ok := r.MustCall[name]; ok && !callsAny(fn.Body, want) {
				out = append(out, fmt.Sprintf("%s: does not call %s", name, strings.Join(want, " or ")))
			}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				switch x := n.(type) {
				case *ast.BinaryExpr:
					if x.Op != token.EQL && x.Op != token.NEQ {
						return true
					}
					if isConstantTimeCall(x.X, imports) || isConstantTimeCall(x.Y, imports) {
						return true
					}
					if isEmpty(x.X) || isEmpty(x.Y) {
						return true
					}
					if s := mentions(x, r.Secrets, imports); s != "" {
						out = append(out, fmt.Sprintf("%s: %s compares %s with %s", fset.Position(x.Pos()), name, s, x.Op))
					}
				case *ast.SwitchStmt:
					if x.Tag != nil {
						if s := mentions(x.Tag, r.Secrets, imports); s != "" {
							out = append(out, fmt.Sprintf("%s: %s switches on %s", fset.Position(x.Pos()), name, s))
						}
					}
				case *ast.CallExpr:
					if q := qualified(x.Fun, imports); variableTime[q] {
						for _, a := range x.Args {
							if s := mentions(a, r.Secrets, imports); s != "" {
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
	for _, group := range []map[string][]string{r.ConstantTime, r.MustCall} {
		for name := range group {
			if !seen[name] {
				out = append(out, fmt.Sprintf("%s: no such function (update the test to the code)", name))
			}
		}
	}
	sort.Strings(out)
	return out
}

// imports maps a file's import names to their paths.
func imports(f *ast.File) map[string]string {
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

// qualified returns "import/path.Func" for a call of pkg.Func (the
// package's usual name when the file does not import it), else "".
func qualified(fun ast.Expr, imports map[string]string) string {
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

func funcName(fn *ast.FuncDecl) string {
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

// constantTimeFuncs are the comparisons accepted as constant-time.
var constantTimeFuncs = map[string]bool{
	"crypto/subtle.ConstantTimeCompare":                 true,
	"crypto/hmac.Equal":                                 true,
	"golang.org/x/crypto/bcrypt.CompareHashAndPassword": true,
}

func isConstantTimeCall(e ast.Expr, imports map[string]string) bool {
	call, ok := ast.Unparen(e).(*ast.CallExpr)
	return ok && constantTimeFuncs[qualified(call.Fun, imports)]
}

// callsConstantTime reports whether body calls one of want, with
// ConstantTimeCompare's result compared with 1.
func callsConstantTime(body *ast.BlockStmt, imports map[string]string, want []string) bool {
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
				if ok && isLit && lit.Value == "1" && qualified(call.Fun, imports) == "crypto/subtle.ConstantTimeCompare" {
					for _, w := range want {
						found = found || w == "crypto/subtle.ConstantTimeCompare"
					}
				}
			}
		case *ast.CallExpr:
			q := qualified(x.Fun, imports)
			if q == "crypto/subtle.ConstantTimeCompare" {
				return true // only counts when compared with 1 (above)
			}
			for _, w := range want {
				found = found || (q == w && constantTimeFuncs[q])
			}
		}
		return true
	})
	return found
}

// callsAny reports whether body calls a function or method named one of
// names.
func callsAny(body *ast.BlockStmt, names []string) bool {
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

// isEmpty reports whether e is "" or nil.
func isEmpty(e ast.Expr) bool {
	switch x := ast.Unparen(e).(type) {
	case *ast.BasicLit:
		return x.Kind == token.STRING && (x.Value == `""` || x.Value == "``")
	case *ast.Ident:
		return x.Name == "nil"
	}
	return false
}

// mentions returns the first secret name e mentions, outside len(),
// cap() and constant-time calls, or "".
func mentions(e ast.Node, secrets map[string]bool, imports map[string]string) string {
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
			if constantTimeFuncs[qualified(x.Fun, imports)] {
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
