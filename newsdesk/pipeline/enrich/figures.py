"""Figures in article text (money, percentages, counts, numbers, dates, years) and an
equivalence-aware check that a drafted figure is in the source.

Every `Figure` points back into its text: ``text[f.start:f.end] == f.text``.

Kinds and what ``value``/``unit``/``normalised`` hold:

* ``money``: "$3.5 billion", "US$1.2bn", "NT$312 billion", "€40 million",
  "180 billion yuan". ``value`` is the full amount (3.5e9), ``unit`` an ISO-like code
  ("USD", "EUR", "CNY"; the New Taiwan dollar is "NTD"; a bare "$" is "USD"; "¥" is
  "JPY"), ``normalised`` "USD 3500000000".
* ``percent``: "60%", "60 percent", "60 per cent" (unit "%"), "two percentage points"
  (unit "pp"), "25 basis points" (unit "bp"). ``normalised`` "60%", "2 pp".
* ``count``: a number with the noun it counts: "71 aircraft", "1,000 kilometres",
  "two-day", "190 million people". ``unit`` is the noun, lower-cased; common measures
  are normalised (kilometres/kilometers/km -> "km"). ``normalised`` "1000 km".
* ``number``: a number on its own: "190 million", "3.1", "nine", "Forty-six",
  "two-thirds" (value 2/3, normalised "2/3").
* ``date``: "March 3, 2026", "3 March 2026", "Nov 17", "November 2025", "2026-11-17".
  ``value`` is None; ``normalised`` is ISO 8601 with what is known: "2026-03-03",
  "--11-17" (no year), "2025-11".
* ``year``: "2022", "mid-2027", "the 1990s" (normalised "1990s"). A four-digit number
  from 1900 to 2100 is a year unless an approximation word stands before it
  ("about 2000 people" is a count).

Number words one to ninety-nine (with hyphenated compounds, "hundred" and the scale
words) are read; "one" is skipped where it is a pronoun ("no one", "the one",
"one another"). Times of day ("7:15 a.m.") and numbers glued to letters (F-16,
Strait Vigil-2026, 5G, 19th) are not figures.

Known limits: the unit of a count is the next lower-case word, so "24 naval vessels"
has unit "naval"; a capitalised adjective in between ("71 Chinese aircraft") leaves a
plain number; ordinals and times are not extracted; "$" is always US dollars.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from newsdesk.pipeline.enrich.figure_words import (
    APPROXIMATORS,
    FRACTIONS,
    MEASURES,
    MONTHS,
    NOT_UNITS,
    ONE_PRONOUN_BEFORE,
    PREFIX_CODES,
    SCALES,
    SHORT_SCALES,
    SMALL_NUMBERS,
    TENS,
    WORD_CODES,
    YEAR_PREFIXES,
)

__all__ = ["Figure", "canonical_figure_text", "find_figures", "verify_figure"]


@dataclass(frozen=True, slots=True)
class Figure:
    """One figure: ``source[start:end] == text``."""

    kind: str  # "money" | "percent" | "count" | "number" | "date" | "year"
    text: str
    start: int
    end: int
    value: float | None
    unit: str  # currency code, "%", "pp", "bp", a unit word, or ""
    normalised: str


# ---------------------------------------------------------------------------------------
# patterns

_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_WORD_UNIT = "|".join(sorted(SMALL_NUMBERS, key=len, reverse=True))
_WORD_TENS = "|".join(TENS)
_WORD = rf"(?:(?:{_WORD_TENS})(?:-(?:{_WORD_UNIT}))?|{_WORD_UNIT})"
_WORDNUM = (
    rf"{_WORD}(?:\s+hundred(?:\s+(?:and\s+)?{_WORD})?)?"
    rf"(?:\s+(?:thousand|million|billion|trillion)\b)?"
)
_SCALE = r"(?:\s+(?:thousand|million|billion|trillion)\b|\s?(?:bn|mn|tn|trn|mln|bln)\b)"
_MONEY_SCALE = rf"(?:{_SCALE}|(?:m|b|k)\b)"
_PREFIX = "|".join(re.escape(p) for p in sorted(PREFIX_CODES, key=len, reverse=True))
_CURRENCY_WORD = (
    r"(?:(?:US|U\.S\.|American|Australian|Canadian|Hong Kong|Singapore|New Zealand|"
    r"New Taiwan|Taiwan|Taiwanese)\s+dollars|dollars?|yuan|renminbi|yen|euros?|"
    r"pounds sterling|rupees|ringgit|baht|rupiah|r(?:o)?ubles|(?:Philippine|Mexican)\s+pesos|"
    r"Swiss\s+francs|USD|EUR|GBP|CNY|RMB|JPY|AUD|HKD|NTD|TWD)\b"
)
_MONTH_NAMES = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?)"
)

_MONEY_BEFORE = re.compile(
    rf"(?<![\w$€£¥₹₩])(?P<cur>{_PREFIX})\s?(?P<num>{_NUM})(?P<scale>{_MONEY_SCALE})?"
)
_MONEY_AFTER = re.compile(
    rf"(?<![\w.,$€£¥])(?P<num>{_NUM}|{_WORDNUM})(?P<scale>{_SCALE})?\s+(?P<word>{_CURRENCY_WORD})",
    re.IGNORECASE,
)
_PERCENT = re.compile(
    rf"(?<![\w.,])(?P<sign>(?:minus\s+|[-−+]))?(?P<num>{_NUM}|{_WORDNUM})"
    r"(?P<unit>\s?%|\s+per\s?cent\b|\s+percentage\s+points?\b|\s+basis\s+points?\b)",
    re.IGNORECASE,
)
_DATE_MDY = re.compile(
    rf"\b(?P<month>{_MONTH_NAMES})\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b"
    rf"(?:,?\s+(?P<year>\d{{4}})\b)?"
)
_DATE_DMY = re.compile(
    rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<month>{_MONTH_NAMES})(?![\w])"
    rf"(?:,?\s+(?P<year>\d{{4}})\b)?"
)
_DATE_MY = re.compile(rf"\b(?P<month>{_MONTH_NAMES})\s+(?P<year>\d{{4}})\b")
_DATE_ISO = re.compile(r"(?<![\w-])(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})(?![\w-])")
_TIME = re.compile(
    r"(?<![\w:])\d{1,2}(?::\d{2})+(?:\s?(?:a\.m\.|p\.m\.|am\b|pm\b))?"
    r"|(?<![\w:.,])\d{1,2}\s?(?:a\.m\.|p\.m\.|am\b|pm\b)",
    re.IGNORECASE,
)
_FRACTION = re.compile(
    rf"\b(?P<num>{_WORD_UNIT})-(?P<den>{'|'.join(FRACTIONS)})\b",
    re.IGNORECASE,
)
_NUMBER = re.compile(
    rf"(?P<sign>(?<![\w.,])(?:minus\s+|[-−+])(?=\d))?(?P<num>{_NUM})"
    rf"(?P<scale>{_SCALE})?",
)
_NUMBER_WORDS = re.compile(rf"\b(?P<num>{_WORDNUM})\b", re.IGNORECASE)
_UNIT_AFTER = re.compile(
    r"(?:(?P<space>[ \t]+)(?P<word>[a-z]+(?:-[a-z]+)*)|-(?P<joined>[a-z]+))(?![\w'’])"
)
#: verbs that often follow a number ("four deny the charges", "three said")
_VERBS_AFTER = frozenset(
    """said say says deny denies face faces hurt rose fell dipped gained lost won beat took
    made came went got saw left remain remained remains stand stood sit sat lie lay
    include includes including remain""".split()
)


# ---------------------------------------------------------------------------------------
# values


def _plain(value: Decimal) -> str:
    """A decimal without exponent or trailing zeros: 3.50E+9 -> "3500000000"."""
    text = format(value.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def _digits(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None


def _word_value(text: str) -> Decimal | None:
    """Value of a run of number words ("forty-six", "three hundred and five million")."""
    total = Decimal(0)
    current = Decimal(0)
    seen = False
    for word in re.split(r"[\s-]+", text.lower()):
        if word == "and" or not word:
            continue
        if word in SMALL_NUMBERS:
            current += SMALL_NUMBERS[word]
        elif word in TENS:
            current += TENS[word]
        elif word == "hundred":
            current = (current or Decimal(1)) * 100
        elif word in SCALES:
            total += (current or Decimal(1)) * SCALES[word]
            current = Decimal(0)
        else:
            return None
        seen = True
    return total + current if seen else None


def _number_value(text: str) -> Decimal | None:
    text = text.strip()
    if text[:1].isdigit():
        return _digits(text)
    return _word_value(text)


def _scale_value(scale: str | None) -> Decimal:
    if not scale:
        return Decimal(1)
    key = scale.strip().lower()
    return SCALES.get(key) or SHORT_SCALES.get(key) or Decimal(1)


def _unit_key(word: str) -> str:
    """Canonical unit word: measures abbreviated, simple plurals made singular."""
    word = word.lower()
    if word in MEASURES:
        return MEASURES[word]
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


# ---------------------------------------------------------------------------------------
# finding


@dataclass(frozen=True, slots=True)
class _Hit:
    start: int
    end: int
    priority: int  # lower wins among equally long candidates at one place
    figure: Figure | None  # None: a span that is not a figure (a time of day)


def _figure(
    text: str, kind: str, start: int, end: int, value: Decimal | None, unit: str, normalised: str
) -> Figure:
    return Figure(
        kind=kind,
        text=text[start:end],
        start=start,
        end=end,
        value=float(value) if value is not None else None,
        unit=unit,
        normalised=normalised,
    )


def _glued_before(text: str, start: int) -> bool:
    """A figure glued to a word before it (F-16, Vigil-2026, G7), except mid-2027."""
    if start == 0:
        return False
    before = text[start - 1]
    if before.isalnum() or before == "_":
        return True
    if before in "-–" and start >= 2 and text[start - 2].isalpha():
        word = re.search(r"[A-Za-z]+$", text[max(0, start - 12) : start - 1])
        return not (word and word.group(0).lower() in YEAR_PREFIXES)
    return False


def _glued_after(text: str, end: int) -> bool:
    return end < len(text) and (text[end].isalnum() or text[end] == "_")


def _money(text: str) -> Iterator[_Hit]:
    for m in _MONEY_BEFORE.finditer(text):
        if _glued_after(text, m.end()):
            continue
        cur = m.group("cur")
        if cur.isalpha() and m.start() > 0 and text[m.start() - 1].isalpha():
            continue
        amount = _digits(m.group("num"))
        if amount is None:
            continue
        amount *= _scale_value(m.group("scale"))
        code = PREFIX_CODES[cur]
        yield _Hit(
            m.start(),
            m.end(),
            1,
            _figure(text, "money", m.start(), m.end(), amount, code, f"{code} {_plain(amount)}"),
        )
    for m in _MONEY_AFTER.finditer(text):
        if _glued_before(text, m.start()):
            continue
        word = " ".join(m.group("word").split()).lower()
        if word == "won" and not m.group("scale"):
            continue  # "won" is a verb far more often than a currency
        word_code = WORD_CODES.get(word)
        base = _number_value(m.group("num"))
        if word_code is None or base is None:
            continue
        amount = base * _scale_value(m.group("scale"))
        yield _Hit(
            m.start(),
            m.end(),
            1,
            _figure(
                text,
                "money",
                m.start(),
                m.end(),
                amount,
                word_code,
                f"{word_code} {_plain(amount)}",
            ),
        )


def _percent(text: str) -> Iterator[_Hit]:
    for m in _PERCENT.finditer(text):
        if _glued_before(text, m.start()) and not m.group("sign"):
            continue
        value = _number_value(m.group("num"))
        if value is None:
            continue
        if m.group("sign") and m.group("sign").strip().lower() in ("-", "−", "minus"):
            value = -value
        unit_text = " ".join(m.group("unit").split()).lower()
        unit = (
            "pp"
            if unit_text.startswith("percentage")
            else "bp"
            if unit_text.startswith("basis")
            else "%"
        )
        normalised = f"{_plain(value)}%" if unit == "%" else f"{_plain(value)} {unit}"
        yield _Hit(
            m.start(),
            m.end(),
            2,
            _figure(text, "percent", m.start(), m.end(), value, unit, normalised),
        )


def _dates(text: str) -> Iterator[_Hit]:
    for pattern in (_DATE_MDY, _DATE_DMY, _DATE_ISO):
        for m in pattern.finditer(text):
            month_text = m.group("month")
            month = (
                int(month_text) if month_text.isdigit() else MONTHS[month_text.rstrip(".").lower()]
            )
            day = int(m.group("day"))
            year: str | None = m.group("year")
            if not 1 <= month <= 12 or not 1 <= day <= 31:
                continue
            end = m.end()
            if year is None or not 1000 <= int(year) <= 2999:
                if year is not None:
                    end = m.start("year")
                    while end > m.start() and not text[end - 1].isalnum():
                        end -= 1
                year = None
            normalised = f"{year}-{month:02d}-{day:02d}" if year else f"--{month:02d}-{day:02d}"
            yield _Hit(
                m.start(), end, 0, _figure(text, "date", m.start(), end, None, "", normalised)
            )
    for m in _DATE_MY.finditer(text):
        month = MONTHS[m.group("month").rstrip(".").lower()]
        yield _Hit(
            m.start(),
            m.end(),
            0,
            _figure(text, "date", m.start(), m.end(), None, "", f"{m.group('year')}-{month:02d}"),
        )


def _unit_after(text: str, end: int) -> tuple[int, str] | None:
    """The noun a number counts ("71 aircraft", "35-metre"): (end, word) or None."""
    m = _UNIT_AFTER.match(text, end)
    if m is None:
        return None
    word = m.group("word") or m.group("joined")
    head = word.split("-")[0]
    if (
        head in NOT_UNITS
        or head in _VERBS_AFTER
        or head in SMALL_NUMBERS
        or head in TENS
        or head in FRACTIONS
        or (head.endswith(("ly", "ed")) and head != "hundred")
    ):
        return None
    return m.end(), word


def _counted(text: str, start: int, end: int, value: Decimal, priority: int) -> _Hit:
    unit = _unit_after(text, end)
    if unit is None:
        return _Hit(
            start, end, priority, _figure(text, "number", start, end, value, "", _plain(value))
        )
    unit_end, word = unit
    key = _unit_key(word)
    return _Hit(
        start,
        unit_end,
        priority,
        _figure(
            text,
            "count",
            start,
            unit_end,
            value,
            MEASURES.get(word, word.lower()),
            f"{_plain(value)} {key}",
        ),
    )


def _previous_word(text: str, start: int) -> str:
    m = re.search(r"([A-Za-z]+)\W*$", text[max(0, start - 40) : start])
    return m.group(1).lower() if m else ""


def _numbers(text: str) -> Iterator[_Hit]:
    for m in _NUMBER.finditer(text):
        start = m.start()
        if m.group("sign") is None and _glued_before(text, start):
            continue
        if m.group("sign") is not None and start > 0 and text[start - 1].isalnum():
            continue
        end = m.end()
        num = m.group("num")
        after = text[end : end + 2]
        if not m.group("scale") and after[:1].isalpha():
            decade = re.fullmatch(r"\d{4}", num) and re.match(r"s(?![\w])", text[end : end + 2])
            if decade and 1000 <= int(num) <= 2099:
                yield _Hit(
                    start,
                    end + 1,
                    3,
                    _figure(text, "year", start, end + 1, Decimal(num), "", f"{num}s"),
                )
            continue
        if _glued_after(text, end):
            continue
        if after[:1] in (".", ",") and after[1:2].isdigit():
            continue  # a malformed number ("1.2.3", "12,34"): leave it alone
        value = _number_value(num)
        if value is None:
            continue
        value *= _scale_value(m.group("scale"))
        sign = (m.group("sign") or "").strip().lower()
        if sign in ("-", "−", "minus"):
            value = -value
        is_year = (
            not sign
            and not m.group("scale")
            and re.fullmatch(r"\d{4}", num) is not None
            and 1900 <= int(num) <= 2100
            and _previous_word(text, start) not in APPROXIMATORS
        )
        if is_year:
            yield _Hit(start, end, 3, _figure(text, "year", start, end, value, "", num))
            continue
        yield _counted(text, start, end, value, 4)
    for m in _NUMBER_WORDS.finditer(text):
        words = m.group("num")
        first = words.split()[0].split("-")[0].lower()
        if first == "one":
            before = _previous_word(text, m.start())
            if before in ONE_PRONOUN_BEFORE or re.match(
                r"\s+(?:another|by\s+one)\b", text[m.end() :], re.IGNORECASE
            ):
                continue
        if m.end() < len(text) and text[m.end()] == "-" and _FRACTION.match(text, m.start()):
            continue
        value = _word_value(words)
        if value is None:
            continue
        yield _counted(text, m.start(), m.end(), value, 4)
    for m in _FRACTION.finditer(text):
        num = SMALL_NUMBERS[m.group("num").lower()]
        den = FRACTIONS[m.group("den").lower()]
        if num == 0 or num >= den + (1 if den == 2 else 0):
            continue
        value = Decimal(num) / Decimal(den)
        yield _Hit(
            m.start(),
            m.end(),
            4,
            _figure(text, "number", m.start(), m.end(), value, "", f"{num}/{den}"),
        )


def _times(text: str) -> Iterator[_Hit]:
    for m in _TIME.finditer(text):
        yield _Hit(m.start(), m.end(), -1, None)


def find_figures(text: str) -> tuple[Figure, ...]:
    """Every figure in `text`, in reading order, without overlaps.

    Where candidates overlap, the one starting first wins, then the longest, then by
    kind: dates, money, percentages, years, counts and numbers."""
    if not text:
        return ()
    hits = [
        *_times(text),
        *_dates(text),
        *_money(text),
        *_percent(text),
        *_numbers(text),
    ]
    hits.sort(key=lambda h: (h.start, -(h.end - h.start), h.priority))
    out: list[Figure] = []
    taken_until = -1
    for hit in hits:
        if hit.start < taken_until:
            continue
        taken_until = hit.end
        if hit.figure is not None:
            out.append(hit.figure)
    return tuple(out)


# ---------------------------------------------------------------------------------------
# verification

_SPACE = re.compile(r"\s+")
_MARKS = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "\u00a0": " ", "\u202f": " "})


def _tokens_of(figure: Figure) -> str:
    """A figure as canonical tokens: equal figures give equal strings."""
    t = "\ue000{}\ue001".format
    if figure.kind == "money":
        return t(f"C:{figure.unit}") + t(f"N:{figure.normalised.split()[-1]}")
    if figure.kind == "percent":
        number = figure.normalised.removesuffix("%").split()[0]
        return t(f"N:{number}") + t(f"U:{figure.unit}")
    if figure.kind == "count":
        number, unit = figure.normalised.split(" ", 1)
        return t(f"N:{number}") + t(f"U:{unit}")
    if figure.kind == "date":
        parts = figure.normalised
        if parts.startswith("--"):
            return t(f"D:{parts[2:]}")
        if parts.count("-") == 1:
            year, month = parts.split("-")
            return t(f"M:{month}") + t(f"Y:{year}")
        year, month, day = parts.split("-")
        return t(f"D:{month}-{day}") + t(f"Y:{year}")
    if figure.kind == "year":
        return t(f"Y:{figure.normalised}")
    return t(f"N:{figure.normalised}")


def canonical_figure_text(text: str) -> str:
    """`text` with every figure replaced by canonical tokens and whitespace collapsed,
    so "$3.5bn" and "$3.5 billion", or "60%" and "60 percent", read the same."""
    parts: list[str] = []
    pos = 0
    for figure in find_figures(text):
        parts.append(text[pos : figure.start])
        parts.append(_tokens_of(figure))
        pos = figure.end
    parts.append(text[pos:])
    return _SPACE.sub(" ", "".join(parts).translate(_MARKS)).strip()


@lru_cache(maxsize=256)
def _source_reading(source: str) -> tuple[str, str, tuple[Figure, ...]]:
    """A source as `verify_figure` reads it: spaced, canonical, and its figures.

    Cached: a draft's figures are checked against the same few articles many times."""
    hay = _SPACE.sub(" ", source.translate(_MARKS))
    return hay, canonical_figure_text(hay), find_figures(hay)


def _contains(hay: str, needle: str) -> bool:
    """`needle` in `hay` on word boundaries, and not a piece of a longer number: "500
    troops" is not in "1,500 troops", "5%" not in "0.5%", "15" not in "15,000" or in
    "-15" (a sign, not a range's dash as in "10-15")."""
    pos = hay.find(needle)
    while pos >= 0:
        end = pos + len(needle)
        ok_start = not (needle[0].isalnum() and pos > 0 and hay[pos - 1].isalnum())
        ok_end = not (needle[-1].isalnum() and end < len(hay) and hay[end].isalnum())
        if ok_start and ok_end and not _inside_number(hay, pos, end, needle):
            return True
        pos = hay.find(needle, pos + 1)
    return False


#: a scale word after a number makes it another amount: "$5" is not "$5 million"
_SCALE_AFTER = re.compile(
    r"\s?(?:hundred|thousand|million|billion|trillion|bn|mn|tn|trn|mln|bln)\b", re.IGNORECASE
)


def _inside_number(hay: str, start: int, end: int, needle: str) -> bool:
    """The match `hay[start:end]` continues a number before or after it: a digit and a
    decimal point or thousands comma on either side, a minus sign before it, the
    other half of a number word ("nine" in "twenty-nine", "twenty" in "twenty-nine"),
    or a scale word after it ("$5" in "$5 million", "300" in "300 billion yuan")."""
    last = re.search(r"[A-Za-z]+$", needle)
    ends_in_number = needle[-1].isdigit() or bool(
        last and last.group().lower() in (*SMALL_NUMBERS, *TENS)
    )
    if ends_in_number and _SCALE_AFTER.match(hay, end):
        return True
    if needle[0].isdigit() and start > 0:
        before = hay[start - 1]
        if before in ".," and start > 1 and hay[start - 2].isdigit():
            return True
        if before in "-−" and (start == 1 or not hay[start - 2].isalnum()):
            return True
    if needle[-1].isdigit() and end + 1 < len(hay) and hay[end] in ".," and hay[end + 1].isdigit():
        return True
    if start > 1 and hay[start - 1] == "-":
        tens = re.search(r"[A-Za-z]+$", hay[: start - 1])
        if tens and tens.group().lower() in TENS:
            return True
    if end < len(hay) - 1 and hay[end] == "-":
        word = re.search(r"[A-Za-z]+$", needle)
        unit = re.match(r"[A-Za-z]+", hay[end + 1 :])
        if word and unit and word.group().lower() in TENS:
            return unit.group().lower() in SMALL_NUMBERS
    return False


def _unit_near(source: str, figure: Figure, unit: str) -> bool:
    """`unit` (canonical) among the three words after `figure` in `source`."""
    words = re.findall(r"[A-Za-z]+", source[figure.end : figure.end + 60])[:3]
    return any(_unit_key(w) == unit for w in words)


def _same_single(wanted: Figure, source: str, figures: tuple[Figure, ...] | None = None) -> bool:
    """A lone figure matched by value against the source's figures.

    Only counts need this: "71 aircraft" is in "71 Chinese aircraft" although the
    adjective keeps the two spellings from reading the same."""
    if wanted.kind != "count" or wanted.value is None:
        return False
    unit = wanted.normalised.split(" ", 1)[1]
    return any(
        f.kind in ("count", "number")
        and f.value == wanted.value
        and (f.normalised.split(" ", 1)[-1] == unit or _unit_near(source, f, unit))
        for f in (find_figures(source) if figures is None else figures)
    )


def verify_figure(figure_text: str, source: str) -> bool:
    """True when the figure(s) in `figure_text` appear in `source`, allowing equivalent
    spellings: "$3.5bn" = "US$3.5 billion" = "$3,500 million", "60%" = "60 percent",
    "nine" = "9", "1,000 km" = "1,000 kilometres", "3 March 2026" = "March 3, 2026".

    A bare number is found inside a figure with a unit ("3.5 billion" in "$3.5 billion");
    a unit or currency that differs ("$3.5 billion" against "€3.5 billion") fails, and
    values must be equal: no rounding is accepted. A count may have words between the
    number and its noun in the source ("71 aircraft" in "71 Chinese aircraft")."""
    wanted = _SPACE.sub(" ", figure_text.translate(_MARKS)).strip()
    figures = find_figures(wanted)
    if not figures:
        return False
    hay, canonical, source_figures = _source_reading(source)
    if _contains(hay, wanted):
        return True
    if _contains(canonical, canonical_figure_text(wanted)):
        return True
    whole = len(figures) == 1 and figures[0].start == 0 and figures[0].end == len(wanted)
    return whole and _same_single(figures[0], hay, source_figures)
