// Package mysql is Django's db session backend
// (django.contrib.sessions.backends.db) on MySQL and MariaDB through
// database/sql and github.com/go-sql-driver/mysql: the django_session table
// (or a custom AbstractBaseSession model's table), read and written with
// the statements Django's ORM issues, so that Go and Django share sessions
// in both directions.
//
// expire_date is a datetime(6) holding a naive wall clock: UTC under
// USE_TZ=True, TIME_ZONE under USE_TZ=False (Config.Location). As Django
// does, the store sends datetimes as the text of Python's str(datetime),
// so neither the DSN's loc nor the session time zone changes what is
// stored, and it reads expire_date with parseTime on or off.
//
// DSN notes. Django connects with CLIENT_FOUND_ROWS, so that an UPDATE
// that changes nothing still counts its row; without clientFoundRows=true
// the store checks, after an UPDATE that reports no row, whether the row
// is there (one more query, only then). interpolateParams=true saves a
// round trip per statement (go-sql-driver otherwise prepares each one);
// so does Config.Prepare, which keeps the statements prepared.
// Use charset utf8mb4, as Django's table does when the database does.
//
// Migrate creates the table and index as Django's migration
// sessions.0001_initial does.
package mysql
