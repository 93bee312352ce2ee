// Package files is Django's file session backend
// (django.contrib.sessions.backends.file): one file per session in
// SESSION_FILE_PATH, shared with a running Django in both directions.
//
// # Layout
//
// A session lives in <Dir>/<CookieName><key>, e.g. /tmp/sessionidab12…,
// holding exactly the session_data string Django's SessionBase.encode
// writes: ASCII, no trailing newline. Keys must pass keys.ValidateFileKey
// (8 to 40 characters, all in [a-z0-9]), so a key can never name a path
// outside Dir; any other key is ErrInvalidKey.
//
// # Writes
//
// Nothing is ever written in place. Create and Save encode the session
// first, write it to a temporary file in the same directory, named as
// Django names its own (<file name>_out_<random>, mode 0600), fsync it, set
// its modification time, and only then make it visible:
//
//   - Create links the finished file to the session's name; link(2) fails
//     when the name is taken, which is Django's O_CREAT|O_EXCL must-create
//     check without the empty placeholder Django briefly shows. Where the
//     file system has no hard links, Create falls back to Django's own
//     order: an O_CREAT|O_EXCL placeholder, then the rename.
//   - Save requires the session file to exist (else ErrVanished, Django's
//     UpdateError) and renames the finished file over it.
//
// A reader therefore sees the old content or the new, never part of
// either, even if the writer is killed; a failed write removes its
// temporary file. The directory itself is not synced, so a power failure
// may undo the last Create or Save, but never leave half of one. As in Django there is no locking: the last writer wins,
// and a Save racing a Delete may bring the session back.
//
// # Expiry
//
// Django keeps no expiry in a session file. At load it takes
// _session_expiry from the data or, when that is falsy (absent, None, 0),
// the file's modification time plus SESSION_COOKIE_AGE, and deletes the
// file when get_expiry_age of that is 0 or less. Store does the same:
//
//   - Load reports Record.Expiry as djangosess.ExpiryDate(data, mtime):
//     mtime + CookieAge, mtime + N for an integer (or float)
//     _session_expiry N, or the moment a datetime or ISO-string
//     _session_expiry names (naive ones read in Config.Location). Under
//     USE_TZ=False (Config.Location set) Django adds SESSION_COOKIE_AGE
//     to the naive local mtime and compares naive local times, so across
//     a daylight-saving change its expiry is an hour off the instant
//     mtime + CookieAge; Store computes exactly as Django does.
//   - Create and Save with a zero Record.Expiry set the modification time
//     to Now(), as Django's write does. With an explicit Expiry they set
//     the modification time M so that ExpiryDate(data, M) is that Expiry
//     (Expiry − CookieAge when _session_expiry is falsy; Expiry − N for a
//     number N), so Django computes the same expiry. A datetime or ISO
//     _session_expiry fixes the expiry by itself; Record.Expiry is then
//     not stored, and the modification time is Now(). Modification times
//     are clamped to 1970–2242.
//   - A session is expired, deleted by Load (which then returns
//     ErrNotFound) and by ClearExpired, when its expiry is less than a
//     second away, Django's floored get_expiry_age <= 0.
//
// Two Django quirks are kept on purpose, so that Go and Django always agree
// on whether a session exists:
//
//   - A numeric _session_expiry (set_expiry(300)) is returned as-is by
//     Django's get_expiry_age, so such a session never expires on the
//     server, only its cookie does (unless the number is 0 or negative:
//     then it has expired at once). Load keeps loading it and reports
//     mtime + N, which may lie in the past.
//   - An empty file (Django's placeholder between its O_EXCL open and its
//     rename) loads as an empty session with no expiry check, and is never
//     deleted as expired.
//
// Django 4.1+ reads an ISO-string _session_expiry; Django ≤ 4.0 raises a
// TypeError on one. Store always reads it as 4.1+ does.
//
// # What differs from Django
//
// Data that does not decode is the codec's typed error (Django starts an
// empty session instead); only ClearExpired treats it as Django does, as an
// empty session expiring with its file's modification time. Load returns
// ErrInvalidKey for a key Django would silently drop. A _session_expiry of
// a type Django cannot compute an expiry from is an error matching
// serializer.ErrMalformed (Django raises a TypeError); Create and Save
// refuse such data. I/O failures match djangosess.ErrUnavailable and the
// underlying errno (fs.ErrPermission, …). No error message contains a
// session key or a path that holds one.
//
// ClearExpired also removes the temporary files a killed writer (Go or
// Django) left behind, once their status-change time is more than a day old
// (Django never removes them); a writer in progress is never touched.
package files
