#!/usr/bin/env bash
# serve_load.sh: load test of `djangosess serve` against the same check done
# by Django, by hand (not in CI). Needs wrk and gunicorn from Debian
# (apt-get install -y wrk gunicorn), PostgreSQL and Redis on loopback
# (scripts/services.sh), and Go.
#
#   bench/serve_load.sh                      # 3 runs, 10 s each
#   RUNS=5 DURATION=20s CONNECTIONS=64 bench/serve_load.sh
#   DJANGO=4.2.28 bench/serve_load.sh        # a Django from .cache/django (default: 5.2.x there, else the system's 3.2)
#   SERVE_FLAGS="--user-cache 1s" bench/serve_load.sh   # extra flags for serve
#   SESSIONS=200 bench/serve_load.sh         # 200 logins, wrk cycling through their cookies
#   DB_PARAMS='&default_query_exec_mode=cache_statement' bench/serve_load.sh
#                                            # more DATABASE_URL parameters (pgx's; Django ignores them)
#
# What it does, on a private PostgreSQL schema and Redis key prefix that are
# removed at the end:
#   1. migrates examples/django, creates a user, and logs in through Django's
#      login form (CSRF token included) with SESSION_ENGINE=cache: the
#      session lives in Redis (django-redis);
#   2. starts `djangosess serve --engine cache` and examples/django under
#      gunicorn (WORKERS sync workers, default 2×cores+1, gunicorn's own
#      advice), checks that both answer 200 with the user's id on the
#      session cookie;
#   3. runs wrk --latency against serve's check and Django's /auth/ view
#      (session load, request.user with its session hash check, 200 or
#      401: what serve does), alternating, RUNS times, and prints
#      requests/s, p99 latency and the ratio.
# wrk, the servers, PostgreSQL and Redis share the machine's cores; the load
# average is printed before each run.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

RUNS=${RUNS:-3}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
CORES=$(nproc)
WORKERS=${WORKERS:-$((2 * CORES + 1))}
PG=${PG:-postgres://postgres@127.0.0.1:5432/test}
REDIS_HOST=${REDIS_HOST:-127.0.0.1} REDIS_PORT=${REDIS_PORT:-6379}

die() { echo "serve_load: $*" >&2; exit 1; }
. bench/lib.sh
for c in wrk gunicorn psql redis-cli go curl; do command -v $c >/dev/null || die "$c not found"; done

# --- Django version -----------------------------------------------------
pick_django

# --- private schema, key prefix, and cleanup ------------------------------
id=$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')
schema=djangosess_bench_$id
prefix=djangosess-bench-$id
work=$(mktemp -d "${TMPDIR:-/tmp}/serve_load.XXXXXX")
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  psql -q "$PG" -c "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1 || echo "serve_load: could not drop schema $schema" >&2
  redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" --scan --pattern "$prefix*" | xargs -r redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" del >/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
psql -q "$PG" -c "CREATE SCHEMA $schema" >/dev/null

export DJANGO_SECRET_KEY="bench-$id-secret" DJANGO_SECRET_KEY_FALLBACKS=
export DATABASE_URL="$PG?search_path=$schema&sslmode=disable${DB_PARAMS:-}"
export CACHE_URL="redis://$REDIS_HOST:$REDIS_PORT/0" CACHE_KEY_PREFIX=$prefix CACHE_CLIENT=django-redis
export SESSION_ENGINE=cache DB_CONN_MAX_AGE=600
export PYTHONPATH=$pythonpath

# --- project, user, binaries ---------------------------------------------
(cd examples/django && /usr/bin/python3 manage.py migrate --noinput -v 0 &&
  echo "bench-password" | /usr/bin/python3 manage.py setpassword bench >"$work/uid")
uid=$(cat "$work/uid")
go build -o "$work/" ./cmd/djangosess


dport=$(free_port)
(cd examples/django && exec gunicorn --bind "127.0.0.1:$dport" --workers "$WORKERS" --log-level warning sharedlogin.wsgi) \
  >"$work/gunicorn.log" 2>&1 &
pids+=($!)
sport=$(free_port)
"$work/djangosess" serve --listen "127.0.0.1:$sport" --engine cache --cache-client django-redis \
  --django "$djver" ${SERVE_FLAGS:-} >"$work/serve.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$dport/whoami/"
wait_http "http://127.0.0.1:$sport/healthz"

# --- log in through Django's form (SESSIONS times: one session each) -------
login() { django_login "http://127.0.0.1:$dport" "$work/jar.$1" bench bench-password; } # login N: a new session key
SESSIONS=${SESSIONS:-1}
session=$(login 0)
cookie="Cookie: sessionid=$session"
# With more than one session wrk cycles through their cookies (a Lua
# script instead of the fixed header): requests then rarely find their
# session already being loaded, so coalescing saves less.
wrk_args=(-H "$cookie")
if [ "$SESSIONS" -gt 1 ]; then
  {
    printf 'local cookies = {"%s"' "$session"
    for i in $(seq 2 "$SESSIONS"); do printf ', "%s"' "$(login "$i")"; done
    printf '}\nlocal i = 0\nrequest = function()\n  i = i + 1\n'
    printf '  return wrk.format(nil, nil, {["Cookie"] = "sessionid=" .. cookies[i %% #cookies + 1]})\nend\n'
  } >"$work/cookies.lua"
  wrk_args=(-s "$work/cookies.lua")
fi

check() { # check NAME URL: 200 with the user's id
  local got
  got=$(curl -s -D - -o /dev/null -H "$cookie" "$2" | tr -d '\r' | awk -F': ' 'tolower($1) == "x-django-user-id" { print $2 }')
  [ "$got" = "$uid" ] || die "$1 did not see user $uid on the session (got '$got')"
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$2")" = 401 ] || die "$1 did not answer 401 without a cookie"
}
serve_url="http://127.0.0.1:$sport/auth"
django_url="http://127.0.0.1:$dport/auth/"
check serve "$serve_url"
check Django "$django_url"

# --- load ----------------------------------------------------------------
# ticks PID...: CPU time (user+system, clock ticks) of the processes.
ticks() { local t=0 p; for p in "$@"; do [ -r "/proc/$p/stat" ] && t=$((t + $(awk '{ print $14 + $15 }' "/proc/$p/stat"))); done; echo "$t"; }
hz=$(getconf CLK_TCK)
serve_pid=${pids[1]}
django_pids() { echo "${pids[0]}" $(pgrep -P "${pids[0]}" || true); }

# run_wrk URL PID...: prints "RPS P99_MS NON2XX CPU_US_PER_REQUEST" (the CPU
# time the PIDs used, per request)
run_wrk() {
  local url=$1 out before after; shift
  before=$(ticks "$@")
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "${wrk_args[@]}" "$url")
  after=$(ticks "$@")
  echo "$out" >>"$work/wrk.log"
  echo "$out" | awk -v cpu=$((after - before)) -v hz="$hz" '
    /^Requests\/sec:/ { rps = $2 }
    / requests in / { n = $1 }
    /Non-2xx or 3xx responses:/ { non = $NF }
    $1 == "99%" { v = $2
      if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) } else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 }
      p99 = v }
    END { printf "%s %.2f %d %.0f\n", rps, p99, non, (n ? cpu / hz * 1e6 / n : 0) }'
}

echo "Django $djver, $CORES cores, gunicorn $WORKERS sync workers, wrk -t$THREADS -c$CONNECTIONS -d$DURATION, $SESSIONS session(s)${SERVE_FLAGS:+, serve $SERVE_FLAGS}${DB_PARAMS:+, DATABASE_URL +$DB_PARAMS}"
echo "(cpu_us/req: CPU time of serve, or of gunicorn's master and workers, per request; non2xx must be 0)"
printf '%-4s %-16s %12s %8s %9s %12s %8s %9s %7s %7s\n' \
  run load serve_req/s p99_ms cpu_us/req django_req/s p99_ms cpu_us/req ratio non2xx
sum_s=0 sum_d=0
for run in $(seq 1 "$RUNS"); do
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  read -r srps sp99 snon scpu < <(run_wrk "$serve_url" "$serve_pid")
  read -r drps dp99 dnon dcpu < <(run_wrk "$django_url" $(django_pids))
  ratio=$(awk -v a="$srps" -v b="$drps" 'BEGIN { printf "%.1f", a / b }')
  printf '%-4s %-16s %12s %8s %9s %12s %8s %9s %7s %7s\n' \
    "$run" "$load" "$srps" "$sp99" "$scpu" "$drps" "$dp99" "$dcpu" "${ratio}x" "$((snon + dnon))"
  sum_s=$(awk -v a="$sum_s" -v b="$srps" 'BEGIN { print a + b }')
  sum_d=$(awk -v a="$sum_d" -v b="$drps" 'BEGIN { print a + b }')
done
awk -v s="$sum_s" -v d="$sum_d" -v n="$RUNS" 'BEGIN { printf "mean: serve %.0f req/s, Django %.0f req/s, ratio %.1fx\n", s / n, d / n, s / d }'
