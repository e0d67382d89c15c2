"""Order an issue's drafted stories and suggest chains.

Two picked stories are chained when one carries on the other (the stories work links
a story to the closed one it continues) or when they share an actor: a person or
organisation named in both titles or lead sentences, not a place (every story of a
China bulletin names China), not an outlet (wire datelines name theirs) and not a
common capitalised word. Quoted commentators do not count: one analyst quoted on two
unrelated stories links nothing. A chain keeps its stories
in the order they broke; the issue puts the strongest story (or chain) first.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from newsdesk.pipeline.draft.compress import strip_dateline
from newsdesk.pipeline.enrich.countries import is_place
from newsdesk.pipeline.enrich.gazetteer import Gazetteer

#: capitalised words that name no actor
_COMMON = frozenset(
    """A An And As At But By For From He Her His However I If In It Its Mr Mrs Ms Dr
    New No Of On Or She So That The Their They This Those To We What When Where Which
    While Who Why With After Before Over Under Since Until Amid Against Among
    European Western Eastern Northern Southern Asian African
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March
    April May June July August September October November December Jan Feb Mar Apr
    Jun Jul Aug Sep Sept Oct Nov Dec Government
    President Minister Ministry Prime Foreign Defence Defense Officials Official""".split()
)
_CAPITALISED = re.compile(r"\b[A-Z][\w'’-]*[A-Za-z0-9]")


@dataclass(frozen=True, slots=True)
class StoryDigest:
    """What chaining needs to know of a picked story."""

    key: str
    title: str
    lead: str  # the first sentence of its lead article
    started: dt.datetime | None
    score: float
    continues: str | None = None  # key of another picked story this one carries on
    outlets: frozenset[str] = frozenset()  # the outlets that covered it


@dataclass(frozen=True, slots=True)
class Chain:
    keys: tuple[str, ...]  # in reading order
    reason: str


@dataclass(frozen=True, slots=True)
class Plan:
    order: tuple[str, ...]
    chains: tuple[Chain, ...]


def actors(digest: StoryDigest) -> frozenset[str]:
    """Capitalised names of the title and lead that are neither places, outlets nor
    common words (acronyms count: "NATO", "TSMC")."""
    found = {
        word.removesuffix("’s").removesuffix("'s")
        for line in (digest.title, strip_dateline(digest.lead))
        for word in _CAPITALISED.findall(line.strip(), 1)  # the first word is capitalised anyway
    }
    outlet_words = {w for outlet in digest.outlets for w in outlet.split()}
    return frozenset(
        w
        for w in found
        if len(w) > 2 and w not in _COMMON and w not in outlet_words and not _placelike(w)
    )


def _placelike(word: str) -> bool:
    """A place, a demonym or a capital standing for its government ("Beijing",
    "Chinese", "the Kremlin"), or a compound of one ("Chinese-backed", "Geneva-based"):
    every story of a bulletin may name one."""
    return any(
        Gazetteer.default().lookup(part) or is_place(part) for part in word.split("-")
    ) or word.endswith("-based")


def plan_issue(stories: Sequence[StoryDigest]) -> Plan:
    """The suggested order and chains for the picked stories."""
    keys = [s.key for s in stories]
    parent = {k: k for k in keys}

    def root(key: str) -> str:
        while parent[key] != key:
            key = parent[key]
        return key

    reasons: dict[frozenset[str], str] = {}
    named = {s.key: actors(s) for s in stories}
    for i, first in enumerate(stories):
        for second in stories[i + 1 :]:
            shared = sorted(named[first.key] & named[second.key])
            if first.continues == second.key or second.continues == first.key:
                reason = "one carries on the other"
            elif shared:
                reason = f"both name {', '.join(shared[:3])}"
            else:
                continue
            reasons[frozenset((first.key, second.key))] = reason
            parent[root(second.key)] = root(first.key)
    groups: dict[str, list[StoryDigest]] = {}
    for story in stories:
        groups.setdefault(root(story.key), []).append(story)
    never = dt.datetime.max.replace(tzinfo=dt.UTC)

    def broke(story: StoryDigest) -> tuple[dt.datetime, str]:
        return (story.started or never, story.key)

    ordered_groups = sorted(
        (sorted(members, key=broke) for members in groups.values()),
        key=lambda members: (-max(s.score for s in members), broke(members[0])),
    )
    chains = tuple(
        Chain(
            keys=tuple(s.key for s in members),
            reason="; ".join(
                reasons[pair]
                for a, b in itertools.pairwise(members)
                if (pair := frozenset((a.key, b.key))) in reasons
            )
            or "linked through another story of the chain",
        )
        for members in ordered_groups
        if len(members) > 1
    )
    return Plan(order=tuple(s.key for m in ordered_groups for s in m), chains=chains)
