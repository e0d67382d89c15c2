"""Importing back issues titled as archives title them: in capitals, with a comma,
"Issue" or "#", or under an earlier name of the bulletin given with --also-titled."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from newsdesk.cli.main import main
from newsdesk.newsroom.imports import import_file
from newsdesk.newsroom.models import Issue, Publication
from newsdesk.newsroom.publications import add_publication
from newsdesk.pipeline.errors import IssueError

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "backissues"
HOUSE_TITLE = "Harbour Policy Brief No. 412"


@pytest.fixture
def hpb() -> Publication:
    return add_publication("hpb", "Harbour Policy Brief", 1)


def titled(folder: Path, title: str, top: bool = False, name: str = "issue.txt") -> Path:
    """hpb-0412.txt titled `title` at its foot, or (`top`) on its first line instead."""
    text = (FIXTURES / "hpb-0412.txt").read_text(encoding="utf-8")
    text = (
        f"{title}\n" + text.replace(HOUSE_TITLE + "\n", "")
        if top
        else text.replace(HOUSE_TITLE, title)
    )
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("title", "top"),
    [
        ("HARBOUR POLICY BRIEF NO. 412", True),
        ("HARBOUR POLICY BRIEF NO. 412", False),
        ("Harbour Policy Brief, No. 412", False),
        ("Harbour Policy Brief Issue No. 412", True),
        ("Harbour Policy Brief – Issue 412", False),
        ("Harbour Policy Brief #412", True),
    ],
)
def test_a_title_in_an_archives_form_is_imported(
    tmp_path: Path, hpb: Publication, title: str, top: bool
) -> None:
    outcome = import_file(titled(tmp_path, title, top), hpb)
    assert (outcome.status, outcome.number, outcome.items) == ("imported", 412, 6)
    assert Issue.objects.get(publication=hpb).number == 412


def test_an_earlier_name_is_refused_unless_given(tmp_path: Path, hpb: Publication) -> None:
    path = titled(tmp_path, "Harbour Brief No. 412")
    with pytest.raises(IssueError, match="titled 'Harbour Brief', not 'Harbour Policy Brief'"):
        import_file(path, hpb)
    assert not Issue.objects.exists()
    outcome = import_file(path, hpb, also_titled=["Harbour Brief"])
    assert (outcome.status, outcome.number) == ("imported", 412)
    # another bulletin's issue is still refused when an earlier name is given
    other = titled(tmp_path, "Harbour Trade Notes No. 413", name="other.txt")
    with pytest.raises(IssueError, match="titled 'Harbour Trade Notes'"):
        import_file(other, hpb, also_titled=["Harbour Brief"])


def test_the_same_issue_titled_two_ways_is_one_issue(tmp_path: Path, hpb: Publication) -> None:
    """Stored from the house's title, the same issue titled in capitals or under an
    earlier name is skipped as stored, not refused as different content."""
    assert import_file(FIXTURES / "hpb-0412.txt", hpb).status == "imported"
    capitals = titled(tmp_path, "HARBOUR POLICY BRIEF NO. 412", top=True)
    assert import_file(capitals, hpb).status == "skipped"
    earlier = titled(tmp_path, "Harbour Brief No. 412", name="old.txt")
    assert import_file(earlier, hpb, also_titled=["Harbour Brief"]).status == "skipped"


def test_the_import_command_takes_earlier_names(
    tmp_path: Path,
    hpb: Publication,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "stdin", None)
    folder = tmp_path / "archive"
    folder.mkdir()
    titled(folder, "HARBOUR BRIEF NO. 412", top=True, name="a.txt")
    text = (FIXTURES / "hpb-0413.txt").read_text(encoding="utf-8")
    (folder / "b.txt").write_text(text.replace("Harbour Policy Brief No.", "Port Notes #"))
    command = ["issue", "import", str(folder), "--publication", "hpb"]
    capsys.readouterr()
    assert main(command) == 1
    err = capsys.readouterr().err
    assert (
        "a.txt:1: headline 'HARBOUR BRIEF NO. 412' has no paragraph after it; if it is the "
        "title, under an earlier name 'HARBOUR BRIEF' of the publication, accept that name "
        "with --also-titled\n"
    ) in err
    assert (
        "b.txt:18: expected the title line '<Publication> No. <N>' here (or at the top of the "
        "file) (line 17: 'Port Notes # 413'; if it is the title, under an earlier name "
        "'Port Notes' of the publication, accept that name with --also-titled)\n"
    ) in err
    assert not Issue.objects.exists()
    earlier = ["--also-titled", "Harbour Brief", "--also-titled", "Port Notes"]
    assert main([*command, *earlier]) == 0
    assert sorted(Issue.objects.values_list("number", flat=True)) == [412, 413]


def test_an_issue_whose_first_headline_reads_like_a_title_is_imported(
    tmp_path: Path, hpb: Publication
) -> None:
    """ "Why Vesta is No. 1" over its paragraph, first in the file, is an item."""
    text = (FIXTURES / "hpb-0412.txt").read_text(encoding="utf-8").splitlines()
    text[0] = "Why Vesta is No. 1"
    path = tmp_path / "issue.txt"
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    outcome = import_file(path, hpb)
    assert (outcome.status, outcome.number, outcome.items) == ("imported", 412, 6)
    headlines = Issue.objects.get(publication=hpb).items.values_list("headline", flat=True)
    assert headlines[0] == "Why Vesta is No. 1"
