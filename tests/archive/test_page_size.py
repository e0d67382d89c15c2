"""The issue page's weight: HTML and stylesheet under 60 KB for a full issue, larger
than the demo's (25 items of some 110 words, each with two sources and three
categories), so that a phone loads it at once."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from newsdesk.newsroom.models import ItemSource
from newsdesk.newsroom.publications import add_publication
from tests.archive.conftest import publish

pytestmark = pytest.mark.django_db

BUDGET = 60 * 1024
ITEMS = 25
WORDS = (
    "ministers harbour tender coastal freight agreement talks officials customs "
    "inspection fleet quota dredging berth ferry tariff treaty envoy subsidy"
).split()
TOPICS = ["Trade", "Maritime Security", "Fisheries", "Energy", "Diplomacy"]
PLACES = ["China", "Japan", "Vietnam"]


def body(k: int) -> str:
    words = [WORDS[(k * 7 + n * 3) % len(WORDS)] for n in range(110)]
    sentences = [" ".join(words[i : i + 11]).capitalize() + "." for i in range(0, 110, 11)]
    return " ".join(sentences)


def test_a_full_issue_page_and_its_stylesheet_stay_under_60_kb(client: Client) -> None:
    publication = add_publication("gulf", "Gulf Shipping Notes")
    day = dt.date(2026, 11, 6)
    issue = publish(
        publication,
        31,
        day,
        [
            (
                f"PORT AUTHORITY {k} WEIGHS NEW {WORDS[k % len(WORDS)].upper()} RULES",
                body(k),
                [TOPICS[k % 5], TOPICS[(k + 2) % 5], PLACES[k % 3]],
            )
            for k in range(ITEMS)
        ],
    )
    for item in issue.items.all():  # a second outlet for each item
        ItemSource.objects.create(
            item=item,
            outlet="Tide Register",
            date=day,
            url=f"https://tide.example/{item.pk}/a-longer-path-as-outlets-write-them",
        )
    response = client.get("/gulf/31/")
    assert response.status_code == 200
    page = response.content
    assert page.count(b"Tide Register") >= ITEMS  # every item, every source is there
    stylesheets = re.findall(rb'<link rel="stylesheet" href="/static/([^"]+)"', page)
    assert stylesheets == [b"archive/site.css"]
    css = 0
    for name in stylesheets:
        found = finders.find(name.decode())
        assert isinstance(found, str)
        with open(found, "rb") as file:
            css += len(file.read())
    assert len(page) + css < BUDGET, f"{len(page)} B of HTML + {css} B of CSS"
