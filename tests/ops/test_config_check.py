"""`newsdesk config check`: every problem of the environment's configuration, one line
each; the long-running commands refuse to start on the same problems."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from newsdesk.cli.main import main
from newsdesk.config import env_bool, env_int, reading_settings
from newsdesk.ops.configcheck import config_problems
from tests.conftest import REPO, TEST_SECRET_KEY

#: what a newsroom's environment might hold, with four mistakes in it
MISTAKEN = {
    "NEWSDESK_DEBUG": "yes",
    "NEWSDESK_FETCH_TIMEOUT": "0",
    "NEWSDESK_POL_MINUTES": "15",
    "EMAIL_HOST": "smtp.example.org",
    "EMAIL_USE_TLS": "True",
    "EMAIL_USE_SSL": "True",
}


def clean_environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The process environment without newsdesk's settings, on a SQLite file in tmp_path."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("NEWSDESK_", "DATABASE_URL", "EMAIL_"))
    }
    env["NEWSDESK_SECRET_KEY"] = TEST_SECRET_KEY
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'desk.sqlite3'}"
    env.update(extra)
    return env


def newsdesk(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "newsdesk", *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_sound_configuration_passes(tmp_path: Path) -> None:
    done = newsdesk(clean_environment(tmp_path), "config", "check")
    assert (done.returncode, done.stdout.strip()) == (0, "configuration ok"), done.stderr


def test_every_problem_is_one_line_and_a_worker_refuses_them_all(tmp_path: Path) -> None:
    env = clean_environment(tmp_path, **MISTAKEN)
    done = newsdesk(env, "config", "check")
    assert done.returncode == 2, done.stderr
    problems = [line.removeprefix("problem: ") for line in done.stdout.splitlines()[:-1]]
    assert problems == [
        "NEWSDESK_DEBUG must be True or False, not 'yes'",
        "NEWSDESK_FETCH_TIMEOUT must be at least 1, not 0",
        "NEWSDESK_POL_MINUTES is not a newsdesk setting (did you mean NEWSDESK_POLL_MINUTES?)",
        "EMAIL_USE_TLS and EMAIL_USE_SSL are both on: turn one off "
        "(SSL for port 465, TLS for port 587)",
    ]
    assert done.stdout.splitlines()[-1] == "4 problems in the configuration"

    worker = newsdesk(env, "worker", "--batch")
    assert worker.returncode == 1
    refused = worker.stderr.splitlines()
    assert refused[:-1] == [f"newsdesk: {problem}" for problem in problems]
    assert refused[-1].startswith("newsdesk: not starting: 4 problems")


def test_a_short_command_names_every_bad_value_at_once(tmp_path: Path) -> None:
    """Outside the check, the settings still stop at start-up, with all their problems."""
    done = newsdesk(clean_environment(tmp_path, **MISTAKEN), "stats")
    assert done.returncode == 1
    assert done.stderr.strip() == (
        "newsdesk: NEWSDESK_DEBUG must be True or False, not 'yes'; "
        "NEWSDESK_FETCH_TIMEOUT must be at least 1, not 0"
    )


def test_missing_secrets_and_unusable_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NEWSDESK_SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'gone' / 'desk.sqlite3'}")
    monkeypatch.setenv("EMAIL_HOST", "smtp.example.org")
    monkeypatch.setenv("EMAIL_HOST_USER", "desk")
    monkeypatch.setenv("NEWSDESK_DRAFT_BACKEND", "openai")
    problems = config_problems()
    assert problems[0].startswith("NEWSDESK_SECRET_KEY is missing")
    assert problems[1].startswith("EMAIL_HOST_USER is set but EMAIL_HOST_PASSWORD is missing")
    assert problems[2].startswith("NEWSDESK_DRAFT_BACKEND: backend openai: option")
    assert problems[3] == f"DATABASE_URL: the folder {tmp_path / 'gone'} does not exist"
    assert len(problems) == 4
    assert config_problems(probe_database=False) == problems[:3]


def test_addresses_and_folders_that_cannot_work_together(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each value alone is a string; together they would fail at the first request, poll
    or night's export (review)."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'desk.sqlite3'}")
    monkeypatch.setenv("NEWSDESK_SITE_URL", "https://news.corvia.example/")
    monkeypatch.setenv("NEWSDESK_ALLOWED_HOSTS", "desk.corvia.example")
    monkeypatch.setenv("NEWSDESK_ALLOW_HOSTS", "http://feeds.internal/")
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "no-ca.pem"))
    (tmp_path / "a-file").write_text("not a folder")
    monkeypatch.setenv("NEWSDESK_EXPORT_DIR", str(tmp_path / "a-file" / "site"))
    monkeypatch.setenv("NEWSDESK_BOUNCE_MAILDIR", str(tmp_path))
    assert config_problems() == [
        "NEWSDESK_SITE_URL is on news.corvia.example, which NEWSDESK_ALLOWED_HOSTS does not "
        "list: every request to it would be refused (400); add news.corvia.example to "
        "NEWSDESK_ALLOWED_HOSTS",
        "NEWSDESK_ALLOW_HOSTS: expects HOST or HOST:PORT, got 'http://feeds.internal/'",
        f"SSL_CERT_FILE names {tmp_path / 'no-ca.pem'}, which does not exist: no HTTPS "
        "certificate (feeds, SMTP over TLS) could be verified",
        f"NEWSDESK_EXPORT_DIR: cannot write the site export to {tmp_path / 'a-file' / 'site'}",
        f"NEWSDESK_BOUNCE_MAILDIR: {tmp_path} is no maildir (no cur, new and tmp folders)",
    ]
    # a site exported to a static host while the app answers elsewhere (docs/site.md):
    # only the app's host must be served
    monkeypatch.setenv("NEWSDESK_APP_URL", "https://desk.corvia.example")
    assert not any("ALLOWED_HOSTS" in problem for problem in config_problems())
    monkeypatch.setenv("NEWSDESK_ALLOWED_HOSTS", ".corvia.example")  # the domain and below
    monkeypatch.setenv("NEWSDESK_SITE_URL", "notaurl")
    assert config_problems()[0] == (
        "NEWSDESK_SITE_URL must be an address like https://news.corvia.example, not 'notaurl'"
    ).replace("news.corvia.example", "news.example.org")


def test_a_read_only_database_file_is_a_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite opens a file it cannot write read-only without a word; every command writes."""
    database = tmp_path / "desk.sqlite3"
    sqlite3.connect(database).close()
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{database}")
    monkeypatch.setattr(
        "newsdesk.ops.configcheck.os.access", lambda path, mode: Path(path) != database
    )
    assert config_problems() == [
        f"DATABASE_URL: {database} cannot be written: the file is read-only"
    ]


def test_bad_database_url_and_unreadable_secret_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", "mysql://desk@127.0.0.1/news")
    monkeypatch.delenv("NEWSDESK_SECRET_KEY", raising=False)
    monkeypatch.setenv("NEWSDESK_SECRET_KEY_FILE", str(tmp_path / "no-such-file"))
    problems = config_problems()
    assert problems[0].startswith("NEWSDESK_SECRET_KEY_FILE: cannot read")
    assert problems[1].startswith("DATABASE_URL must start with sqlite:/// or postgres://")
    assert len(problems) == 2  # no probe of a database it cannot name


def test_postgresql_that_does_not_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    """A port nothing listens on: refused at once, one line naming where."""
    monkeypatch.setenv("DATABASE_URL", "postgresql://desk@127.0.0.1:9/news")
    (problem,) = config_problems()
    assert problem.startswith("DATABASE_URL: cannot connect to PostgreSQL at 127.0.0.1:9/news")


def test_a_connect_timeout_in_the_url_is_checked_like_any_option(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """?connect_timeout=3 is a psycopg option like sslmode: the check connects with it."""
    monkeypatch.setenv("DATABASE_URL", "postgresql://desk@127.0.0.1:9/news?connect_timeout=3")
    (problem,) = config_problems()
    assert problem.startswith("DATABASE_URL: cannot connect to PostgreSQL at 127.0.0.1:9/news")


def test_reading_collects_instead_of_raising() -> None:
    env = {"A": "maybe", "B": "-3"}
    with reading_settings() as reading:
        assert env_bool("A", True, env) is True
        assert env_int("B", 7, env, minimum=0) == 7
    assert reading.problems == [
        "A must be True or False, not 'maybe'",
        "B must be at least 0, not -3",
    ]
    assert reading.names == {"A", "B"}


def test_the_command_in_process(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NEWSDESK_RETRAIN_DAY", "3")
    assert main(["config", "check", "--no-database"]) == 2
    assert (
        "NEWSDESK_RETRAIN_DAY is not a newsdesk setting (did you mean NEWSDESK_RETRAIN_DAYS?)"
        in (capsys.readouterr().out)
    )


def test_debug_pages_and_a_key_that_is_no_random_string(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'desk.sqlite3'}")
    monkeypatch.setenv("NEWSDESK_DEBUG", "True")
    monkeypatch.setenv("NEWSDESK_SECRET_KEY", "a" * 50)
    problems = config_problems()
    assert problems[0].startswith("NEWSDESK_SECRET_KEY is not random (1 different character)")
    assert problems[1].startswith("NEWSDESK_DEBUG is on: every visitor who meets an error")
    assert len(problems) == 2
    # the development server alone may show debug pages
    assert config_problems(production=False) == problems[:1]


def test_the_production_server_refuses_to_serve_debug_pages(tmp_path: Path) -> None:
    env = clean_environment(tmp_path, NEWSDESK_DEBUG="True")
    done = newsdesk(env, "serve", "--production", "--port", "9")
    assert done.returncode == 1
    assert done.stderr.splitlines()[0].startswith("newsdesk: NEWSDESK_DEBUG is on")
