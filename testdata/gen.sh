#!/usr/bin/env bash
# gen.sh: regenerates testdata/vectors/django-<version>.json with real Django:
# 3.2 (the system's, under /usr/bin/python3) and the newest 4.2.x and 5.2.x
# unpacked in .cache/django (or $DJANGOSESS_DJANGO_CACHE) by
# scripts/get-django.sh, which is run first when a version is missing.
# A vector file of an older patch release of the same series is removed.
set -euo pipefail
cd "$(dirname "$0")/.."
py=/usr/bin/python3
cache=${DJANGOSESS_DJANGO_CACHE:-$PWD/.cache/django}
out=testdata/vectors
mkdir -p "$out"
[ -x "$py" ] || { echo "gen.sh: $py not found" >&2; exit 1; }

newest() { ls -d "$cache/$1".* 2>/dev/null | sort -V | tail -n1; }
if [ -z "$(newest 4.2)" ] || [ -z "$(newest 5.2)" ]; then
  bash scripts/get-django.sh "$cache"
fi

gen() { # gen DIR: DIR is the PYTHONPATH holding django/, "" for the system Django
  local ver series f
  if [ -n "$1" ]; then
    ver=$(PYTHONPATH=$1 "$py" -c 'import django; print(django.get_version())')
    PYTHONPATH=$1 "$py" testdata/gen_vectors.py "$out/django-$ver.json"
  else
    ver=$(env -u PYTHONPATH "$py" -c 'import django; print(django.get_version())')
    env -u PYTHONPATH "$py" testdata/gen_vectors.py "$out/django-$ver.json"
  fi
  series=${ver%.*}
  for f in "$out/django-$series".*.json; do
    [ -e "$f" ] && [ "$f" != "$out/django-$ver.json" ] && { echo "gen.sh: removing stale $f" >&2; rm -f "$f"; }
  done
  return 0
}

gen ""
gen "$(newest 4.2)"
gen "$(newest 5.2)"
ls -l "$out"
