#!/usr/bin/env bash
# get-django.sh DEST [SUITE...]
#
# Unpacks the pure-Python Django of other Debian suites into DEST/<version>/django,
# so that a version runs as
#
#     PYTHONPATH=DEST/<version> /usr/bin/python3 ...
#
# SUITE defaults to "trixie sid" (Django 4.2 and 5.2). The system's apt
# configuration is not touched: each suite gets a private sources file, list
# directory and cache in a temporary directory, built from the first stanza of
# the system's deb822 sources (the main archive, same keyring), so apt still
# checks the package against the suite's signed index.
#
# Idempotent: a version already unpacked (DEST/<version>/django/__init__.py) is
# left alone and not downloaded again. Unpacking goes through a temporary
# directory renamed into place, so an interrupted run never leaves a half
# version behind. When the archive cannot be reached, the version recorded
# for the suite by an earlier run (DEST/.suite-<suite>) is used if present.
#
# Also makes sure python3-asgiref and python3-sqlparse (the pure-Python
# dependencies, taken from the system's own suite) are installed.
#
# Prints one line per suite: "<suite> <version> <DEST/version> (unpacked|present)".
# Exits non-zero with a message on stderr on any failure.
set -euo pipefail

prog=get-django.sh
die() { echo "$prog: $*" >&2; exit 1; }

[ $# -ge 1 ] || die "usage: $prog DEST [SUITE...]"
dest=$1; shift
suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(trixie sid)
py=/usr/bin/python3
[ -x "$py" ] || die "$py not found"

# --- the pure-Python dependencies, from the system's own suite -------------
missing=()
for pkg in python3-asgiref python3-sqlparse; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || die "need root to install ${missing[*]} (apt-get install ${missing[*]})"
  echo "$prog: installing ${missing[*]}" >&2
  apt-get update -qq || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null ||
    die "apt-get install ${missing[*]} failed"
fi

# --- the system's main archive stanza, to point at other suites ------------
src=
for f in /etc/apt/sources.list.d/*.sources; do
  [ -f "$f" ] && grep -q '^URIs:' "$f" && { src=$f; break; }
done
[ -n "$src" ] || die "no deb822 sources file (*.sources) in /etc/apt/sources.list.d"

mkdir -p "$dest" || die "cannot create $dest"
dest=$(cd "$dest" && pwd)

work=$(mktemp -d "${TMPDIR:-/tmp}/get-django.XXXXXX")
trap 'rm -rf "$work"' EXIT
chmod 755 "$work" # lets apt's _apt user write the downloads (no "unsandboxed" warning)

# unpacked VERSION: is DEST/VERSION a complete copy?
unpacked() { [ -f "$dest/$1/django/__init__.py" ]; }

# version_of DIR: the Django version importable from DIR.
version_of() {
  PYTHONPATH=$1 "$py" -c 'import django; print(django.get_version())'
}

for suite in "${suites[@]}"; do
  case $suite in *[!a-z0-9.-]*|'') die "bad suite name '$suite'";; esac
  d=$work/$suite
  mkdir -p "$d/lists/partial" "$d/cache/archives/partial" "$d/parts" "$d/debs"
  # First stanza only, every Suites: line replaced by the wanted suite.
  awk 'BEGIN { RS = ""; ORS = "\n" } NR == 1 { print; exit }' "$src" |
    sed -E "s/^Suites:.*/Suites: $suite/" >"$d/parts/$suite.sources"
  grep -q "^Suites: $suite\$" "$d/parts/$suite.sources" || die "could not build a sources stanza from $src"
  apt=(apt-get -o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$d/parts"
       -o "Dir::State::Lists=$d/lists" -o "Dir::Cache=$d/cache" -o Dir::State::Status=/var/lib/dpkg/status)
  cache=(apt-cache -o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$d/parts"
         -o "Dir::State::Lists=$d/lists" -o "Dir::Cache=$d/cache")
  record=$dest/.suite-$suite

  if ! "${apt[@]}" update -qq >"$d/update.log" 2>&1; then
    if [ -f "$record" ] && unpacked "$(cat "$record")"; then
      ver=$(cat "$record")
      echo "$prog: warning: cannot reach the $suite archive; using $ver from an earlier run" >&2
      echo "$suite $ver $dest/$ver present"
      continue
    fi
    cat "$d/update.log" >&2
    die "apt-get update for suite $suite failed"
  fi

  # Candidate version, e.g. "3:4.2.28-1" -> upstream "4.2.28".
  debver=$("${cache[@]}" show --no-all-versions python3-django 2>/dev/null |
           sed -n 's/^Version: //p' | head -n1)
  [ -n "$debver" ] || die "suite $suite has no python3-django"
  upver=${debver#*:}; upver=${upver%-*}; upver=${upver%%+*}

  if unpacked "$upver" && [ "$(version_of "$dest/$upver")" = "$upver" ]; then
    echo "$upver" >"$record"
    echo "$suite $upver $dest/$upver present"
    continue
  fi

  (cd "$d/debs" && "${apt[@]}" download -qq "python3-django=$debver" >"$d/download.log" 2>&1) || {
    cat "$d/download.log" >&2; die "apt-get download python3-django=$debver ($suite) failed"; }
  deb=$(ls "$d"/debs/python3-django_*.deb 2>/dev/null | head -n1)
  [ -n "$deb" ] || die "no .deb downloaded for $suite"
  dpkg-deb -x "$deb" "$d/x" || die "dpkg-deb -x $deb failed"
  pkgdir=$d/x/usr/lib/python3/dist-packages
  [ -f "$pkgdir/django/__init__.py" ] || die "$deb holds no usr/lib/python3/dist-packages/django"

  ver=$(version_of "$pkgdir") || die "the unpacked Django from $suite does not import"
  [ "$ver" = "$upver" ] || echo "$prog: note: $suite package $debver reports Django $ver" >&2
  if unpacked "$ver"; then
    echo "$ver" >"$record"
    echo "$suite $ver $dest/$ver present"
    continue
  fi

  tmp=$(mktemp -d "$dest/.tmp-$ver.XXXXXX")
  cp -a "$pkgdir/django" "$tmp/" || { rm -rf "$tmp"; die "copy into $tmp failed"; }
  rm -rf "${dest:?}/$ver"
  mv "$tmp" "$dest/$ver" || die "cannot move $tmp to $dest/$ver"
  chmod 755 "$dest/$ver"
  [ "$(version_of "$dest/$ver")" = "$ver" ] || die "$dest/$ver does not import as Django $ver"
  echo "$ver" >"$record"
  echo "$suite $ver $dest/$ver unpacked"
done
