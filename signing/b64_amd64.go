//go:build amd64 && !purego

package signing

import "golang.org/x/sys/cpu"

// b64DecodeSSSE3 decodes the 16-character chunks of src with SSSE3 (see
// b64_amd64.s). It must only be called when haveB64SSSE3 is true.
//
//go:noescape
func b64DecodeSSSE3(dst []byte, src string) (n int, ok bool)

// haveB64SSSE3 is whether b64DecodeData decodes 16 characters at a time.
var haveB64SSSE3 = cpu.X86.HasSSSE3
