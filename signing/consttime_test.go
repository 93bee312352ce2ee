package signing_test

import (
	"strings"
	"testing"

	"github.com/djangosess/djangosess/internal/consttime"
)

// TestConstantTimeCompare reads this package's own source (not the tests)
// and checks that a signature is only ever compared in constant time:
// candidate.equal calls subtle.ConstantTimeCompare and tests its result
// against 1, core.verify reaches the signature through candidate.equal, and
// nowhere in the package is a signature, MAC or digest compared with ==,
// !=, a switch, bytes.Equal, bytes.Compare, strings.EqualFold,
// strings.Compare, slices.Equal or reflect.DeepEqual. The mutations below
// prove that the check sees each way the comparison could be replaced.
func TestConstantTimeCompare(t *testing.T) {
	rules := consttime.Rules{
		ConstantTime: map[string][]string{
			"candidate.equal":   {"crypto/subtle.ConstantTimeCompare"},
			"candidate.equalNI": {"crypto/subtle.ConstantTimeCompare"},
		},
		MustCall: map[string][]string{"core.verify": {"equal"}},
		// What holds a signature, a MAC or what it is compared to.
		Secrets: consttime.Names("sig", "mac", "signature", "Signature", "sum", "enc", "derived", "Sum", "expected"),
	}
	if v := consttime.Check(t, ".", rules, nil); len(v) > 0 {
		t.Errorf("non-constant-time comparisons in package signing:\n%s", strings.Join(v, "\n"))
	}
	for _, m := range []consttime.Mutation{
		{File: "signer.go", Old: `subtle.ConstantTimeCompare(cd.mac(st, value, "", ""), bytesOf(sig)) == 1`, New: `bytes.Equal(cd.mac(st, value, "", ""), bytesOf(sig))`},
		{File: "signer.go", Old: `subtle.ConstantTimeCompare(cd.mac(st, value, "", ""), bytesOf(sig)) == 1`, New: `string(cd.mac(st, value, "", "")) == sig`},
		{File: "signer.go", Old: `subtle.ConstantTimeCompare(cd.mac(st, value, "", ""), bytesOf(sig)) == 1`, New: `strings.EqualFold(string(cd.mac(st, value, "", "")), sig)`},
		{File: "signer.go", Old: `subtle.ConstantTimeCompare(cd.mac(st, value, "", ""), bytesOf(sig)) == 1`, New: `subtle.ConstantTimeCompare(cd.mac(st, value, "", ""), bytesOf(sig)) >= 0`},
		{File: "signer.go", Old: `subtle.ConstantTimeCompare(enc[:], bytesOf(sig)) == 1`, New: `bytes.Equal(enc[:], bytesOf(sig))`},
		{File: "signer.go", Old: `subtle.ConstantTimeCompare(enc[:], bytesOf(sig)) == 1`, New: `string(enc[:]) == sig`},
		{File: "signer.go", Old: `subtle.ConstantTimeCompare(enc[:], bytesOf(sig)) == 1`, New: `subtle.ConstantTimeCompare(enc[:], bytesOf(sig)) >= 0`},
		{File: "signer.go", Old: `len(sig) == cd.sigLen && cd.equal(value, sig)`, New: `len(sig) == cd.sigLen && cd.signature(value) == sig`},
		{File: "signer.go", Old: `len(sig) == cd.sigLen && cd.equal(value, sig)`, New: `len(sig) == cd.sigLen && hmacEqual(value, sig)`},
	} {
		v := consttime.Check(t, ".", rules, &m)
		if len(v) == 0 {
			t.Errorf("the check misses %s: %q -> %q", m.File, m.Old, m.New)
		} else if testing.Verbose() {
			t.Logf("%s: %q -> %q:\n%s", m.File, m.Old, m.New, strings.Join(v, "\n"))
		}
	}
}
