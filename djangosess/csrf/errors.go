package csrf

import (
	"errors"
	"fmt"
)

// ErrRejected matches every rejection Check returns (a *RejectError):
// Django's CsrfViewMiddleware would answer 403.
var ErrRejected = errors.New("csrf: request rejected")

// The kinds of rejection, for errors.Is; each *RejectError matches its
// kind and ErrRejected. The Reason field holds Django's exact text.
var (
	// ErrBadOrigin: the Origin header is neither the request's own
	// origin nor a trusted one (Django ≥ 4.0, REASON_BAD_ORIGIN).
	ErrBadOrigin = errors.New("csrf: origin checking failed")
	// ErrNoReferer: an HTTPS request without Origin has no Referer
	// (REASON_NO_REFERER).
	ErrNoReferer = errors.New("csrf: no referer")
	// ErrMalformedReferer: the Referer has no scheme or host
	// (REASON_MALFORMED_REFERER).
	ErrMalformedReferer = errors.New("csrf: malformed referer")
	// ErrInsecureReferer: an HTTPS request's Referer is not https
	// (REASON_INSECURE_REFERER).
	ErrInsecureReferer = errors.New("csrf: insecure referer")
	// ErrBadReferer: the Referer's host is not trusted
	// (REASON_BAD_REFERER).
	ErrBadReferer = errors.New("csrf: referer checking failed")
	// ErrNoCookie: no CSRF cookie, or no secret in the session
	// (REASON_NO_CSRF_COOKIE).
	ErrNoCookie = errors.New("csrf: cookie not set")
	// ErrBadCookie: the CSRF cookie has the wrong length or characters
	// (Django ≥ 4.0: "CSRF cookie has incorrect length." and "… has
	// invalid characters."; older versions replace such a cookie, and the
	// token then fails as ErrBadToken).
	ErrBadCookie = errors.New("csrf: bad cookie")
	// ErrTokenMissing: neither the form field nor the header carries a
	// token (Django ≥ 4.0, REASON_CSRF_TOKEN_MISSING; older versions say
	// REASON_BAD_TOKEN, and Check returns ErrBadToken).
	ErrTokenMissing = errors.New("csrf: token missing")
	// ErrBadToken: the token has the wrong length or characters, or does
	// not match the secret (REASON_BAD_TOKEN before Django 4.0; "CSRF token
	// from POST incorrect." and the like after).
	ErrBadToken = errors.New("csrf: token incorrect")
)

// Django's reason texts (django/middleware/csrf.py).
const (
	ReasonBadOrigin        = "Origin checking failed - %s does not match any trusted origins."
	ReasonNoReferer        = "Referer checking failed - no Referer."
	ReasonBadReferer       = "Referer checking failed - %s does not match any trusted origins."
	ReasonNoCSRFCookie     = "CSRF cookie not set."
	ReasonCSRFTokenMissing = "CSRF token missing."
	ReasonBadToken         = "CSRF token missing or incorrect." // Django ≤ 3.2
	ReasonMalformedReferer = "Referer checking failed - Referer is malformed."
	ReasonInsecureReferer  = "Referer checking failed - Referer is insecure while host is secure."
	ReasonIncorrectLength  = "has incorrect length"
	ReasonInvalidChars     = "has invalid characters"
)

// RejectError is a rejection, with the reason Django's CsrfViewMiddleware
// gives for the same request (what it logs and passes to
// CSRF_FAILURE_VIEW). Reasons quote the Origin or Referer header, never a
// token or a secret.
type RejectError struct {
	Kind   error  // ErrBadOrigin, ErrNoCookie, …
	Reason string // Django's text, e.g. "CSRF cookie not set."
}

func (e *RejectError) Error() string { return "csrf: " + e.Reason }

// Is makes errors.Is true for the error's Kind and for ErrRejected.
func (e *RejectError) Is(target error) bool { return target == e.Kind || target == ErrRejected }

func reject(kind error, reason string, args ...any) error {
	if len(args) > 0 {
		reason = fmt.Sprintf(reason, args...)
	}
	return &RejectError{Kind: kind, Reason: reason}
}

// ErrConfig is returned by New for a configuration Django would refuse.
var ErrConfig = errors.New("csrf: invalid configuration")

// ErrNoSession is returned by Check when UseSessions is set but no session
// was given (Django raises ImproperlyConfigured). It is not a rejection.
var ErrNoSession = errors.New("csrf: UseSessions is set but the request has no session")

// ErrInvalidToken is returned by MaskToken and UnmaskToken for a value of
// the wrong length or with characters outside [a-zA-Z0-9].
var ErrInvalidToken = errors.New("csrf: invalid token")
