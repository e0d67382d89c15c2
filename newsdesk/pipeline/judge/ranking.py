"""Ranking the week's stories for a publication, with the reasons for each place.

score = 0.50 * relevance      (the publication's topic: rules and learned model, 0..1)
      + 0.25 * coverage       (distinct outlets, log-scaled: 1 outlet 0.33, 3 are 0.67, 7+ 1.0)
      + 0.10 * outlet weight  (the heaviest outlet covering it, relative to the heaviest source)
      + 0.15 * recency        (halves every 3.5 days before the end of the week)
then multiplied by 0.2 when the story was already published in an issue (novelty),
and by 0.5 when the story is not relevant (the relevance verdict: a score below 0.5,
an excluded term, or none of the required places), so off-topic stories sink
whatever their coverage.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

WEIGHTS = {"relevance": 0.50, "coverage": 0.25, "outlet_weight": 0.10, "recency": 0.15}
COVERAGE_SATURATION = 7  # outlets at which coverage counts fully
RECENCY_HALF_LIFE_DAYS = 3.5
PUBLISHED_FACTOR = 0.2
IRRELEVANT_FACTOR = 0.5


@dataclass(frozen=True)
class StoryFacts:
    key: int
    relevance: float
    relevant: bool
    outlets: tuple[str, ...]
    last_seen: datetime | None
    published_in: int | None = None  # issue number that already carried this story
    follows: int | None = None  # issue number of the item this story continues
    relevance_reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class Ranked:
    key: int
    score: float
    components: dict[str, float]
    reasons: tuple[str, ...] = field(default_factory=tuple)


def coverage_value(outlets: int) -> float:
    return min(1.0, math.log1p(outlets) / math.log1p(COVERAGE_SATURATION))


def recency_value(last_seen: datetime | None, as_of: datetime) -> float:
    if last_seen is None:
        return 0.0
    age_days = max(0.0, (as_of - last_seen).total_seconds() / 86400)
    return float(0.5 ** (age_days / RECENCY_HALF_LIFE_DAYS))


def rank(
    stories: Iterable[StoryFacts], as_of: datetime, outlet_weights: dict[str, float] | None = None
) -> list[Ranked]:
    """Stories in descending score; ties broken by coverage, then by key (stable)."""
    weights = outlet_weights or {}
    heaviest = max(weights.values(), default=1.0) or 1.0
    ranked: list[Ranked] = []
    for story in stories:
        distinct = tuple(sorted(set(story.outlets)))
        weight = max((weights.get(o, 1.0) for o in distinct), default=0.0) / heaviest
        parts = {
            "relevance": max(0.0, min(1.0, story.relevance)),
            "coverage": coverage_value(len(distinct)),
            "outlet_weight": min(1.0, weight),
            "recency": recency_value(story.last_seen, as_of),
        }
        score = sum(WEIGHTS[k] * v for k, v in parts.items())
        reasons = [
            f"relevance {parts['relevance']:.2f}"
            + (f" ({'; '.join(story.relevance_reasons)})" if story.relevance_reasons else ""),
            f"covered by {len(distinct)} outlet{'s' if len(distinct) != 1 else ''}"
            + (f": {', '.join(distinct[:6])}" if distinct else ""),
        ]
        if story.last_seen is not None:
            reasons.append(f"last report {story.last_seen:%b %-d %H:%M} UTC")
        if not story.relevant:
            score *= IRRELEVANT_FACTOR
            reasons.append("outside the publication's topic")
        if story.published_in is not None:
            score *= PUBLISHED_FACTOR
            reasons.append(f"already published in No. {story.published_in}")
        if story.follows is not None:
            reasons.append(f"follows No. {story.follows}")
        ranked.append(Ranked(story.key, round(score, 4), parts, tuple(reasons)))
    ranked.sort(key=lambda r: (-r.score, -r.components["coverage"], r.key))
    return ranked
