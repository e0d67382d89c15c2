"""`newsdesk issue import DIR`: an archive of back issues in every layout variant, in any
order and with gaps in its numbers, stored and rendered back in the house shape."""

from __future__ import annotations

import datetime as dt
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from newsdesk.cli.main import main
from newsdesk.newsroom.imports import import_file
from newsdesk.newsroom.models import AuditEntry, Issue, IssueEvent, Item, Publication
from newsdesk.newsroom.numbering import find_issue
from newsdesk.newsroom.publications import add_publication
from newsdesk.newsroom.reading import render
from newsdesk.pipeline.issue.backissues import parse_issue_text
from tests.conftest import SHARED

BACK = Path(__file__).resolve().parents[1] / "fixtures" / "backissues"
VARIANTS = BACK / "variants"
pytestmark = pytest.mark.django_db
#: the variant files of Harbour Policy Brief, by number
HPB = {
    98: "hpb-0098-dated-entries.txt",
    415: "hpb-0415-top-title.txt",
    416: "hpb-0416-both-titles.txt",
    417: "hpb-0417-cut.txt",
    418: "hpb-0418-saved-page.html",
}


@dataclass
class Ran:
    code: int
    out: str
    err: str


@pytest.fixture
def newsdesk(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(sys, "stdin", None)

    def run(*args: str) -> Ran:
        capsys.readouterr()
        code = main(list(args))
        out, err = capsys.readouterr()
        return Ran(code, out, err)

    return run


def archive(folder: Path) -> Path:
    """The variants, an older issue and a page, in no order, with a stray file and a
    refused one."""
    folder.mkdir()
    names = [*HPB.values(), "bad-dated-no-attribution.txt"]
    for k, name in enumerate(reversed(names)):
        shutil.copy(VARIANTS / name, folder / f"{k:02d}-{name}")
    sub = folder / "2026"
    sub.mkdir()
    shutil.copy(BACK / "hpb-0414.html", sub / "brief-414.html")
    shutil.copy(BACK / "hpb-0412.txt", sub / "brief-412.txt")
    (folder / "notes.md").write_text("kept by the archivist\n", encoding="utf-8")
    (folder / ".DS_Store").write_bytes(b"\0\1")
    return folder


def table_rows(out: str) -> dict[str, str]:
    """The summary table's rows: label -> value."""
    cells = [line.split("│") for line in out.splitlines() if line.count("│") == 3]
    return {cell[1].strip(): cell[2].strip() for cell in cells}


def expected(name: str) -> str:
    return (VARIANTS / (name.rsplit(".", 1)[0] + ".expected.txt")).read_text(encoding="utf-8")


def test_a_folder_imports_every_variant_exactly(newsdesk, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    add_publication("hpb", "Harbour Policy Brief", 90)
    ran = newsdesk("issue", "import", str(archive(tmp_path / "archive")), "--publication", "hpb")
    assert ran.code == 1  # one file refused, every other one stored
    assert ran.err.startswith("refused ") and ran.err.count("\n") == 1
    assert "bad-dated-no-attribution.txt:5: the dated entry" in ran.err
    rows = table_rows(ran.out)
    assert rows["files read"] == "8" and rows["stored"] == "7 (No. 98-418)"
    assert rows["skipped as duplicates"] == "0" and rows["refused"] == "1"
    assert rows["items"] == str(3 + 5 + 4 + 3 + 3 + 6 + 6)
    assert rows["other files passed over"] == "1" and rows["next number"] == "No. 419"
    assert "bad-dated-no-attribution.txt:5" in ran.out  # the refused table: FILE:LINE
    assert "note: " in ran.out and "hpb-0417-cut.txt:9: the file ends inside the item" in ran.out
    pub = Publication.objects.get(slug="hpb")
    assert pub.next_number == 419  # from the highest, whatever the order and the gaps
    for number, name in HPB.items():
        assert render(find_issue(pub, number), "text") == expected(name), name
        shown = newsdesk("issue", "render", "hpb", str(number)).out
        assert shown == expected(name)
    dates = {n: find_issue(pub, n).date for n in (98, 415, 418)}
    assert dates == {
        98: dt.date(2019, 5, 18),
        415: dt.date(2026, 10, 5),
        418: dt.date(2026, 10, 17),
    }
    assert "dated 2026-10-05 (stated on the page)" in ran.out
    assert "dated 2026-10-17 (its latest attribution date)" in ran.out
    event = IssueEvent.objects.get(issue=find_issue(pub, 417), kind="imported")
    assert event.detail["dated_by"] == "sources" and "cut mid-paragraph" in event.detail["notes"][0]
    assert find_issue(pub, 98).items.filter(headline="").count() == 3

    again = newsdesk("issue", "import", str(tmp_path / "archive"), "--publication", "hpb")
    assert again.out.count("skipped Harbour Policy Brief") == 7
    assert table_rows(again.out)["stored"] == "0"
    assert table_rows(again.out)["skipped as duplicates"] == "7"


def test_deep_json_is_one_refusal(newsdesk, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A JSON file nested too deeply to read is refused; the rest of the folder goes on."""
    add_publication("hpb", "Harbour Policy Brief", 90)
    folder = tmp_path / "archive"
    folder.mkdir()
    (folder / "deep.json").write_text("[" * 200_000 + "]" * 200_000)
    shutil.copy(BACK / "hpb-0412.txt", folder / "brief-412.txt")
    ran = newsdesk("issue", "import", str(folder), "--publication", "hpb")
    assert ran.code == 1
    deep = folder / "deep.json"
    assert ran.err == f"refused {deep}: not JSON that can be read: nested too deeply\n"
    assert table_rows(ran.out)["stored"] == "1 (No. 412-412)"
    alone = newsdesk("issue", "import", str(deep), "--publication", "hpb")
    assert alone.code == 1 and "Traceback" not in alone.err


def test_what_the_database_would_refuse_is_refused_naming_the_file(
    newsdesk, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """A category too long for its column (a list joined with commas), a headline too
    long, and control characters (U+0000 from a damaged file, which PostgreSQL refuses):
    each file is refused naming itself and the line at fault, or read without the
    characters, and the rest of the folder is imported, on either database."""
    add_publication("hpb", "Harbour Policy Brief", 90)
    folder = tmp_path / "archive"
    folder.mkdir()
    text = (BACK / "hpb-0412.txt").read_text(encoding="utf-8")
    names = "; ".join(f"Region number {k}" for k in range(3))
    commas = text.replace("Philippines; Taiwan", ", ".join(f"Region number {k}" for k in range(30)))
    (folder / "a-commas.txt").write_text(commas.replace("No. 412", "No. 401"), encoding="utf-8")
    long_headline = text.replace(
        "EU OPENS ANTI-SUBSIDY PROBE", "EU OPENS " + "VERY " * 60 + "PROBE"
    )
    (folder / "b-headline.txt").write_text(long_headline.replace("No. 412", "No. 402"))
    damaged = text.replace("Philippines; Taiwan", "Philippines\x00; Tai\x01wan; " + names)
    (folder / "c-damaged.txt").write_text(damaged.replace("No. 412", "No. 403"))
    shutil.copy(BACK / "hpb-0412.txt", folder / "d-412.txt")
    ran = newsdesk("issue", "import", str(folder), "--publication", "hpb")
    assert ran.code == 1 and "Traceback" not in ran.err
    refused = ran.err.splitlines()
    assert len(refused) == 2
    lines = text.splitlines()
    label = next(k for k, line in enumerate(lines, 1) if line.startswith("Related Categories"))
    assert refused[0].startswith(  # the line of the categories, the item's headline
        f"refused {folder / 'a-commas.txt'}:{label}: the category 'Region number 0, "
    )
    assert "over 120" in refused[0]
    headline = next(k for k, line in enumerate(lines, 1) if line.startswith("EU OPENS ANTI"))
    assert refused[1].startswith(f"refused {folder / 'b-headline.txt'}:{headline}: item 1 ")
    assert "over 300" in refused[1]
    assert table_rows(ran.out)["stored"] == "2 (No. 403-412)"
    pub = Publication.objects.get(slug="hpb")
    stored = {c.name for c in find_issue(pub, 403).categories.all()}
    assert {"Philippines", "Taiwan", "Region number 0", "Region number 2"} <= stored
    assert not Issue.objects.filter(number__in=[401, 402]).exists()


def test_a_dry_run_reports_the_same_and_stores_nothing(newsdesk, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    add_publication("hpb", "Harbour Policy Brief", 90)
    folder = archive(tmp_path / "archive")
    shutil.copy(VARIANTS / HPB[416], folder / "copy-of-416.txt")  # the same issue twice
    dry = newsdesk("issue", "import", str(folder), "--publication", "hpb", "--dry-run")
    assert dry.code == 1
    assert "dry run: nothing stored" in dry.out
    assert dry.out.count("would import Harbour Policy Brief") == 7
    assert dry.out.count("skipped Harbour Policy Brief No. 416") == 1
    assert not Issue.objects.exists() and not Item.objects.exists()
    assert not AuditEntry.objects.exists()
    assert Publication.objects.get(slug="hpb").next_number == 90
    real = newsdesk("issue", "import", str(folder), "--publication", "hpb", "--editor", "ana")
    assert real.out.count("imported Harbour Policy Brief") == 7
    assert real.out.count("skipped Harbour Policy Brief No. 416") == 1
    assert real.err == dry.err  # the same file refused, for the same reason
    # each issue stored leaves the audit entry an upload on the desk leaves
    entries = AuditEntry.objects.filter(action="issue-import")
    numbers = sorted(Issue.objects.values_list("number", flat=True))
    assert len(numbers) == 7 and sorted(e.after["number"] for e in entries) == numbers
    assert {e.actor for e in entries} == {"ana (command line)"}
    assert {e.target_id for e in entries} == set(Issue.objects.values_list("pk", flat=True))


def test_a_sibling_bulletin_and_a_lone_cut_file(newsdesk) -> None:  # type: ignore[no-untyped-def]
    add_publication("htn", "Harbour Trade Notes")
    add_publication("hpb", "Harbour Policy Brief")
    sibling = VARIANTS / "htn-0051-sibling.txt"
    ran = newsdesk("issue", "import", str(sibling), "--publication", "htn")
    assert ran.code == 0 and ran.out.startswith("imported Harbour Trade Notes No. 51: 3 items")
    assert "│" not in ran.out  # one file: one line, no table
    assert newsdesk("issue", "render", "htn", "51").out == expected(sibling.name)
    cut = newsdesk("issue", "import", str(VARIANTS / HPB[417]), "--publication", "hpb")
    assert cut.code == 0 and "imported Harbour Policy Brief No. 417: 3 items" in cut.out
    assert "  note: " in cut.out and "cut mid-paragraph" in cut.out
    refused = newsdesk("issue", "import", str(sibling), "--publication", "hpb")
    assert refused.code == 1
    assert refused.err == (
        f"refused {sibling}:9: the issue is titled 'Harbour Trade Notes', "
        "not 'Harbour Policy Brief' (if that is an earlier name of it, accept it with "
        "--also-titled)\n"
    )


@pytest.mark.skipif(not (SHARED / "seed").is_dir(), reason="the shared seed is not here")
def test_the_seed_is_stored_and_rendered_back_byte_for_byte(tmp_path: Path) -> None:
    for k, path in enumerate(sorted((SHARED / "seed").glob("*.txt"))):
        original = path.read_text(encoding="utf-8")
        name = parse_issue_text(original, path.name).publication
        pub = add_publication(f"seed{k}", name)
        outcome = import_file(path, pub)
        rendered = render(find_issue(pub, outcome.number), "text")
        assert rendered == (original if original.endswith("\n") else original + "\n")


def test_a_category_named_twice_or_two_ways_is_linked_once(tmp_path: Path) -> None:
    text = (BACK / "hpb-0412.txt").read_text(encoding="utf-8")
    last = text.rstrip("\n").splitlines()[-1]
    path = tmp_path / "hpb-0412.txt"
    path.write_text(text.replace(last, last + "; U.S.; US; China"), encoding="utf-8")
    pub = add_publication("hpb", "Harbour Policy Brief")
    outcome = import_file(path, pub)
    issue = find_issue(pub, outcome.number)
    names = list(
        issue.categories.order_by("issuecategory__position").values_list("name", flat=True)
    )
    assert len(names) == len(set(names)) and names.count("China") == 1
    assert names[-1] == "U.S." and "US" not in names


def per_file(out: str) -> list[str]:
    """The line said of each file, a dry run's "would import" read as "imported"."""
    return [
        line.replace("would import ", "imported ", 1)
        for line in out.splitlines()
        if line.startswith(("imported ", "would import ", "skipped "))
    ]


def test_an_export_folder_is_dry_run_and_imported_again_as_the_real_run(
    newsdesk, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """An export's folder holds each issue twice, as JSON and as text: the dry run skips
    the text as the real run does, and decides a changed copy and a copy of the JSON
    as it does; running the import again skips every issue stored."""
    pub = add_publication("hpb", "Harbour Policy Brief", 90)
    import_file(BACK / "hpb-0412.txt", pub)
    import_file(BACK / "hpb-0413.txt", pub)
    folder = tmp_path / "export"
    assert newsdesk("issue", "export", "hpb", "--out", str(folder)).code == 0
    shutil.copy(folder / "hpb-00413.json", folder / "zz-413-copy.json")
    text = (folder / "hpb-00412.txt").read_text(encoding="utf-8")
    (folder / "zz-412-changed.txt").write_text(text.replace("China", "Chinaa", 1))
    add_publication("moved", "Harbour Policy Brief", 90)  # the same bulletin, moved
    dry = newsdesk("issue", "import", str(folder), "--publication", "moved", "--dry-run")
    assert not Issue.objects.filter(publication__slug="moved").exists()
    real = newsdesk("issue", "import", str(folder), "--publication", "moved")
    assert dry.code == real.code == 1 and dry.err == real.err
    changed = folder / "zz-412-changed.txt"
    assert real.err == (
        f"refused {changed}:15: Harbour Policy Brief No. 412 is already stored with "
        "different content\n"
    )
    assert per_file(dry.out) == per_file(real.out)
    assert [line.split(" No. ")[0] for line in per_file(real.out)] == [
        "imported Harbour Policy Brief",
        "skipped Harbour Policy Brief",  # the text of 412
        "imported Harbour Policy Brief",
        "skipped Harbour Policy Brief",  # the text of 413
        "skipped Harbour Policy Brief",  # the copy of 413's JSON, after the changed 412
    ]
    again = newsdesk("issue", "import", str(folder), "--publication", "moved")
    assert again.err == real.err  # the changed copy, still
    assert table_rows(again.out)["stored"] == "0"
    assert table_rows(again.out)["skipped as duplicates"] == "5"
