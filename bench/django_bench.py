"""Django's side of djangosess's benchmarks. Runs under /usr/bin/python3 with
the Django to measure on PYTHONPATH.

  django_bench.py codec ITER [REPEAT]    time SessionStore.decode/encode of the
                                         typical session: the best ns/op of
                                         REPEAT (default 5) runs of ITER calls;
                                         prints JSON
  django_bench.py make-lines N FILE      write N encoded typical sessions (one
                                         per line), made by Django itself
  django_bench.py decode-lines FILE      decode every line with SessionStore.decode
                                         (the whole process is what is timed)
  django_bench.py typical                print the typical session, encoded

  --serializer=pickle before the command uses PickleSerializer (Django ≤ 4.2).
"""
import json
import sys
import time

import django
from django.conf import settings

SECRET_KEY = "test-secret-key-0123456789"


def setup(serializer="json"):
    ser = {"json": "django.contrib.sessions.serializers.JSONSerializer",
           "pickle": "django.contrib.sessions.serializers.PickleSerializer"}[serializer]
    settings.configure(
        SESSION_SERIALIZER=ser,
        SECRET_KEY=SECRET_KEY,
        INSTALLED_APPS=["django.contrib.sessions", "django.contrib.contenttypes", "django.contrib.auth"],
        SESSION_ENGINE="django.contrib.sessions.backends.db",
        USE_TZ=True,
    )
    django.setup()
    from django.contrib.sessions.backends.db import SessionStore

    return SessionStore


def typical(uid=1):
    """A logged-in session with a small cart: the benchmark's subject."""
    return {
        "_auth_user_id": str(uid),
        "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
        "_auth_user_hash": "%064x" % (uid * 0x9E3779B97F4A7C15 % (1 << 256)),
        "cart": {
            "items": [
                {"sku": "A-1", "qty": 2, "price": "9.99"},
                {"sku": "B-7", "qty": 1, "price": "24.50"},
            ],
            "currency": "EUR",
        },
    }


def best_ns(fn, iters, repeat=5):
    best = None
    for _ in range(repeat):
        t0 = time.perf_counter_ns()
        for _ in range(iters):
            fn()
        dt = (time.perf_counter_ns() - t0) / iters
        best = dt if best is None or dt < best else best
    return best


def main():
    args = sys.argv[1:]
    serializer = "json"
    if args and args[0].startswith("--serializer="):
        serializer = args.pop(0).split("=", 1)[1]
    sys.argv[1:] = args
    cmd = sys.argv[1]
    Store = setup(serializer)
    s = Store()
    if cmd == "codec":
        iters = int(sys.argv[2])
        repeat = int(sys.argv[3]) if len(sys.argv) > 3 else 5
        data = typical()
        enc = s.encode(data)
        assert serializer == "pickle" or enc.startswith("."), "typical session must compress"
        assert s.decode(enc) == data
        out = {
            "django": django.get_version(),
            "serializer": serializer,
            "decode_ns": best_ns(lambda: s.decode(enc), iters, repeat),
            "encode_ns": best_ns(lambda: s.encode(data), iters, repeat),
            "encoded": enc,
        }
        print(json.dumps(out))
    elif cmd == "make-lines":
        n, path = int(sys.argv[2]), sys.argv[3]
        with open(path, "w") as f:
            for i in range(n):
                f.write(s.encode(typical(i + 1)) + "\n")
    elif cmd == "decode-lines":
        n = 0
        with open(sys.argv[2]) as f:
            for line in f:
                d = s.decode(line.rstrip("\n"))
                n += bool(d)
        print(n)
    elif cmd == "typical":
        print(s.encode(typical()))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
