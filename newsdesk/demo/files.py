"""Where the demo keeps its database and its secret key. Imports no Django: the command
line points the settings here before Django is set up."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def _kept_secret(path: Path, length: int) -> Path:
    """A random secret in a file readable by its owner only; made once, then reused."""
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_urlsafe(length) + "\n")
    return path


def secret_key_file(database: Path) -> Path:
    """The demo's secret key, kept beside its database (newsdesk-demo.secret beside
    newsdesk-demo.sqlite3)."""
    return _kept_secret(database.with_suffix(".secret"), 50)


def editor_password(database: Path) -> str:
    """The demo editor's password, kept beside its database (newsdesk-demo.password)."""
    return _kept_secret(database.with_suffix(".password"), 12).read_text(encoding="utf-8").strip()


def use_demo_files(database: Path) -> None:
    """Point the settings at the demo's SQLite file and its secret key, whatever the
    environment names: the demo never touches a real database."""
    database = database.resolve()
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.pop("NEWSDESK_SECRET_KEY", None)
    os.environ["NEWSDESK_SECRET_KEY_FILE"] = str(secret_key_file(database))
    # served over plain HTTP on 127.0.0.1: cookies marked Secure would not come back
    os.environ["NEWSDESK_SECURE_COOKIES"] = "0"
