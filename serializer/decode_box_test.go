package serializer

import (
	"fmt"
	"testing"
)

// TestPickleSiblingDictsGrowApart checks that dicts decoded side by side
// (their items from one shared block) grow without touching each other,
// small and large, and with the items of a dict set in two batches.
func TestPickleSiblingDictsGrowApart(t *testing.T) {
	big := NewDict(20)
	for i := range 20 {
		big.SetStr(fmt.Sprint("k", i), Int(i))
	}
	in := List{DictOf("a", Int(1), "a2", Int(2)), DictOf("b", Int(1), "b2", Int(2)), big, DictOf("c", Int(1), "c2", Int(2))}
	data, err := Pickle{}.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	// The same list, then SETITEM on the first dict after the others
	// were built: its items outgrow the room it was given.
	got, err := Pickle{}.Unmarshal(data)
	if err != nil {
		t.Fatal(err)
	}
	l := got.(List)
	for i, d := range l {
		d.(*Dict).SetStr(fmt.Sprint("x", i), Int(10+i))
	}
	want := List{
		DictOf("a", Int(1), "a2", Int(2), "x0", Int(10)),
		DictOf("b", Int(1), "b2", Int(2), "x1", Int(11)),
		big.Clone(),
		DictOf("c", Int(1), "c2", Int(2), "x3", Int(13)),
	}
	want[2].(*Dict).SetStr("x2", Int(12))
	if !Equal(got, want) {
		t.Errorf("got %#v\nwant %#v", got, want)
	}

	// A list of two dicts; the first gets 'p' and 'q', the second 's' and
	// 't', then BINGET brings the first back for a second SETITEMS ('r')
	// and POP drops it before APPENDS.
	// CPython's pickle.loads gives [{'p': 1, 'q': 2, 'r': 5}, {'s': 3, 't': 4}].
	p := "\x80\x05]\x94(}\x94(\x8c\x01p\x94K\x01\x8c\x01q\x94K\x02u}\x94(\x8c\x01s\x94K\x03\x8c\x01t\x94K\x04uh\x01(\x8c\x01r\x94K\x05u0e."
	got, err = Pickle{}.Unmarshal([]byte(p))
	if err != nil {
		t.Fatal(err)
	}
	want = List{DictOf("p", Int(1), "q", Int(2), "r", Int(5)), DictOf("s", Int(3), "t", Int(4))}
	if !Equal(got, want) {
		t.Errorf("second batch: got %#v\nwant %#v", got, want)
	}
}
