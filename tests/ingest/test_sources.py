"""One validation for a source, however it arrives: `source add`, OPML, the command line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from newsdesk.cli.main import main
from newsdesk.ingest import service
from newsdesk.ingest.models import Article, Source
from newsdesk.ingest.service import Ingestor
from newsdesk.ingest.sources import (
    due_sources,
    import_opml,
    redate_articles,
    source_for_target,
    source_url,
)
from newsdesk.pipeline.errors import InputError
from tests.ingest.test_ingest import full_text_feed

pytestmark = pytest.mark.django_db

LONG_URL = "https://long.example/feed?" + "q" * 2992  # 3,018 characters


def opml(*outlines: tuple[str, str]) -> bytes:
    body = "".join(f'<outline type="rss" text="{t}" xmlUrl="{u}"/>' for t, u in outlines)
    return (
        '<?xml version="1.0"?><opml version="2.0"><head><title>s</title></head>'
        f"<body>{body}</body></opml>"
    ).encode()


def test_opml_sources_get_the_checks_add_applies() -> None:
    result = import_opml(
        opml(
            ("Fine", "https://fine.example/feed"),
            ("Fine again", "HTTPS://FINE.EXAMPLE:443/feed"),
            ("Long", LONG_URL),
            ("O" * 1000, "https://wordy.example/feed"),
        )
    )
    assert (result.created, result.existing) == (1, 1)
    assert len(result.skipped) == 2
    assert result.skipped[0].startswith(LONG_URL[:200] + "...: URL of 3018 characters")
    assert result.skipped[1] == (
        "https://wordy.example/feed: outlet name of 1000 characters, longer than the 200 "
        "allowed; give a shorter name"
    )
    assert list(Source.objects.values_list("url", "outlet")) == [
        ("https://fine.example/feed", "Fine")
    ]


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("HTTPS://Fine.Example/Feed", "https://fine.example/Feed"),
        (
            "http://fine.example:80/rss?utm_source=x&id=7#top",
            "http://fine.example/rss?utm_source=x&id=7",
        ),
        ("https://fine.example:8443/rss", "https://fine.example:8443/rss"),
        ("https://fine.example", "https://fine.example/"),
        (" https://[::1]:443/rss ", "https://[::1]/rss"),
    ],
)
def test_a_feed_url_is_spelled_one_way_without_losing_what_the_feed_needs(
    given: str, kept: str
) -> None:
    """Query parameters and the path's case can select the feed: they stay as given."""
    assert source_url(given) == kept


def test_source_add_refuses_what_a_source_cannot_hold(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["source", "add", "https://fine.example/feed", "--outlet", "O" * 201]) == 1
    assert capsys.readouterr().err == (
        "newsdesk: outlet name of 201 characters, longer than the 200 allowed; "
        "give a shorter name\n"
    )
    assert main(["source", "add", LONG_URL, "--outlet", "Long"]) == 1
    assert "URL of 3018 characters" in capsys.readouterr().err
    assert Source.objects.count() == 0
    assert main(["source", "add", "https://fine.example/feed", "--outlet", "Fine"]) == 0
    assert main(["source", "add", "HTTPS://FINE.EXAMPLE/feed", "--outlet", "Fine"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        "already present: Fine <https://fine.example/feed>"
    )


def test_a_directory_is_not_a_feed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ingest", str(tmp_path), "--quiet"]) == 1
    assert capsys.readouterr().err == (
        f"newsdesk: {tmp_path} is a directory, not a feed; name a feed file or URL\n"
    )
    assert Source.objects.count() == 0


def test_a_feed_url_named_on_the_command_line_is_checked_as_add_checks_it() -> None:
    with pytest.raises(InputError, match="URL of 3018 characters"):
        source_for_target(LONG_URL)
    assert source_for_target("HTTPS://FINE.EXAMPLE/feed").url == "https://fine.example/feed"


def test_a_feed_file_is_read_once_under_its_own_title(tmp_path: Path) -> None:
    full_text_feed(tmp_path, "feed0.xml", ["https://t.example/1", "https://t.example/2"])
    source = source_for_target(str(tmp_path / "feed0.xml"))
    assert (source.enabled, source.outlet) == (False, "")
    report = Ingestor(workers=2).run([source])
    assert report.new_articles == 2
    source.refresh_from_db()
    assert source.outlet == "T"  # the feed's <title>, not the file's name
    assert set(Article.objects.values_list("outlet", flat=True)) == {"T"}
    assert due_sources(every=True) == []  # scheduled runs never read the file again
    # a file source stored enabled (by an older version) is not polled either
    Source.objects.filter(pk=source.pk).update(enabled=True)
    assert due_sources(every=True) == []
    assert source_for_target(str(tmp_path / "feed0.xml")) == source  # named again: read again


def test_two_ingests_at_once_do_not_count_each_others_articles_as_duplicates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    links = ["https://t.example/1", "https://t.example/2"]
    full_text_feed(tmp_path, "feed.xml", links)
    source = source_for_target(str(tmp_path / "feed.xml"))
    assert Ingestor(workers=2).run([source]).new_articles == 2  # the other run
    # this run read the feed before the other stored its articles: it knew none of them
    monkeypatch.setattr(service, "recent_links", lambda ids: {})
    monkeypatch.setattr(service, "known_links", lambda links, canonical=None: set())
    source.refresh_from_db()
    source.etag = source.last_modified = ""
    report = Ingestor(workers=2).run([source])
    assert (report.entries, report.new_articles, report.duplicates) == (2, 0, 0)
    assert Article.objects.count() == 2


def test_a_zone_whose_offset_is_zero_re_dates_nothing_stored_without_an_offset() -> None:
    """An article stored before offsets were kept (no offset) already has its UTC day:
    a zone that is at UTC when it was published (Africa/Abidjan, London in winter)
    leaves its day alone, so the desk does not count it as re-dated."""
    source = Source.objects.create(url="https://coast.example/rss", outlet="Coast")
    published = dt.datetime(2026, 12, 4, 23, 30, tzinfo=dt.UTC)
    for n, offset in enumerate((None, 0)):
        Article.objects.create(
            url=f"https://coast.example/{n}",
            source=source,
            title=f"Article {n}",
            outlet="Coast",
            fingerprint=f"f{n}",
            fetched=published,
            published=published,
            published_offset=offset,
        )
    for zone in ("Africa/Abidjan", "Europe/London", "UTC"):
        old, source.time_zone = source.time_zone, zone
        assert redate_articles(source, old) == 0
    source.time_zone = "Asia/Taipei"
    assert redate_articles(source, "UTC") == 2
    assert set(Article.objects.values_list("published_offset", flat=True)) == {480}
