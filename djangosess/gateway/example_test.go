package gateway_test

import (
	"net/http"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/auth"
	"github.com/djangosess/djangosess/djangosess/gateway"
	"github.com/djangosess/djangosess/djangosess/sqlite"
)

// An nginx auth_request target on the project's SQLite database (what
// "djangosess serve" runs, with health, metrics and logs around it).
func ExampleNew() {
	key := []byte("django-insecure-example-key")
	db, err := sqlite.Open("db.sqlite3")
	if err != nil {
		panic(err)
	}
	codec, err := djangosess.NewCodec(djangosess.CodecConfig{SecretKey: key})
	if err != nil {
		panic(err)
	}
	store, err := sqlite.New(db, sqlite.Config{Codec: codec})
	if err != nil {
		panic(err)
	}
	a, err := auth.New(auth.Config{SecretKey: key, Users: auth.SQLUsers{DB: db}, ReadOnly: true})
	if err != nil {
		panic(err)
	}
	metrics := gateway.NewMetrics()
	h, err := gateway.New(gateway.Config{Store: store, Auth: a, Metrics: metrics})
	if err != nil {
		panic(err)
	}
	http.Handle("/metrics", metrics)
	http.Handle("/auth", h)
}
