"""A story's lead: the one report that stands for the story."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from newsdesk.pipeline.errors import StoryError
from newsdesk.pipeline.stories.inputs import EPOCH, Key, StoryInput, as_utc, key_order
from newsdesk.pipeline.text import word_count

SUBSTANTIVE_WORDS = 150


def lead_article(
    members: Iterable[StoryInput],
    weights: Mapping[str, float] | None = None,
    min_words: int = SUBSTANTIVE_WORDS,
) -> Key:
    """The story's lead: the earliest substantive report from the highest-weight outlet.

    Substantive means at least `min_words` words of text; when no member is, the
    longest reports compete instead. Outlets missing from `weights` weigh 0. Among
    the reports of the heaviest outlet the earliest wins (undated ones last), then
    the longest, then the smallest key.
    """
    pool = list(members)
    if not pool:
        raise StoryError("a story needs at least one article to choose its lead from")
    weights = weights or {}
    substantive = [a for a in pool if word_count(a.text) >= min_words]
    if not substantive:
        longest = max(word_count(a.text) for a in pool)
        substantive = [a for a in pool if word_count(a.text) == longest]

    def rank(article: StoryInput) -> tuple[float, bool, datetime, int, tuple[int, int | str]]:
        published = as_utc(article.published)
        return (
            -weights.get(article.outlet, 0.0),
            published is None,
            published or EPOCH,
            -word_count(article.text),
            key_order(article.key),
        )

    return min(substantive, key=rank).key
