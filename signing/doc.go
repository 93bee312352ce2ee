// Package signing is django.core.signing in Go: the same signatures, byte
// for byte, as Django 3.1 to 5.2 (and, with the SHA-1 algorithm, earlier
// versions) make and accept.
//
// The layers, one file each:
//
//   - B64Encode/B64Decode and B62Encode/B62Decode: Django's URL-safe base64
//     without padding (decoded as leniently as Python does) and the base 62
//     of timestamps.
//   - SaltedHMAC: django.utils.crypto.salted_hmac with every algorithm it
//     accepts.
//   - Signer: value:signature, with fallback keys (Django 4.1+) and legacy
//     algorithms (Django 3.1/3.2 also accept SHA-1).
//   - TimestampSigner: value:timestamp:signature, with a maximum age and an
//     injectable clock.
//   - SignObject/UnsignObject on both: a serialized, optionally
//     zlib-compressed value (what Django stores as session_data).
//   - Dumps/Loads: Django's signing.dumps and signing.loads.
//
// The wire format of a timestamped object, as Django writes it:
//
//	[.]<b64u(data)>:<b62(unix seconds)>:<b64u(HMAC-H(H(salt+"signer"+key), payload+":"+ts))>
//
// where the "." marks zlib-compressed data. Reading always verifies the
// signature before it decodes anything, bounds the input and the inflated
// size, and reports every failure as an error matching one of the
// sentinels in errors.go with errors.Is; nothing panics on any input and no
// error carries key material.
//
// Signer and TimestampSigner derive their HMAC keys once, in NewSigner and
// NewTimestampSigner, and are safe for concurrent use.
package signing
