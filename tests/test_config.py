from pathlib import Path

import pytest

from newsdesk.config import database_from_url, env_bool, env_int, env_list, env_str
from newsdesk.pipeline.errors import ConfigError


def test_bool_is_strict() -> None:
    assert env_bool("X", False, {"X": "True"}) is True
    assert env_bool("X", True, {"X": "false"}) is False
    assert env_bool("X", True, {}) is True
    with pytest.raises(ConfigError, match="X must be True or False, not 'yes'"):
        env_bool("X", False, {"X": "yes"})


def test_int_and_list() -> None:
    assert env_int("N", 5, {"N": "7"}) == 7
    with pytest.raises(ConfigError, match="whole number"):
        env_int("N", 5, {"N": "7.5"})
    with pytest.raises(ConfigError, match="at least 1"):
        env_int("N", 5, {"N": "0"}, minimum=1)
    assert env_list("L", ["a"], {"L": " x, y ,,"}) == ["x", "y"]
    assert env_list("L", ["a"], {}) == ["a"]


def test_file_variant(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("s3cret\n")
    assert env_str("KEY", "", {"KEY_FILE": str(secret)}) == "s3cret"
    with pytest.raises(ConfigError, match="not both"):
        env_str("KEY", "", {"KEY_FILE": str(secret), "KEY": "x"})
    with pytest.raises(ConfigError, match="cannot read"):
        env_str("KEY", "", {"KEY_FILE": str(tmp_path / "missing")})


def test_database_urls(tmp_path: Path) -> None:
    sqlite = database_from_url("sqlite:///news.db", tmp_path)
    assert sqlite["NAME"] == str(tmp_path / "news.db")
    assert "journal_mode=WAL" in sqlite["OPTIONS"]["init_command"]
    assert sqlite["OPTIONS"]["timeout"] > 0
    assert database_from_url("sqlite:////abs/x.db", tmp_path)["NAME"] == "/abs/x.db"
    pg = database_from_url("postgres://ed:p%40ss@127.0.0.1:5433/newsdesk?sslmode=disable", tmp_path)
    assert (pg["NAME"], pg["USER"], pg["PASSWORD"], pg["HOST"], pg["PORT"]) == (
        "newsdesk",
        "ed",
        "p@ss",
        "127.0.0.1",
        "5433",
    )
    assert pg["OPTIONS"] == {"sslmode": "disable"}
    for bad in ("mysql://x/y", "postgres://host/", "sqlite:///"):
        with pytest.raises(ConfigError):
            database_from_url(bad, tmp_path)


@pytest.mark.django_db  # lifts pytest-django's block; the databases are new files here
def test_sqlite_pages_and_checkpoints_new_and_existing_databases(tmp_path: Path) -> None:
    """A new database gets 16 KiB pages; one made before keeps its 4 KiB. Either way
    the write-ahead log is checkpointed every ~4 MB (250 or 1,000 pages)."""
    import sqlite3

    from django.db.utils import ConnectionHandler

    older = sqlite3.connect(tmp_path / "old.db")  # as newsdesk made them before
    older.execute("PRAGMA journal_mode=WAL")
    older.execute("CREATE TABLE t (x TEXT)")
    older.close()
    found = {}
    for name in ("new.db", "old.db"):
        handler = ConnectionHandler({"default": database_from_url(f"sqlite:///{name}", tmp_path)})
        connection = handler["default"]
        try:
            with connection.cursor() as cursor:
                cursor.execute("CREATE TABLE IF NOT EXISTS t (x TEXT)")
                pragmas = ("page_size", "journal_mode", "wal_autocheckpoint", "foreign_keys")
                for pragma in pragmas:
                    cursor.execute(f"PRAGMA {pragma}")
                    found[name, pragma] = cursor.fetchone()[0]
        finally:
            connection.close()
    assert found == {
        ("new.db", "page_size"): 16384,
        ("new.db", "journal_mode"): "wal",
        ("new.db", "wal_autocheckpoint"): 250,
        ("new.db", "foreign_keys"): 1,
        ("old.db", "page_size"): 4096,
        ("old.db", "journal_mode"): "wal",
        ("old.db", "wal_autocheckpoint"): 1000,
        ("old.db", "foreign_keys"): 1,
    }
