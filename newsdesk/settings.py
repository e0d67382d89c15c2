"""Django settings, read strictly from the environment (see docs/configuration.md)."""

from __future__ import annotations

from pathlib import Path

from newsdesk.config import (
    database_setting,
    env_bool,
    env_int,
    env_list,
    env_networks,
    env_str,
    env_url,
    finish_reading,
    one_of,
    origins,
    start_reading,
)
from newsdesk.logs import FORMATS, LEVELS, logging_config
from newsdesk.queues import QUEUES

#: every bad value below is noted and all are raised together at the end of the file
_reading = start_reading()
BASE_DIR = Path.cwd()
DEBUG = env_bool("NEWSDESK_DEBUG", False)
#: signs links and sessions, so it must stay the same across restarts and processes:
#: required (the `newsdesk` command refuses to start without it), except by the demo,
#: which keeps its own beside its database. Empty here, Django refuses to use it.
SECRET_KEY = env_str("NEWSDESK_SECRET_KEY")
ALLOWED_HOSTS = env_list("NEWSDESK_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])

DATABASES = {"default": database_setting(env_str("DATABASE_URL"), BASE_DIR)}

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "newsdesk.newsroom",
    "newsdesk.ingest",
    "newsdesk.web",
    "newsdesk.desk",
    "newsdesk.archive",
    "newsdesk.mailing",
    "newsdesk.ops",
]
#: background work: tasks stored in the database (django-tasks-db), run by `newsdesk worker`
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": list(QUEUES),
    }
}
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # static files straight from the apps' folders (WHITENOISE_USE_FINDERS below)
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "newsdesk.web.security.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "newsdesk.web.security.RefuseNulMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]
ROOT_URLCONF = "newsdesk.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
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
#: WhiteNoise serves the apps' static files where they lie, found at start-up: no
#: collectstatic step (docs/site.md, "Serving it in production")
WHITENOISE_USE_FINDERS = True
#: how long browsers and proxies may keep a public page without asking again (0: they
#: ask each time, and an unchanged page costs a 304)
NEWSDESK_PAGE_MAX_AGE = env_int("NEWSDESK_PAGE_MAX_AGE", 0, minimum=0)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

# the desk's accounts (docs/desk.md)
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/desk/"
LOGOUT_REDIRECT_URL = "/accounts/login/"
#: session and CSRF cookies only over HTTPS; the demo, served on 127.0.0.1 over plain
#: HTTP, turns this off
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("NEWSDESK_SECURE_COOKIES", True)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("NEWSDESK_SESSION_HOURS", 12, minimum=1) * 3600
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
#: failed log-ins in NEWSDESK_LOGIN_WINDOW_MINUTES before an account (or an address, at
#: four times as many) must wait (desk/throttle.py)
NEWSDESK_LOGIN_FAILURES = env_int("NEWSDESK_LOGIN_FAILURES", 5, minimum=1)
NEWSDESK_LOGIN_WINDOW_MINUTES = env_int("NEWSDESK_LOGIN_WINDOW_MINUTES", 15, minimum=1)

# mail (password resets now; the mailing list later), with Django's names; without
# EMAIL_HOST messages are printed on the console instead of sent
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "newsdesk@localhost")
#: the mailing list (docs/mailing.md): how long a confirmation link works, and how many
#: sign-ups one network address may make an hour
NEWSDESK_CONFIRM_DAYS = env_int("NEWSDESK_CONFIRM_DAYS", 3, minimum=1)
NEWSDESK_SIGNUPS_PER_HOUR = env_int("NEWSDESK_SIGNUPS_PER_HOUR", 10, minimum=1)
#: reverse proxies in front of newsdesk whose X-Forwarded-For is believed (sign-up limit)
NEWSDESK_TRUSTED_PROXIES = env_networks("NEWSDESK_TRUSTED_PROXIES")
#: sending issues (docs/mailing.md, Sending): SMTP connections at once, messages a
#: second in all (0: no limit), the first retry's wait after a 4xx or a timeout (it
#: doubles each time) and how many tries in all, permanent failures (5xx) before an
#: address is suppressed, the envelope sender that bounces come back to (VERP:
#: bounces+TOKEN@domain; bounces@ the From domain when unset), the mailto
#: unsubscribe address (the bounce address when unset), and when a silent sender
#: elsewhere is taken for dead
NEWSDESK_MAIL_CONNECTIONS = env_int("NEWSDESK_MAIL_CONNECTIONS", 4, minimum=1)
NEWSDESK_MAIL_RATE = env_int("NEWSDESK_MAIL_RATE", 0, minimum=0)
NEWSDESK_MAIL_RETRY_MINUTES = env_int("NEWSDESK_MAIL_RETRY_MINUTES", 10, minimum=1)
#: a maildir where the mail server delivers what comes back to the bounce address: the
#: scheduler has it read every NEWSDESK_BOUNCE_MINUTES (empty: `newsdesk mail bounces`)
NEWSDESK_BOUNCE_MAILDIR = env_str("NEWSDESK_BOUNCE_MAILDIR")
NEWSDESK_BOUNCE_MINUTES = env_int("NEWSDESK_BOUNCE_MINUTES", 10, minimum=1)
NEWSDESK_MAIL_ATTEMPTS = env_int("NEWSDESK_MAIL_ATTEMPTS", 6, minimum=1)
NEWSDESK_MAIL_SUPPRESS_AFTER = env_int("NEWSDESK_MAIL_SUPPRESS_AFTER", 1, minimum=1)
NEWSDESK_MAIL_BOUNCE_ADDRESS = env_str("NEWSDESK_MAIL_BOUNCE_ADDRESS")
NEWSDESK_MAIL_UNSUBSCRIBE_ADDRESS = env_str("NEWSDESK_MAIL_UNSUBSCRIBE_ADDRESS")
NEWSDESK_MAIL_SENDER_STALE_SECONDS = env_int("NEWSDESK_MAIL_SENDER_STALE_SECONDS", 60, minimum=10)

# ingest
#: the public site's address (absolute links in metadata and feeds); the request's when unset
NEWSDESK_SITE_URL = env_url("NEWSDESK_SITE_URL")
#: the dynamic app's address, for what a static export cannot answer (search,
#: subscribe); the site's address when unset
NEWSDESK_APP_URL = env_url("NEWSDESK_APP_URL")
#: behind a proxy terminating TLS (docs/site.md) the server sees plain HTTP while the
#: browser's POST says `Origin: https://...`: Django's CSRF check would refuse every
#: form (the log-in first) unless the public addresses the operator named are trusted
CSRF_TRUSTED_ORIGINS = origins(NEWSDESK_SITE_URL, NEWSDESK_APP_URL)
#: the refusal page says why a form was refused: no cookie, a log-in since, another site
CSRF_FAILURE_VIEW = "newsdesk.web.security.csrf_failure"
#: with it set, the scheduler exports each publication's site to DIR/SLUG after every
#: change readers see (newsdesk/archive/tasks.py); empty: no export by itself
NEWSDESK_EXPORT_DIR = env_str("NEWSDESK_EXPORT_DIR")
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
#: the scheduler refreshes the stories at most this often when articles come in
NEWSDESK_REFRESH_MINUTES = env_int("NEWSDESK_REFRESH_MINUTES", 10, minimum=1)
#: a worker or scheduler not heard from for this long is dead: its running task goes
#: back to the queue (heartbeats come six times as often, at most every 5 s)
NEWSDESK_WORKER_STALE_SECONDS = env_int("NEWSDESK_WORKER_STALE_SECONDS", 30, minimum=2)

#: one line per event on stderr, text or JSON, with task, source and issue ids; secrets
#: and addresses taken out (newsdesk/logs.py, docs/operations.md "Logs")
LOGGING = logging_config(
    one_of("NEWSDESK_LOG_FORMAT", env_str("NEWSDESK_LOG_FORMAT"), FORMATS, "text"),
    one_of("NEWSDESK_LOG_LEVEL", env_str("NEWSDESK_LOG_LEVEL"), LEVELS, "info"),
)

# input limits: a real bulletin never meets them (pipeline/limits.py)
NEWSDESK_MAX_ISSUE_ITEMS = env_int("NEWSDESK_MAX_ISSUE_ITEMS", 200, minimum=1)
NEWSDESK_MAX_ITEM_WORDS = env_int("NEWSDESK_MAX_ITEM_WORDS", 3000, minimum=1)
NEWSDESK_MAX_ARTICLE_BYTES = env_int("NEWSDESK_MAX_ARTICLE_BYTES", 5 * 1024 * 1024, minimum=1024)
NEWSDESK_MAX_IMPORT_BYTES = env_int("NEWSDESK_MAX_IMPORT_BYTES", 5 * 1024 * 1024, minimum=1024)
NEWSDESK_MAX_FEED_ENTRIES = env_int("NEWSDESK_MAX_FEED_ENTRIES", 500, minimum=1)
#: a form posted to the desk (a pasted article, URL-encoded: up to three bytes a
#: character) may be that big, so our limit, not Django's 2.5 MB, answers first
DATA_UPLOAD_MAX_MEMORY_SIZE = 3 * NEWSDESK_MAX_ARTICLE_BYTES + 64 * 1024
#: an uploaded file goes to disk only up to NEWSDESK_MAX_IMPORT_BYTES (web/uploads.py)
FILE_UPLOAD_HANDLERS = [
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "newsdesk.web.uploads.CappedTemporaryFileUploadHandler",
]

finish_reading(_reading)  # keep last: raises every problem found above, all at once
