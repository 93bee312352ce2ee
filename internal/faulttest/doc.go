// Package faulttest starts private server processes for fault-injection
// tests and drives load against them while they fail.
//
// StartRedis runs Debian's redis-server, and StartPostgres a private
// PostgreSQL cluster (initdb'd for the test), each on a free loopback port
// in a fresh directory. A test can Kill one (SIGKILL), Stop it (gracefully,
// or for PostgreSQL in any pg_ctl stop mode) and Start it again on the
// same port, so clients that were connected to it reconnect to the new
// process. The shared servers on the standard ports are never touched.
// Every process is stopped and its directory removed when the test ends,
// and dies with the test binary if that is killed.
//
// StartSentinel runs Redis Sentinels watching a StartRedis master
// (ReplicaOf attaches a replica, WaitReplicated waits for it to catch up),
// for failover tests: kill the master and WaitMaster sees the promotion.
//
// StartLoad runs workers that each write an increasing counter to their
// own session and read it back, with a context deadline on every call;
// after a failure a worker reads before it writes again, so its first
// success once a server is back shows what the server kept. The load
// records every outcome: which errors the test allows, reads that return
// less than the last acknowledged write (a lost write, a stale copy) or
// more than the last attempted one, by how much a call outlived its
// deadline, and, for each phase the test marks (a server killed, a server
// back), how many failed calls each worker made before its first success.
// For session stores, Counter is the session a load writes, CounterValue
// and CounterOrZero read it back, and Typed and Kind tell the errors a
// call may fail with while a server is failing (ErrUnavailable, the
// context's) from the others.
//
// Outside CI a test skips when a server binary is missing or cannot run;
// under CI (CI=true) that is a failure.
package faulttest
