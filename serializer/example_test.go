package serializer_test

import (
	"fmt"
	"math"
	"time"

	"github.com/djangosess/djangosess/serializer"
)

func ExampleMarshalTagged() {
	session := serializer.DictOf(
		"_auth_user_id", serializer.Str("42"),
		"cart", serializer.Tuple{serializer.Int(1), serializer.Float(2.5)},
		"ratio", serializer.Float(math.Inf(1)),
		"seen", serializer.DateTime{Year: 2030, Month: 1, Day: 2, Hour: 3, Minute: 4, Second: 5, TZ: serializer.UTC},
	)
	b, err := serializer.MarshalTagged(session)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(b))
	// Output:
	// {"_auth_user_id":"42","cart":{"$type":"tuple","value":[1,2.5]},"ratio":{"$type":"float","value":"inf"},"seen":{"$type":"datetime","value":"2030-01-02T03:04:05+00:00","tz":{"kind":"fixed","offset":0}}}
}

func ExampleUnmarshalTagged() {
	v, err := serializer.UnmarshalTagged([]byte(`{"n":1,"b":{"$type":"bytes","value":"aGk="}}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	d := v.(*serializer.Dict)
	b, _ := d.GetStr("b")
	fmt.Printf("%d keys; b is %s %q\n", d.Len(), b.Kind(), b)
	// Output:
	// 2 keys; b is bytes "hi"
}

func ExampleDict_String() {
	d := serializer.DictOf(
		"_auth_user_id", serializer.Str("42"),
		"visits", serializer.Int(7),
		"expires", serializer.DateTime{Year: 2030, Month: 1, Day: 2, TZ: &serializer.TZInfo{Kind: serializer.TZZoneInfo, Name: "UTC"}},
	)
	uid, ok := d.String("_auth_user_id")
	fmt.Println(uid, ok)
	_, ok = d.String("visits") // an int, not a str
	fmt.Println(ok)
	n, ok := d.Int64("visits")
	fmt.Println(n, ok)
	t, ok := d.Time("expires")
	fmt.Println(t.Format(time.RFC3339), ok)
	// Output:
	// 42 true
	// false
	// 7 true
	// 2030-01-02T00:00:00Z true
}

func ExampleFromGo() {
	v, err := serializer.FromGo(map[string]any{"b": []any{1, "x"}, "a": 2 * time.Second})
	if err != nil {
		fmt.Println(err)
		return
	}
	b, _ := serializer.MarshalTagged(v)
	fmt.Println(string(b))
	// Output:
	// {"a":{"$type":"timedelta","days":0,"seconds":2,"microseconds":0},"b":[1,"x"]}
}

func ExampleEqual() {
	fmt.Println(serializer.Equal(serializer.Int(1), serializer.Float(1)))
	fmt.Println(serializer.Equal(serializer.Float(math.NaN()), serializer.Float(math.NaN())))
	fmt.Println(serializer.Equal(
		serializer.DictOf("a", serializer.Int(1), "b", serializer.Int(2)),
		serializer.DictOf("b", serializer.Int(2), "a", serializer.Int(1))))
	// Output:
	// false
	// true
	// false
}

func ExampleFormatFloat() {
	tenth := 0.1
	for _, f := range []float64{1, 1e16, 1.5e-5, math.Copysign(0, -1), tenth + 0.2, math.NaN()} {
		fmt.Println(serializer.FormatFloat(f))
	}
	// Output:
	// 1.0
	// 1e+16
	// 1.5e-05
	// -0.0
	// 0.30000000000000004
	// nan
}
