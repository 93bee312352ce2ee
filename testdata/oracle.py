#!/usr/bin/python3
"""oracle.py: real Django answering JSON-lines requests, for the Go tests.

Run one process per test (or per Django version) and stream requests:

    /usr/bin/python3 testdata/oracle.py [OPTIONS]                     # Django 3.2 (system)
    PYTHONPATH=.cache/django/4.2.28 /usr/bin/python3 testdata/oracle.py # Django 4.2

PROTOCOL. stdin carries one JSON object per line; stdout gets exactly one
JSON line per request, in order, flushed after each line (so a client may
write a request and wait for its answer). Blank lines are ignored. The
process exits when stdin closes. Output is ASCII (ensure_ascii).

  request   {"op": OP, "id": any (optional, echoed), "data": str,
             "data_b64": str (std base64, for byte inputs), "value": TAGGED,
             "params": {...}}
  answer    {"id": ..., "ok": true, "value": TAGGED}
            {"id": ..., "ok": false, "error": "ClassName", "message": "..."}

TAGGED is the tagged JSON of testdata/tagged.py (== serializer/tagged.go).
A str result is therefore a JSON string, bytes are {"$type":"bytes",...}.
"error" is the class name of what Django raised (BadSignature,
SignatureExpired, ValueError, IndexError, JSONDecodeError, RecursionError,
binascii.Error, zlib.error, UnpicklingError, TypeError, InvalidAlgorithm,
...); "OracleError" means the request itself is wrong (unknown op, missing
field, feature absent from this Django), "TaggedError" a bad TAGGED input.

SETTINGS are configured once, before the first operation, from the command
line or from a first request {"op":"configure", ...} (same names):

  --secret-key=S          secret_key        SECRET_KEY (test-secret-key-0123456789)
  --fallback-key=S ...    fallback_keys     SECRET_KEY_FALLBACKS (4.1+; default
                                            ["old-secret-key"]; [] / --no-fallbacks)
  --serializer=json|pickle serializer       SESSION_SERIALIZER (json)
  --hashing-algorithm=A   hashing_algorithm DEFAULT_HASHING_ALGORITHM (3.2 only)
  --no-use-tz             use_tz            USE_TZ (true)
  --settings=JSON         django_settings   further Django settings by name, e.g.
                                            {"SESSION_ENGINE": "...cache", "CACHES": {...}}
  --unsafe-pickle         unsafe_pickle     use pickle.loads itself; by default
                                            unpickling is restricted to the
                                            classes a session can hold (datetime,
                                            Decimal, UUID, OrderedDict, pytz,
                                            zoneinfo, ...), anything else fails
                                            with UnpicklingError
A later "configure" is an OracleError. {"op":"version"} answers
{"django":"4.2.28","python":"3.11.2","settings":{...}}.

OPS (input field -> result). params names are those of the vector files
(README.md); absent params are not passed to Django (its defaults apply),
and time.time() is patched only when "timestamp" (signing) / "now"
(verifying) is given.

  b62_encode        value (int)            -> str
  b62_decode        data                   -> int
  salted_hmac       data (value)           -> hex str; params key_salt, secret, algorithm
  sign              data                   -> str; key, sep, salt, algorithm
  timestamp_sign    data                   -> str; + timestamp
  unsign            data                   -> str; key, sep, salt, algorithm, fallback_keys
  timestamp_unsign  data                   -> str; + max_age, now
  dumps             value                  -> str; key, salt, compress, timestamp
  loads             data                   -> value; key, salt, max_age, now, fallback_keys
  sign_object       value                  -> str; signer ("Signer"|"TimestampSigner"),
                                              key, sep, salt, algorithm, compress,
                                              timestamp, serializer, pickle_protocol
  unsign_object     data                   -> value; same + max_age, now
  session_encode    value (dict)           -> str; session_class ("SessionStore",
                                              "MyStore", "Outer.Store"), serializer,
                                              hashing_algorithm (3.2), timestamp,
                                              set_expiry (TAGGED)
  session_decode    data                   -> value: signing.loads exactly as
                                              SessionBase.decode calls it (errors raised)
  session_decode_django data               -> value: SessionStore().decode(data)
                                              ({} on failure in 4.x; 3.2 may raise)
  auth_hash         data (password field)  -> hex str (list for
                                              get_session_auth_fallback_hash); method,
                                              secret, hashing_algorithm
  json_dumps        value                  -> str: signing.JSONSerializer().dumps()
  json_loads        data_b64 | data        -> value: JSONSerializer().loads(); data is
                                              encoded as latin-1 first
  pickle_dumps      value                  -> bytes; params protocol (default HIGHEST)
  pickle_loads      data_b64               -> value
  cache_encode      value                  -> bytes as sent to Redis (an int sent raw
                                              becomes its decimal ASCII); backend
                                              ("django_redis"|"django"), serializer
                                              ("pickle"|"json"|"msgpack"), compressor
                                              ("identity"|"zlib"|"lzma"|"lz4"|"zstd"),
                                              pickle_version
  cache_decode      data_b64               -> value (same params)
  store_create      value (dict)           -> key: SessionStore() of SESSION_ENGINE,
                                              update(value), set_expiry(params.set_expiry)
                                              if given, save() (the cookie for signed_cookies)
  store_load        data (key)             -> {"found": bool, "data": dict, "expiry_age": int,
                                              "expiry_date": datetime}; found is false when
                                              Django dropped the key (missing, expired, bad)
  store_save        data (key), value      -> key: load, replace the data with value,
                                              set_expiry if given, save() (UpdateError if gone)
  store_update      data (key), value      -> key: load, update(value), set_expiry, save()
  store_delete      data (key)             -> None: SessionStore().delete(key)
  store_exists      data (key)             -> bool
  store_clear_expired                      -> None: SessionStore.clear_expired()
  store_cycle_key   data (key)             -> the new key after cycle_key() and save()
  store_expire_date data (key)             -> the db row's expire_date as Django reads it
                                              (None when no row), db/cached_db engines only
  auth_create_user  data (username)        -> str pk; params.password
  auth_set_password data (user pk)         -> the new password field; params.password
  auth_user_password data (user pk)        -> the password field
  auth_login        data (key or "")       -> the session key after auth.login + save;
                                              params.user_id
  auth_get_user     data (key)             -> {"user": pk or None, "key": key after,
                                              "data": the session after}
  auth_logout       data (key)             -> the session key after auth.logout
  middleware_response data (cookie or "") -> {"set_cookie", "vary", "status"}: Django's
                                              SessionMiddleware around a view doing
                                              params.action; params status, now, settings
  call_command      value (list of str)    -> str: django.core.management.call_command's
                                              captured stdout (migrate, sqlmigrate, ...)
  version, ping

Thousands of requests per second are fine: Django is set up once and each
request is a few function calls.
"""

import base64
import json
import os
import pickle
import platform
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import djangoops as d  # noqa: E402
import tagged  # noqa: E402


class Request(Exception):
    """A malformed request (answered with error "OracleError")."""


def _data(req):
    if "data" not in req or type(req["data"]) is not str:
        raise Request('"data" (a string) is required')
    return req["data"]


def _bytes(req):
    if "data_b64" in req:
        try:
            return base64.b64decode(req["data_b64"], validate=True)
        except Exception as e:
            raise Request('"data_b64": %s' % e) from None
    if "data" in req and type(req["data"]) is str:
        try:
            return req["data"].encode("latin-1")
        except UnicodeEncodeError:
            raise Request('"data" must be latin-1 text; use "data_b64" for bytes') from None
    raise Request('"data_b64" (or "data") is required')


def _value(req):
    if "value" not in req:
        raise Request('"value" (tagged JSON) is required')
    return tagged.decode(req["value"])


def _params(req):
    p = req.get("params", {})
    if type(p) is not dict:
        raise Request('"params" must be an object')
    p = dict(p)
    if "set_expiry" in p:
        p["set_expiry"] = tagged.decode(p["set_expiry"])
    return p


class Oracle:
    def __init__(self, conf):
        self.conf = conf
        self.ready = False
        self.safe = not conf.get("unsafe_pickle", False)

    def setup(self):
        c = self.conf
        d.setup(secret_key=c.get("secret_key", d.SECRET_KEY), fallback_keys=c.get("fallback_keys"),
                serializer=c.get("serializer", "json"), hashing_algorithm=c.get("hashing_algorithm"),
                use_tz=c.get("use_tz", True), extra=c.get("django_settings"))
        if self.safe:
            d._ProtoPickle.loads = lambda self, data: d.safe_loads(data)
        self.ready = True

    def handle(self, req):
        op = req.get("op")
        if op == "configure":
            if self.ready:
                raise Request("already configured (configure must be the first request)")
            self.conf.update({k: v for k, v in req.items() if k not in ("op", "id")})
            self.safe = not self.conf.get("unsafe_pickle", False)
            self.setup()
            return self.settings()
        if not self.ready:
            self.setup()
        fn = getattr(self, "op_" + str(op), None)
        if fn is None:
            raise Request("unknown op %r" % (op,))
        return fn(req, _params(req))

    def settings(self):
        s = d.settings
        out = {"secret_key": s.SECRET_KEY, "session_serializer": s.SESSION_SERIALIZER, "use_tz": s.USE_TZ,
               "safe_pickle": self.safe}
        if d.has_fallbacks():
            out["fallback_keys"] = list(s.SECRET_KEY_FALLBACKS)
        if d.has_hashing_setting():
            out["hashing_algorithm"] = s.DEFAULT_HASHING_ALGORITHM
        return out

    # -- ops; each returns a Python value, encoded as TAGGED by the caller

    def op_ping(self, req, p):
        return "pong"

    def op_version(self, req, p):
        return {"django": d.django.get_version(), "python": platform.python_version(), "settings": self.settings(),
                "unavailable": d.unavailable_cache_parts()}

    def op_b62_encode(self, req, p):
        v = _value(req)
        if type(v) is not int:
            raise Request('"value" must be an int')
        return d.b62_encode(v)

    def op_b62_decode(self, req, p):
        return d.b62_decode(_data(req))

    def op_salted_hmac(self, req, p):
        if "key_salt" not in p:
            raise Request("params.key_salt is required")
        return d.salted_hmac(_data(req), p)

    def op_sign(self, req, p):
        return d.sign(_data(req), p)

    def op_timestamp_sign(self, req, p):
        return d.timestamp_sign(_data(req), p)

    def op_unsign(self, req, p):
        return d.unsign(_data(req), p)

    def op_timestamp_unsign(self, req, p):
        return d.timestamp_unsign(_data(req), p)

    def op_dumps(self, req, p):
        return d.dumps(_value(req), p)

    def op_loads(self, req, p):
        return d.loads(_data(req), p)

    def op_sign_object(self, req, p):
        return d.sign_object(_value(req), p)

    def op_unsign_object(self, req, p):
        return d.unsign_object(_data(req), p)

    def op_session_encode(self, req, p):
        return d.session_encode(_value(req), p)

    def op_session_decode(self, req, p):
        return d.session_loads(_data(req), p, safe_pickle=self.safe)

    def op_session_decode_django(self, req, p):
        return d.session_decode(_data(req), p, safe_pickle=self.safe)

    def op_auth_hash(self, req, p):
        return d.auth_hash(_data(req), p)

    def op_json_dumps(self, req, p):
        return d.json_dumps(_value(req))

    def op_json_loads(self, req, p):
        return d.json_loads(_bytes(req))

    def op_pickle_dumps(self, req, p):
        return pickle.dumps(_value(req), p.get("protocol", pickle.HIGHEST_PROTOCOL))

    def op_pickle_loads(self, req, p):
        b = _bytes(req)
        return d.safe_loads(b) if self.safe else pickle.loads(b)

    def op_store_create(self, req, p):
        return d.store_create(_value(req), p)

    def op_store_load(self, req, p):
        return d.store_load(_data(req), p)

    def op_store_save(self, req, p):
        return d.store_save(_data(req), _value(req), p, replace=True)

    def op_store_update(self, req, p):
        return d.store_save(_data(req), _value(req), p, replace=False)

    def op_store_delete(self, req, p):
        return d.store_delete(_data(req), p)

    def op_store_exists(self, req, p):
        return d.store_exists(_data(req), p)

    def op_store_clear_expired(self, req, p):
        return d.store_clear_expired(p)

    def op_store_cycle_key(self, req, p):
        return d.store_cycle_key(_data(req), p)

    def op_store_expire_date(self, req, p):
        return d.store_expire_date(_data(req), p)

    def op_auth_create_user(self, req, p):
        return d.auth_create_user(_data(req), p)

    def op_auth_set_password(self, req, p):
        return d.auth_set_password(_data(req), p)

    def op_auth_user_password(self, req, p):
        return d.auth_user_password(_data(req), p)

    def op_auth_login(self, req, p):
        return d.auth_login(req.get("data", ""), p)

    def op_auth_get_user(self, req, p):
        return d.auth_get_user(_data(req), p)

    def op_auth_logout(self, req, p):
        return d.auth_logout(_data(req), p)

    def op_middleware_response(self, req, p):
        return d.middleware_response(req.get("data", ""), p)

    def op_call_command(self, req, p):
        v = _value(req)
        if type(v) is not list or not v or not all(type(a) is str for a in v):
            raise Request('"value" must be a non-empty list of str')
        return d.call_command(v)

    def op_cache_encode(self, req, p):
        return d.wire_bytes(d.cache_encode(_value(req), p))

    def op_cache_decode(self, req, p):
        return d.cache_decode(_bytes(req), p, safe_pickle=self.safe)


def answer(oracle, line):
    try:
        req = json.loads(line)
    except ValueError as e:
        return {"ok": False, "error": "OracleError", "message": "request is not JSON: %s" % e}
    out = {}
    if type(req) is not dict:
        return {"ok": False, "error": "OracleError", "message": "request must be a JSON object"}
    if "id" in req:
        out["id"] = req["id"]
    try:
        res = oracle.handle(req)
        out["ok"] = True
        out["value"] = tagged.encode(res)
    except (Request, d.OpError) as e:
        out.update(ok=False, error="OracleError", message=str(e))
    except tagged.TaggedError as e:
        out.update(ok=False, error="TaggedError", message=str(e))
    except RecursionError as e:
        out.update(ok=False, error="RecursionError", message=str(e))
    except Exception as e:  # what Django raised is the answer
        msg = str(e)
        out.update(ok=False, error=d.error_name(e), message=msg if len(msg) <= 500 else msg[:500] + "...")
    return out


def parse_args(argv):
    conf = {}
    for a in argv:
        name, _, val = a.partition("=")
        if name == "--secret-key":
            conf["secret_key"] = val
        elif name == "--fallback-key":
            conf.setdefault("fallback_keys", []).append(val)
        elif name == "--no-fallbacks":
            conf["fallback_keys"] = []
        elif name == "--serializer":
            conf["serializer"] = val
        elif name == "--hashing-algorithm":
            conf["hashing_algorithm"] = val
        elif name == "--no-use-tz":
            conf["use_tz"] = False
        elif name == "--settings":
            conf["django_settings"] = json.loads(val)
        elif name == "--unsafe-pickle":
            conf["unsafe_pickle"] = True
        elif name in ("-h", "--help"):
            print(__doc__)
            sys.exit(0)
        else:
            sys.exit("oracle.py: unknown argument %r (see --help)" % a)
    return conf


def main():
    oracle = Oracle(parse_args(sys.argv[1:]))
    out = sys.stdout
    for raw in sys.stdin.buffer:
        if not raw.strip():
            continue
        try:
            text = json.dumps(answer(oracle, raw), ensure_ascii=True, allow_nan=False, separators=(",", ":"))
        except Exception as e:  # e.g. a result tagged cannot encode
            text = json.dumps({"ok": False, "error": "OracleError", "message": "cannot encode the answer: %s" % e})
        out.write(text + "\n")
        out.flush()


if __name__ == "__main__":
    main()
