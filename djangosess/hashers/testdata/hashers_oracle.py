"""Django's password hashers for the Go tests, one JSON request per line.

Run under /usr/bin/python3 with PYTHONPATH pointing at a Django checkout
(or none, for Debian's Django 3.2). Every hasher class the installed
django.contrib.auth.hashers has is in PASSWORD_HASHERS, in Django's default
order, PBKDF2PasswordHasher first; crypt is left out.

Requests (JSON objects; "op" selects):
  {"op": "version"}                         -> {"value": "4.2.28"}
  {"op": "params"}                          -> the default hashers' work factors
  {"op": "make", "algorithm", "password", "salt"}
        make_password(password, salt or None, algorithm)
  {"op": "bcrypt_encode", "algorithm", "password", "salt"}
        the bcrypt hasher's encode(password, salt.encode()) (salt "$2b$12$...")
  {"op": "check", "password", "encoded"}    -> {"value": bool} or {"error": name}
  {"op": "must_update", "encoded", ["preferred"]}
        verify_password's must_update with that preferred hasher (default:
        the first of PASSWORD_HASHERS)
  {"op": "identify", "encoded"}             -> {"value": algorithm} or {"error"}
  {"op": "salt", "algorithm"}               -> a salt the hasher draws
  {"op": "unusable"}                        -> make_password(None)
  {"op": "usable", "encoded"}               -> is_password_usable(encoded)
Every answer is {"value": ...} or {"error": exception class name}.

A request may carry "params", work factors set on the hasher instances for
that request only, as a project's hasher subclass would: {"pbkdf2_iterations",
"argon2": {"time_cost", "memory_cost", "parallelism"}, "bcrypt_rounds",
"scrypt": {"work_factor", "block_size", "parallelism"}}.
"""
import json
import sys
import warnings

warnings.simplefilter("ignore")

import django
from django.conf import settings

from django.contrib.auth import hashers as H

ORDER = [
    "PBKDF2PasswordHasher",
    "PBKDF2SHA1PasswordHasher",
    "Argon2PasswordHasher",
    "BCryptSHA256PasswordHasher",
    "BCryptPasswordHasher",
    "ScryptPasswordHasher",
    "SHA1PasswordHasher",
    "MD5PasswordHasher",
    "UnsaltedSHA1PasswordHasher",
    "UnsaltedMD5PasswordHasher",
]

settings.configure(
    SECRET_KEY="hashers-oracle",
    PASSWORD_HASHERS=["django.contrib.auth.hashers." + n for n in ORDER if hasattr(H, n)],
    INSTALLED_APPS=[],
)
django.setup()


def must_update(encoded, preferred):
    """verify_password's second answer."""
    preferred = H.get_hasher(preferred)
    hasher = H.identify_hasher(encoded)
    return hasher.algorithm != preferred.algorithm or preferred.must_update(encoded)


def set_params(p):
    """Sets work factors on the hasher instances; returns how to undo it."""
    undo = []

    def put(alg, attr, value):
        try:
            h = H.get_hasher(alg)
        except ValueError:
            return
        undo.append((h, attr, h.__dict__.get(attr)))
        setattr(h, attr, value)

    for alg in ("pbkdf2_sha256", "pbkdf2_sha1"):
        if "pbkdf2_iterations" in p:
            put(alg, "iterations", p["pbkdf2_iterations"])
    for attr, value in p.get("argon2", {}).items():
        put("argon2", attr, value)
    for alg in ("bcrypt_sha256", "bcrypt"):
        if "bcrypt_rounds" in p:
            put(alg, "rounds", p["bcrypt_rounds"])
    for attr, value in p.get("scrypt", {}).items():
        put("scrypt", attr, value)
    return undo


def params():
    out = {}
    p = H.get_hasher("pbkdf2_sha256")
    out["pbkdf2_iterations"] = p.iterations
    out["salt_entropy"] = getattr(p, "salt_entropy", 0)
    a = H.get_hasher("argon2")
    ap = a.params() if hasattr(a, "params") else None
    out["argon2"] = {
        "time_cost": a.time_cost,
        "memory_cost": a.memory_cost,
        "parallelism": a.parallelism,
        "hash_len": ap.hash_len if ap else None,
        "type": str(ap.type.name).lower() if ap else None,
    }
    out["bcrypt_rounds"] = H.get_hasher("bcrypt_sha256").rounds
    if hasattr(H, "ScryptPasswordHasher"):
        s = H.get_hasher("scrypt")
        out["scrypt"] = {"n": s.work_factor, "r": s.block_size, "p": s.parallelism}
    out["hashers"] = [h.algorithm for h in H.get_hashers()]
    return out


def handle(req):
    op = req["op"]
    if op == "version":
        return django.get_version()
    if op == "params":
        return params()
    if op == "make":
        return H.make_password(req["password"], req.get("salt") or None, req["algorithm"])
    if op == "bcrypt_encode":
        return H.get_hasher(req["algorithm"]).encode(req["password"], req["salt"].encode("ascii"))
    if op == "check":
        return H.check_password(req["password"], req["encoded"])
    if op == "must_update":
        return must_update(req["encoded"], req.get("preferred", "default"))
    if op == "identify":
        return H.identify_hasher(req["encoded"]).algorithm
    if op == "salt":
        s = H.get_hasher(req["algorithm"]).salt()
        return s.decode("ascii") if isinstance(s, bytes) else s
    if op == "unusable":
        return H.make_password(None)
    if op == "usable":
        return H.is_password_usable(req["encoded"])
    raise KeyError(op)


for line in sys.stdin:
    req = json.loads(line)
    undo = set_params(req.get("params", {}))
    try:
        ans = {"value": handle(req)}
    except Exception as e:  # the Go side compares exception classes
        ans = {"error": type(e).__name__}
    for h, attr, old in reversed(undo):
        if old is None:
            delattr(h, attr)
        else:
            setattr(h, attr, old)
    sys.stdout.write(json.dumps(ans) + "\n")
    sys.stdout.flush()
