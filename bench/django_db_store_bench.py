"""Django's side of BenchmarkLoad (djangosess/sqlite, postgres, mysql), and the comparison.

    /usr/bin/python3 bench/django_db_store_bench.py [--engine sqlite|postgres|mysql]
        [--concurrency N] [--seconds S] [--count C] [--go]

Configures Django with SESSION_ENGINE "django.contrib.sessions.backends.db"
on a fresh place of the chosen database (a temporary SQLite file; a schema
djangosess_bench_<random> in PostgreSQL's database test on 127.0.0.1; a
database of that name on MariaDB/MySQL at 127.0.0.1 as root), runs Django's
migrate for the sessions app, creates the session BenchmarkLoad loads
(session() below) and measures SessionStore(key).load():

  * sequential: one thread;
  * threads: N threads in one process (the GIL serializes Python);
  * processes: N worker processes (how Django is deployed), each loading
    for the same wall time;

each --repeat times, the median kept.

With --go it also runs `go test -bench BenchmarkLoad` in the engine's
package with the same concurrency (GOMAXPROCS x parallelism = N goroutines)
and prints both, side by side, as a Markdown table with the ratios. The
schema, database or file is dropped at the end.
"""
import argparse
import json
import multiprocessing
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
import uuid
import warnings

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def session():
    """BenchSession() in djangosess/internal/sqlstore/interoptest/bench.go."""
    return {
        "_auth_user_id": "1",
        "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
        "_auth_user_hash": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "cart": {
            "items": [
                {"sku": "A-1", "qty": 2, "price": 9.99},
                {"sku": "B-22", "qty": 1, "price": 120.5},
            ],
            "coupon": None,
        },
    }


def database(engine, place):
    if engine == "sqlite":
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": place}
    if engine == "postgres":
        return {"ENGINE": "django.db.backends.postgresql", "NAME": "test", "USER": "postgres",
                "HOST": "127.0.0.1", "OPTIONS": {"options": "-c search_path=" + place}}
    return {"ENGINE": "django.db.backends.mysql", "NAME": place, "USER": "root", "HOST": "127.0.0.1"}


def make_place(engine):
    name = "djangosess_bench_" + uuid.uuid4().hex[:12]
    if engine == "sqlite":
        d = tempfile.mkdtemp(prefix="djangosess-bench-")
        return os.path.join(d, "db.sqlite3")
    if engine == "postgres":
        import psycopg2
        c = psycopg2.connect(host="127.0.0.1", user="postgres", dbname="test")
        c.autocommit = True
        c.cursor().execute("CREATE SCHEMA " + name)
        c.close()
        return name
    import MySQLdb
    c = MySQLdb.connect(host="127.0.0.1", user="root")
    c.cursor().execute("CREATE DATABASE " + name + " CHARACTER SET utf8mb4")
    c.close()
    return name


def drop_place(engine, place):
    if engine == "sqlite":
        shutil.rmtree(os.path.dirname(place), ignore_errors=True)
    elif engine == "postgres":
        import psycopg2
        c = psycopg2.connect(host="127.0.0.1", user="postgres", dbname="test")
        c.autocommit = True
        c.cursor().execute("DROP SCHEMA " + place + " CASCADE")
        c.close()
    else:
        import MySQLdb
        c = MySQLdb.connect(host="127.0.0.1", user="root")
        c.cursor().execute("DROP DATABASE " + place)
        c.close()


def setup(engine, place):
    warnings.simplefilter("ignore")
    import django
    from django.conf import settings
    settings.configure(INSTALLED_APPS=["django.contrib.sessions"], USE_TZ=True, SECRET_KEY="bench",
                       SESSION_ENGINE="django.contrib.sessions.backends.db",
                       DATABASES={"default": database(engine, place)})
    django.setup()


def store(key=None):
    from django.contrib.sessions.backends.db import SessionStore
    return SessionStore(key)


def load_loop(key, seconds):
    """Loads until seconds have passed; returns the count."""
    n = 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        for _ in range(50):
            data = store(key).load()
        n += 50
    assert data == session(), data
    return n


def worker(args):
    engine, place, key, seconds, start = args
    setup(engine, place)
    store(key).load()  # connect first
    while time.time() < start:
        time.sleep(0.001)
    return load_loop(key, seconds)


def threads(key, n, seconds):
    counts = [0] * n

    def run(i):
        counts[i] = load_loop(key, seconds)
    ts = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    t0 = time.perf_counter()
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return sum(counts) / (time.perf_counter() - t0)


def processes(args, place, key):
    start = time.time() + 1.0
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(args.concurrency) as pool:
        counts = pool.map(worker, [(args.engine, place, key, args.seconds, start)] * args.concurrency)
    return sum(counts) / args.seconds


def go_bench(args):
    """ns/op of BenchmarkLoad's sub-benchmarks, the median of --count runs.

    Each run is a separate `go test -count 1`, so that store and bare
    alternate and a busy moment of the machine hits both alike."""
    procs = os.cpu_count() or 1
    par = max(1, args.concurrency // procs)
    env = dict(os.environ, DJANGOSESS_BENCH_PARALLELISM=str(par))
    cmd = ["go", "test", "-run", "^$", "-bench", "^BenchmarkLoad$", "-benchtime", "%ds" % args.seconds,
           "-count", "1", "./djangosess/%s/" % args.engine]
    res = {}
    for _ in range(args.count):
        run = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
        if run.returncode != 0:
            raise SystemExit("go test failed:\n" + run.stdout + run.stderr)
        out = run.stdout
        for m in re.finditer(r"^BenchmarkLoad/(\S+?)-\d+\s+\d+\s+([\d.]+) ns/op", out, re.M):
            res.setdefault(m.group(1), []).append(float(m.group(2)))
    return {k: sorted(v)[len(v) // 2] for k, v in res.items()}, procs * par


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--engine", default="sqlite", choices=["sqlite", "postgres", "mysql"])
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--seconds", type=int, default=3)
    ap.add_argument("--count", type=int, default=5, help="Go benchmark runs (the median is used)")
    ap.add_argument("--repeat", type=int, default=3, help="Django measurements of each kind (the median is used)")
    ap.add_argument("--go", action="store_true", help="also run the Go benchmark and compare")
    args = ap.parse_args()

    place = make_place(args.engine)
    try:
        setup(args.engine, place)
        import django
        from django.core.management import call_command
        call_command("migrate", "sessions", verbosity=0)
        s = store()
        s.update(session())
        s.save()
        key = s.session_key
        out = {"django": django.get_version(), "engine": args.engine, "concurrency": args.concurrency}
        store(key).load()

        def median(fn):
            return sorted(fn() for _ in range(args.repeat))[args.repeat // 2]
        seq = median(lambda: load_loop(key, args.seconds) / args.seconds)
        out["sequential_loads_per_s"] = seq
        out["threads_loads_per_s"] = median(lambda: threads(key, args.concurrency, args.seconds))
        out["processes_loads_per_s"] = median(lambda: processes(args, place, key))
        from django.db import connections
        connections.close_all()
    finally:
        drop_place(args.engine, place)
    if not args.go:
        print(json.dumps(out))
        return
    go, goroutines = go_bench(args)
    # The Go variants: the store's default, and the faster opt-in one
    # (PostgreSQL: pgx's cached prepared statements, Config.ConnExecMode;
    # SQLite and MySQL: Config.Prepare; Python's sqlite3 module caches
    # prepared statements itself, so Django on SQLite has them too).
    if args.engine == "postgres":
        variants = [("exec", "QueryExecModeExec (default, PgBouncer-safe)"),
                    ("cached", "cached prepared statements (ConnExecMode)")]
    else:
        variants = [("plain", "statement parsed each time (default)"), ("prepared", "Config.Prepare")]
    rows = []
    for v, what in variants:
        rows += [
            ("Go store Load, %s, sequential" % what, 1e9 / go[v + "/store"]),
            ("Go bare SELECT+decode, %s, sequential" % what, 1e9 / go[v + "/bare"]),
            ("Go store Load, %s, %d goroutines" % (what, goroutines), 1e9 / go[v + "/store-parallel"]),
            ("Go bare SELECT+decode, %s, %d goroutines" % (what, goroutines), 1e9 / go[v + "/bare-parallel"]),
        ]
    rows += [
        ("Django %s SessionStore.load(), sequential" % out["django"], seq),
        ("Django %s SessionStore.load(), %d threads" % (out["django"], args.concurrency), out["threads_loads_per_s"]),
        ("Django %s SessionStore.load(), %d processes" % (out["django"], args.concurrency), out["processes_loads_per_s"]),
    ]
    print("| db, %s | loads/s | µs/load |" % args.engine)
    print("|---|---:|---:|")
    for name, rate in rows:
        print("| %s | %.0f | %.1f |" % (name, rate, 1e6 / rate))
    print()
    best_django = max(out["threads_loads_per_s"], out["processes_loads_per_s"])
    for v, what in variants:
        print("%s: store / bare time: sequential %.2f×, parallel %.2f×; Go store / Django throughput: "
              "sequential %.1f×, concurrent %.1f× (against Django's better of threads and processes)" % (
                  what, go[v + "/store"] / go[v + "/bare"], go[v + "/store-parallel"] / go[v + "/bare-parallel"],
                  (1e9 / go[v + "/store"]) / seq, (1e9 / go[v + "/store-parallel"]) / best_django))


if __name__ == "__main__":
    main()
