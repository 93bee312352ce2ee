// Package coalesce merges concurrent reads of one key into fewer round
// trips without ever answering from before the caller arrived.
//
// A Group runs at most one call per key at a time. A caller that finds
// none in flight makes its own call at once, with its own context. Callers
// that arrive while a call is in flight do not share it (it may have read
// its answer before they arrived); they wait for it to finish and then
// share the next call, which starts after every one of them arrived. So
// each caller's answer was read after its call began, as if it had made
// its own round trip — a session deleted or a password changed before a
// request arrives is always seen by that request — while a burst of N
// requests for one key costs about two round trips instead of N. With
// Group.ShareErr, a failure to reach the source (not an answer such as
// "not found") is given at once to the callers waiting when it happens,
// so that a source that is down is not asked again by each of them in
// turn, and none waits through two failing calls.
//
// This is what an auth gateway sees: a page load sends many requests at
// once with the same session cookie, each needing the same session and
// the same user.
package coalesce
