"""What an item's text may hold once stored: one line for headlines, no characters
feeds cannot carry, the columns' lengths and the word limit (found in review)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from newsdesk.newsroom import drafting, editing, numbering, settings_service
from newsdesk.newsroom.items import add_items, item_from_record, write_item
from newsdesk.newsroom.models import Item, Publication
from newsdesk.pipeline.errors import InputError, IssueError, TooLargeInputError
from newsdesk.pipeline.types import ItemText, SourceRef
from tests.desk.conftest import logged_in, member
from tests.stored_week import store_week

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(pub: Publication) -> Item:
    story = store_week(pub)["breach"]
    return drafting.save_draft(pub, story, drafting.draft_story(pub, story), "drafter")


def save(item: Item, **text: str) -> Item:
    item.refresh_from_db()
    fields = {"headline": item.headline, "teaser": item.teaser, "body": item.body} | text
    user = member(item.publication, "editor")
    return editing.save(item.publication, item.pk, user, editing.version_of(item), fields)


def test_a_headline_of_chain_marks_alone_is_empty(item: Item) -> None:
    with pytest.raises(InputError, match="cannot be empty"):
        save(item, headline="...")
    item.refresh_from_db()
    assert item.headline


def test_control_characters_go_and_a_headline_stays_on_one_line(item: Item) -> None:
    saved = save(item, headline="PORT DEAL\x0bSIGNED\n IN\tHANOI", body="One\x00 line.\nTwo.")
    assert saved.headline == "PORT DEAL SIGNED IN HANOI"
    assert saved.body == "One line.\nTwo."


@pytest.mark.parametrize("field", ["headline", "teaser"])
def test_text_longer_than_its_column_is_refused_and_nothing_changes(item: Item, field: str) -> None:
    before = getattr(item, field)
    with pytest.raises(InputError, match="over 300"):
        save(item, **{field: "W" * 301})
    item.refresh_from_db()
    assert getattr(item, field) == before


def test_a_body_over_the_word_limit_is_refused(item: Item, settings: Any) -> None:
    settings.NEWSDESK_MAX_ITEM_WORDS = 50
    with pytest.raises(TooLargeInputError, match="NEWSDESK_MAX_ITEM_WORDS"):
        save(item, body="word " * 51)


def test_written_items_are_cleaned_and_unsafe_source_links_refused(pub: Publication) -> None:
    source = SourceRef("Harbor\x0b Ledger", dt.date(2026, 11, 17), "https://ledger.example/1")
    text = ItemText(headline="PORT\x0c DEAL", body="Signed.\x1f", sources=(source,))
    stored = write_item(pub, text, "editor")
    assert (stored.headline, stored.body) == ("PORT DEAL", "Signed.")
    assert stored.sources.get().outlet == "Harbor Ledger"
    record = {
        "headline": "PORT DEAL",
        "body": "Signed.",
        "sources": [{"outlet": "L", "date": "2026-11-17", "url": "javascript:alert(1)"}],
    }
    with pytest.raises(IssueError, match="http:// or https://"):
        item_from_record(record)


def test_a_category_name_is_one_line_without_control_characters(pub: Publication) -> None:
    """A NUL byte answered 500 on PostgreSQL (found in review)."""
    made = settings_service.add_category(
        pub, member(pub, "admin"), "Ports\x00 and\nShipping", "topic"
    )
    assert made.name == "Ports and Shipping"


def test_the_item_page_names_a_scheduled_issue_as_scheduled(item: Item) -> None:
    """It said "in the draft issue" while the issue was scheduled (review)."""
    issue = numbering.new_issue(item.publication, "editor")
    add_items(issue, [item], "editor")
    when = dt.datetime(2030, 3, 9, 7, 0, tzinfo=dt.UTC)
    numbering.publish(issue, at=when, actor="editor")
    html = logged_in(item.publication, "viewer").get(f"/desk/cpw/items/{item.pk}/")
    assert "in the issue scheduled for Mar 9, 07:00" in html.content.decode()
