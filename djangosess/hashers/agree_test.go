package hashers_test

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/hashers"
)

const salt22 = "abcdefghijklmnopqrstuv"

func argon2String(variant string, m, t, p int, salt []byte, hashLen int) string {
	b64 := base64.RawStdEncoding.EncodeToString
	return fmt.Sprintf("argon2$%s$v=19$m=%d,t=%d,p=%d$%s$%s", variant, m, t, p, b64(salt), b64(make([]byte, hashLen)))
}

func mustMake(t testing.TB, pw string, opts hashers.MakeOptions) string {
	t.Helper()
	enc, err := hashers.Make(pw, opts)
	if err != nil {
		t.Fatalf("Make(%s): %v", opts.Algorithm, err)
	}
	return enc
}

type updateCase struct{ encoded, preferred string }

func updateCases(t *testing.T, v djangosess.Version) []updateCase {
	d := hashers.DefaultParams(v)
	pb := func(alg string, iter int, salt string) string { return fmt.Sprintf("%s$%d$%s$hash", alg, iter, salt) }
	cs := []updateCase{
		{pb("pbkdf2_sha256", d.PBKDF2Iterations, salt22), ""},
		{pb("pbkdf2_sha256", d.PBKDF2Iterations+1, salt22), ""},
		{pb("pbkdf2_sha256", 36000, salt22), ""},
		{pb("pbkdf2_sha256", d.PBKDF2Iterations, salt22[:21]), ""},
		{pb("pbkdf2_sha256", d.PBKDF2Iterations, "twelve-chars"), ""},
		{pb("pbkdf2_sha256", d.PBKDF2Iterations, "sälzsälzsälzsälzsälzsä"), ""},
		{pb("pbkdf2_sha1", d.PBKDF2Iterations, salt22), ""},
		{pb("pbkdf2_sha1", d.PBKDF2Iterations, salt22), "pbkdf2_sha1"},
		{pb("pbkdf2_sha1", 1, salt22), "pbkdf2_sha1"},
		{"md5$" + salt22 + "$0123", "md5"},
		{"md5$short$0123", "md5"},
		{"md5$" + salt22 + "$0123", ""},
		{"sha1$" + salt22 + "$0123", "sha1"},
		{"sha1$short$0123", "sha1"},
		{strings.Repeat("0", 32), ""},
		{strings.Repeat("0", 32), "unsalted_md5"},
		{"md5$$" + strings.Repeat("0", 32), "unsalted_md5"},
		{"sha1$$" + strings.Repeat("0", 40), "unsalted_sha1"},
		{"sha1$$" + strings.Repeat("0", 40), ""},
	}
	a := d.Argon2
	for _, c := range []struct {
		variant       string
		m, t, p, hlen int
		salt          string
	}{
		{a.Variant, int(a.MemoryKiB), int(a.Time), int(a.Parallelism), int(a.HashLen), salt22},
		{a.Variant, int(a.MemoryKiB), int(a.Time) + 1, int(a.Parallelism), int(a.HashLen), salt22},
		{a.Variant, int(a.MemoryKiB) * 2, int(a.Time), int(a.Parallelism), int(a.HashLen), salt22},
		{a.Variant, int(a.MemoryKiB), int(a.Time), int(a.Parallelism) / 2, int(a.HashLen), salt22},
		{a.Variant, int(a.MemoryKiB), int(a.Time), int(a.Parallelism), 32, salt22},
		{a.Variant, int(a.MemoryKiB), int(a.Time), int(a.Parallelism), int(a.HashLen), "twelve-chars"},
		{"argon2i", int(a.MemoryKiB), int(a.Time), int(a.Parallelism), int(a.HashLen), salt22},
		{"argon2id", 512, 2, 2, 16, salt22},
	} {
		enc := argon2String(c.variant, c.m, c.t, c.p, []byte(c.salt), c.hlen)
		cs = append(cs, updateCase{enc, "argon2"}, updateCase{enc, ""})
	}
	for _, alg := range []string{hashers.BcryptSHA256, hashers.Bcrypt} {
		enc := mustMake(t, "pw", hashers.MakeOptions{Algorithm: alg, Params: cheap(v)})
		for _, cost := range []string{"04", "11", "12", "13"} {
			cs = append(cs, updateCase{strings.Replace(enc, "$04$", "$"+cost+"$", 1), alg})
		}
		cs = append(cs, updateCase{enc, ""})
	}
	for _, s := range []string{"16384$" + salt22 + "$8$1", "16384$" + salt22 + "$8$5", "32768$" + salt22 + "$8$1", "16384$s$16$1"} {
		cs = append(cs, updateCase{"scrypt$" + s + "$hash", "scrypt"}, updateCase{"scrypt$" + s + "$hash", ""})
	}
	return cs
}

// TestMustUpdateIsDjangos: MustUpdate answers as Django's verify_password
// decides must_update, for each preferred hasher (PASSWORD_HASHERS[0]).
func TestMustUpdateIsDjangos(t *testing.T) {
	for _, o := range oracles(t) {
		t.Run(o.django.Version, func(t *testing.T) {
			var cases []updateCase
			var reqs []map[string]any
			for _, c := range updateCases(t, o.version) {
				alg, err := hashers.Identify(c.encoded)
				if err != nil || !hashers.Shipped(alg, o.version) || (c.preferred != "" && !hashers.Shipped(c.preferred, o.version)) {
					continue
				}
				r := map[string]any{"op": "must_update", "encoded": c.encoded}
				if c.preferred != "" {
					r["preferred"] = c.preferred
				}
				cases, reqs = append(cases, c), append(reqs, r)
			}
			for i, a := range o.do(t, reqs...) {
				c := cases[i]
				p := hashers.DefaultParams(o.version)
				if c.preferred != "" {
					p.Algorithm = c.preferred
				}
				if got := p.MustUpdate(c.encoded); fmt.Sprint(got) != a.result() {
					t.Errorf("preferred %q, MustUpdate(%q) = %v, Django %s", c.preferred, c.encoded, got, a.result())
				}
				if c.preferred == "" && fmt.Sprint(hashers.MustUpdate(c.encoded, o.version)) != a.result() {
					t.Errorf("MustUpdate(%q, %v) disagrees with Django's %s", c.encoded, o.version, a.result())
				}
			}
			t.Logf("Django %s: %d must_update decisions agree", o.django.Version, len(cases))
		})
	}
}

// TestIdentifyIsDjangos: Identify names what Django's identify_hasher
// names.
func TestIdentifyIsDjangos(t *testing.T) {
	encs := []string{
		"pbkdf2_sha256$1$s$h", "pbkdf2_sha1$x", "argon2$x", "bcrypt$x", "bcrypt_sha256$x", "scrypt$1", "md5$s$h",
		"sha1$s$h", "md5$$" + strings.Repeat("a", 32), "md5$$" + strings.Repeat("a", 31), "md5$$" + strings.Repeat("a", 33),
		"sha1$$" + strings.Repeat("a", 40), "sha1$$" + strings.Repeat("a", 39), strings.Repeat("a", 32),
		strings.Repeat("ü", 32), strings.Repeat("a", 31), strings.Repeat("a", 33), "", "plain", "PBKDF2_SHA256$1$s$h",
		"!" + strings.Repeat("a", 40), "crypt$$abcdef", "$pbkdf2_sha256", " pbkdf2_sha256$1$s$h",
	}
	for _, o := range oracles(t) {
		t.Run(o.django.Version, func(t *testing.T) {
			reqs := make([]map[string]any, len(encs))
			for i, e := range encs {
				reqs[i] = map[string]any{"op": "identify", "encoded": e}
			}
			for i, a := range o.do(t, reqs...) {
				got, err := hashers.Identify(encs[i])
				switch {
				case a.Error == "":
					if err != nil || got != a.str(t) {
						t.Errorf("Identify(%q) = %q, %v; Django %s", encs[i], got, err, a.Value)
					}
				case err == nil && hashers.Shipped(got, o.version) && got != hashers.Crypt:
					// Django refuses only what it lacks (crypt is not in
					// the oracle's PASSWORD_HASHERS).
					t.Errorf("Identify(%q) = %q; Django raises %s", encs[i], got, a.Error)
				}
			}
		})
	}
}

// hostile are encoded passwords a corrupt or hostile row might hold,
// derived from real hashes of "pw": Go's Check must accept exactly those
// Django's check_password accepts.
func hostile(t *testing.T, v djangosess.Version) []updateCase {
	mk := func(alg string) string {
		w := v
		if !hashers.Shipped(alg, v) {
			w = djangosess.Version{Major: 4, Minor: 2} // the legacy hashers' output is the same in every version
		}
		return mustMake(t, "pw", hashers.MakeOptions{Algorithm: alg, Django: w, Params: cheap(v)})
	}
	var cs []string
	pb := mk(hashers.PBKDF2SHA256)
	f := strings.Split(pb, "$")
	j := func(parts ...string) string { return strings.Join(parts, "$") }
	cs = append(cs, pb, j(f[0], "01000", f[2], f[3]), j(f[0], "+1000", f[2], f[3]), j(f[0], " 1000", f[2], f[3]),
		j(f[0], "1_000", f[2], f[3]), j(f[0], "0", f[2], f[3]), j(f[0], f[1], "", f[3]), j(f[0], f[1], f[2]),
		pb+"$", pb+" ", strings.TrimRight(pb, "="), strings.ToUpper(f[0])+pb[len(f[0]):], j(f[0], "1000.0", f[2], f[3]))

	ar := mk(hashers.Argon2)
	g := strings.Split(ar, "$") // argon2, argon2id, v=19, m=256,t=1,p=2, salt, hash
	cs = append(cs, ar,
		j(g[0], g[1], g[2], "m=0256,t=01,p=2", g[4], g[5]),
		j(g[0], g[1], g[2], "m=256,t=1,p=2,x=1", g[4], g[5]),
		j(g[0], g[1], "v=16", g[3], g[4], g[5]),
		j(g[0], g[1], "v=20", g[3], g[4], g[5]),
		j(g[0], g[1], g[3], g[4], g[5]),
		j(g[0], "argon2d", g[2], g[3], g[4], g[5]),
		j(g[0], "argon2i", g[2], g[3], g[4], g[5]),
		j(g[0], g[1], g[2], g[3], g[4][:10], g[5]),
		j(g[0], g[1], g[2], g[3], g[4], g[5][:len(g[5])-1]+"B"),
		j(g[0], g[1], g[2], g[3], g[4], g[5]+"=="),
		j(g[0], g[1], g[2], "m=7,t=1,p=1", g[4], g[5]),
		j(g[0], g[1], g[2], "m=256,t=0,p=2", g[4], g[5]),
		ar+"\x00trailing", ar+"$", ar+"x")

	for _, alg := range []string{hashers.BcryptSHA256, hashers.Bcrypt} {
		bc := mk(alg)
		n := len(alg) + 1
		cs = append(cs, bc,
			bc[:n]+"$2a$"+bc[n+4:], bc[:n]+"$2y$"+bc[n+4:], bc[:n]+"$2x$"+bc[n+4:], bc[:n]+"$2$"+bc[n+4:],
			bc[:n+28]+"P"+bc[n+29:], // non-canonical last salt character
			bc[:len(bc)-1]+"b",      // non-canonical last hash character
			bc+"x", bc[:len(bc)-1], strings.Replace(bc, "$04$", "$4$", 1), strings.Replace(bc, "$04$", "$03$", 1))
	}
	if hashers.Shipped(hashers.Scrypt, v) {
		sc := mk(hashers.Scrypt)
		s := strings.Split(sc, "$") // scrypt, N, salt, r, p, hash
		cs = append(cs, sc, j(s[0], "0", s[2], s[3], s[4], s[5]), j(s[0], "1000", s[2], s[3], s[4], s[5]),
			j(s[0], s[1], s[2], "0", s[4], s[5]), j(s[0], s[1], s[2], s[3], s[4], s[5], "x"), j(s[0], s[1], "", s[3], s[4], s[5]),
			j(s[0], "01024", s[2], s[3], s[4], s[5]))
	}
	md := mk(hashers.MD5)
	cs = append(cs, md, strings.ToUpper(md), "md5$$"+strings.Split(md, "$")[2], md+"$", "md5$"+strings.Split(md, "$")[1])
	um := mk(hashers.UnsaltedMD5)
	cs = append(cs, um, strings.ToUpper(um), "md5$$"+um, "md5$$"+um+"0", um[:31])
	if hashers.Shipped(hashers.SHA1, v) {
		sh := mk(hashers.SHA1)
		us := mk(hashers.UnsaltedSHA1)
		cs = append(cs, sh, strings.Replace(sh, "sha1$", "sha1$$", 1), us, strings.ToUpper(us), us+"0")
	}
	cs = append(cs, "", "!", "!"+pb, "crypt$$abN0vLx5nQE2I", "pw", "$"+pb)

	out := make([]updateCase, 0, len(cs)+2)
	for _, c := range cs {
		out = append(out, updateCase{c, "pw"}) // preferred holds the password here
	}
	// A NUL byte in the password, which bcrypt refuses.
	out = append(out, updateCase{mk(hashers.Bcrypt), "p\x00w"}, updateCase{mk(hashers.BcryptSHA256), "p\x00w"})
	return out
}

// shipped is the PASSWORD_HASHERS of the oracle: every hasher Django v has
// but crypt.
func shipped(v djangosess.Version) []string {
	var out []string
	for _, alg := range allAlgorithms {
		if hashers.Shipped(alg, v) {
			out = append(out, alg)
		}
	}
	return out
}

// TestHostileRowsAgreeWithDjango: for malformed and tampered encoded
// passwords, Check accepts exactly what Django's check_password accepts
// (where Django raises instead of answering False, Check returns an error).
func TestHostileRowsAgreeWithDjango(t *testing.T) {
	for _, o := range oracles(t) {
		t.Run(o.django.Version, func(t *testing.T) {
			cases := hostile(t, o.version)
			reqs := make([]map[string]any, len(cases))
			for i, c := range cases {
				reqs[i] = checkReq(c.preferred, c.encoded)
			}
			var accepted, raised int
			checker := hashers.Checker{Algorithms: shipped(o.version)}
			for i, a := range o.do(t, reqs...) {
				c := cases[i]
				ok, err := checker.Check(c.preferred, c.encoded)
				django := a.result()
				if ok != (django == "true") {
					t.Errorf("Check(%q, %q) = %v, %v; Django %s", c.preferred, c.encoded, ok, err, django)
				}
				if ok && err != nil {
					t.Errorf("Check(%q) = true with %v", c.encoded, err)
				}
				if strings.HasPrefix(django, "error:") {
					raised++
					if err == nil {
						t.Logf("note: %q: Django raises (%s), Go answers false without an error", c.encoded, django)
					}
				}
				if ok {
					accepted++
				}
				if err != nil && !errors.Is(err, hashers.ErrMalformed) && !errors.Is(err, hashers.ErrUnknownHasher) &&
					!errors.Is(err, hashers.ErrUnsupported) && !errors.Is(err, hashers.ErrPassword) {
					t.Errorf("Check(%q): untyped error %v", c.encoded, err)
				}
			}
			t.Logf("Django %s: %d rows, %d accepted by both, %d where Django raises", o.django.Version, len(cases), accepted, raised)
		})
	}
}
