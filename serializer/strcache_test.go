package serializer

import (
	"fmt"
	"strings"
	"testing"
)

// TestPickleResultsOutliveInput checks that what Pickle.Unmarshal returns
// shares nothing with its input, although short strs are cached across
// calls: every result keeps its values after the input is overwritten and
// later inputs are decoded.
func TestPickleResultsOutliveInput(t *testing.T) {
	var kept, want []Value
	for i := range 8 {
		v := DictOf(
			"cart", DictOf(
				"items", List{DictOf("sku", Str(fmt.Sprintf("A-%d", i)), "qty", Int(i)), DictOf("sku", Str("B"), "qty", Int(1))},
				"currency", Str("EUR")),
			fmt.Sprintf("n%d", i%3), Str(fmt.Sprint(i*7)),
			"long", Str(strings.Repeat(fmt.Sprint(i%2), strOwnedMax+1)),
			"é", Str("ü"+fmt.Sprint(i%2)),
			"", Str(""))
		in, err := Pickle{}.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Pickle{}.Unmarshal(in)
		if err != nil {
			t.Fatal(err)
		}
		clear(in) // the result must not see this
		kept = append(kept, got)
		want = append(want, v)
	}
	for i := range kept {
		if !Equal(kept[i], want[i]) {
			t.Errorf("result %d = %#v, want %#v", i, kept[i], want[i])
		}
	}
}

// TestStrCacheCollisions fills one set of the cache with more strs than it
// has slots, over several inputs, and checks that every box holds the str
// asked for.
func TestStrCacheCollisions(t *testing.T) {
	// Strs of one hash (the hash reads the length and the first 8 bytes
	// of these) and others of the same set.
	same := []string{"k0_1_234z", "k0_1_234y", "k0_1_234x"}
	for i := 0; len(same) < 6; i++ {
		s := fmt.Sprintf("k%d", i)
		if strHash(s) != strHash(same[0]) && strSet(strHash(s)) == strSet(strHash(same[0])) {
			same = append(same, s)
		}
	}
	if strHash(same[1]) != strHash(same[0]) || strHash(same[2]) != strHash(same[0]) {
		t.Fatal("the strs meant to collide do not")
	}
	var c strCache
	if got := c.box("", nil); got != Str("") {
		t.Fatalf(`box("") = %#v`, got)
	}
	for input := range 4 {
		var b boxes
		for round := range 3 {
			for j, s := range same {
				if (j+input)%2 == 0 && round > 0 {
					continue // some only once an input
				}
				src := []byte(s) // a str of the input, overwritten below
				got := c.box(string(src), &b)
				if got != Str(s) {
					t.Fatalf("input %d round %d: box(%q) = %#v", input, round, s, got)
				}
			}
		}
		c.drop()
		if c.borrowed != 0 {
			t.Fatalf("drop left borrowed %b", c.borrowed)
		}
		for _, sl := range c.slots {
			if sl.v != nil && len(string(sl.v.(Str))) > strOwnedMax {
				t.Fatalf("kept a box of %d bytes", len(string(sl.v.(Str))))
			}
		}
	}
}
