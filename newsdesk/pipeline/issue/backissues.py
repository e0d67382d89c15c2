"""Reading back issues as publishers keep them: plain text (the seed's shape and its
variants); backissues_html.py reads a publisher's saved web page into the same lines.

An issue is read in three parts. The head: the title "<Publication> No. N" (or
"<Publication>: No. N"), a date line, "Related Categories:", site furniture. The
items: a headline line and its paragraph ending "(Outlet, Month D, YYYY[; ...])",
with or without blank lines between them, headlines in any casing; or, in the
older layout, dated entries with no headline ("May 13: ... (Outlet, May 13, 2019)").
The foot: the subscribe call, the title, the categories. The title may be at the
top, at the foot or both (they must agree). A file that ends inside an item
keeps its complete items and says where it was cut; anything else that does not
fit is refused with the number of the line at fault and why.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from datetime import date

from newsdesk.pipeline.errors import IssueParseError
from newsdesk.pipeline.issue import backissues_lines as lines_
from newsdesk.pipeline.issue.backissues_lines import (
    ANY_TITLE,
    CATEGORIES_LABEL,
    Titles,
    lines_and_blanks,
    numbered_lines,
    parse_attribution,
    parse_date,
)
from newsdesk.pipeline.issue.backissues_wrapped import unwrap
from newsdesk.pipeline.issue.style import strip_chain_marks
from newsdesk.pipeline.limits import (
    DEFAULT_LIMITS,
    InputLimits,
    check_item_words,
    too_many_items,
)
from newsdesk.pipeline.types import ItemText

__all__ = [
    "CATEGORIES_LABEL",
    "IssueParseError",
    "ParsedIssue",
    "Titles",
    "numbered_lines",
    "parse_attribution",
    "parse_date",
    "parse_issue_lines",
    "parse_issue_text",
]

Line = tuple[int, str]


@dataclass(frozen=True)
class ParsedIssue:
    publication: str
    number: int
    items: tuple[ItemText, ...]
    categories: tuple[str, ...]
    subscribe_lines: tuple[str, ...] = ()
    date: date | None = None  # the date the page states, if it states one
    title_line: int = 1
    #: what the reader should know though the issue was read: "FILE:LINE: ..." each
    notes: tuple[str, ...] = ()
    #: the line each item starts on (its headline, or its dated entry), and the line of
    #: the categories, for messages about what the database refuses to store
    item_lines: tuple[int, ...] = ()
    categories_line: int = 0

    @property
    def latest_source_date(self) -> _dt.date | None:
        dates = [s.date for item in self.items for s in item.sources]
        return max(dates) if dates else None


@dataclass
class _Head:
    """What the head and the foot state: titles, categories, a date, furniture."""

    titles: list[tuple[int, str, int]] = field(default_factory=list)  # (line, pub, number)
    categories: list[tuple[int, tuple[str, ...]]] = field(default_factory=list)
    dates: list[date] = field(default_factory=list)
    subscribe: list[str] = field(default_factory=list)
    first_label_line: int | None = None


class _Reader:
    def __init__(
        self,
        lines: list[Line],
        source: str,
        limits: InputLimits,
        page: bool = False,
        titles: Titles = ANY_TITLE,
    ) -> None:
        self.lines, self.source, self.limits, self.page = lines, source, limits, page
        self.titles = titles
        self.at = 0
        self.found = _Head()
        self.items: list[ItemText] = []
        self.item_lines: list[int] = []
        self.notes: list[str] = []
        self.last_headline: str | None = None  # as written, chain marks included

    def error(self, line: int, message: str) -> IssueParseError:
        return IssueParseError(line, message, self.source)

    def text(self, k: int) -> str:
        return self.lines[k][1] if k < len(self.lines) else ""

    # -- one structural line of the head or foot ---------------------------------

    def structural(self) -> bool:
        """Take the line at `at` if it is a title, categories or date; say whether it was."""
        number, text = self.lines[self.at]
        if title := self.titles.of(text):
            self.found.titles.append((number, title.publication, title.number))
            if title.date and (day := parse_date(title.date)):
                self.found.dates.append(day)
            self.at += 1
            return True
        inline = lines_.categories_label(text)
        if inline is not None:
            if self.found.first_label_line is None:
                self.found.first_label_line = number
            if not inline:
                if self.at + 1 >= len(self.lines):  # the file ends here: it was cut
                    self.notes.append(
                        f"{self.source or 'line'}:{number}: the file ends after the label "
                        f"{CATEGORIES_LABEL!r}: the issue is read without its categories"
                    )
                    self.at += 1
                    return True
                inline = self.text(self.at + 1)
                self.at += 1
            self.found.categories.append((number, lines_.split_categories(inline)))
            self.at += 1
            return True
        if (day := lines_.date_line(text)) is not None:
            self.found.dates.append(day)
            self.at += 1
            return True
        return False

    def refuse_misattributed(self, k: int) -> None:
        """Refuse, at its line, a paragraph outside the items that ends as if it cited a
        source ("... said. Ledger, May 5, 2019"): an item whose attribution is mistyped,
        which passing over as furniture would drop without a word. So is a line too short
        for a paragraph that ends with an attribution: the end of a wrapped one."""
        number, text = self.lines[k]
        if lines_.ends_with_attribution(text):
            start = next((j + 1 for j in range(k - 1, -1, -1) if not self.plain(self.text(j))), 0)
            hint = self.wrapped(start + 1) if start + 1 < k else ""
            raise self.error(
                number,
                "this line ends with an attribution but is no paragraph under a headline"
                + (hint or ": is its paragraph wrapped over several lines?"),
            )
        why = lines_.attempted_attribution(text)
        if why is None:
            return
        if lines_.final_group(text):
            parse_attribution(text, number, self.source)  # says what is wrong with it
        raise self.error(number, why)

    def plain(self, text: str) -> bool:
        """Not a title, categories, a date or a subscribe call: maybe part of an item."""
        return not self.titles.frames(text)

    def item_starts(self, k: int) -> bool:
        return bool(lines_.DATED_ENTRY.match(self.text(k))) or (
            k + 1 < len(self.lines) and lines_.looks_like_body(self.text(k + 1))
        )

    # -- the three parts ------------------------------------------------------------

    def heads_item(self, k: int) -> bool:
        """Whether the line, though it reads as a title in the house's form, is the first
        item's headline: under a name that is none of the publication's ("Why Vesta is
        No. 1"), over an item's paragraph. A title never stands over a paragraph with a
        headline's place (one over a dated entry, which has none, stays a title)."""
        text, following = self.text(k), self.text(k + 1)
        title = self.titles.of(text)
        return (
            title is not None
            and not self.titles.known(title.publication)
            and lines_.looks_like_body(following)
            and not lines_.DATED_ENTRY.match(following)
        )

    def head(self) -> None:
        while self.at < len(self.lines):
            if not self.heads_item(self.at) and self.structural():
                continue
            number, text = self.lines[self.at]
            if self.item_starts(self.at):
                return
            if lines_.looks_like_body(text):
                raise self.error(number, "expected a headline before this paragraph")
            self.refuse_misattributed(self.at)
            if not self.page and lines_.looks_like_headline(text) and len(text.split()) >= 4:
                raise self.error(
                    number,
                    f"headline {text[:60]!r} has no paragraph after it"
                    + (self.titles.elsewise(text) or self.wrapped(self.at + 1)),
                )
            self.at += 1  # a banner, a site name: furniture

    def body(self) -> None:
        while self.at < len(self.lines):
            number, text = self.lines[self.at]
            if lines_.DATED_ENTRY.match(text):
                if not self.dated_entry():
                    return
                continue
            following = self.text(self.at + 1)
            if lines_.looks_like_body(following):
                if lines_.looks_like_body(text):
                    raise self.error(number, "expected a headline before this paragraph")
                if lines_.DATED_ENTRY.match(following):
                    raise self.error(
                        number,
                        f"{text[:60]!r} stands before a dated entry ('May 13: ...'), which "
                        "has no headline: cannot tell whether it heads the entry; "
                        "remove the line or give every entry a headline",
                    )
                self.pair(number, text, self.lines[self.at + 1])
                self.at += 2
                continue
            if lines_.looks_like_body(text):
                raise self.error(number, "expected a headline before this paragraph")
            return

    def add(self, item: ItemText, headline: str, line: int) -> None:
        if len(self.items) == self.limits.issue_items:
            raise too_many_items(self.limits.issue_items, self.source)
        check_item_words(item, self.limits, f"{self.source or 'line'}:{line}")
        self.items.append(item)
        self.item_lines.append(line)
        self.last_headline = headline

    def pair(self, number: int, headline: str, paragraph: Line) -> None:
        body, sources = parse_attribution(paragraph[1], paragraph[0], self.source)
        continues = bool(lines_.CHAIN_START.match(headline))
        before = self.previous_headline
        if continues and not self.items:
            raise self.error(number, "the first item cannot continue a chain ('...')")
        if before is not None and lines_.CHAIN_END.search(before) and not continues:
            raise self.error(
                number, "the headline before ends with '...' but this one does not continue it"
            )
        if continues and not (before and lines_.CHAIN_END.search(before)):
            raise self.error(
                number,
                "this headline continues a chain ('...') but the one before does not end "
                "with '...'",
            )
        self.add(
            ItemText(
                headline=strip_chain_marks(headline),
                body=body,
                sources=sources,
                chained_to_previous=continues,
            ),
            headline,
            number,
        )

    @property
    def previous_headline(self) -> str | None:
        return self.last_headline

    def dated_entry(self) -> bool:
        """Read "May 13: ..." up to the line that ends with its attribution (an entry may
        run over several lines); False when the file ends inside it (the cut is noted)."""
        start, text = self.lines[self.at]
        if self.previous_headline and lines_.CHAIN_END.search(self.previous_headline):
            raise self.error(start, "the headline before ends with '...' but a dated entry follows")
        parts, k = [text], self.at
        while lines_.final_group(parts[-1]) is None:
            k += 1
            if k >= len(self.lines):
                self.note_cut(start, "the dated entry " + repr(text[:40]))
                self.at = k
                return False
            number, following = self.lines[k]
            if (
                lines_.DATED_ENTRY.match(following)
                or self.titles.of(following)
                or lines_.categories_label(following) is not None
                or lines_.is_subscribe(following)
            ):
                raise self.error(
                    start,
                    f"the dated entry {text[:40]!r} has no attribution '(Outlet, Month D, YYYY)' "
                    f"before line {number}: cannot tell which source it cites or where it ends",
                )
            if lines_.looks_like_headline(following):
                raise self.error(
                    number,
                    f"{following[:60]!r} is in capitals inside the dated entry of line "
                    f"{start}: cannot tell whether it is a headline or part of the entry",
                )
            parts.append(following)
        body, sources = parse_attribution(" ".join(parts), self.lines[k][0], self.source)
        self.add(ItemText(headline="", body=body, sources=sources), "", start)
        self.at = k + 1
        return True

    def note_cut(self, line: int, what: str) -> None:
        kept = len(self.items)
        self.notes.append(
            f"{self.source or 'line'}:{line}: the file ends inside {what}: it is cut "
            f"mid-paragraph and was left out; the {kept} complete items before it were read"
        )

    def foot(self) -> None:
        rest = self.lines[self.at :]
        if not rest:
            return
        self.no_items_after()
        if not self.page and self.cut(rest):
            self.at = len(self.lines)
            return
        before = len(self.found.categories)
        after_categories = False
        while self.at < len(self.lines):
            if self.structural():
                after_categories = len(self.found.categories) > before
                if self.page and after_categories:
                    self.at = len(self.lines)  # a page's site footer and sidebar follow
                continue
            number, text = self.lines[self.at]
            following = self.text(self.at + 1)
            if not after_categories:
                self.refuse_misattributed(self.at)
            if not lines_.is_subscribe(text):
                # a headline over a paragraph: the last item, its attribution missing; in
                # any casing in a text file (a sibling bulletin's are in sentence case), in
                # capitals on a page (whose foot may hold a blurb under a plain heading)
                heading = not self.page or lines_.looks_like_headline(text)
                if (
                    heading
                    and len(following.split()) >= 20
                    and len(text.split()) <= 25
                    and not (
                        self.titles.of(following) or lines_.categories_label(following) is not None
                    )
                ):
                    self.refuse_misattributed(self.at + 1)
                    raise self.error(
                        self.lines[self.at + 1][0],
                        "paragraph does not end with an attribution '(Outlet, Month D, YYYY)'"
                        + self.wrapped(self.at + 1),
                    )
                if not self.page and lines_.looks_like_headline(text):
                    raise self.error(
                        number,
                        f"headline {text[:60]!r} has no paragraph after it"
                        + (self.titles.elsewise(text) or self.wrapped(self.at + 1)),
                    )
            if after_categories and not self.page:
                raise self.error(number, "unexpected text after the categories")
            self.found.subscribe.append(text)
            self.at += 1

    def no_items_after(self) -> None:
        """Reading stopped before the foot, yet paragraphs follow: refuse at the line that
        stopped it rather than lose the items after it."""
        end = next(
            (
                k
                for k in range(self.at, len(self.lines))
                if lines_.categories_label(self.text(k)) is not None
            ),
            len(self.lines),
        )
        later = next(
            (
                k
                for k in range(self.at + 1, end)
                if lines_.looks_like_body(self.text(k)) or lines_.DATED_ENTRY.match(self.text(k))
            ),
            None,
        )
        if later is None:
            return
        number, text = self.lines[self.at]
        following = self.text(self.at + 1)
        if self.at + 1 < later and len(following.split()) >= 12:
            line = self.lines[self.at + 1][0]
            if lines_.final_group(following):
                parse_attribution(following, line, self.source)  # says what is wrong with it
            raise self.error(
                line,
                "paragraph does not end with an attribution '(Outlet, Month D, YYYY)'"
                + self.wrapped(self.at + 1),
            )
        raise self.error(
            number,
            f"{text[:60]!r} is neither a headline followed by its paragraph nor part of the "
            f"foot, yet items follow (line {self.lines[later][0]}){self.wrapped(self.at + 1)}",
        )

    def wrapped(self, k: int) -> str:
        """A hint, when the lines from `k` on look like one paragraph wrapped over several
        lines (a later line ends with an attribution, none between does): "" if not."""
        for j in range(k, min(k + 12, len(self.lines))):
            text = self.text(j)
            if self.titles.of(text) or lines_.categories_label(text) is not None:
                return ""
            if lines_.final_group(text):
                joined = " ".join(self.text(i) for i in range(k, j + 1))
                if j == k or not lines_.looks_like_body(joined):
                    return ""
                first, last = self.lines[k][0], self.lines[j][0]
                return (
                    f"; lines {first}-{last} look like one paragraph wrapped over several "
                    "lines: put it on one line, or part the items with blank lines"
                )
        return ""

    def cut(self, rest: list[Line]) -> bool:
        """Whether the file ends inside an item (no subscribe call, title or categories
        after the items, and what is there is a headline or a paragraph): noted if so."""
        for _, text in rest:
            if (
                lines_.is_subscribe(text)
                or self.titles.of(text)
                or lines_.categories_label(text) is not None
            ):
                return False
        first_line, first = rest[0]
        if lines_.looks_like_headline(first) or (len(rest) >= 2 and len(rest[-1][1].split()) >= 8):
            what = "the item " + repr(first[:60])
            if self.previous_headline and lines_.CHAIN_END.search(self.previous_headline):
                what += " (which continues the chain before it)"
            self.note_cut(first_line, what)
            return True
        return False

    # -- the whole ----------------------------------------------------------------------

    def read(self, title_hint: tuple[int, str, int] | None = None) -> ParsedIssue:
        if not self.lines:
            raise self.error(1, "the file is empty")
        self.head()
        self.body()
        self.foot()
        if not self.items:
            raise self.error(
                self.lines[0][0],
                "no items found (a headline line followed by a paragraph ending in "
                "'(Outlet, Month D, YYYY)', or dated entries 'May 13: ... (Outlet, May 13, YYYY)')",
            )
        dangling = self.previous_headline
        if dangling and lines_.CHAIN_END.search(dangling) and not self.notes:
            raise self.error(
                self.last_headline_line(),
                "the last headline ends with '...' but no item continues it",
            )
        line, publication, number = self.title(title_hint)
        return ParsedIssue(
            publication=publication,
            number=number,
            items=tuple(self.items),
            categories=self.categories(),
            subscribe_lines=tuple(self.found.subscribe),
            date=self.found.dates[0] if self.found.dates else None,
            title_line=line,
            notes=tuple(self.notes),
            item_lines=tuple(self.item_lines),
            categories_line=self.found.categories[0][0] if self.found.categories else 0,
        )

    def last_headline_line(self) -> int:
        for number, text in reversed(self.lines):
            if text == self.previous_headline:
                return number
        return self.lines[-1][0]

    def title(self, hint: tuple[int, str, int] | None) -> tuple[int, str, int]:
        if hint is not None:
            return hint
        titles = self.found.titles
        if not titles:
            where = self.found.first_label_line or self.lines[-1][0]
            seems = next(
                (
                    f" (line {n}: {t[:60]!r}{why})"
                    for n, t in self.lines
                    if (why := self.titles.elsewise(t))
                ),
                "",
            )
            raise self.error(
                where,
                "expected the title line '<Publication> No. <N>' here (or at the top of the file)"
                + seems,
            )
        first = titles[0]
        for other in titles[1:]:
            if not self.titles.agree(other[1], first[1]) or other[2] != first[2]:
                raise self.error(
                    other[0],
                    f"this title ({other[1]} No. {other[2]}) disagrees with the one on line "
                    f"{first[0]} ({first[1]} No. {first[2]})",
                )
        return first

    def categories(self) -> tuple[str, ...]:
        found = self.found.categories
        if not found:
            return ()
        for line, names in found[1:]:
            if names != found[0][1]:
                raise self.error(line, f"these categories differ from those on line {found[0][0]}")
        return found[0][1]


def parse_issue_lines(
    lines: list[Line],
    source: str = "",
    limits: InputLimits = DEFAULT_LIMITS,
    *,
    page: bool = False,
    title_hint: tuple[int, str, int] | None = None,
    titles: Titles = ANY_TITLE,
) -> ParsedIssue:
    """Read an issue from its numbered, cleaned lines. `page`: the lines of a web page,
    whose furniture (site header, share links, sidebar, footer) is passed over. `titles`:
    which lines are titles (told the publication's names, it reads more forms of them)."""
    return _Reader(lines, source, limits, page, titles).read(title_hint)


def parse_issue_text(
    text: str,
    source: str = "",
    limits: InputLimits = DEFAULT_LIMITS,
    *,
    markdown: bool = False,
    titles: Titles = ANY_TITLE,
) -> ParsedIssue:
    """Parse one issue saved as plain text, or as Markdown (`markdown`: its marks inside
    lines are taken off too); paragraphs wrapped over several lines are joined first
    (`backissues_wrapped`)."""
    lines = unwrap(lines_and_blanks(text, markdown), titles)
    return parse_issue_lines(lines, source, limits, titles=titles)
