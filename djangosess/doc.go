// Package djangosess shares sessions with a running Django application.
//
// This first layer is the session_data codec: Codec encodes and decodes
// the string Django keeps in django_session.session_data, in session
// files and in signed cookies, exactly as SessionBase.encode and decode
// do in every Django from 1.11 to 6.0 — the pre-3.1 legacy format, sha1 and
// sha256 signatures, SECRET_KEY_FALLBACKS — under the JSON or pickle
// serializer.
//
// Which data is accepted is a policy: the zero Compat accepts whatever
// some Django version wrote; Strict(v) accepts exactly what Django v
// accepts. What is written follows CodecConfig.Target.
//
// Unlike Django, which turns a bad session into an empty one, Decode
// returns typed errors (see the signing package's ErrBadSignature,
// ErrExpired, ErrMalformed and ErrTooLarge); treating a bad session as a
// new one is left to the caller.
package djangosess
