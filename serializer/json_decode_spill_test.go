package serializer

import (
	"fmt"
	"strings"
	"testing"
)

// TestJSONContainersPastTheStack decodes containers with more entries than
// the decoder gathers on the stack, nested in each other (so that their
// entries share its spill stacks), and nesting that passes from recursion
// to the iterative parser, and checks every value against one built by
// hand.
func TestJSONContainersPastTheStack(t *testing.T) {
	list := func(n int, f func(i int) (string, Value)) (string, Value) {
		parts := make([]string, n)
		vals := make(List, n)
		for i := range n {
			parts[i], vals[i] = f(i)
		}
		return "[" + strings.Join(parts, ",") + "]", vals
	}
	dict := func(n int, f func(i int) (string, Value)) (string, Value) {
		parts := make([]string, n)
		d := NewDict(n)
		for i := range n {
			var v Value
			parts[i], v = f(i)
			k := fmt.Sprintf("k%d", i)
			parts[i] = fmt.Sprintf("%q:%s", k, parts[i])
			d.SetStr(k, v)
		}
		return "{" + strings.Join(parts, ",") + "}", d
	}
	num := func(i int) (string, Value) { return fmt.Sprint(i * 1000), Int(i * 1000) }
	var cases []struct {
		in   string
		want Value
	}
	add := func(in string, want Value) {
		cases = append(cases, struct {
			in   string
			want Value
		}{in, want})
	}
	for _, n := range []int{jsonInline - 1, jsonInline, jsonInline + 1, 17, 40} {
		add(list(n, num))
		add(dict(n, num))
		// A long list of long dicts, and a long dict of long lists.
		add(list(n, func(i int) (string, Value) { return dict(n+i%3, num) }))
		add(dict(n, func(i int) (string, Value) { return list(n+i%3, num) }))
		// Long dicts in a long list in a long dict.
		add(dict(n, func(int) (string, Value) {
			return list(n, func(int) (string, Value) { return dict(n, num) })
		}))
	}
	// Nesting across the recursion limit, each level long.
	var nest func(depth int) (string, Value)
	nest = func(depth int) (string, Value) {
		if depth == 0 {
			return num(7)
		}
		return list(jsonInline+2, func(i int) (string, Value) {
			if i == jsonInline {
				return dict(jsonInline+1, func(j int) (string, Value) {
					if j == 3 {
						return nest(depth - 1)
					}
					return num(j)
				})
			}
			return num(i)
		})
	}
	add(nest(jsonRecurseMax/2 + 3))

	for i, c := range cases {
		got, err := JSON{}.Unmarshal([]byte(c.in))
		if err != nil || !Equal(got, c.want) {
			t.Errorf("case %d (%d bytes): %v; value differs: %v", i, len(c.in), err, !Equal(got, c.want))
		}
	}
}
