package zlibx_test

import (
	"errors"
	"fmt"

	"github.com/djangosess/djangosess/internal/zlibx"
)

func ExampleInflate() {
	// zlib.compress(b'{"_auth_user_id":"1"}') in Python.
	stream := []byte{
		0x78, 0x9c, 0xab, 0x56, 0x8a, 0x4f, 0x2c, 0x2d, 0xc9, 0x88, 0x2f, 0x2d,
		0x4e, 0x2d, 0x8a, 0xcf, 0x4c, 0x51, 0xb2, 0x52, 0x32, 0x54, 0xaa, 0x05,
		0x00, 0x56, 0x47, 0x07, 0x47,
	}
	out, err := zlibx.Inflate(nil, stream, 1<<20)
	fmt.Printf("%s %v\n", out, err)

	_, err = zlibx.Inflate(nil, stream, 10)
	fmt.Println(errors.Is(err, zlibx.ErrTooLarge))

	stream[len(stream)-1] ^= 1 // break the checksum
	_, err = zlibx.Inflate(nil, stream, 1<<20)
	fmt.Println(errors.Is(err, zlibx.ErrCorrupt), err)
	// Output:
	// {"_auth_user_id":"1"} <nil>
	// true
	// true zlibx: corrupt zlib stream at byte 25: incorrect data check
}

func ExampleDeflate() {
	data := []byte(`{"_auth_user_id":"1","_auth_user_backend":"django.contrib.auth.backends.ModelBackend"}`)
	z := zlibx.Deflate(nil, data)
	back, err := zlibx.Inflate(nil, z, len(data))
	fmt.Println(len(z) < len(data), string(back) == string(data), err)
	// Output:
	// true true <nil>
}
