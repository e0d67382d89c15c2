"""Strict reading of settings from the environment.

Booleans accept only True/False (and 1/0); anything else is an error with the
variable's name, so a typo never silently flips a setting. Any variable may be
given as NAME_FILE naming a file that holds the value (for secrets).

While settings are read (`start_reading` ... `finish_reading`), a bad value does not
stop the reading: it is noted, the default stands in, and all the problems are
raised together at the end, so one start shows every mistake, not the first.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar, Token
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qsl, unquote, urlsplit

from newsdesk.pipeline.draft import writer  # registers the shipped backends
from newsdesk.pipeline.draft.backends import backend_options
from newsdesk.pipeline.errors import ConfigError

_TRUE = {"true", "1"}
_FALSE = {"false", "0"}
_V = TypeVar("_V")
#: seconds a PostgreSQL connection may take to open, unless DATABASE_URL says
#: (?connect_timeout=N)
CONNECT_TIMEOUT = 10


@dataclasses.dataclass
class Reading:
    """What a reading of the settings found: its problems and the names it read."""

    problems: list[str] = dataclasses.field(default_factory=list)
    names: set[str] = dataclasses.field(default_factory=set)


_reading: ContextVar[Reading | None] = ContextVar("newsdesk_settings_reading", default=None)


@contextmanager
def reading_settings() -> Iterator[Reading]:
    """Collect problems instead of raising them, e.g. around running the settings module."""
    found = Reading()
    token = _reading.set(found)
    try:
        yield found
    finally:
        _reading.reset(token)


def start_reading() -> Token[Reading | None] | None:
    """At the top of the settings: collect problems until `finish_reading` (None when an
    outer reading, e.g. `newsdesk config check`, already collects them)."""
    return None if _reading.get() is not None else _reading.set(Reading())


def finish_reading(token: Token[Reading | None] | None) -> None:
    """At the end of the settings: raise every problem found, in one message."""
    if token is None:
        return
    found = _reading.get()
    _reading.reset(token)
    if found is not None and found.problems:
        raise ConfigError("; ".join(found.problems))


def refuse(problem: ConfigError, fallback: _V) -> _V:
    """Raise `problem`; while settings are read, note it and go on with `fallback`."""
    current = _reading.get()
    if current is None:
        raise problem
    current.problems.append(str(problem))
    return fallback


def one_of(name: str, value: str, choices: tuple[str, ...], default: str) -> str:
    """`value` of setting `name` in lower case if it is one of `choices`; `default` when
    it is empty; else a problem."""
    if not value.strip():
        return default
    if value.strip().lower() in choices:
        return value.strip().lower()
    return refuse(
        ConfigError(f"{name} must be one of {', '.join(choices)}, not {value!r}"), default
    )


def env_str(name: str, default: str = "", environ: Mapping[str, str] | None = None) -> str:
    try:
        return _env_str(name, default, environ)
    except ConfigError as exc:
        return refuse(exc, default)


def _env_str(name: str, default: str, environ: Mapping[str, str] | None) -> str:
    current = _reading.get()
    if current is not None:
        current.names.add(name)
    env = os.environ if environ is None else environ
    file_name = env.get(f"{name}_FILE")
    if file_name:
        if name in env:
            raise ConfigError(f"set either {name} or {name}_FILE, not both")
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(f"{name}_FILE: cannot read {file_name}: {exc.strerror}") from None
    return env.get(name, default)


def env_bool(name: str, default: bool, environ: Mapping[str, str] | None = None) -> bool:
    raw = env_str(name, "", environ).strip()
    if raw == "":
        return default
    if raw.lower() in _TRUE:
        return True
    if raw.lower() in _FALSE:
        return False
    return refuse(ConfigError(f"{name} must be True or False, not {raw!r}"), default)


def env_int(
    name: str, default: int, environ: Mapping[str, str] | None = None, minimum: int | None = None
) -> int:
    raw = env_str(name, "", environ).strip()
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        return refuse(ConfigError(f"{name} must be a whole number, not {raw!r}"), default)
    if minimum is not None and value < minimum:
        return refuse(ConfigError(f"{name} must be at least {minimum}, not {value}"), default)
    return value


def is_web_address(value: str) -> bool:
    """An http(s) address with a host, a port (if any) from 1 to 65535, and no query."""
    parts = urlsplit(value)
    try:
        port = parts.port  # raises on "host:abc" or a number past 65535
    except ValueError:
        return False
    return (
        parts.scheme in {"http", "https"} and bool(parts.hostname) and not parts.query and port != 0
    )


def env_url(name: str, environ: Mapping[str, str] | None = None) -> str:
    """An http(s) address with a host, without its trailing slash; empty when unset."""
    raw = env_str(name, "", environ).strip().rstrip("/")
    if not raw or is_web_address(raw):
        return raw
    return refuse(
        ConfigError(f"{name} must be an address like https://news.example.org, not {raw!r}"), ""
    )


def env_list(name: str, default: list[str], environ: Mapping[str, str] | None = None) -> list[str]:
    raw = env_str(name, "", environ)
    if raw.strip() == "":
        return list(default)
    return [part.strip() for part in raw.split(",") if part.strip()]


def env_networks(
    name: str, environ: Mapping[str, str] | None = None
) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """A comma-separated list of addresses or networks (CIDR), e.g. 10.0.0.0/8,::1."""
    networks = []
    for part in env_list(name, [], environ):
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            return refuse(
                ConfigError(f"{name}: {part!r} is not an address or a network (10.0.0.0/8)"), []
            )
    return networks


def origins(*urls: str) -> list[str]:
    """The origins (scheme://host[:port]) of the web addresses given; those that are no
    absolute address are left out."""
    found = []
    for url in urls:
        parts = urlsplit(url.strip())
        if parts.scheme in {"http", "https"} and parts.netloc:
            origin = f"{parts.scheme}://{parts.netloc}"
            if origin not in found:
                found.append(origin)
    return found


def backend_variable(backend: str, option: str) -> str:
    """NEWSDESK_DRAFT_<BACKEND>_<OPTION>, e.g. NEWSDESK_DRAFT_OPENAI_API_KEY."""
    return "_".join(
        ["NEWSDESK_DRAFT", *(re.sub(r"[^A-Z0-9]+", "_", p.upper()) for p in (backend, option))]
    )


def backend_settings(name: str, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The drafting backend's options set in the environment (as text; the backend
    checks them). Each may be given as ..._FILE, for the key; empty values are left out."""
    settings: dict[str, str] = {}
    for option in backend_options(name):
        value = env_str(backend_variable(name, option.name), "", environ).strip()
        if value:
            settings[option.name] = value
    return settings


def default_backend(environ: Mapping[str, str] | None = None) -> str:
    """NEWSDESK_DRAFT_BACKEND, "extractive" when unset; an unknown name is a ConfigError."""
    name = env_str("NEWSDESK_DRAFT_BACKEND", "", environ).strip() or writer.FALLBACK
    backend_options(name)  # raises ConfigError naming the backends there are
    return name


def database_setting(url: str, base_dir: Path) -> dict[str, Any]:
    """DATABASES["default"]: DATABASE_URL's database, or newsdesk.sqlite3 in `base_dir`."""
    fallback = sqlite_database(base_dir / "newsdesk.sqlite3")
    if not url:
        return fallback
    try:
        return database_from_url(url, base_dir)
    except ConfigError as exc:
        return refuse(exc, fallback)


def database_from_url(url: str, base_dir: Path) -> dict[str, Any]:
    """Django DATABASES entry for `sqlite:///path`, `sqlite:////abs/path` or `postgres://...`."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        raw_path = unquote(parts.path[1:] if parts.path.startswith("/") else parts.path)
        if not raw_path:
            raise ConfigError(
                "DATABASE_URL sqlite:/// needs a file path, e.g. sqlite:///newsdesk.sqlite3"
            )
        path = Path(raw_path)
        if not path.is_absolute():
            path = base_dir / path
        return sqlite_database(path)
    if scheme in {"postgres", "postgresql", "pgsql"}:
        name = unquote(parts.path.lstrip("/"))
        if not name:
            raise ConfigError("DATABASE_URL for PostgreSQL needs a database name after the host")
        options = dict(parse_qsl(parts.query))
        # a server that takes the connection but never answers (hung, overloaded, a
        # stuck proxy) would hold every process, /healthz and `status` included, for ever
        options.setdefault("connect_timeout", str(CONNECT_TIMEOUT))
        try:
            port = parts.port
        except ValueError:
            raise ConfigError(f"DATABASE_URL has a bad port: {url!r}") from None
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(port or ""),
            "OPTIONS": options,
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
        }
    raise ConfigError(
        f"DATABASE_URL must start with sqlite:/// or postgres://, not {url.split(':', 1)[0]!r}"
    )


def sqlite_database(path: Path) -> dict[str, Any]:
    """SQLite in WAL mode with a busy timeout, so a reader never blocks the ingest writer."""
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            ),
        },
        "TEST": {"NAME": str(path.with_name(f"test_{path.name}"))},
    }
