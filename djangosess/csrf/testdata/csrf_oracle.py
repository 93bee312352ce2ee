"""Django's CsrfViewMiddleware for the Go tests, one JSON request per line.

Run under /usr/bin/python3 with PYTHONPATH pointing at a Django checkout
(or none, for Debian's Django 3.2).

Requests (JSON objects; "op" selects):
  {"op": "check", "settings": {...}, "method", "path", "secure",
   "meta": {"HTTP_HOST": ..., "SERVER_PORT": ..., "HTTP_COOKIE": ...},
   "body", "content_type", "session": {...} or null}
        a RequestFactory request through process_request and process_view:
        {"value": null} when accepted, {"value": "<reason>"} when rejected
  {"op": "get_token", "settings", "secure", "meta", "session"}
        get_token() then process_response: {"value": {"token", "cookie",
        "session"}} (cookie: the csrftoken value set on the response)
  {"op": "rotate_token", "settings", "secure", "meta", "session"}
        rotate_token() (what auth's login() calls) then process_response:
        {"value": {"cookie", "session"}}
  {"op": "unmask", "token"}  -> _unmask_cipher_token(token)
  {"op": "mask", "secret"}   -> _mask_cipher_secret(secret)
"settings" are Django settings overridden for the request (CSRF_*,
ALLOWED_HOSTS, USE_X_FORWARDED_HOST, SECURE_PROXY_SSL_HEADER, ...).
Every answer is {"value": ...} or {"error": exception class name, "message"}.
"""
import json
import sys
import warnings

warnings.simplefilter("ignore")

import django
from django.conf import settings

settings.configure(
    SECRET_KEY="csrf-oracle",
    DEBUG=False,
    ALLOWED_HOSTS=["*"],
    INSTALLED_APPS=[],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
)
django.setup()

urlpatterns = []

from django.http import HttpResponse
from django.middleware import csrf
from django.test import RequestFactory
from django.test.utils import override_settings


class Middleware(csrf.CsrfViewMiddleware):
    """Returns the reason instead of rendering CSRF_FAILURE_VIEW."""

    def _reject(self, request, reason):
        return reason


def view(request):
    return HttpResponse("ok")


class Session(dict):
    """request.session for CSRF_USE_SESSIONS: a dict has the get() and
    item assignment the middleware uses."""


def build(req):
    meta = dict(req.get("meta") or {})
    rf = RequestFactory()
    request = rf.generic(
        req.get("method", "POST"),
        req.get("path", "/"),
        data=req.get("body", "").encode("latin-1"),
        content_type=req.get("content_type") or "application/octet-stream",
        secure=bool(req.get("secure")),
        **meta,
    )
    if req.get("session") is not None:
        request.session = Session(req["session"])
    return request


def check(req):
    request = build(req)
    mw = Middleware(lambda r: HttpResponse())
    mw.process_request(request)
    return mw.process_view(request, view, (), {})


def get_token(req):
    request = build(req)
    mw = Middleware(lambda r: HttpResponse())
    mw.process_request(request)
    token = csrf.get_token(request)
    response = mw.process_response(request, HttpResponse())
    morsel = response.cookies.get(settings.CSRF_COOKIE_NAME)
    return {
        "token": token,
        "cookie": morsel.value if morsel is not None else None,
        "session": dict(request.session) if hasattr(request, "session") else None,
    }


def rotate_token(req):
    request = build(req)
    mw = Middleware(lambda r: HttpResponse())
    mw.process_request(request)
    csrf.rotate_token(request)
    response = mw.process_response(request, HttpResponse())
    morsel = response.cookies.get(settings.CSRF_COOKIE_NAME)
    return {
        "cookie": morsel.value if morsel is not None else None,
        "session": dict(request.session) if hasattr(request, "session") else None,
    }


def handle(req):
    op = req["op"]
    if op == "version":
        return django.get_version()
    if op == "unmask":
        return csrf._unmask_cipher_token(req["token"])
    if op == "mask":
        return csrf._mask_cipher_secret(req["secret"])
    with override_settings(**req.get("settings", {})):
        if op == "check":
            return check(req)
        if op == "get_token":
            return get_token(req)
        if op == "rotate_token":
            return rotate_token(req)
    raise KeyError(op)


for line in sys.stdin:
    req = json.loads(line)
    try:
        ans = {"value": handle(req)}
    except Exception as e:  # the Go side reports exception classes
        ans = {"error": type(e).__name__, "message": str(e)}
    sys.stdout.write(json.dumps(ans) + "\n")
    sys.stdout.flush()
