"""Stored stories: the articles of a time window grouped into them, editors' merges and
splits, and follow-ups of published items.

pipeline/stories clusters plain values; this module runs it over stored articles
and keeps the Story rows in step. Syndicated copies join their original's story.
Story rows keep their identity across re-clustering (a new cluster takes over the
story most of its articles were in), so items, scores and links to a story
survive a re-run.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import cosine_similarity

from newsdesk.ingest.models import Article
from newsdesk.ingest.rows import lock_rows
from newsdesk.newsroom.enrich import about_codes
from newsdesk.newsroom.models import CategoryDecision, Issue, Item, Story, StoryDecision, StoryScore
from newsdesk.pipeline.errors import InputError, StoryError
from newsdesk.pipeline.stories.clustering import Clustering, cluster_stories
from newsdesk.pipeline.stories.constraints import Constraints
from newsdesk.pipeline.stories.inputs import StoryConfig, StoryInput
from newsdesk.pipeline.stories.leads import lead_article

WINDOW = dt.timedelta(days=14)
FOLLOW_UP_WEEKS = 8
FOLLOW_UP_THRESHOLD = 0.12  # TF-IDF cosine; the demo week: 0.17 for a follow-up, <= 0.03 otherwise


@dataclass(frozen=True)
class ClusterReport:
    articles: int
    stories: int
    new_stories: int
    follow_ups: int


def constraints() -> Constraints:
    """Every editor decision, replayed in order (a newer decision overrules an older one)."""
    replay = Constraints()
    for decision in StoryDecision.objects.order_by("at", "id"):
        if decision.kind == StoryDecision.Kind.MERGE:
            replay.merge(decision.first, decision.second)
        else:
            replay.split(decision.first, decision.second)
    return replay


def _inputs(articles: Iterable[Article]) -> list[StoryInput]:
    return [
        StoryInput(
            key=a.pk,
            title=a.title,
            text=a.text,
            published=a.published or a.fetched,
            outlet=a.outlet,
            places=about_codes(a),
        )
        for a in articles
    ]


def story_config() -> StoryConfig:
    return StoryConfig(max_span=dt.timedelta(days=settings.NEWSDESK_STORY_MAX_DAYS))


#: article columns clustering and a story's refresh never read (the page, the signature)
_UNREAD = ("html", "signature")

#: how many times clustering reads the window when editors merge or split meanwhile
_READINGS = 3


def cluster_articles(
    since: dt.datetime | None = None, until: dt.datetime | None = None
) -> ClusterReport:
    """(Re-)cluster the originals published in [since, until] and refresh their stories.

    A story closes NEWSDESK_STORY_MAX_DAYS after its first report: its articles stay,
    and later coverage of the affair goes to a new story that `continues` it (unless
    an editor merged them: editors' decisions always win). A merge or split an editor
    makes while the window is clustered is not undone: the window is read again.
    """
    until = until or timezone.now()
    since = since or until - WINDOW
    if since > until:
        raise InputError(
            f"the window starts after it ends: {since:%Y-%m-%d %H:%M} > {until:%Y-%m-%d %H:%M}"
        )
    window = Q(published__gte=since, published__lte=until) | Q(
        published__isnull=True, fetched__gte=since, fetched__lte=until
    )
    in_window = Article.objects.filter(window, duplicate_of__isnull=True, readable=True)
    config = story_config()
    for attempt in range(1, _READINGS + 1):
        seen = _last_decision()
        originals = list(in_window.order_by("id").defer(*_UNREAD))
        decided = constraints()
        result = cluster_stories(_inputs(originals), decided, config)
        with transaction.atomic():
            _take_turns_moving_articles()
            if _last_decision() != seen and attempt < _READINGS:
                continue  # an editor merged or split since the read: read again
            new, touched = _file_groups(originals, in_window, result, decided, config)
        break
    follow_ups = link_follow_ups(touched)
    return ClusterReport(len(originals), len(set(result.assignments.values())), new, follow_ups)


def _last_decision() -> int | None:
    """The newest editor decision's id: every merge and split records one."""
    return StoryDecision.objects.aggregate(last=Max("id"))["last"]


def _file_groups(
    originals: list[Article],
    in_window: QuerySet[Article],
    result: Clustering,
    decided: Constraints,
    config: StoryConfig,
) -> tuple[int, list[Story]]:
    """Move the clustered originals and their copies into stories; the number of new
    stories and the stories of the window.

    Only what changed is written: a refresh in which nothing moved updates no article
    and saves only the stories whose lead, dates, places or quotes changed since (an
    article enriched or re-dated). The scheduler refreshes the window every few
    minutes, and editors' merges and splits wait for it (`_take_turns_moving_articles`).
    """
    # the originals' stories now, as their copies' are read: an editor's split on the
    # last reading, or another clustering, may have moved them since they were read
    now_in = dict(in_window.values_list("pk", "story_id"))
    for article in originals:
        article.story_id = now_in.get(article.pk, article.story_id)
    copies_of: dict[int, list[Article]] = defaultdict(list)
    copies = Article.objects.filter(duplicate_of__in=in_window.values("pk"))
    for copy in copies.only("pk", "duplicate_of_id", "story_id"):
        copies_of[copy.duplicate_of_id or 0].append(copy)
    stored = {s.pk: s for s in Story.objects.filter(pk__in=in_window.values("story_id"))}
    groups: dict[int, list[Article]] = defaultdict(list)
    for article in originals:
        groups[result.assignments[article.pk]].append(article)
    new = 0
    claimed: set[int] = set()
    touched: list[Story] = []
    relinked: set[int] = set()  # stories whose `continues` changed
    moves: dict[int, list[int]] = defaultdict(list)  # story -> the articles that join it
    story_of_group: dict[int, Story] = {}
    successors: dict[int, Counter[int]] = {}  # old story -> where its articles went
    # biggest clusters choose first, so a story keeps the bulk of its articles
    for group, members in sorted(groups.items(), key=lambda g: len(g[1]), reverse=True):
        latest = max(a.published or a.fetched for a in members)
        # an editor's merge keeps a story whole however long it runs (a split does not)
        editors_linked = any(len(decided.group(a.pk)) > 1 for a in members)
        previous = Counter(a.story_id for a in members if a.story_id in stored)
        # earlier chapters keep what they have: members already in a closed story stay
        closed = [
            stored[sid]
            for sid, _ in previous.most_common()
            if not editors_linked and _closed(stored[sid], latest, config)
        ]
        story = next(
            (
                stored[sid]
                for sid, _ in previous.most_common()
                if sid not in claimed and stored[sid] not in closed
            ),
            None,
        )
        shut = {c.pk for c in closed}
        movers = [a for a in members if a.story_id not in shut]
        if not movers:  # all of it is an earlier chapter, as it was
            story_of_group[group] = closed[0]
            continue
        if story is None:
            story = Story.objects.create(continues=closed[0] if closed else None)
            new += 1
        elif closed and story.continues_id is None:
            story.continues = closed[0]
            relinked.add(story.pk)
        claimed.add(story.pk)
        story_of_group[group] = story
        joining = [a for a in movers if a.story_id != story.pk]
        joining += [c for a in movers for c in copies_of[a.pk] if c.story_id != story.pk]
        for article in joining:
            if article.story_id is not None:
                successors.setdefault(article.story_id, Counter())[story.pk] += 1
            moves[story.pk].append(article.pk)
        touched.append(story)
    for group, earlier in result.continues.items():  # chapters split within the window
        child, parent = story_of_group.get(group), story_of_group.get(earlier)
        if child and parent and child.pk != parent.pk and child.continues_id is None:
            child.continues = parent
            relinked.add(child.pk)
    lock_rows(Article, chain.from_iterable(moves.values()))  # in id order: see lock_rows
    for story_id, joined in moves.items():
        Article.objects.filter(pk__in=joined).update(story=story_id)
    in_stories = Article.objects.filter(story__in=in_window.values("story_id"))
    _refresh_window(touched, in_stories, relinked)
    # the stories articles left for another: recomputed from what stays, all read at once
    left = successors.keys() - {story.pk for story in touched}
    if left:
        stories = list(Story.objects.filter(pk__in=left))
        _refresh_window(stories, Article.objects.filter(story__in=left), set())
    _drop_empty_stories(successors)
    return new, touched


def _refresh_window(stories: list[Story], members: QuerySet[Article], relinked: set[int]) -> None:
    """Recompute the stories from `members` (all their articles, read at once) and save
    those that changed."""
    articles_of: dict[int, list[Article]] = defaultdict(list)
    for article in members.select_related("source").defer(*_UNREAD):
        articles_of[article.story_id or 0].append(article)
    for story in stories:
        changed = _recompute(story, articles_of[story.pk])
        if changed or story.pk in relinked:
            story.save()


#: the PostgreSQL advisory lock of the transactions that move articles between stories
_MOVING_ARTICLES = 0x6E65_7773_6465_736B  # "newsdesk"


def _take_turns_moving_articles() -> None:
    """Wait for any other transaction moving articles between stories: clustering, a
    merge, a split (PostgreSQL, until this transaction ends; SQLite has one writer).

    Each locks the articles it moves in id order (see lock_rows), but story rows too, in
    another order: a merge or split locks its stories first, then their articles;
    clustering locks the articles it moves, then saves and deletes stories (and their
    articles' foreign keys take the stories at commit). Both ways round they deadlock,
    so they take turns; the other writers of articles lock no stories."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_MOVING_ARTICLES])


def _closed(story: Story, latest: dt.datetime, config: StoryConfig) -> bool:
    """Whether a stored story has run its course for coverage as late as `latest`."""
    span = config.max_span
    return span is not None and story.first_seen is not None and latest - story.first_seen > span


def refresh_story(story: Story) -> Story:
    """Recompute a story's lead, title, coverage, dates, places and quotes from its articles."""
    members = list(story.articles.select_related("source"))
    if members:
        _recompute(story, members)
        story.save()
    return story


def _recompute(story: Story, members: list[Article]) -> bool:
    """Set a story's lead, title, coverage, dates, places and quotes from its articles;
    whether any of them changed. A story without articles is left as it is."""
    if not members:
        return False
    weights = {a.outlet: (a.source.weight if a.source else 1.0) for a in members}
    originals = [a for a in members if a.duplicate_of_id is None] or members
    lead_key = lead_article(_inputs(originals), weights)
    lead = next(a for a in members if a.pk == lead_key)
    dates = [a.published or a.fetched for a in members]
    place_weight: dict[str, float] = defaultdict(float)
    for article in members:
        for place in article.places or []:
            if place.get("about"):
                place_weight[place["code"]] += float(place.get("salience", 0.0))
    quotes = []
    seen: set[str] = set()
    for article in sorted(members, key=lambda a: (a.published or a.fetched, a.pk)):
        for quote in article.quotes or []:
            if quote.get("short") or quote["text"] in seen:
                continue
            seen.add(quote["text"])
            quotes.append({**quote, "article": article.pk, "outlet": article.outlet})
    fields = {
        "lead_id": lead.pk,
        "title": lead.title,
        "first_seen": min(dates),
        "last_seen": max(dates),
        "article_count": len(members),
        "coverage": len({a.outlet for a in members}),
        "places": [
            {"code": c, "weight": round(w, 3)}
            for c, w in sorted(place_weight.items(), key=lambda p: (-p[1], p[0]))
        ],
        "quotes": quotes[:50],
    }
    changed = any(getattr(story, name) != value for name, value in fields.items())
    for name, value in fields.items():
        setattr(story, name, value)
    story.lead = lead
    return changed


def _drop_empty_stories(successors: dict[int, Counter[int]] | None = None) -> None:
    """Delete stories re-clustering emptied. One whose articles went to other stories
    hands the editors' work on to the story that took most of them: its picks and
    category decisions, the items drafted from it, the chapters that continue it.
    Without such an heir a story stays for its labels and items."""
    for story_id, heirs in (successors or {}).items():
        story = Story.objects.filter(pk=story_id, articles__isnull=True).first()
        if story is None:
            continue
        heir = Story.objects.get(pk=heirs.most_common(1)[0][0])
        _move_labels(story, heir)
        Item.objects.filter(story=story).update(story=heir)
        _hand_on_chapters(story, heir)
        story.delete()
    empty = Story.objects.filter(articles__isnull=True, items__isnull=True)
    empty.exclude(scores__picked__isnull=False).exclude(category_decisions__isnull=False).delete()


# --- editors' decisions -----------------------------------------------------------------


def merge_stories(keep: Story, other: Story, editor: str = "") -> Story:
    """Two stories are one event: `other`'s articles move to `keep`, and stay there.

    Both rows are locked and read again first: a story another editor merged away
    meanwhile is an error, never brought back as an empty story without its ranking."""
    if keep.pk == other.pk:
        raise StoryError("a story cannot be merged with itself")
    with transaction.atomic():
        _take_turns_moving_articles()
        locked = Story.objects.select_for_update().filter(pk__in=[keep.pk, other.pk])
        found = {story.pk: story for story in locked.order_by("pk")}
        for wanted in (keep, other):
            if wanted.pk not in found:
                raise StoryError(
                    f"story #{wanted.pk} is no longer there (merged into another meanwhile?)"
                )
        keep, other = found[keep.pk], found[other.pk]
        first = list(keep.articles.values_list("pk", flat=True))
        second = list(other.articles.values_list("pk", flat=True))
        StoryDecision.objects.create(
            kind=StoryDecision.Kind.MERGE,
            first=first,
            second=second,
            editor=editor,
            at=timezone.now(),
        )
        lock_rows(Article, second)  # in id order: see lock_rows
        other.articles.update(story=keep)
        Item.objects.filter(story=other).update(story=keep)
        _move_labels(other, keep)
        _hand_on_chapters(other, keep)
        refresh_story(keep)
        other.delete()
    return keep


def _hand_on_chapters(old: Story, new: Story) -> None:
    """The stories that continue `old`, a story that goes away, continue `new`; if `new`
    itself continued `old`, it continues what `old` did."""
    Story.objects.filter(continues=old).exclude(pk=new.pk).update(continues=new)
    if new.continues_id == old.pk:
        new.continues_id = old.continues_id if old.continues_id != new.pk else None
        Story.objects.filter(pk=new.pk).update(continues=new.continues_id)


def _move_labels(old: Story, new: Story) -> None:
    """Editors' picks, snoozes and category decisions on a story that goes away pass to
    the story that takes its articles, unless that one has its own for the same
    publication (a snooze: the later one holds)."""
    decided = Q(picked__isnull=False) | Q(snoozed_until__isnull=False)
    for score in StoryScore.objects.filter(decided, story=old):
        mine = StoryScore.objects.filter(publication=score.publication, story=new).first()
        if mine is None:
            score.story = new
            score.save(update_fields=["story"])
            continue
        if mine.picked is None and score.picked is not None:
            mine.picked, mine.decided = score.picked, score.decided
        if score.snoozed_until and (
            mine.snoozed_until is None or mine.snoozed_until < score.snoozed_until
        ):
            mine.snoozed_until = score.snoozed_until
        mine.save(update_fields=["picked", "decided", "snoozed_until"])
    taken = set(
        CategoryDecision.objects.filter(story=new).values_list("publication_id", "category_id")
    )
    for decision in CategoryDecision.objects.filter(story=old):
        if (decision.publication_id, decision.category_id) not in taken:
            decision.story = new
            decision.save(update_fields=["story"])


def split_story(story: Story, article_ids: Sequence[int], editor: str = "") -> Story:
    """Take articles out of a story into a new one; re-clustering keeps them apart.

    A syndicated copy goes where its original goes: it cannot leave without it (it
    would be back with its original at the next clustering), and an original takes
    its copies along, so a story left with only those copies is left with nothing.
    The story's row is locked first: two editors splitting it at once never empty it.
    Clustering and other merges and splits wait for it, or it for them.
    """
    with transaction.atomic():
        _take_turns_moving_articles()
        locked = Story.objects.select_for_update().filter(pk=story.pk).first()
        if locked is None:
            raise StoryError(
                f"story #{story.pk} is no longer there (merged into another meanwhile?)"
            )
        return _split(locked, article_ids, editor)


def _split(story: Story, article_ids: Sequence[int], editor: str) -> Story:
    members: dict[int, int | None] = dict(story.articles.values_list("pk", "duplicate_of_id"))
    out = [pk for pk in dict.fromkeys(article_ids)]
    if not out or not set(out) <= set(members):
        raise StoryError(f"articles {sorted(set(out) - set(members))} are not in story #{story.pk}")
    leaving = set(out)
    for pk in out:
        original = members[pk]
        if original is not None and original not in leaving:
            raise StoryError(
                f"article #{pk} is a copy of article #{original}: split the original out "
                "and its copies go with it"
            )
    staying = [
        pk for pk, original in members.items() if pk not in leaving and original not in leaving
    ]
    if not staying:
        raise StoryError("splitting out every article leaves nothing behind")
    first = [pk for pk in out if members[pk] is None]
    rest = sorted(pk for pk in staying if members[pk] is None)
    with transaction.atomic():
        StoryDecision.objects.create(
            kind=StoryDecision.Kind.SPLIT,
            first=first,
            second=rest,
            editor=editor,
            at=timezone.now(),
        )
        new = Story.objects.create()
        # the leaving, in id order, with every copy: one stored since the original was
        # last clustered is in no story, and goes with it all the same
        copies = Article.objects.filter(duplicate_of__in=out).values_list("pk", flat=True)
        lock_rows(Article, chain(out, copies))
        Article.objects.filter(pk__in=out).update(story=new)
        Article.objects.filter(duplicate_of__in=out).update(story=new)
        refresh_story(story)
        refresh_story(new)
    return new


# --- follow-ups -------------------------------------------------------------------------


def link_follow_ups(stories: Sequence[Story]) -> int:
    """Link each story to an item of an earlier published issue that it continues."""
    if not stories:
        return 0
    earliest = min((s.first_seen for s in stories if s.first_seen), default=None)
    if earliest is None:
        return 0
    items = list(
        Item.objects.filter(
            issue__status=Issue.Status.PUBLISHED,
            issue__date__gte=(earliest - dt.timedelta(weeks=FOLLOW_UP_WEEKS)).date(),
        ).select_related("issue")
    )
    if not items:
        return 0
    leads = [s for s in stories if s.lead_id]
    texts = [f"{s.title}\n{s.lead.text[:3000] if s.lead else ''}" for s in leads]
    corpus = [f"{i.headline}\n{i.body}" for i in items]
    vectorizer = TfidfVectorizer(
        stop_words="english", sublinear_tf=True, ngram_range=(1, 2), min_df=1
    )
    matrix = vectorizer.fit_transform(corpus + texts)
    similarity = cosine_similarity(matrix[len(corpus) :], matrix[: len(corpus)])
    linked = 0
    for row, story in enumerate(leads):
        best = int(similarity[row].argmax())
        item = items[best]
        issue_date = item.issue.date if item.issue is not None else None
        earlier = bool(issue_date and story.first_seen and issue_date < story.first_seen.date())
        already_in = item.story_id == story.pk
        target = (
            item
            if (similarity[row, best] >= FOLLOW_UP_THRESHOLD and earlier and not already_in)
            else None
        )
        if story.follows_id != (target.pk if target else None):
            Story.objects.filter(pk=story.pk).update(follows=target)
            story.follows = target
        linked += target is not None
    return linked
