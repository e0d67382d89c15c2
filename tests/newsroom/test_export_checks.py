"""An exported issue edited by hand: every field is checked as the model would store it,
before anything is stored; a bad one is refused in one line naming the file and the field.
And an import of several files commits each issue on its own."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from newsdesk.cli.main import main
from newsdesk.newsroom import imports
from newsdesk.newsroom.imports import export_issues, import_file
from newsdesk.newsroom.models import Category, Issue, IssueEvent, Item, Publication
from newsdesk.newsroom.publications import add_publication
from newsdesk.pipeline.errors import IssueError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "backissues"
DATES = "from 1800-01-01 to 9999-12-30"
WHOLE = "is not a whole number from 1 to 2147483647"


def item(**changes: Any) -> Any:
    """An edit of the export's first item."""
    return lambda r: {**r, "items": [{**r["items"][0], **changes}, *r["items"][1:]]}


def source(**changes: Any) -> Any:
    """An edit of the first item's first source."""
    return lambda r: item(sources=[{**r["items"][0]["sources"][0], **changes}])(r)


def without(key: str) -> Any:
    return lambda r: {k: v for k, v in r.items() if k != key}


BAD = {
    "number -5": ({"number": -5}, f"number {WHOLE}: -5"),
    "number 10**20": ({"number": 10**20}, f"number {WHOLE}: 100000000000000000000"),
    "number 0": ({"number": 0}, f"number {WHOLE}: 0"),
    "number 2**31": ({"number": 2**31}, f"number {WHOLE}: 2147483648"),
    "number text": ({"number": "four"}, f'number {WHOLE}: "four"'),
    "number true": ({"number": True}, f"number {WHOLE}: true"),
    "number 4.5": ({"number": 4.5}, f"number {WHOLE}: 4.5"),
    "number missing": (without("number"), "number is missing"),
    "date": ({"date": "2026-13-17"}, f'date is not a date {DATES}: "2026-13-17"'),
    "date year 1": ({"date": "0001-01-01"}, f'date is not a date {DATES}: "0001-01-01"'),
    "date number": ({"date": 20260917}, f"date is not a date {DATES}: 20260917"),
    "published_at": (
        {"published_at": "yesterday"},
        f'published_at is not an ISO date and time {DATES}: "yesterday"',
    ),
    "status": ({"status": "draft"}, 'status is not one of published, withdrawn: "draft"'),
    "imported_from": (
        {"imported_from": "x" * 501},
        "imported_from is longer than 500 characters (501)",
    ),
    "editors": ({"editors": ["ed", 5]}, "editors[1] is not text: 5"),
    "sections": ({"sections": "World"}, 'sections is not a JSON list: "World"'),
    "category": ({"categories": ["Diplomacy"]}, 'categories[0] is not a JSON object: "Diplomacy"'),
    "category name": (
        {"categories": [{"name": "C" * 121, "kind": "topic"}]},
        "categories[0].name is longer than 120 characters (121)",
    ),
    "category kind": (
        {"categories": [{"name": "Diplomacy", "kind": "person"}]},
        'categories[0].kind is not one of topic, place: "person"',
    ),
    "items missing": (without("items"), "items is missing"),
    "headline": (item(headline=None), "items[0].headline is not text: null"),
    "headline long": (
        item(headline="H" * 301),
        "items[0].headline is longer than 300 characters (301)",
    ),
    "body": (
        lambda r: {**r, "items": [{k: v for k, v in r["items"][0].items() if k != "body"}]},
        "items[0].body is missing",
    ),
    "teaser": (item(teaser="T" * 301), "items[0].teaser is longer than 300 characters (301)"),
    "origin": (
        item(origin="robot"),
        'items[0].origin is not one of written, imported, drafted: "robot"',
    ),
    "chained": (
        item(chained_to_previous="yes"),
        'items[0].chained_to_previous is not true or false: "yes"',
    ),
    "topic": (item(topics=[1]), "items[0].topics[0] is not text: 1"),
    "place": (item(places=["P" * 121]), "items[0].places[0] is longer than 120 characters (121)"),
    "provenance": (item(provenance=[]), "items[0].provenance is not a JSON object: []"),
    "created": (
        item(created="0000"),
        f'items[0].created is not an ISO date and time {DATES}: "0000"',
    ),
    "history": (
        item(history=[{"editor": "ed", "at": "soon", "changes": {}}]),
        f'items[0].history[0].at is not an ISO date and time {DATES}: "soon"',
    ),
    "sources": (item(sources={}), "items[0].sources is not a JSON list: {}"),
    "outlet": (
        source(outlet="O" * 201),
        "items[0].sources[0].outlet is longer than 200 characters (201)",
    ),
    "source date": (
        source(date="12 Nov"),
        f'items[0].sources[0].date is not a date {DATES}: "12 Nov"',
    ),
    "url": (
        source(url="https://x.example/" + "u" * 2000),
        "items[0].sources[0].url is longer than 2000 characters (2,018)",
    ),
    "article_url": (source(article_url=5), "items[0].sources[0].article_url is not text: 5"),
    "event at": (
        {"events": [{"kind": "imported", "at": "yesterday"}]},
        f'events[0].at is not an ISO date and time {DATES}: "yesterday"',
    ),
    "no items": ({"items": []}, "items is empty: an issue has at least one item"),
    "blank body": (item(body="   "), "items[0].body is empty: an item needs its paragraph"),
    "no sources": (
        item(sources=[]),
        "items[0].sources is empty: an item cites at least one source",
    ),
    "event kind": (
        {"events": [{"kind": "k" * 33, "at": "2026-09-20T12:00:00+00:00"}]},
        "events[0].kind is longer than 32 characters (33)",
    ),
    "event actor": (
        {"events": [{"kind": "imported", "at": "2026-09-20T12:00:00", "actor": "a" * 151}]},
        "events[0].actor is longer than 150 characters (151)",
    ),
    "event detail": (
        {"events": [{"kind": "imported", "at": "2026-09-20T12:00:00", "detail": "x"}]},
        'events[0].detail is not a JSON object: "x"',
    ),
    # what PostgreSQL refuses (U+0000 in text or jsonb) and neither database's JSON holds
    "NUL in a category": (
        item(topics=["Trade\x00"]),
        "items[0].topics[0] holds the character U+0000, which no text column stores: "
        '"Trade\\u0000"',
    ),
    "NUL in an editor": (
        {"editors": ["ed\x00"]},
        'editors[0] holds the character U+0000, which no text column stores: "ed\\u0000"',
    ),
    "NUL in a provenance key": (
        item(provenance={"model\x00": "m"}),
        'items[0].provenance key holds the character U+0000: "model\\u0000"',
    ),
    "NUL in an event's detail": (
        {"events": [{"kind": "k", "at": "2026-09-20T12:00:00", "detail": {"a": ["\x00"]}}]},
        'events[0].detail.a[0] holds the character U+0000: "\\u0000"',
    ),
    "NaN in a provenance": (
        item(provenance={"score": float("nan")}),
        "items[0].provenance.score is not a finite number: nan",
    ),
    "infinity in a revision": (
        item(history=[{"editor": "ed", "at": "2026-09-20T12:00:00", "changes": {"w": 1e999}}]),
        "items[0].history[0].changes.w is not a finite number: inf",
    ),
}


def exported(tmp_path: Path, first: int = 1) -> tuple[Publication, Path]:
    """The publication, emptied again, and the export of its issue No. 413."""
    pub = add_publication("hpb", "Harbour Policy Brief", first)
    import_file(FIXTURES / "hpb-0413.txt", pub)
    (path,) = export_issues(pub, tmp_path / "export")
    Item.objects.all().delete()
    Issue.objects.all().delete()
    Category.objects.all().delete()
    Publication.objects.filter(pk=pub.pk).update(next_number=first)
    return pub, path


def refused_whole(
    path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> str:
    """What `newsdesk issue import` says on stderr, after checking it stored nothing."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    capsys.readouterr()
    assert main(["issue", "import", str(path), "--publication", "hpb"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert not Issue.objects.exists() and not Item.objects.exists()
    assert not Category.objects.exists() and not IssueEvent.objects.exists()
    assert Publication.objects.get().next_number in (1, 400)
    return err


@pytest.mark.django_db
@pytest.mark.parametrize(("edit", "why"), list(BAD.values()), ids=list(BAD))
def test_a_bad_value_is_refused_in_one_line_naming_file_and_field(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    edit: Any,
    why: str,
) -> None:
    _, path = exported(tmp_path)
    record = json.loads(path.read_text())
    path.write_text(json.dumps(edit(record) if callable(edit) else {**record, **edit}))
    assert refused_whole(path, capsys, monkeypatch) == (
        f"refused {path}: malformed export: {why}\n"
    )


@pytest.mark.django_db
def test_the_export_as_written_is_accepted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The checks refuse only what was edited: the export itself goes back in."""
    _, path = exported(tmp_path)
    assert main(["issue", "import", str(path), "--publication", "hpb"]) == 0
    assert "imported Harbour Policy Brief No. 413: 7 items" in capsys.readouterr().out
    assert Issue.objects.get().items.count() == 7


@pytest.mark.django_db
def test_a_number_below_the_publications_first_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, path = exported(tmp_path, first=400)
    path.write_text(json.dumps({**json.loads(path.read_text()), "number": 5}))
    assert refused_whole(path, capsys, monkeypatch) == (
        f"refused {path}: malformed export: number 5 is below Harbour Policy Brief's "
        "first number, 400 (set when the publication was added)\n"
    )


@pytest.mark.django_db
def test_a_back_issue_numbered_below_the_first_number_is_refused() -> None:
    """The same rule for a text back issue."""
    pub = add_publication("hpb", "Harbour Policy Brief", 500)
    path = FIXTURES / "hpb-0412.txt"
    with pytest.raises(IssueError) as refused:
        import_file(path, pub)
    assert str(refused.value) == (
        f"{path}: issue number 412 is below Harbour Policy Brief's first number, 500 "
        "(set when the publication was added)"
    )
    assert not Issue.objects.exists() and not Item.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_an_import_of_several_files_commits_each_issue_on_its_own(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each file is stored in its own transaction, committed before the next file is
    read: a long import never holds the write lock for more than one bounded issue, and
    a file refused later leaves the issues before it stored."""
    _, bad = exported(tmp_path)
    bad.write_text(json.dumps({**json.loads(bad.read_text()), "number": -5}))
    seen: list[tuple[bool, list[int | None]]] = []
    parse_file = imports.parse_file

    def watched(path: Path, name: str = "", *titles: Any) -> Any:
        numbers = list(Issue.objects.values_list("number", flat=True))
        seen.append((connection.in_atomic_block, numbers))
        return parse_file(path, name, *titles)

    monkeypatch.setattr(imports, "parse_file", watched)
    files = [str(FIXTURES / "hpb-0412.txt"), str(bad), str(FIXTURES / "hpb-0414.txt")]
    capsys.readouterr()
    assert main(["issue", "import", *files, "--publication", "hpb"]) == 1
    out, err = capsys.readouterr()
    assert err == f"refused {bad}: malformed export: number {WHOLE}: -5\n"
    assert "No. 412" in out and "No. 414" in out
    # before each file: no transaction open, the issues before it committed
    assert seen == [(False, []), (False, [412]), (False, [412])]
    assert sorted(Issue.objects.values_list("number", flat=True)) == [412, 414]
