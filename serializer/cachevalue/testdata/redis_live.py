"""Live django-redis for serializer/cachevalue's tests (no Redis needed).

Reads one JSON document on stdin:
  {"cases": [{"backend": "django_redis"|"django", "serializer": s,
              "compressor": c, "pickle_version": n (optional),
              "b64": "<bytes Go wrote>"}, ...]}
and writes {"results": [...]}, one per case:
  {"value": tagged(decode(b)) | null, "error": class name | null,
   "decoded": true when decode(b) returned (even if tagging it failed),
   "encoded_b64": b64(encode(decode(b))) | null,
   "input_b64": b64(encode(tagged.decode(input))) when the case has "input"}
decode/encode are django-redis's DefaultClient.decode/encode built from the
serializer and compressor classes (RedisCache(...).client; nothing
connects), or Django's RedisSerializer.loads/dumps.

pyzstd (what django-redis's ZStdCompressor imports) is not packaged here: a
stand-in module built on python3-zstandard (the same libzstd) is installed
as "pyzstd" when the real one is missing: compress at level 3 with the
content size, decompress reading across frames.
"""
import base64
import io
import json
import os
import sys
import types
import warnings

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "testdata"))
import tagged  # noqa: E402


def install_pyzstd_standin():
    try:
        import pyzstd  # noqa: F401
        return
    except ImportError:
        pass
    try:
        import zstandard
    except ImportError:
        return
    m = types.ModuleType("pyzstd")

    class ZstdError(Exception):
        pass

    def compress(data):
        return zstandard.ZstdCompressor(level=3, write_content_size=True).compress(data)

    def decompress(data):
        # pyzstd.decompress: every frame, and ZstdError when the data ends
        # inside a frame.
        out = []
        try:
            while data:
                d = zstandard.ZstdDecompressor().decompressobj()
                out.append(d.decompress(data))
                if not d.eof:
                    raise ZstdError("zstd data ends in an incomplete frame")
                data = d.unused_data
        except zstandard.ZstdError as e:
            raise ZstdError(str(e))
        return b"".join(out)

    m.ZstdError, m.compress, m.decompress = ZstdError, compress, decompress
    sys.modules["pyzstd"] = m


COMPRESSORS = {
    "none": "django_redis.compressors.identity.IdentityCompressor",
    "zlib": "django_redis.compressors.zlib.ZlibCompressor",
    "lzma": "django_redis.compressors.lzma.LzmaCompressor",
    "lz4": "django_redis.compressors.lz4.Lz4Compressor",
    "zstd": "django_redis.compressors.zstd.ZStdCompressor",
}
SERIALIZERS = {
    "pickle": "django_redis.serializers.pickle.PickleSerializer",
    "json": "django_redis.serializers.json.JSONSerializer",
    "msgpack": "django_redis.serializers.msgpack.MSGPackSerializer",
}

_clients = {}


def codec(case):
    if case["backend"] == "django":
        from django.core.cache.backends.redis import RedisSerializer
        s = RedisSerializer()
        return s.loads, s.dumps
    k = (case["serializer"], case["compressor"], case.get("pickle_version"))
    if k not in _clients:
        from django_redis.cache import RedisCache
        opts = {"SERIALIZER": SERIALIZERS[k[0]], "COMPRESSOR": COMPRESSORS[k[1]]}
        if k[2] is not None:
            opts["PICKLE_VERSION"] = k[2]
        _clients[k] = RedisCache("redis://127.0.0.1:9/0", {"OPTIONS": opts}).client
    c = _clients[k]
    return c.decode, c.encode


def wire(out):
    if isinstance(out, (bytes, bytearray)):
        return bytes(out)
    return repr(out).encode()  # an int sent raw, as redis-py writes it


def main():
    warnings.simplefilter("ignore")
    install_pyzstd_standin()
    import django
    from django.conf import settings
    settings.configure(USE_TZ=True, INSTALLED_APPS=[], DATABASES={})
    django.setup()
    req = json.load(sys.stdin)
    results = []
    for case in req["cases"]:
        res = {"value": None, "error": None, "encoded_b64": None}
        try:
            decode, encode = codec(case)
            v = decode(base64.b64decode(case["b64"]))
            res["decoded"] = True
            res["value"] = tagged.encode(v)
            res["encoded_b64"] = base64.b64encode(wire(encode(v))).decode()
            if "input" in case:
                res["input_b64"] = base64.b64encode(wire(encode(tagged.decode(case["input"])))).decode()
        except Exception as e:  # reported to the Go test
            res["error"] = type(e).__name__ + ": " + str(e)[:200]
        results.append(res)
    json.dump({"results": results}, sys.stdout)


if __name__ == "__main__":
    main()
