// Command barehttp is the floor for bench/serve_load.sh: a net/http server
// that answers every request 200 with the header serve sets, doing no
// work. Run it and point wrk at it with the same flags:
//
//	go run ./bench/barehttp -listen 127.0.0.1:18099 &
//	wrk -t2 -c32 -d10s http://127.0.0.1:18099/
package main

import (
	"flag"
	"log"
	"net/http"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:18099", "listen on `ADDR`")
	flag.Parse()
	log.Fatal(http.ListenAndServe(*listen, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Django-User-Id", "1")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusOK)
	})))
}
