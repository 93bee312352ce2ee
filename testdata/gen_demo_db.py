#!/usr/bin/python3
"""gen_demo_db.py: makes testdata/demo/db.sqlite3 with real Django.

    PYTHONPATH=.cache/django/5.2.18 /usr/bin/python3 testdata/gen_demo_db.py

The database is what `manage.py migrate` makes for a project with
django.contrib.sessions, auth and contenttypes on SQLite, holding users and
sessions made the way Django's login view makes them (auth.login on a
request), signed with testdata/demo/secret_key. Expiries are set far in
the future (2099) so the README's first command keeps listing them; one
session is already expired, for --include-expired.
"""
import datetime
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
path = os.path.join(here, "demo", "db.sqlite3")
secret = open(os.path.join(here, "demo", "secret_key")).read().strip()

import django  # noqa: E402
from django.conf import settings  # noqa: E402

settings.configure(
    SECRET_KEY=secret,
    INSTALLED_APPS=["django.contrib.sessions", "django.contrib.auth", "django.contrib.contenttypes"],
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": path}},
    USE_TZ=True,
    PASSWORD_HASHERS=["django.contrib.auth.hashers.PBKDF2PasswordHasher"],
)
django.setup()

from django.contrib.auth import login  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import RequestFactory  # noqa: E402

if os.path.exists(path):
    os.remove(path)
call_command("migrate", verbosity=0)

far = datetime.datetime(2099, 1, 1, tzinfo=datetime.timezone.utc)
made = []
for name, cart in (("alice", [3, 14, 15]), ("bob", [])):
    user = User.objects.create_user(name, name + "@example.com", name + "-password")
    req = RequestFactory().get("/")
    req.session = SessionStore()
    req.session["cart"] = cart
    login(req, user)
    req.session.set_expiry(far)
    req.session.save()
    made.append((name, req.session.session_key))

anon = SessionStore()
anon["cart"] = [92, 65]
anon["theme"] = "dark"
anon.set_expiry(far)
anon.save()
made.append(("anonymous", anon.session_key))

old = SessionStore()
old["cart"] = [1]
old.set_expiry(datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc))
old.save()
made.append(("expired", old.session_key))

for name, key in made:
    print(name, key)
print("Django", django.get_version(), "->", path, file=sys.stderr)
