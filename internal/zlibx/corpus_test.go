package zlibx

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
)

// sessionJSON is the typical Django session the benchmarks use: a logged-in
// user with a cart, as JSONSerializer writes it (compact separators).
const sessionJSON = `{"_auth_user_id":"1","_auth_user_backend":"django.contrib.auth.backends.ModelBackend","_auth_user_hash":"2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881","cart":{"items":[{"sku":"A-1","qty":2,"price":"9.99"},{"sku":"B-7","qty":1,"price":"24.50"}],"currency":"EUR"}}`

// randomSession returns a session JSON like those Django writes, with
// random user, hash, cart and messages.
func randomSession(r *rand.Rand) []byte {
	var b strings.Builder
	hash := make([]byte, 32)
	for i := range hash {
		hash[i] = byte(r.Uint32())
	}
	fmt.Fprintf(&b, `{"_auth_user_id":"%d","_auth_user_backend":"django.contrib.auth.backends.ModelBackend","_auth_user_hash":"%x"`, r.IntN(100000), hash)
	if r.IntN(2) == 0 {
		b.WriteString(`,"cart":{"items":[`)
		for i := range r.IntN(8) {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"sku":"%c-%d","qty":%d,"price":"%d.%02d"}`, 'A'+r.IntN(26), r.IntN(1000), 1+r.IntN(9), r.IntN(500), r.IntN(100))
		}
		b.WriteString(`],"currency":"EUR"}`)
	}
	if r.IntN(3) == 0 {
		fmt.Fprintf(&b, `,"_language":"%s","django_timezone":"Europe/Paris","last_seen":"2024-0%d-1%dT12:3%d:00.000Z"`, []string{"en", "fr", "de", "pt-br"}[r.IntN(4)], 1+r.IntN(9), r.IntN(10), r.IntN(10))
	}
	if r.IntN(4) == 0 {
		b.WriteString(`,"_messages":"[[\"__json_message\",0,25,\"Welcome back!\"]]"`)
	}
	b.WriteByte('}')
	return []byte(b.String())
}

func randomBytes(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// lowEntropy returns n bytes drawn from an alphabet of k symbols.
func lowEntropy(r *rand.Rand, n, k int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = 'a' + byte(r.IntN(k))
	}
	return b
}

const lorem = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. "

// corpus returns the inputs of the differential tests: empty and tiny
// inputs, random bytes, sessions, text, runs with overlapping matches, and
// inputs over 64 KiB.
func corpus() [][]byte {
	r := rand.New(rand.NewPCG(1, 2))
	in := [][]byte{
		{}, {0}, {'a'}, {0xff}, {'a', 'b'}, {0, 0}, {0, 0, 0},
		[]byte(sessionJSON),
		[]byte(strings.Repeat(lorem, 3)),
		[]byte(strings.Repeat(lorem, 2000)), // 246 KB
	}
	for _, n := range []int{3, 4, 5, 8, 10, 100, 255, 256, 257, 1000, 4096, 32767, 32768, 32769, 65535, 65536, 70000} {
		in = append(in, randomBytes(r, n))
	}
	for range 120 {
		in = append(in, randomSession(r))
	}
	for _, n := range []int{3, 4, 5, 257, 258, 259, 260, 1000, 32768, 33000, 100000} {
		in = append(in, bytes.Repeat([]byte{'a'}, n))
		in = append(in, bytes.Repeat([]byte("ab"), n/2))
		in = append(in, bytes.Repeat([]byte("abcdefg"), n/7+1))
	}
	for _, k := range []int{2, 4, 16} {
		for _, n := range []int{50, 500, 5000, 80000} {
			in = append(in, lowEntropy(r, n, k))
		}
	}
	var all []byte
	for i := range 256 {
		all = append(all, byte(i))
	}
	in = append(in, all, bytes.Repeat(all, 300))
	// Text with matches far back: a random block, noise, then the block
	// again about 30 KB later.
	far := randomBytes(r, 3000)
	mix := append(append(append([]byte{}, far...), lowEntropy(r, 27000, 26)...), far...)
	in = append(in, mix)
	for range 40 {
		n := r.IntN(3000)
		b := []byte(strings.Repeat(lorem, 1+n/len(lorem)))[:n]
		for range r.IntN(20) {
			if n > 0 {
				b[r.IntN(n)] = byte(r.Uint32())
			}
		}
		in = append(in, b)
	}
	return in
}
