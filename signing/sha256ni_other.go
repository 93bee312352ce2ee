//go:build !amd64 || purego

package signing

// haveSHANI is false: HMAC-SHA256 takes crypto/hmac.
var haveSHANI = false

func sha256BlocksNI(state *[8]uint32, p []byte) {
	panic("signing: sha256BlocksNI without the SHA extensions")
}
