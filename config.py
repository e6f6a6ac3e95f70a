"""Settings per environment, read from the environment.

`create_app()` picks a class by the LMS_ENV variable (development, testing, production);
tests pass a class or a mapping directly.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent


class Env:
    """A setting read from the environment when the app is created, not at import."""

    def __init__(self, name: str, default: Any = None, cast: Callable[[str], Any] = str):
        self.name, self.default, self.cast = name, default, cast

    def resolve(self) -> Any:
        value = os.environ.get(self.name)
        if value is None or value == "":
            return self.default.resolve() if isinstance(self.default, Env) else self.default
        return self.cast(value)


def _as_bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _bool(name: str, default: bool = False) -> Env:
    return Env(name, default, _as_bool)


def _int(name: str, default: int) -> Env:
    return Env(name, default, int)


def _str(name: str, default: str | None = None) -> Env:
    return Env(name, default)


def _seconds_list(name: str, default: tuple[int, ...]) -> Env:
    """Comma-separated whole seconds, e.g. "30,300"."""
    return Env(name, default, lambda value: tuple(int(part) for part in value.split(",")))


def settings(config_class: type) -> dict[str, Any]:
    """The upper-case settings of a config class, with environment values read now."""
    values = {}
    for key in dir(config_class):
        if key.isupper():
            value = getattr(config_class, key)
            values[key] = value.resolve() if isinstance(value, Env) else value
    return values


class Config:
    """Settings shared by every environment."""

    SECRET_KEY = _str("SECRET_KEY", "")
    SQLALCHEMY_DATABASE_URI = _str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'instance' / 'lms.db'}")
    # No ping before each checkout (a round trip per request): lms.connections checks the
    # socket instead, so the pool still survives a database restart unseen by users.
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": False}
    # Seconds to wait for a new PostgreSQL connection: an unreachable server costs a request
    # this long at most (then 503), instead of the operating system's minutes.
    DATABASE_CONNECT_TIMEOUT = _int("DATABASE_CONNECT_TIMEOUT", 5)
    SQLALCHEMY_RECORD_QUERIES = False

    PROVIDER_NAME = _str("PROVIDER_NAME", "Meridian Trigger Point Institute")
    SERVER_NAME = _str("SERVER_NAME")
    PREFERRED_URL_SCHEME = _str("PREFERRED_URL_SCHEME", "http")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = 60 * 60 * 24 * 30

    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    MAX_CONTENT_LENGTH = _int("MAX_CONTENT_LENGTH", 16 * 1024 * 1024)

    BOOTSTRAP_SERVE_LOCAL = True

    MAIL_SERVER = _str("MAIL_SERVER", "localhost")
    MAIL_PORT = _int("MAIL_PORT", 25)
    MAIL_USE_TLS = _bool("MAIL_USE_TLS")
    MAIL_USE_SSL = _bool("MAIL_USE_SSL")
    MAIL_USERNAME = _str("MAIL_USERNAME")
    MAIL_PASSWORD = _str("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = _str("MAIL_DEFAULT_SENDER", "no-reply@lms.local")
    # Development prints mail to the console instead of needing an SMTP server.
    MAIL_CONSOLE = _bool("MAIL_CONSOLE")

    # Redis, shared by every app server and worker: background jobs (JOB_RUNNER=rq),
    # rate-limit counters, and the page cache with CACHE_TYPE=RedisCache.
    REDIS_URL = _str("REDIS_URL")

    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    RATELIMIT_STORAGE_URI = _str("REDIS_URL", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = _str("LOGIN_RATE_LIMIT", "20 per minute")
    ACCOUNT_LOCKOUT_THRESHOLD = _int("ACCOUNT_LOCKOUT_THRESHOLD", 5)
    ACCOUNT_LOCKOUT_SECONDS = _int("ACCOUNT_LOCKOUT_SECONDS", 300)
    PASSWORD_RESET_MAX_AGE = _int("PASSWORD_RESET_MAX_AGE", 3600)
    EMAIL_VERIFY_MAX_AGE = _int("EMAIL_VERIFY_MAX_AGE", 3 * 24 * 3600)

    # Page cache for anonymous catalog pages: per process by default, shared with Redis.
    CACHE_TYPE = Env("CACHE_TYPE", "SimpleCache")
    CACHE_REDIS_URL = _str("REDIS_URL")
    CACHE_DEFAULT_TIMEOUT = 60
    CATALOG_CACHE_SECONDS = _int("CATALOG_CACHE_SECONDS", 60)
    # How long an app server trusts its last look at the catalog version.
    CATALOG_VERSION_SECONDS = 2.0

    # Object storage: "local" (files under LOCAL_STORAGE_PATH, served by the app through
    # signed URLs) or "s3" (any S3 API; browsers upload and download directly).
    STORAGE_BACKEND = _str("STORAGE_BACKEND", "local")
    LOCAL_STORAGE_PATH = _str("LOCAL_STORAGE_PATH", str(BASE_DIR / "instance" / "storage"))
    S3_BUCKET = _str("S3_BUCKET")
    S3_REGION = _str("S3_REGION", "us-east-1")
    S3_ENDPOINT_URL = _str("S3_ENDPOINT_URL")
    S3_PUBLIC_ENDPOINT_URL = _str("S3_PUBLIC_ENDPOINT_URL")
    S3_ACCESS_KEY_ID = _str("S3_ACCESS_KEY_ID")
    S3_SECRET_ACCESS_KEY = _str("S3_SECRET_ACCESS_KEY")
    SIGNED_URL_EXPIRY = _int("SIGNED_URL_EXPIRY", 3600)

    # Security headers: production redirects to https and sends HSTS; PROXY_COUNT is the
    # number of proxies in front of the app whose X-Forwarded-* headers are trusted.
    FORCE_HTTPS = _bool("FORCE_HTTPS", False)
    HSTS = _bool("HSTS", False)
    PROXY_COUNT = _int("PROXY_COUNT", 0)
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    # Lesson videos. Browsers upload straight to storage in parts of VIDEO_PART_SIZE bytes;
    # S3 needs every part but the last to be at least 5 MiB (VIDEO_MIN_PART_SIZE), the local
    # backend accepts smaller parts (the browser tests use them).
    VIDEO_MAX_BYTES = _int("VIDEO_MAX_BYTES", 10 * 1024**3)
    VIDEO_PART_SIZE = _int("VIDEO_PART_SIZE", 16 * 1024 * 1024)
    VIDEO_MIN_PART_SIZE = _int("VIDEO_MIN_PART_SIZE", 5 * 1024 * 1024)
    # Lifetime of a playback URL; the player asks for a fresh one when it runs out.
    PLAYBACK_URL_EXPIRY = _int("PLAYBACK_URL_EXPIRY", 3600)
    CAPTIONS_MAX_BYTES = _int("CAPTIONS_MAX_BYTES", 1024 * 1024)
    HANDOUT_MAX_BYTES = _int("HANDOUT_MAX_BYTES", 50 * 1024 * 1024)
    # Watch reports: largest body accepted, and how long a lesson page's report token lasts.
    WATCH_REPORT_MAX_BYTES = _int("WATCH_REPORT_MAX_BYTES", 64 * 1024)
    WATCH_TOKEN_MAX_AGE = _int("WATCH_TOKEN_MAX_AGE", 12 * 3600)
    # Dashboards: an active learner with no lesson activity for this long has "stalled";
    # one learner gets at most one reminder per course in the cool-down.
    STALLED_AFTER_DAYS = _int("STALLED_AFTER_DAYS", 14)
    REMINDER_COOLDOWN_DAYS = _int("REMINDER_COOLDOWN_DAYS", 3)
    # Certificates. Without a configured key and certificate (PEM), a self-signed demo pair
    # is generated into the instance folder on first use.
    CERT_SIGNING_KEY_PATH = _str("CERT_SIGNING_KEY_PATH")
    CERT_SIGNING_CERT_PATH = _str("CERT_SIGNING_CERT_PATH")
    CERT_NUMBER_PREFIX = _str("CERT_NUMBER_PREFIX", "MTP")
    # Public address printed (and in the QR code) on certificates, e.g. https://ce.example.org
    # Unset: the address the request came in on (or http://127.0.0.1:5000 outside requests).
    CERT_VERIFY_BASE_URL = _str("CERT_VERIFY_BASE_URL")
    VERIFY_RATE_LIMIT = _str("VERIFY_RATE_LIMIT", "30 per minute")
    # CE Broker profession code for acupuncturists in roster uploads.
    CE_BROKER_PROFESSION_CODE = _str("CE_BROKER_PROFESSION_CODE", "AP")
    # Background jobs (bulk issuance): "thread" runs them in the app process; "rq" hands
    # them to `flask lms worker` processes through Redis (REDIS_URL, queue JOB_QUEUE);
    # "manual" leaves them queued for `flask lms run-jobs` or a test calling run_job().
    JOB_RUNNER = _str("JOB_RUNNER", "thread")
    JOB_QUEUE = _str("JOB_QUEUE", "lms-jobs")
    # A job that raises runs again, up to JOB_MAX_ATTEMPTS runs in all; under RQ after the
    # waits of JOB_RETRY_BACKOFF (seconds; the last one repeats), under the thread runner
    # on its next poll. RQ stops a run after JOB_TIMEOUT seconds (and counts it failed).
    JOB_MAX_ATTEMPTS = _int("JOB_MAX_ATTEMPTS", 3)
    JOB_RETRY_BACKOFF = _seconds_list("JOB_RETRY_BACKOFF", (30, 300))
    JOB_TIMEOUT = _int("JOB_TIMEOUT", 3600)

    # Benchmarks read the number of SQL statements a request ran from this header.
    QUERY_COUNT_HEADER = _bool("LMS_QUERY_COUNT_HEADER")


class DevelopmentConfig(Config):
    """`make run`: embedded SQLite, mail on the console."""

    DEBUG = False
    SECRET_KEY = _str("SECRET_KEY", "dev-only-not-secret")
    MAIL_CONSOLE = _bool("MAIL_CONSOLE", True)


class TestingConfig(Config):
    """pytest: the suite passes DATABASE_URL of its throwaway PostgreSQL."""

    TESTING = True
    SECRET_KEY = "testing-secret"  # noqa: S105  (tests only)
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    MAIL_CONSOLE = False
    # Flask-Mail would swallow mail under TESTING; the suite reads it from a real SMTP server.
    MAIL_SUPPRESS_SEND = False
    SERVER_NAME = None
    CATALOG_CACHE_SECONDS = 0  # tests that cache turn it on themselves
    # Still Argon2id, with less memory and time: the suite creates hundreds of accounts.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_KIB = 8192
    CATALOG_VERSION_SECONDS = 0.0
    JOB_RUNNER = "manual"


class ProductionConfig(Config):
    """gunicorn behind a proxy, PostgreSQL, S3."""

    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    PREFERRED_URL_SCHEME = _str("PREFERRED_URL_SCHEME", "https")
    FORCE_HTTPS = _bool("FORCE_HTTPS", True)
    HSTS = _bool("HSTS", True)
    PROXY_COUNT = _int("PROXY_COUNT", 1)

    @classmethod
    def check(cls) -> None:
        """Refuse to start with settings that would be unsafe in production."""
        problems = []
        if not os.environ.get("SECRET_KEY"):
            problems.append("SECRET_KEY is not set: set it to a long random string.")
        url = os.environ.get("DATABASE_URL", "")
        if not url or url.startswith("sqlite"):
            problems.append(
                "DATABASE_URL must name a server database, e.g. "
                "postgresql+psycopg://user:password@host:5432/lms"
            )
        if problems:
            raise RuntimeError("Production configuration incomplete:\n  " + "\n  ".join(problems))


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
