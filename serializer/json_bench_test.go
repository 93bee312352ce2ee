package serializer

import "testing"

func BenchmarkJSONUnmarshalSession(b *testing.B) {
	data := []byte(jsonSessionText)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := (JSON{}).Unmarshal(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkJSONMarshalSession(b *testing.B) {
	v := jsonSessionValue()
	b.ReportAllocs()
	b.SetBytes(int64(len(jsonSessionText)))
	for b.Loop() {
		if _, err := (JSON{}).Marshal(v); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkJSONUnmarshalEscaped(b *testing.B) {
	data := []byte(`{"name":"Ren\u00e9e \ud83d\ude00","note":"caf\u00e9\n\"quoted\"","raw":"caf` + "\xe9" + `"}`)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := (JSON{}).Unmarshal(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkJSONMarshalFloats(b *testing.B) {
	v := List{Float(0.1), Float(1e16), Float(1.5e-5), Float(123456789.125), Float(-3.75), Float(2.5)}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := (JSON{}).Marshal(v); err != nil {
			b.Fatal(err)
		}
	}
}
