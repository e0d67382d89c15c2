"""Feeds, sitemap and robots.txt against a real database, each parsed back: feeds with
feedparser, the sitemap with lxml, and every address in it fetched."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any
from urllib.parse import urlsplit

import feedparser
import pytest
from django.test import Client
from lxml import etree

from newsdesk.newsroom.imports import import_file
from newsdesk.newsroom.publications import add_publication
from tests.archive.conftest import BACKISSUES, HOSTILE, Archive, publish

pytestmark = pytest.mark.django_db

FORMATS = {
    "feed.xml": "application/rss+xml; charset=utf-8",
    "atom.xml": "application/atom+xml; charset=utf-8",
}


def fetch(client: Client, path: str, content_type: str) -> bytes:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    assert response["Content-Type"] == content_type, path
    return bytes(response.content)


def parsed(client: Client, path: str) -> Any:
    name = path.rsplit("/", 1)[1]
    feed = feedparser.parse(fetch(client, path, FORMATS[name]))
    assert not feed.bozo, (path, feed.get("bozo_exception"))
    return feed


def json_feed(client: Client, path: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(fetch(client, path, "application/feed+json; charset=utf-8"))
    assert data["version"] == "https://jsonfeed.org/version/1.1"
    assert isinstance(data["title"], str) and isinstance(data["items"], list)
    assert data["feed_url"] == f"http://testserver{path}"
    for item in data["items"]:  # JSON Feed 1.1: id, and content_html or content_text
        assert isinstance(item["id"], str) and item["id"]
        assert item.get("content_html") or item.get("content_text")
        dt.datetime.fromisoformat(item["date_published"])
    return data


def test_publication_feeds_list_items_newest_first_with_full_text(
    client: Client, archive: Archive
) -> None:
    for name in FORMATS:
        feed = parsed(client, f"/hpb/{name}")
        assert feed.feed.title == "Harbour Policy Brief"
        assert feed.feed.link == "http://testserver/hpb/"
        assert len(feed.entries) == 6 + 7 + 6  # Nos. 414, 413, 412
        newest, oldest = feed.entries[0], feed.entries[-1]
        assert newest.published_parsed > oldest.published_parsed
        # No. 412's last item: the paragraph with its attribution, whole
        assert oldest.title.startswith("AS MANILA BLAMES")  # no chain marks out of the issue
        content = oldest.content[0].value if name == "atom.xml" else oldest.summary
        assert "suspended the contractor." in content
        assert "(Meridian Wire, September 12, 2026; Harbor Ledger, September 13, 2026)" in content
        assert oldest.link.startswith("http://testserver/hpb/412/")
        assert client.get(urlsplit(oldest.link).path).status_code == 200
        # imported issues carry their categories on the issue
        assert "Cybersecurity and Cyberwarfare" in [t.term for t in oldest.tags]
    data = json_feed(client, "/hpb/feed.json")
    assert data["home_page_url"] == "http://testserver/hpb/" and len(data["items"]) == 19
    assert "(Meridian Wire, September 12, 2026;" in data["items"][-1]["content_text"]


def test_feed_dates_are_the_issue_publication_with_a_timezone(
    client: Client, archive: Archive
) -> None:
    rss = fetch(client, "/cpw/feed.xml", FORMATS["feed.xml"]).decode()
    assert "<pubDate>Fri, 02 Oct 2026 12:00:00 +0000</pubDate>" in rss  # no publish time: noon UTC
    atom = parsed(client, "/cpw/atom.xml")
    assert atom.entries[0].published == "2026-10-02T12:00:00+00:00"
    data = json_feed(client, "/cpw/feed.json")
    assert data["items"][0]["date_published"] == "2026-10-02T12:00:00+00:00"
    imported = parsed(client, "/hpb/atom.xml").entries[0]  # import time: noon of the date
    assert imported.published.endswith("T12:00:00+00:00")


def test_hostile_texts_are_text_in_every_feed(client: Client, archive: Archive) -> None:
    for name in FORMATS:
        feed = parsed(client, f"/cpw/{name}")
        assert [e.title for e in feed.entries] == ["VIETNAM OPENS DEEP-WATER PORT TENDER", HOSTILE]
        raw = fetch(client, f"/cpw/{name}", FORMATS[name]).decode()
        assert "<script" not in raw and "<img" not in raw and "<b>" not in raw
        hostile = feed.entries[1]
        content = hostile.content[0].value if name == "atom.xml" else hostile.summary
        assert "&lt;b&gt;markup&lt;/b&gt; &amp;" in content  # escaped once inside the HTML
    item = json_feed(client, "/cpw/feed.json")["items"][1]
    assert item["title"] == HOSTILE
    assert item["content_text"].startswith('A body with <b>markup</b> & "quotes".')
    assert "&lt;b&gt;markup&lt;/b&gt;" in item["content_html"]


def test_guids_stay_when_a_headline_changes(client: Client, archive: Archive) -> None:
    fresh = publish(
        archive.cpw, 8, dt.date(2026, 10, 9), [("PORT STRIKE ENDS", "Dockers return.", ["Trade"])]
    )
    item = fresh.items.get()
    before = {
        "rss": parsed(client, "/cpw/feed.xml").entries[0],
        "atom": parsed(client, "/cpw/topics/trade/atom.xml").entries[0],
        "json": json_feed(client, "/cpw/feed.json")["items"][0],
    }
    assert before["rss"].title == "PORT STRIKE ENDS"
    assert before["rss"].id.startswith("tag:testserver,") and before["rss"].id.endswith(
        f":cpw/items/{item.pk}"
    )
    item.headline = "PORT STRIKE ENDS AFTER NINE DAYS"
    item.save()
    after = {
        "rss": parsed(client, "/cpw/feed.xml").entries[0],
        "atom": parsed(client, "/cpw/topics/trade/atom.xml").entries[0],
        "json": json_feed(client, "/cpw/feed.json")["items"][0],
    }
    for fmt in ("rss", "atom"):
        assert after[fmt].id == before[fmt].id == before["rss"].id
        assert after[fmt].title == "PORT STRIKE ENDS AFTER NINE DAYS"
        assert after[fmt].link != before[fmt].link
        assert after[fmt].link.endswith(f"/cpw/8/{item.pk}-port-strike-ends-after-nine-days/")
    assert after["json"]["id"] == before["json"]["id"] == before["rss"].id
    assert after["json"]["url"] == after["rss"].link
    assert parsed(client, "/cpw/feed.xml").entries[0].guidislink is False


def test_category_feeds_hold_only_their_items(client: Client, archive: Archive) -> None:
    vietnam = parsed(client, "/cpw/places/vietnam/feed.xml")
    assert vietnam.feed.title == "Coastal Policy Weekly: Vietnam"
    assert vietnam.feed.link == "http://testserver/cpw/places/vietnam/"
    assert [e.title for e in vietnam.entries] == ["VIETNAM OPENS DEEP-WATER PORT TENDER"]
    assert [t.term for t in vietnam.entries[0].tags] == ["Trade", "Vietnam"]
    human_rights = parsed(client, "/hpb/topics/human-rights/atom.xml")
    issues = {e.link.split("/")[4] for e in human_rights.entries}
    assert issues == {"413", "414"}
    data = json_feed(client, "/cpw/topics/trade/feed.json")
    assert [i["title"] for i in data["items"]] == ["VIETNAM OPENS DEEP-WATER PORT TENDER", HOSTILE]
    for path in ("/cpw/topics/nothing/feed.xml", "/cpw/colours/trade/feed.json", "/no/atom.xml"):
        assert client.get(path).status_code == 404, path


def test_drafts_never_reach_a_feed(client: Client, archive: Archive) -> None:
    for path in ("/cpw/feed.xml", "/cpw/atom.xml", "/cpw/feed.json", "/cpw/topics/trade/feed.json"):
        assert b"SECRET DRAFT" not in client.get(path).content, path


def test_the_sitemap_lists_every_public_page_and_each_answers(
    client: Client, archive: Archive
) -> None:
    body = fetch(client, "/sitemap.xml", "application/xml; charset=utf-8")
    tree = etree.fromstring(body)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    urls = tree.findall("s:url", ns)
    locs = [u.findtext("s:loc", namespaces=ns) or "" for u in urls]
    paths = [urlsplit(loc).path for loc in locs]
    assert len(paths) == len(set(paths))
    for path in paths:
        assert client.get(path).status_code == 200, path
    for expected in (
        "/",
        "/hpb/",
        "/hpb/archive/",
        "/hpb/archive/2026/",
        "/hpb/412/",
        "/cpw/7/",
        "/cpw/topics/trade/",
        "/cpw/places/vietnam/",
        "/hpb/topics/human-rights/",
    ):
        assert expected in paths, expected
    item_pages = [p for p in paths if re.fullmatch(r"/[a-z]+/\d+/\d+-[a-z0-9-]+/", p)]
    assert len(item_pages) == 6 + 7 + 6 + 2
    assert f"/cpw/7/{archive.hostile.pk}-" in " ".join(item_pages)
    assert not any("secret" in p for p in paths)
    lastmods = {
        urlsplit(loc).path: u.findtext("s:lastmod", namespaces=ns)
        for loc, u in zip(locs, urls, strict=True)
    }
    # published on October 2; the fixture's items were written (or last edited) later
    edited = max(item.updated for item in archive.built.items.all()).date()
    assert lastmods["/cpw/7/"] == max(dt.date(2026, 10, 2), edited).isoformat()
    assert lastmods["/"] == max(v for v in lastmods.values() if v)
    assert all(lastmods[p] for p in paths)


def test_robots_keeps_crawlers_to_the_public_site(client: Client, archive: Archive) -> None:
    body = fetch(client, "/robots.txt", "text/plain; charset=utf-8").decode()
    lines = body.splitlines()
    assert lines[0] == "User-agent: *"
    for private in ("/desk/", "/accounts/", "/articles/", "/stories/", "/*/search/"):
        assert f"Disallow: {private}" in lines
    assert "Disallow: /" not in lines and "Allow: /" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines


def test_a_publication_without_issues_has_empty_steady_feeds(
    client: Client, archive: Archive
) -> None:
    quiet = add_publication("quiet", "Quiet Quarterly")
    first = fetch(client, "/quiet/feed.xml", FORMATS["feed.xml"])
    assert feedparser.parse(first).entries == []
    assert first == fetch(client, "/quiet/feed.xml", FORMATS["feed.xml"])
    atom = parsed(client, "/quiet/atom.xml")
    assert atom.feed.updated == quiet.created.isoformat()
    assert json_feed(client, "/quiet/feed.json")["items"] == []


def test_a_control_character_stored_before_cleaning_breaks_no_feed(
    client: Client, archive: Archive
) -> None:
    """Text pasted from a word processor once reached the database raw; every feed
    answered 500 (Django refuses to write such a character)."""
    archive.hostile.__class__.objects.filter(pk=archive.hostile.pk).update(
        headline="PORT DEAL\x0bSIGNED",
        teaser="A\x1f teaser",  # NUL: PostgreSQL refuses it anyway
    )
    for name in FORMATS:
        titles = [e.title for e in parsed(client, f"/cpw/{name}").entries]
        assert "PORT DEALSIGNED" in titles, name
    assert parsed(client, "/cpw/topics/trade/feed.xml").entries


def test_control_characters_in_the_feeds_own_texts_break_no_feed(
    client: Client, archive: Archive
) -> None:
    """A publication's name or description, a category's name or an editor's name
    holding a control character (added by the command line, saved by the settings
    page, imported) made the RSS and Atom feeds answer 500."""
    archive.cpw.__class__.objects.filter(pk=archive.cpw.pk).update(
        name="Coastal\x0bPolicy Weekly", description="Weekly\x1f notes."
    )
    archive.built.__class__.objects.filter(pk=archive.built.pk).update(editors=["Ada\x08 Lind"])
    trade = archive.cpw.categories.get(name="Trade")
    trade.name = "Trade\x0c"
    trade.save()
    for name in FORMATS:
        feed = parsed(client, f"/cpw/{name}")
        assert feed.feed.title == "CoastalPolicy Weekly", name
        assert feed.entries and feed.entries[0].author == "Ada Lind", name
        assert parsed(client, f"/cpw/topics/trade/{name}").feed.title == (
            "CoastalPolicy Weekly: Trade"
        )
    assert parsed(client, "/cpw/feed.xml").feed.description == "Weekly notes."


def test_a_dated_entry_is_titled_by_its_first_whole_words(client: Client, archive: Archive) -> None:
    """An old back issue's entries have no headline: their title is their issue's and
    their first words, whole, as their own page names them."""
    import_file(BACKISSUES / "variants" / "hpb-0098-dated-entries.txt", archive.hpb)
    title = "Harbour Policy Brief No. 98: May 14: The navy of Sri Lanka has held its first drill…"
    for path in ("/hpb/feed.xml", "/hpb/atom.xml", "/hpb/places/sri-lanka/atom.xml"):
        titles = [entry.title for entry in parsed(client, path).entries]
        assert title in titles, path
    items = json_feed(client, "/hpb/feed.json")["items"]
    assert title in [item["title"] for item in items]


def test_an_imported_item_is_not_updated_until_an_editor_edits_it(
    client: Client, archive: Archive
) -> None:
    """Importing a back issue makes its items years after their date: not an edit."""
    import_file(BACKISSUES / "variants" / "hpb-0098-dated-entries.txt", archive.hpb)
    issue = archive.hpb.issues.get(number=98)
    item = issue.items.order_by("position").first()
    assert item is not None

    def dates() -> tuple[str, str]:
        entries = json_feed(client, "/hpb/feed.json")["items"]
        entry = next(e for e in entries if e["id"].endswith(f"items/{item.pk}"))
        return entry["date_published"], entry["date_modified"]

    published, modified = dates()
    assert published.startswith(f"{issue.date.isoformat()}T") and modified == published
    # an editor's correction a day after the import is an edit
    type(item).objects.filter(pk=item.pk).update(created=item.created - dt.timedelta(days=1))
    item.refresh_from_db()
    item.save()
    published, modified = dates()
    assert modified > published and modified.startswith(str(item.updated.date()))
