//go:build amd64 && !purego

package signing

// sha256BlocksNI runs the SHA-256 compression function over the whole
// 64-byte blocks of p, updating state (the words a..h), on the CPU's SHA
// extensions. It must only be called when haveSHANI is true.
//
//go:noescape
func sha256BlocksNI(state *[8]uint32, p []byte)

// cpuSHANI reports whether the CPU has what sha256BlocksNI uses.
func cpuSHANI() bool

// haveSHANI is whether HMAC-SHA256 takes hmacSHA256NI.
var haveSHANI = cpuSHANI()
