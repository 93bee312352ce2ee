#!/usr/bin/env bash
# fuzz-campaign.sh: the long fuzz campaign, run by hand (CI runs every
# target for 10 s only, in scripts/test.sh).
#
#   scripts/fuzz-campaign.sh                 # every decoder, 10 minutes each
#   FUZZTIME=1h LANES=1 scripts/fuzz-campaign.sh FuzzPickleUnmarshal
#
# For each target it restores the kept corpus (testdata/fuzz-corpus/
# <Target>.tar.gz) into Go's fuzz cache, fuzzes for FUZZTIME with one
# worker, and saves the corpus back, grown, into the tarball. A failing
# input is written by go test into the package's testdata/fuzz/<Target>/
# (where every later `go test` runs it) and the script exits non-zero.
# LANES targets run side by side (default 2, one per core here). The last
# line of each target's run (elapsed, execs, corpus size) goes to
# .cache/fuzz-campaign/<Target>.log and to the summary printed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
FUZZTIME=${FUZZTIME:-10m}
LANES=${LANES:-2}

# Each decoder the bridge reads untrusted input with: package, target.
all=(
  "./djangosess FuzzDecode"                       # signed session_data blob
  "./djangosess FuzzLegacyDecode"                 # pre-3.1 legacy format
  "./serializer FuzzJSONUnmarshal"                # JSON serializer
  "./serializer FuzzPickleUnmarshal"              # pickle serializer
  "./serializer/cachevalue FuzzCacheValueDecode"  # django-redis / RedisCache values
  "./djangosess/cookies FuzzCookieHeader"         # Cookie header through the middleware
  "./serializer FuzzTaggedUnmarshal"              # tagged JSON (CLI and test vectors)
  "./internal/zlibx FuzzInflate"                  # zlib streams, bombs included
)
targets=()
for t in "${all[@]}"; do
  name=${t#* }
  if [ $# -eq 0 ] || printf '%s\n' "$@" | grep -qx "$name"; then targets+=("$t"); fi
done
[ ${#targets[@]} -gt 0 ] || { echo "no such target: $*" >&2; exit 2; }

cache=$(go env GOCACHE)/fuzz
kept=$root/testdata/fuzz-corpus
logs=$root/.cache/fuzz-campaign
mkdir -p "$kept" "$logs"

run_one() {
  local pkg=$1 name=$2
  local ipath dir log=$logs/$name.log
  ipath=$(go list "$pkg")
  dir=$cache/$ipath/$name
  mkdir -p "$dir"
  if [ -f "$kept/$name.tar.gz" ]; then tar -xzf "$kept/$name.tar.gz" -C "$dir"; fi
  local before
  before=$(find "$dir" -type f | wc -l)
  if ! go test -run='^$' -fuzz="^${name}\$" -fuzztime="$FUZZTIME" -parallel=1 "$pkg" >"$log" 2>&1; then
    echo "FAIL $name (see $log)"; tail -n 30 "$log"; return 1
  fi
  tar -czf "$kept/$name.tar.gz.tmp" -C "$dir" . && mv "$kept/$name.tar.gz.tmp" "$kept/$name.tar.gz"
  local after
  after=$(find "$dir" -type f | wc -l)
  echo "$name: $(grep 'execs:' "$log" | tail -n 1 | sed 's/^fuzz: //; s/, new interesting.*//'); corpus $before -> $after entries" >"$log.summary"
  cat "$log.summary"
}

status=0
pids=()
for t in "${targets[@]}"; do
  # shellcheck disable=SC2086
  run_one $t &
  pids+=($!)
  if [ ${#pids[@]} -ge "$LANES" ]; then
    wait "${pids[0]}" || status=1
    pids=("${pids[@]:1}")
  fi
done
for p in "${pids[@]}"; do wait "$p" || status=1; done

echo "== summary (FUZZTIME=$FUZZTIME per target)"
for t in "${targets[@]}"; do
  name=${t#* }
  cat "$logs/$name.log.summary" 2>/dev/null || echo "$name: failed"
done
exit $status
