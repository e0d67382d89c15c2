"""Input limits at the command line (issue 18): an oversized file, paste, issue or item is
refused in one line naming the setting, and nothing of it is stored."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from newsdesk.cli.main import main
from newsdesk.ingest.models import Article, Source
from newsdesk.newsroom.models import Issue, Item

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("hpb")]
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "backissues"
PASTE = ["add", "--paste", "--title", "T", "--outlet", "O", "--date", "2026-11-18"]

Run = Callable[..., tuple[int, str, str]]


class Endless:
    """Standard input that never ends, counting the bytes read from it."""

    def __init__(self) -> None:
        self.read_bytes = 0
        self.buffer = self

    def read(self, size: int = -1) -> bytes:
        assert size > 0, "the reader must never ask for everything"
        self.read_bytes += size
        return b"word " * (size // 5) + b"w" * (size % 5)


@pytest.fixture
def newsdesk(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Run:
    """main(args) in this process, with `stdin` as standard input; (code, out, err)."""

    def run(*args: str, stdin: Any = None) -> tuple[int, str, str]:
        capsys.readouterr()
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", stdin)
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def hpb(newsdesk: Run) -> None:
    assert newsdesk("publication", "add", "hpb", "--name", "Harbour Policy Brief")[0] == 0


def _import(newsdesk: Run, *paths: Path) -> tuple[int, str, str]:
    return newsdesk("issue", "import", "--publication", "hpb", *(str(p) for p in paths))


def _nothing_stored() -> bool:
    return not Issue.objects.exists() and not Item.objects.exists()


def _refused(ran: tuple[int, str, str], *phrases: str) -> None:
    code, out, err = ran
    assert code == 1 and out == ""
    assert err.count("\n") == 1, err
    for phrase in phrases:
        assert phrase in err


def test_normal_back_issues_import_under_the_default_limits(newsdesk: Run) -> None:
    names = ["hpb-0412.txt", "hpb-0413.txt", "hpb-0414.html"]
    code, out, err = _import(newsdesk, *(FIXTURES / n for n in names))
    assert (code, err) == (0, "")
    assert out.count("imported Harbour Policy Brief") == 3


def test_a_back_issue_file_over_the_limit_is_refused(
    newsdesk: Run, tmp_path: Path, settings: Any
) -> None:
    settings.NEWSDESK_MAX_IMPORT_BYTES = 64 * 1024
    big = tmp_path / "x.txt"
    fixture = (FIXTURES / "hpb-0412.txt").read_text(encoding="utf-8")
    head, _, tail = fixture.partition("Want these sent")
    big.write_text(head * 60 + "Want these sent" + tail, encoding="utf-8")
    _refused(
        _import(newsdesk, big),
        f"refused back-issue file {big} is over 64 KB (NEWSDESK_MAX_IMPORT_BYTES); "
        "split it or raise the limit",
    )
    assert _nothing_stored()


def test_an_opml_file_over_the_limit_is_refused_without_reading_it_all(
    newsdesk: Run, tmp_path: Path, settings: Any
) -> None:
    """The desk's OPML upload was bounded by NEWSDESK_MAX_IMPORT_BYTES; `source import
    --file` read the file whole, however large."""
    settings.NEWSDESK_MAX_IMPORT_BYTES = 64 * 1024
    outline = '<outline type="rss" text="Gazette" xmlUrl="https://gazette.example/{}"/>'
    feeds = "".join(outline.format(n) for n in range(1000))  # about 75 KB
    big = tmp_path / "feeds.opml"
    big.write_text(f'<opml version="2.0"><head/><body>{feeds}</body></opml>', encoding="utf-8")
    _refused(
        newsdesk("source", "import", "--file", str(big)),
        f"OPML file {big} is over 64 KB (NEWSDESK_MAX_IMPORT_BYTES); split it or raise the limit",
    )
    assert not Source.objects.exists()


def test_a_feed_file_over_the_fetch_limit_is_refused_as_a_fetched_feed_is(
    newsdesk: Run, tmp_path: Path, settings: Any
) -> None:
    """`newsdesk ingest FILE` read the file whole, however large; a URL's feed is held to
    NEWSDESK_FETCH_MAX_BYTES while it arrives."""
    settings.NEWSDESK_FETCH_MAX_BYTES = 2048
    entries = "".join(
        f"<item><title>Entry {n}</title><link>https://feeds.example/{n}</link>"
        f"<description>{'words ' * 100}</description></item>"
        for n in range(10)
    )
    feed = tmp_path / "big.xml"
    feed.write_text(f'<rss version="2.0"><channel><title>Big</title>{entries}</channel></rss>')
    code, out, _ = newsdesk("ingest", str(feed), "--quiet")
    assert code == 1 and not Article.objects.exists()
    assert f"too-large: {feed.as_uri()} is larger than the 2,048-byte cap" in out


def test_an_issue_over_the_item_limit_is_refused_whole(
    newsdesk: Run, tmp_path: Path, settings: Any
) -> None:
    settings.NEWSDESK_MAX_ISSUE_ITEMS = 5  # hpb-0412 has 6 items
    for name in ("hpb-0412.txt", "hpb-0414.html"):
        _refused(
            _import(newsdesk, FIXTURES / name),
            "more than 5 items (NEWSDESK_MAX_ISSUE_ITEMS)",
        )
    assert _nothing_stored()
    # an export, restored into a publication whose limit is lower than when it was written
    settings.NEWSDESK_MAX_ISSUE_ITEMS = 200
    assert _import(newsdesk, FIXTURES / "hpb-0412.txt")[0] == 0
    assert newsdesk("issue", "export", "hpb", "--out", str(tmp_path / "out"))[0] == 0
    Issue.objects.all().delete()
    Item.objects.all().delete()
    settings.NEWSDESK_MAX_ISSUE_ITEMS = 5
    exported = tmp_path / "out" / "hpb-00412.json"
    _refused(_import(newsdesk, exported), "NEWSDESK_MAX_ISSUE_ITEMS")
    assert _nothing_stored()


def test_an_item_body_over_the_word_limit_is_refused(
    newsdesk: Run, tmp_path: Path, settings: Any
) -> None:
    settings.NEWSDESK_MAX_ITEM_WORDS = 40
    source = [{"outlet": "Ledger", "date": "2026-11-12"}]
    records = [
        {"headline": "SHORT", "body": "A short body. " * 5, "sources": source},
        {"headline": "LONG", "body": "word " * 41, "sources": source},
    ]
    path = tmp_path / "items.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    _refused(
        newsdesk("item", "hpb", str(path)),
        "newsdesk: ",
        "item 'LONG' has 41 words, over 40 (NEWSDESK_MAX_ITEM_WORDS)",
    )
    assert not Item.objects.exists()  # the short item before it is not stored either
    # the same limit holds for a back issue: each of hpb-0412's bodies has more than 40 words
    _refused(
        _import(newsdesk, FIXTURES / "hpb-0412.txt"),
        "NEWSDESK_MAX_ITEM_WORDS",
    )
    assert _nothing_stored()
    settings.NEWSDESK_MAX_ISSUE_ITEMS = 1
    path.write_text(json.dumps([records[0], records[0]]), encoding="utf-8")
    _refused(newsdesk("item", "hpb", str(path)), "more than 1 items (NEWSDESK_MAX_ISSUE_ITEMS)")
    assert not Item.objects.exists()


def test_a_paste_over_the_article_limit_is_refused_without_reading_it_all(
    newsdesk: Run, tmp_path: Path, settings: Any
) -> None:
    settings.NEWSDESK_MAX_ARTICLE_BYTES = 1024 * 1024
    endless = Endless()
    _refused(
        newsdesk(*PASTE, "--url", "https://o.example/a", stdin=endless),
        "the pasted article is over 1 MB (NEWSDESK_MAX_ARTICLE_BYTES)",
    )
    assert endless.read_bytes == 1024 * 1024 + 1
    big = tmp_path / "article.txt"
    big.write_bytes(b"word " * 300_000)
    _refused(
        newsdesk(*PASTE, "--url", "https://o.example/b", "--text-file", str(big)),
        f"article file {big} is over 1 MB",
    )
    assert not Article.objects.exists()
    big.write_bytes(b"word " * 200_000)  # 1,000,000 bytes: under the limit
    code, out, err = newsdesk(*PASTE, "--url", "https://o.example/c", "--text-file", str(big))
    assert (code, err) == (0, "") and out.startswith("new: #")
