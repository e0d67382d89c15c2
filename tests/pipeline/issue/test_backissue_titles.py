"""Title lines as archives write them: told the publication's names, the reader takes
capitals, a comma or dash before the number, "Issue", "Issue No." and "#", at the top
or the foot, and only under those names: a headline in capitals stays a headline."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from newsdesk.pipeline.issue.backissues import IssueParseError, Titles, parse_issue_text
from newsdesk.pipeline.issue.backissues_html import parse_issue_html

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "backissues"
HOUSE_TITLE = "Harbour Policy Brief No. 412"
HARBOUR = Titles(["Harbour Policy Brief"])
#: the title forms of real archives, and the number each names
FORMS = {
    "HARBOUR POLICY BRIEF NO. 412": 412,
    "Harbour Policy Brief, No. 412": 412,
    "Harbour Policy Brief Issue No. 412": 412,
    "Harbour Policy Brief – Issue 412": 412,
    "Harbour Policy Brief #412": 412,
    "harbour policy brief: issue #412": 412,
    "HARBOUR POLICY BRIEF — NO 412": 412,
}


def issue(title: str, top: bool = False) -> str:
    """hpb-0412.txt titled `title`, at its foot or (`top`) on its first line instead."""
    text = (FIXTURES / "hpb-0412.txt").read_text(encoding="utf-8")
    assert text.count(HOUSE_TITLE) == 1
    if top:
        return f"{title}\n" + text.replace(HOUSE_TITLE + "\n", "")
    return text.replace(HOUSE_TITLE, title)


@pytest.mark.parametrize("top", [False, True], ids=["foot", "top"])
@pytest.mark.parametrize("title", list(FORMS))
def test_a_title_in_an_archives_form_reads_under_the_publications_name(
    title: str, top: bool
) -> None:
    parsed = parse_issue_text(issue(title, top), "x.txt", titles=HARBOUR)
    assert parsed.publication.casefold() == "harbour policy brief"
    assert parsed.number == FORMS[title] and len(parsed.items) == 6
    assert parsed.title_line == (1 if top else 15)


def test_without_the_names_a_title_in_capitals_is_not_read_as_one() -> None:
    """The parsers alone keep the house's form: nothing tells them a name in capitals."""
    with pytest.raises(IssueParseError, match="has no paragraph after it"):
        parse_issue_text(issue("HARBOUR POLICY BRIEF NO. 412", top=True), "x.txt")


def test_a_date_after_a_title_in_capitals_is_the_issues_date() -> None:
    text = issue("HARBOUR POLICY BRIEF NO. 412 – SEPTEMBER 28, 2026", top=True)
    parsed = parse_issue_text(text, "x.txt", titles=HARBOUR)
    assert (parsed.number, parsed.date) == (412, date(2026, 9, 28))


@pytest.mark.parametrize(
    "headline",
    [
        "WHY VESTA IS NO. 1 IN THE REGION",
        "WHY VESTA IS NO. 1",
        "NO. 10 DOWNING STREET SIGNALS A NEW HARBOUR POLICY",
        "HARBOUR POLICY BRIEF NO. 400 WAS ITS LAST, SAYS FOUNDER",
        "VESTA, NO. 7",
        "VESTA ISSUE #2",
    ],
)
@pytest.mark.parametrize("where", [0, 3], ids=["first item", "later item"])
def test_a_headline_in_capitals_with_a_number_stays_a_headline(headline: str, where: int) -> None:
    """Only a line that opens with one of the publication's names is a title: a headline
    in capitals with "NO. 1" in it is an item's, wherever it stands."""
    lines = issue("HARBOUR POLICY BRIEF NO. 412").splitlines()
    old = lines[where * 2]
    lines[where * 2] = headline
    parsed = parse_issue_text("\n".join(lines) + "\n", "x.txt", titles=HARBOUR)
    assert parsed.items[where].headline == headline != old
    assert (parsed.publication, parsed.number, len(parsed.items)) == (
        "HARBOUR POLICY BRIEF",
        412,
        6,
    )


@pytest.mark.parametrize(
    "headline",
    [
        "Why Vesta is No. 1",
        "Why Vesta Is No. 1",
        "Vesta: No. 7",
        "Harbour Trade Notes No. 2",  # another bulletin's title in form, over a paragraph
    ],
)
@pytest.mark.parametrize("titles", [HARBOUR, None], ids=["names known", "no names"])
def test_a_headline_in_the_titles_form_over_its_paragraph_stays_a_headline(
    headline: str, titles: Titles | None
) -> None:
    """A headline in sentence or title case that reads "<Words> No. N" is the house's
    title form under some name; as the file's first line it was read as the issue's
    title, and its paragraph refused for having no headline. A title never stands over
    an item's paragraph; a headline does."""
    lines = issue(HOUSE_TITLE).splitlines()
    lines[0] = headline
    text = "\n".join(lines) + "\n"
    parsed = parse_issue_text(text, "x.txt", **({"titles": titles} if titles else {}))
    assert parsed.items[0].headline == headline
    assert (parsed.publication, parsed.number, len(parsed.items)) == (
        "Harbour Policy Brief",
        412,
        6,
    )
    assert parsed.title_line == 15


def test_a_title_over_a_dated_entry_stays_a_title() -> None:
    """The older layout has no headlines: its title may stand right over the first
    dated entry, and is read as the title still."""
    text = (FIXTURES / "variants" / "hpb-0098-dated-entries.txt").read_text(encoding="utf-8")
    title, day, blank, *rest = text.splitlines()
    assert (title, day, blank) == ("Harbour Policy Brief No. 98", "May 18, 2019", "")
    assert rest[0].startswith("May 13: ")
    for names in (HARBOUR, Titles()):
        parsed = parse_issue_text("\n".join([title, *rest]) + "\n", "x.txt", titles=names)
        assert (parsed.title_line, parsed.number, parsed.items[0].headline) == (1, 98, "")


def test_a_title_in_capitals_on_its_own_block_is_not_joined_to_a_paragraph() -> None:
    """Items parted by blank lines, wrapped paragraphs: the title in capitals over its own
    block is not taken for a headline whose paragraph follows."""
    text = (FIXTURES / "hpb-0412.txt").read_text(encoding="utf-8").splitlines()
    headline, body = text[0], text[1]
    half = body.rfind(" ", 0, len(body) // 2)
    wrapped = f"{headline}\n{body[:half]}\n{body[half + 1 :]}"
    page = f"HARBOUR POLICY BRIEF NO. 412\n\n{wrapped}\n\nSubscribe\n"
    parsed = parse_issue_text(page, "x.txt", titles=HARBOUR)
    assert (parsed.number, len(parsed.items)) == (412, 1)
    assert parsed.items[0].headline == headline


def test_titles_under_two_of_the_publications_names_agree() -> None:
    text = issue("Harbour Policy Brief No. 412", top=True)
    both = f"{text}Harbour Brief No. 412\n"
    names = Titles(["Harbour Policy Brief", "Harbour Brief"])
    assert parse_issue_text(both, "x.txt", titles=names).number == 412
    with pytest.raises(IssueParseError, match="disagrees with the one on line 1"):
        parse_issue_text(f"{text}Harbour Trade Notes No. 412\n", "x.txt", titles=names)


def test_a_saved_page_titled_in_an_archives_form() -> None:
    page = (FIXTURES / "hpb-0414.html").read_text(encoding="utf-8")
    assert "Harbour Policy Brief No. 414" in page
    renamed = page.replace("Harbour Policy Brief No. 414", "HARBOUR POLICY BRIEF – Issue 414")
    parsed = parse_issue_html(renamed, "p.html", titles=HARBOUR)
    assert (parsed.publication, parsed.number) == ("HARBOUR POLICY BRIEF", 414)
    with pytest.raises(IssueParseError, match="no heading"):
        parse_issue_html(renamed, "p.html")


def test_a_saved_pages_first_headline_that_reads_like_a_title_stays_a_headline() -> None:
    page = (FIXTURES / "hpb-0414.html").read_text(encoding="utf-8")
    first = parse_issue_html(page, "p.html", titles=HARBOUR).items[0].headline
    renamed = page.replace(first, "Why Vesta is No. 1", 1)
    assert renamed != page
    parsed = parse_issue_html(renamed, "p.html", titles=HARBOUR)
    assert (parsed.number, len(parsed.items)) == (414, 6)
    assert parsed.items[0].headline == "Why Vesta is No. 1"
