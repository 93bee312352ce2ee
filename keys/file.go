package keys

import (
	"fmt"
	"strings"
)

// DefaultCookieName is SESSION_COOKIE_NAME's default.
const DefaultCookieName = "sessionid"

// FileName is the name of a file-backend session file inside
// SESSION_FILE_PATH: the cookie name followed by the key. The key must pass
// ValidateFileKey, so the name never leaves the directory.
func FileName(cookieName, key string) (string, error) {
	if err := ValidateFileKey(key); err != nil {
		return "", err
	}
	if cookieName == "" {
		cookieName = DefaultCookieName
	}
	if strings.ContainsAny(cookieName, "/\x00") || cookieName == "." || cookieName == ".." {
		return "", fmt.Errorf("%w: cookie name %q cannot prefix a file name", ErrInvalidKey, cookieName)
	}
	return cookieName + key, nil
}
