# lib.sh: what bench/serve_load.sh and bench/soak.sh share. Sourced from
# the repository root, after the script has defined die.

# pick_django: sets pythonpath and djver to $DJANGO under .cache/django, or
# the newest 5.2.x there, or else the system's Django.
pick_django() {
  pythonpath=
  if [ -n "${DJANGO:-}" ]; then
    [ -d ".cache/django/$DJANGO" ] && pythonpath=$PWD/.cache/django/$DJANGO
  else
    local latest
    latest=$(ls .cache/django 2>/dev/null | grep '^5\.2\.' | sort -V | tail -n1 || true)
    [ -n "$latest" ] && pythonpath=$PWD/.cache/django/$latest
  fi
  djver=$(PYTHONPATH=$pythonpath /usr/bin/python3 -c 'import django; print(django.get_version())')
  [ -z "${DJANGO:-}" ] || [ "$djver" = "$DJANGO" ] || die "Django $DJANGO not found (have $djver)"
}

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

wait_http() { # wait_http URL: up to 60 s, polling
  for _ in $(seq 1 600); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done
  die "$1 did not answer within 60 s"
}

# django_login BASE_URL JAR USER PASSWORD: logs in through Django's login
# form at BASE_URL/accounts/login/ (CSRF token included), keeping cookies
# in JAR, and prints the session key.
django_login() {
  local token status session
  token=$(curl -s -c "$2" -b "$2" "$1/accounts/login/" |
    sed -n 's/.*name="csrfmiddlewaretoken" value="\([^"]*\)".*/\1/p')
  [ -n "$token" ] || die "no CSRF token in Django's login form"
  status=$(curl -s -o /dev/null -w '%{http_code}' -c "$2" -b "$2" \
    --data-urlencode "csrfmiddlewaretoken=$token" -d username="$3" -d password="$4" "$1/accounts/login/")
  [ "$status" = 302 ] || die "Django login answered $status"
  session=$(awk '$6 == "sessionid" { print $7 }' "$2")
  [ -n "$session" ] || die "no session cookie after login"
  echo "$session"
}
