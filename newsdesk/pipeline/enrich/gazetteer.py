"""The gazetteer: every name that points at a place, and a fast matcher over them.

`Gazetteer` holds ISO country names from pycountry plus the curated
`data/gazetteer.tsv` (demonyms, capitals and cities, leaders, institutions,
regions, ambiguity flags; its header documents the format). `Gazetteer.scan`
finds names in a text with one compiled trie-shaped regular expression over
the case-folded text, then checks the case of each hit ("China" yes, "china"
no). Deciding which hits are places in an article is `places.find_mentions`.
(`countries` is the small table of country and region names that answers "is
this category name a place?"; the gazetteer uses the same codes.)
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import pycountry

from newsdesk.pipeline.errors import GazetteerError

DATA_DIR = Path(__file__).resolve().parent / "data"
GAZETTEER_PATH = DATA_DIR / "gazetteer.tsv"

KINDS = (
    "country",
    "alias",
    "demonym",
    "capital",
    "city",
    "subdivision",
    "region",
    "institution",
    "leader",
    "surname",
    "block",
)

_WORD = re.compile(r"\w")


@dataclass(frozen=True)
class Entry:
    """One name in the gazetteer (see the header of data/gazetteer.tsv)."""

    name: str
    code: str
    kind: str
    flags: frozenset[str] = frozenset()
    cues: tuple[str, ...] = ()
    vetoes: tuple[str, ...] = ()
    short: str | None = None
    short_quiet: bool = False

    @property
    def ambiguous(self) -> bool:
        return "amb" in self.flags


@dataclass(frozen=True)
class Hit:
    """A gazetteer name found in a text, before ambiguity is resolved."""

    start: int
    end: int
    surface: str
    #: entries whose spelling matches the surface
    entries: tuple[Entry, ...]
    #: leaders whose surname is the surface (when entries is empty)
    surname_of: tuple[Entry, ...] = ()


def _ascii_fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _fold(text: str) -> str:
    """Lower case with the same length as the input, curly apostrophes made straight."""
    low = text.lower()
    if len(low) != len(text):
        low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return low.replace("’", "'")


def parse_entries(lines: Iterable[str], source: str = "gazetteer") -> list[Entry]:
    entries: list[Entry] = []
    for number, raw in enumerate(lines, 1):
        line = raw.rstrip("\r\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) < 3 or not cols[0].strip() or not cols[1].strip():
            raise GazetteerError(f"{source}:{number}: need name, code and kind columns")
        name, code, kind = cols[0].strip(), cols[1].strip(), cols[2].strip()
        if kind not in KINDS or kind == "surname":
            raise GazetteerError(f"{source}:{number}: unknown kind {kind!r}")
        if code == "-" and kind != "block":
            raise GazetteerError(f"{source}:{number}: code '-' is only for kind 'block'")
        flags: set[str] = set()
        short: str | None = None
        quiet = False
        for flag in (cols[3] if len(cols) > 3 else "").split(","):
            flag = flag.strip()
            if not flag:
                continue
            if flag.startswith("short="):
                short = flag[len("short=") :]
                quiet = short.startswith("~")
                short = short.lstrip("~")
            elif flag in ("amb", "person", "exact"):
                flags.add(flag)
            else:
                raise GazetteerError(f"{source}:{number}: unknown flag {flag!r}")
        cue_words = [c.strip() for c in (cols[4] if len(cols) > 4 else "").split("|")]
        cues = tuple(c for c in cue_words if c and not c.startswith("!"))
        vetoes = tuple(c[1:] for c in cue_words if c.startswith("!") and len(c) > 1)
        entries.append(Entry(name, code, kind, frozenset(flags), cues, vetoes, short, quiet))
    return entries


def iso_entries() -> list[Entry]:
    """Country names from pycountry (name, common and official name, no inverted forms)."""
    entries: list[Entry] = []
    for country in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            name = getattr(country, attr, "") or ""
            if name and "," not in name and "(" not in name:
                entries.append(Entry(name, str(country.alpha_2), "country"))
    return entries


def _trie_pattern(keys: Iterable[str]) -> str:
    """A regex matching any key, longest first, each ending on a word boundary."""
    trie: dict[str, Any] = {}
    for key in keys:
        node = trie
        for char in key:
            node = node.setdefault(char, {})
        node[""] = True

    def emit(node: dict[str, Any], last: str) -> str:
        alternatives = [re.escape(c) + emit(node[c], c) for c in sorted(k for k in node if k)]
        if "" in node:
            alternatives.append(r"(?!\w)" if _WORD.match(last) else "")
        if len(alternatives) == 1:
            return alternatives[0]
        return "(?:" + "|".join(alternatives) + ")"

    return r"(?<!\w)" + emit(trie, " ")


class Gazetteer:
    """Place names and a fast matcher over them."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self.entries: tuple[Entry, ...] = tuple(entries)
        by_key: dict[str, list[tuple[str, Entry]]] = {}
        for entry in self.entries:
            for form in {entry.name, _ascii_fold(entry.name)}:
                by_key.setdefault(_fold(form), []).append((form, entry))
        surnames: dict[str, list[tuple[str, Entry]]] = {}
        for entry in self.entries:
            if entry.short:
                for form in {entry.short, _ascii_fold(entry.short)}:
                    surnames.setdefault(_fold(form), []).append((form, entry))
        self._by_key = by_key
        self._surnames = surnames
        keys = set(by_key) | set(surnames)
        self._pattern = re.compile(_trie_pattern(sorted(keys))) if keys else None
        self._cue_patterns: dict[str, re.Pattern[str]] = {}

    @classmethod
    def load(cls, path: Path | str | None = None, *, iso: bool = True) -> Gazetteer:
        """The gazetteer in `path` (default data/gazetteer.tsv), plus pycountry's names.

        A name spelled in the file replaces pycountry's entry of the same spelling.
        """
        source = Path(path) if path is not None else GAZETTEER_PATH
        try:
            text = source.read_text(encoding="utf-8")
        except OSError as exc:
            raise GazetteerError(f"cannot read gazetteer {source}: {exc.strerror}") from None
        listed = parse_entries(text.splitlines(), str(source))
        if not iso:
            return cls(listed)
        spelled = {_fold(e.name) for e in listed}
        extra = [e for e in iso_entries() if _fold(e.name) not in spelled]
        return cls([*listed, *extra])

    @classmethod
    def default(cls) -> Gazetteer:
        return _default_gazetteer()

    def lookup(self, name: str) -> tuple[Entry, ...]:
        """Entries spelled like `name` (case-insensitive)."""
        return tuple(e for _, e in self._by_key.get(_fold(name.strip()), ()))

    def codes(self) -> frozenset[str]:
        return frozenset(e.code for e in self.entries if e.code != "-")

    def scan(self, text: str, *, shouting: bool = False, shout_until: int = 0) -> list[Hit]:
        """Names in `text`, leftmost-longest, with case checked.

        `shouting` accepts all-capitals spellings everywhere (an all-caps
        headline); `shout_until` accepts them before that offset (a dateline).
        """
        if not text or self._pattern is None:
            return []
        folded = _fold(text)
        loud_lines: list[tuple[int, int]] | None = None
        hits: list[Hit] = []
        for match in self._pattern.finditer(folded):
            start, end = match.span()
            key = match.group()
            surface = text[start:end].replace("’", "'")
            loud = shouting or start < shout_until
            if not loud and surface.isupper():
                if loud_lines is None:
                    loud_lines = _shouting_lines(text)
                loud = any(a <= start < b for a, b in loud_lines)
            entries = tuple(
                e for form, e in self._by_key.get(key, ()) if _case_ok(surface, form, e, loud)
            )
            leaders: tuple[Entry, ...] = ()
            if not entries:
                leaders = tuple(
                    e for form, e in self._surnames.get(key, ()) if _case_ok(surface, form, e, loud)
                )
                if not leaders:
                    continue
            hits.append(Hit(start, end, text[start:end], entries, leaders))
        return hits

    def cue_in(self, cue: str, article: str) -> bool:
        pattern = self._cue_patterns.get(cue)
        if pattern is None:
            left = r"(?<!\w)" if _WORD.match(cue[0]) else ""
            right = r"(?!\w)" if _WORD.match(cue[-1]) else ""
            pattern = re.compile(left + re.escape(cue) + right)
            self._cue_patterns[cue] = pattern
        return pattern.search(article) is not None


_LINE = re.compile(r"[^\n]+")


def _shouting_lines(text: str) -> list[tuple[int, int]]:
    """Spans of all-capitals lines (a headline kept in the body, a table heading)."""
    return [m.span() for m in _LINE.finditer(text) if is_shouting(m.group())]


def _case_ok(surface: str, form: str, entry: Entry, loud: bool) -> bool:
    if surface == form:
        return True
    if "exact" in entry.flags:
        return False
    if form[:1].islower() and surface == form[:1].upper() + form[1:]:
        return True
    return loud and surface == form.upper()


@lru_cache(maxsize=1)
def _default_gazetteer() -> Gazetteer:
    return Gazetteer.load()


def is_shouting(text: str) -> bool:
    """An all-capitals line, like the headlines of wire copy."""
    upper = sum(map(str.isupper, text))
    lower = sum(map(str.islower, text))
    return upper >= 4 and upper >= 4 * lower


__all__ = ["GAZETTEER_PATH", "KINDS", "Entry", "Gazetteer", "Hit", "is_shouting", "parse_entries"]
