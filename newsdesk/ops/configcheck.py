"""Every problem with the configuration at once: `newsdesk config check`, and the check
the long-running commands (serve, worker, scheduler, run) pass before they start.

The settings module is run once more while config.py collects problems instead of
raising the first, so a bad value reads exactly as it does when a command starts.
To that come what no single setting can tell: names in the environment that are no
setting (a typo silently does nothing), a missing secret, mail settings that
contradict each other, a database that cannot be opened.

Runs before Django is set up: it reads the environment and the settings module only.
"""

from __future__ import annotations

import difflib
import importlib.util
import os
import runpy
import sqlite3
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg

from newsdesk.config import (
    backend_settings,
    backend_variable,
    default_backend,
    env_bool,
    env_str,
    reading_settings,
)
from newsdesk.pipeline.draft.backends import backend_names, backend_options, make_backend
from newsdesk.pipeline.errors import BlockedURLError, ConfigError, one_line
from newsdesk.pipeline.intake.fetch import parse_allow_hosts
from newsdesk.pipeline.text import plural

PREFIX = "NEWSDESK_"
#: read outside the settings module: by `newsdesk user add`, by drafting
ELSEWHERE = {"NEWSDESK_PASSWORD", "NEWSDESK_DRAFT_BACKEND"}
#: read by the test suite and the benchmarks, not by newsdesk
TOOLING = {"NEWSDESK_CHROMIUM", "NEWSDESK_SCALE_FEEDS"}
#: Django refuses to sign with less; shorter than this is guessable
SHORTEST_SECRET = 32
#: a key of fewer different characters than this ("aaaa...") is no random string
FEWEST_SECRET_CHARACTERS = 5
#: how long to wait for PostgreSQL to answer
CONNECT_SECONDS = 5


def config_problems(probe_database: bool = True, production: bool = True) -> list[str]:
    """One message per problem with the environment's configuration; empty when sound.
    `production`: the configuration serves the public (all but the development server),
    so Django's debug pages are a problem too."""
    with reading_settings() as reading:
        try:
            found = runpy.run_path(settings_file(), run_name="newsdesk.settings_check")
        except ConfigError as exc:  # raised without the collecting reader
            reading.problems.append(str(exc))
            found = {}
    problems = list(reading.problems)
    environ = os.environ
    problems += unknown_settings(environ, reading.names)
    problems += secret_problems(environ)
    if production:
        problems += debug_problems(environ)
    problems += mail_problems(environ)
    problems += drafting_problems(environ)
    problems += address_problems(found, environ)
    problems += folder_problems(found)
    database = found.get("DATABASES", {}).get("default")
    if probe_database and database and not any(p.startswith("DATABASE_URL") for p in problems):
        problems += database_problems(database)
    return problems


def settings_file() -> str:
    """The settings module's file, run anew (not imported: Django may hold it already)."""
    spec = importlib.util.find_spec("newsdesk.settings")
    assert spec is not None and spec.origin is not None
    return spec.origin


def known_settings(read: set[str]) -> set[str]:
    """The names newsdesk reads: those the settings module read, plus the rest."""
    names = set(read) | ELSEWHERE | TOOLING
    for backend in backend_names():
        names |= {backend_variable(backend, option.name) for option in backend_options(backend)}
    return names


def unknown_settings(environ: Mapping[str, str], read: set[str]) -> list[str]:
    """NEWSDESK_ names that no part of newsdesk reads, with the likeliest intended one."""
    known = known_settings(read)
    ours = sorted(name for name in known if name.startswith(PREFIX))
    problems = []
    for name in sorted(environ):
        base = name.removesuffix("_FILE")
        if not name.startswith(PREFIX) or base in known:
            continue
        close = difflib.get_close_matches(base, ours, n=1, cutoff=0.75)
        hint = f" (did you mean {close[0]}?)" if close else ""
        problems.append(f"{name} is not a newsdesk setting{hint}")
    return problems


def secret_problems(environ: Mapping[str, str]) -> list[str]:
    try:
        key = env_str("NEWSDESK_SECRET_KEY", "", environ)
    except ConfigError:
        return []  # the settings' reading said why already
    if not key:
        return [
            "NEWSDESK_SECRET_KEY is missing: set it (or NEWSDESK_SECRET_KEY_FILE naming a "
            "file holding it) to a long random string that stays the same across restarts"
        ]
    if len(key) < SHORTEST_SECRET:
        return [
            f"NEWSDESK_SECRET_KEY is too short ({plural(len(key), 'character')}): "
            f"use at least {SHORTEST_SECRET} random ones"
        ]
    if len(set(key)) < FEWEST_SECRET_CHARACTERS:
        return [
            f"NEWSDESK_SECRET_KEY is not random ({plural(len(set(key)), 'different character')}): "
            "make one with `python3 -c 'import secrets; print(secrets.token_urlsafe(50))'`"
        ]
    return []


def debug_problems(environ: Mapping[str, str]) -> list[str]:
    """Django's debug pages show any visitor the code, settings and SQL behind an error."""
    try:
        debug = env_bool("NEWSDESK_DEBUG", False, environ)
    except ConfigError:
        return []  # the settings' reading said why already
    if debug:
        return [
            "NEWSDESK_DEBUG is on: every visitor who meets an error would see Django's "
            "debug page (code, settings, SQL); turn it off outside development"
        ]
    return []


def mail_problems(environ: Mapping[str, str]) -> list[str]:
    """Mail settings that cannot all be meant."""

    def given(name: str) -> str:
        try:
            return env_str(name, "", environ).strip()
        except ConfigError:
            return ""

    def on(name: str) -> bool:
        return given(name).lower() in {"true", "1"}

    problems = []
    if on("EMAIL_USE_TLS") and on("EMAIL_USE_SSL"):
        problems.append(
            "EMAIL_USE_TLS and EMAIL_USE_SSL are both on: turn one off "
            "(SSL for port 465, TLS for port 587)"
        )
    if given("EMAIL_HOST_USER") and not given("EMAIL_HOST_PASSWORD"):
        problems.append(
            "EMAIL_HOST_USER is set but EMAIL_HOST_PASSWORD is missing "
            "(or EMAIL_HOST_PASSWORD_FILE naming a file holding it)"
        )
    if not given("EMAIL_HOST"):
        stray = [
            name
            for name in ("EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD", "EMAIL_USE_TLS", "EMAIL_USE_SSL")
            if given(name)
        ]
        if stray:
            problems.append(
                f"{', '.join(stray)} set but EMAIL_HOST is not: mail would be printed on "
                "the console, not sent"
            )
    if given("EMAIL_PORT") == "465" and on("EMAIL_USE_TLS"):
        problems.append("EMAIL_PORT 465 expects EMAIL_USE_SSL, not EMAIL_USE_TLS")
    return problems


def host_allowed(host: str, patterns: list[str]) -> bool:
    """Whether Django serves a request for `host` (its ALLOWED_HOSTS rules)."""
    host = host.lower().rstrip(".")
    for pattern in (p.lower() for p in patterns):
        if pattern == "*" or pattern.strip("[]") == host:
            return True
        if pattern.startswith(".") and (host.endswith(pattern) or host == pattern[1:]):
            return True
    return False


def address_problems(found: Mapping[str, Any], environ: Mapping[str, str]) -> list[str]:
    """Addresses the settings module accepts one by one but that cannot work: a public
    address whose host every request would be refused for, an internal host written
    as a URL (`--allow-host` refuses it; the setting would only fail at the first poll)."""
    problems = []
    allowed = list(found.get("ALLOWED_HOSTS", []))
    # the dynamic app answers on NEWSDESK_APP_URL, else the site's address; a site
    # exported to a static host (docs/site.md) is no request newsdesk serves
    name = "NEWSDESK_APP_URL" if found.get("NEWSDESK_APP_URL") else "NEWSDESK_SITE_URL"
    host = urlsplit(found.get(name) or "").hostname
    if host and allowed and not host_allowed(host, allowed):
        problems.append(
            f"{name} is on {host}, which NEWSDESK_ALLOWED_HOSTS does not list: every "
            f"request to it would be refused (400); add {host} to NEWSDESK_ALLOWED_HOSTS"
        )
    try:
        parse_allow_hosts(found.get("NEWSDESK_ALLOW_HOSTS", []))
    except BlockedURLError as exc:
        problems.append(f"NEWSDESK_ALLOW_HOSTS: {str(exc).replace('--allow-host ', '')}")
    for name in ("SSL_CERT_FILE", "SSL_CERT_DIR"):
        where = environ.get(name, "").strip()
        exists = Path(where).is_file() if name == "SSL_CERT_FILE" else Path(where).is_dir()
        if where and not exists:
            problems.append(
                f"{name} names {where}, which does not exist: no HTTPS certificate "
                "(feeds, SMTP over TLS) could be verified"
            )
    return problems


def folder_problems(found: Mapping[str, Any]) -> list[str]:
    """Folders the background tasks need, checked before they run at night."""
    problems = []
    export = found.get("NEWSDESK_EXPORT_DIR") or ""
    if export:
        folder = Path(export).absolute()
        nearest = next(f for f in (folder, *folder.parents) if f.exists())  # made from there
        if not nearest.is_dir() or not os.access(nearest, os.W_OK):
            problems.append(f"NEWSDESK_EXPORT_DIR: cannot write the site export to {folder}")
    maildir = found.get("NEWSDESK_BOUNCE_MAILDIR") or ""
    if maildir and not all((Path(maildir) / part).is_dir() for part in ("cur", "new", "tmp")):
        problems.append(
            f"NEWSDESK_BOUNCE_MAILDIR: {maildir} is no maildir (no cur, new and tmp folders)"
        )
    return problems


def drafting_problems(environ: Mapping[str, str]) -> list[str]:
    try:
        name = default_backend(environ)
        make_backend(name, backend_settings(name, environ))
    except ConfigError as exc:
        return [f"NEWSDESK_DRAFT_BACKEND: {exc}"]
    return []


def database_problems(database: Mapping[str, Any]) -> list[str]:
    """Whether the database DATABASE_URL names can be opened (not whether it is migrated:
    the commands say that themselves)."""
    if database["ENGINE"].endswith("sqlite3"):
        return sqlite_problems(Path(database["NAME"]))
    where = f"{database['HOST'] or 'localhost'}:{database['PORT'] or 5432}/{database['NAME']}"
    # the check's own bound wins over a connect_timeout the URL gives (passed twice, it
    # was a TypeError: every long-running command refused to start with a traceback)
    options = {**database.get("OPTIONS", {}), "connect_timeout": CONNECT_SECONDS}
    try:
        with psycopg.connect(
            dbname=database["NAME"],
            user=database["USER"] or None,
            password=database["PASSWORD"] or None,
            host=database["HOST"] or None,
            port=database["PORT"] or None,
            **options,
        ) as connection:
            connection.execute("SELECT 1")
    except psycopg.Error as exc:
        return [f"DATABASE_URL: cannot connect to PostgreSQL at {where}: {one_line(exc)}"]
    return []


def sqlite_problems(path: Path) -> list[str]:
    if not path.exists():
        if not path.parent.is_dir():
            return [f"DATABASE_URL: the folder {path.parent} does not exist"]
        if not os.access(path.parent, os.W_OK):
            return [f"DATABASE_URL: cannot create {path}: the folder is not writable"]
        return []
    if not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK):
        # SQLite would open it read-only without a word; every command writes
        what = "the file" if not os.access(path, os.W_OK) else "its folder (for the -wal file)"
        return [f"DATABASE_URL: {path} cannot be written: {what} is read-only"]
    try:
        connection = sqlite3.connect(f"file:{path}?mode=rw", uri=True)
        try:
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            connection.close()
    except sqlite3.Error as exc:
        return [f"DATABASE_URL: cannot open {path}: {exc}"]
    return []
