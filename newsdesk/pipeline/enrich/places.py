"""Which countries and regions a news story is about.

Three layers, each usable on its own:

* `Gazetteer` holds the names that point at a place: ISO country names from
  pycountry plus the curated `data/gazetteer.tsv` (demonyms, capitals and
  cities, leaders, institutions, regions, ambiguity flags; its header
  documents the format). `Gazetteer.scan` finds names in a text with one
  compiled trie-shaped regular expression over the case-folded text, then
  checks the case of each hit ("China" yes, "china" no).
* `find_mentions` / `analyse` resolve hits in a title and body into
  `Mention`s: ambiguous names ("Georgia", "Jordan", "Chad", a bare "Xi") are
  counted only with support in the article, otherwise declined and reported;
  `analyse` sums them into per-place `PlaceEvidence` (count, salience, title,
  dateline, lead, first position). `tag_places` is the short form.
* `PlaceModel` decides which mentioned places the story is *about* (Reuters'
  sense of `places`): transparent rules by default, or a logistic regression
  over the evidence features learnt by `fit` from labelled articles.

Codes are ISO 3166 alpha-2 in upper case ("CN", "TW", "HK", "US", "GB"), a
few withdrawn ISO codes for former states ("DD", "YU", "CS"), and the region
codes of `placenames.REGIONS` ("EU", "SCS", "NATO", ...). The Reuters-21578
place codes map to them through `data/reuters_places.tsv` (`reuters_table`).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pycountry

from newsdesk.pipeline.enrich.countries import REGIONS
from newsdesk.pipeline.errors import GazetteerError

DATA_DIR = Path(__file__).resolve().parent / "data"
GAZETTEER_PATH = DATA_DIR / "gazetteer.tsv"
REUTERS_PATH = DATA_DIR / "reuters_places.tsv"

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
#: how much one mention of each kind says about a place
KIND_WEIGHT: dict[str, float] = {
    "country": 1.0,
    "alias": 1.0,
    "capital": 1.0,
    "city": 0.9,
    "subdivision": 0.9,
    "region": 0.8,
    "institution": 0.9,
    "leader": 1.0,
    "surname": 0.8,
    "demonym": 0.6,
}
#: kinds that name the place itself (as opposed to its people, leaders or offices)
NAMING_KINDS = frozenset({"country", "alias", "capital", "city", "subdivision", "region"})

#: characters into the body that still count as the lead
LEAD_CHARS = 300
#: position weights of a mention
TITLE_WEIGHT = 3.0
DATELINE_WEIGHT = 3.0
LEAD_WEIGHT = 2.0

#: display names that differ from pycountry's (or that pycountry lacks)
DISPLAY_NAMES: dict[str, str] = {
    "US": "United States",
    "GB": "United Kingdom",
    "RU": "Russia",
    "CN": "China",
    "TW": "Taiwan",
    "HK": "Hong Kong",
    "MO": "Macau",
    "KR": "South Korea",
    "KP": "North Korea",
    "IR": "Iran",
    "SY": "Syria",
    "VN": "Vietnam",
    "LA": "Laos",
    "BO": "Bolivia",
    "VE": "Venezuela",
    "TZ": "Tanzania",
    "MD": "Moldova",
    "BN": "Brunei",
    "FM": "Micronesia",
    "PS": "Palestine",
    "XK": "Kosovo",
    "CD": "DR Congo",
    "CG": "Congo",
    "TR": "Turkey",
    "CZ": "Czech Republic",
    "VA": "Vatican",
    "DD": "East Germany",
    "YU": "Yugoslavia",
    "CS": "Czechoslovakia",
    "YD": "South Yemen",
    "AN": "Netherlands Antilles",
    "SU": "Soviet Union",
    "EU": "European Union",
    "PACIFIC": "Pacific Islands",
    "SCS": "South China Sea",
    "EASIA": "East Asia",
    "SEASIA": "Southeast Asia",
    "LATAM": "Latin America",
    "AFRICA": "Africa",
    "MIDEAST": "Middle East",
    "EUROPE": "Europe",
    "ASIA": "Asia",
    "CASIA": "Central Asia",
    "ARCTIC": "Arctic",
    "INDOPAC": "Indo-Pacific",
    "CN-XZ": "Tibet",
    "CN-XJ": "Xinjiang",
    "NATO": "NATO",
    "UN": "United Nations",
    "GLOBAL": "Global",
}

#: words before a bare surname that make it the office holder ("President Xi")
_OFFICE = re.compile(
    r"(?:President|Premier|Prime\s+Minister|Chancellor|Minister|Secretary|Chairman|Leader|"
    r"Vice\s+President|Vice\s+Premier|Emperor|King|Queen|Ambassador|Speaker|Envoy|"
    r"Foreign\s+Minister|Defen[cs]e\s+Minister|Finance\s+Minister|General\s+Secretary|"
    r"Secretary\s+of\s+State|Governor)\s+$"
)
#: words before an ambiguous name that make it a place ("in Jordan")
_LOCATIVE = re.compile(
    r"(?:\b(?:in|to|from|into|across|throughout|within|visit|visited|visiting|"
    r"neighbouring|neighboring|embassy\s+in|capital\s+of)\s+)$",
    re.IGNORECASE,
)
_MONTH = r"(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[A-Za-z]*\.?"
#: "TOKYO, March 3 -", "BEIJING (Reuters) -", "SAN JOSE, Calif., Jan 5 -"
_DATELINE = re.compile(
    r"\s*(?P<place>[A-Z][\w.'’ -]{0,40}?[\w.])"
    r"(?P<state>,\s*[A-Z][A-Za-z.]{1,14}(?:\s[A-Z][A-Za-z.]{1,14}){0,2})?"
    r"(?P<date>,?\s*" + _MONTH + r"\s+\d{1,2}(?:,\s*\d{4})?)?"
    r"\s*(?P<agency>\((?:Reuters|AP|AFP|Xinhua|Bloomberg|UPI|dpa|Kyodo|Yonhap)\))?"
    r"\s*(?:-{1,2}|–|—)\s"
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


@dataclass(frozen=True)
class Mention:
    """A resolved place mention; start/end are offsets into its field."""

    code: str
    surface: str
    kind: str
    field: str  # "title" or "text"
    start: int
    end: int
    dateline: bool = False


@dataclass(frozen=True)
class PlaceMention:
    code: str
    count: int
    salience: float


@dataclass(frozen=True)
class PlaceTags:
    places: tuple[PlaceMention, ...]
    skipped: tuple[str, ...]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(p.code for p in self.places)


@dataclass(frozen=True)
class PlaceEvidence:
    """Everything the article says about one place, as model features."""

    code: str
    count: int
    salience: float
    weight: float
    in_title: bool
    in_dateline: bool
    in_lead: bool
    #: relative position (0..1) of the first body mention; 0 when in the title
    first: float
    kinds: frozenset[str]


@dataclass(frozen=True)
class ArticlePlaces:
    evidence: tuple[PlaceEvidence, ...]  # by salience, highest first
    mentions: tuple[Mention, ...]
    skipped: tuple[str, ...]
    #: the body starts with a dateline ("TOKYO, March 3 -")
    dateline: bool = False
    #: ... and a place was recognised in it
    dateline_place: bool = False

    def tags(self) -> PlaceTags:
        return PlaceTags(
            tuple(PlaceMention(e.code, e.count, e.salience) for e in self.evidence),
            self.skipped,
        )


# --- loading ------------------------------------------------------------------------


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


# --- finding mentions ---------------------------------------------------------------


def is_shouting(text: str) -> bool:
    """An all-capitals line, like the headlines of wire copy."""
    upper = sum(map(str.isupper, text))
    lower = sum(map(str.islower, text))
    return upper >= 4 and upper >= 4 * lower


def dateline_span(text: str) -> tuple[int, int] | None:
    """(start, end) of the place part of a dateline opening the text, else None."""
    match = _DATELINE.match(text)
    if match is None:
        return None
    place = match.group("place")
    if not (match.group("date") or match.group("agency") or is_shouting(place)):
        return None
    if len(place.split()) > 5:
        return None
    return match.start("place"), match.end("state") if match.group("state") else match.end("place")


@dataclass
class _Found:
    hit: Hit
    field: str
    dateline: bool
    before: str  # a little text before the hit, for office titles and prepositions


def find_mentions(
    title: str, text: str, gazetteer: Gazetteer | None = None
) -> tuple[list[Mention], list[str], tuple[int, int] | None]:
    """Resolved mentions (title first), declined names, and the dateline span of `text`."""
    gaz = gazetteer or Gazetteer.default()
    title = title or ""
    text = text or ""
    span = dateline_span(text)
    shout_until = span[1] if span else 0
    found: list[_Found] = []
    for hit in gaz.scan(title, shouting=is_shouting(title)):
        found.append(_Found(hit, "title", False, title[max(0, hit.start - 40) : hit.start]))
    for hit in gaz.scan(text, shout_until=shout_until):
        in_dateline = span is not None and hit.start < span[1]
        found.append(_Found(hit, "text", in_dateline, text[max(0, hit.start - 40) : hit.start]))
    article = title + "\n" + text
    loud_title = title if is_shouting(title) else ""

    def cue_present(cue: str) -> bool:
        if gaz.cue_in(cue, article):
            return True
        return bool(loud_title) and gaz.cue_in(cue.upper(), loud_title)

    def vetoed(entry: Entry) -> bool:
        return any(cue_present(c) for c in entry.vetoes)

    accepted: dict[int, tuple[str, str]] = {}  # index -> (code, kind)
    skipped: list[str] = []
    # pass 1: unambiguous names
    for index, item in enumerate(found):
        entries = item.hit.entries
        if not entries:
            continue
        if any(e.kind == "block" for e in entries):
            accepted[index] = ("-", "block")
            continue
        if any(e.ambiguous for e in entries) or len({e.code for e in entries}) != 1:
            continue
        entry = entries[0]
        if vetoed(entry):
            skipped.append(item.hit.surface)
            accepted[index] = ("-", "block")
            continue
        accepted[index] = (entry.code, entry.kind)
    sure = {code for code, _ in accepted.values() if code != "-"}
    full_names = {
        e.name
        for i, item in enumerate(found)
        if i in accepted
        for e in item.hit.entries
        if e.kind == "leader"
    }
    # pass 2: ambiguous names need support in the article
    for index, item in enumerate(found):
        entries = item.hit.entries
        if index in accepted or not entries:
            continue
        supported = []
        for entry in entries:
            if vetoed(entry):
                continue
            if (
                not entry.ambiguous
                or any(cue_present(c) for c in entry.cues)
                or ((not entry.cues or "person" in entry.flags) and entry.code in sure)
                or (
                    "person" in entry.flags
                    and (item.dateline or _LOCATIVE.search(item.before) is not None)
                )
            ):
                supported.append(entry)
        codes = {e.code for e in supported}
        if len(codes) == 1:
            accepted[index] = (supported[0].code, supported[0].kind)
        else:
            skipped.append(item.hit.surface)
    # pass 3: bare surnames of leaders
    for index, item in enumerate(found):
        leaders = item.hit.surname_of
        if index in accepted or not leaders:
            continue
        named = [e for e in leaders if e.name in full_names]
        if named and len({e.code for e in named}) == 1:
            accepted[index] = (named[0].code, "surname")
            continue
        if _OFFICE.search(item.before) and len({e.code for e in leaders}) == 1:
            accepted[index] = (leaders[0].code, "surname")
            continue
        if not all(e.short_quiet for e in leaders):
            skipped.append(item.hit.surface)
    mentions = [
        Mention(
            code,
            found[i].hit.surface,
            kind,
            found[i].field,
            found[i].hit.start,
            found[i].hit.end,
            found[i].dateline,
        )
        for i, (code, kind) in sorted(accepted.items())
        if code != "-"
    ]
    return mentions, list(dict.fromkeys(skipped)), span


def analyse(
    title: str,
    text: str,
    gazetteer: Gazetteer | None = None,
    *,
    codes: Collection[str] | None = None,
) -> ArticlePlaces:
    """Per-place evidence of an article; `codes` keeps only those places."""
    title = title or ""
    text = text or ""
    mentions, skipped, span = find_mentions(title, text, gazetteer)
    if codes is not None:
        mentions = [m for m in mentions if m.code in codes]
    body_start = span[1] if span else 0
    length = max(1, len(text) - body_start)
    weights: dict[str, float] = {}
    counts: Counter[str] = Counter()
    in_title: set[str] = set()
    in_dateline: set[str] = set()
    in_lead: set[str] = set()
    first: dict[str, float] = {}
    kinds: dict[str, set[str]] = {}
    for m in mentions:
        kind_weight = KIND_WEIGHT.get(m.kind, 0.8)
        if m.field == "title":
            where, position = TITLE_WEIGHT, 0.0
            in_title.add(m.code)
        elif m.dateline:
            where, position = DATELINE_WEIGHT, 0.0
            in_dateline.add(m.code)
        else:
            position = min(1.0, max(0, m.start - body_start) / length)
            if m.start - body_start < LEAD_CHARS:
                where = LEAD_WEIGHT
                in_lead.add(m.code)
            else:
                where = 1.0 - 0.5 * position
        weights[m.code] = weights.get(m.code, 0.0) + kind_weight * where
        counts[m.code] += 1
        first[m.code] = min(first.get(m.code, 1.0), position)
        kinds.setdefault(m.code, set()).add(m.kind)
    total = sum(weights.values()) or 1.0
    evidence = [
        PlaceEvidence(
            code=code,
            count=counts[code],
            salience=round(weight / total, 4),
            weight=weight,
            in_title=code in in_title,
            in_dateline=code in in_dateline,
            in_lead=code in in_lead,
            first=first[code],
            kinds=frozenset(kinds[code]),
        )
        for code, weight in weights.items()
    ]
    evidence.sort(key=lambda e: (-e.weight, e.first, e.code))
    return ArticlePlaces(
        tuple(evidence),
        tuple(mentions),
        tuple(skipped),
        dateline=span is not None,
        dateline_place=bool(in_dateline),
    )


def tag_places(title: str, text: str, gazetteer: Gazetteer | None = None) -> PlaceTags:
    """Places mentioned in a story, most salient first, and the names declined as ambiguous."""
    return analyse(title, text, gazetteer).tags()


@lru_cache(maxsize=512)
def display_name(code: str) -> str:
    """The bulletin's name for a place code ("CN" -> "China", "EU" -> "European Union")."""
    key = code.strip().upper()
    if key in DISPLAY_NAMES:
        return DISPLAY_NAMES[key]
    country = pycountry.countries.get(alpha_2=key) if len(key) == 2 else None
    if country is not None:
        return str(getattr(country, "common_name", None) or country.name)
    historic = pycountry.historic_countries.get(alpha_2=key) if len(key) == 2 else None
    if historic is not None:
        return str(historic.name).split(",")[0]
    for name, region in REGIONS.items():
        if region == key:
            return name.title()
    return code


# --- Reuters place codes ------------------------------------------------------------


@dataclass(frozen=True)
class ReutersTable:
    """newsdesk codes <-> Reuters-21578 place codes (data/reuters_places.tsv)."""

    to_reuters: Mapping[str, str]
    from_reuters: Mapping[str, str]

    def reuters(self, code: str) -> str | None:
        return self.to_reuters.get(code)

    def code(self, reuters: str) -> str | None:
        return self.from_reuters.get(reuters.strip().lower())


@lru_cache(maxsize=4)
def reuters_table(path: Path | str | None = None) -> ReutersTable:
    source = Path(path) if path is not None else REUTERS_PATH
    try:
        lines = source.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise GazetteerError(f"cannot read {source}: {exc.strerror}") from None
    to_reuters: dict[str, str] = {}
    from_reuters: dict[str, str] = {}
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = [c.strip() for c in line.split("\t")]
        if len(cols) < 2 or not cols[0] or not cols[1]:
            raise GazetteerError(f"{source}:{number}: need code and reuters columns")
        code, reuters, direction = cols[0], cols[1], (cols[2] if len(cols) > 2 else "=") or "="
        if direction not in ("=", ">"):
            raise GazetteerError(f"{source}:{number}: dir must be '=' or '>'")
        if code in to_reuters:
            raise GazetteerError(f"{source}:{number}: code {code} listed twice")
        to_reuters[code] = reuters
        if direction == "=":
            if reuters in from_reuters:
                raise GazetteerError(f"{source}:{number}: {reuters} has two '=' rows")
            from_reuters[reuters] = code
    return ReutersTable(to_reuters, from_reuters)


# --- about-ness ---------------------------------------------------------------------

FEATURES = (
    "salience",
    "log_count",
    "in_title",
    "in_dateline",
    "in_lead",
    "first",
    "share",
    "only",
    "top",
    "log_places",
    "named",
    "demonym_only",
    "dateline_other",
)


@dataclass(frozen=True)
class LabelledArticle:
    title: str
    text: str
    codes: frozenset[str]


def features(article: ArticlePlaces, evidence: PlaceEvidence) -> list[float]:
    """The model's view of one place in one article (names in FEATURES)."""
    total = sum(e.count for e in article.evidence) or 1
    top = article.evidence[0].code if article.evidence else ""
    return [
        evidence.salience,
        math.log1p(evidence.count),
        float(evidence.in_title),
        float(evidence.in_dateline),
        float(evidence.in_lead),
        evidence.first,
        evidence.count / total,
        float(len(article.evidence) == 1),
        float(evidence.code == top),
        math.log(len(article.evidence)),
        float(bool(evidence.kinds & NAMING_KINDS)),
        float(evidence.kinds <= {"demonym"}),
        float(article.dateline and not evidence.in_dateline),
    ]


#: rule scores: 1.0 most salient place, 0.9 title/dateline, 0.7 salient and early or repeated
RULE_CUT = 0.6


@dataclass
class PlaceModel:
    """Decides which mentioned places an article is about.

    Without `weights` the rules are: the most salient place always; any other
    place named in the title or dateline; and any place with at least
    `min_salience` of the article's weighted mentions that is mentioned in the
    lead or more than once. `fit` replaces them by a logistic regression over
    `features` with a threshold tuned for micro-F1 on the training records,
    and learns a `fallback` place for articles that mention none (the
    collection's home country, if it is a good bet).
    """

    weights: tuple[float, ...] | None = None
    bias: float = 0.0
    threshold: float = 0.5
    min_salience: float = 0.3
    fallback: str | None = None
    #: with no place above the threshold, still answer the best one
    at_least_one: bool = True
    trained_on: int = field(default=0)

    def score(self, article: ArticlePlaces, evidence: PlaceEvidence) -> float:
        """How likely the article is about this place (0..1)."""
        if self.weights is None:
            return self._rule(article, evidence)
        z = self.bias + sum(
            w * x for w, x in zip(self.weights, features(article, evidence), strict=True)
        )
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    def _rule(self, article: ArticlePlaces, e: PlaceEvidence) -> float:
        if article.evidence and e.code == article.evidence[0].code:
            return 1.0
        if e.in_title or e.in_dateline:
            return 0.9
        if e.salience >= self.min_salience and (e.in_lead or e.count > 1):
            return 0.7
        return 0.5 * e.salience

    def decide(self, article: ArticlePlaces) -> tuple[str, ...]:
        """Codes the article is about, most likely first."""
        if not article.evidence:
            return (self.fallback,) if self.fallback else ()
        threshold = self.threshold if self.weights is not None else RULE_CUT
        scored = sorted(
            ((self.score(article, e), e.code) for e in article.evidence), key=lambda p: -p[0]
        )
        chosen = tuple(code for s, code in scored if s >= threshold)
        if not chosen and self.at_least_one:
            chosen = (scored[0][1],)
        return chosen

    def about(
        self,
        title: str,
        text: str,
        gazetteer: Gazetteer | None = None,
        *,
        codes: Collection[str] | None = None,
    ) -> tuple[str, ...]:
        return self.decide(analyse(title, text, gazetteer, codes=codes))

    def fit(
        self,
        records: Iterable[LabelledArticle | Mapping[str, Any]],
        gazetteer: Gazetteer | None = None,
        *,
        codes: Collection[str] | None = None,
        c: float = 1.0,
    ) -> PlaceModel:
        """Learn weights, threshold and fallback from labelled articles.

        Records are `LabelledArticle`s or mappings with "title", "text" and
        "places" (newsdesk codes). `codes` restricts candidates to the places
        the labels can name (the rest are never labelled); `c` is the inverse
        L2 penalty of the regression. Only the 13 weights, a bias, a threshold
        and a fallback code are kept: nothing about individual records.
        """
        analysed: list[tuple[ArticlePlaces, frozenset[str]]] = []
        for record in records:
            labelled = _labelled(record)
            places = analyse(labelled.title, labelled.text, gazetteer, codes=codes)
            analysed.append((places, labelled.codes))
        rows: list[list[float]] = []
        labels: list[int] = []
        for places, gold in analysed:
            for evidence in places.evidence:
                rows.append(features(places, evidence))
                labels.append(int(evidence.code in gold))
        if len(set(labels)) < 2:
            raise GazetteerError("fit needs records with places both right and wrong")
        weights, bias = _logistic_regression(rows, labels, penalty=1.0 / c)
        self.weights = weights
        self.bias = bias
        self.trained_on = len(analysed)
        # threshold (and whether to always answer one place) for the best micro-F1
        probabilities = [
            (sorted(((self.score(a, e), e.code) for e in a.evidence), reverse=True), gold)
            for a, gold in analysed
        ]
        best: tuple[float, float, bool] = (-1.0, 0.5, True)
        for at_least_one in (True, False):
            for step in range(10, 91, 5):
                threshold = step / 100
                pairs = []
                for scored, gold in probabilities:
                    chosen = {code for p, code in scored if p >= threshold}
                    if not chosen and scored and at_least_one:
                        chosen = {scored[0][1]}
                    pairs.append((chosen, set(gold)))
                f1 = _micro_f1(pairs)
                if f1 > best[0] + 1e-9:
                    best = (f1, threshold, at_least_one)
        _, self.threshold, self.at_least_one = best
        # a home country for articles that name no place, if it is right most of the time
        empty = Counter(code for article, gold in analysed if not article.evidence for code in gold)
        n_empty = sum(1 for article, _ in analysed if not article.evidence)
        self.fallback = None
        if n_empty:
            code, hits = empty.most_common(1)[0] if empty else ("", 0)
            if hits > 0.5 * n_empty:
                self.fallback = code
        return self

    def to_dict(self) -> dict[str, Any]:
        return {
            "features": list(FEATURES),
            "weights": list(self.weights) if self.weights is not None else None,
            "bias": self.bias,
            "threshold": self.threshold,
            "min_salience": self.min_salience,
            "fallback": self.fallback,
            "at_least_one": self.at_least_one,
            "trained_on": self.trained_on,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PlaceModel:
        weights = data.get("weights")
        if weights is not None and list(data.get("features", FEATURES)) != list(FEATURES):
            raise GazetteerError("model was saved with other features")
        return cls(
            weights=tuple(float(w) for w in weights) if weights is not None else None,
            bias=float(data.get("bias", 0.0)),
            threshold=float(data.get("threshold", 0.5)),
            min_salience=float(data.get("min_salience", 0.3)),
            fallback=data.get("fallback"),
            at_least_one=bool(data.get("at_least_one", True)),
            trained_on=int(data.get("trained_on", 0)),
        )


def _logistic_regression(
    rows: Sequence[Sequence[float]], labels: Sequence[int], penalty: float = 1.0
) -> tuple[tuple[float, ...], float]:
    """L2-penalised logistic regression by Newton's method (the bias is not penalised)."""
    import numpy as np

    x = np.hstack([np.asarray(rows, dtype=float), np.ones((len(rows), 1))])
    y = np.asarray(labels, dtype=float)
    ridge = np.full(x.shape[1], penalty)
    ridge[-1] = 0.0
    w = np.zeros(x.shape[1])
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-np.clip(x @ w, -50.0, 50.0)))
        gradient = x.T @ (p - y) + ridge * w
        hessian = (x * (p * (1.0 - p))[:, None]).T @ x + np.diag(ridge) + 1e-9 * np.eye(len(w))
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if float(np.max(np.abs(step))) < 1e-8:
            break
    return tuple(float(v) for v in w[:-1]), float(w[-1])


def _labelled(record: LabelledArticle | Mapping[str, Any]) -> LabelledArticle:
    if isinstance(record, LabelledArticle):
        return record
    places = record.get("places") or ()
    return LabelledArticle(
        str(record.get("title") or ""), str(record.get("text") or ""), frozenset(places)
    )


def _micro_f1(pairs: Sequence[tuple[set[str], set[str]]]) -> float:
    tp = sum(len(p & g) for p, g in pairs)
    fp = sum(len(p - g) for p, g in pairs)
    fn = sum(len(g - p) for p, g in pairs)
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def micro_scores(
    pairs: Iterable[tuple[Collection[str], Collection[str]]],
) -> tuple[float, float, float]:
    """Micro precision, recall and F1 over (predicted, gold) label sets."""
    tp = fp = fn = 0
    for predicted, gold in pairs:
        p, g = set(predicted), set(gold)
        tp += len(p & g)
        fp += len(p - g)
        fn += len(g - p)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


__all__ = [
    "ArticlePlaces",
    "Entry",
    "Gazetteer",
    "LabelledArticle",
    "Mention",
    "PlaceEvidence",
    "PlaceMention",
    "PlaceModel",
    "PlaceTags",
    "ReutersTable",
    "analyse",
    "display_name",
    "find_mentions",
    "micro_scores",
    "reuters_table",
    "tag_places",
]
