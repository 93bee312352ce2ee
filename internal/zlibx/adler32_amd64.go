//go:build amd64 && !purego

package zlibx

import "golang.org/x/sys/cpu"

// adlerSums adds up the 16-byte chunks of p with SSSE3 (see
// adler32_amd64.s). It must only be called when haveAdlerSums is true.
//
//go:noescape
func adlerSums(p []byte) (sum1, ps, w uint64)

// haveAdlerSums is whether adler32 takes adlerSums.
var haveAdlerSums = cpu.X86.HasSSSE3
