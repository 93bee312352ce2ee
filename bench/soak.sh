#!/usr/bin/env bash
# soak.sh: soak test of `djangosess serve` and of the middleware example
# (examples/goservice), by hand (not in CI). Needs wrk and gunicorn from
# Debian (apt-get install -y wrk gunicorn redis-server), PostgreSQL on
# loopback (scripts/services.sh), and Go.
#
#   bench/soak.sh                          # 3 minutes per target
#   DURATION=30s bench/soak.sh             # a quick check
#   DURATION=10m CONNECTIONS=64 TARGETS=serve bench/soak.sh
#
# Settings (environment): DURATION (per target; default 3m),
# THREADS and CONNECTIONS (wrk -t/-c; 2 and 16), DELAY_MS (pause of each
# connection between requests, 0: flat out), SAMPLE (seconds between
# samples; 5), DOWN (seconds Redis stays down; 5), TARGETS ("serve
# goservice"), DJANGO (a version under .cache/django, as serve_load.sh),
# SERVE_FLAGS (more flags for serve, e.g. --coalesce=false).
#
# What it does, on a private PostgreSQL schema (removed at the end) and a
# PRIVATE redis-server on a free port (the shared 6379 is never touched):
#   1. migrates examples/django, creates a user, and logs in through
#      Django's login form under gunicorn (stopped right after) with
#      SESSION_ENGINE=cache: the session lives in the private Redis;
#   2. for each target, starts it (GODEBUG=gctrace=1), checks that it
#      answers 200 with the user's id on the session cookie (and 401
#      without), then loads it with wrk --latency and that cookie for
#      DURATION: serve's check (GET /auth), or the example's GET /whoami
#      (the session middleware, then auth.GetUser). The load is three wrk
#      runs back to back, each with its own latency percentiles: "before"
#      (steady), "during" (Redis is killed with SIGKILL 2 s in, stays
#      down DOWN seconds, is started again on the same port and directory,
#      and the run goes on 8 s more), and "after" (steady again);
#      "before" and "after" share the rest of DURATION. At the end the
#      cookie must still be logged in;
#   3. samples the Go process every SAMPLE seconds through all three:
#      VmRSS and threads (/proc/PID/status), open fds (/proc/PID/fd), CPU
#      time (/proc/PID/stat), and for serve the goroutines, heap in use and
#      live heap from its /metrics; for both, the live heap of every GC
#      cycle from gctrace;
#   4. prints, per target and phase: seconds, requests, req/s, p50/p99
#      latency, socket errors, non-200 answers by status, error rate; when
#      the last error after the restart happened; then each series with
#      first/last/min/max and a flat? verdict: the mean of the last quarter
#      of the samples within 20% of the second quarter's (the first
#      quarter is warm-up), or, for counts (threads, fds, goroutines),
#      within 2 (1 MB for gctrace's whole megabytes); and a growing?
#      verdict, the last quarter against the third (both after the
#      restart): a step at the restart that then holds is not growth.
#
# The session and the restart: Redis runs with appendonly yes and
# appendfsync everysec, so the session written at login (long before the
# kill) is replayed from the AOF and the same cookie is logged in again
# once Redis is back. No re-login: a 401 after the restart is a lost
# session, i.e. an error.
#
# What counts as an error: every request carries a valid logged-in
# session, so the only right answer is 200. An error is any other status
# (401: the session was lost or rejected; 503: the store was unreachable,
# which is the right answer while Redis is down: the "during" phase is
# expected to have them, "before" and "after" are not) or a socket error
# (connect, read, write, timeout: the server itself failed; never
# expected). Per-second status counts (soak.lua) give the last second
# with an error after Redis answered PING again.
#
# KEEP=1 keeps the work directory (wrk outputs, samples, logs).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

DURATION=${DURATION:-3m}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-16}
DELAY_MS=${DELAY_MS:-0}
SAMPLE=${SAMPLE:-5}
DOWN=${DOWN:-5}
TARGETS=${TARGETS:-serve goservice}
PG=${PG:-postgres://postgres@127.0.0.1:5432/test}

die() { echo "soak: $*" >&2; exit 1; }
. bench/lib.sh
for c in wrk gunicorn psql redis-server redis-cli go curl; do command -v $c >/dev/null || die "$c not found"; done

seconds() { # seconds 3m: wrk's duration in seconds
  case $1 in
    *h) echo $((${1%h} * 3600)) ;; *m) echo $((${1%m} * 60)) ;; *s) echo "${1%s}" ;; *) echo "$1" ;;
  esac
}
dur=$(seconds "$DURATION")
now_ms() { date +%s%3N; }

# --- Django version (as serve_load.sh) -------------------------------------
pick_django

# --- private schema, Redis, and cleanup -------------------------------------
id=$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')
schema=djangosess_soak_$id
work=$(mktemp -d "${TMPDIR:-/tmp}/soak.XXXXXX")
redis_pid=
cleanup() { # stops this script's own background jobs that still run
  local p
  for p in $(jobs -p); do kill -TERM "$p" 2>/dev/null || true; done
  for p in $(jobs -p); do wait "$p" 2>/dev/null || true; done
  psql -q "$PG" -c "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1 || echo "soak: could not drop schema $schema" >&2
  if [ -n "${KEEP:-}" ]; then echo "soak: files kept in $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
psql -q "$PG" -c "CREATE SCHEMA $schema" >/dev/null

rport=$(free_port)
mkdir "$work/redis"
start_redis() {
  redis-server --bind 127.0.0.1 --port "$rport" --dir "$work/redis" --save '' \
    --appendonly yes --appendfsync everysec --logfile "$work/redis.log" &
  redis_pid=$!
  for _ in $(seq 1 300); do
    redis-cli -p "$rport" ping 2>/dev/null | grep -q PONG && return 0
    sleep 0.1
  done
  die "the private Redis did not start on port $rport (see $work/redis.log)"
}
start_redis

export DJANGO_SECRET_KEY="soak-$id-secret" DJANGO_SECRET_KEY_FALLBACKS=
export DATABASE_URL="$PG?search_path=$schema&sslmode=disable"
export CACHE_URL="redis://127.0.0.1:$rport/0" CACHE_KEY_PREFIX=soak CACHE_CLIENT=django-redis
export SESSION_ENGINE=cache DB_CONN_MAX_AGE=600
export PYTHONPATH=$pythonpath

# --- project, user, binaries, login -------------------------------------------
(cd examples/django && /usr/bin/python3 manage.py migrate --noinput -v 0 &&
  echo "soak-password" | /usr/bin/python3 manage.py setpassword soak >"$work/uid")
uid=$(cat "$work/uid")
go build -o "$work/" ./cmd/djangosess ./examples/goservice


dport=$(free_port)
(cd examples/django && exec gunicorn --bind "127.0.0.1:$dport" --workers 1 --log-level warning sharedlogin.wsgi) \
  >"$work/gunicorn.log" 2>&1 &
gunicorn_pid=$!
wait_http "http://127.0.0.1:$dport/whoami/"
session=$(django_login "http://127.0.0.1:$dport" "$work/jar" soak soak-password)
cookie="Cookie: sessionid=$session"
kill -TERM "$gunicorn_pid"; wait "$gunicorn_pid" 2>/dev/null || true

check() { # check NAME URL: 200 with the user's id, 401 without the cookie
  local got
  got=$(curl -s -H "$cookie" "$2" -D - | tr -d '\r' |
    awk -F': ' 'tolower($1) == "x-django-user-id" { print $2 } /"user_id"/ { print }' |
    sed 's/.*"user_id": *"\([^"]*\)".*/\1/' | head -n1)
  [ "$got" = "$uid" ] || die "$1 did not see user $uid on the session (got '$got')"
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$2")" = 401 ] || die "$1 did not answer 401 without a cookie"
}

# soak.lua: the status of every response, counted per epoch second, per
# wrk thread; done() writes "second status count" lines.
cat >"$work/soak.lua" <<'EOF'
counts = {}
local threads = {}
local pause = tonumber(os.getenv("DELAY_MS") or "0")
function setup(thread) table.insert(threads, thread) end
if pause > 0 then function delay() return pause end end
-- one flat table (wrk's thread:get copies nested tables wrongly):
-- counts[second * 1000 + status] = responses
function response(status, headers, body)
  local k = os.time() * 1000 + status
  counts[k] = (counts[k] or 0) + 1
end
function done(summary, latency, requests)
  local f = assert(io.open(os.getenv("SOAK_STATUS"), "w"))
  for _, t in ipairs(threads) do
    for k, n in pairs(t:get("counts")) do
      f:write(string.format("%d %d %d\n", math.floor(k / 1000), k % 1000, n))
    end
  end
  f:close()
end
EOF

# --- load ----------------------------------------------------------------
# Three wrk runs back to back, DURATION in all: "before" (steady), "during"
# (Redis is killed $lead s in, stays down DOWN s, and the run goes on
# $tail s after it is back) and "after" (steady again), so that each has
# its own latency percentiles; the process runs through all three.
lead=2 tail=8
during=$((lead + DOWN + tail))
before=$(((dur - during) / 2))
after=$((dur - during - before))
[ "$before" -ge 5 ] || die "DURATION must be at least $((during + 10))s with DOWN=$DOWN"

# load NAME URL SECONDS: one wrk run; its output in NAME.wrk, the statuses
# in NAME.status.
load() {
  SOAK_STATUS=$work/$1.status DELAY_MS=$DELAY_MS \
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$3s" --latency -s "$work/soak.lua" -H "$cookie" "$2" >"$work/$1.wrk" ||
    die "wrk failed: $(cat "$work/$1.wrk")"
}

# soak NAME URL METRICS_URL PORT CMD...: one target (METRICS_URL may be "").
soak() {
  local name=$1 url=$2 metrics=$3 port=$4; shift 4
  GODEBUG=gctrace=1 "$@" 2>"$work/$name.gc" >"$work/$name.out" &
  local pid=$!
  wait_http "http://127.0.0.1:$port/healthz"
  check "$name" "$url"
  now_ms >"$work/$name.start"
  /usr/bin/python3 bench/soak_sample.py sample "$pid" "$SAMPLE" "$work/$name.samples" $metrics &
  local sampler=$!
  load "$name.before" "$url" "$before"
  load "$name.during" "$url" "$during" &
  local wrk_pid=$!
  sleep "$lead"
  local kill_ms up_ms
  kill_ms=$(now_ms)
  kill -KILL "$redis_pid"; wait "$redis_pid" 2>/dev/null || true
  sleep "$DOWN"
  start_redis
  up_ms=$(now_ms)
  echo "$kill_ms $up_ms" >"$work/$name.times"
  wait "$wrk_pid"
  load "$name.after" "$url" "$after"
  kill -TERM "$sampler"; wait "$sampler" 2>/dev/null || true
  check "$name" "$url" # the session survived the restart
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
  /usr/bin/python3 bench/soak_sample.py report "$name" "$work"
}

echo "Django $djver, $(nproc) cores; per target wrk -t$THREADS -c$CONNECTIONS for $DURATION" \
  "(before ${before} s, during ${during} s: Redis down ${DOWN} s from +${lead} s, after ${after} s)," \
  "delay ${DELAY_MS} ms/request/connection, samples every ${SAMPLE} s; load average $(cut -d' ' -f1-3 /proc/loadavg)"
for target in $TARGETS; do
  port=$(free_port)
  case $target in
    serve)
      soak serve "http://127.0.0.1:$port/auth" "http://127.0.0.1:$port/metrics" "$port" \
        "$work/djangosess" serve --listen "127.0.0.1:$port" --engine cache --cache-client django-redis --django "$djver" ${SERVE_FLAGS:-} ;;
    goservice)
      soak goservice "http://127.0.0.1:$port/whoami" "" "$port" \
        env LISTEN="127.0.0.1:$port" DJANGO_VERSION="$djver" "$work/goservice" ;;
    *) die "unknown target $target (serve, goservice)" ;;
  esac
done
