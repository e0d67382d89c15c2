"""Where the demo keeps its database and its secret key. Imports no Django: the command
line points the settings here before Django is set up."""

from __future__ import annotations

import os
import secrets
import sqlite3
from contextlib import closing
from pathlib import Path

from newsdesk.pipeline.errors import InputError

#: the demo's publication (demo/build.py): a database holding it is an earlier demo
DEMO_SLUG = "pacific-policy-monitor"


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


def is_earlier_demo(database: Path) -> bool:
    """Whether the demo may delete `database` and make it anew: no file yet, an empty
    one, or a SQLite database with no tables or with the demo's publication."""
    if not database.exists():
        return True
    if not database.is_file():
        return False
    if database.stat().st_size == 0:
        return True
    try:
        with closing(sqlite3.connect(f"{database.as_uri()}?mode=ro", uri=True)) as db:
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
            if not tables:
                return True
            if "newsroom_publication" not in tables:
                return False
            found = db.execute("SELECT 1 FROM newsroom_publication WHERE slug = ?", [DEMO_SLUG])
            return found.fetchone() is not None
    except sqlite3.DatabaseError:  # not a SQLite file at all
        return False


def use_demo_files(database: Path) -> None:
    """Point the settings at the demo's SQLite file and its secret key, whatever the
    environment names: the demo never touches a real database, nor a file named by
    mistake (`--database notes.txt`), since it deletes the file it is given."""
    database = database.resolve()
    if not is_earlier_demo(database):
        raise InputError(
            f"{database} is not a demo database, and the demo deletes the file it is "
            "given to make it anew: name another --database (or remove that file yourself)"
        )
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.pop("NEWSDESK_SECRET_KEY", None)
    os.environ["NEWSDESK_SECRET_KEY_FILE"] = str(secret_key_file(database))
    # served over plain HTTP on 127.0.0.1: cookies marked Secure would not come back
    os.environ["NEWSDESK_SECURE_COOKIES"] = "0"
