from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from newsdesk.newsroom import builder, numbering
from newsdesk.newsroom.models import Issue, Publication
from newsdesk.newsroom.people import add_member
from newsdesk.newsroom.publications import add_publication

PASSWORD = "corvia-desk-2026"


@pytest.fixture
def pub() -> Publication:
    return add_publication("cpw", "Corvia Policy Watch", 1)


def member(pub: Publication, role: str, name: str = "") -> User:
    user, _ = add_member(name or role, f"{name or role}@corvia.example", pub, role, PASSWORD)
    return user


def logged_in(pub: Publication, role: str) -> Client:
    client = Client()
    client.force_login(member(pub, role))
    return client


def change(client: Client, issue: Issue, action: str, data: dict[str, Any] | None = None) -> Any:
    """A builder form posted from a page showing the issue as it is now (its version,
    and for publishing the failing checks it shows and the number the issue would take,
    which the confirm step sends with `confirmed`)."""
    seen = builder.checks_seen(numbering.problems(issue))
    sent = {"version": builder.version_of(issue), "checked": seen}
    if action == "publish":
        issue.publication.refresh_from_db(fields=["next_number"])
        sent["number"] = str(issue.publication.next_number)
    sent |= data or {}
    return client.post(f"/desk/{issue.publication.slug}/issue/{issue.pk}/{action}", sent)
