"""Tagged JSON: the djangosess CLI's representation of Python values.

encode(value) turns a Python value into plain JSON-able data (dicts, lists,
str, int, float, bool, None) following the format documented in
serializer/tagged.go; decode(data) turns such data back into the Python
value. dumps()/loads() do the same to and from JSON text.

    None, bool, str, list     plain JSON
    int                       a number inside int64, else {"$type":"int","value":"<decimal>"}
    float                     a number (repr: always "." or "e"); nan/inf/-inf as
                              {"$type":"float","value":"nan"|"inf"|"-inf"}
    str with lone surrogates  {"$type":"str","wtf8":"<std b64 of s.encode('utf-8','surrogatepass')>"}
    dict                      an object when every key is a str (no lone surrogates)
                              and none is "$type"; else {"$type":"dict","items":[[k,v],...]}
    OrderedDict               {"$type":"dict","items":[[k,v],...],"ordered":true}
    tuple, set, frozenset     {"$type":"tuple"|"set"|"frozenset","value":[...]}
    bytes, bytearray          {"$type":"bytes"|"bytearray","value":"<std b64>"}
    datetime, time            {"$type":"datetime"|"time","value":x.isoformat(),"tz":TZ|null[,"fold":1]}
    date                      {"$type":"date","value":d.isoformat()}
    timedelta                 {"$type":"timedelta","days":d,"seconds":s,"microseconds":us}
    Decimal                   {"$type":"decimal","value":str(d)}
    UUID                      {"$type":"uuid","value":str(u)}
    anything else             {"$type":"object","class":"module.QualName",...} (encode only)

TZ is {"kind":"fixed","offset":N[,"name":s]} (datetime.timezone; offset in
seconds, a float only with microseconds; "name" only when given explicitly),
{"kind":"zoneinfo","key":k}, {"kind":"pytz_utc"},
{"kind":"pytz","zone":z,"offset":N,"dst":N,"abbrev":s}, or
{"kind":"other","offset":N|null,"object":OBJECT} (encode only).

The decoder refuses "object" values and "other" time zones (ValueError).
Only the standard library is needed; pytz is imported only when a value
uses it.
"""

import base64
import collections
import contextlib
import datetime
import decimal
import json
import math
import sys
import uuid

INT64_MIN = -(1 << 63)
INT64_MAX = (1 << 63) - 1

__all__ = ["encode", "decode", "dumps", "loads", "TaggedError"]


class TaggedError(ValueError):
    """Data that is not valid tagged JSON, or a value that cannot be encoded."""


# ---------------------------------------------------------------- encoding


def _has_surrogates(s):
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _b64(b):
    return base64.b64encode(bytes(b)).decode("ascii")


def _seconds(td):
    """A utcoffset/dst timedelta as seconds: int, or float with microseconds."""
    if td is None:
        return None
    if td.microseconds == 0:
        return td.days * 86400 + td.seconds
    return td.total_seconds()


def _str(s):
    if _has_surrogates(s):
        return {"$type": "str", "wtf8": _b64(s.encode("utf-8", "surrogatepass"))}
    return s


def _is_pytz(tz):
    mod = type(tz).__module__ or ""
    return mod == "pytz" or mod.startswith("pytz.")


def encode_tz(tz, dt=None):
    """The TZ object for a datetime's or time's tzinfo (None -> None)."""
    if tz is None:
        return None
    if type(tz) is datetime.timezone:
        args = tz.__getinitargs__()
        out = {"kind": "fixed", "offset": _seconds(args[0])}
        if len(args) > 1:
            out["name"] = _str(args[1])
        return out
    try:
        import zoneinfo
        if isinstance(tz, zoneinfo.ZoneInfo):
            if tz.key is None:
                raise TaggedError("zoneinfo.ZoneInfo without a key")
            return {"kind": "zoneinfo", "key": _str(tz.key)}
    except ImportError:  # pragma: no cover - Python < 3.9
        pass
    if _is_pytz(tz):
        import pytz
        if tz is pytz.utc:
            return {"kind": "pytz_utc"}
        if isinstance(tz, pytz.tzinfo.DstTzInfo):
            return {"kind": "pytz", "zone": _str(tz.zone), "offset": _seconds(tz._utcoffset),
                    "dst": _seconds(tz._dst), "abbrev": _str(tz._tzname)}
        if isinstance(tz, pytz.tzinfo.StaticTzInfo):
            return {"kind": "pytz", "zone": _str(tz.zone), "offset": _seconds(tz._utcoffset),
                    "dst": 0, "abbrev": _str(tz._tzname)}
    try:
        off = _seconds(tz.utcoffset(dt))
    except Exception:
        off = None
    return {"kind": "other", "offset": off, "object": _object(tz, 0)}


def _object(obj, depth):
    """Best-effort description of an arbitrary object, shaped like what
    pickle would record (class, build, args, state)."""
    cls = type(obj)
    out = {"$type": "object", "class": _str("%s.%s" % (cls.__module__, cls.__qualname__))}
    if "." in cls.__qualname__:
        out["module"] = _str(cls.__module__)
    try:
        red = obj.__reduce_ex__(2)
    except Exception:
        red = None
    if isinstance(red, tuple) and len(red) >= 2:
        func, args = red[0], red[1]
        name = getattr(func, "__name__", "")
        if name == "__newobj__":
            out["build"] = "newobj"
            args = args[1:]
        elif name == "__newobj_ex__":
            out["build"] = "newobj_ex"
            args = args[1]
        else:
            out["build"] = "reduce"
            mod = (getattr(func, "__module__", None)
                   or getattr(getattr(func, "__self__", None), "__module__", None) or "?")
            qn = getattr(func, "__qualname__", name) or "?"
            out["class"] = _str("%s.%s" % (mod, qn))
            if "." in qn:
                out["module"] = _str(mod)
            else:
                out.pop("module", None)
        out["args"] = [_enc(a, depth + 1) for a in args]
        if len(red) > 2 and red[2] is not None:
            out["state"] = _enc(red[2], depth + 1)
        if len(red) > 3 and red[3] is not None:
            out["listitems"] = [_enc(a, depth + 1) for a in red[3]]
        if len(red) > 4 and red[4] is not None:
            out["dictitems"] = [[_enc(k, depth + 1), _enc(v, depth + 1)] for k, v in red[4]]
    else:
        out["build"] = "global"
        out["args"] = []
    order = ["$type", "class", "module", "build", "args", "kwargs", "state", "listitems", "dictitems"]
    return {k: out[k] for k in order if k in out}


MAX_DEPTH = 1000


def _enc(v, depth):
    if depth > MAX_DEPTH:
        raise TaggedError("containers nested deeper than %d levels" % MAX_DEPTH)
    t = type(v)
    if v is None or t is bool:
        return v
    if t is int:
        if INT64_MIN <= v <= INT64_MAX:
            return v
        return {"$type": "int", "value": str(v)}
    if t is float:
        if math.isnan(v):
            return {"$type": "float", "value": "nan"}
        if math.isinf(v):
            return {"$type": "float", "value": "inf" if v > 0 else "-inf"}
        return v
    if t is str:
        return _str(v)
    if t is list:
        return [_enc(x, depth + 1) for x in v]
    if t is dict:
        if all(type(k) is str and k != "$type" and not _has_surrogates(k) for k in v):
            return {k: _enc(x, depth + 1) for k, x in v.items()}
        return {"$type": "dict", "items": [[_enc(k, depth + 1), _enc(x, depth + 1)] for k, x in v.items()]}
    if t is collections.OrderedDict:
        return {"$type": "dict", "items": [[_enc(k, depth + 1), _enc(x, depth + 1)] for k, x in v.items()],
                "ordered": True}
    if t is tuple:
        return {"$type": "tuple", "value": [_enc(x, depth + 1) for x in v]}
    if t is set:
        return {"$type": "set", "value": [_enc(x, depth + 1) for x in v]}
    if t is frozenset:
        return {"$type": "frozenset", "value": [_enc(x, depth + 1) for x in v]}
    if t is bytes:
        return {"$type": "bytes", "value": _b64(v)}
    if t is bytearray:
        return {"$type": "bytearray", "value": _b64(v)}
    if t is datetime.datetime or t is datetime.time:
        out = {"$type": "datetime" if t is datetime.datetime else "time", "value": v.isoformat(),
               "tz": encode_tz(v.tzinfo, v if t is datetime.datetime else None)}
        if v.fold == 1:
            out["fold"] = 1
        return out
    if t is datetime.date:
        return {"$type": "date", "value": v.isoformat()}
    if t is datetime.timedelta:
        return {"$type": "timedelta", "days": v.days, "seconds": v.seconds, "microseconds": v.microseconds}
    if t is decimal.Decimal:
        return {"$type": "decimal", "value": str(v)}
    if t is uuid.UUID:
        return {"$type": "uuid", "value": str(v)}
    return _object(v, depth)


@contextlib.contextmanager
def _deep_stack():
    """Room for MAX_DEPTH levels of recursion (two frames per level), only
    while this module recurses: Django's own calls keep the default limit."""
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old, 4 * MAX_DEPTH + 500))
    try:
        yield
    finally:
        sys.setrecursionlimit(old)


def encode(value):
    """The tagged JSON data (plain Python containers) for value."""
    with _deep_stack():
        return _enc(value, 0)


def dumps(value, **kw):
    """Tagged JSON text for value (ASCII, compact unless indent is given)."""
    kw.setdefault("ensure_ascii", True)
    kw.setdefault("allow_nan", False)
    if "indent" not in kw:
        kw.setdefault("separators", (",", ":"))
    return json.dumps(encode(value), **kw)


# ---------------------------------------------------------------- decoding


def _unb64(s, what):
    if type(s) is not str:
        raise TaggedError("%s: want a base64 string" % what)
    try:
        return base64.b64decode(s.encode("ascii"), validate=True)
    except Exception as e:
        raise TaggedError("%s: bad base64: %s" % (what, e)) from None


def _dec_str(v, what):
    if type(v) is str:
        return v
    if type(v) is dict and v.get("$type") == "str":
        return _dec(v, 0)
    raise TaggedError("%s: want a string" % what)


def _dec_offset(v, what):
    if type(v) is int:
        return datetime.timedelta(seconds=v)
    if type(v) is float:
        return datetime.timedelta(microseconds=round(v * 1e6))
    raise TaggedError("%s: want a number of seconds" % what)


def decode_tz(tz):
    if tz is None:
        return None
    if type(tz) is not dict:
        raise TaggedError("tz: want an object or null")
    kind = tz.get("kind")
    if kind == "fixed":
        _only(tz, {"kind", "offset", "name"}, "tz fixed")
        off = _dec_offset(tz.get("offset"), "tz offset")
        if "name" in tz:
            return datetime.timezone(off, _dec_str(tz["name"], "tz name"))
        return datetime.timezone(off)
    if kind == "zoneinfo":
        _only(tz, {"kind", "key"}, "tz zoneinfo")
        import zoneinfo
        return zoneinfo.ZoneInfo(_dec_str(tz.get("key"), "tz key"))
    if kind == "pytz_utc":
        _only(tz, {"kind"}, "tz pytz_utc")
        import pytz
        return pytz.utc
    if kind == "pytz":
        _only(tz, {"kind", "zone", "offset", "dst", "abbrev"}, "tz pytz")
        import pytz
        zone = pytz.timezone(_dec_str(tz.get("zone"), "tz zone"))
        off = _dec_offset(tz.get("offset"), "tz offset")
        dst = _dec_offset(tz.get("dst"), "tz dst")
        abbrev = _dec_str(tz.get("abbrev"), "tz abbrev")
        if isinstance(zone, pytz.tzinfo.DstTzInfo):
            try:
                return zone._tzinfos[(off, dst, abbrev)]
            except KeyError:
                raise TaggedError("tz pytz: %s has no (%s, %s, %s)" % (zone.zone, off, dst, abbrev)) from None
        return zone
    raise TaggedError("tz kind %r not supported by the decoder" % (kind,))


def _only(obj, allowed, what):
    extra = set(obj) - allowed
    if extra:
        raise TaggedError("%s: unexpected members %s" % (what, sorted(extra)))


def _hashable(k):
    try:
        hash(k)
    except TypeError:
        raise TaggedError("unhashable key or element %r" % (k,)) from None
    return k


def _dec(v, depth):
    if depth > MAX_DEPTH:
        raise TaggedError("containers nested deeper than %d levels" % MAX_DEPTH)
    t = type(v)
    if v is None or t in (bool, int, float, str):
        return v
    if t is list:
        return [_dec(x, depth + 1) for x in v]
    if t is not dict:
        raise TaggedError("unexpected %s" % t.__name__)
    if "$type" not in v:
        return {k: _dec(x, depth + 1) for k, x in v.items()}
    typ = v["$type"]
    if typ == "int":
        _only(v, {"$type", "value"}, "int")
        s = v.get("value")
        if type(s) is not str or not s.lstrip("-").isdigit() or not s.isascii():
            raise TaggedError("int: bad value %r" % (s,))
        return int(s)
    if typ == "float":
        _only(v, {"$type", "value"}, "float")
        s = v.get("value")
        if s not in ("nan", "inf", "-inf"):
            raise TaggedError("float: bad value %r" % (s,))
        return float(s)
    if typ == "str":
        _only(v, {"$type", "wtf8"}, "str")
        return _unb64(v.get("wtf8"), "str").decode("utf-8", "surrogatepass")
    if typ == "dict":
        _only(v, {"$type", "items", "ordered"}, "dict")
        items = v.get("items")
        if type(items) is not list:
            raise TaggedError("dict: items must be a list")
        out = collections.OrderedDict() if v.get("ordered") is True else {}
        for it in items:
            if type(it) is not list or len(it) != 2:
                raise TaggedError("dict: each item must be [key, value]")
            out[_hashable(_dec(it[0], depth + 1))] = _dec(it[1], depth + 1)
        return out
    if typ in ("tuple", "set", "frozenset"):
        _only(v, {"$type", "value"}, typ)
        items = v.get("value")
        if type(items) is not list:
            raise TaggedError("%s: value must be a list" % typ)
        xs = [_dec(x, depth + 1) for x in items]
        if typ == "tuple":
            return tuple(xs)
        return (set if typ == "set" else frozenset)(_hashable(x) for x in xs)
    if typ in ("bytes", "bytearray"):
        _only(v, {"$type", "value"}, typ)
        b = _unb64(v.get("value"), typ)
        return b if typ == "bytes" else bytearray(b)
    if typ in ("datetime", "time"):
        _only(v, {"$type", "value", "tz", "fold"}, typ)
        s = v.get("value")
        if type(s) is not str:
            raise TaggedError("%s: value must be a string" % typ)
        cls = datetime.datetime if typ == "datetime" else datetime.time
        try:
            x = cls.fromisoformat(s)
        except ValueError as e:
            raise TaggedError("%s: %s" % (typ, e)) from None
        fold = v.get("fold", 0)
        if fold not in (0, 1) or type(fold) is not int:
            raise TaggedError("%s: fold must be 0 or 1" % typ)
        return x.replace(tzinfo=decode_tz(v.get("tz")), fold=fold)
    if typ == "date":
        _only(v, {"$type", "value"}, typ)
        try:
            return datetime.date.fromisoformat(v.get("value"))
        except (TypeError, ValueError) as e:
            raise TaggedError("date: %s" % e) from None
    if typ == "timedelta":
        _only(v, {"$type", "days", "seconds", "microseconds"}, typ)
        parts = [v.get(n, 0) for n in ("days", "seconds", "microseconds")]
        if any(type(p) is not int for p in parts):
            raise TaggedError("timedelta: fields must be integers")
        return datetime.timedelta(days=parts[0], seconds=parts[1], microseconds=parts[2])
    if typ == "decimal":
        _only(v, {"$type", "value"}, typ)
        try:
            return decimal.Decimal(v.get("value"))
        except (TypeError, decimal.InvalidOperation) as e:
            raise TaggedError("decimal: %s" % e) from None
    if typ == "uuid":
        _only(v, {"$type", "value"}, typ)
        try:
            return uuid.UUID(v.get("value"))
        except (TypeError, ValueError, AttributeError) as e:
            raise TaggedError("uuid: %s" % e) from None
    if typ == "object":
        raise TaggedError("object values (%s) are not supported by the decoder" % (v.get("class"),))
    raise TaggedError("unknown $type %r" % (typ,))


def decode(data):
    """The Python value for tagged JSON data (as json.loads returns it)."""
    with _deep_stack():
        return _dec(data, 0)


def loads(text):
    """The Python value for tagged JSON text."""
    return decode(json.loads(text))


if __name__ == "__main__":  # round-trip self check: python3 tagged.py
    import zoneinfo
    samples = [
        None, True, 0, -1, 2 ** 63 - 1, 2 ** 63, -2 ** 63 - 1, 1.0, -0.0, 1e16, float("nan"), float("inf"),
        "é😀\x00", "\ud800x", {"a": 1, "b": [1, 2]}, {1: 2, "$type": 3}, collections.OrderedDict(a=1),
        (1, 2), {1, 2}, frozenset({3}), b"\x00\xff", bytearray(b"ab"),
        datetime.datetime(2030, 1, 2, 3, 4, 5, 6), datetime.datetime(2030, 1, 2, tzinfo=datetime.timezone.utc),
        datetime.datetime(2030, 1, 2, tzinfo=datetime.timezone(datetime.timedelta(hours=1), "CET")),
        datetime.datetime(2030, 1, 2, tzinfo=datetime.timezone(datetime.timedelta(seconds=1, microseconds=5))),
        datetime.datetime(2021, 11, 7, 1, 30, fold=1, tzinfo=zoneinfo.ZoneInfo("America/New_York")),
        datetime.time(3, 4, 5, tzinfo=datetime.timezone.utc), datetime.date(2030, 1, 2),
        datetime.timedelta(days=-1, seconds=5), decimal.Decimal("1.10"), decimal.Decimal("NaN"),
        uuid.UUID(int=5),
    ]
    for s in samples:
        back = loads(dumps(s))
        ok = (back != back and s != s) or (back == s and type(back) is type(s))
        if isinstance(s, datetime.datetime) and s.tzinfo is not None:
            ok = ok and back.tzinfo == s.tzinfo and back.fold == s.fold
        print("ok " if ok else "BAD", dumps(s))
        if not ok:
            sys.exit(1)
