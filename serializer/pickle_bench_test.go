package serializer

import (
	"bytes"
	"testing"
)

// pktSessionPickle is Django's PickleSerializer output for a logged-in
// session (pickle.dumps(d, 5) by CPython 3.11).
const pktSessionPickle = "800595af000000000000007d94288c0d5f617574685f757365725f6964948c0131948c125f617574685f757365725f6261636b656e6494" +
	"8c29646a616e676f2e636f6e747269622e617574682e6261636b656e64732e4d6f64656c4261636b656e64948c0f5f617574685f757365725f686173" +
	"68948c403564633233386262306564383163383934313136303432646366353632636537633734393531326465663738376632346531623365323235" +
	"396266363165363994752e"

func pktSessionDict() *Dict {
	return DictOf("_auth_user_id", Str("1"), "_auth_user_backend", Str("django.contrib.auth.backends.ModelBackend"),
		"_auth_user_hash", Str("5dc238bb0ed81c894116042dcf562ce7c749512def787f24e1b3e2259bf61e69"))
}

func TestPickleSessionVector(t *testing.T) {
	data := pktHex(t, pktSessionPickle)
	v, err := Pickle{}.Unmarshal(data)
	if err != nil || !Equal(v, pktSessionDict()) {
		t.Fatalf("Unmarshal = %v, %v", v, err)
	}
	out, err := Pickle{}.Marshal(pktSessionDict())
	if err != nil || !bytes.Equal(out, data) {
		t.Fatalf("Marshal = %x, %v", out, err)
	}
}

func BenchmarkPickleUnmarshalSession(b *testing.B) {
	data := pktHex(b, pktSessionPickle)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := (Pickle{}).Unmarshal(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPickleMarshalSession(b *testing.B) {
	v := pktSessionDict()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := (Pickle{}).Marshal(v); err != nil {
			b.Fatal(err)
		}
	}
}

// A bigger value: every sample type, as the cache might hold.
func BenchmarkPickleUnmarshalMixed(b *testing.B) {
	vals := pktValues()[:200]
	data, err := Pickle{}.Marshal(List(vals))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := (Pickle{}).Unmarshal(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPickleMarshalMixed(b *testing.B) {
	v := List(pktValues()[:200])
	b.ReportAllocs()
	for b.Loop() {
		if _, err := (Pickle{}).Marshal(v); err != nil {
			b.Fatal(err)
		}
	}
}
