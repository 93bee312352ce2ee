// Package servertest gives the tests fresh, private places on the real SQL
// servers: a PostgreSQL schema in database test on 127.0.0.1:5432 (or
// $DJANGOSESS_POSTGRES_DSN) and a MariaDB/MySQL database on
// 127.0.0.1:3306 as root (or $DJANGOSESS_MYSQL_DSN), each named
// djangosess_test_<random> and dropped when the test ends. Nothing else on
// the servers is touched.
//
// Outside CI a test skips when a server cannot be reached; under CI
// (CI=true) that is a failure, so a green CI always means the server ran.
package servertest
