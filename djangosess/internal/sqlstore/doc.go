// Package sqlstore is the logic the SQL session stores share: Django's db
// backend (django.contrib.sessions.backends.db) over one table with
// session_key, session_data and expire_date, issuing the statements
// Django's ORM issues, with what differs between PostgreSQL, SQLite and
// MySQL/MariaDB (quoting, placeholders, how expire_date is stored, how a
// duplicate key shows) described by an Engine.
//
// The public packages djangosess/postgres, djangosess/sqlite and
// djangosess/mysql wrap it.
package sqlstore
