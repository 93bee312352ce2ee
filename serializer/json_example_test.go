package serializer_test

import (
	"fmt"

	"github.com/djangosess/djangosess/serializer"
)

func ExampleJSON_Unmarshal() {
	// session_data as Django's JSONSerializer wrote it (after unsigning).
	data := []byte(`{"_auth_user_id":"1","cart":{"items":[2,1.5]},"name":"Ren\u00e9e"}`)
	v, err := serializer.JSON{}.Unmarshal(data)
	if err != nil {
		fmt.Println(err)
		return
	}
	d := v.(*serializer.Dict)
	fmt.Println(d.Keys())
	name, _ := d.GetStr("name")
	fmt.Println(name)

	// Marshal writes back what json.dumps(..., separators=(",", ":")) writes.
	d.SetStr("name", serializer.Str("Zoë 😀"))
	out, _ := serializer.JSON{}.Marshal(d)
	fmt.Println(string(out))

	// Bad input is a typed error.
	_, err = serializer.JSON{}.Unmarshal([]byte(`{"a":1,}`))
	fmt.Println(err)
	// Output:
	// [_auth_user_id cart name]
	// Renée
	// {"_auth_user_id":"1","cart":{"items":[2,1.5]},"name":"Zo\u00eb \ud83d\ude00"}
	// serializer: malformed input: json: Expecting property name enclosed in double quotes at offset 7
}
