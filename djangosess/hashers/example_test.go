package hashers_test

import (
	"fmt"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/hashers"
)

// A password Django set checks in Go. This one was stored by a Django 1.11
// site (36,000 iterations, a 12-character salt); Django 5.2 would rehash it
// at the next login.
func ExampleCheck() {
	encoded := "pbkdf2_sha256$36000$Zz0Yy1Xx2Ww3$wiSyREFS1x0AiO/3DHyuDlvadFaqLt9JLm08rvCLNX0="

	ok, err := hashers.Check("s3cret", encoded)
	fmt.Println(ok, err)
	ok, err = hashers.Check("wrong", encoded)
	fmt.Println(ok, err)
	fmt.Println(hashers.MustUpdate(encoded, djangosess.Version{Major: 5, Minor: 2}))
	// Output:
	// true <nil>
	// false <nil>
	// true
}

// A password set in Go checks in Django: with the same salt and work
// factors, Make writes what Django's make_password writes. Here the project
// subclasses PBKDF2PasswordHasher with iterations = 100_000; Salt is
// usually left empty for a random one.
func ExampleMake() {
	p := hashers.DefaultParams(djangosess.Version{Major: 4, Minor: 2})
	p.PBKDF2Iterations = 100_000
	encoded, err := hashers.Make("s3cret", hashers.MakeOptions{Params: &p, Salt: "Zz0Yy1Xx2Ww3Vv4Uu5Tt6S"})
	fmt.Println(encoded, err)

	ok, _ := hashers.Check("s3cret", encoded)
	fmt.Println(ok, p.MustUpdate(encoded))
	// Output:
	// pbkdf2_sha256$100000$Zz0Yy1Xx2Ww3Vv4Uu5Tt6S$P3aw0LpBQ18gu/xkUfT1ZFQ0lmK4kWJG8TsDz2Y0dPU= <nil>
	// true false
}
