"""Logs: one line per event, text or JSON, with the task's and its subject's ids, and
never a secret or a subscriber's address."""

from __future__ import annotations

import io
import json
import logging
import logging.config
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django_tasks_db.models import DBTaskResult

from newsdesk.logs import (
    ContextFilter,
    RedactFilter,
    TextFormatter,
    log_context,
    secret_values,
)
from newsdesk.ops.configcheck import config_problems
from newsdesk.ops.worker import run_worker
from tests.ops.log_chores import captured_logs, careless_send

MAIL_PASSWORD = "correct-horse-battery-staple"
ADDRESS = "wen.li+bulletins@example.org"


@pytest.fixture
def json_logs() -> Iterator[io.StringIO]:
    with captured_logs("json") as out:
        yield out


@pytest.mark.django_db(transaction=True)
def test_a_failing_task_logs_json_lines_with_its_ids_and_nothing_secret(
    json_logs: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "EMAIL_HOST_PASSWORD", MAIL_PASSWORD)
    result = careless_send.enqueue(12, 7, ADDRESS)
    assert run_worker(batch=True) == 0
    err = json_logs.getvalue()
    lines = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    sent = next(line for line in lines if line["message"].startswith("sending issue"))
    assert sent["message"] == "sending issue 7 to [address]"
    assert (sent["task"], sent["task_id"], sent["source"], sent["issue"]) == (
        "careless_send",
        str(result.id),
        12,
        7,
    )
    failed = next(line for line in lines if "failed for good" in line["message"])
    assert failed["level"] == "error" and failed["task_id"] == str(result.id)
    assert "[address] after logging in with [redacted]" in failed["message"]
    assert ADDRESS not in err and MAIL_PASSWORD not in err and "example.org" not in err
    # the task's record keeps what happened for the operator (the database is no log)
    assert MAIL_PASSWORD in DBTaskResult.objects.get(pk=result.id).traceback


def test_text_lines_carry_the_context_and_a_traceback_without_secrets() -> None:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(ContextFilter())
    handler.addFilter(RedactFilter(secrets=["s3cret-token-value"]))
    handler.setFormatter(TextFormatter())
    log = logging.getLogger("newsdesk.test.text")
    log.addHandler(handler)
    try:
        with log_context(source=3):
            with log_context(issue=1614, story=None):
                log.warning("bounce from %s", "ana@example.net")
            try:
                raise ValueError("token s3cret-token-value refused for ana@example.net")
            except ValueError:
                log.exception("sending failed")
        log.warning("outside")
    finally:
        log.removeHandler(handler)
    first, second, *traceback, third = out.getvalue().splitlines()
    assert first.endswith(" WARNING newsdesk.test.text: bounce from [address] source=3 issue=1614")
    assert second.endswith(" ERROR newsdesk.test.text: sending failed source=3")
    assert traceback[-1] == "ValueError: token [redacted] refused for [address]"
    assert third.endswith("newsdesk.test.text: outside")


def test_secret_values_come_from_names_and_files(tmp_path: Path) -> None:
    key_file = tmp_path / "key"
    key_file.write_text("sk-from-a-file-0123\n")
    found = secret_values(
        {
            "NEWSDESK_DRAFT_OPENAI_API_KEY_FILE": str(key_file),
            "SMTP_TOKEN": "tok-abcdef",
            "NEWSDESK_POLL_MINUTES": "30",
            "NEWSDESK_PASSWORD": "short",  # too short to hide without blanking words
        }
    )
    assert {"sk-from-a-file-0123", "tok-abcdef", settings.SECRET_KEY} <= found
    assert "30" not in found and "short" not in found


def test_a_bad_log_setting_is_a_configuration_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSDESK_LOG_FORMAT", "xml")
    monkeypatch.setenv("NEWSDESK_LOG_LEVEL", "loud")
    assert config_problems(probe_database=False) == [
        "NEWSDESK_LOG_FORMAT must be one of text, json, not 'xml'",
        "NEWSDESK_LOG_LEVEL must be one of debug, info, warning, error, critical, not 'loud'",
    ]
