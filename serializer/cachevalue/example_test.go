package cachevalue_test

import (
	"fmt"

	"github.com/djangosess/djangosess/serializer"
	"github.com/djangosess/djangosess/serializer/cachevalue"
)

func ExampleCodec_Decode() {
	// What django-redis 5.2 (pickle, no compressor) stores in Redis under
	// ":1:django.contrib.sessions.cache<session key>".
	stored := []byte("\x80\x04\x95\x18\x00\x00\x00\x00\x00\x00\x00}\x94\x8c\r_auth_user_id\x94\x8c\x011\x94s.")
	v, err := cachevalue.Codec{}.Decode(stored)
	if err != nil {
		panic(err)
	}
	uid, _ := v.(*serializer.Dict).String("_auth_user_id")
	fmt.Println("user", uid)

	// An int is stored as its digits, whatever the serializer.
	n, _ := cachevalue.Codec{}.Decode([]byte("42"))
	fmt.Println(n)

	// Write it back for a cache configured with the JSON serializer.
	b, _ := cachevalue.Codec{Serializer: "json"}.Encode(v)
	fmt.Printf("%s\n", b)
	// Output:
	// user 1
	// 42
	// {"_auth_user_id": "1"}
}
