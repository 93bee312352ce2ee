package serializer

import (
	"fmt"
	"testing"
)

// TestJSONResultsOutliveInput checks that what Unmarshal returns shares
// nothing with its input or with later results, although keys are cached
// across calls and dicts share allocations.
func TestJSONResultsOutliveInput(t *testing.T) {
	var kept []Value
	var want []Value
	for i := range 6 {
		in := []byte(fmt.Sprintf(`{"cart":{"items":[{"sku":"A-%d","qty":%d},{"sku":"B","qty":1}],"currency":"EUR"},"n%d":"%d"}`, i, i, i%2, i))
		got, err := JSON{}.Unmarshal(in)
		if err != nil {
			t.Fatal(err)
		}
		clear(in) // the result must not see this
		kept = append(kept, got)
		want = append(want, DictOf(
			"cart", DictOf(
				"items", List{DictOf("sku", Str(fmt.Sprintf("A-%d", i)), "qty", Int(i)), DictOf("sku", Str("B"), "qty", Int(1))},
				"currency", Str("EUR")),
			fmt.Sprintf("n%d", i%2), Str(fmt.Sprint(i))))
	}
	for i := range kept {
		if !Equal(kept[i], want[i]) {
			t.Errorf("result %d = %#v, want %#v", i, kept[i], want[i])
		}
	}
}

// TestJSONSiblingDictsGrowApart checks that dicts decoded side by side
// (from one shared allocation) grow without touching each other.
func TestJSONSiblingDictsGrowApart(t *testing.T) {
	got, err := JSON{}.Unmarshal([]byte(`[{"a":1},{"b":2},{"c":3}]`))
	if err != nil {
		t.Fatal(err)
	}
	l := got.(List)
	for i, k := range []string{"x", "y", "z"} {
		l[i].(*Dict).SetStr(k, Int(10+i))
	}
	want := List{DictOf("a", Int(1), "x", Int(10)), DictOf("b", Int(2), "y", Int(11)), DictOf("c", Int(3), "z", Int(12))}
	if !Equal(got, want) {
		t.Errorf("got %#v, want %#v", got, want)
	}
}
