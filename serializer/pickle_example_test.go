package serializer_test

import (
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/djangosess/djangosess/serializer"
)

func ExamplePickle_Unmarshal() {
	// pickle.dumps({"_auth_user_id": "1"}, 5), as Django's RedisCache stores
	// a session.
	data, _ := hex.DecodeString("80059518000000000000007d948c0d5f617574685f757365725f6964948c013194732e")
	v, err := serializer.Pickle{}.Unmarshal(data)
	if err != nil {
		panic(err)
	}
	session := v.(*serializer.Dict)
	uid, _ := session.String("_auth_user_id")
	fmt.Println(uid)

	// Edit the session and write it back as django-redis 5.1+ would: the
	// bytes of CPython's pickle.dumps(session, 4).
	session.SetStr("cart", serializer.List{serializer.Int(42)})
	out, _ := serializer.Pickle{Protocol: 4}.Marshal(session)
	fmt.Printf("%x\n", out)

	// Globals that run code are refused.
	_, err = serializer.Pickle{}.Unmarshal([]byte("cos\nsystem\n(S'id'\ntR."))
	fmt.Println(errors.Is(err, serializer.ErrForbiddenGlobal))
	// Output:
	// 1
	// 80049525000000000000007d94288c0d5f617574685f757365725f6964948c0131948c0463617274945d944b2a61752e
	// true
}
