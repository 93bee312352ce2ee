package djangosess

import (
	"fmt"
	"testing"

	"github.com/djangosess/djangosess/internal/djangotest"
	"github.com/djangosess/djangosess/serializer"
)

// A Decoder, reused across every session_decode vector of a Django
// version (those that decode and those that do not), twice over, returns
// what its Codec's DecodeInfo returns for each: what that Django's
// SessionStore.decode gave (TestVectorsSessionDecode).
func TestVectorsDecoderMatchesCodec(t *testing.T) {
	for _, vf := range djangotest.Vectors(t) {
		t.Run(vf.Django, func(t *testing.T) {
			decs := map[string]*Decoder{} // by the codec settings that vary between cases
			n := 0
			for pass := range 2 {
				for _, c := range vf.Cases {
					if c.Op != "session_decode" || serializerFor(c.Str("serializer")) == nil {
						continue
					}
					codec := vectorCodec(t, vf, c, true)
					key := fmt.Sprint(c.Str("session_class"), "|", c.Str("serializer"), "|", c.Str("hashing_algorithm"), "|", c.Params["fallback_keys_setting"])
					if decs[key] == nil {
						decs[key] = codec.NewDecoder()
					}
					data := c.InputString(t)
					want, wantErr := codec.DecodeInfo(data)
					got, err := decs[key].DecodeInfo(data)
					if fmt.Sprint(err) != fmt.Sprint(wantErr) || !serializer.Equal(got.Data, want.Data) ||
						got.Format != want.Format || got.Algorithm != want.Algorithm || got.KeyIndex != want.KeyIndex ||
						got.Timestamp != want.Timestamp || got.Compressed != want.Compressed {
						t.Fatalf("pass %d, %s: Decoder %s %+v, %v; Codec %s %+v, %v", pass, c.Name, show(got.Data), got, err, show(want.Data), want, wantErr)
					}
					if d, err := decs[key].Decode(data); fmt.Sprint(err) != fmt.Sprint(wantErr) || !serializer.Equal(d, want.Data) {
						t.Fatalf("pass %d, %s: Decoder.Decode %s, %v; Codec %s, %v", pass, c.Name, show(d), err, show(want.Data), wantErr)
					}
					n++
				}
			}
			if n == 0 {
				t.Fatal("no session_decode vectors")
			}
		})
	}
}
