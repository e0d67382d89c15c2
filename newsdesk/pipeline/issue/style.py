"""House style: attributions, headline casing and chain markers.

The seed issue is the reference: "(Nikkei Asia, November 15, 2024)"-style
attributions joined by "; ", ALL-CAPS headlines, and "..." at the joins of
chained items.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date

from newsdesk.pipeline.errors import InputError
from newsdesk.pipeline.types import SourceRef

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
DATE_FORMATS = ("long", "day-first", "iso")
HEADLINE_CASES = ("upper", "title", "sentence")
ELLIPSIS = "..."
_LEADING_DOTS = re.compile(r"^\s*(\.\.\.|…)\s*")
_TRAILING_DOTS = re.compile(r"\s*(\.\.\.|…)\s*$")
#: kept in capitals whatever the casing (extend per publication later)
ABBREVIATIONS = frozenset(
    "PRC US U.S. UK U.K. EU UN NATO PLA MSS FBI CIA NSA AI ASEAN WTO IMF G7 G20 TSMC CCP "
    "CPC HK DPRK ROK USA ICC WHO OPEC SCO BRICS IAEA UAE".split()
)
_SMALL_WORDS = frozenset("a an and as at but by for in nor of on or the to up via vs".split())


@dataclass(frozen=True)
class Style:
    """A publication's style settings (stored as JSON on the publication)."""

    headline_case: str = "upper"
    headline_max_words: int = 12
    body_min_words: int = 90
    body_max_words: int = 160
    attribution_date_format: str = "long"
    subscribe_call: str = "Want these sent to your inbox?"
    subscribe_label: str = "Subscribe"
    sections: bool = False  # issues grouped under section headings (Issue.sections)
    teaser_max_words: int = 12
    banned_phrases: tuple[str, ...] = ()  # never in a drafted headline, teaser or body

    @classmethod
    def from_settings(cls, settings: dict[str, object]) -> Style:
        known = {k: v for k, v in settings.items() if k in cls.__dataclass_fields__}
        if "banned_phrases" in known:
            phrases = known["banned_phrases"]
            if not isinstance(phrases, list | tuple) or not all(
                isinstance(p, str) for p in phrases
            ):
                raise InputError("the publication's style has banned_phrases: give a list of texts")
            known["banned_phrases"] = tuple(phrases)
        style = cls(**known)  # type: ignore[arg-type]
        for name, allowed in (
            ("headline_case", HEADLINE_CASES),
            ("attribution_date_format", DATE_FORMATS),
        ):
            value = getattr(style, name)
            if value not in allowed:
                raise InputError(
                    f"the publication's style has {name} {value!r}: "
                    f"set it to one of {', '.join(allowed)}"
                )
        return style


def format_date(day: date, fmt: str = "long") -> str:
    if fmt == "day-first":
        return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
    if fmt == "iso":
        return day.isoformat()
    return f"{MONTHS[day.month - 1]} {day.day}, {day.year}"


def format_attribution(sources: Iterable[SourceRef], fmt: str = "long") -> str:
    """ "(Outlet, Month D, YYYY; Other Outlet, Month D, YYYY)"; empty when there are no sources."""
    parts = [f"{s.outlet}, {format_date(s.date, fmt)}" for s in sources]
    return f"({'; '.join(parts)})" if parts else ""


def strip_chain_marks(headline: str) -> str:
    return _TRAILING_DOTS.sub("", _LEADING_DOTS.sub("", headline)).strip()


def chain_headline(headline: str, *, continues: bool, continued: bool) -> str:
    """Add "..." where the item joins the one before (`continues`) or after (`continued`)."""
    core = strip_chain_marks(headline)
    return f"{ELLIPSIS if continues else ''}{core}{ELLIPSIS if continued else ''}"


_OPENING = "\"'“‘«"
_CLOSING = "\"'”’»"


def quoted_words(words: list[str]) -> list[bool]:
    """Which words stand inside a quotation ("'Be Best'", "“a door to Asia”"): their
    case is the speaker's or the title's, which a change of case would misquote."""
    out: list[bool] = []
    inside = False
    for word in words:
        lead = word.lstrip("([")
        if not inside and lead[:1] in _OPENING and lead[1:2].isalpha():
            inside = True
        out.append(inside)
        tail = word.rstrip(".,;:!?)]…")
        if inside and len(tail) > 1 and tail[-1] in _CLOSING:
            inside = False
    return out


def _title_cased(words: list[str]) -> bool:
    """Every longer word after the first capitalised: a Title Case line, whose capitals
    say nothing about which words are names."""
    quoted = quoted_words(words)
    long_words = [w for i, w in enumerate(words) if i and not quoted[i] and len(w) > 3]
    return len(long_words) >= 2 and all(w[:1].isupper() for w in long_words)


def apply_case(headline: str, case: str, names: Collection[str] = ()) -> str:
    """Headline casing; words already in capitals (PRC, U.S., EU) are kept as they are.

    In sentence case a headline written in neither capitals nor Title Case keeps its
    words as written (its capitals are names: "Exporters scramble as Kesteria licenses
    magnets"); one in capitals or Title Case keeps a capital on the words in `names`
    (lower-cased, as `headline.proper_words` finds them in the articles)."""
    if case == "upper":
        return headline.upper()
    words = headline.split()
    shouting = headline == headline.upper()  # every word in capitals: only known ones stay
    as_written = not shouting and not _title_cased(words)

    def sentence(part: str, first: bool) -> str:
        if as_written:
            return part[:1].upper() + part[1:] if first else part
        bare = part.strip(".,:;'\"()…‘’“”")
        if first or bare.lower() in names:
            return part[:1].upper() + part[1:].lower()
        return part.lower()

    quoted = quoted_words(words)
    out: list[str] = []
    for i, word in enumerate(words):
        bare = word.strip(".,:;'\"()…")
        looks_abbreviated = ("." in bare or any(c.isdigit() for c in bare)) and bare.isupper()
        if case == "sentence" and quoted[i] and not shouting:
            out.append(word[:1].upper() + word[1:] if i == 0 else word)  # a quote as written
        elif (
            bare.upper() in ABBREVIATIONS
            or looks_abbreviated
            or (not shouting and word.isupper() and len(bare) > 1)
        ):
            out.append(word)
        elif case == "title":
            lower = word.lower()
            out.append(lower if i > 0 and lower in _SMALL_WORDS else lower[:1].upper() + lower[1:])
        elif i == 0:
            out.append(sentence(word, True))
        else:  # each part of a compound alone: "Kesteria-backed", "U.S.-led"
            out.append("-".join(sentence(p, False) for p in word.split("-")))
    return " ".join(out)
