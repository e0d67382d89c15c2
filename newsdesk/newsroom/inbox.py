"""The desk's inbox: a publication's ranked stories of a time window, filtered, with
everything a row shows fetched in a fixed number of queries; and what an editor does
to a story there (pick, dismiss, snooze), each recorded in the audit log.

The window ends at the newest coverage among the publication's ranked stories (not
at the clock), so a desk opened after a quiet weekend, or the demo's fictional week,
still shows the last ranked week.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from newsdesk.ingest.models import Article
from newsdesk.newsroom import numbering, week
from newsdesk.newsroom.drafting import draft_story, save_draft
from newsdesk.newsroom.models import Issue, Item, Publication, StoryScore
from newsdesk.newsroom.people import AnyUser, record
from newsdesk.pipeline.errors import InputError, NotFoundError

WINDOWS = (1, 3, 7, 14, 30)  # days an editor may choose
SNOOZE_DAYS = (1, 3, 7)
MAX_ROWS = 300
#: the statuses of an issue whose items no longer change
FROZEN = (Issue.Status.PUBLISHED, Issue.Status.WITHDRAWN)


@dataclass(frozen=True)
class Filters:
    days: int = 7
    outlet: str = ""
    place: str = ""
    topic: str = ""
    text: str = ""
    show_hidden: bool = False  # dismissed and snoozed stories too

    def __post_init__(self) -> None:
        if self.days not in WINDOWS:
            raise InputError(f"window of {self.days} days; choose one of {WINDOWS}")


@dataclass(frozen=True)
class Row:
    score: StoryScore
    outlets: tuple[str, ...]
    snoozed: bool
    item_id: int | None = None  # the latest item drafted from the story, to edit
    #: the number of the latest published issue that told the story
    ran_in: int | None = None
    #: the latest item is the one that ran: it is read, no longer edited
    item_ran: bool = False
    #: the latest item stands in a published or withdrawn issue: a new item for the
    #: story (a follow-up, a correction) is picked again
    item_frozen: bool = False


@dataclass
class Inbox:
    publication: Publication
    filters: Filters
    start: dt.datetime | None
    end: dt.datetime | None
    rows: list[Row] = field(default_factory=list)
    outlets: list[str] = field(default_factory=list)  # for the filter menus
    places: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)


def window_end(publication: Publication) -> dt.datetime | None:
    return StoryScore.objects.filter(publication=publication).aggregate(
        end=Max("story__last_seen")
    )["end"]


def inbox(publication: Publication, filters: Filters, now: dt.datetime | None = None) -> Inbox:
    """The window's ranked stories, best first, filtered (five queries, whatever the count)."""
    now = now or timezone.now()
    end = window_end(publication)
    result = Inbox(publication, filters, None, end)
    if end is None:
        return result
    start = end - dt.timedelta(days=filters.days)
    result.start = start
    scores = (
        StoryScore.objects.filter(publication=publication, story__last_seen__gte=start)
        .select_related("story", "story__follows__issue", "story__continues")
        .defer("story__quotes", "story__continues__quotes")  # the story page shows them
        .order_by("-score", "story_id")
    )
    if not filters.show_hidden:
        scores = scores.exclude(picked=False).exclude(snoozed_until__gt=now)
    if filters.text:
        scores = scores.filter(
            Q(story__title__icontains=filters.text)
            | Q(story__articles__title__icontains=filters.text)
        ).distinct()
    latest = {
        story_id: (item_id, status in FROZEN)
        for story_id, item_id, status in Item.objects.filter(
            publication=publication, story__in=scores.values("story")
        )
        .order_by("story_id", "id")
        .values_list("story_id", "id", "issue__status")
    }
    ran = numbering.ran_before(publication.pk, scores.values_list("story_id", flat=True))
    # the outlets of every story, as plain values: 2,000 articles as models would
    # cost more than the rest of the page
    outlets_of: dict[int, set[str]] = {}
    for story_id, outlet in (
        Article.objects.filter(story__in=scores.values("story"))
        .exclude(outlet="")
        .values_list("story_id", "outlet")
        .distinct()
    ):
        outlets_of.setdefault(story_id, set()).add(outlet)
    outlets: set[str] = set()
    places: set[str] = set()
    topics: set[str] = set()
    for score in scores[:MAX_ROWS]:
        names = tuple(sorted(outlets_of.get(score.story_id, ())))
        place_names = {p["name"] for p in score.places}
        topic_names = {t["name"] for t in score.topics}
        outlets.update(names)
        places.update(place_names)
        topics.update(topic_names)
        if filters.outlet and filters.outlet not in names:
            continue
        if filters.place and filters.place not in place_names:
            continue
        if filters.topic and filters.topic not in topic_names:
            continue
        snoozed = score.snoozed_until is not None and score.snoozed_until > now
        item_id, frozen = latest.get(score.story_id, (None, False))
        number, told = ran.get(score.story_id, (None, None))
        result.rows.append(
            Row(
                score,
                names,
                snoozed,
                item_id,
                number,
                item_ran=told is not None and told == item_id,
                item_frozen=frozen,
            )
        )
    result.outlets, result.places, result.topics = sorted(outlets), sorted(places), sorted(topics)
    return result


def score_of(publication: Publication, story_id: int) -> StoryScore:
    row = (
        StoryScore.objects.filter(publication=publication, story_id=story_id)
        .select_related("story")
        .first()
    )
    if row is None:
        raise NotFoundError(f"story #{story_id} is not ranked for {publication.slug}")
    return row


def _state(row: StoryScore) -> dict[str, object]:
    until = row.snoozed_until.isoformat() if row.snoozed_until else None
    return {"picked": row.picked, "snoozed_until": until}


@dataclass(frozen=True)
class Picked:
    item: Item
    drafted: bool  # False: the story was picked already, and this is its draft


def _draft_of(publication: Publication, row: StoryScore) -> Item | None:
    """The item drafted from a picked story, if it has one still a draft: one in a
    published or withdrawn issue is frozen, and picking the story again drafts anew."""
    if not row.picked:
        return None
    items = Item.objects.filter(publication=publication, story=row.story)
    return items.exclude(issue__status__in=FROZEN).order_by("-id").first()


def pick(publication: Publication, story_id: int, user: AnyUser) -> Picked:
    """Pick a story: a label for relevance, and a drafted item to edit (checked).

    A story picked already (a double click, two editors) is not drafted twice: its
    draft comes back. Drafting runs outside the transaction (it is slow); the row,
    locked, is read again inside it, so of two picks racing one drafts."""
    row = score_of(publication, story_id)
    before = _state(row)
    existing = _draft_of(publication, row)
    if existing is not None:
        return Picked(existing, drafted=False)
    written = draft_story(publication, row.story)
    with transaction.atomic():
        # the score row only: clustering saves the story meanwhile (see stored_stories)
        locked = StoryScore.objects.select_for_update(of=("self",)).select_related("story")
        row = locked.get(pk=row.pk)
        existing = _draft_of(publication, row)
        if existing is not None:
            return Picked(existing, drafted=False)
        item = save_draft(publication, row.story, written, user.get_username())
        row = week.decide(publication, row.story, True)
        record(
            user, publication, "pick", "story", story_id, before, _state(row) | {"item": item.pk}
        )
    return Picked(item, drafted=True)


def dismiss(publication: Publication, story_id: int, user: AnyUser) -> StoryScore:
    """Dismiss a story: hidden from the inbox, and a negative label for relevance."""
    row = score_of(publication, story_id)
    before = _state(row)
    with transaction.atomic():
        row = week.decide(publication, row.story, False)
        record(user, publication, "dismiss", "story", story_id, before, _state(row))
    return row


def snooze(
    publication: Publication,
    story_id: int,
    days: int,
    user: AnyUser,
    now: dt.datetime | None = None,
) -> StoryScore:
    """Hide a story from the inbox for some days (no label: the editor has not decided)."""
    if days not in SNOOZE_DAYS:
        raise InputError(f"snooze for {days} days; choose one of {SNOOZE_DAYS}")
    row = score_of(publication, story_id)
    before = _state(row)
    with transaction.atomic():
        row.snoozed_until = (now or timezone.now()) + dt.timedelta(days=days)
        row.save(update_fields=["snoozed_until"])
        record(user, publication, "snooze", "story", story_id, before, _state(row))
    return row


def restore(publication: Publication, story_id: int, user: AnyUser) -> StoryScore:
    """Undo a dismissal or a snooze: the story is back in the inbox, undecided."""
    row = score_of(publication, story_id)
    before = _state(row)
    with transaction.atomic():
        row.picked, row.decided, row.snoozed_until = None, None, None
        row.save(update_fields=["picked", "decided", "snoozed_until"])
        record(user, publication, "restore", "story", story_id, before, _state(row))
    return row
