package serializer

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// A JSONDecoder reading every case of jsonUnmarshalTests and
// jsonErrorTests in turn (so each reuses what the one before left, errors
// included), twice, gives each case's expected value or error: the same
// as Unmarshal, whose expectations TestJSONUnmarshalMatchesPython checks
// against CPython.
func TestJSONDecoderMatchesUnmarshal(t *testing.T) {
	decs := map[JSON]*JSONDecoder{}
	dec := func(j JSON) *JSONDecoder {
		if decs[j] == nil {
			decs[j] = j.NewDecoder()
		}
		return decs[j]
	}
	for pass := range 2 {
		// The two lists interleaved, every case of each.
		for i := range max(len(jsonUnmarshalTests), len(jsonErrorTests)) {
			if i < len(jsonUnmarshalTests) {
				tt := jsonUnmarshalTests[i]
				got, err := dec(tt.opts).Unmarshal([]byte(tt.in))
				if err != nil || !Equal(got, tt.want) {
					t.Fatalf("pass %d, %s: Unmarshal(%.80q) = %#v, %v; want %#v", pass, tt.name, tt.in, got, err, tt.want)
				}
			}
			if i < len(jsonErrorTests) {
				e := jsonErrorTests[i]
				v, err := dec(e.opts).Unmarshal([]byte(e.in))
				if !errors.Is(err, e.want) || v != nil {
					t.Fatalf("pass %d, %s: Unmarshal(%.80q) = %#v, %v; want error %v", pass, e.name, e.in, v, err, e.want)
				}
			}
		}
	}
}

// Strs, dict keys among them, are copies: rewriting the input, and
// decoding more inputs, leaves them as they were.
func TestJSONDecoderStrsOutliveInput(t *testing.T) {
	var dec JSONDecoder
	long := strings.Repeat("x", 100)
	keys := []string{"k1", long + "key", "_auth_user_id"}
	for round := range 3 {
		in := []byte(fmt.Sprintf(`{"k1":"v%d","%skey":"%s","_auth_user_id":"%d","k1":"w","d":{"ab":"cd%d","efg":"%s"}}`, round, long, long, round, round, long))
		v, err := dec.Unmarshal(in)
		if err != nil {
			t.Fatal(err)
		}
		var kept []Value // the keys and values, taken out of the dict
		for _, it := range v.(*Dict).Items() {
			if d, ok := it.Value.(*Dict); ok {
				for _, it := range d.Items() {
					kept = append(kept, it.Key, it.Value)
				}
				continue
			}
			kept = append(kept, it.Key, it.Value)
		}
		for i := range in {
			in[i] = '#'
		}
		if _, err := dec.Unmarshal([]byte(`{"k1":"zz","` + long + `key":"yy","other":["` + long + `"]}`)); err != nil {
			t.Fatal(err)
		}
		want := []Value{Str(keys[0]), Str("w"), Str(keys[1]), Str(long), Str(keys[2]), Str(fmt.Sprint(round)),
			Str("ab"), Str(fmt.Sprint("cd", round)), Str("efg"), Str(long)}
		if !Equal(List(kept), List(want)) {
			t.Fatalf("round %d: kept %#v, want %#v", round, kept, want)
		}
	}
}

// The arena grows to the largest input seen; inputs bigger than its caps
// still decode, partly from the heap.
func TestJSONDecoderGrows(t *testing.T) {
	dec := JSON{}.NewDecoder()
	for _, n := range []int{1, 40, 3000, 2, 3000, 5000} {
		var b strings.Builder
		b.WriteString("[")
		for i := range n {
			if i > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, `{"i":%d,"l":[%d,{}]}`, i, i)
		}
		b.WriteString("]")
		v, err := dec.Unmarshal([]byte(b.String()))
		if err != nil {
			t.Fatal(err)
		}
		l := v.(List)
		if len(l) != n {
			t.Fatalf("%d dicts: got %d", n, len(l))
		}
		for i, x := range l {
			want := DictOf("i", Int(i), "l", List{Int(i), NewDict(0)})
			if !Equal(x, want) {
				t.Fatalf("%d dicts: item %d = %#v, want %#v", n, i, x, want)
			}
		}
	}
}

// After its first inputs, a JSONDecoder decodes the typical session with
// fewer allocations and far fewer bytes than Unmarshal: no copy of the
// input, no dicts.
func TestJSONDecoderAllocates(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector changes allocations")
	}
	in := []byte(jsonSessionText)
	dec := JSON{}.NewDecoder()
	for range 3 {
		if _, err := dec.Unmarshal(in); err != nil {
			t.Fatal(err)
		}
	}
	// What is left: the 64-byte hash and its box, the cart's list and
	// the expiry's Int.
	reuse := testing.AllocsPerRun(100, func() { dec.Unmarshal(in) })
	fresh := testing.AllocsPerRun(100, func() { JSON{}.Unmarshal(in) })
	if reuse >= fresh || reuse > 4 {
		t.Errorf("JSONDecoder: %v allocations per decode, Unmarshal %v; want at most 4, and fewer", reuse, fresh)
	}
	reuseBytes := bytesPerRun(100, func() { dec.Unmarshal(in) })
	freshBytes := bytesPerRun(100, func() { JSON{}.Unmarshal(in) })
	if reuseBytes*4 > freshBytes {
		t.Errorf("JSONDecoder: %d bytes allocated per decode, Unmarshal %d; want at most a quarter", reuseBytes, freshBytes)
	}
}

// bytesPerRun returns the bytes f allocates per call, over n calls.
func bytesPerRun(n int, f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range n {
		f()
	}
	runtime.ReadMemStats(&after)
	return (after.TotalAlloc - before.TotalAlloc) / uint64(n)
}
