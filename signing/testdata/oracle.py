"""Django oracle for the signing tests.

Reads a JSON list of operations on stdin, runs each against the Django that
is importable (3.2 from /usr/bin/python3, or 4.2/5.2 via PYTHONPATH), and
writes a JSON list of results: {"ok": ...} or {"err": "<exception class>"}.
Keys and byte strings travel as base64 ("key", "fallback", "b64in").
"""
import base64
import json
import sys
from unittest import mock

from django.conf import settings

settings.configure(SECRET_KEY="oracle-unused-secret", SECRET_KEY_FALLBACKS=[])

import django  # noqa: E402
from django.core import signing  # noqa: E402
from django.utils.crypto import salted_hmac  # noqa: E402

try:
    from django.core.signing import b62_decode, b62_encode
except ImportError:  # Django <= 3.2
    from django.utils.baseconv import base62

    b62_decode, b62_encode = base62.decode, base62.encode

VERSION = django.VERSION


def unb64(s):
    return base64.b64decode(s)


def signer_kwargs(a):
    kw = {"key": unb64(a["key"]), "salt": a.get("salt", ""), "sep": a.get("sep", ":")}
    if a.get("algorithm"):
        kw["algorithm"] = a["algorithm"]
    if VERSION >= (4, 1):
        kw["fallback_keys"] = [unb64(k) for k in a.get("fallback", [])]
    elif a.get("fallback"):
        raise RuntimeError("fallback keys need Django 4.1+")
    return kw


def dumps_json(obj):
    return json.dumps(obj, separators=(",", ":"))


def run(a):
    op = a["op"]
    now = a.get("now", 0.0)
    with mock.patch("time.time", return_value=now):
        if op == "sign":
            return signing.Signer(**signer_kwargs(a)).sign(a["value"])
        if op == "unsign":
            return signing.Signer(**signer_kwargs(a)).unsign(a["value"])
        if op == "tsign":
            return signing.TimestampSigner(**signer_kwargs(a)).sign(a["value"])
        if op == "tunsign":
            return signing.TimestampSigner(**signer_kwargs(a)).unsign(a["value"], max_age=a.get("max_age"))
        if op == "sign_object":
            cls = signing.TimestampSigner if a.get("timestamp") else signing.Signer
            obj = json.loads(a["json"])
            return cls(**signer_kwargs(a)).sign_object(obj, compress=a.get("compress", False))
        if op == "unsign_object":
            cls = signing.TimestampSigner if a.get("timestamp") else signing.Signer
            kw = {"max_age": a["max_age"]} if a.get("max_age") is not None else {}
            return dumps_json(cls(**signer_kwargs(a)).unsign_object(a["value"], **kw))
        if op == "dumps":
            return signing.dumps(json.loads(a["json"]), key=unb64(a["key"]), salt=a.get("salt") or "django.core.signing", compress=a.get("compress", False))
        if op == "loads":
            kw = {"max_age": a["max_age"]} if a.get("max_age") is not None else {}
            return dumps_json(signing.loads(a["value"], key=unb64(a["key"]), salt=a.get("salt") or "django.core.signing", **kw))
        if op == "b64std":  # the legacy session format's base64.b64decode
            return base64.b64encode(base64.b64decode(unb64(a["b64in"]))).decode()
        if op == "b64":
            return base64.b64encode(signing.b64_decode(unb64(a["b64in"]))).decode()
        if op == "b62":
            return str(b62_decode(a["value"]))
        if op == "hmac":
            return salted_hmac(a["salt"], unb64(a["b64in"]), secret=unb64(a["key"]), algorithm=a["algorithm"]).hexdigest()
        if op == "sep":
            signing.Signer(key=b"k", sep=a["sep"])
            return True
    raise RuntimeError("unknown op " + op)


def main():
    out = []
    for a in json.load(sys.stdin):
        try:
            out.append({"ok": run(a)})
        except Exception as e:  # the class name is what the tests compare
            out.append({"err": type(e).__name__})
    json.dump(out, sys.stdout)


main()
