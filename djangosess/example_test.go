package djangosess_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/serializer"
	"github.com/djangosess/djangosess/signing"
)

// A session that Django 3.1+ wrote (django-formats.md §13), read back.
func ExampleCodec_Decode() {
	codec, err := djangosess.NewCodec(djangosess.CodecConfig{
		SecretKey: []byte("test-secret-key-0123456789"),
	})
	if err != nil {
		panic(err)
	}
	d, err := codec.Decode(".eJyrVopPLC3JiC8tTi2Kz0xRslIyVNJBFktKTM5OzQNJpGQl5qXn6yXn55UUZSbpgZToQWWL9XzzU1JznKBqUQzISCzOAOquoBAo1QIAkBRETQ:1r31eq:1nFqQdaVLk0iNvoR_wPVHdB67wfNoABLURJHXEXzXew")
	if err != nil {
		panic(err)
	}
	uid, _ := d.String("_auth_user_id")
	backend, _ := d.String("_auth_user_backend")
	fmt.Println(uid, backend)
	// Output: 1 django.contrib.auth.backends.ModelBackend
}

// Writing for Django 2.2 gives the legacy format, which Django ≤ 3.2 reads.
// The expected output is what Django 3.2 writes with
// DEFAULT_HASHING_ALGORITHM = "sha1".
func ExampleCodec_Encode() {
	codec, err := djangosess.NewCodec(djangosess.CodecConfig{
		SecretKey: []byte("test-secret-key-0123456789"),
		Target:    djangosess.Version{Major: 2, Minor: 2},
		Now:       func() time.Time { return time.Unix(1700000000, 0) },
	})
	if err != nil {
		panic(err)
	}
	s, err := codec.Encode(serializer.DictOf("cart", serializer.List{serializer.Int(1), serializer.Int(2)}))
	if err != nil {
		panic(err)
	}
	fmt.Println(s)
	// Output: NDkxMzgzOWM5YTk2YjZiNTY1OTNjMjIwMjc2OTRjMzU1YzgwYzA3YTp7ImNhcnQiOlsxLDJdfQ==
}

// A Decoder reads session after session into the same memory, for loops
// that are done with each session before the next: here, the user of
// every logged-in session.
func ExampleCodec_NewDecoder() {
	codec, err := djangosess.NewCodec(djangosess.CodecConfig{
		SecretKey: []byte("test-secret-key-0123456789"),
	})
	if err != nil {
		panic(err)
	}
	dec := codec.NewDecoder()
	for _, data := range []string{
		".eJyrVopPLC3JiC8tTi2Kz0xRslIyVNJBFktKTM5OzQNJpGQl5qXn6yXn55UUZSbpgZToQWWL9XzzU1JznKBqUQzISCzOAOquoBAo1QIAkBRETQ:1r31eq:1nFqQdaVLk0iNvoR_wPVHdB67wfNoABLURJHXEXzXew",
		"tampered:1r31eq:1nFqQdaVLk0iNvoR_wPVHdB67wfNoABLURJHXEXzXew",
	} {
		d, err := dec.Decode(data)
		if err != nil {
			fmt.Println("rejected:", errors.Is(err, signing.ErrBadSignature))
			continue
		}
		uid, _ := d.String("_auth_user_id") // a str: valid after the next Decode too
		fmt.Println("user", uid)
	}
	// Output:
	// user 1
	// rejected: true
}
