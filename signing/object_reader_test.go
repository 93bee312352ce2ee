package signing

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/djangosess/djangosess/serializer"
)

// An ObjectReader, reused across inputs that verify and inputs that do
// not, returns what its signer's VerifyObjectMaxAge returns for each: the
// value Django encoded (vecD, made by Django 3.2), the key and algorithm,
// or the same error.
func TestObjectReader(t *testing.T) {
	now := func() time.Time { return vecClock().Add(time.Hour) }
	for _, ser := range []serializer.Codec{serializer.JSON{}, serializer.Pickle{}} {
		cfg := Config{Key: []byte(vecSecret), FallbackKeys: [][]byte{[]byte("other"), []byte(vecOldKey)},
			LegacyAlgorithms: []string{"sha1"}, Salt: DefaultDumpsSalt, Now: now, Serializer: ser}
		s := mustTimestampSigner(t, cfg)
		django := vecDCompressed + ":1r31eq:uZiD5hBh_vSpm39sPbuBqPjIuMY-6uUNoV9TmWzahmw"
		ours, err := s.SignObjectAt(vecD(), true, vecTS)
		if err != nil {
			t.Fatal(err)
		}
		inputs := []struct {
			in     string
			maxAge time.Duration
			want   serializer.Value // for the inputs that verify
		}{
			{django, 2 * time.Hour, vecD()},
			{vecDCompressed + ":1r31eq:hY8WCvjoYVg0C9BEUgmRUsktdsM", 2 * time.Hour, vecD()}, // sha1
			{"ImhlbGxvIg:1r31eq:ncPgC-ffWb4thEYUd5nucMPbKxHXFqJMh9NOeskq7zI", 2 * time.Hour, serializer.Str("hello")},
			{django, time.Minute, nil},                                       // expired
			{strings.Replace(django, "uZiD", "uZiE", 1), 2 * time.Hour, nil}, // bad signature
			{s.SignAt("eyJhIjp", vecTS), 2 * time.Hour, nil},                 // verifies, not JSON or pickle
			{s.SignAt(".eJyrVkpUslIqSSwqUaoFAA", vecTS), 2 * time.Hour, nil}, // truncated zlib stream
			{ours, 2 * time.Hour, vecD()},
		}
		if ser.Name() == "pickle" {
			inputs[0].want, inputs[1].want, inputs[2].want = nil, nil, nil // JSON payloads
		}
		r := s.NewObjectReader()
		for round := range 3 {
			for i, c := range inputs {
				want, wantVer, wantErr := s.VerifyObjectMaxAge(c.in, c.maxAge)
				got, ver, err := r.VerifyObjectMaxAge(c.in, c.maxAge)
				if fmt.Sprint(err) != fmt.Sprint(wantErr) || ver != wantVer || !serializer.Equal(got, want) {
					t.Fatalf("%s, round %d, input %d: reader %#v, %+v, %v; signer %#v, %+v, %v",
						ser.Name(), round, i, got, ver, err, want, wantVer, wantErr)
				}
				if c.want != nil && (err != nil || !serializer.Equal(got, c.want)) {
					t.Fatalf("%s, round %d, input %d: %#v, %v; want %#v", ser.Name(), round, i, got, err, c.want)
				}
			}
		}
		// VerifyObject is VerifyObjectMaxAge without the age check.
		if v, _, err := r.VerifyObject(django); (err == nil) != (ser.Name() == "json") || err == nil && !serializer.Equal(v, vecD()) {
			t.Errorf("%s: VerifyObject = %#v, %v", ser.Name(), v, err)
		}
	}
}
