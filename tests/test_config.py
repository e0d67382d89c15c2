from pathlib import Path

import pytest

from newsdesk.config import (
    backend_settings,
    backend_variable,
    database_from_url,
    default_backend,
    env_bool,
    env_int,
    env_list,
    env_networks,
    env_str,
    env_url,
)
from newsdesk.pipeline.draft.backends import make_backend
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


def test_an_address_with_a_port_that_is_no_port_is_refused() -> None:
    """A bad value stops the command, configuration.md says; "https://news.example:abc"
    was taken, and every absolute link of feeds and pages carried it."""
    assert env_url("U", {"U": "https://news.example:8443/"}) == "https://news.example:8443"
    for bad in ("https://news.example:abc", "https://news.example:99999", "https://n.example:0"):
        with pytest.raises(ConfigError, match=f"U must be an address like .*, not '{bad}'"):
            env_url("U", {"U": bad})


def test_networks() -> None:
    found = env_networks("P", {"P": "10.0.0.0/8, 192.0.2.7,2001:db8::/32"})
    assert [str(n) for n in found] == ["10.0.0.0/8", "192.0.2.7/32", "2001:db8::/32"]
    assert env_networks("P", {}) == []
    with pytest.raises(ConfigError, match="is not an address or a network"):
        env_networks("P", {"P": "10.0.0.300"})


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
    assert pg["OPTIONS"] == {"sslmode": "disable", "connect_timeout": "10"}
    own = database_from_url("postgres://ed@127.0.0.1/newsdesk?connect_timeout=3", tmp_path)
    assert own["OPTIONS"] == {"connect_timeout": "3"}
    for bad in ("mysql://x/y", "postgres://host/", "sqlite:///"):
        with pytest.raises(ConfigError):
            database_from_url(bad, tmp_path)


@pytest.mark.django_db  # lifts pytest-django's block; the database is a new file here
def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    """Readers never block the ingest writer (WAL), and SQLite enforces foreign keys."""
    from django.db.utils import ConnectionHandler

    handler = ConnectionHandler({"default": database_from_url("sqlite:///new.db", tmp_path)})
    connection = handler["default"]
    found = {}
    try:
        with connection.cursor() as cursor:
            for pragma in ("journal_mode", "synchronous", "foreign_keys"):
                cursor.execute(f"PRAGMA {pragma}")
                found[pragma] = cursor.fetchone()[0]
    finally:
        connection.close()
    assert found == {"journal_mode": "wal", "synchronous": 1, "foreign_keys": 1}


def test_backend_settings_come_from_the_environment(tmp_path: Path) -> None:
    key = tmp_path / "openai.key"
    key.write_text("sk-from-a-file\n")
    environ = {
        "NEWSDESK_DRAFT_OPENAI_BASE_URL": "http://127.0.0.1:8080/v1",
        "NEWSDESK_DRAFT_OPENAI_MODEL": " local-model ",
        "NEWSDESK_DRAFT_OPENAI_API_KEY_FILE": str(key),
        "NEWSDESK_DRAFT_OPENAI_RETRIES": "",  # empty: the default
        "NEWSDESK_DRAFT_OPENAI_COLOUR": "blue",  # not an option: not read
        "NEWSDESK_DRAFT_OTHER_MODEL": "x",
    }
    settings = backend_settings("openai", environ)
    assert settings == {
        "base_url": "http://127.0.0.1:8080/v1",
        "model": "local-model",
        "api_key": "sk-from-a-file",
    }
    assert make_backend("openai", settings).retries == 2  # type: ignore[attr-defined]
    assert backend_settings("openai", {}) == {}
    assert backend_variable("openai", "api_key") == "NEWSDESK_DRAFT_OPENAI_API_KEY"
    assert backend_variable("my-llm", "base_url") == "NEWSDESK_DRAFT_MY_LLM_BASE_URL"
    with pytest.raises(ConfigError, match="not both"):
        backend_settings(
            "openai",
            {"NEWSDESK_DRAFT_OPENAI_API_KEY": "a", "NEWSDESK_DRAFT_OPENAI_API_KEY_FILE": str(key)},
        )
    with pytest.raises(ConfigError, match="no drafting backend 'gpt'"):
        backend_settings("gpt", {})


def test_default_backend() -> None:
    assert default_backend({}) == "extractive"
    assert default_backend({"NEWSDESK_DRAFT_BACKEND": " openai "}) == "openai"
    with pytest.raises(ConfigError, match=r"no drafting backend 'gpt4'.*extractive, openai"):
        default_backend({"NEWSDESK_DRAFT_BACKEND": "gpt4"})
