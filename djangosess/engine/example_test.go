package engine_test

import (
	"context"
	"fmt"
	"os"

	"github.com/djangosess/djangosess/djangosess/engine"
)

// The same settings a Django project has, from its environment:
// SESSION_ENGINE, DATABASE_URL, CACHE_URL, ... and the secret key.
func ExampleOpen() {
	s, err := engine.FromEnv(engine.Settings{SecretKey: []byte(os.Getenv("DJANGO_SECRET_KEY"))}, os.Getenv)
	if err != nil {
		panic(err)
	}
	o, err := engine.Open(context.Background(), s)
	if err != nil {
		panic(err)
	}
	defer o.Close()
	r, err := o.Load(context.Background(), "9vrgtn74d7ae0lh1ign1ey65wrpzel66")
	fmt.Println(r.Data, err)
}
