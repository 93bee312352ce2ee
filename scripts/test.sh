#!/usr/bin/env bash
# test.sh: the whole test suite. Installs what it needs (Debian packages,
# Django 4.2/5.2 unpacked into .cache/django, Go modules, staticcheck),
# starts the servers that are down, then runs the formatting and static
# checks, every Go test with the race detector, a short run of every fuzz
# target, and one pass of every benchmark.
#
#   FUZZTIME=5s   how long each fuzz target runs (0 skips fuzzing)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
mkdir -p .cache
. scripts/services.sh

# Each step's heading shows the seconds since the start, so a slow CI run
# shows where its time went.
step() { printf '\n== %s  [%ds]\n' "$*" "$SECONDS"; }

step "packages and servers"
command -v go >/dev/null || { echo "test.sh: Go 1.26 is required (https://go.dev/dl)" >&2; exit 1; }
ensure_python_django
ensure_postgres
ensure_redis
ensure_mariadb

step "Django 4.2 and 5.2 (Debian trixie and sid packages) into .cache/django"
bash scripts/get-django.sh "$root/.cache/django"
export DJANGOSESS_DJANGO_CACHE="$root/.cache/django"

step "Go modules and tools"
go mod download
export PATH="$(go env GOPATH)/bin:$PATH"
command -v staticcheck >/dev/null && staticcheck -version | grep -q '0.8.2' ||
  go install honnef.co/go/tools/cmd/staticcheck@v0.8.2

step "gofmt, go vet, staticcheck"
bad=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './.cache/*'))
if [ -n "$bad" ]; then echo "not gofmt-clean:"; echo "$bad"; exit 1; fi
go vet ./...
staticcheck ./...

step "go test -race"
go test -race -count=1 -json ./... | /usr/bin/python3 scripts/gotest-summary.py | tee .cache/test-summary.txt

step "without the SIMD paths: the purego build and other architectures"
# On amd64, signing takes HMAC-SHA256 on the CPU's SHA extensions
# (sha256ni_amd64.s) and decodes base64 with SSSE3 (b64_amd64.s), and zlibx
# sums Adler-32 with SSSE3 (adler32_amd64.s), when the CPU has them; the
# purego tag gives the paths in Go that other CPUs take, against the same
# Django vectors.
go test -count=1 -tags purego ./signing ./internal/zlibx ./djangosess
GOARCH=arm64 go vet ./signing ./internal/zlibx
GOARCH=386 go vet ./signing ./internal/zlibx ./serializer/...

step "100,000-session migration chain (real Django, no -race)"
# TestChain at scale: 25,000 sessions of each of four kinds written by
# Django 3.2, copied file → PostgreSQL → Redis Cluster → SQLite and read
# back by the newest Django; each hop logs its rate.
DJANGOSESS_CHAIN_N=25000 go test -count=1 -run '^TestChain$' -v ./djangosess/transfer/

fuzztime=${FUZZTIME:-5s}
if [ "$fuzztime" != 0 ]; then
  step "fuzzing, $fuzztime per target"
  for pkg in $(go list ./...); do
    dir=$(go list -f '{{.Dir}}' "$pkg")
    for target in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u); do
      echo "-- $pkg $target"
      # A worker that misses the fuzz deadline on a loaded machine makes
      # go test report "context deadline exceeded" with no failing input:
      # that, and only that, is tried once more.
      for try in 1 2; do
        if go test -run='^$' -fuzz="^${target}\$" -fuzztime="$fuzztime" "$pkg" >/tmp/fuzz.$$.log 2>&1; then break; fi
        if [ "$try" = 1 ] && grep -q 'context deadline exceeded' /tmp/fuzz.$$.log &&
           ! grep -q 'Failing input written' /tmp/fuzz.$$.log; then
          echo "(fuzz deadline missed under load; running $target again)"; continue
        fi
        cat /tmp/fuzz.$$.log; exit 1
      done
      tail -n 1 /tmp/fuzz.$$.log
    done
  done
  rm -f /tmp/fuzz.$$.log
fi

step "benchmarks compile and run once"
go test -run='^$' -bench=. -benchtime=1x ./... >/dev/null

step "done"
tail -n 1 .cache/test-summary.txt
