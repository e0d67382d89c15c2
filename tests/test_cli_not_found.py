"""What a command says when it is given a name or number that is not there: one line,
the same words whichever command it was, saying where to find the ones there are."""

from __future__ import annotations

import pytest

from newsdesk.cli.main import main

UNKNOWN = "newsdesk: no publication 'nobody': `newsdesk publication list` shows them\n"

#: every command that names a publication, with `nobody` for it
NAMING_A_PUBLICATION = [
    ["publication", "show", "nobody"],
    ["item", "nobody", "items.json"],
    ["issue", "list", "nobody"],
    ["issue", "render", "nobody", "1"],
    ["issue", "new", "nobody"],
    ["issue", "publish", "nobody"],
    ["issue", "export", "nobody", "--out", "out"],
    ["issue", "import", "x.txt", "--publication", "nobody"],
    ["issue", "draft", "nobody"],
    ["draft", "1", "--publication", "nobody"],
    ["source", "list", "--publication", "nobody"],
    ["ingest", "--publication", "nobody"],
    ["stories", "rank", "nobody"],
    ["stories", "pick", "nobody", "1"],
    ["profile", "show", "nobody"],
    ["profile", "train", "nobody"],
    ["user", "add", "ana", "--publication", "nobody", "--role", "editor"],
    ["site", "export", "nobody", "--out", "out", "--site-url", "https://example.org"],
    ["subscribers", "list", "--publication", "nobody"],
    ["subscribers", "suppress", "ana@corvia.example", "--publication", "nobody"],
    ["subscribers", "suppressions", "--publication", "nobody"],
    ["mail", "send", "nobody", "1"],
    ["mail", "unknown", "nobody", "1"],
]


@pytest.mark.django_db
@pytest.mark.parametrize("args", NAMING_A_PUBLICATION, ids=" ".join)
def test_an_unknown_publication_is_one_line_saying_where_the_slugs_are(
    args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSDESK_PASSWORD", "a long enough password")
    assert main(args) == 1
    assert capsys.readouterr().err == UNKNOWN


@pytest.mark.django_db
def test_an_unknown_issue_number_names_the_publication_and_the_list(
    capsys: pytest.CaptureFixture[str],
) -> None:
    main(["publication", "add", "hpb", "--name", "Harbour Policy Brief"])
    said = (
        "newsdesk: Harbour Policy Brief has no issue No. 7: `newsdesk issue list hpb` shows them\n"
    )
    for args in (["mail", "send", "hpb", "7"], ["issue", "render", "hpb", "7"]):
        capsys.readouterr()
        assert main(args) == 1
        assert capsys.readouterr().err == said


@pytest.mark.django_db
@pytest.mark.parametrize(
    "args",
    [["stories", "show", "999"], ["stories", "merge", "999", "998"], ["draft", "999"]],
    ids=" ".join,
)
def test_an_unknown_story_points_to_a_command_that_lists_them(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """`stories rank`, which it named before, needs a publication: run as told, it was a
    usage error."""
    main(["publication", "add", "hpb", "--name", "Harbour Policy Brief"])
    capsys.readouterr()
    assert main(args) == 1
    assert (
        capsys.readouterr().err == "newsdesk: no story #999: `newsdesk stories list` shows them\n"
    )
    assert main(["stories", "list"]) == 0
