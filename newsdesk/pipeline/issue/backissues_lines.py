"""What one line of a back issue is: a title, a date, an attribution, a dated entry...

The back-issue readers (text and HTML) see an issue as numbered lines of clean
text; these are the tests they apply to each line. Publishers' archives vary
(a colon in the title, NBSP and zero-width spaces, outlets with commas or
parentheses), so each test takes the variants seen and no more.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from newsdesk.pipeline.errors import IssueParseError
from newsdesk.pipeline.issue.backissues_markdown import unmark
from newsdesk.pipeline.issue.style import MONTHS
from newsdesk.pipeline.text import xml_safe
from newsdesk.pipeline.types import SourceRef

#: a date written after the title: "- September 28, 2026", ", 28 September 2026", "| 2026-09-28"
_TITLE_DATE = (
    r"(?:\s*[,|–—-]\s*(?P<date>[A-Z][a-z]+\.?\s+\d{1,2},\s+\d{4}"
    r"|\d{1,2}\s+[A-Z][a-z]+\.?,?\s+\d{4}|\d{4}-\d{2}-\d{2}))?$"
)
#: "<Publication> No. N" or "<Publication>: No. N", with an optional date after a dash or comma
TITLE = re.compile(r"^(?P<publication>\S.*?)\s*:?\s+No\.?\s*(?P<number>\d{1,7})" + _TITLE_DATE)
#: what may stand between a publication's known name and its number: a space, a colon,
#: comma or dash, then "No.", "Issue", "Issue No.", "Number" or "#"
_NAMED_NUMBER = (
    r"(?:\s*[:,|–—-]\s*|\s+|(?=\#))"
    r"(?:issue\s*(?:no\.?|number|\#)?|no\.?|number|\#)\s*(?P<number>\d{1,7})"
)
CATEGORIES_LABEL = "Related Categories:"
_CATEGORIES = re.compile(r"^Related Categories\s*:?\s*(?P<inline>.*)$", re.IGNORECASE)
_SOURCE = re.compile(
    r"^(?P<outlet>.+?),?\s+(?P<month>[A-Za-z]+)\.?\s+(?P<day>\d{1,2}),?\s+(?P<year>\d{4})$"
)
#: the date as an ISO date, as some archiving tools write it: "Outlet, 2019-03-03"
_SOURCE_ISO = re.compile(r"^(?P<outlet>.+?),\s*(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})$")
#: the same with the day first, as British and Asian outlets write it: "Outlet, 3 March 2019"
_SOURCE_DAY_FIRST = re.compile(
    r"^(?P<outlet>.+?),\s*(?P<day>\d{1,2})\s+(?P<month>[A-Za-z]+)\.?,?\s+(?P<year>\d{4})$"
)
_LONG_DATE = re.compile(r"\b(?P<month>[A-Z][a-z]+)\.?\s+(?P<day>\d{1,2}),\s+(?P<year>\d{4})\b")
_MONTH_NUMBER = {m.lower(): i for i, m in enumerate(MONTHS, 1)}
_MONTH_NUMBER.update({m[:3].lower(): i for i, m in enumerate(MONTHS, 1)})
_MONTH_NUMBER["sept"] = 9
_MONTH_WORDS = "|".join(sorted({m.capitalize() for m in _MONTH_NUMBER}, key=len, reverse=True))
#: the older layout's entry: "May 13: ..." (a capitalised month, a day, a colon)
DATED_ENTRY = re.compile(rf"^(?:{_MONTH_WORDS})\.?\s+\d{{1,2}}(?:,\s*\d{{4}})?\s*:\s+\S")
CHAIN_START = re.compile(r"^\s*(\.\.\.|…)")
CHAIN_END = re.compile(r"(\.\.\.|…)\s*$")
#: the call to subscribe and its button, in the words publishers use
SUBSCRIBE_LINES = frozenset(
    {
        "want these sent to your inbox?",
        "subscribe",
        "subscribe now",
        "sign up",
        "subscribe to this bulletin",
    }
)
_INVISIBLE = dict.fromkeys(map(ord, "\ufeff\u200b\u200c\u200d\u2060\u00ad"), None)


_HTML_CHARSET = re.compile(rb"<meta[^>]*charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.IGNORECASE)


def decode(data: bytes, source: str = "", html: bool = False) -> str | bytes:
    """A back-issue file's text: UTF-8 (a BOM allowed), or UTF-16 with its BOM (what
    Notepad and Word call "Unicode"). A page that is not UTF-8 but declares its charset
    in a <meta> (Word's "Web Page" in windows-1252) is given back as bytes, for the HTML
    parser to decode as it declares. Anything else is refused at the line of the first
    byte that is not UTF-8, rather than guessed at."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise IssueParseError(1, "not UTF-16 text, though it starts as such", source) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        declared = _HTML_CHARSET.search(data[:4096]) if html else None
        if declared is not None:
            try:
                # a page declaring UTF-8 is no other encoding: its bad byte is refused
                if codecs.lookup(declared[1].decode("ascii")).name != "utf-8":
                    return data
            except LookupError:
                pass
        line = data.count(b"\n", 0, exc.start) + 1
        raise IssueParseError(
            line,
            f"not UTF-8 text (byte 0x{data[exc.start]:02x}, perhaps saved as Windows-1252 "
            "or Latin-1): save the file as UTF-8",
            source,
        ) from None


def clean(text: str) -> str:
    """One line as read: no invisible characters, nor control characters (a damaged
    file's U+0000, which PostgreSQL cannot store), every run of spaces (NBSP, thin,
    tabs) one plain space, none at the ends. Quotes are kept as published."""
    return " ".join(xml_safe(text.translate(_INVISIBLE)).split())


def numbered_lines(text: str, markdown: bool = False) -> list[tuple[int, str]]:
    """The text's lines that hold anything, cleaned and without Markdown's marks
    (`backissues_markdown`), with their line numbers (from 1)."""
    return [line for line in lines_and_blanks(text, markdown) if line is not None]


def lines_and_blanks(text: str, markdown: bool = False) -> list[tuple[int, str] | None]:
    """numbered_lines, with None for each blank line (where blocks part)."""
    cleaned = ((n, unmark(clean(line), markdown)) for n, line in enumerate(text.splitlines(), 1))
    return [(n, line) if line else None for n, line in cleaned]


def month_number(name: str) -> int | None:
    return _MONTH_NUMBER.get(name.lower().rstrip("."))


#: a date as issues state theirs: "September 28, 2026", "28 September 2026", "2026-09-28"
_DATES = (
    _LONG_DATE,
    re.compile(r"\b(?P<day>\d{1,2})\s+(?P<month>[A-Z][a-z]+)\.?,?\s+(?P<year>\d{4})\b"),
    re.compile(r"\b(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})\b"),
)


def _date_in(text: str) -> tuple[re.Match[str], date] | None:
    """The first date the text states, in any of the forms of _DATES, and where."""
    for pattern in _DATES:
        for match in pattern.finditer(text):
            name = match["month"]
            month = int(name) if name.isdigit() else month_number(name)
            try:
                return match, date(int(match["year"]), month or 0, int(match["day"]))
            except ValueError:
                continue
    return None


def parse_date(text: str) -> date | None:
    found = _date_in(text)
    return found[1] if found else None


def date_line(text: str) -> date | None:
    """The date of a line that states only a date ("September 28, 2026", "Monday,
    28 September 2026", "Published 2026-09-28"); None for any other line."""
    found = _date_in(text)
    if not found or len(text.split()) > 6:
        return None
    match, day = found
    rest = (text[: match.start()] + text[match.end() :]).strip(" ,.:-–—|")
    return day if len(rest.split()) <= 2 else None


@dataclass(frozen=True)
class Title:
    """A title line as read: the publication as written, the number, and the date
    written after them ("" for none)."""

    publication: str
    number: int
    date: str = ""


class Titles:
    """Which lines are an issue's title.

    Knowing no names, the form the house writes, under any name: "<Publication> No. N"
    or "<Publication>: No. N", "No." in that case (so a file of another publication is
    read, and refused for its name). Knowing the publication's names (its own and any
    earlier one, as an import does), also the forms archives write under one of them:
    capitals ("HARBOUR POLICY BRIEF NO. 401"), a comma or dash before the number, and
    "Issue", "Issue No.", "Number" or "#" for "No.". Only a line that opens with one of
    the names is read so: a headline such as "WHY VESTA IS NO. 1" names no publication
    and stays a headline. One in sentence or title case ("Why Vesta is No. 1") is in
    the house's form under some name: the reader takes it for a headline when an item's
    paragraph follows it (`backissues._Reader.heads_item`)."""

    def __init__(self, names: Iterable[str] = ()) -> None:
        self.names = tuple(dict.fromkeys(" ".join(n.split()) for n in names if n.strip()))
        self._folded = frozenset(fold(n) for n in self.names)
        self._named: tuple[re.Pattern[str], re.Pattern[str]] | None = None
        if self.names:
            longest_first = sorted(self.names, key=len, reverse=True)
            spelled = "|".join(_name_pattern(n) for n in longest_first)
            named = rf"(?P<publication>{spelled}){_NAMED_NUMBER}"
            self._named = (
                re.compile(rf"^{named}{_TITLE_DATE}", re.IGNORECASE),
                re.compile(rf"(?<!\w){named}\b", re.IGNORECASE),
            )

    def match(self, text: str) -> Title | None:
        """The line read as a title; None if it is none."""
        named = self._named[0].match(text) if self._named is not None else None
        return _title(named or TITLE.match(text))

    def search(self, text: str) -> Title | None:
        """The title within a longer text (a page's <title>: "... No. 418 | Site")."""
        named = self._named[1].search(text) if self._named is not None else None
        return _title(named or _TITLE_ANYWHERE.search(text))

    def elsewise(self, text: str) -> str:
        """A hint for a line refused for what it seems, when it reads as a title under
        a name the reader was not told ("HARBOUR BRIEF NO. 12"); "" for any other line."""
        found = _TITLE_LIKE.match(text)
        if found is None or len(text.split()) > 12 or self.match(text) or final_group(text):
            return ""
        return (
            f"; if it is the title, under an earlier name {found['publication']!r} of the "
            "publication, accept that name with --also-titled"
        )

    def of(self, text: str) -> Title | None:
        """The title line's title, unless the line is an item's paragraph."""
        return None if final_group(text) else self.match(text)

    def frames(self, text: str) -> bool:
        """Whether the line is of an issue's head or foot: its title, its categories, a
        date line or the call to subscribe (not part of any item)."""
        return bool(
            self.of(text)
            or categories_label(text) is not None
            or date_line(text)
            or is_subscribe(text)
        )

    def known(self, name: str) -> bool:
        """Whether the name is one of the publication's (never, told no names)."""
        return fold(name) in self._folded

    def agree(self, one: str, other: str) -> bool:
        """Whether two titles name the same publication: one name, or two of its names."""
        return fold(one) == fold(other) or {fold(one), fold(other)} <= self._folded


def _title(found: re.Match[str] | None) -> Title | None:
    if found is None:
        return None
    written = found.groupdict().get("date") or ""  # "SEPTEMBER 28, 2026" as dates are read
    return Title(found["publication"].strip(), int(found["number"]), written.title())


#: a title in any of the forms `Titles` reads under a known name, under any name
_TITLE_LIKE = re.compile(rf"^(?P<publication>\S.*?){_NAMED_NUMBER}{_TITLE_DATE}", re.IGNORECASE)
_TITLE_ANYWHERE = re.compile(TITLE.pattern.removeprefix("^").removesuffix("$") + r"\b")


def _name_pattern(name: str) -> str:
    """A name as a pattern that finds it as `fold` compares: any case, any quote marks."""
    words = ("".join(_QUOTE_CLASS.get(ch) or re.escape(ch) for ch in w) for w in name.split())
    return r"\s+".join(words)


#: any name, in the house's form only: what the parsers read when not told the names
ANY_TITLE = Titles()


def categories_label(text: str) -> str | None:
    """What follows "Related Categories:" on its line ("" for nothing), or None."""
    match = _CATEGORIES.match(text)
    return match["inline"].strip() if match else None


def split_categories(text: str) -> tuple[str, ...]:
    """The names joined by ";", each once ("China; China" is one category)."""
    return tuple(dict.fromkeys(c.strip() for c in text.split(";") if c.strip()))


def final_group(text: str) -> tuple[int, str] | None:
    """Where the line's closing parenthesised group starts and what it holds; parentheses
    inside it (an outlet's "(Tokyo)") are matched, so the group is the whole attribution.
    A full stop after it ("...2019).", as some archives close a paragraph) is no part of it."""
    stripped = text.rstrip()
    if stripped.endswith(")."):
        stripped = stripped[:-1]
    if not stripped.endswith(")"):
        return None
    depth = 0
    for k in range(len(stripped) - 1, -1, -1):
        if stripped[k] == ")":
            depth += 1
        elif stripped[k] == "(":
            depth -= 1
            if depth == 0:
                return k, stripped[k + 1 : -1]
    return None


def _top_level_parts(inner: str) -> list[str]:
    """The attribution's sources: split at "; " outside any parentheses."""
    parts, depth, start = [], 0, 0
    for k, ch in enumerate(inner):
        depth += ch == "("
        depth -= ch == ")"
        if ch == ";" and depth == 0:
            parts.append(inner[start:k])
            start = k + 1
    parts.append(inner[start:])
    return parts


def looks_like_body(text: str) -> bool:
    """A paragraph that ends with an attribution: a closing group with a comma and a
    year (or an ISO date), in a line too long to be a headline."""
    return len(text.split()) >= 10 and ends_with_attribution(text)


def ends_with_attribution(text: str) -> bool:
    """Whether the line's closing group has a comma and ends with a year (or an ISO
    date), or ends with a month, a day and a year, as an attribution does."""
    group = final_group(text)
    if group is None:
        return False
    inner = group[1].strip()
    if "," in inner and re.search(r"\d{4}(-\d{2}-\d{2})?$", inner):
        return True
    # the commas left out: "(Meridian Wire September 5 2026)"
    found = _SOURCE.match(inner)
    return bool(found and month_number(found["month"]))


#: a line's end that is meant as an attribution's date, in any form one is written
#: ("Meridian Wire, Sept 5, 2026", "[Ledger, 5 May 2019]", "Outlet 2019-05-05)")
_ENDS_WITH_DATE = re.compile(
    rf"(?:(?:{_MONTH_WORDS})\.?\s+\d{{1,2}},?\s+\d{{4}}|\d{{1,2}}\s+(?:{_MONTH_WORDS})\.?,?\s+\d{{4}}"
    r"|\d{4}-\d{2}-\d{2})\s*[)\]}]?\s*\.?$"
)


def attempted_attribution(text: str) -> str | None:
    """Why a paragraph (20 words or more) that is not an item's, as read, ends as if it
    cited a source: a date or a bracketed group with a year at its end. None for any
    other line. The readers refuse such a line at its number rather than pass it over
    as a page's furniture, which would drop the item silently."""
    if len(text.split()) < 20:
        return None
    group = final_group(text)
    if group is not None and re.search(r"\d{4}", group[1]):
        return "paragraph ends with a group that is not an attribution '(Outlet, Month D, YYYY)'"
    if _ENDS_WITH_DATE.search(text):
        return (
            "paragraph does not end with an attribution '(Outlet, Month D, YYYY)': "
            "is its source missing its parentheses?"
        )
    return None


def looks_like_headline(text: str) -> bool:
    """A line in capitals of at most 25 words (the house headline, any punctuation)."""
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and text == text.upper() and len(text.split()) <= 25


def is_subscribe(text: str) -> bool:
    return text.lower().rstrip(" :") in SUBSCRIBE_LINES


def _source(part: str) -> tuple[SourceRef | None, str]:
    """One ";"-separated part of an attribution as a source, or None and why not."""
    found = _SOURCE.match(part)
    month = month_number(found["month"]) if found else None
    if month is None:
        found = _SOURCE_DAY_FIRST.match(part)
        month = month_number(found["month"]) if found else None
    if month is None:
        found = _SOURCE_ISO.match(part)
        month = int(found["month"]) if found else None
    if not found or month is None:
        return None, f"attribution part {part!r} is not 'Outlet, Month D, YYYY'"
    try:
        day = date(int(found["year"]), month, int(found["day"]))
    except ValueError:
        return None, f"attribution date in {part!r} does not exist"
    return SourceRef(outlet=found["outlet"].strip(" ,"), date=day), ""


def _earlier_attribution(inner: str) -> tuple[SourceRef, ...] | None:
    """The sources of a group before the attribution, when it is one too ("(Ledger, May 5,
    2019) (Wire, May 6, 2019)", as editors pasted a second source): every part an outlet,
    a comma and a date. None for any other group, which stays in the paragraph's text."""
    sources = []
    for raw in _top_level_parts(inner):
        part = raw.strip()
        found, _ = _source(part)
        if found is None or "," not in part[: len(found.outlet) + 1]:
            return None
        sources.append(found)
    return tuple(sources)


def parse_attribution(body: str, line: int, source: str = "") -> tuple[str, tuple[SourceRef, ...]]:
    """Split "... text (Outlet, Month D, YYYY; ...)" into the text and its sources. Groups
    of sources just before it, written apart ("(A, May 5, 2019) (B, May 6, 2019)"), are
    sources of the item too, as the house joins them with "; "."""
    group = final_group(body)
    if group is None:
        raise IssueParseError(
            line, "paragraph does not end with an attribution '(Outlet, Month D, YYYY)'", source
        )
    sources: list[SourceRef] = []
    for raw in _top_level_parts(group[1]):
        found, why = _source(raw.strip())
        if found is None:
            raise IssueParseError(line, why, source)
        sources.append(found)
    end, earlier_groups = group[0], []
    # walked back from the attribution by index, each group read once: a line of
    # thousands of groups costs its length, not its length times the groups
    while (before := _group_before(body, end)) and (earlier := _earlier_attribution(before[1])):
        earlier_groups.append(earlier)
        end = before[0]
    sources[:0] = [s for earlier in reversed(earlier_groups) for s in earlier]
    return body[:end].rstrip(), tuple(dict.fromkeys(sources))


#: what may stand between two groups of sources: "(A, ...), (B, ...)", "(A, ...) and (B, ...)"
_SEPARATOR = re.compile(r"(?:[,;&]|\band)$")


def _group_before(text: str, end: int) -> tuple[int, str] | None:
    """final_group of `text[:end]` past a separator after the group (`_SEPARATOR`),
    without copying the text: where the group starts and what it holds."""
    k = _space_before(text, end)
    if separator := _SEPARATOR.search(text, max(0, k - 3), k):
        k = _space_before(text, separator.start())
    if k and text[k - 1] == "." and text[k - 2 : k - 1] == ")":
        k -= 1  # "...2019). (Wire, ...)"
    if not k or text[k - 1] != ")":
        return None
    depth = 0
    for j in range(k - 1, -1, -1):
        if text[j] == ")":
            depth += 1
        elif text[j] == "(":
            depth -= 1
            if depth == 0:
                return j, text[j + 1 : k - 1]
    return None


def _space_before(text: str, end: int) -> int:
    """`end` moved back over the spaces before it."""
    while end and text[end - 1].isspace():
        end -= 1
    return end


_QUOTES = str.maketrans("‘’‚‛“”„‟′″", "''''\"\"\"\"'\"")

#: each quote mark as a pattern of every mark `fold` takes for the same one
_MARKS = "'\"‘’‚‛“”„‟′″"
_QUOTE_CLASS = {
    mark: "[" + re.escape("".join(q for q in _MARKS if q.translate(_QUOTES) == straight)) + "]"
    for mark in _MARKS
    for straight in [mark.translate(_QUOTES)]
}


def fold(name: str) -> str:
    """A publication's name as compared: straight quotes, one space, any case."""
    return " ".join(name.translate(_QUOTES).split()).casefold()
