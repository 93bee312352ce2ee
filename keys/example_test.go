package keys_test

import (
	"fmt"

	"github.com/djangosess/djangosess/keys"
)

func ExampleGenerate() {
	k, err := keys.Generate()
	if err != nil {
		panic(err)
	}
	fmt.Println(len(k), keys.ValidateFileKey(k) == nil)
	fmt.Println(keys.SessionCacheKey("", 1, "abcdefghijklmnopqrstuvwxyz012345"))
	// Output:
	// 32 true
	// :1:django.contrib.sessions.cacheabcdefghijklmnopqrstuvwxyz012345
}
