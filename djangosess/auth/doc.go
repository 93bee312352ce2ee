// Package auth is django.contrib.auth's session half for Go services: who
// the session's user is (_auth_user_id, _auth_user_backend, and
// _auth_user_hash verified against the user's password hash, as
// django.contrib.auth.get_user does in each Django version, flushing the
// session on a mismatch), and Login and Logout that Django agrees with.
//
// The user's password hash comes from a Users source: SQLUsers reads
// Django's auth_user table (or a custom user model's) through
// database/sql; any other source is a function away (UsersFunc).
// Password checking itself is the hashers package's.
package auth
