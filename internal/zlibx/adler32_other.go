//go:build !amd64 || purego

package zlibx

// haveAdlerSums is false: adler32 sums eight bytes at a time in Go.
var haveAdlerSums = false

func adlerSums(p []byte) (sum1, ps, w uint64) {
	panic("zlibx: adlerSums without SSSE3")
}
