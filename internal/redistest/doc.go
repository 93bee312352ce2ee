// Package redistest gives the tests real Redis servers: the local server on
// 127.0.0.1:6379 (or $DJANGOSESS_REDIS_ADDR) with a random key prefix per
// test whose keys are removed afterwards (by SCAN and DEL of that prefix
// only; never FLUSHDB), and a 3-master Redis Cluster started from Debian's
// redis-server on free loopback ports, once per test binary.
//
// Outside CI a test skips when a server or binary is missing; under CI
// (CI=true) that is a failure, so a green CI always means Redis ran.
//
// A package using Cluster stops the servers from TestMain:
//
//	func TestMain(m *testing.M) { redistest.Main(m) }
package redistest
