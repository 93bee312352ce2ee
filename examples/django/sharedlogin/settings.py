"""Settings of the shared-login example, read from the environment.

The Go service in ../goservice and `djangosess serve` read the same
variables, so one environment configures all three:

    DJANGO_SECRET_KEY            SECRET_KEY (required)
    DJANGO_SECRET_KEY_FALLBACKS  SECRET_KEY_FALLBACKS, one key per line (Django 4.1+)
    DATABASE_URL                 postgres://USER:PASSWORD@HOST:PORT/NAME[?search_path=SCHEMA]
                                 or sqlite:///relative/path, sqlite:////absolute/path
    CACHE_URL                    redis://HOST:PORT/DB (default redis://127.0.0.1:6379/0)
    CACHE_KEY_PREFIX             the cache's KEY_PREFIX (default empty)
    CACHE_VERSION                the cache's VERSION (default 1)
    CACHE_CLIENT                 django-redis (default) or django (Django 4.0+'s RedisCache)
    SESSION_ENGINE               db, cache or cached_db (default cached_db)
    SESSION_COOKIE_NAME          default sessionid
    DJANGO_ALLOWED_HOSTS         extra hosts, comma-separated (loopback is always allowed)
    DJANGO_DEBUG                 1 for DEBUG = True
    DB_CONN_MAX_AGE              CONN_MAX_AGE in seconds (default 60)
"""
import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name, default=""):
    return os.environ.get(name, default)


def database_from_url(url, conn_max_age):
    """DATABASES["default"] from a dj-database-url style URL."""
    if url.startswith("sqlite://"):
        path = url[len("sqlite://"):]
        if path.startswith("//"):  # sqlite:////absolute
            name = path[1:]
        elif path.startswith("/"):  # sqlite:///relative
            name = str(BASE_DIR / path[1:])
        else:
            raise ValueError("DATABASE_URL: sqlite URLs are sqlite:///relative or sqlite:////absolute")
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": name}
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        raise ValueError("DATABASE_URL: want postgres:// or sqlite:///")
    query = parse_qs(parts.query)
    options = {}
    if "sslmode" in query:
        options["sslmode"] = query["sslmode"][-1]
    if "search_path" in query:
        # pgx reads search_path from the URL as a run-time parameter;
        # psycopg2 takes it through libpq's options.
        options["options"] = "-c search_path=" + query["search_path"][-1]
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parts.path.lstrip("/")),
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
        "OPTIONS": options,
        "CONN_MAX_AGE": conn_max_age,
    }


SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
SECRET_KEY_FALLBACKS = [k for k in env("DJANGO_SECRET_KEY_FALLBACKS").splitlines() if k]

DEBUG = env("DJANGO_DEBUG") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"] + [h for h in env("DJANGO_ALLOWED_HOSTS").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "sharedlogin",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "sharedlogin.urls"
WSGI_APPLICATION = "sharedlogin.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
            ],
        },
    },
]

DATABASES = {"default": database_from_url(env("DATABASE_URL", "sqlite:///db.sqlite3"), int(env("DB_CONN_MAX_AGE", "60")))}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

CACHE_BACKENDS = {
    "django-redis": "django_redis.cache.RedisCache",
    "django": "django.core.cache.backends.redis.RedisCache",
}
CACHES = {
    "default": {
        "BACKEND": CACHE_BACKENDS[env("CACHE_CLIENT", "django-redis")],
        "LOCATION": env("CACHE_URL", "redis://127.0.0.1:6379/0"),
        "KEY_PREFIX": env("CACHE_KEY_PREFIX"),
        "VERSION": int(env("CACHE_VERSION", "1")),
    }
}

SESSION_ENGINE = "django.contrib.sessions.backends." + env("SESSION_ENGINE", "cached_db").rsplit(".", 1)[-1]
SESSION_COOKIE_NAME = env("SESSION_COOKIE_NAME", "sessionid")

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/whoami/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

USE_TZ = True
TIME_ZONE = "UTC"
LANGUAGE_CODE = "en-us"
USE_I18N = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
