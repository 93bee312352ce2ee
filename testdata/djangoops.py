"""Operations on real Django, shared by gen_vectors.py and oracle.py.

Every operation is run by the Django that `import django` finds (the system
3.2 under /usr/bin/python3, or 4.2/5.2 through PYTHONPATH). Nothing here
re-implements Django: the functions only pick the Django API to call and
translate parameters (see README.md, "Parameters").

setup() must run once, before anything else.
"""

import base64
import contextlib
import logging
import pickle
import sys
import time
import warnings
from unittest import mock

sys.dont_write_bytecode = True

SECRET_KEY = "test-secret-key-0123456789"
FALLBACK_KEYS = ["old-secret-key"]
TIMESTAMP = 1700000000

django = None
settings = None
signing = None
VERSION = None  # django.VERSION[:2]


def setup(secret_key=SECRET_KEY, fallback_keys=None, serializer="json", hashing_algorithm=None, use_tz=True,
          extra=None):
    """Configure Django's settings in-process and run django.setup().

    fallback_keys defaults to FALLBACK_KEYS where Django has
    SECRET_KEY_FALLBACKS (4.1+), and must be empty before that.
    hashing_algorithm is DEFAULT_HASHING_ALGORITHM (3.1/3.2 only).
    extra holds further settings by their Django names (SESSION_ENGINE,
    DATABASES, CACHES, SESSION_FILE_PATH, TIME_ZONE, ...); they win.
    """
    global django, settings, signing, VERSION
    warnings.simplefilter("ignore")
    import django as dj
    from django.conf import settings as st
    django, settings = dj, st
    VERSION = dj.VERSION[:2]
    conf = dict(
        SECRET_KEY=secret_key,
        INSTALLED_APPS=["django.contrib.sessions", "django.contrib.auth", "django.contrib.contenttypes"],
        USE_TZ=use_tz,
        SESSION_SERIALIZER=serializer_path(serializer),
        DATABASES={},
        LOGGING_CONFIG=None,
    )
    if has_fallbacks():
        conf["SECRET_KEY_FALLBACKS"] = list(FALLBACK_KEYS if fallback_keys is None else fallback_keys)
    elif fallback_keys:
        raise OpError("SECRET_KEY_FALLBACKS needs Django 4.1+ (this is %s)" % dj.get_version())
    if hashing_algorithm is not None:
        if not has_hashing_setting():
            raise OpError("DEFAULT_HASHING_ALGORITHM exists only in Django 3.1/3.2")
        conf["DEFAULT_HASHING_ALGORITHM"] = hashing_algorithm
    conf.update(extra or {})
    st.configure(**conf)
    dj.setup()
    logging.disable(logging.CRITICAL)  # decode() logs "Session data corrupted"
    from django.core import signing as sg
    signing = sg


class OpError(Exception):
    """A request the operations cannot express (not a Django error)."""


def has_fallbacks():
    return VERSION >= (4, 1)


def has_hashing_setting():
    return VERSION < (4, 0)


def has_pickle_sessions():
    return VERSION < (5, 0)


def serializer_path(name):
    if name in (None, "json"):
        return "django.contrib.sessions.serializers.JSONSerializer"
    if name == "pickle":
        return "django.contrib.sessions.serializers.PickleSerializer"
    raise OpError("serializer must be json or pickle, not %r" % (name,))


def error_name(e):
    """The name vectors and the oracle give an exception: its class name,
    module-qualified when the bare name is unhelpful (binascii.Error,
    zlib.error, lzma.LZMAError stays as is)."""
    t = type(e)
    name = t.__name__
    if name in ("Error", "error"):
        mod = t.__module__.lstrip("_")
        return "%s.%s" % (mod, name)
    return name


# ------------------------------------------------------------------ time


@contextlib.contextmanager
def clock(t):
    """time.time() returns t inside the block (no patch when t is None)."""
    if t is None:
        yield
        return
    with mock.patch("time.time", return_value=t):
        yield


# ------------------------------------------------------------------ settings


@contextlib.contextmanager
def overrides(params):
    """Temporarily apply the settings-level params: hashing_algorithm
    (DEFAULT_HASHING_ALGORITHM, 3.2), serializer (SESSION_SERIALIZER)."""
    from django.test.utils import override_settings
    kw = {}
    if params.get("hashing_algorithm") is not None:
        if not has_hashing_setting():
            raise OpError("hashing_algorithm (DEFAULT_HASHING_ALGORITHM) exists only in Django 3.1/3.2")
        kw["DEFAULT_HASHING_ALGORITHM"] = params["hashing_algorithm"]
    if params.get("serializer") is not None:
        if params["serializer"] == "pickle" and not has_pickle_sessions():
            raise OpError("Django %s has no PickleSerializer for sessions" % django.get_version())
        kw["SESSION_SERIALIZER"] = serializer_path(params["serializer"])
    if params.get("fallback_keys_setting") is not None:
        kw["SECRET_KEY_FALLBACKS"] = list(params["fallback_keys_setting"])
    if not kw:
        yield
        return
    with override_settings(**kw):
        yield


# ------------------------------------------------------------------ base62, hmac


def b62_encode(n):
    if VERSION >= (4, 0):
        return signing.b62_encode(n)
    from django.utils import baseconv
    return baseconv.base62.encode(n)


def b62_decode(s):
    if VERSION >= (4, 0):
        return signing.b62_decode(s)
    from django.utils import baseconv
    return baseconv.base62.decode(s)


def salted_hmac(value, params):
    from django.utils.crypto import salted_hmac as sh
    kw = {}
    if "algorithm" in params:
        kw["algorithm"] = params["algorithm"]
    return sh(params["key_salt"], value, secret=params.get("secret"), **kw).hexdigest()


# ------------------------------------------------------------------ signers

_SIGNER_ARGS = ("key", "sep", "salt", "algorithm")


def make_signer(params, timestamped):
    """Signer or TimestampSigner from params key, sep, salt, algorithm and
    fallback_keys (keyword arguments; absent ones are not passed)."""
    cls = signing.TimestampSigner if timestamped else signing.Signer
    kw = {k: params[k] for k in _SIGNER_ARGS if k in params}
    if "fallback_keys" in params:
        if not has_fallbacks():
            raise OpError("fallback_keys needs Django 4.1+")
        kw["fallback_keys"] = list(params["fallback_keys"])
    return cls(**kw)


def signer_kind(params, default_timestamped):
    s = params.get("signer")
    if s is None:
        return default_timestamped
    if s not in ("Signer", "TimestampSigner"):
        raise OpError("signer must be Signer or TimestampSigner")
    return s == "TimestampSigner"


def sign(value, params):
    with overrides(params):
        return make_signer(params, False).sign(value)


def timestamp_sign(value, params):
    with overrides(params):
        s = make_signer(params, True)
        with clock(params.get("timestamp")):
            return s.sign(value)


def unsign(signed, params):
    with overrides(params):
        return make_signer(params, False).unsign(signed)


def timestamp_unsign(signed, params):
    with overrides(params):
        s = make_signer(params, True)
        with clock(params.get("now")):
            return s.unsign(signed, max_age=params.get("max_age"))


class _ProtoPickle:
    """A signing serializer pickling with a chosen protocol."""
    protocol = pickle.HIGHEST_PROTOCOL

    def dumps(self, obj):
        return pickle.dumps(obj, self.protocol)

    def loads(self, data):
        return pickle.loads(data)


def signing_serializer(params):
    """The serializer class for dumps/loads/sign_object: JSONSerializer, or
    a pickler with params["pickle_protocol"] when serializer is "pickle"."""
    name = params.get("serializer", "json")
    if name == "json":
        return signing.JSONSerializer
    if name == "pickle":
        proto = params.get("pickle_protocol", pickle.HIGHEST_PROTOCOL)
        return type("PickleProto%d" % proto, (_ProtoPickle,), {"protocol": proto})
    raise OpError("serializer must be json or pickle")


def _object_params(params):
    # dumps/loads take serializer as a class; "serializer" is not a setting here.
    return {k: v for k, v in params.items() if k != "serializer"}


def dumps(value, params):
    kw = {k: params[k] for k in ("key", "salt", "compress") if k in params}
    ser = signing_serializer(params)
    with overrides(_object_params(params)):
        with clock(params.get("timestamp")):
            return signing.dumps(value, serializer=ser, **kw)


def loads(signed, params):
    kw = {k: params[k] for k in ("key", "salt", "max_age") if k in params}
    if "fallback_keys" in params:
        if not has_fallbacks():
            raise OpError("fallback_keys needs Django 4.1+")
        kw["fallback_keys"] = list(params["fallback_keys"])
    ser = signing_serializer(params)
    with overrides(_object_params(params)):
        with clock(params.get("now")):
            return signing.loads(signed, serializer=ser, **kw)


def sign_object(value, params):
    if VERSION < (3, 2):
        raise OpError("sign_object needs Django 3.2+")
    ser = signing_serializer(params)
    with overrides(_object_params(params)):
        s = make_signer(params, signer_kind(params, False))
        with clock(params.get("timestamp")):
            return s.sign_object(value, serializer=ser, compress=bool(params.get("compress", False)))


def unsign_object(signed, params):
    if VERSION < (3, 2):
        raise OpError("unsign_object needs Django 3.2+")
    ser = signing_serializer(params)
    timestamped = signer_kind(params, False)
    with overrides(_object_params(params)):
        s = make_signer(params, timestamped)
        kw = {}
        if timestamped and params.get("max_age") is not None:
            kw["max_age"] = params["max_age"]
        with clock(params.get("now")):
            return s.unsign_object(signed, serializer=ser, **kw)


# ------------------------------------------------------------------ sessions


def _store_classes():
    from django.contrib.sessions.backends.db import SessionStore

    class MyStore(SessionStore):
        pass

    class Outer:
        class Store(SessionStore):
            pass

    MyStore.__qualname__ = MyStore.__name__ = "MyStore"
    Outer.Store.__qualname__ = "Outer.Store"
    Outer.Store.__name__ = "Store"
    return {"SessionStore": SessionStore, "MyStore": MyStore, "Outer.Store": Outer.Store}


_stores = None


def session_store(params, safe_pickle=False):
    """A new store of class params["session_class"] (SessionStore, MyStore,
    Outer.Store), created under the current settings. safe_pickle swaps the
    pickle serializer's loads for a restricted unpickler."""
    global _stores
    if _stores is None:
        _stores = _store_classes()
    name = params.get("session_class", "SessionStore")
    if name not in _stores:
        raise OpError("session_class must be one of %s" % sorted(_stores))
    store = _stores[name]()
    if safe_pickle and params.get("serializer") == "pickle":
        base = store.serializer
        store.serializer = type("Safe" + base.__name__, (base,), {"loads": lambda self, data: safe_loads(data)})
    return store


def key_salt(store):
    return getattr(store, "key_salt", None)


def session_encode(value, params):
    with overrides(params):
        store = session_store(params)
        if "set_expiry" in params:
            store.update(value)
            store.set_expiry(params["set_expiry"])
            value = store._session
        with clock(params.get("timestamp")):
            return store.encode(value)


def session_loads(data, params, safe_pickle=False):
    """signing.loads exactly as SessionBase.decode calls it, errors raised."""
    with overrides(params):
        store = session_store(params, safe_pickle)
        with clock(params.get("now")):
            return signing.loads(data, salt=store.key_salt, serializer=store.serializer)


def session_decode(data, params, safe_pickle=False):
    """SessionStore().decode(data): what Django does with stored data."""
    with overrides(params):
        store = session_store(params, safe_pickle)
        with clock(params.get("now")):
            return store.decode(data)


def session_legacy_decode(data, params, safe_pickle=False):
    """Django 3.2's SessionBase._legacy_decode without its catch-all: the
    dict the legacy format holds, or the exception that _legacy_decode turns
    into {}. Only for Django versions that still read the legacy format."""
    import base64
    from django.contrib.sessions.exceptions import SuspiciousSession
    from django.utils.crypto import constant_time_compare
    with overrides(params):
        store = session_store(params, safe_pickle)
        if not hasattr(store, "_legacy_decode"):
            raise OpError("Django %s does not read the legacy format" % django.get_version())
        encoded = base64.b64decode(data.encode("ascii"))
        mac, serialized = encoded.split(b":", 1)
        if not constant_time_compare(mac.decode(), store._hash(serialized)):
            raise SuspiciousSession("Session data corrupted")
        return store.serializer().loads(serialized)


# ------------------------------------------------------------------ pickle


SAFE_GLOBALS = {
    ("builtins", "set"), ("builtins", "frozenset"), ("builtins", "bytearray"), ("builtins", "bytes"),
    ("builtins", "list"), ("builtins", "dict"), ("builtins", "tuple"), ("builtins", "str"),
    ("builtins", "int"), ("builtins", "float"), ("builtins", "bool"), ("builtins", "complex"),
    ("builtins", "object"), ("_codecs", "encode"), ("copyreg", "_reconstructor"),
    ("datetime", "datetime"), ("datetime", "date"), ("datetime", "time"), ("datetime", "timedelta"),
    ("datetime", "timezone"), ("datetime", "tzinfo"), ("decimal", "Decimal"), ("uuid", "UUID"),
    ("collections", "OrderedDict"), ("zoneinfo", "ZoneInfo._unpickle"), ("zoneinfo", "ZoneInfo"),
    ("pytz", "_p"), ("pytz", "_UTC"), ("pytz", "utc"),
}


class _SafeUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) not in SAFE_GLOBALS:
            raise pickle.UnpicklingError("global %s.%s is not allowed by the oracle" % (module, name))
        return super().find_class(module, name)


def safe_loads(data):
    """pickle.loads restricted to the classes a session value may hold."""
    import io
    return _SafeUnpickler(io.BytesIO(data)).load()


# ------------------------------------------------------------------ auth


def auth_hash(password, params):
    """get_session_auth_hash of a User whose password field is password.
    params.method: get_session_auth_hash (default),
    _legacy_get_session_auth_hash (3.1/3.2), _get_session_auth_hash (4.1.8+,
    with params.secret), get_session_auth_fallback_hash (4.1.8+, a list)."""
    from django.contrib.auth.models import User
    method = params.get("method", "get_session_auth_hash")
    allowed = ("get_session_auth_hash", "_legacy_get_session_auth_hash", "_get_session_auth_hash",
               "get_session_auth_fallback_hash")
    if method not in allowed:
        raise OpError("method must be one of %s" % (allowed,))
    with overrides(params):
        user = User(password=password)
        fn = getattr(user, method, None)
        if fn is None:
            raise OpError("Django %s has no AbstractBaseUser.%s" % (django.get_version(), method))
        if method == "_get_session_auth_hash":
            return fn(secret=params.get("secret"))
        if method == "get_session_auth_fallback_hash":
            return list(fn())
        return fn()


# ------------------------------------------------------------------ caches

REDIS_COMPRESSORS = {
    "identity": "django_redis.compressors.identity.IdentityCompressor",
    "zlib": "django_redis.compressors.zlib.ZlibCompressor",
    "lzma": "django_redis.compressors.lzma.LzmaCompressor",
    "lz4": "django_redis.compressors.lz4.Lz4Compressor",
    "zstd": "django_redis.compressors.zstd.ZStdCompressor",
}
REDIS_SERIALIZERS = {
    "pickle": "django_redis.serializers.pickle.PickleSerializer",
    "json": "django_redis.serializers.json.JSONSerializer",
    "msgpack": "django_redis.serializers.msgpack.MSGPackSerializer",
}

_clients = {}


def install_pyzstd_standin():
    """django-redis's ZStdCompressor imports pyzstd, which Debian does not
    package. When it is missing and python3-zstandard (the same libzstd) is
    installed, register a stand-in "pyzstd" module built on it: compress()
    at level 3 with the content size in the frame header, as pyzstd.compress
    writes by default; decompress() reading across frames. ZstdError is the
    stand-in's own class (django-redis catches pyzstd.ZstdError)."""
    try:
        import pyzstd  # noqa: F401
        return
    except ImportError:
        pass
    try:
        import zstandard
    except ImportError:
        return
    import io
    import types
    m = types.ModuleType("pyzstd")

    class ZstdError(Exception):
        pass

    def compress(data):
        return zstandard.ZstdCompressor(level=3, write_content_size=True).compress(data)

    def decompress(data):
        try:
            return zstandard.ZstdDecompressor().stream_reader(io.BytesIO(data), read_across_frames=True).read()
        except zstandard.ZstdError as e:
            raise ZstdError(str(e))

    m.ZstdError, m.compress, m.decompress = ZstdError, compress, decompress
    sys.modules["pyzstd"] = m


def unavailable_cache_parts():
    """Which django-redis serializers/compressors cannot be imported here."""
    install_pyzstd_standin()
    out = []
    try:
        import django_redis  # noqa: F401
    except Exception:
        return ["django_redis"]
    from django.utils.module_loading import import_string
    for name, path in list(REDIS_SERIALIZERS.items()) + list(REDIS_COMPRESSORS.items()):
        try:
            cls = import_string(path)
            if name == "msgpack":
                import msgpack  # noqa: F401
            elif name == "lz4":
                import lz4  # noqa: F401
            elif name == "zstd":
                import pyzstd  # noqa: F401
            del cls
        except Exception:
            out.append(name)
    if VERSION < (4, 0):
        out.append("django_redis_cache")  # Django's own RedisCache (4.0+)
    return out


def _redis_client(params):
    """A django-redis DefaultClient configured by params (never connects)."""
    ser = params.get("serializer", "pickle")
    comp = params.get("compressor", "identity")
    if ser not in REDIS_SERIALIZERS or comp not in REDIS_COMPRESSORS:
        raise OpError("unknown django-redis serializer/compressor %r/%r" % (ser, comp))
    pv = params.get("pickle_version")
    k = (ser, comp, pv)
    if k not in _clients:
        from django_redis.cache import RedisCache
        opts = {"SERIALIZER": REDIS_SERIALIZERS[ser], "COMPRESSOR": REDIS_COMPRESSORS[comp]}
        if pv is not None:
            opts["PICKLE_VERSION"] = pv
        # Port 9 (discard): nothing is ever sent; encode/decode need no server.
        _clients[k] = RedisCache("redis://127.0.0.1:9/0", {"OPTIONS": opts}).client
    return _clients[k]


def cache_encode(value, params):
    """The value a cache backend sends to Redis: bytes, or an int sent raw.
    params.backend: "django_redis" (default) or "django" (RedisSerializer)."""
    backend = params.get("backend", "django_redis")
    if backend == "django":
        if VERSION < (4, 0):
            raise OpError("Django %s has no RedisCache" % django.get_version())
        from django.core.cache.backends.redis import RedisSerializer
        return RedisSerializer(**({"protocol": params["pickle_version"]} if "pickle_version" in params else {})).dumps(value)
    if backend != "django_redis":
        raise OpError("backend must be django_redis or django")
    return _redis_client(params).encode(value)


def cache_decode(data, params, safe_pickle=False):
    backend = params.get("backend", "django_redis")
    if backend == "django":
        if VERSION < (4, 0):
            raise OpError("Django %s has no RedisCache" % django.get_version())
        from django.core.cache.backends.redis import RedisSerializer
        ser = RedisSerializer()
        if safe_pickle:
            try:
                return int(data)
            except ValueError:
                return safe_loads(data)
        return ser.loads(data)
    if backend != "django_redis":
        raise OpError("backend must be django_redis or django")
    client = _redis_client(params)
    if safe_pickle and params.get("serializer", "pickle") == "pickle":
        with mock.patch.object(client._serializer, "loads", safe_loads):
            return client.decode(data)
    return client.decode(data)


def wire_bytes(out):
    """What redis-py writes for an encoded cache value (ints as decimal)."""
    if isinstance(out, (bytes, bytearray)):
        return bytes(out)
    if type(out) is int:
        return repr(out).encode()
    raise OpError("unexpected cache value type %s" % type(out).__name__)


def b64(b):
    return base64.b64encode(b).decode("ascii")


# ------------------------------------------------------------------ JSON


def json_dumps(value):
    """Django's signing JSONSerializer output (ASCII bytes) as str."""
    return signing.JSONSerializer().dumps(value).decode("latin-1")


def json_loads(data):
    """Django's signing JSONSerializer on bytes (latin-1 decoding)."""
    return signing.JSONSerializer().loads(data)


def now():
    return time.time()


# ------------------------------------------------------------------ stores
# SessionStore of settings.SESSION_ENGINE, used as Django's views and
# middleware use it.


def engine_store(key=None):
    from importlib import import_module
    return import_module(settings.SESSION_ENGINE).SessionStore(key)


def store_create(value, params):
    s = engine_store()
    s.update(value)
    if "set_expiry" in params:
        s.set_expiry(params["set_expiry"])
    s.save()
    return s.session_key


def store_load(key, params):
    s = engine_store(key)
    data = s.load()
    # A failed load drops the key, or (signed_cookies, corrupt files)
    # calls create(), which marks the session modified.
    found = s.session_key == key and not s.modified
    return {"found": found, "data": dict(data) if found else {},
            "expiry_age": s.get_expiry_age(expiry=data.get("_session_expiry")) if found else None,
            "expiry_date": s.get_expiry_date(expiry=data.get("_session_expiry")) if found else None}


def store_save(key, value, params, replace):
    s = engine_store(key)
    s.load()
    if replace:
        s._session_cache = dict(value)
    else:
        s.update(value)
    if "set_expiry" in params:
        s.set_expiry(params["set_expiry"])
    s.modified = True
    s.save()
    return s.session_key


def store_delete(key, params):
    engine_store(key).delete(key)
    return None


def store_exists(key, params):
    return engine_store().exists(key)


def store_clear_expired(params):
    from importlib import import_module
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
    return None


def store_cycle_key(key, params):
    s = engine_store(key)
    s.load()
    s.cycle_key()
    s.save()
    return s.session_key


def store_expire_date(key, params):
    s = engine_store(key)
    if not hasattr(s, "get_model_class"):
        raise OpError("store_expire_date needs a db or cached_db SESSION_ENGINE")
    row = s.model.objects.filter(session_key=key).first()
    return None if row is None else row.expire_date


def store_loop(inp, out):
    """One side of the Go/Django concurrency tests: a Django process that
    saves, or loads, one session key in a loop while Go does the same.
    Not an oracle op (the oracle answers one request at a time); the tests
    run it as its own process:

      in   {"settings": {...}, "serializer": "json", "key": KEY,
            "mode": "write", "values": [TAGGED dict, ...]}   (one line)
           or the same with "mode": "read" and no values
      out  "ready" (settings done, one store_load made: imports and the
           database connection are warm)
      in   "go"
      out  write: {"key": what store_save returned} per value, in order
                  ({"error": ..., "message": ...} when Django raised)
           read:  per store_load, until inp is readable again (a line or
                  EOF): {"found", "keys" (sorted), "w", "i", "pad_len",
                  "pad_sha256"} of the loaded dict ("pad" is hashed, not
                  echoed)
      out  "done"
    """
    import hashlib
    import json
    import select
    import tagged
    conf = json.loads(inp.readline())
    setup(serializer=conf.get("serializer", "json"), extra=conf["settings"])
    key = conf["key"]
    store_load(key, {})

    def emit(obj):
        out.write(json.dumps(obj, ensure_ascii=True, separators=(",", ":")) + "\n")

    out.write("ready\n")
    out.flush()
    inp.readline()
    if conf["mode"] == "write":
        for v in conf["values"]:
            try:
                emit({"key": store_save(key, tagged.decode(v), {}, replace=True)})
            except Exception as e:
                emit({"error": error_name(e), "message": str(e)[:500]})
    else:
        fd = inp.fileno()
        while not select.select([fd], [], [], 0)[0]:
            r = store_load(key, {})
            data = r["data"]
            pad = data.get("pad")
            pad = pad.encode("utf-8", "surrogatepass") if isinstance(pad, str) else b""
            emit({"found": r["found"], "keys": sorted(data), "w": data.get("w"), "i": data.get("i"),
                  "pad_len": len(pad), "pad_sha256": hashlib.sha256(pad).hexdigest()})
    out.write("done\n")
    out.flush()


def bulk_lines(inp, out):
    """Sessions in bulk, for the large tests (the transfer package's
    100,000-session chain): one Django process taking one JSON line per
    session and answering one line each, in order, without holding the
    sessions. Not an oracle op; the tests run it as its own process:

      in   {"settings": {...}, "secret_key": S, "fallback_keys": [...]
            (default none), "serializer": "json"|"pickle",
            "hashing_algorithm": A (3.2; optional)}           (one line)
      in   per session, any of these fields (done in this order):
             "create": TAGGED dict, "set_expiry": TAGGED
                 store_create: the answer's "key"
             "load": KEY, "drop": [name, ...]
                 store_load, then the names removed from the data:
                 the answer's "found" and "data" (TAGGED)
             "json": TAGGED
                 the value through Django's signing JSONSerializer,
                 dumps then loads: the answer's "json" (TAGGED)
      out  one compact JSON object per session line, in order
           ({"error": ..., "message": ...} when Django raised)

    Answers are block-buffered (flushed at the end of the input): the
    caller writes and reads from different threads.
    """
    import json
    import tagged
    conf = json.loads(inp.readline())
    setup(secret_key=conf["secret_key"], fallback_keys=conf.get("fallback_keys", []),
          serializer=conf.get("serializer", "json"), hashing_algorithm=conf.get("hashing_algorithm"),
          extra=conf.get("settings"))
    enc = json.JSONEncoder(ensure_ascii=True, separators=(",", ":")).encode
    for line in inp:
        if not line.strip():
            continue
        req = json.loads(line)
        ans = {}
        try:
            if "create" in req:
                p = {"set_expiry": tagged.decode(req["set_expiry"])} if "set_expiry" in req else {}
                ans["key"] = store_create(tagged.decode(req["create"]), p)
            if "load" in req:
                r = store_load(req["load"], {})
                data = r["data"]
                for name in req.get("drop", ()):
                    data.pop(name, None)
                ans["found"] = r["found"]
                ans["data"] = tagged.encode(data)
            if "json" in req:
                ans["json"] = tagged.encode(json_loads(json_dumps(tagged.decode(req["json"])).encode("latin-1")))
        except Exception as e:
            ans = {"error": error_name(e), "message": str(e)[:500]}
        out.write(enc(ans) + "\n")
    out.flush()


def call_command(args):
    import io
    from django.core.management import call_command as cc
    out = io.StringIO()
    cc(*args, stdout=out)
    return out.getvalue()


# ------------------------------------------------------------------ auth
# django.contrib.auth on a request whose session is SESSION_ENGINE's
# SessionStore; the user model's table must exist (call_command migrate).


def _auth_request(key):
    from django.test import RequestFactory
    req = RequestFactory().get("/")
    req.session = engine_store(key)
    return req


def auth_create_user(username, params):
    from django.contrib.auth.models import User
    u = User.objects.create_user(username, password=params.get("password", "pw"))
    return str(u.pk)


def auth_set_password(user_id, params):
    from django.contrib.auth.models import User
    u = User.objects.get(pk=user_id)
    u.set_password(params["password"])
    u.save()
    return u.password


def auth_user_password(user_id, params):
    from django.contrib.auth.models import User
    return User.objects.get(pk=user_id).password


def auth_login(key, params):
    """auth.login(request, user) on the session stored under key ("" for a
    new one), then save(); the session key after."""
    from django.contrib.auth import login
    from django.contrib.auth.models import User
    req = _auth_request(key or None)
    login(req, User.objects.get(pk=params["user_id"]))
    req.session.save()
    return req.session.session_key


def auth_get_user(key, params):
    """auth.get_user(request) on the session stored under key, saving the
    session if get_user changed it: {"user": pk or None, "key": key after,
    "data": the session after}."""
    from django.contrib.auth import get_user
    req = _auth_request(key)
    user = get_user(req)
    if req.session.modified and not req.session.is_empty():
        req.session.save()
    return {"user": None if user.is_anonymous else str(user.pk), "key": req.session.session_key,
            "data": dict(req.session.items())}


def auth_logout(key, params):
    from django.contrib.auth import logout
    req = _auth_request(key)
    from django.contrib.auth import get_user
    req.user = get_user(req)
    logout(req)
    return req.session.session_key


# ------------------------------------------------------------------ middleware


def middleware_response(cookie, params):
    """Django's SessionMiddleware around a view, on a request carrying the
    session cookie (none when cookie is ""): {"set_cookie": the Set-Cookie
    value or None, "vary": the Vary header or None, "status": int}.
    params: action ("none", "read", "set", "flush", "browser_close",
    "expiry_seconds"), status (the view's), now (time.time() patched),
    settings (SESSION_COOKIE_* and others, overridden for the request)."""
    from django.contrib.sessions.middleware import SessionMiddleware
    from django.http import HttpResponse
    from django.test import RequestFactory
    from django.test.utils import override_settings

    action = params.get("action", "none")
    status = params.get("status", 200)

    def view(request):
        s = request.session
        if action == "read":
            s.get("x")
        elif action == "set":
            s["x"] = 1
        elif action == "flush":
            s.flush()
        elif action == "browser_close":
            s["x"] = 1
            s.set_expiry(0)
        elif action == "expiry_seconds":
            s["x"] = 1
            s.set_expiry(300)
        return HttpResponse("ok", status=status)

    with override_settings(**params.get("settings", {})), clock(params.get("now")):
        rf = RequestFactory()
        name = settings.SESSION_COOKIE_NAME
        req = rf.get("/", HTTP_COOKIE="%s=%s" % (name, cookie)) if cookie else rf.get("/")
        try:
            mw = SessionMiddleware(view)
        except TypeError:  # Django < 3.0 had no get_response argument
            mw = SessionMiddleware()
        resp = mw(req)
        morsel = resp.cookies.get(name)
        return {"set_cookie": morsel.OutputString() if morsel is not None else None,
                "vary": resp.get("Vary"), "status": resp.status_code}
