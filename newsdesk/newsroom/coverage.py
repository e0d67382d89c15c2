"""One story as the desk shows it: its articles side by side, the quotes found in them
with their speakers, and a timeline of its coverage (articles per day, by outlet);
and the editor's merge and split of stories, each recorded in the audit log."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction

from newsdesk.ingest.models import Article
from newsdesk.newsroom import stored_stories
from newsdesk.newsroom.inbox import score_of
from newsdesk.newsroom.models import AuditEntry, Publication, Story, StoryScore
from newsdesk.newsroom.people import AnyUser, record
from newsdesk.pipeline.errors import NotFoundError, StoryError

#: outlet colours of the timeline, told apart by people with common colour-vision deficiencies
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#7a6a00", "#000000")
CHART_WIDTH, CHART_HEIGHT, AXIS, WIDEST_BAR = 640, 180, 24, 48
#: a quote shorter than this is a name or a phrase in quotation marks, not a statement
QUOTE_WORDS = 4


@dataclass(frozen=True)
class Quote:
    text: str
    speaker: str
    outlet: str
    article_id: int


@dataclass(frozen=True)
class Bar:
    """One outlet's articles on one day: a stacked segment of the day's column."""

    x: float
    y: float
    width: float
    height: float
    colour: str
    label: str


@dataclass(frozen=True)
class Timeline:
    days: list[dt.date]
    outlets: list[tuple[str, str]]  # (outlet, colour)
    counts: dict[tuple[dt.date, str], int]
    bars: list[Bar]
    ticks: list[tuple[float, str]]  # (x of a day's centre, its label)
    most: int
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT
    axis: int = AXIS

    @property
    def rows(self) -> list[tuple[dt.date, list[int]]]:
        """The counts as a table: a row per day, a column per outlet."""
        return [(d, [self.counts.get((d, o), 0) for o, _ in self.outlets]) for d in self.days]


@dataclass(frozen=True)
class Coverage:
    story: Story
    score: StoryScore
    articles: list[Article]
    quotes: list[Quote]
    timeline: Timeline


def timeline(articles: Sequence[Article]) -> Timeline:
    """Articles per day by outlet, with the geometry of a stacked column chart."""
    counts = Counter(
        (day, a.outlet or "unknown") for a in articles if (day := a.published_day) is not None
    )
    if not counts:
        return Timeline([], [], {}, [], [], 0)
    first, last = min(d for d, _ in counts), max(d for d, _ in counts)
    days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    outlets = sorted({o for _, o in counts})
    colour = {o: PALETTE[n % len(PALETTE)] for n, o in enumerate(outlets)}
    most = max(sum(counts[(d, o)] for o in outlets) for d in days)
    slot = CHART_WIDTH / len(days)
    unit = (CHART_HEIGHT - AXIS) / most
    bars, ticks = [], []
    for n, day in enumerate(days):
        width = min(slot * 0.7, WIDEST_BAR)
        x, top = n * slot + (slot - width) / 2, float(CHART_HEIGHT - AXIS)
        for outlet in outlets:
            count = counts[(day, outlet)]
            if count:
                top -= count * unit
                label = (
                    f"{outlet}: {count} article{'s' if count != 1 else ''} on {day:%b} {day.day}"
                )
                bars.append(Bar(x, top, width, count * unit, colour[outlet], label))
        ticks.append((n * slot + slot / 2, f"{day:%b} {day.day}"))
    return Timeline(days, [(o, colour[o]) for o in outlets], dict(counts), bars, ticks, most)


def coverage(publication: Publication, story_id: int) -> Coverage:
    score = score_of(publication, story_id)
    articles = list(Article.objects.filter(story_id=story_id).order_by("published", "id"))
    if not articles:
        raise NotFoundError(f"story #{story_id} has no articles")
    quotes: dict[tuple[str, str], Quote] = {}  # each quote once, from its first article
    for a in articles:
        for q in a.quotes or []:
            text, speaker = str(q.get("text") or ""), str(q.get("speaker") or "")
            if len(text.split()) >= QUOTE_WORDS:
                quotes.setdefault((text, speaker), Quote(text, speaker, a.outlet, a.pk))
    return Coverage(score.story, score, articles, list(quotes.values()), timeline(articles))


def merge(publication: Publication, keep_id: int, other_id: int, user: AnyUser) -> Story:
    """The other story is the same event: its articles join this one, for good."""
    keep, other = score_of(publication, keep_id).story, score_of(publication, other_id).story
    before = {"stories": [keep_id, other_id], "articles": keep.article_count + other.article_count}
    with transaction.atomic():
        merged = stored_stories.merge_stories(keep, other, user.get_username())
        record(user, publication, "merge", "story", keep_id, before, {"story": merged.pk})
    return merged


#: how many of the publication's latest merges a gone story's address is looked up in
MERGES_REMEMBERED = 1000


def merged_into(publication: Publication, story_id: int) -> int | None:
    """The story a merged (so deleted) story's articles now belong to, from the audit
    log, following later merges; None for a story that was never merged away."""
    merges = (
        AuditEntry.objects.filter(publication=publication, action="merge", target="story")
        .order_by("-id")
        .values_list("before", "after")[:MERGES_REMEMBERED]
    )
    into = {
        int(before["stories"][1]): int(after["story"])
        for before, after in reversed(list(merges))
        if len(before.get("stories", [])) == 2 and "story" in after
    }
    found, seen = into.get(story_id), {story_id}
    while found is not None and found in into and found not in seen:
        seen.add(found)
        found = into[found]
    return found


def _undecided(suggestions: list[dict[str, object]]) -> list[dict[str, object]]:
    """Suggestions carried to a story split off, without the editors' decisions: those
    were about the old story, and a category only an editor added was never suggested."""
    return [{**s, "decision": None} for s in suggestions if "score" in s or "share" in s]


def split(
    publication: Publication, story_id: int, article_ids: Sequence[int], user: AnyUser
) -> Story:
    """These articles are another event: they leave the story for a new one, for good.
    The new story is ranked like the old one until the next ranking scores it afresh."""
    row = score_of(publication, story_id)
    if not article_ids:
        raise StoryError("tick the articles that tell another event")
    with transaction.atomic():
        new = stored_stories.split_story(row.story, article_ids, user.get_username())
        reasons = dict(row.reasons)
        reasons["lines"] = [
            f"split from story #{story_id} by an editor; scored afresh at the next ranking"
        ]
        StoryScore.objects.create(
            publication=publication,
            story=new,
            relevance=row.relevance,
            score=row.score,
            reasons=reasons,
            topics=_undecided(row.topics),
            places=_undecided(row.places),
            computed=row.computed,
        )
        record(
            user,
            publication,
            "split",
            "story",
            story_id,
            {"articles": sorted(article_ids)},
            {"story": new.pk},
        )
    return new
