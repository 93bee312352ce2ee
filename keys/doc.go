// Package keys makes and checks Django session keys, and builds the names
// Django derives from them: cache keys (KEY_PREFIX:VERSION:key, with the
// session backends' prefixes) and session file names.
//
// A session key is 32 characters from [a-z0-9] (Django's VALID_KEY_CHARS),
// drawn from crypto/rand. Django accepts any key of at least 8 characters;
// only its file backend also checks the alphabet, because the key becomes
// part of a path. Validate and ValidateFileKey mirror those two rules.
package keys
