"""Django settings, read strictly from the environment (see docs/configuration.md)."""

from __future__ import annotations

from pathlib import Path

from newsdesk.config import database_from_url, env_bool, env_int, env_list, env_str, sqlite_database

BASE_DIR = Path.cwd()
DEBUG = env_bool("NEWSDESK_DEBUG", False)
#: signs links and sessions, so it must stay the same across restarts and processes:
#: required (the `newsdesk` command refuses to start without it), except by the demo,
#: which keeps its own beside its database. Empty here, Django refuses to use it.
SECRET_KEY = env_str("NEWSDESK_SECRET_KEY")
ALLOWED_HOSTS = env_list("NEWSDESK_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])

_db_url = env_str("DATABASE_URL")
DATABASES = {
    "default": database_from_url(_db_url, BASE_DIR)
    if _db_url
    else sqlite_database(BASE_DIR / "newsdesk.sqlite3")
}

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.staticfiles",
    "newsdesk.newsroom",
    "newsdesk.ingest",
    "newsdesk.web",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "newsdesk.web.security.ContentSecurityPolicyMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
ROOT_URLCONF = "newsdesk.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "newsdesk.web.context.navigation",
            ]
        },
    }
]
WSGI_APPLICATION = "newsdesk.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "UTC"
LANGUAGE_CODE = "en-us"
STATIC_URL = "static/"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# ingest
NEWSDESK_USER_AGENT = env_str("NEWSDESK_USER_AGENT")
NEWSDESK_FETCH_MAX_BYTES = env_int("NEWSDESK_FETCH_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)
NEWSDESK_FETCH_TIMEOUT = env_int("NEWSDESK_FETCH_TIMEOUT", 60, minimum=1)
NEWSDESK_PER_HOST_CONCURRENCY = env_int("NEWSDESK_PER_HOST_CONCURRENCY", 2, minimum=1)
NEWSDESK_PER_HOST_DELAY_MS = env_int("NEWSDESK_PER_HOST_DELAY_MS", 0, minimum=0)
NEWSDESK_WORKER_PROCESSES = env_int("NEWSDESK_WORKER_PROCESSES", 0, minimum=0)
NEWSDESK_FETCH_WORKERS = env_int("NEWSDESK_FETCH_WORKERS", 16, minimum=1)
NEWSDESK_POLL_MINUTES = env_int("NEWSDESK_POLL_MINUTES", 30, minimum=1)
NEWSDESK_ALLOW_HOSTS = env_list("NEWSDESK_ALLOW_HOSTS", [])
NEWSDESK_STORY_MAX_DAYS = env_int("NEWSDESK_STORY_MAX_DAYS", 21, minimum=1)
NEWSDESK_RETRAIN_DAYS = env_int("NEWSDESK_RETRAIN_DAYS", 7, minimum=1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"trafilatura": {"level": "CRITICAL"}, "htmldate": {"level": "CRITICAL"}},
}

# input limits: a real bulletin never meets them (pipeline/limits.py)
NEWSDESK_MAX_ISSUE_ITEMS = env_int("NEWSDESK_MAX_ISSUE_ITEMS", 200, minimum=1)
NEWSDESK_MAX_ITEM_WORDS = env_int("NEWSDESK_MAX_ITEM_WORDS", 3000, minimum=1)
NEWSDESK_MAX_ARTICLE_BYTES = env_int("NEWSDESK_MAX_ARTICLE_BYTES", 5 * 1024 * 1024, minimum=1024)
NEWSDESK_MAX_IMPORT_BYTES = env_int("NEWSDESK_MAX_IMPORT_BYTES", 5 * 1024 * 1024, minimum=1024)
