// Package storetest is the conformance suite for djangosess.Store
// implementations, in the manner of testing/fstest: a store that passes
// Run behaves as Django's SessionStore contract says (must-create,
// update-or-fail, not-found for missing and expired sessions, expiry where
// Django keeps it, streaming key iteration, safety under concurrency).
//
// Every store in this module runs it against its real server; a third-party
// store can run it too:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, storetest.Config{
//			New: func(t *testing.T) djangosess.Store { return newTestStore(t) },
//		})
//	}
package storetest
