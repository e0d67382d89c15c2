"""A publication with topics and places to subscribe to, helpers to read what was
mailed (Django's locmem outbox in these tests; a real SMTP server in the browser's),
and a real SMTP server for the sending tests (`sink`)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from newsdesk.newsroom.models import Publication
from newsdesk.newsroom.publications import add_publication, category
from tests.mailing import sinks

LINK = re.compile(r"https?://[^\s\"<>]+/subscribe/confirm/[^\s\"<>]+/")


@pytest.fixture
def immediate_tasks(settings: Any) -> dict[str, Any]:
    """django-tasks' immediate backend: a task runs when it is enqueued (the form's
    confirmation message, say), so these tests read the outbox without a worker."""
    database = settings.TASKS["default"]
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": database["QUEUES"],
        }
    }
    return dict(database)


@pytest.fixture
def sink(transactional_db: None, settings: Any) -> Iterator[sinks.Sink]:
    """A real SMTP server on 127.0.0.1 that takes every message (aiosmtpd), with
    Django's EMAIL_* settings pointed at it."""
    handler = sinks.Sink()
    controller = sinks.start(handler, settings)
    yield handler
    controller.stop()


@pytest.fixture
def paper(db: None, immediate_tasks: dict[str, Any]) -> Publication:
    pub = add_publication("cpw", "Corvia Policy Watch", 1)
    for name in ("Trade", "Energy"):
        category(pub, name, "topic")
    category(pub, "Vietnam", "place")
    return pub


@pytest.fixture
def other(db: None) -> Publication:
    pub = add_publication("hpb", "Harbor Port Bulletin", 1)
    category(pub, "Shipping", "topic")
    return pub


def confirm_link(message: Any) -> str:
    """The confirmation link of a message, the same in its text and HTML parts."""
    found = LINK.findall(message.body)
    html = LINK.findall(message.alternatives[0][0])
    assert found and found[0] == html[0].replace("&amp;", "&")
    return str(found[0])


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def sign_up(client: Client, slug: str, email: str, **fields: Any) -> Any:
    return client.post(f"/{slug}/subscribe/", {"email": email, **fields})


def outbox() -> list[Any]:
    return list(mail.outbox)
