package hashers_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/hashers"
)

var passwords = []string{
	"correct horse battery staple",
	"",
	"pässwörd ☃ 密码",
	"with$dollar and spaces ",
	strings.Repeat("long-", 30), // 150 bytes: past bcrypt's 72
}

var allAlgorithms = []string{
	hashers.PBKDF2SHA256, hashers.PBKDF2SHA1, hashers.Argon2, hashers.BcryptSHA256, hashers.Bcrypt,
	hashers.Scrypt, hashers.SHA1, hashers.MD5, hashers.UnsaltedSHA1, hashers.UnsaltedMD5,
}

// deterministic are the algorithms whose output a fixed salt determines.
var deterministic = []string{
	hashers.PBKDF2SHA256, hashers.PBKDF2SHA1, hashers.Argon2, hashers.Scrypt,
	hashers.SHA1, hashers.MD5, hashers.UnsaltedSHA1, hashers.UnsaltedMD5,
}

// cheap are work factors that keep the many comparisons fast, set on
// Django's hasher instances (as a project's hasher subclass would) and
// passed to Make. Each version's default work factors are exercised too,
// once per algorithm.
var cheapDjango = map[string]any{
	"pbkdf2_iterations": 1000,
	"argon2":            map[string]any{"time_cost": 1, "memory_cost": 256, "parallelism": 2},
	"bcrypt_rounds":     4,
	"scrypt":            map[string]any{"work_factor": 1024, "block_size": 8, "parallelism": 2},
}

func cheap(v djangosess.Version) *hashers.Params {
	p := hashers.DefaultParams(v)
	p.PBKDF2Iterations = 1000
	p.Argon2.Time, p.Argon2.MemoryKiB, p.Argon2.Parallelism = 1, 256, 2
	p.BcryptRounds = 4
	if p.Scrypt.N != 0 {
		p.Scrypt = hashers.ScryptParams{N: 1024, R: 8, P: 2}
	}
	return &p
}

// TestDefaultParamsAreDjangos compares DefaultParams with the class
// attributes of each Django's hashers, and Shipped with its hasher list.
func TestDefaultParamsAreDjangos(t *testing.T) {
	for _, o := range oracles(t) {
		t.Run(o.django.Version, func(t *testing.T) {
			var got struct {
				PBKDF2Iterations int `json:"pbkdf2_iterations"`
				SaltEntropy      int `json:"salt_entropy"`
				Argon2           struct {
					T    uint32 `json:"time_cost"`
					M    uint32 `json:"memory_cost"`
					P    uint8  `json:"parallelism"`
					Len  uint32 `json:"hash_len"`
					Type string `json:"type"`
				} `json:"argon2"`
				BcryptRounds int `json:"bcrypt_rounds"`
				Scrypt       *struct{ N, R, P int }
				Hashers      []string `json:"hashers"`
			}
			a := o.do(t, map[string]any{"op": "params"})[0]
			if err := json.Unmarshal(a.Value, &got); err != nil {
				t.Fatal(err, a.Error)
			}
			want := hashers.Params{
				Algorithm:        hashers.PBKDF2SHA256,
				PBKDF2Iterations: got.PBKDF2Iterations,
				Argon2: hashers.Argon2Params{Variant: "argon2" + got.Argon2.Type, Time: got.Argon2.T,
					MemoryKiB: got.Argon2.M, Parallelism: got.Argon2.P, HashLen: got.Argon2.Len},
				BcryptRounds: got.BcryptRounds,
				SaltEntropy:  got.SaltEntropy,
			}
			if got.Scrypt != nil {
				want.Scrypt = hashers.ScryptParams{N: got.Scrypt.N, R: got.Scrypt.R, P: got.Scrypt.P}
			}
			if p := hashers.DefaultParams(o.version); p != want {
				t.Errorf("DefaultParams(%v) =\n %+v\nDjango:\n %+v", o.version, p, want)
			}
			for _, alg := range allAlgorithms {
				has := strings.Contains(" "+strings.Join(got.Hashers, " ")+" ", " "+alg+" ")
				if hashers.Shipped(alg, o.version) != has {
					t.Errorf("Shipped(%s, %v) = %v, Django has it: %v", alg, o.version, !has, has)
				}
			}
			want4 := []string{hashers.PBKDF2SHA256, hashers.PBKDF2SHA1, hashers.Argon2, hashers.BcryptSHA256}
			if got.Scrypt != nil {
				want4 = append(want4, hashers.Scrypt)
			}
			if d := hashers.DefaultAlgorithms(o.version); fmt.Sprint(d) != fmt.Sprint(want4) {
				t.Errorf("DefaultAlgorithms(%v) = %v, want %v", o.version, d, want4)
			}
		})
	}
}

type makeCase struct {
	alg, password, salt string
	full                bool // the version's default work factors
}

func (c makeCase) request() map[string]any {
	r := map[string]any{"op": "make", "algorithm": c.alg, "password": c.password, "salt": c.salt}
	if !c.full {
		r["params"] = cheapDjango
	}
	return r
}

func (c makeCase) goMake(v djangosess.Version) (string, error) {
	opts := hashers.MakeOptions{Algorithm: c.alg, Django: v, Salt: c.salt}
	if !c.full {
		opts.Params = cheap(v)
	}
	return hashers.Make(c.password, opts)
}

// makeCases are the fixed-salt hashes compared byte for byte. With full,
// one hash per algorithm uses the version's default work factors (a few
// seconds each under the race detector, so the tests ask for them for one
// Django version only; TestDefaultParamsAreDjangos checks every version's
// defaults without hashing).
func makeCases(v djangosess.Version, full bool) []makeCase {
	var cs []makeCase
	for _, alg := range deterministic {
		if !hashers.Shipped(alg, v) {
			continue
		}
		switch alg {
		case hashers.PBKDF2SHA256, hashers.Argon2, hashers.Scrypt:
			if full {
				cs = append(cs, makeCase{alg, passwords[0], "Zz0Yy1Xx2Ww3Vv4Uu5Tt6S", true})
			}
		}
		for _, pw := range passwords {
			switch alg {
			case hashers.UnsaltedSHA1, hashers.UnsaltedMD5:
				cs = append(cs, makeCase{alg, pw, "", false})
			case hashers.Argon2:
				cs = append(cs, makeCase{alg, pw, "abcdefghijklmnopqrstuv", false}, makeCase{alg, pw, "sälz ☃ 8+", false})
			default:
				cs = append(cs, makeCase{alg, pw, "abcdefghijklmnopqrstuv", false}, makeCase{alg, pw, "sälz ☃", false})
			}
		}
	}
	return cs
}

// TestMakeIsDjangos: with the same salt and work factors, Make writes
// exactly what Django's make_password writes, for every algorithm a salt
// determines; Check accepts Django's hashes and refuses a wrong password.
func TestMakeIsDjangos(t *testing.T) {
	os := oracles(t)
	for vi, o := range os {
		t.Run(o.django.Version, func(t *testing.T) {
			cases := makeCases(o.version, vi == len(os)-1)
			reqs := make([]map[string]any, len(cases))
			for i, c := range cases {
				reqs[i] = c.request()
			}
			same := 0
			for i, a := range o.do(t, reqs...) {
				c := cases[i]
				want := a.str(t)
				got, err := c.goMake(o.version)
				if err != nil || got != want {
					t.Errorf("%s %q salt %q: Go %q, %v\n Django %q", c.alg, c.password, c.salt, got, err, want)
					continue
				}
				same++
				if ok, err := hashers.Check(c.password, want); !ok || err != nil {
					t.Errorf("Check(%q, Django's %q) = %v, %v", c.password, want, ok, err)
				}
				if c.full {
					continue // one hashing at the default work factor is enough
				}
				if ok, err := hashers.Check(c.password+"x", want); ok || err != nil {
					t.Errorf("Check(wrong password, Django's %q) = %v, %v", want, ok, err)
				}
			}
			t.Logf("Django %s: %d of %d fixed-salt hashes byte-identical and checked", o.django.Version, same, len(cases))
		})
	}
}

// TestDjangoBcryptInGo: Django's bcrypt hashes (random salts) check in Go
// as they do in Django, including past bcrypt's 72 bytes.
func TestDjangoBcryptInGo(t *testing.T) {
	os := oracles(t)
	for vi, o := range os {
		t.Run(o.django.Version, func(t *testing.T) {
			var reqs []map[string]any
			for _, alg := range []string{hashers.BcryptSHA256, hashers.Bcrypt} {
				for _, pw := range passwords {
					reqs = append(reqs, map[string]any{"op": "make", "algorithm": alg, "password": pw, "params": cheapDjango})
				}
			}
			if vi == len(os)-1 { // 12 rounds, once
				reqs = append(reqs, map[string]any{"op": "make", "algorithm": hashers.BcryptSHA256, "password": "pw"})
			}
			made := o.do(t, reqs...)
			var checks []map[string]any
			for i, a := range made {
				pw := reqs[i]["password"].(string)
				checks = append(checks, checkReq(pw+"x", a.str(t)))
			}
			wrong := o.do(t, checks...)
			for i, a := range made {
				enc, pw := a.str(t), reqs[i]["password"].(string)
				if ok, err := hashers.Check(pw, enc); !ok || err != nil {
					t.Errorf("Check(%q, Django's %q) = %v, %v", pw, enc, ok, err)
				}
				if i >= 2*len(passwords) {
					continue // the 12-round hash: once is enough
				}
				ok, err := hashers.Check(pw+"x", enc)
				if err != nil || fmt.Sprint(ok) != wrong[i].result() {
					t.Errorf("Check(%q+x, Django's %q) = %v, %v; Django %s", pw, enc, ok, err, wrong[i].result())
				}
			}
		})
	}
}

// TestGoHashesCheckInDjango: what Make writes with random salts verifies
// in Django's check_password and a wrong password does not; for bcrypt,
// Django re-encoding with Go's salt gives Go's exact string.
func TestGoHashesCheckInDjango(t *testing.T) {
	os := oracles(t)
	for vi, o := range os {
		t.Run(o.django.Version, func(t *testing.T) {
			type made struct{ alg, pw, enc string }
			var ms []made
			for _, alg := range allAlgorithms {
				if !hashers.Shipped(alg, o.version) {
					if _, err := hashers.Make("x", hashers.MakeOptions{Algorithm: alg, Django: o.version}); !errors.Is(err, hashers.ErrUnsupported) {
						t.Errorf("Make(%s) for Django %v: %v, want ErrUnsupported", alg, o.version, err)
					}
					continue
				}
				for _, pw := range passwords {
					if alg == hashers.Bcrypt && len(pw) > 72 {
						if _, err := hashers.Make(pw, hashers.MakeOptions{Algorithm: alg, Params: cheap(o.version)}); !errors.Is(err, hashers.ErrPassword) {
							t.Errorf("Make(bcrypt, 150 bytes): %v, want ErrPassword", err)
						}
						continue
					}
					enc, err := hashers.Make(pw, hashers.MakeOptions{Algorithm: alg, Django: o.version, Params: cheap(o.version)})
					if err != nil {
						t.Fatalf("Make(%s): %v", alg, err)
					}
					ms = append(ms, made{alg, pw, enc})
				}
			}
			if vi == len(os)-1 { // the default algorithm at the default work factor, once
				enc, err := hashers.Make(passwords[0], hashers.MakeOptions{Django: o.version})
				if err != nil || !strings.HasPrefix(enc, fmt.Sprintf("pbkdf2_sha256$%d$", hashers.DefaultParams(o.version).PBKDF2Iterations)) {
					t.Fatalf("Make default: %q, %v", enc, err)
				}
				ms = append(ms, made{hashers.PBKDF2SHA256, passwords[0], enc})
			}

			var reqs []map[string]any
			for _, m := range ms {
				reqs = append(reqs,
					checkReq(m.pw, m.enc),
					checkReq(m.pw+"x", m.enc))
				if strings.HasPrefix(m.alg, "bcrypt") {
					data := m.enc[len(m.alg)+1:]
					reqs = append(reqs, map[string]any{"op": "bcrypt_encode", "algorithm": m.alg, "password": m.pw, "salt": data[:29]})
				}
			}
			as := o.do(t, reqs...)
			k := 0
			for _, m := range ms {
				if as[k].result() != "true" || as[k+1].result() != "false" {
					t.Errorf("Django check_password on Go's %s %q: %s (right), %s (wrong)", m.alg, m.enc, as[k].result(), as[k+1].result())
				}
				k += 2
				if strings.HasPrefix(m.alg, "bcrypt") {
					if got := as[k].str(t); got != m.enc {
						t.Errorf("Django re-encodes Go's %q as %q", m.enc, got)
					}
					k++
				}
			}
			t.Logf("Django %s: %d Go hashes accepted by Django's check_password", o.django.Version, len(ms))
		})
	}
}

// TestSaltsAreDjangos: generated salts have the length and alphabet of
// the salts Django draws.
func TestSaltsAreDjangos(t *testing.T) {
	for _, o := range oracles(t) {
		t.Run(o.django.Version, func(t *testing.T) {
			d := o.do(t, map[string]any{"op": "salt", "algorithm": "md5"})[0].str(t)
			enc, err := hashers.Make("pw", hashers.MakeOptions{Algorithm: hashers.MD5, Django: o.version})
			if err != nil {
				t.Fatal(err)
			}
			salt := strings.Split(enc, "$")[1]
			if len(salt) != len(d) || strings.Trim(salt, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != "" {
				t.Errorf("Go salt %q, Django's %q", salt, d)
			}
		})
	}
}

// TestUnusable: Django's make_password(None) is unusable in Go, Go's
// MakeUnusable in Django.
func TestUnusable(t *testing.T) {
	for _, o := range oracles(t) {
		t.Run(o.django.Version, func(t *testing.T) {
			mine := hashers.MakeUnusable()
			as := o.do(t, map[string]any{"op": "unusable"},
				map[string]any{"op": "usable", "encoded": mine},
				checkReq("", mine))
			theirs := as[0].str(t)
			if len(theirs) != len(mine) || hashers.IsUsable(theirs) {
				t.Errorf("Django's %q: IsUsable true or length %d != Go's %d", theirs, len(theirs), len(mine))
			}
			if ok, err := hashers.Check("", theirs); ok || err != nil {
				t.Errorf("Check(Django's unusable) = %v, %v", ok, err)
			}
			if hashers.MustUpdate(theirs, o.version) {
				t.Errorf("MustUpdate(unusable) = true")
			}
			if as[1].result() != "false" || as[2].result() != "false" {
				t.Errorf("Django on Go's %q: usable %s, check %s", mine, as[1].result(), as[2].result())
			}
		})
	}
}
