package cookies_test

import (
	"context"
	"fmt"
	"time"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/cookies"
	"github.com/djangosess/djangosess/serializer"
)

func ExampleNew() {
	ctx := context.Background()
	store, err := cookies.New(cookies.Config{
		SecretKey: []byte("django-insecure-example-key"),
		// A fixed clock makes the output reproducible (it is what Django 4.2
		// signs at that time); leave Now nil.
		Now: func() time.Time { return time.Unix(1700000000, 0) },
	})
	if err != nil {
		panic(err)
	}
	cookie, err := store.Save(ctx, djangosess.Record{Data: serializer.DictOf("_auth_user_id", serializer.Str("42"))})
	if err != nil {
		panic(err)
	}
	fmt.Println("sessionid =", cookie)

	r, err := store.Load(ctx, cookie)
	if err != nil {
		panic(err)
	}
	id, _ := r.Data.String("_auth_user_id")
	fmt.Println("user", id, "until", r.Expiry.UTC().Format(time.DateOnly))
	// Output:
	// sessionid = eyJfYXV0aF91c2VyX2lkIjoiNDIifQ:1r31eq:DsV0Kme3tTYtvFnEz-Z2iHj9E_NyZcIGrI5JkKMgPf0
	// user 42 until 2023-11-28
}
