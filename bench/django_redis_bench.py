"""django-redis's side of BenchmarkCacheValueDecodeSession*
(serializer/cachevalue). Runs under /usr/bin/python3 (django-redis 5.2,
system Django 3.2; any Django on PYTHONPATH works).

    /usr/bin/python3 bench/django_redis_bench.py [--compressor none|zlib|lzma] [--iters N] [--repeat K]

Builds the session the Go benchmark decodes, encodes it with django-redis's
DefaultClient.encode (PickleSerializer at its default protocol 4, the given
compressor), and times DefaultClient.decode of those bytes (int() attempt,
decompress, pickle.loads) and, for reference, pickle.loads alone. Prints
JSON: the bytes (base64, to check they are the ones Go decodes) and the best
ns/op of K runs (default 5) of N calls.
"""
import argparse
import base64
import json
import pickle
import time
import warnings

COMPRESSORS = {
    "none": "django_redis.compressors.identity.IdentityCompressor",
    "zlib": "django_redis.compressors.zlib.ZlibCompressor",
    "lzma": "django_redis.compressors.lzma.LzmaCompressor",
}


def session():
    """sessionDict() in serializer/cachevalue/python_test.go."""
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
    ap = argparse.ArgumentParser()
    ap.add_argument("--compressor", default="none", choices=sorted(COMPRESSORS))
    ap.add_argument("--iters", type=int, default=100000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    import django
    from django.conf import settings
    settings.configure(INSTALLED_APPS=[], DATABASES={}, USE_TZ=True)
    django.setup()
    from django_redis.cache import RedisCache
    # Nothing connects: encode/decode need no server.
    client = RedisCache("redis://127.0.0.1:9/0", {"OPTIONS": {"COMPRESSOR": COMPRESSORS[args.compressor]}}).client
    data = client.encode(session())
    assert client.decode(data) == session()
    raw = pickle.dumps(session(), 4)
    print(json.dumps({
        "compressor": args.compressor,
        "bytes_b64": base64.b64encode(data).decode(),
        "decode_ns": best_ns(lambda: client.decode(data), args.iters, args.repeat),
        "pickle_loads_ns": best_ns(lambda: pickle.loads(raw), args.iters, args.repeat),
    }))


if __name__ == "__main__":
    main()
