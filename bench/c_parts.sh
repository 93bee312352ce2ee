#!/usr/bin/env bash
# c_parts.sh: the parts of a session decode and encode done by the C
# libraries that are the state of the art for each, next to ours, on the
# same bytes (the typical session of bench/compare.py), by hand (not in CI):
#
#   inflate   internal/zlibx.Inflate   libdeflate, zlib (Python's zlib.decompress)
#   deflate   internal/zlibx.Deflate   libdeflate levels 1 and 6, zlib level 6 (Python's zlib.compress)
#   HMAC      signing.SaltedMAC        OpenSSL (Python's hmac)
#   JSON      serializer.JSON          simdjson, tokenizing only (no Python values)
#
#   bench/c_parts.sh          # from the repository root
#
# It installs gcc, g++ and the libraries' -dev packages from Debian when
# their headers are missing. Each time is the best of 60 short windows
# (a few to 20 ms), on both sides, as in bench/compare.py. The C programs are bench/cparts/parts.c and json.cpp.
set -euo pipefail
cd "$(dirname "$0")/.."

die() { echo "c_parts.sh: $*" >&2; exit 1; }

need=()
[ -f /usr/include/libdeflate.h ] || need+=(libdeflate-dev)
[ -f /usr/include/zlib.h ] || need+=(zlib1g-dev)
[ -f /usr/include/openssl/hmac.h ] || need+=(libssl-dev)
[ -f /usr/include/simdjson.h ] || need+=(libsimdjson-dev)
command -v gcc >/dev/null || need+=(gcc)
command -v g++ >/dev/null || need+=(g++)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]}" >&2
  apt-get install -y "${need[@]}" >/dev/null || die "apt-get install ${need[*]} failed"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The typical session's compressed payload, its JSON and its signed part.
python3 - "$tmp" <<'PY'
import base64, sys, zlib
out = sys.argv[1]
data = open("djangosess/testdata/typical_session.txt").read().strip()
signed = data[:data.rindex(":")]
payload = signed[1:signed.index(":")]  # without the "." flag
z = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
open(out + "/z.bin", "wb").write(z)
open(out + "/raw.json", "wb").write(zlib.decompress(z))
open(out + "/signed.txt", "wb").write(signed.encode())
PY

gcc -O2 -Wall -Wno-deprecated-declarations -o "$tmp/parts" bench/cparts/parts.c -ldeflate -lz -lcrypto
g++ -O2 -std=c++17 -o "$tmp/json" bench/cparts/json.cpp -lsimdjson

declare -A ns size
while read -r name t n; do ns[$name]=$t size[$name]=$n; done < <(
  "$tmp/parts" "$tmp/z.bin" "$tmp/raw.json" "$tmp/signed.txt"
  "$tmp/json" "$tmp/raw.json"
)
simd=""
for k in "${!ns[@]}"; do case $k in json/simdjson-*) simd=$k ;; esac; done

# Go: best of 60 runs of 20 ms (and the compressed size deflate reports).
go test -run '^$' -bench '(Decode|Encode)Parts/(hmac|inflate|json|deflate)$' -benchtime 20ms -count 60 ./djangosess >"$tmp/go.txt"
while read -r name t n; do ns[$name]=$t size[$name]=$n; done < <(
  awk '/^Benchmark/ { sub(/-[0-9]+$/, "", $1); if (!($1 in b) || $3 < b[$1]) b[$1] = $3
                      z[$1] = ($6 == "zbytes") ? $5 : 0 }
       END { for (k in b) print k, b[k], z[k] }' "$tmp/go.txt"
)
[ -n "${ns[BenchmarkEncodeParts/deflate]:-}" ] || die "no Go benchmark results (see go test -bench in ./djangosess)"

row() { # row LABEL GO_NAME C_NAME
  awk -v l="$1" -v g="${ns[$2]}" -v c="${ns[$3]}" -v cn="$3" -v gz="${size[$2]}" -v cz="${size[$3]}" \
    'BEGIN { gs = gz > 0 ? sprintf(" (%d bytes)", gz) : ""; cs = cz > 0 ? sprintf(" (%d bytes)", cz) : ""
             printf "| %s | %.0f ns%s | %s %.0f ns%s | %.2f× |\n", l, g, gs, cn, c, cs, c / g }'
}
echo "| part | djangosess | C library | C ÷ Go |"
echo "|---|---|---|---|"
row inflate BenchmarkDecodeParts/inflate inflate/libdeflate
row inflate BenchmarkDecodeParts/inflate inflate/zlib
row deflate BenchmarkEncodeParts/deflate deflate/libdeflate-1
row deflate BenchmarkEncodeParts/deflate deflate/libdeflate-6
row deflate BenchmarkEncodeParts/deflate deflate/zlib-6
row "HMAC-SHA256" BenchmarkDecodeParts/hmac hmac/openssl
row "JSON (ours: Python values)" BenchmarkDecodeParts/json "$simd"
