"""Drafting stories into items, and a week's picked stories into a draft issue.

The services the command line and the desk call: `draft_story` drafts (and checks)
without storing, `save_draft` stores the item with its provenance and checks, and
`draft_week` drafts the picked (or top) stories of the week into a draft issue in the
suggested order, with the suggested chains.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from newsdesk.config import backend_settings, default_backend
from newsdesk.ingest.models import Article
from newsdesk.newsroom import checks
from newsdesk.newsroom.items import add_items, chain_items, write_item
from newsdesk.newsroom.models import Issue, Item, ItemSource, Publication, Story, StoryScore
from newsdesk.newsroom.numbering import new_issue
from newsdesk.newsroom.publications import style_of
from newsdesk.newsroom.reading import item_text
from newsdesk.newsroom.week import week_stories
from newsdesk.pipeline.draft.chains import Plan, StoryDigest, plan_issue
from newsdesk.pipeline.draft.sentences import split_sentences
from newsdesk.pipeline.draft.types import DraftRequest
from newsdesk.pipeline.draft.writer import Outage, Written, write
from newsdesk.pipeline.errors import InputError, IssueError, NotFoundError
from newsdesk.pipeline.types import ItemText

#: how many of the publication's latest published items serve as examples
EXAMPLE_ITEMS = 5
#: a suggested topic is used when its score reaches this (or an editor confirmed it)
TOPIC_SCORE = 0.3
DEFAULT_TOP = 6


def get_story(ident: int) -> Story:
    story = Story.objects.filter(pk=ident).first()
    if story is None:
        raise NotFoundError(f"no story #{ident}: `newsdesk stories list` shows them")
    return story


def suggested_categories(publication: Publication, story: Story) -> tuple[list[str], list[str]]:
    """(topics, places) the ranking suggested for the story, minus what editors rejected."""
    row = StoryScore.objects.filter(publication=publication, story=story).first()
    if row is None:
        return [], []

    def keep(entry: dict[str, Any], scored: bool) -> bool:
        decision = entry.get("decision")
        if decision is not None:
            return bool(decision == "confirmed")
        return not scored or float(entry.get("score", 0.0)) >= TOPIC_SCORE

    topics = [str(t["name"]) for t in row.topics if keep(t, True)]
    places = [str(p["name"]) for p in row.places if keep(p, False)]
    return topics, places


def examples(publication: Publication) -> list[ItemText]:
    items = Item.objects.filter(
        publication=publication, issue__status=Issue.Status.PUBLISHED
    ).order_by("-issue__date", "position")[:EXAMPLE_ITEMS]
    return [item_text(i) for i in items]


def story_request(publication: Publication, story: Story, cite: Sequence[int] = ()) -> DraftRequest:
    articles = checks.story_articles(story)
    if not articles:
        raise InputError(
            f"story #{story.pk} has no article with text to draft from; "
            "paste the text with `newsdesk add --paste` or re-run `newsdesk ingest`"
        )
    known = {a.pk for a in articles}
    unknown = [a for a in cite if a not in known]
    if unknown:
        raise InputError(
            f"article #{unknown[0]} is not one of story #{story.pk}'s articles with text "
            f"({', '.join('#' + str(k) for k in sorted(known))})"
        )
    topics, places = suggested_categories(publication, story)
    return checks.draft_request(
        articles,
        style_of(publication),
        cite=[str(a) for a in cite],
        topics=topics,
        places=places,
        examples=examples(publication),
    )


def draft_story(
    publication: Publication,
    story: Story,
    *,
    backend: str | None = None,
    cite: Sequence[int] = (),
    continues: bool = False,
    continued: bool = False,
    outage: Outage | None = None,
) -> Written:
    """Draft and check an item for the story; nothing is stored. `outage`: shared by
    the drafts of one run (see `writer.Outage`)."""
    name = backend or default_backend()
    return write(
        story_request(publication, story, cite),
        name,
        backend_settings(name),
        continues=continues,
        continued=continued,
        outage=outage,
    )


def saved_copy(publication: Publication, story: Story, written: Written) -> Item | None:
    """The story's item already holding this very draft (headline and body) and in no
    issue yet, if any."""
    text = written.draft.item()
    return (
        Item.objects.filter(
            publication=publication,
            story=story,
            headline=text.headline,
            body=text.body,
            issue__isnull=True,
        )
        .order_by("pk")
        .first()
    )


def save_draft(publication: Publication, story: Story, written: Written, actor: str = "") -> Item:
    """Store a drafted item: its sources linked to the articles they cite, its
    provenance (backend, why it fell back, which source sentences support each body
    sentence) and its checks. The same draft of the same story saved again (a command
    run twice, a button pressed twice) is the item already saved, not a copy."""
    if (copy := saved_copy(publication, story, written)) is not None:
        return copy
    draft, report = written.draft, written.report
    provenance = {
        "backend": draft.backend,
        "requested": written.requested,
        "note": draft.note,
        "story": story.pk,
        "cited": list(draft.cited),
        "sentences": report.to_json()["sentences"],
    }
    with transaction.atomic():
        item = write_item(
            publication,
            draft.item(),
            actor,
            origin=Item.Origin.DRAFTED,
            provenance=provenance,
        )
        item.story = story
        item.verification = checks.verification_record(report, backend=draft.backend)
        item.save(update_fields=["story", "verification"])
        by_position = {s.position: s for s in item.sources.all()}
        for position, key in enumerate(draft.cited):
            source = by_position.get(position)
            if source is not None:
                ItemSource.objects.filter(pk=source.pk).update(article_id=int(key))
    return item


@dataclass(frozen=True)
class WeekDraft:
    issue: Issue
    items: list[Item]
    written: list[Written]
    plan: Plan


def week_choice(
    publication: Publication, as_of: dt.datetime, top: int | None = None
) -> list[StoryScore]:
    """The editor's picks of the week, best first; with `top` (or when nothing is
    picked) the best `top` stories not dismissed and not already published, leaving
    out, unless an editor picked them, the ones no article gives text to draft from
    and those the ranking found off the publication's topic (when it found any on it)."""
    stories = week_stories(as_of)
    rows = StoryScore.objects.filter(publication=publication, story__in=stories).select_related(
        "story", "story__lead"
    )
    already = set(
        Item.objects.filter(
            publication=publication, issue__status=Issue.Status.PUBLISHED, story__isnull=False
        ).values_list("story_id", flat=True)
    )
    picked = [r for r in rows.filter(picked=True).order_by("-score") if r.story_id not in already]
    if picked and top is None:
        return picked
    candidates = list(rows.exclude(picked=False).order_by("-score"))
    # a publication whose profile finds no story of the week on its topic (none set
    # yet) drafts by rank alone; one whose profile can tell leaves the others out
    judged = any(r.reasons.get("relevant") is True for r in candidates)
    chosen = (
        r
        for r in candidates
        if r.story_id not in already
        and (r.picked or ((on_topic(r) or not judged) and checks.story_articles(r.story)))
    )
    return list(itertools.islice(chosen, top or DEFAULT_TOP))


def on_topic(row: StoryScore) -> bool:
    """Whether the ranking found the story on the publication's topic (rows ranked
    before that was kept count as on it): only an editor's pick drafts one that is not."""
    return row.reasons.get("relevant", True) is not False


def outlets_of(story_ids: Sequence[int]) -> dict[int, frozenset[str]]:
    """The outlets of each story's articles, in one query for all the stories."""
    found: dict[int, set[str]] = {pk: set() for pk in story_ids}
    rows = Article.objects.filter(story_id__in=story_ids).values_list("story_id", "outlet")
    for story_id, outlet in rows.distinct():
        found[story_id].add(outlet)
    return {pk: frozenset(names) for pk, names in found.items()}


def _digest(row: StoryScore, outlets: frozenset[str]) -> StoryDigest:
    story = row.story
    lead: Article | None = story.lead
    sentences = split_sentences(lead.text[:1000]) if lead else []
    return StoryDigest(
        key=str(story.pk),
        title=story.title,
        lead=sentences[0].text if sentences else "",
        started=story.first_seen,
        score=row.score,
        continues=str(story.continues_id) if story.continues_id else None,
        outlets=outlets,
    )


def suggested_plan(publication: Publication, stories: Sequence[Story]) -> Plan:
    """The suggested order and chains for these stories, as `draft_week` would plan
    them (keys are story ids as text); stories the publication has not ranked are
    left out."""
    rows = StoryScore.objects.filter(
        publication=publication, story__in=list(stories)
    ).select_related("story", "story__lead")
    ranked = list(rows.order_by("-score", "story_id"))
    outlets = outlets_of([r.story_id for r in ranked])
    return plan_issue([_digest(r, outlets[r.story_id]) for r in ranked])


def draft_week(
    publication: Publication,
    *,
    top: int | None = None,
    backend: str | None = None,
    actor: str = "",
    as_of: dt.datetime | None = None,
    date: dt.date | None = None,
) -> WeekDraft:
    """Draft the week's chosen stories into a new draft issue, in the suggested order
    and with the suggested chains."""
    week = f" --as-of {as_of:%Y-%m-%d}" if as_of else ""  # rank the same week
    as_of = as_of or timezone.now()
    rows = week_choice(publication, as_of, top)
    if not rows:
        ranked = StoryScore.objects.filter(publication=publication, story__in=week_stories(as_of))
        if ranked.exists():
            raise IssueError(
                f"no story of the week to {as_of:%Y-%m-%d} is left to draft for "
                f"{publication.slug}: the ranked ones are published, dismissed, without text "
                "or off the publication's topic; pick one with "
                f"`newsdesk stories pick {publication.slug} STORY`"
            )
        raise IssueError(
            f"{publication.slug} has no ranked story in the week to {as_of:%Y-%m-%d}; "
            f"run `newsdesk stories rank {publication.slug}{week}` first"
        )
    textless = [r.story_id for r in rows if not checks.story_articles(r.story)]
    if textless:
        ids = ", ".join(f"#{k}" for k in textless)
        raise InputError(
            f"{'story' if len(textless) == 1 else 'stories'} {ids} of the week "
            f"{'has' if len(textless) == 1 else 'have'} no article with text to draft from: "
            "paste the text with "
            f"`newsdesk add --paste`, or leave them out with `newsdesk stories dismiss "
            f"{publication.slug} STORY`; nothing was drafted"
        )
    by_key = {str(r.story_id): r for r in rows}
    outlets = outlets_of([r.story_id for r in rows])
    plan = plan_issue([_digest(r, outlets[r.story_id]) for r in rows])
    # every story is drafted before anything is stored: a failure leaves no orphan items
    outage = Outage()  # a backend that does not answer is asked once, not once a story
    drafted = [
        draft_story(publication, by_key[key].story, backend=backend, outage=outage)
        for key in plan.order
    ]
    with transaction.atomic():
        stored = [
            save_draft(publication, by_key[key].story, written, actor)
            for key, written in zip(plan.order, drafted, strict=True)
        ]
        issue = new_issue(publication, actor, date)
        add_items(issue, stored, actor)
        item_of = {str(i.story_id): i.pk for i in stored}
        for chain in plan.chains:
            chain_items(issue, [item_of[k] for k in chain.keys], actor)
    for item in stored:  # again, now that chains give headlines their "..."
        item.refresh_from_db()
        checks.check_item(item, publication)
    return WeekDraft(issue=issue, items=stored, written=drafted, plan=plan)
