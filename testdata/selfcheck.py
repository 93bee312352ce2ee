#!/usr/bin/python3
"""selfcheck.py VECTORS.json: replays every case of a vector file through
oracle.py (same Django as the file, chosen by PYTHONPATH) and reports any
answer that differs. Checks that the oracle and gen_vectors.py agree and
that every tagged value in the file decodes. Exit status 1 on a mismatch.

    PYTHONPATH=.cache/django/4.2.28 /usr/bin/python3 testdata/selfcheck.py testdata/vectors/django-4.2.28.json
"""

import base64
import json
import os
import subprocess
import sys

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import tagged  # noqa: E402

DATA_OPS = {"b62_decode", "salted_hmac", "sign", "timestamp_sign", "unsign", "timestamp_unsign", "unsafe_sep", "loads",
            "unsign_object", "session_decode", "auth_hash"}
VALUE_OPS = {"b62_encode", "dumps", "sign_object", "session_encode", "cache_value"}
ORACLE_OP = {"unsafe_sep": "sign", "cache_value": "cache_encode"}


def requests(doc):
    """(case, what is compared, request) triples."""
    for i, c in enumerate(doc["cases"]):
        op = c["op"]
        req = {"id": i, "op": ORACLE_OP.get(op, op), "params": c["params"]}
        if op in DATA_OPS:
            req["data"] = c["input"]
        else:
            req["value"] = c["input"]
        yield c, "main", req
        if op == "session_decode":
            yield c, "django_decode", dict(req, op="session_decode_django", id="%d/dj" % i)


def expected(c, what):
    if what == "django_decode":
        if c.get("django_decode_error"):
            return {"ok": False, "error": c["django_decode_error"]}
        return {"ok": True, "value": c["django_decode"]}
    if c["error"]:
        return {"ok": False, "error": c["error"]}
    if c["op"] == "cache_value":
        return {"ok": True, "value": {"$type": "bytes", "value": c["output_b64"]}}
    if c["op"] in ("loads", "unsign_object", "session_decode"):
        return {"ok": True, "value": c["value"]}
    return {"ok": True, "value": c["output"]}


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    doc = json.load(open(sys.argv[1]))
    for c in doc["cases"]:  # every tagged value in the file decodes
        for k in ("input", "output", "value", "django_decode"):
            if c.get(k) is not None:
                try:
                    tagged.decode(c[k])
                except tagged.TaggedError as e:
                    if "object values" not in str(e):
                        raise SystemExit("%s %s: %s: %s" % (c["op"], c["name"], k, e))
        if c.get("output_b64") is not None:
            base64.b64decode(c["output_b64"], validate=True)
    items = list(requests(doc))
    text = "".join(json.dumps(r) + "\n" for _, _, r in items)
    proc = subprocess.run([sys.executable, os.path.join(HERE, "oracle.py"), "--unsafe-pickle"],
                          input=text.encode(), stdout=subprocess.PIPE, check=True)
    answers = [json.loads(line) for line in proc.stdout.splitlines()]
    if len(answers) != len(items):
        raise SystemExit("oracle answered %d of %d requests" % (len(answers), len(items)))
    bad = identity = 0
    for (c, what, req), ans in zip(items, answers):
        want = expected(c, what)
        got = {"ok": True, "value": ans["value"]} if ans["ok"] else {"ok": False, "error": ans.get("error")}
        if got == want:
            continue
        if pickle_identity(c, want, got):
            identity += 1
            continue
        bad += 1
        if bad <= 20:
            print("MISMATCH %s %s (%s)\n  want %s\n  got  %s" % (
                c["op"], c["name"], what, json.dumps(want)[:300], json.dumps(ans)[:300]))
    print("%s: Django %s, %d requests, %d mismatches, %d pickles differing only by object identity" % (
        sys.argv[1], doc.get("django"), len(items), bad, identity))
    sys.exit(1 if bad else 0)


def pickle_identity(c, want, got):
    """A pickle session_encode whose bytes differ only because the value the
    generator built shared objects (memoized by pickle) that tagged JSON
    cannot express: both strings must decode to the same value."""
    if c["op"] != "session_encode" or c["params"].get("serializer") != "pickle" or not (want["ok"] and got["ok"]):
        return False
    p = {k: v for k, v in c["params"].items() if k not in ("timestamp", "set_expiry")}
    reqs = [{"op": "session_decode_django", "data": s, "params": p} for s in (want["value"], got["value"])]
    text = "".join(json.dumps(r) + "\n" for r in reqs)
    out = subprocess.run([sys.executable, os.path.join(HERE, "oracle.py"), "--unsafe-pickle"],
                         input=text.encode(), stdout=subprocess.PIPE, check=True).stdout.splitlines()
    a, b = (json.loads(x) for x in out)
    return a["ok"] and a == b and a["value"] != {}


if __name__ == "__main__":
    main()
