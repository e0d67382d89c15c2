"""What the story clusterer is given: articles, their keys and dates, and its settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from newsdesk.pipeline.errors import InputError

Key = int | str  # an article's key: a stored article's id, or any string

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def key_order(key: Key) -> tuple[int, int | str]:
    """A total order over int and str keys, for deterministic iteration."""
    return (0, key) if isinstance(key, int) else (1, key)


def as_utc(moment: datetime | None) -> datetime | None:
    """A date as UTC-aware: a naive one is taken to be UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class StoryInput:
    """One article as the clusterer sees it."""

    key: Key
    title: str
    text: str  # may start with the headline again
    published: datetime | None
    outlet: str = ""
    places: tuple[str, ...] = ()  # codes from the place tagger, may be empty


@dataclass(frozen=True)
class StoryConfig:
    """Settings of the clusterer.

    The thresholds were chosen on the dev clustering set with its dates stripped and
    its order shuffled, whole and topic by topic. Its B-cubed F1 stays between 0.948
    and 0.954 for join 0.25-0.35, attach 0.1-0.25, merge 0.4-0.8 and title weight
    2-5: the defaults sit on a plateau, not on a peak.
    """

    join_threshold: float = 0.3  # cosine with a story's centroid to join it as the article comes
    attach_threshold: float = 0.2  # cosine at which `refine` moves an article to a story
    merge_threshold: float = 0.6  # cosine of two centroids at which `refine` merges the stories
    refine_rounds: int = 1  # rounds of each `refine` (`add_batch` refines after each chunk)
    title_weight: float = 3.0  # added to the weight of a headline word
    body_words: int = 300  # content words of the text that count
    shared_damping: float = 0.3  # terms in n stories of the window weigh 1/n**this
    place_weight: float = 1.0  # weight of a place code, as a term
    unique_weight: float = 0.3  # factor for a term no other article had when weighed
    # cosine a story loses for an article, times the share of the story's reports that
    # come from the article's outlet: an outlet seldom reports one event twice within
    # days, while two events of one kind are each reported by the same outlets; the
    # more of a story other outlets confirm, the less one outlet's repeat tells
    # (see docs/stories.md)
    outlet_repeat_margin: float = 0.2
    # A story stays in the window until both clocks have run out since its latest
    # article: `window` of time (when dates are known) and `window_articles` articles
    # added. A quiet week does not close a story, nor does a busy day.
    window: timedelta | None = timedelta(days=7)
    window_articles: int = 5_000
    # A story closes once this long has passed since its first report: later coverage
    # of the same affair starts a new story that `continues` it. None: stories never
    # close (the evaluation sets label affairs that run for years as one story).
    max_span: timedelta | None = None
    query_terms: int = 12  # an article's heaviest terms, looked up in the index
    index_terms: int = 24  # a member's heaviest terms, which point to its story
    max_postings: int = 60  # a term in more stories of the window finds none of them
    max_candidates: int = 10  # stories compared in full, those sharing the most query weight
    vector_terms: int = 120  # an article vector keeps its heaviest terms
    centroid_terms: int = 400  # a story's centroid keeps at least its heaviest terms

    def __post_init__(self) -> None:
        for name in ("join_threshold", "attach_threshold", "merge_threshold"):
            value = getattr(self, name)
            if not 0 < value <= 1:
                raise InputError(f"{name} is {value}: give a cosine above 0 and at most 1")
        for name in ("window", "max_span"):
            span = getattr(self, name)
            if span is not None and span <= timedelta(0):
                raise InputError(f"{name} is {span}: give a positive duration, or None")
        for name in (
            "window_articles",
            "query_terms",
            "index_terms",
            "vector_terms",
            "max_candidates",
            "centroid_terms",
        ):
            if getattr(self, name) < 1:
                raise InputError(f"{name} is {getattr(self, name)}: give 1 or more")
