"""Which places an article mentions, and how prominently.

`find_mentions` / `analyse` resolve the `Gazetteer`'s hits in a title and body
into `Mention`s: ambiguous names ("Georgia", "Jordan", "Chad", a bare "Xi")
are counted only with support in the article, otherwise declined and
reported; `analyse` sums them into per-place `PlaceEvidence` (count,
salience, title, dateline, lead, first position). `tag_places` is the short
form. Which of the mentioned places the story is *about* is decided by
`place_model.PlaceModel`.

Codes are ISO 3166 alpha-2 in upper case ("CN", "TW", "HK", "US", "GB"), a
few withdrawn ISO codes for former states ("DD", "YU", "CS"), and the region
codes of `countries.REGIONS` ("EU", "SCS", "NATO", ...). The Reuters-21578
place codes map to them through `data/reuters_places.tsv` (`reuters_places`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass

from newsdesk.pipeline.enrich.gazetteer import Entry, Gazetteer, Hit, is_shouting

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


__all__ = [
    "ArticlePlaces",
    "Mention",
    "PlaceEvidence",
    "PlaceMention",
    "PlaceTags",
    "analyse",
    "dateline_span",
    "find_mentions",
    "tag_places",
]
