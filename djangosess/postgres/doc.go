// Package postgres is Django's db session backend
// (django.contrib.sessions.backends.db) on PostgreSQL through pgx v5: the
// django_session table (or a custom AbstractBaseSession model's table),
// read and written with the statements Django's ORM issues, so that Go and
// Django share sessions in both directions.
//
// expire_date is a timestamptz, as Django's migration makes it under
// USE_TZ true and false alike; times travel as instants, so the
// connection's TimeZone does not matter. Config.Location is only the zone
// in which naive _session_expiry datetimes are read (TIME_ZONE when
// USE_TZ=False).
//
// The store takes any DB: *pgxpool.Pool, *pgx.Conn or a pgx.Tx. By
// default every statement is sent with pgx.QueryExecModeExec: the extended
// protocol with an unnamed statement, in one round trip, which works
// behind PgBouncer in transaction pooling mode (named prepared statements
// do not, before PgBouncer 1.21); the tests run the conformance suite
// through a PgBouncer in transaction pooling mode with one shared server
// connection. PgBouncer refuses a search_path startup parameter: name the
// schema with Config.Schema (and MigrateSchema) instead. Config.ConnExecMode
// leaves the connection's own mode instead. Create is INSERT ... ON CONFLICT
// (session_key) DO NOTHING, so a taken key does not abort a transaction
// the store runs in. Keys reads the keys in pages on the primary key, so
// the loop body may use the store on the same connection or transaction.
//
// Migrate creates the table and its indexes as Django's migration
// sessions.0001_initial does, with the same index names.
package postgres
