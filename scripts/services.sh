#!/usr/bin/env bash
# services.sh: makes sure the servers the integration tests talk to are
# installed and running on loopback: PostgreSQL (5432), Redis (6379) and
# MariaDB (3306). Installs with apt-get what is missing and starts what is
# down; leaves running servers alone. Source it or run it.
set -euo pipefail

apt_updated=
apt_install() {
  if [ -z "$apt_updated" ]; then apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() { # wait_port PORT NAME: up to 60 s, polling the port
  local i
  for i in $(seq 1 120); do port_open "$1" && return 0; sleep 0.5; done
  echo "services: $2 did not come up on port $1" >&2
  return 1
}

ensure_postgres() {
  # pgbouncer: the PostgreSQL store tests start their own (transaction pooling).
  [ -x /usr/sbin/pgbouncer ] || apt_install pgbouncer
  port_open 5432 && return 0
  command -v pg_ctlcluster >/dev/null || apt_install postgresql
  if [ -z "$(ls /etc/postgresql 2>/dev/null)" ]; then
    echo "services: no PostgreSQL cluster configured" >&2; return 1
  fi
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  wait_port 5432 PostgreSQL
}

ensure_redis() {
  port_open 6379 && return 0
  command -v redis-server >/dev/null || apt_install redis-server
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no
  wait_port 6379 Redis
}

ensure_mariadb() {
  port_open 3306 && return 0
  [ -x /usr/sbin/mariadbd ] || apt_install mariadb-server
  mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld 2>/dev/null || true
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
  wait_port 3306 MariaDB
}

ensure_python_django() {
  # Django 3.2 and django-redis 5.2 from Debian, under /usr/bin/python3.
  # lz4, msgpack and zstandard: django-redis's optional compressors and
  # serializer, for the cache-value tests. argon2-cffi and bcrypt: Django's
  # Argon2/BCrypt password hashers, for the hashers tests. gunicorn: the
  # WSGI server of examples/django in the end-to-end test (examples/e2e).
  if ! /usr/bin/python3 -c 'import django, django_redis, redis, psycopg2, MySQLdb, lz4, msgpack, zstandard, argon2, bcrypt, gunicorn' 2>/dev/null ||
     ! command -v gunicorn >/dev/null; then
    apt_install python3-django python3-django-redis python3-psycopg2 python3-redis python3-mysqldb \
      python3-lz4 python3-msgpack python3-zstandard python3-argon2 python3-bcrypt gunicorn
  fi
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  ensure_python_django
  ensure_postgres
  ensure_redis
  ensure_mariadb
fi
