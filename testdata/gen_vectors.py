#!/usr/bin/python3
"""gen_vectors.py OUT.json: golden vectors made by the Django that `import django` finds.

    /usr/bin/python3 testdata/gen_vectors.py testdata/vectors/django-3.2.25.json
    PYTHONPATH=.cache/django/4.2.28 /usr/bin/python3 testdata/gen_vectors.py ...

Every "output", "value", "error" and "django_decode" in the file is what
Django returned or raised; the script only chooses inputs. Schema: README.md.
time.time() is patched (unittest.mock) to each case's params.timestamp /
params.now. The script re-executes itself with PYTHONHASHSEED=0 so that set
iteration order (and so pickles of sets of str) is the same on every run.
"""

import base64
import collections
import datetime
import decimal
import hashlib
import json
import os
import pickle
import platform
import sys
import uuid
import zlib

sys.dont_write_bytecode = True
if os.environ.get("PYTHONHASHSEED") != "0":
    os.environ["PYTHONHASHSEED"] = "0"
    os.execv(sys.executable, [sys.executable] + sys.argv)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import djangoops as d  # noqa: E402
import tagged  # noqa: E402

T = 1700000000  # TS "1r31eq"
SECRET = d.SECRET_KEY
OLD = d.FALLBACK_KEYS[0]
SESSION_SALT = "django.contrib.sessions.SessionStore"
MIB = 1 << 20

D = {
    "_auth_user_id": "1",
    "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
    "_auth_user_hash": "x" * 64,
}

# Legacy (pre-3.1) session strings, written by Django 3.2.25's
# SessionBase._legacy_encode (DEFAULT_HASHING_ALGORITHM="sha1"); the 3.2 run
# checks that 3.2 still writes exactly these.
LEGACY = [
    ("legacy/D", "SessionStore", "json", D,
     "MjlhZTRmOGEyMTA2YmZmNjhkZGM3MDBhZjZjODAxYzA4ODAyNWViNDp7Il9hdXRoX3VzZXJfaWQiOiIxIiwiX2F1dGhfdXNlcl9iYWNrZW5kIjoi"
     "ZGphbmdvLmNvbnRyaWIuYXV0aC5iYWNrZW5kcy5Nb2RlbEJhY2tlbmQiLCJfYXV0aF91c2VyX2hhc2giOiJ4eHh4eHh4eHh4eHh4eHh4eHh4eHh4"
     "eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4In0="),
    ("legacy/empty", "SessionStore", "json", {}, "NmE2YWY1OGM5YTQ1ZTMzNjYwZmU3ZGQyNDZjNGUxODY2N2E1ZjY2MDp7fQ=="),
    ("legacy/MyStore", "MyStore", "json", {"a": 1}, "YmY0NTJhM2FlYjAyZTYyZGFlMGUwNTRkYzMxNjAwMWY2MjEyYzZjZTp7ImEiOjF9"),
    ("legacy/Outer.Store", "Outer.Store", "json", {"a": 1},
     "MjdkMmI2M2JmYzc5YWFmMjJhZTY5N2Y1YzdkNGNiNjhlNmMwNDNmNTp7ImEiOjF9"),
    ("legacy/unicode", "SessionStore", "json", {"a": "\u00e9\U0001F600"},
     "NmY1Y2M1MmY1NTE3ZGYzNTRlYzZiMGI2OGVhY2Y3YzdjZDVhMDViYjp7ImEiOiJcdTAwZTlcdWQ4M2RcdWRlMDAifQ=="),
    ("legacy/pickle", "SessionStore", "pickle", {"_auth_user_id": "1"},
     "NWQ1MzA5NGM1MjhhOTQ3NWNjY2I1NTJjZWRmMGZkOTdkNTIyMWMxMTqABZUYAAAAAAAAAH2UjA1fYXV0aF91c2VyX2lklIwBMZRzLg=="),
]


def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode("ascii")


def b64std(b):
    return base64.b64encode(b).decode("ascii")


class Vectors:
    def __init__(self):
        self.cases = []
        self.seen = set()
        self.counts = collections.Counter()

    def run(self, op, name, params, inp, fn, kind="output", extra=None):
        """Record one case: fn() is the Django call. kind "output" puts the
        result in "output", "value" in "value". extra(result, exc) adds fields."""
        key = (op, name)
        if key in self.seen:
            raise SystemExit("duplicate case %s %s" % key)
        self.seen.add(key)
        c = {"name": name, "op": op, "params": tagged.encode(dict(params)), "input": tagged.encode(inp),
             "output": None, "error": None}
        res = exc = None
        try:
            res = fn()
        except d.OpError:
            raise
        except RecursionError as e:
            exc = e
        except Exception as e:  # what Django raised is the expected result
            exc = e
        if exc is not None:
            c["error"] = d.error_name(exc)
            msg = str(exc)
            c["message"] = msg if len(msg) <= 200 else msg[:200] + "..."
        elif kind == "output":
            c["output"] = tagged.encode(res)
        else:
            c["value"] = tagged.encode(res)
        if extra is not None:
            c.update(extra(res, exc))
        self.cases.append(c)
        self.counts[op] += 1
        return res, exc


V = Vectors()


def fallbacks():
    return d.has_fallbacks()


def legacy32():
    return d.has_hashing_setting()


def store_params(cls="SessionStore", ser="json", alg=None, **kw):
    p = {"session_class": cls, "serializer": ser}
    if alg is not None:
        p["hashing_algorithm"] = alg
    p.update(kw)
    return p


def key_salt_of(cls):
    return "django.contrib.sessions." + cls


# ------------------------------------------------------------------ base62

def gen_b62():
    ints = [0, 1, -1, 9, 10, 35, 36, 61, 62, 63, -61, -62, 3843, 3844, 238327, 238328, T, -T, 2 ** 31 - 1, 2 ** 31,
            2 ** 32, 4102444800, 2 ** 62, -(2 ** 62), 2 ** 63 - 1, -(2 ** 63), 2 ** 63, 2 ** 64, 10 ** 30, -(10 ** 30)]
    for n in ints:
        V.run("b62_encode", str(n), {}, n, lambda n=n: d.b62_encode(n))
    strs = ["0", "1", "9", "A", "Z", "a", "z", "10", "zz", "100", "-1", "-z", "1r31eq", "-1r31eq", "AzL8n0Y58m7",
            "AzL8n0Y58m8", "zzzzzzzzzzzzzzzzzzzz", "00", "000001", "-0", "-", "--1", "", "+1", " 1", "1 ", "!", "1.5",
            "\u00e9", "\uff11", "-\u00e9", "a-1", "_"]
    for s in strs:
        V.run("b62_decode", repr(s), {}, s, lambda s=s: d.b62_decode(s))


# ------------------------------------------------------------------ salted_hmac

def gen_salted_hmac():
    algs = sorted(set(hashlib.algorithms_available) | set(hashlib.algorithms_guaranteed))
    for a in algs + ["SHA256", "nope", ""]:
        p = {"key_salt": "salt", "secret": "secret", "algorithm": a}
        V.run("salted_hmac", "alg/" + (a or "empty"), p, "value", lambda p=p: d.salted_hmac("value", p))
    vals = [
        ("empty_all", "", "", ""),
        ("session_auth", "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash",
         "pbkdf2_sha256$1$salt$hash", SECRET),
        ("signer_salt", "django.core.signingsigner", "ImhlbGxvIg:1r31eq", SECRET),
        ("unicode", "s\u00e9l", "v\u00e4lue \U0001F600", "s\u00e9cret"),
        ("long_secret", "salt", "value", "k" * 200),
        ("long_value", "salt", "v" * 10000, SECRET),
        ("nul", "a\x00b", "\x00", "\x00"),
    ]
    for name, ks, val, sec in vals:
        for a in ("sha1", "sha256", "sha512"):
            p = {"key_salt": ks, "secret": sec, "algorithm": a}
            V.run("salted_hmac", "%s/%s" % (name, a), p, val, lambda p=p, val=val: d.salted_hmac(val, p))
    p = {"key_salt": "salt", "algorithm": "sha256"}  # secret absent: settings.SECRET_KEY
    V.run("salted_hmac", "default_secret/sha256", p, "value", lambda: d.salted_hmac("value", p))
    p = {"key_salt": "salt", "secret": "secret"}  # algorithm absent: salted_hmac's own default
    V.run("salted_hmac", "default_algorithm", p, "value", lambda: d.salted_hmac("value", p))


# ------------------------------------------------------------------ Signer

BASE = {"key": "k", "salt": "s"}


def signer_variants():
    out = [("base", dict(BASE), "value")]
    for v in ["", "a:b", "a:b:c", "trailing:", ":leading", "\u00e9\U0001F600", "x" * 1000, "with space\n", "\x00",
              "1r31eq"]:
        out.append(("value=" + repr(v)[:40], dict(BASE), v))
    for k in ["", "old-secret-key", SECRET, "k\u00e9y", "K" * 200]:
        out.append(("key=" + repr(k)[:30], dict(BASE, key=k), "value"))
    out.append(("key=absent", {"salt": "s"}, "value"))
    for s in ["", "\u00e9", SESSION_SALT, "django.core.signing", "x" * 300]:
        out.append(("salt=" + repr(s)[:40], dict(BASE, salt=s), "value"))
    out.append(("salt=absent", {"key": "k"}, "value"))
    out.append(("key+salt=absent", {}, "value"))
    for a in ["sha1", "sha256", "sha512", "md5", "sha3_256", "blake2b", "sha224", "nope"]:
        out.append(("algorithm=" + a, dict(BASE, algorithm=a), "value"))
    for sep in ["/", "~", "::", "\u00e9", ".", "|", " ", ":-", "!", "\x00"]:
        out.append(("sep=" + repr(sep), dict(BASE, sep=sep), "val:ue"))
    return out


def gen_sign():
    for name, p, v in signer_variants():
        V.run("sign", name, p, v, lambda p=p, v=v: d.sign(v, p))
    if legacy32():
        for alg in ("sha1", "sha256"):
            p = dict(BASE, hashing_algorithm=alg)
            V.run("sign", "setting_hashing_algorithm=" + alg, p, "value", lambda p=p: d.sign("value", p))


def gen_timestamp_sign():
    for ts in [T, 0, 1, 61, 62, 2 ** 31 - 1, 2 ** 31, 4102444800, 10 ** 12, -1, -62, T + 0.999999, 1.5]:
        p = dict(BASE, timestamp=ts)
        V.run("timestamp_sign", "ts=%r" % ts, p, "value", lambda p=p: d.timestamp_sign("value", p))
    for name, p, v in signer_variants():
        if name == "base":
            continue
        p = dict(p, timestamp=T)
        V.run("timestamp_sign", name, p, v, lambda p=p, v=v: d.timestamp_sign(v, p))
    if legacy32():
        for alg in ("sha1", "sha256"):
            p = dict(BASE, timestamp=T, hashing_algorithm=alg)
            V.run("timestamp_sign", "setting_hashing_algorithm=" + alg, p, "value",
                  lambda p=p: d.timestamp_sign("value", p))


def tampers(s, sep=":"):
    """(name, tampered string) pairs for a signed string."""
    value, sig = s.rsplit(sep, 1)
    flip = lambda c: "A" if c != "A" else "B"  # noqa: E731
    out = [
        ("sig_first_char", value + sep + flip(sig[0]) + sig[1:]),
        ("sig_last_char", value + sep + sig[:-1] + flip(sig[-1])),
        ("sig_truncated", value + sep + sig[:-1]),
        ("sig_extended", value + sep + sig + "A"),
        ("sig_padded", value + sep + sig + "="),
        ("sig_empty", value + sep),
        ("sig_upper", value + sep + sig.upper()),
        ("sig_only", sep + sig),
        ("value_changed", ("X" + value[1:] if value else "X") + sep + sig),
        ("value_appended", value + "x" + sep + sig),
        ("no_sep", value + sig),
        ("empty", ""),
        ("sep_only", sep),
        ("double_sep", value + sep + sep + sig),
        ("space_after", s + " "),
        ("newline_after", s + "\n"),
        ("non_ascii_sig", value + sep + sig[:-1] + "\u00e9"),
        ("std_b64_sig", value + sep + sig.replace("-", "+").replace("_", "/")),
    ]
    return out


def gen_unsign():
    good = {}
    for name, p, v in signer_variants():
        s, e = d_try(lambda p=p, v=v: d.sign(v, p))
        if e is None:
            good[name] = (p, s)
            V.run("unsign", "roundtrip/" + name, p, s, lambda p=p, s=s: d.unsign(s, p))
    p, s = good["base"]
    for tname, t in tampers(s):
        V.run("unsign", "tamper/" + tname, p, t, lambda t=t: d.unsign(t, p))
    V.run("unsign", "wrong_key", dict(p, key="other"), s, lambda: d.unsign(s, dict(p, key="other")))
    V.run("unsign", "wrong_salt", dict(p, salt="other"), s, lambda: d.unsign(s, dict(p, salt="other")))
    V.run("unsign", "wrong_sep", dict(p, sep="/"), s, lambda: d.unsign(s, dict(p, sep="/")))
    V.run("unsign", "wrong_algorithm_sha512", dict(p, algorithm="sha512"), s,
          lambda: d.unsign(s, dict(p, algorithm="sha512")))
    ps, s_sep = good["sep=':-'"]
    V.run("unsign", "sep_mismatch_colon", dict(BASE), s_sep, lambda: d.unsign(s_sep, dict(BASE)))
    # SHA-1 signatures: accepted by 3.2 whatever the algorithm, rejected by 4.0+.
    s1 = d.sign("value", dict(BASE, algorithm="sha1"))
    for alg in (None, "sha256", "sha512", "sha1"):
        q = dict(BASE) if alg is None else dict(BASE, algorithm=alg)
        V.run("unsign", "sha1_signed/verify_%s" % (alg or "default"), q, s1, lambda q=q: d.unsign(s1, q))
    s512 = d.sign("value", dict(BASE, algorithm="sha512"))
    V.run("unsign", "sha512_signed/verify_default", dict(BASE), s512, lambda: d.unsign(s512, dict(BASE)))
    # Fallback keys (4.1+ take them from SECRET_KEY_FALLBACKS for every Signer).
    so = d.sign("value", {"key": OLD, "salt": "s"})
    V.run("unsign", "fallback/old_key_signed/verify_default_key", {"salt": "s"}, so,
          lambda: d.unsign(so, {"salt": "s"}))
    V.run("unsign", "fallback/old_key_signed/verify_key_k", dict(BASE), so, lambda: d.unsign(so, dict(BASE)))
    if fallbacks():
        q = {"salt": "s", "fallback_keys": []}
        V.run("unsign", "fallback/old_key_signed/fallback_keys_empty", q, so, lambda: d.unsign(so, q))
        q = {"salt": "s", "key": "new", "fallback_keys": ["x", OLD]}
        V.run("unsign", "fallback/old_key_signed/explicit_fallbacks", q, so, lambda: d.unsign(so, q))
        q = {"salt": "s", "key": "new", "fallback_keys": [""]}
        sn = d.sign("value", {"salt": "s", "key": "new"})
        V.run("unsign", "fallback/empty_fallback_key_means_key", q, sn, lambda: d.unsign(sn, q))
        sd = d.sign("value", {"salt": "s"})
        V.run("unsign", "fallback/empty_fallback_key_not_secret", q, sd, lambda: d.unsign(sd, q))
    sdef = d.sign("value", {"salt": "s"})
    V.run("unsign", "empty_key_is_secret_key", {"salt": "s", "key": ""}, sdef,
          lambda: d.unsign(sdef, {"salt": "s", "key": ""}))
    sts = d.timestamp_sign("value", dict(BASE, timestamp=T))
    V.run("unsign", "timestamp_signed/plain_signer", dict(BASE), sts, lambda: d.unsign(sts, dict(BASE)))


def d_try(fn):
    try:
        return fn(), None
    except d.OpError:
        raise
    except Exception as e:
        return None, e


def gen_timestamp_unsign():
    p = dict(BASE)
    s = d.timestamp_sign("value", dict(BASE, timestamp=T))
    cases = [
        ("no_max_age", None, T),
        ("no_max_age_far_future", None, T + 10 ** 9),
        ("max_age_100/age_0", 100, T),
        ("max_age_100/age_99", 100, T + 99),
        ("max_age_100/age_100_boundary", 100, T + 100),
        ("max_age_100/age_100.5", 100, T + 100.5),
        ("max_age_100/age_100.000001", 100, T + 100.000001),
        ("max_age_100/age_101", 100, T + 101),
        ("max_age_0/age_0", 0, T),
        ("max_age_0/age_1", 0, T + 1),
        ("max_age_0/age_-1", 0, T - 1),
        ("max_age_-1/age_0", -1, T),
        ("max_age_1.5/age_1.5", 1.5, T + 1.5),
        ("max_age_1.5/age_1.6", 1.5, T + 1.6),
        ("max_age_10/future_token", 10, T - 1000),
        ("max_age_1209600/age_1209600", 1209600, T + 1209600),
        ("max_age_1209600/age_1209601", 1209600, T + 1209601),
    ]
    for name, ma, now in cases:
        q = dict(p, now=now)
        if ma is not None:
            q["max_age"] = ma
        V.run("timestamp_unsign", name, q, s, lambda q=q: d.timestamp_unsign(s, q))
    for tname, t in tampers(s):
        q = dict(p, now=T, max_age=100)
        V.run("timestamp_unsign", "tamper/" + tname, q, t, lambda q=q, t=t: d.timestamp_unsign(t, q))
    q = dict(p, key="other", now=T + 10 ** 6, max_age=1)
    V.run("timestamp_unsign", "wrong_key_and_expired", q, s, lambda: d.timestamp_unsign(s, q))
    # Signatures over odd timestamps (made by a plain Signer with the same salt).
    for name, val in [("ts_bad_char", "value:!!"), ("ts_empty", "value:"), ("ts_missing", "value"),
                      ("ts_negative", "value:-1"), ("ts_huge", "value:zzzzzzzzzzzzzzzzzzzz"),
                      ("ts_leading_zeros", "value:0001r31eq"), ("ts_minus_only", "value:-"),
                      ("value_with_seps", "a:b:c:1r31eq"), ("ts_non_ascii", "value:1r31e\u00e9")]:
        signed = d.sign(val, dict(BASE))
        for ma in (None, 100):
            q = dict(p, now=T)
            if ma is not None:
                q["max_age"] = ma
            V.run("timestamp_unsign", "%s/max_age_%s" % (name, ma), q, signed,
                  lambda q=q, signed=signed: d.timestamp_unsign(signed, q))
    so = d.timestamp_sign("value", {"key": OLD, "salt": "s", "timestamp": T})
    q = {"salt": "s", "now": T, "max_age": 10}
    V.run("timestamp_unsign", "fallback_old_key", q, so, lambda: d.timestamp_unsign(so, q))
    s1 = d.timestamp_sign("value", dict(BASE, algorithm="sha1", timestamp=T))
    q = dict(BASE, now=T)
    V.run("timestamp_unsign", "sha1_signed/verify_default", q, s1, lambda: d.timestamp_unsign(s1, q))
    sdefault = d.timestamp_sign("value", {"timestamp": T})
    q = {"now": T}
    V.run("timestamp_unsign", "default_key_salt", q, sdefault, lambda: d.timestamp_unsign(sdefault, q))
    q = {"salt": "django.core.signing.Signer", "now": T}
    V.run("timestamp_unsign", "default_salt_is_class_name", q, sdefault, lambda: d.timestamp_unsign(sdefault, q))


def gen_unsafe_sep():
    seps = ["", ":", "/", "-", "_", "=", "a", "Z", "0", "[", "\\", "]", "^", "`", "@", "{", "~", "::", "a:", ":a",
            "ab", "A-z", "-_=", "\u00e9", " ", ".", "|", "\n", "\x00", "a\n", "\u0100", "==", "$"]
    for sep in seps:
        p = {"key": "k", "sep": sep}
        V.run("unsafe_sep", repr(sep), p, "value", lambda p=p: d.sign("value", p))


# ------------------------------------------------------------------ dumps / loads

def json_values():
    big = {"k%03d" % i: "value-%d" % (i % 10) for i in range(200)}
    return [
        ("hello", "hello"), ("a1", {"a": 1}), ("D", D), ("int", 1), ("float", 1.5), ("none", None), ("true", True),
        ("empty_list", []), ("list", [1, "a", None]), ("empty_dict", {}), ("empty_str", ""),
        ("bigint", 2 ** 64), ("neg_bigint", -(10 ** 30)), ("nan", float("nan")), ("inf", float("inf")),
        ("neg_zero", -0.0), ("e16", 1e16), ("unicode", "\u00e9\U0001F600\u2028"), ("control", "\x00\x1f\x7f"),
        ("tuple", (1, 2)), ("large_compressible", big), ("long_str", "x" * 2000),
        ("lone_surrogate", "\ud800"), ("nested", {"a": [{"b": [1, {"c": None}]}]}),
    ]


def compressed_extra(res, exc):
    return {"compressed": None if res is None else res.startswith(".")}


def loads_back(params):
    """extra(): also record what loads gives back for the output."""
    def extra(res, exc):
        out = compressed_extra(res, exc)
        if res is not None:
            back, e = d_try(lambda: d.loads(res, {k: params[k] for k in ("key", "salt") if k in params}))
            out["value"] = tagged.encode(back) if e is None else None
            if e is not None:
                out["value_error"] = d.error_name(e)
        return out
    return extra


def gen_dumps():
    made = []
    for name, v in json_values():
        for comp in (False, True):
            p = {"compress": comp, "timestamp": T}
            res, e = V.run("dumps", "%s/compress=%s" % (name, comp), p, v, lambda p=p, v=v: d.dumps(v, p),
                           extra=loads_back(p))
            if e is None:
                made.append(("%s/compress=%s" % (name, comp), p, v, res))
    for name, p in [("key=k", {"key": "k"}), ("salt=s", {"salt": "s"}), ("key+salt", {"key": "k", "salt": "s"}),
                    ("key=old", {"key": OLD}), ("salt=empty", {"salt": ""}), ("key=empty", {"key": ""}),
                    ("salt=session", {"salt": SESSION_SALT}), ("ts=0", {"timestamp": 0}),
                    ("ts=-1", {"timestamp": -1}), ("ts=2**40", {"timestamp": 2 ** 40})]:
        p = dict({"compress": True, "timestamp": T}, **p)
        res, e = V.run("dumps", "D/" + name, p, D, lambda p=p: d.dumps(D, p), extra=loads_back(p))
        if e is None:
            made.append(("D/" + name, p, D, res))
    for name, v in [("datetime", datetime.datetime(2030, 1, 2)), ("decimal", decimal.Decimal("1.5")),
                    ("bytes", b"x"), ("set", {1}), ("tuple_key", {(1, 2): 1}), ("uuid", uuid.UUID(int=1))]:
        p = {"compress": False, "timestamp": T}
        V.run("dumps", "not_json/" + name, p, v, lambda p=p, v=v: d.dumps(v, p))
    p = {"compress": False, "timestamp": T}
    v = {1: "int", 2.5: "float", False: "bool", None: "none"}
    V.run("dumps", "non_str_keys", p, v, lambda: d.dumps(v, p), extra=loads_back(p))
    if legacy32():
        for alg in ("sha1", "sha256"):
            p = {"compress": True, "timestamp": T, "hashing_algorithm": alg}
            V.run("dumps", "D/setting_hashing_algorithm=" + alg, p, D, lambda p=p: d.dumps(D, p),
                  extra=loads_back(p))
    return made


def zbomb(ch, size):
    return zlib.compress(ch * size, 9)


def crafted_payloads(big):
    """(name, payload string) signed as-is by a TimestampSigner in the
    loads/session_decode cases. big: include the 64 MiB bomb."""
    j = lambda s: b64u(s.encode("latin-1") if isinstance(s, str) else s)  # noqa: E731
    z = lambda b, lvl=-1: "." + b64u(zlib.compress(b, lvl))  # noqa: E731
    dj = b'{"a":1}'
    out = [
        ("plain_json", j(dj)),
        ("compressed_json", z(dj)),
        ("compressed_level9", z(dj, 9)),
        ("compressed_level1", z(dj, 1)),
        ("compressed_level0", z(dj, 0)),
        ("compressed_bigger_than_raw", z(b"1")),
        ("dot_but_not_zlib", "." + j(dj)),
        ("zlib_without_dot", b64u(zlib.compress(dj))),
        ("dot_only", "."),
        ("dot_dot", ".." + b64u(zlib.compress(dj))),
        ("empty_payload", ""),
        ("zlib_trailing_garbage", "." + b64u(zlib.compress(dj) + b"garbage")),
        ("zlib_truncated", "." + b64u(zlib.compress(dj)[:-3])),
        ("zlib_bad_adler32", "." + b64u(zlib.compress(dj)[:-1] + bytes([zlib.compress(dj)[-1] ^ 1]))),
        ("raw_deflate", "." + b64u(zlib.compress(dj)[2:-4])),
        ("gzip", "." + b64u(__import__("gzip").compress(dj, mtime=0))),
        ("zlib_preset_dict_flag", "." + b64u(b"\x78\xbb" + zlib.compress(dj)[2:])),
        ("b64_len_mod4_1", "abcde"),
        ("b64_len_mod4_1_compressed", ".abcde"),
        ("b64_invalid_chars_2", j(dj)[:4] + "!*" + j(dj)[4:]),
        ("b64_invalid_chars_4", j(dj)[:4] + "!*$~" + j(dj)[4:]),
        ("b64_invalid_chars_4_compressed", "." + z(dj)[1:5] + "!*$~" + z(dj)[5:]),
        ("b64_std_alphabet", b64std(b'{"a":"\xfb\xff\xbf"}').rstrip("=")),
        ("b64_urlsafe_alphabet", b64u(b'{"a":"\xfb\xff\xbf"}')),
        ("b64_with_padding", b64std(dj)),
        ("b64_wrong_padding", j(dj) + "="),
        ("b64_non_ascii", j(dj) + "\u00e9"),
        ("b64_space_inside", j(dj)[:4] + " " + j(dj)[4:]),
        ("b64_4_spaces_inside", j(dj)[:4] + "    " + j(dj)[4:]),
        ("b64_non_ascii_4_bytes", j(dj)[:4] + "\u00e9\u00e9" + j(dj)[4:]),
        ("json_not_json", j(b"not json")),
        ("json_empty", j(b"")),
        ("json_list", j(b"[1,2]")),
        ("json_int", j(b"1")),
        ("json_null", j(b"null")),
        ("json_str", j(b'"str"')),
        ("json_whitespace", j(b' \n{"a" : 1}\t')),
        ("json_trailing_garbage", j(b'{"a":1}x')),
        ("json_two_values", j(b'{"a":1}{"b":2}')),
        ("json_raw_utf8_mangled", j('{"name":"\u00e9\U0001F600"}'.encode("utf-8"))),
        ("json_latin1_byte", j(b'{"name":"\xe9"}')),
        ("json_control_in_string", j(b'{"a":"\x01"}')),
        ("json_nan_inf", j(b'{"n":NaN,"i":Infinity,"m":-Infinity}')),
        ("json_1e400", j(b'{"f":1e400,"g":-1e400,"h":1e-400}')),
        ("json_neg_zero", j(b'{"i":-0,"f":-0.0,"e":0e0}')),
        ("json_big_int", j(b'{"n":123456789012345678901234567890}')),
        ("json_int_4300_digits", z(b'{"n":' + b"1" * 4300 + b"}")),
        ("json_int_4301_digits", z(b'{"n":' + b"1" * 4301 + b"}")),
        ("json_duplicate_keys", j(b'{"a":1,"b":2,"a":3}')),
        ("json_lone_surrogate", j(b'{"s":"\\ud800","p":"\\ud83d\\ude00","r":"\\udc00\\ud800"}')),
        ("json_escapes", j(b'{"s":"\\/\\b\\f\\n\\r\\t\\"\\\\\\u00e9"}')),
        ("json_bad_escape", j(b'{"s":"\\x"}')),
        ("json_single_quotes", j(b"{'a':1}")),
        ("json_trailing_comma", j(b'{"a":1,}')),
        ("json_leading_bom", j(b'\xef\xbb\xbf{"a":1}')),
        ("json_depth_100", z(b"[" * 100 + b"]" * 100)),
        ("json_depth_2000", z(b"[" * 2000 + b"]" * 2000)),
        ("json_depth_100000", z(b"[" * 100000 + b"]" * 100000)),
        ("json_dict_depth_100", z(b'{"a":' * 100 + b"1" + b"}" * 100)),
        ("json_dict_depth_2000", z(b'{"a":' * 2000 + b"1" + b"}" * 2000)),
        ("pickle_under_json", j(pickle.dumps({"a": 1}, 5))),
        ("bomb_16MiB_brackets", "." + b64u(zbomb(b"[", 16 * MIB))),
        ("bomb_16MiB_spaces", "." + b64u(zbomb(b" ", 16 * MIB))),
    ]
    if big:
        out.append(("bomb_64MiB_spaces", "." + b64u(zbomb(b" ", 64 * MIB))))
    return out


def gen_loads(made):
    for name, p, v, s in made:
        q = {k: p[k] for k in ("key", "salt", "hashing_algorithm") if k in p}
        V.run("loads", "roundtrip/" + name, q, s, lambda q=q, s=s: d.loads(s, q), kind="value")
    s = d.dumps(D, {"compress": True, "timestamp": T})
    for tname, t in tampers(s):
        V.run("loads", "tamper/" + tname, {}, t, lambda t=t: d.loads(t, {}), kind="value")
    for name, q in [("wrong_key", {"key": "other"}), ("wrong_salt", {"salt": "other"}),
                    ("max_age_ok", {"max_age": 100, "now": T + 100}),
                    ("max_age_expired", {"max_age": 100, "now": T + 100.5}),
                    ("max_age_0_now_equal", {"max_age": 0, "now": T}),
                    ("future_token", {"max_age": 1, "now": T - 3600})]:
        V.run("loads", name, q, s, lambda q=q: d.loads(s, q), kind="value")
    so = d.dumps("hello", {"key": OLD, "timestamp": T})
    V.run("loads", "fallback_old_key", {}, so, lambda: d.loads(so, {}), kind="value")
    if fallbacks():
        V.run("loads", "fallback_old_key/fallback_keys_empty", {"fallback_keys": []}, so,
              lambda: d.loads(so, {"fallback_keys": []}), kind="value")
    s1 = d.make_signer({"salt": "django.core.signing", "algorithm": "sha1"}, True)
    with d.clock(T):
        sha1 = s1.sign_object("hello")
    V.run("loads", "sha1_signed", {}, sha1, lambda: d.loads(sha1, {}), kind="value")
    doc13 = "ImhlbGxvIg:1r31eq:jV-4t3Ki6OMqCsONhLDLrlV6JEU"  # django-formats.md section 13
    assert doc13 == sha1, sha1
    for name, payload in crafted_payloads(big=False):
        signer = d.make_signer({"salt": "django.core.signing"}, True)
        with d.clock(T):
            signed = signer.sign(payload)
        V.run("loads", "crafted/" + name, {}, signed, lambda signed=signed: d.loads(signed, {}), kind="value")


def gen_sign_object():
    made = []
    for signer in ("Signer", "TimestampSigner"):
        for name, v in [("D", D), ("a1", {"a": 1}), ("hello", "hello"),
                        ("large_compressible", named(json_values(), "large_compressible")), ("nan", float("nan"))]:
            for comp in (False, True):
                p = dict(BASE, signer=signer, compress=comp)
                if signer == "TimestampSigner":
                    p["timestamp"] = T
                n = "%s/%s/compress=%s" % (signer, name, comp)
                res, e = V.run("sign_object", n, p, v, lambda p=p, v=v: d.sign_object(v, p), extra=compressed_extra)
                if e is None:
                    made.append((n, p, res))
        p = dict(BASE, signer=signer, sep="/", compress=True, timestamp=T)
        n = "%s/D/sep=/" % signer
        res, e = V.run("sign_object", n, p, D, lambda p=p: d.sign_object(D, p), extra=compressed_extra)
        made.append((n, p, res))
    p = dict(BASE, signer="Signer", compress=False)
    V.run("sign_object", "Signer/not_json", p, {"d": datetime.date(2030, 1, 2)},
          lambda: d.sign_object({"d": datetime.date(2030, 1, 2)}, p))
    # serializer "pickle" here is a test serializer (pickle.dumps with pickle_protocol), on every version
    for proto in range(0, pickle.HIGHEST_PROTOCOL + 1):
        p = dict(BASE, signer="Signer", serializer="pickle", pickle_protocol=proto, compress=False)
        n = "Signer/pickle_protocol_%d" % proto
        res, e = V.run("sign_object", n, p, D, lambda p=p: d.sign_object(D, p), extra=compressed_extra)
        made.append((n, p, res))
    return made


def gen_unsign_object(made):
    for n, p, s in made:
        q = {k: v for k, v in p.items() if k not in ("compress", "timestamp")}
        if q.get("signer") == "TimestampSigner":
            q["now"] = T
        V.run("unsign_object", "roundtrip/" + n, q, s, lambda q=q, s=s: d.unsign_object(s, q), kind="value")
    n, p, s = made[0]
    q = {k: v for k, v in p.items() if k not in ("compress", "timestamp")}
    for tname, t in tampers(s):
        V.run("unsign_object", "tamper/" + tname, q, t, lambda t=t: d.unsign_object(t, q), kind="value")
    for n, p, s in made:
        if n == "TimestampSigner/D/compress=True":
            for name, extra in [("max_age_ok", {"max_age": 5, "now": T + 5}),
                                ("max_age_expired", {"max_age": 5, "now": T + 6})]:
                q = {k: v for k, v in p.items() if k not in ("compress", "timestamp")}
                q.update(extra)
                V.run("unsign_object", "TimestampSigner/" + name, q, s, lambda q=q, s=s: d.unsign_object(s, q),
                      kind="value")
            q = dict(BASE, signer="Signer")
            V.run("unsign_object", "timestamped_read_by_Signer", q, s, lambda s=s: d.unsign_object(s, q),
                  kind="value")


# ------------------------------------------------------------------ sessions

def session_dicts():
    nan, inf = float("nan"), float("inf")
    return [
        ("empty", {}),
        ("D", D),
        ("D_reordered", {"_auth_user_hash": "x" * 64, "_auth_user_id": "1",
                         "_auth_user_backend": "django.contrib.auth.backends.ModelBackend"}),
        ("a1", {"a": 1}),
        ("order_ba", {"b": 1, "a": 2}),
        ("order_ab", {"a": 2, "b": 1}),
        ("auth_uuid_pk", {"_auth_user_id": "12345678-1234-5678-1234-567812345678",
                          "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
                          "_auth_user_hash": "5dc238bb0ed81c894116042dcf562ce7c749512def787f24e1b3e2259bf61e69"}),
        ("auth_int_id", {"_auth_user_id": 1}),
        ("unicode", {"name": "Zo\u00eb", "cjk": "\u65e5\u672c\u8a9e", "emoji": "\U0001F600", "rtl": "\u05e2\u05d1"}),
        ("unicode_keys", {"\u00e9": 1, "\U0001F600": 2, "\u65e5": 3}),
        ("control", {"c": "\x00\x01\x1f\x7f\x80\x9f\xa0", "ws": "\b\f\n\r\t", "quote": "\"\\/",
                     "html": "<>&'", "ls": "\u2028\u2029", "bom": "\ufeff", "max": "\U0010ffff"}),
        ("lone_surrogates", {"hi": "\ud800", "lo": "\udfff", "reversed": "\udc00\ud800"}),
        ("nested", {"a": {"b": {"c": [1, [2, [3, {}]]]}}, "l": [], "d": {}}),
        ("types", {"none": None, "t": True, "f": False, "i": 0, "neg": -1, "s": "", "l": [None, True, 1, 1.5, "x"]}),
        ("big_ints", {"i64max": 2 ** 63 - 1, "i64min": -(2 ** 63), "over": 2 ** 63, "under": -(2 ** 63) - 1,
                      "u64": 2 ** 64 - 1, "huge": 10 ** 40}),
        ("floats", {"one": 1.0, "neg0": -0.0, "e16": 1e16, "e15": 1e15, "small": 1e-7, "e-5": 1e-05,
                    "pi": 3.141592653589793, "max": 1.7976931348623157e308, "min": 5e-324, "tenth": 0.1,
                    "e22": 1e22, "big": 123456789012345678.0, "third": 1 / 3, "neg": -2.5}),
        ("nan_inf", {"nan": nan, "inf": inf, "ninf": -inf}),
        ("expiry_int", {"_session_expiry": 300}),
        ("expiry_zero", {"_session_expiry": 0}),
        ("expiry_none", {"_session_expiry": None}),
        ("expiry_iso", {"_session_expiry": "2030-01-02T03:04:05+00:00"}),
        ("expiry_iso_us", {"_session_expiry": "2030-01-02T03:04:05.123456+00:00"}),
        ("expiry_float", {"_session_expiry": 300.5}),
        ("messages", {"_messages": '[["__json_message",0,20,"Hello \\u00e9"]]'}),
        ("csrf_testcookie_language", {"_csrftoken": "a" * 32, "testcookie": "worked", "_language": "fr"}),
        ("non_str_keys", {1: "int", 2.5: "float", False: "bool", None: "none"}),
        ("dollar_type_key", {"$type": "x", "value": 1}),
        ("tuple_value", {"t": (1, 2), "nested": [(3,)]}),
        ("deep_nesting_100", {"d": nest(100)}),
        ("long_string", {"s": "x" * 5000}),
        ("non_ascii_large", {"s": "\u00e9" * 1000}),
        ("large_compressible", {"k%03d" % i: "value-%d" % (i % 10) for i in range(200)}),
        ("large_incompressible", {"h%02d" % i: b64u(hashlib.sha512(b"%d" % i).digest()) for i in range(40)}),
    ] + compress_boundary_dicts()


def named(pairs, name):
    return dict(pairs)[name]


def nest(n):
    v = []
    for _ in range(n - 1):
        v = [v]
    return v


def compress_boundary_dicts():
    """Dicts whose JSON compresses to len(data)-3 .. len(data) bytes: the
    rule is to compress only when len(compressed) < len(data) - 1."""
    want = {-3: None, -2: None, -1: None, 0: None}
    for i in range(20000):
        h = hashlib.sha256(b"%d" % i).hexdigest()
        s = h[: 8 + i % 40] + "a" * (i % 23)
        data = json.dumps({"s": s}, separators=(",", ":")).encode()
        delta = len(zlib.compress(data)) - len(data)
        if delta in want and want[delta] is None:
            want[delta] = {"s": s}
        if all(v is not None for v in want.values()):
            break
    return [("compress_delta_%d" % k, v) for k, v in sorted(want.items()) if v is not None]


def pickle_dicts():
    import pytz
    import zoneinfo
    utc = datetime.timezone.utc
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    ny = zoneinfo.ZoneInfo("America/New_York")
    shared = [1, 2]
    return [
        ("D", D),
        ("empty", {}),
        ("auth_id", {"_auth_user_id": "1"}),
        ("datetimes", {
            "aware_utc": datetime.datetime(2030, 1, 2, 3, 4, 5, 6, tzinfo=utc),
            "naive": datetime.datetime(2030, 1, 2, 3, 4, 5),
            "fixed": datetime.datetime(2030, 1, 2, 3, 4, 5, tzinfo=datetime.timezone(datetime.timedelta(hours=5,
                                                                                                         minutes=30))),
            "named": datetime.datetime(2030, 1, 2, tzinfo=datetime.timezone(datetime.timedelta(hours=-5), "EST")),
            "zoneinfo": datetime.datetime(2030, 7, 1, 12, tzinfo=paris),
            "fold1": datetime.datetime(2021, 11, 7, 1, 30, fold=1, tzinfo=ny),
            "pytz_utc": datetime.datetime(2030, 1, 2, 3, 4, 5, tzinfo=pytz.utc),
            "pytz_paris": pytz.timezone("Europe/Paris").localize(datetime.datetime(2030, 7, 1, 12)),
            "min": datetime.datetime.min,
            "max": datetime.datetime.max,
        }),
        ("dates_times", {
            "date": datetime.date(2030, 1, 2), "date_min": datetime.date.min,
            "time": datetime.time(3, 4, 5, 6), "time_utc": datetime.time(3, 4, tzinfo=utc),
            "td": datetime.timedelta(days=1, seconds=2, microseconds=3), "td_neg": datetime.timedelta(-1, 5),
            "td_max": datetime.timedelta.max, "td_min": datetime.timedelta.min,
        }),
        ("numbers", {
            "dec": decimal.Decimal("1.10"), "dec_exp": decimal.Decimal("-1E+3"), "dec_nan": decimal.Decimal("NaN"),
            "dec_inf": decimal.Decimal("-Infinity"), "dec_big": decimal.Decimal("3.14159265358979323846264338327950288"),
            "big": 2 ** 100, "neg_big": -(2 ** 64), "i32": 2 ** 31, "i8": 255, "i16": 65535, "neg": -1,
            "float": 1.5, "nan": float("nan"), "bool": True,
        }),
        ("bytes", {"b": b"\x00\xff", "empty": b"", "ba": bytearray(b"xy"), "long": bytes(range(256))}),
        ("containers", {
            "set": {1, 2, 3}, "fs": frozenset({"a"}), "tuple": (1, "a", None), "empty_tuple": (),
            "t1": (1,), "t2": (1, 2), "t3": (1, 2, 3), "t4": (1, 2, 3, 4), "empty_set": set(),
            "nested": [(1,), {2}], "od": collections.OrderedDict([("b", 1), ("a", 2)]),
            "uuid": uuid.UUID("12345678-1234-5678-1234-567812345678"),
        }),
        ("non_str_keys", {1: "a", (1, 2): "tuple key", None: "none", b"k": "bytes key"}),
        ("shared_refs", {"a": shared, "b": shared}),
        ("expiry_datetime", {"_session_expiry": datetime.datetime(2030, 1, 2, 3, 4, 5, tzinfo=utc)}),
        ("surrogate", {"s": "\ud800", "emoji": "\U0001F600"}),
        ("large_compressible", {"k%03d" % i: "value-%d" % (i % 10) for i in range(200)}),
    ]


def gen_session_encode():
    made = []

    def enc(name, p, v):
        p = dict(p, timestamp=T)

        def extra(res, exc):
            out = compressed_extra(res, exc)
            if res is not None and p.get("serializer") == "pickle":
                # Pickle memoizes shared objects; the value rebuilt from the
                # tagged "input" shares nothing, and may pickle differently.
                again, e2 = d_try(lambda: d.session_encode(tagged.loads(tagged.dumps(v)), p))
                if again != res:
                    out["identity_dependent"] = True
            return out

        res, e = V.run("session_encode", name, p, v, lambda: d.session_encode(v, p), extra=extra)
        if e is None:
            made.append((name, p, v, res))

    for name, v in session_dicts():
        enc("%s/SessionStore" % name, store_params(), v)
    for name, v in session_dicts()[:6]:
        for cls in ("MyStore", "Outer.Store"):
            enc("%s/%s" % (name, cls), store_params(cls), v)
    if legacy32():
        for name, v in session_dicts()[:12] + [("large_compressible", named(session_dicts(), "large_compressible"))]:
            for cls in ("SessionStore", "MyStore", "Outer.Store"):
                enc("%s/%s/sha1" % (name, cls), store_params(cls, alg="sha1"), v)
        enc("D/SessionStore/sha256_setting", store_params(alg="sha256"), D)
    for name, v in [("datetime", {"d": datetime.datetime(2030, 1, 2)}), ("decimal", {"d": decimal.Decimal("1")}),
                    ("bytes", {"b": b"x"}), ("set", {"s": {1}}), ("tuple_key", {(1, 2): 1})]:
        enc("not_json/%s/SessionStore" % name, store_params(), v)
    # set_expiry() then encode(): 3.2 keeps the datetime (JSON fails), 4.1+ writes an ISO string.
    for name, ex in [("int_300", 300), ("zero", 0),
                     ("datetime_utc", datetime.datetime(2030, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)),
                     ("datetime_us", datetime.datetime(2030, 1, 2, 3, 4, 5, 123456, tzinfo=datetime.timezone.utc)),
                     ("datetime_offset", datetime.datetime(2030, 1, 2, 3, 4, 5, tzinfo=datetime.timezone(
                         datetime.timedelta(hours=5, minutes=30))))]:
        enc("set_expiry/%s" % name, store_params(set_expiry=ex), {"a": 1})
    if d.has_pickle_sessions():
        for name, v in pickle_dicts():
            enc("pickle/%s/SessionStore" % name, store_params(ser="pickle"), v)
        enc("pickle/D/MyStore", store_params("MyStore", ser="pickle"), D)
        enc("pickle/D/Outer.Store", store_params("Outer.Store", ser="pickle"), D)
        enc("pickle/set_expiry/datetime_utc", store_params(ser="pickle", set_expiry=datetime.datetime(
            2030, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)), {"a": 1})
        if legacy32():
            for name, v in pickle_dicts()[:5]:
                enc("pickle/%s/SessionStore/sha1" % name, store_params(ser="pickle", alg="sha1"), v)
    if legacy32():
        for name, cls, ser, v, s in LEGACY:
            with d.overrides({"serializer": ser, "hashing_algorithm": "sha1"}):
                got = d.session_store({"session_class": cls, "serializer": ser})._legacy_encode(v)
            if got != s:
                raise SystemExit("LEGACY %s: Django 3.2 writes %s" % (name, got))
    return made


def decode_extra(p, s):
    def extra(res, exc):
        out, e = d_try(lambda: d.session_decode(s, p))
        r = {"django_decode": tagged.encode(out) if e is None else None}
        if e is not None:
            r["django_decode_error"] = d.error_name(e)
        if exc is not None and legacy32():
            # 3.2 falls back to the legacy format: record what that read
            # gives on its own ({} from decode is ambiguous otherwise).
            lv, le = d_try(lambda: d.session_legacy_decode(s, p))
            r["legacy"] = tagged.encode(lv) if le is None else None
        return r
    return extra


def dec(name, p, s):
    q = {k: v for k, v in p.items() if k not in ("timestamp", "set_expiry")}
    V.run("session_decode", name, q, s, lambda: d.session_loads(s, q), kind="value", extra=decode_extra(q, s))


def session_sign(payload, cls="SessionStore", **kw):
    p = {"salt": key_salt_of(cls)}
    p.update(kw)
    signer = d.make_signer(p, True)
    with d.clock(T):
        return signer.sign(payload)


def gen_session_decode(made):
    for name, p, v, s in made:
        dec("roundtrip/" + name, p, s)
        if p.get("hashing_algorithm") == "sha1":
            q = dict(p)
            del q["hashing_algorithm"]
            dec("roundtrip/" + name + "/read_with_default_setting", q, s)
    sp = store_params()
    for name, cls, ser, v, s in LEGACY:
        if ser == "pickle" and not d.has_pickle_sessions():
            dec(name + "/read_as_json", store_params(cls, "json"), s)
        else:
            dec(name, store_params(cls, ser), s)
    dec("legacy/D/read_by_MyStore", store_params("MyStore"), LEGACY[0][4])
    legacy_raw = [
        ("legacy/bad_mac", b"0" * 40 + b':{"a":1}'),
        ("legacy/no_colon", b"nocolon"),
        ("legacy/empty_mac", b':{"a":1}'),
        ("legacy/bad_json", b"e2b5e5d9c8a2a8b0b4a1c2d3e4f5a6b7c8d9e0f1:{bad"),
    ]
    for name, raw in legacy_raw:
        dec(name, sp, b64std(raw))
    dec("legacy/D/no_padding", sp, LEGACY[0][4].rstrip("="))
    # New format, but signed differently.
    for name, cls in [("MyStore", "MyStore"), ("Outer.Store", "Outer.Store")]:
        for rcls in ("SessionStore", "MyStore", "Outer.Store"):
            if rcls == cls:
                continue
            s = d.session_encode({"a": 1}, dict(store_params(cls), timestamp=T))
            dec("class_mismatch/written_%s/read_%s" % (cls, rcls), store_params(rcls), s)
    signer = d.make_signer({"salt": SESSION_SALT, "algorithm": "sha1"}, True)
    with d.clock(T):
        s = signer.sign_object(D, compress=True)
    dec("sha1_new_format/D", sp, s)
    signer = d.make_signer({"salt": SESSION_SALT, "algorithm": "sha512"}, True)
    with d.clock(T):
        s = signer.sign_object(D, compress=True)
    dec("sha512_new_format/D", sp, s)
    s = d.dumps(D, {"key": OLD, "salt": SESSION_SALT, "compress": True, "timestamp": T})
    dec("fallback_key/D", sp, s)
    if fallbacks():
        dec("fallback_key/D/no_fallbacks_setting", dict(sp, fallback_keys_setting=[]), s)
    s = d.dumps(D, {"key": "unknown", "salt": SESSION_SALT, "compress": True, "timestamp": T})
    dec("unknown_key/D", sp, s)
    for salt_name, salt in [("wrong_salt", "django.contrib.sessions.Other"),
                            ("signed_cookies_salt", "django.contrib.sessions.backends.signed_cookies"),
                            ("default_dumps_salt", "django.core.signing"),
                            ("legacy_salt_no_dot", "django.contrib.sessionsSessionStore")]:
        s = d.dumps(D, {"salt": salt, "compress": True, "timestamp": T})
        dec(salt_name + "/D", sp, s)
    good = d.session_encode(D, dict(sp, timestamp=T))
    for tname, t in tampers(good):
        dec("tamper/" + tname, sp, t)
    value, ts, sig = good.rsplit(":", 2)
    for name, t in [("ts_changed", "%s:%s:%s" % (value, "1r31er", sig)),
                    ("ts_removed", "%s:%s" % (value, sig)),
                    ("truncated_half", good[: len(good) // 2]),
                    ("payload_only", value),
                    ("payload_ts", value + ":" + ts),
                    ("compress_flag_removed", value[1:] + ":" + ts + ":" + sig),
                    ("compress_flag_added", "." + good)]:
        dec("tamper/" + name, sp, t)
    for name, g in [("garbage", "garbage"), ("empty", ""), ("colon", ":"), ("two_colons", "::"), ("a:b:c", "a:b:c"),
                    ("long_x", "x" * 1000), ("non_ascii", "\u00e9t\u00e9"), ("nul", "\x00"), ("raw_json", '{"a":1}'),
                    ("null", "null"), ("b64_garbage_mod4_1", "abcde"), ("b64_json_no_mac", b64std(b'{"a":1}')),
                    ("non_ascii_in_valid", good[:5] + "\u00e9" + good[5:]), ("space", " "),
                    ("whitespace_around", " " + good + " ")]:
        dec("garbage/" + name, sp, g)
    for name, payload in crafted_payloads(big=True):
        dec("crafted/" + name, sp, session_sign(payload))
    dec("crafted/expired_ts_0/ignored", sp, d.session_encode(D, dict(sp, timestamp=0)))
    dec("crafted/future_ts/ignored", sp, d.session_encode(D, dict(sp, timestamp=2 ** 40)))
    if d.has_pickle_sessions():
        pp = store_params(ser="pickle")
        value = named(pickle_dicts(), "datetimes")
        for proto in range(0, pickle.HIGHEST_PROTOCOL + 1):
            s = d.sign_object(value, {"salt": SESSION_SALT, "signer": "TimestampSigner", "serializer": "pickle",
                                      "pickle_protocol": proto, "compress": True, "timestamp": T})
            dec("pickle/protocol_%d/datetimes" % proto, pp, s)
        for proto in (0, 2, 3, 4):
            s = d.sign_object(named(pickle_dicts(), "bytes"), {"salt": SESSION_SALT, "signer": "TimestampSigner",
                                                      "serializer": "pickle", "pickle_protocol": proto,
                                                      "compress": False, "timestamp": T})
            dec("pickle/protocol_%d/bytes" % proto, pp, s)
        raw = [
            ("unknown_module", b"cdjangosess_no_such_module\nThing\n)R."),
            ("unknown_attribute", b"cdatetime\nno_such_thing\n)R."),
            ("truncated", pickle.dumps(D, 5)[:-5]),
            ("empty", b""),
            ("not_pickle_json", b'{"a":1}'),
            ("list_not_dict", pickle.dumps([1, 2], 5)),
            ("stop_only", b"."),
            ("trailing_after_stop", pickle.dumps({"a": 1}, 5) + b"garbage"),
            ("protocol_6", b"\x80\x06" + pickle.dumps({"a": 1}, 5)[2:]),
        ]
        for name, b in raw:
            dec("pickle/%s" % name, pp, session_sign(b64u(b)))
        dec("pickle/json_session_read_as_pickle", pp, good)
        dec("pickle/pickle_session_read_as_json", sp,
            d.session_encode({"a": 1}, dict(pp, timestamp=T)))
        dec("pickle/bomb_16MiB_zeros", pp, session_sign("." + b64u(zbomb(b"\x00", 16 * MIB))))


# ------------------------------------------------------------------ auth hash

def gen_auth_hash():
    pws = [
        ("doc13", "pbkdf2_sha256$1$salt$hash"),
        ("empty", ""),
        ("unusable", "!" + "a" * 40),
        ("pbkdf2_600000", "pbkdf2_sha256$600000$abcdefghijklmnopqrstuv$Pu8ZSyGz4CzS5pPJqvLL3gUCvaR1Tvf2Hr7MxH81bHs="),
        ("argon2", "argon2$argon2id$v=19$m=102400,t=2,p=8$c2FsdA$aGFzaA"),
        ("unicode", "p\u00e4ssw\u00f6rd\U0001F600"),
    ]
    for name, pw in pws:
        V.run("auth_hash", name + "/get_session_auth_hash", {"method": "get_session_auth_hash"}, pw,
              lambda pw=pw: d.auth_hash(pw, {}))
        if legacy32():
            p = {"method": "get_session_auth_hash", "hashing_algorithm": "sha1"}
            V.run("auth_hash", name + "/get_session_auth_hash/sha1_setting", p, pw, lambda p=p, pw=pw: d.auth_hash(pw, p))
            p = {"method": "_legacy_get_session_auth_hash"}
            V.run("auth_hash", name + "/_legacy_get_session_auth_hash", p, pw, lambda p=p, pw=pw: d.auth_hash(pw, p))
        if fallbacks():
            p = {"method": "_get_session_auth_hash", "secret": OLD}
            V.run("auth_hash", name + "/_get_session_auth_hash/secret=old", p, pw, lambda p=p, pw=pw: d.auth_hash(pw, p))
            p = {"method": "get_session_auth_fallback_hash"}
            V.run("auth_hash", name + "/get_session_auth_fallback_hash", p, pw, lambda p=p, pw=pw: d.auth_hash(pw, p))


# ------------------------------------------------------------------ cache values

def cache_extra(params):
    def extra(res, exc):
        if exc is not None:
            return {"output_b64": None}
        wire = d.wire_bytes(res)
        out = {"output_b64": d.b64(wire), "raw_int": type(res) is int}
        back, e = d_try(lambda: d.cache_decode(wire, params))
        out["value"] = tagged.encode(back) if e is None else None
        if e is not None:
            out["value_error"] = d.error_name(e)
        return out
    return extra


def gen_cache_value(unavailable):
    if "django_redis" in unavailable:
        return
    values = [
        ("auth_id", {"_auth_user_id": "1"}),
        ("D", D),
        ("empty", {}),
        ("with_expiry_datetime", {"_auth_user_id": "1", "_session_expiry": datetime.datetime(
            2030, 1, 2, 3, 4, 5, 123456, tzinfo=datetime.timezone.utc)}),
        ("with_decimal_uuid", {"d": decimal.Decimal("1.10"), "u": uuid.UUID(int=1), "t": (1, 2)}),
        ("large_compressible", {"k%03d" % i: "value-%d" % (i % 10) for i in range(200)}),
        ("int_42", 42),
        ("int_neg", -7),
        ("bigint", 2 ** 70),
        ("bool_true", True),
        ("str", "x"),
        ("none", None),
        ("float", 1.5),
        ("bytes", b"\x00\xffdata"),
        ("ints", [0, 127, 128, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, 2 ** 63 - 1, 2 ** 64 - 1, -1, -32, -33,
                  -128, -129, -32768, -32769, -2 ** 31, -2 ** 31 - 1, -2 ** 63]),
        ("nested_unicode", {"\u00e9": ["\U0001F600", {"k": None}], "t": True, "f": -0.0}),
    ]
    try:
        import pytz
        values.insert(4, ("with_pytz_utc", {"_session_expiry": datetime.datetime(2030, 1, 2, tzinfo=pytz.utc)}))
    except ImportError:
        pass
    serializers = [s for s in ("pickle", "json", "msgpack") if s not in unavailable]
    compressors = [c for c in ("identity", "zlib", "lzma", "lz4", "zstd") if c not in unavailable]
    for ser in serializers:
        for comp in compressors:
            for name, v in values:
                if ser != "pickle" and comp not in ("identity", "zlib") and name not in ("D", "large_compressible"):
                    continue
                p = {"backend": "django_redis", "serializer": ser, "compressor": comp}
                V.run("cache_value", "django_redis/%s/%s/%s" % (ser, comp, name), p, v,
                      lambda p=p, v=v: d.cache_encode(v, p), extra=cache_extra(p))
    for name, v in values[:3]:
        p = {"backend": "django_redis", "serializer": "pickle", "compressor": "identity", "pickle_version": -1}
        V.run("cache_value", "django_redis/pickle_version_-1/%s" % name, p, v, lambda p=p, v=v: d.cache_encode(v, p),
              extra=cache_extra(p))
    if "django_redis_cache" not in unavailable:
        for name, v in values:
            p = {"backend": "django"}
            V.run("cache_value", "django/%s" % name, p, v, lambda p=p, v=v: d.cache_encode(v, p),
                  extra=cache_extra(p))


# ------------------------------------------------------------------ main

def main():
    if len(sys.argv) != 2:
        raise SystemExit("usage: gen_vectors.py OUT.json")
    d.setup()
    unavailable = d.unavailable_cache_parts()
    gen_b62()
    gen_salted_hmac()
    gen_sign()
    gen_timestamp_sign()
    gen_unsign()
    gen_timestamp_unsign()
    gen_unsafe_sep()
    made = gen_dumps()
    gen_loads(made)
    gen_unsign_object(gen_sign_object())
    gen_session_decode(gen_session_encode())
    gen_auth_hash()
    gen_cache_value(unavailable)
    doc = {
        "django": d.django.get_version(),
        "python": platform.python_version(),
        "secret_key": SECRET,
        "fallback_keys": list(d.settings.SECRET_KEY_FALLBACKS) if fallbacks() else [],
        "timestamp": T,
        "pickle_highest_protocol": pickle.HIGHEST_PROTOCOL,
        "unavailable": unavailable,
        "counts": dict(sorted(V.counts.items())),
        "cases": V.cases,
    }
    text = json.dumps(doc, sort_keys=False, ensure_ascii=True, indent=1, allow_nan=False) + "\n"
    tmp = sys.argv[1] + ".tmp"
    with open(tmp, "w", encoding="ascii") as f:
        f.write(text)
    os.replace(tmp, sys.argv[1])
    print("%s: Django %s, %d cases, %d bytes" % (sys.argv[1], doc["django"], len(V.cases), len(text)),
          file=sys.stderr)


if __name__ == "__main__":
    main()
