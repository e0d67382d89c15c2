"""Counts in what commands print take the singular for one: "1 item", not "1 items"."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from newsdesk.cli.main import main
from newsdesk.ingest.models import Article
from newsdesk.newsroom.models import Story
from newsdesk.pipeline.text import plural

AS_OF = dt.datetime(2026, 11, 22, 23, 59, tzinfo=dt.UTC)


def test_plural_takes_the_singular_for_one_only() -> None:
    assert [plural(n, "item") for n in (0, 1, 2)] == ["0 items", "1 item", "2 items"]
    assert plural(1, "story", "stories") == "1 story"
    assert plural(3, "story", "stories") == "3 stories"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    capsys.readouterr()
    assert main(list(args)) == 0
    return capsys.readouterr().out


@pytest.mark.django_db
def test_a_draft_of_one_item(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    run(capsys, "publication", "add", "hpb", "--name", "Harbour Policy Brief")
    items = tmp_path / "items.json"
    item = {
        "headline": "ITEM HEADLINE",
        "teaser": "t",
        "body": "Body text. " * 20,
        "sources": [{"outlet": "Harbor Ledger", "date": "2026-11-17"}],
        "topics": ["Diplomacy"],
        "places": ["Japan"],
    }
    items.write_text(json.dumps([item]))
    ident = run(capsys, "item", "hpb", str(items)).split()[0].lstrip("#")
    draft = run(capsys, "issue", "new", "hpb").split()[1]
    assert run(capsys, "issue", "add", "hpb", ident) == f"added 1 item to draft {draft}\n"
    # the same command again adds nothing and says so (it once said "added 1 items")
    again = run(capsys, "issue", "add", "hpb", ident)
    assert again == f"added 0 items to draft {draft}; already in it: #{ident}\n"
    assert run(capsys, "issue", "list", "hpb").rstrip().endswith(" 1 item")
    assert run(capsys, "publication", "list").rstrip().endswith(" 0 issues")


@pytest.mark.django_db
def test_a_story_of_one_article_from_one_outlet(capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "publication", "add", "hpb", "--name", "Harbour Policy Brief")
    seen = AS_OF - dt.timedelta(days=2)
    story = Story.objects.create(
        title="Port authority opens a new container terminal",
        first_seen=seen,
        last_seen=seen,
        article_count=1,
        coverage=1,
    )
    Article.objects.create(
        url="https://harborledger.example/terminal",
        title=story.title,
        outlet="Harbor Ledger",
        published=seen,
        fetched=seen,
        fingerprint="terminal",
        story=story,
    )
    ranked = run(capsys, "stories", "rank", "hpb", "--as-of", AS_OF.isoformat(), "--no-train")
    assert f"#{story.pk} {story.title}" in ranked
    assert "      1 outlet, 1 article; topics: " in ranked
    assert "  1 outlet, 1 article, " in run(capsys, "stories", "show", str(story.pk))
    listed = run(capsys, "stories", "list", "--until", AS_OF.isoformat())
    assert f"#{story.pk} {story.title} (1 outlet)" in listed
