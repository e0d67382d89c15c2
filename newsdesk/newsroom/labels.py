"""Editors' decisions that teach the models, and when the models must learn again.

Three kinds of label reach training (`week.train`): the items of published
issues, every pick or dismissal of a story, and every category an editor
confirms or rejects for a story. The summary of all three (`label_state`) is
stored with the trained models, so whether they are due for retraining is
computed from stored state: any process may decide it, at any time, and a
restart loses nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

from newsdesk.newsroom.models import (
    Category,
    CategoryDecision,
    Issue,
    Item,
    Publication,
    Story,
    StoryScore,
)
from newsdesk.newsroom.profiles import profile_of
from newsdesk.newsroom.reading import issue_text
from newsdesk.pipeline.errors import LabelError
from newsdesk.pipeline.text import plural


@dataclass(frozen=True)
class ItemExample:
    """A published item as a labelled example for relevance, categories and drafting."""

    headline: str
    body: str
    topics: tuple[str, ...]
    places: tuple[str, ...]
    issue_number: int
    published: dt.date | None
    #: the topics are the issue's (an imported item has none of its own): a bag, not a label
    topics_from_issue: bool = False


def labelled_examples(publication: Publication) -> list[ItemExample]:
    """Items of the publication's published (and imported) issues, oldest issue first."""
    examples = []
    issues = publication.issues.filter(status=Issue.Status.PUBLISHED).exclude(number=None)
    for issue in issues.order_by("number"):
        text = issue_text(issue)
        issue_topics = {c.name for c in issue.categories.filter(kind=Category.Kind.TOPIC)}
        issue_places = {c.name for c in issue.categories.filter(kind=Category.Kind.PLACE)}
        for item in text.items:
            examples.append(
                ItemExample(
                    headline=item.headline,
                    body=item.body,
                    # imported items carry no categories of their own: the issue's are the label
                    topics=item.topics or tuple(sorted(issue_topics)),
                    places=item.places or tuple(sorted(issue_places)),
                    issue_number=issue.number or 0,
                    published=issue.date,
                    topics_from_issue=not item.topics,
                )
            )
    return examples


def _vocabulary(publication: Publication) -> dict[str, Category]:
    return {c.name.casefold(): c for c in publication.categories.all()}


def decide_categories(
    publication: Publication,
    story: Story,
    *,
    confirm: Sequence[str] = (),
    reject: Sequence[str] = (),
    editor: str = "",
) -> dict[str, bool]:
    """Record that an editor confirmed or rejected categories for a story.

    Names are the publication's own categories (topics or places, any case); a
    later decision on the same category replaces the earlier one. Returns every
    decision now standing for the story: category name -> confirmed.
    """
    vocabulary = _vocabulary(publication)
    wanted = [n.strip() for n in (*confirm, *reject) if n.strip()]
    unknown = sorted({n for n in wanted if n.casefold() not in vocabulary})
    if unknown:
        known = ", ".join(sorted(c.name for c in vocabulary.values())) or "none yet"
        raise LabelError(
            f"not a category of {publication.slug}: {', '.join(unknown)} (its categories: {known})"
        )
    both = {n.casefold() for n in confirm} & {n.casefold() for n in reject}
    if both:
        names = ", ".join(sorted(vocabulary[n].name for n in both))
        raise LabelError(f"confirmed and rejected at once: {names}")
    now = timezone.now()
    with transaction.atomic():
        for given, accepted in ((confirm, True), (reject, False)):
            for raw in given:
                if not raw.strip():
                    continue
                CategoryDecision.objects.update_or_create(
                    publication=publication,
                    story=story,
                    category=vocabulary[raw.strip().casefold()],
                    defaults={"accepted": accepted, "editor": editor, "decided": now},
                )
    return decisions_for(publication, [story.pk]).get(story.pk, {})


def decisions_for(publication: Publication, story_ids: Iterable[int]) -> dict[int, dict[str, bool]]:
    """Story id -> {category name: confirmed} for the given stories."""
    found: dict[int, dict[str, bool]] = {}
    rows = CategoryDecision.objects.filter(
        publication=publication, story_id__in=list(story_ids)
    ).values_list("story_id", "category__name", "accepted")
    for story_id, name, accepted in rows:
        found.setdefault(story_id, {})[name] = accepted
    return found


@dataclass(frozen=True)
class CategoryExample:
    """A story an editor categorised: what it is, and what it is not."""

    story: Story
    topics: tuple[str, ...]  # confirmed topic names
    places: tuple[str, ...]  # confirmed place names
    rejected_places: tuple[str, ...]


def category_examples(publication: Publication) -> list[CategoryExample]:
    """Every story with at least one category decision, oldest decision first."""
    by_story: dict[int, dict[str, list[str]]] = {}
    decisions = (
        CategoryDecision.objects.filter(publication=publication)
        .select_related("category")
        .order_by("decided", "id")
    )
    for decision in decisions:
        slot = by_story.setdefault(decision.story_id, {"topic": [], "place": [], "no-place": []})
        kind = decision.category.kind
        if decision.accepted:
            slot[kind].append(decision.category.name)
        elif kind == Category.Kind.PLACE:
            slot["no-place"].append(decision.category.name)
    stories = Story.objects.select_related("lead").in_bulk(list(by_story))
    return [
        CategoryExample(
            stories[sid], tuple(slot["topic"]), tuple(slot["place"]), tuple(slot["no-place"])
        )
        for sid, slot in by_story.items()
        if sid in stories
    ]


def label_state(publication: Publication) -> str:
    """A short summary that changes whenever a label is added, changed or removed."""
    items = Item.objects.filter(
        issue__publication=publication, issue__status=Issue.Status.PUBLISHED
    ).aggregate(n=Count("id"), last=Max("updated"))
    picks = StoryScore.objects.filter(publication=publication, picked__isnull=False).aggregate(
        n=Count("id"), last=Max("decided")
    )
    categories = CategoryDecision.objects.filter(publication=publication).aggregate(
        n=Count("id"), last=Max("decided")
    )

    def part(name: str, agg: dict[str, object]) -> str:
        last = agg["last"]
        stamp = last.isoformat() if isinstance(last, dt.datetime) else "-"  # to the microsecond
        return f"{name}:{agg['n']}@{stamp}"

    return " ".join((part("items", items), part("picks", picks), part("categories", categories)))


def has_labels(state: str) -> bool:
    return any(not piece.split(":", 1)[1].startswith("0@") for piece in state.split())


def retrain_due(publication: Publication, now: dt.datetime | None = None) -> str:
    """Why the publication's models should be trained now, or "" when they are current.

    Due when labels changed since the last training, or when the models are older
    than NEWSDESK_RETRAIN_DAYS (new stories of passed-over weeks are negatives too).
    Never due for a publication without any label: its rules decide alone.
    """
    now = now or timezone.now()
    profile = profile_of(publication)
    state = label_state(publication)
    if profile.trained is None:
        return "never trained, and editors' labels exist" if has_labels(state) else ""
    if state != profile.trained_state:
        return "editors' labels changed since the last training"
    age = now - profile.trained
    if has_labels(state) and age > dt.timedelta(days=settings.NEWSDESK_RETRAIN_DAYS):
        return f"last trained {plural(age.days, 'day')} ago"
    return ""
