"""Django's side of BenchmarkLoad (djangosess/redis), and the comparison.

    /usr/bin/python3 bench/django_redis_store_bench.py [--backend django_redis|django]
        [--concurrency N] [--seconds S] [--redis HOST:PORT] [--go]

Configures Django with SESSION_ENGINE "django.contrib.sessions.backends.cache"
on a Redis cache (django-redis with its defaults, or Django 4.0+'s own
RedisCache: run under PYTHONPATH=.cache/django/4.2.x for that), creates the
session BenchmarkLoad loads (bench session below) under a fresh KEY_PREFIX,
and measures SessionStore(key).load():

  * sequential: one thread;
  * threads: N threads in one process (the GIL serializes Python);
  * processes: N worker processes (how Django is deployed), each loading
    for the same wall time.

With --go it also runs `go test -bench BenchmarkLoad` in djangosess/redis
with the same concurrency (GOMAXPROCS x parallelism = N goroutines), and
redis-benchmark's GET at N connections (the server's ceiling for one
command per round trip), and prints them side by side as a Markdown table
with the ratios (medians of --count Go runs). The keys
are deleted at the end (only this run's prefix; never FLUSHDB).
"""
import argparse
import json
import multiprocessing
import os
import re
import subprocess
import sys
import threading
import time
import uuid
import warnings

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def session():
    """benchSession() in djangosess/redis/bench_test.go."""
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


def setup(backend, redis_addr, prefix):
    warnings.simplefilter("ignore")
    import django
    from django.conf import settings
    entry = {"LOCATION": "redis://%s/0" % redis_addr, "KEY_PREFIX": prefix}
    if backend == "django":
        entry["BACKEND"] = "django.core.cache.backends.redis.RedisCache"
    else:
        entry["BACKEND"] = "django_redis.cache.RedisCache"
    settings.configure(INSTALLED_APPS=["django.contrib.sessions"], DATABASES={}, USE_TZ=True,
                       SECRET_KEY="bench", SESSION_ENGINE="django.contrib.sessions.backends.cache",
                       CACHES={"default": entry})
    django.setup()


def store(key=None):
    from django.contrib.sessions.backends.cache import SessionStore
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
    backend, redis_addr, prefix, key, seconds, start = args
    setup(backend, redis_addr, prefix)
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


def processes(args, key, prefix):
    start = time.time() + 1.0
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(args.concurrency) as pool:
        counts = pool.map(worker, [(args.backend, args.redis, prefix, key, args.seconds, start)] * args.concurrency)
    return sum(counts) / args.seconds


def go_bench(args):
    """ns/op of BenchmarkLoad's sub-benchmarks, best of --count runs."""
    procs = os.cpu_count() or 1
    par = max(1, args.concurrency // procs)
    env = dict(os.environ, DJANGOSESS_BENCH_PARALLELISM=str(par), DJANGOSESS_REDIS_ADDR=args.redis)
    cmd = ["go", "test", "-run", "^$", "-bench", "^BenchmarkLoad$", "-benchtime", "%ds" % args.seconds,
           "-count", str(args.count), "./djangosess/redis/"]
    out = subprocess.run(cmd, cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout
    res = {}
    for m in re.finditer(r"^BenchmarkLoad/(\S+?)-\d+\s+\d+\s+([\d.]+) ns/op(.*)$", out, re.M):
        res.setdefault(m.group(1), []).append(float(m.group(2)))
        r = re.search(r"([\d.]+) store/bare", m.group(3))
        if r:
            res.setdefault(m.group(1) + ":ratio", []).append(float(r.group(1)))
    return {k: sorted(v)[len(v) // 2] for k, v in res.items()}, procs * par


def redis_benchmark(args):
    """GET requests/s of redis-benchmark (C, one GET per request) at the same
    concurrency: the server's ceiling for one-command round trips here."""
    host, _, port = args.redis.rpartition(":")
    try:
        out = subprocess.run(["redis-benchmark", "-h", host, "-p", port, "-t", "get", "-c", str(args.concurrency),
                              "-n", "100000", "-q"], capture_output=True, text=True, timeout=120).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    m = re.findall(r"GET: ([\d.]+) requests per second", out.replace("\r", "\n"))
    return float(m[-1]) if m else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--backend", default="django_redis", choices=["django_redis", "django"])
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--seconds", type=int, default=3)
    ap.add_argument("--count", type=int, default=3, help="Go benchmark runs (the median is used)")
    ap.add_argument("--redis", default=os.environ.get("DJANGOSESS_REDIS_ADDR", "127.0.0.1:6379"))
    ap.add_argument("--go", action="store_true", help="also run the Go benchmark and compare")
    args = ap.parse_args()

    prefix = "djangosess-bench-" + uuid.uuid4().hex
    setup(args.backend, args.redis, prefix)
    import django
    s = store()
    s.update(session())
    s.save()
    key = s.session_key
    try:
        out = {"django": django.get_version(), "backend": args.backend, "concurrency": args.concurrency}
        store(key).load()
        seq = load_loop(key, args.seconds) / args.seconds
        out["sequential_loads_per_s"] = seq
        out["threads_loads_per_s"] = threads(key, args.concurrency, args.seconds)
        out["processes_loads_per_s"] = processes(args, key, prefix)
    finally:
        from django.core.cache import cache
        cache.delete(s.cache_key)
    if not args.go:
        print(json.dumps(out))
        return
    go, goroutines = go_bench(args)
    ceiling = redis_benchmark(args)
    client = "django" if args.backend == "django" else "django-redis"
    best_django = max(out["threads_loads_per_s"], out["processes_loads_per_s"])
    rows = [
        ("Go store Load, sequential", 1e9 / go[client + "/store"]),
        ("Go bare GET+PTTL+decode, sequential", 1e9 / go[client + "/bare"]),
        ("Go store Load, %d goroutines" % goroutines, 1e9 / go[client + "/store-parallel"]),
        ("Go bare GET+PTTL+decode, %d goroutines" % goroutines, 1e9 / go[client + "/bare-parallel"]),
        ("Django %s SessionStore.load(), sequential" % out["django"], seq),
        ("Django %s SessionStore.load(), %d threads" % (out["django"], args.concurrency), out["threads_loads_per_s"]),
        ("Django %s SessionStore.load(), %d processes" % (out["django"], args.concurrency), out["processes_loads_per_s"]),
    ]
    if ceiling:
        rows.append(("redis-benchmark GET (C client, one command), %d connections" % args.concurrency, ceiling))
    print("| %s, Redis %s | loads/s | µs/load |" % (client, args.redis))
    print("|---|---:|---:|")
    for name, rate in rows:
        print("| %s | %.0f | %.1f |" % (name, rate, 1e6 / rate))
    print()
    print("store / bare time: sequential %.2f×, parallel %.2f× (separate runs); paired (each store Load timed "
          "next to a bare round trip): sequential %.3f×, parallel %.3f×" % (
              go[client + "/store"] / go[client + "/bare"], go[client + "/store-parallel"] / go[client + "/bare-parallel"],
              go[client + "/paired:ratio"], go[client + "/paired-parallel:ratio"]))
    print("Go store / Django throughput: sequential %.1f×, concurrent %.1f× (against Django's better of threads and processes)" % (
        (1e9 / go[client + "/store"]) / seq, (1e9 / go[client + "/store-parallel"]) / best_django))


if __name__ == "__main__":
    main()
