"""Logs: one line per event, as text or JSON (NEWSDESK_LOG_FORMAT), each carrying the
ids of what it is about (task, source, issue) and never a secret or an address.

Code that knows what it works on says so once, with `log_context(source=12)`; every
line logged inside, by any logger, carries it. The task wrapper (tasking.py) sets the
task's name, id and attempt, and the ids among its arguments.

Redaction works on the finished message and traceback, so a secret or a subscriber's
address passed in an argument, an exception or a URL is caught as well: addresses
become "[address]", the values of settings whose names hold KEY, SECRET, PASSWORD or
TOKEN become "[redacted]".

This module sits under the apps (settings name its classes): it imports none of them.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from django.conf import settings

FORMATS = ("text", "json")
LEVELS = ("debug", "info", "warning", "error", "critical")
#: the ids a line may carry, in the order text lines show them
FIELDS = ("task", "task_id", "attempt", "worker", "source", "issue", "publication", "story")
SECRET_WORDS = ("KEY", "SECRET", "PASSWORD", "TOKEN")
#: shorter values are not secrets worth hiding (True, 0, ...), and hiding them would
#: blank ordinary words in every line
SHORTEST_SECRET = 6
ADDRESS = re.compile(r"[\w.%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z0-9-]{2,}")

#: a tuple of pairs: immutable, so no context can change another's
_context: ContextVar[tuple[tuple[str, object], ...]] = ContextVar(
    "newsdesk_log_context", default=()
)


@contextmanager
def log_context(**ids: object) -> Iterator[None]:
    """Every line logged inside carries `ids` (None values left out), on top of the
    ids of an outer context."""
    merged = dict(_context.get()) | {k: v for k, v in ids.items() if v is not None}
    token = _context.set(tuple(merged.items()))
    try:
        yield
    finally:
        _context.reset(token)


def current_context() -> dict[str, object]:
    return dict(_context.get())


class ContextFilter(logging.Filter):
    """Puts the ids of the current `log_context` on the record, as `record.ids`."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "ids"):
            record.ids = current_context()
        return True


class RedactFilter(logging.Filter):
    """Takes addresses and secrets out of the message and traceback of every record."""

    def __init__(self, name: str = "", secrets: list[str] | None = None) -> None:
        super().__init__(name)
        self._secrets = secrets

    @property
    def secrets(self) -> list[str]:
        if self._secrets is None:  # at the first line: the settings are read by then
            self._secrets = sorted(secret_values(), key=len, reverse=True)
        return self._secrets

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "[redacted]")
        return ADDRESS.sub("[address]", text)

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = self.redact(record.getMessage()), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def is_secret_name(name: str) -> bool:
    return any(word in name.upper() for word in SECRET_WORDS)


def secret_values(environ: Mapping[str, str] | None = None) -> set[str]:
    """The values of settings and environment variables that name a secret (and what
    their _FILE variants hold), long enough to hide."""
    env = os.environ if environ is None else environ
    found: set[str] = set()
    for name, value in env.items():
        if not is_secret_name(name.removesuffix("_FILE")):
            continue
        if name.endswith("_FILE"):
            try:
                value = Path(value).read_text(encoding="utf-8").strip()
            except OSError:
                continue
        found.add(value)
    if settings.configured:
        for name in dir(settings):
            if name.isupper() and is_secret_name(name):
                held = getattr(settings, name, None)
                values = held if isinstance(held, list) else [held]
                found.update(v for v in values if isinstance(v, str))
        for database in settings.DATABASES.values():
            found.add(database.get("PASSWORD") or "")
    return {v for v in found if isinstance(v, str) and len(v) >= SHORTEST_SECRET}


def _when(record: logging.LogRecord) -> str:
    return dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds")


def _ids(record: logging.LogRecord) -> dict[str, object]:
    ids: dict[str, object] = getattr(record, "ids", {})
    ordered = {k: ids[k] for k in FIELDS if k in ids}
    return ordered | {k: v for k, v in ids.items() if k not in ordered}


class TextFormatter(logging.Formatter):
    """`2026-11-22T09:00:00.000+00:00 INFO newsdesk.tasks: message task=... source=12`."""

    def format(self, record: logging.LogRecord) -> str:
        line = f"{_when(record)} {record.levelname} {record.name}: {record.getMessage()}"
        ids = " ".join(f"{k}={v}" for k, v in _ids(record).items())
        line = f"{line} {ids}" if ids else line
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        return f"{line}\n{record.exc_text}" if record.exc_text else line


class JsonFormatter(logging.Formatter):
    """One JSON object a line; a traceback is the `exception` field of its line."""

    def format(self, record: logging.LogRecord) -> str:
        body: dict[str, Any] = {
            "time": _when(record),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        body |= _ids(record)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            body["exception"] = record.exc_text
        return json.dumps(body, ensure_ascii=False, default=str)


def logging_config(form: str, level: str) -> dict[str, Any]:
    """Settings' LOGGING: newsdesk's loggers at `level`, others' at warning, every line
    through the context and redaction filters, in the `form` (text or json) asked."""
    formatter = JsonFormatter if form == "json" else TextFormatter
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "context": {"()": f"{__name__}.ContextFilter"},
            "redact": {"()": f"{__name__}.RedactFilter"},
        },
        "formatters": {"line": {"()": f"{__name__}.{formatter.__name__}"}},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "filters": ["context", "redact"],
                "formatter": "line",
            }
        },
        "root": {"handlers": ["console"], "level": "WARNING"},
        "loggers": {
            "newsdesk": {"level": level.upper()},
            "trafilatura": {"level": "CRITICAL"},
            "htmldate": {"level": "CRITICAL"},
        },
    }
