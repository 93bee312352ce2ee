package signing_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/djangosess/djangosess/serializer"
	"github.com/djangosess/djangosess/signing"
)

func ExampleSigner_Sign() {
	// Django: Signer(key="k", salt="s").sign("value")
	s, err := signing.NewSigner(signing.Config{Key: []byte("k"), Salt: "s"})
	if err != nil {
		panic(err)
	}
	signed := s.Sign("value")
	fmt.Println(signed)

	v, err := s.Unsign(signed)
	fmt.Println(v, err)
	_, err = s.Unsign("value:forged")
	fmt.Println(errors.Is(err, signing.ErrBadSignature))
	// Output:
	// value:UdW6EumfwvqkMdaD8Hynn--w1ZxfVvN6EQZh7oqy57g
	// value <nil>
	// true
}

func ExampleTimestampSigner_UnsignMaxAge() {
	now := time.Unix(1700000000, 0)
	s, err := signing.NewTimestampSigner(signing.Config{
		Key:  []byte("k"),
		Salt: "s",
		Now:  func() time.Time { return now },
	})
	if err != nil {
		panic(err)
	}
	signed := s.Sign("value")
	fmt.Println(signed)

	now = now.Add(30 * time.Second)
	v, err := s.UnsignMaxAge(signed, time.Minute)
	fmt.Println(v, err)

	_, err = s.UnsignMaxAge(signed, 10*time.Second)
	var expired *signing.ExpiredError
	fmt.Println(errors.As(err, &expired), expired.Age, errors.Is(err, signing.ErrBadSignature))
	// Output:
	// value:1r31eq:ssssc7HhCEZDPTrI0cH_gc2bSWH70EWncHw83Co0B0o
	// value <nil>
	// true 30s true
}

func ExampleDumps() {
	s, err := signing.Dumps(serializer.Str("hello"), signing.DumpsOptions{
		Config: signing.Config{
			Key: []byte("test-secret-key-0123456789"),
			Now: func() time.Time { return time.Unix(1700000000, 0) },
		},
	})
	fmt.Println(s, err)
	// Output:
	// ImhlbGxvIg:1r31eq:MwR1ymO1NEflTgfCSMH7km4WvyJ-_ySA0khI9A1bnBg <nil>
}

func ExampleLoads() {
	// A session row written by Django 4.2: SessionStore().encode(...).
	const sessionData = ".eJyrVopPLC3JiC8tTi2Kz0xRslIyVNJBFktKTM5OzQNJpGQl5qXn6yXn55UUZSbpgZToQWWL9XzzU1JznKBqUQzISCzOAOquoBAo1QIAkBRETQ" +
		":1r31eq:1nFqQdaVLk0iNvoR_wPVHdB67wfNoABLURJHXEXzXew"
	v, err := signing.Loads(sessionData, signing.LoadsOptions{
		Config: signing.Config{
			Key:  []byte("test-secret-key-0123456789"),
			Salt: "django.contrib.sessions.SessionStore",
		},
	})
	if err != nil {
		panic(err)
	}
	uid, _ := v.(*serializer.Dict).String("_auth_user_id")
	fmt.Println(uid)
	// Output:
	// 1
}
