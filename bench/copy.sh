#!/bin/sh
# Copy throughput PostgreSQL → Redis (one node), and memory at 10k vs 100k
# sessions (peak Go heap during the copy, peak RSS): run by hand, not in CI.
#   bench/copy.sh [N ...]     (default: 10000 100000)
set -eu
cd "$(dirname "$0")/.."
go test -c -o /tmp/djangosess-transfer.test ./djangosess/transfer/
cd djangosess/transfer
for n in "${@:-10000 100000}"; do
	for n1 in $n; do
		DJANGOSESS_COPY_BENCH_N=$n1 /tmp/djangosess-transfer.test -test.run '^$' -test.bench CopyPostgresToRedis -test.benchtime 1x | grep Benchmark | sed "s/^/n=$n1 /"
	done
done
