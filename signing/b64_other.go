//go:build !amd64 || purego

package signing

// haveB64SSSE3 is false: b64DecodeData decodes 8 characters at a time in Go.
var haveB64SSSE3 = false

func b64DecodeSSSE3(dst []byte, src string) (n int, ok bool) {
	panic("signing: b64DecodeSSSE3 without SSSE3")
}
