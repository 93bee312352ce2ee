package hashers

import "crypto/rand"

// randomChars is Django's RANDOM_STRING_CHARS.
const randomChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// randomString returns n characters drawn uniformly from randomChars with
// crypto/rand, as get_random_string (secrets.choice) does.
func randomString(n int) string {
	out := make([]byte, 0, n)
	var buf [64]byte
	for len(out) < n {
		rand.Read(buf[:]) // never returns an error (Go ≥ 1.24)
		for _, b := range buf {
			// 248 = 4*62: rejecting the rest keeps the draw uniform.
			if b < 248 && len(out) < n {
				out = append(out, randomChars[b%62])
			}
		}
	}
	return string(out)
}

// saltLength is the length of a generated salt: ceil(entropy/log2(62))
// from Django 3.2, 12 before.
func saltLength(entropy int) int {
	if entropy <= 0 {
		return 12
	}
	return saltChars(entropy)
}

// saltChars returns ceil(bits / log2(62)).
func saltChars(bits int) int {
	n := 0
	for !hasEntropy(n, bits) {
		n++
	}
	return n
}

// hasEntropy reports whether n characters of randomChars carry at least
// bits bits, computed in float64 as Django's must_update_salt does:
// not len(salt) * math.log2(62) < expected_entropy.
func hasEntropy(n, bits int) bool { return float64(n)*log2of62 >= float64(bits) }

// log2of62 is math.log2(62) in CPython.
const log2of62 = 5.954196310386875
