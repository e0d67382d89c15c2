"""The week's candidate stories for a publication: relevance, category suggestions, rank.

Relevance and topic models are trained from the publication's labelled history
(items of imported and published issues) and from every pick or dismissal an
editor makes; until then the profile's rules alone decide.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from newsdesk.ingest.models import Article, Source
from newsdesk.newsroom import labels
from newsdesk.newsroom.models import Category, Issue, Publication, Story, StoryScore
from newsdesk.newsroom.profiles import models_of, profile_of, rules_of
from newsdesk.pipeline.enrich.countries import display_name
from newsdesk.pipeline.judge.categories import TermMatcher, TopicModel, TopicRule
from newsdesk.pipeline.judge.ranking import StoryFacts, rank
from newsdesk.pipeline.judge.relevance import ProfileRules, RelevanceModel
from newsdesk.pipeline.judge.topic_terms import name_rules

#: a topic is shown for a story only from this score on (the models' decision point)
TOPIC_SHOWN = 0.5
PLACE_SHARE = 0.2  # a place suggested for a story needs this share of its place weight
LEAD_CHARS = 4000
NEGATIVES = 2000
#: recent stories the topic model reads unlabelled, for the words and concepts of the news
BACKGROUND = 1000


def story_text(story: Story) -> str:
    lead = story.lead
    titles = " ".join(sorted({a.title for a in story.articles.all()}))
    return f"{story.title}\n{titles}\n{lead.text[:LEAD_CHARS] if lead else ''}"


def story_places(story: Story) -> tuple[str, ...]:
    return tuple(p["code"] for p in story.places or [])


@dataclass(frozen=True)
class TrainReport:
    examples: int
    positives: int
    topics: int


def train(publication: Publication) -> TrainReport:
    """Learn relevance and topics from published items and the editors' picks."""
    state = labels.label_state(publication)  # first: a label added while training is not lost
    profile = profile_of(publication)
    rules = rules_of(profile)
    texts: list[str] = []
    places: list[tuple[str, ...]] = []
    labels_: list[bool] = []
    topic_texts: list[str] = []
    topic_labels: list[list[str]] = []
    place_codes = {display_name(c): c for c in _known_codes()}
    topic_rules = name_rules(
        list(publication.categories.filter(kind=Category.Kind.TOPIC).values_list("name", flat=True))
    )
    for example in labels.labelled_examples(publication):
        text = f"{example.headline}\n{example.body}"
        texts.append(text)
        places.append(tuple(place_codes.get(p, p) for p in example.places))
        labels_.append(True)
        topic_texts.append(text)
        topic_labels.append(
            item_topics(text, example.topics, topic_rules)
            if example.topics_from_issue
            else list(example.topics)
        )
    categorised = {example.story.pk: example for example in labels.category_examples(publication)}

    def places_of(story: Story) -> tuple[str, ...]:
        """The tagger's places, corrected by the editors' place decisions."""
        example = categorised.get(story.pk)
        if example is None:
            return story_places(story)
        rejected = {place_codes.get(p, p) for p in example.rejected_places}
        kept = [code for code in story_places(story) if code not in rejected]
        return tuple(dict.fromkeys([*kept, *(place_codes.get(p, p) for p in example.places)]))

    decided = StoryScore.objects.filter(publication=publication, picked__isnull=False)
    for score in decided.select_related("story__lead"):
        texts.append(story_text(score.story))
        places.append(places_of(score.story))
        labels_.append(bool(score.picked))
    # stories whose topics an editor confirmed teach the topic model (one with only
    # rejections says too little: the right topic may be missing from the vocabulary)
    for categorised_story in categorised.values():
        if categorised_story.topics:
            topic_texts.append(story_text(categorised_story.story))
            topic_labels.append(list(categorised_story.topics))
    # stories of weeks already published that no item used stand in as negatives
    latest = (
        Issue.objects.filter(publication=publication, status=Issue.Status.PUBLISHED)
        .exclude(date=None)
        .order_by("-date")
        .values_list("date", flat=True)
        .first()
    )
    passed_over: list[Story] = []
    if latest is not None:
        passed_over = list(
            Story.objects.filter(last_seen__date__lte=latest, items__isnull=True)
            .exclude(scores__publication=publication, scores__picked__isnull=False)
            .select_related("lead")
            .prefetch_related("articles")
            .order_by("-last_seen")[:NEGATIVES]
        )
    model, negatives = relevance_model(
        rules,
        (texts, places, labels_),
        ([story_text(s) for s in passed_over], [places_of(s) for s in passed_over]),
    )
    topics = TopicModel()
    if topic_texts or topic_rules:
        # the latest stories, filed or not, teach the topic model the week's words and
        # concepts; without their shares among all stories they set no cuts
        unfiled = (
            Story.objects.filter(articles__isnull=False)
            .distinct()
            .select_related("lead")
            .prefetch_related("articles")
            .order_by("-last_seen")[:BACKGROUND]
        )
        topics.fit(
            topic_texts, topic_labels, topic_rules, background=[story_text(s) for s in unfiled]
        )
    with transaction.atomic():
        profile.relevance_model = model.to_bytes()
        profile.topic_model = topics.to_bytes() if topic_texts or topic_rules else None
        profile.trained = timezone.now()
        profile.trained_on = len(texts) + negatives
        profile.trained_state = state
        profile.save()
    return TrainReport(
        len(texts) + negatives, sum(labels_), len({t for ts in topic_labels for t in ts})
    )


Labelled = tuple[list[str], list[tuple[str, ...]], list[bool]]


def relevance_model(
    rules: ProfileRules, labelled: Labelled, passed_over: tuple[list[str], list[tuple[str, ...]]]
) -> tuple[RelevanceModel, int]:
    """The relevance model learned from the editors' labels and, as negatives, the stories
    of published weeks no item used that a model without them finds outside the topic.

    An issue holds five to eight items: a relevant story is often passed over for want of
    room, and learned as a negative it would teach that the week's other relevant stories
    are off the topic (the stories a model of the labels and rules alone refuses, such as
    the football results in a general feed, are safe negatives: PU learning's "reliable
    negatives"). Also returns how many of them it learned from.
    """
    texts, places, labels_ = labelled
    first = RelevanceModel(rules)
    if len(set(labels_)) > 1:
        first.fit(texts, places, labels_)
    other_texts, other_places = passed_over
    refused = [
        (text, where)
        for text, where, found in zip(
            other_texts, other_places, first.score_many(other_texts, other_places), strict=True
        )
        if not found.relevant
    ]
    if not refused:
        return first, 0
    model = RelevanceModel(rules)
    every = [*labels_, *(False for _ in refused)]
    if len(set(every)) > 1:
        model.fit([*texts, *(t for t, _ in refused)], [*places, *(w for _, w in refused)], every)
    return model, len(refused)


def item_topics(text: str, bag: tuple[str, ...], rules: dict[str, TopicRule]) -> list[str]:
    """The topics of an issue-level bag that this item is about, by what they mean.

    An imported issue lists its categories once for all its items: each topic
    belongs to some items, not to all. An item keeps the bag's topics whose terms
    it mentions (a topic without known terms stays); the rest would teach the
    model that, say, a border clash is about human rights.
    """
    kept = []
    for name in bag:
        rule = rules.get(name)
        if rule is None or not rule.include or TermMatcher(rule.include).matches(text):
            kept.append(name)
    return kept


def _known_codes() -> list[str]:
    codes: set[str] = set()
    for story in Story.objects.only("places"):
        codes.update(p["code"] for p in story.places or [])
    return sorted(codes)


def week_stories(as_of: dt.datetime, days: int = 7) -> QuerySet[Story]:
    """Stories with coverage in the week (one kept only for its labels has none)."""
    return (
        Story.objects.filter(last_seen__gte=as_of - dt.timedelta(days=days), first_seen__lte=as_of)
        .filter(articles__isnull=False)
        .distinct()
        .select_related("lead", "follows__issue")
    )


def rank_week(
    publication: Publication, as_of: dt.datetime | None = None, days: int = 7
) -> list[StoryScore]:
    """Score and order the stories of the week ending at `as_of` for a publication."""
    as_of = as_of or timezone.now()
    relevance_model, topic_model = models_of(publication)
    weights = dict(Source.objects.filter(publication=publication).values_list("outlet", "weight"))
    published = {
        story_id: number
        for story_id, number in Issue.objects.filter(
            publication=publication, status=Issue.Status.PUBLISHED, items__story__isnull=False
        ).values_list("items__story", "number")
    }
    # titles and outlets of every story's articles in one query, not two a story
    articles = Prefetch("articles", queryset=Article.objects.only("story_id", "title", "outlet"))
    stories = list(week_stories(as_of, days).prefetch_related(articles))
    decisions = labels.decisions_for(publication, [story.pk for story in stories])
    kinds = _kinds(publication)
    facts: list[StoryFacts] = []
    details: dict[int, tuple[list[dict[str, object]], list[dict[str, object]]]] = {}
    texts = {story.pk: story_text(story) for story in stories}
    if topic_model:
        topic_model.prepare(list(texts.values()))
    for story in stories:
        text = texts[story.pk]
        codes = story_places(story)
        verdict = relevance_model.score(text, codes)
        outlets = tuple(sorted({a.outlet for a in story.articles.all()}))
        followed = story.follows  # an item of another publication's issue is not our No.
        follows = (
            followed.issue.number
            if followed and followed.issue and followed.publication_id == publication.pk
            else None
        )
        facts.append(
            StoryFacts(
                key=story.pk,
                relevance=verdict.score,
                relevant=verdict.relevant,
                outlets=outlets,
                last_seen=story.last_seen,
                published_in=published.get(story.pk),
                follows=follows,
                relevance_reasons=tuple(verdict.reasons[:4]),
            )
        )
        topic_suggestions = (
            [
                {"name": s.name, "score": round(s.score, 3), "reasons": list(s.reasons[:3])}
                for s in topic_model.suggest(text, k=3, min_score=TOPIC_SHOWN)
            ]
            if topic_model
            else []
        )
        total = sum(float(p["weight"]) for p in story.places or []) or 1.0
        place_suggestions = [
            {
                "name": display_name(p["code"]),
                "code": p["code"],
                "share": round(float(p["weight"]) / total, 3),
            }
            for p in story.places or []
            if float(p["weight"]) / total >= PLACE_SHARE
        ]
        decided = decisions.get(story.pk, {})
        details[story.pk] = (
            _marked(topic_suggestions, decided, kinds, "topic"),
            _marked(place_suggestions, decided, kinds, "place"),
        )
    now = timezone.now()
    fact_of = {fact.key: fact for fact in facts}
    rows: list[StoryScore] = []
    with transaction.atomic():
        for ranked in rank(facts, as_of, weights):
            topics, places = details[ranked.key]
            fact = fact_of[ranked.key]
            row, _ = StoryScore.objects.update_or_create(
                publication=publication,
                story_id=ranked.key,
                defaults={
                    "relevance": fact.relevance,
                    "score": ranked.score,
                    "reasons": {
                        "components": ranked.components,
                        "lines": list(ranked.reasons),
                        "relevant": fact.relevant,
                    },
                    "topics": topics,
                    "places": places,
                    "computed": now,
                },
            )
            rows.append(row)
    return rows


def _kinds(publication: Publication) -> dict[str, str]:
    return {
        name.casefold(): kind for name, kind in publication.categories.values_list("name", "kind")
    }


def _marked(
    suggestions: list[dict[str, object]],
    decided: dict[str, bool],
    kinds: dict[str, str],
    kind: str,
) -> list[dict[str, object]]:
    """Suggestions with the editors' decisions: each marked confirmed or rejected, and
    the confirmed categories nothing suggested added at the end."""
    by_name = {name.casefold(): accepted for name, accepted in decided.items()}
    marked = []
    for suggestion in suggestions:
        accepted = by_name.get(str(suggestion["name"]).casefold())
        decision = None if accepted is None else ("confirmed" if accepted else "rejected")
        marked.append({**suggestion, "decision": decision})
    suggested = {str(s["name"]).casefold() for s in suggestions}
    for name, accepted in decided.items():
        if accepted and kinds.get(name.casefold()) == kind and name.casefold() not in suggested:
            marked.append({"name": name, "decision": "confirmed"})
    return marked


def categorise(
    publication: Publication,
    story: Story,
    *,
    confirm: list[str] | tuple[str, ...] = (),
    reject: list[str] | tuple[str, ...] = (),
    editor: str = "",
) -> dict[str, bool]:
    """An editor confirms or rejects categories for a story: stored as labels for the
    next training, and shown at once on the story's ranking."""
    decided = labels.decide_categories(
        publication, story, confirm=confirm, reject=reject, editor=editor
    )
    row = StoryScore.objects.filter(publication=publication, story=story).first()
    if row is not None:
        kinds = _kinds(publication)
        strip = ("decision",)
        topics = [
            {k: v for k, v in t.items() if k not in strip} for t in row.topics if "score" in t
        ]
        places = [
            {k: v for k, v in p.items() if k not in strip} for p in row.places if "share" in p
        ]
        row.topics = _marked(topics, decided, kinds, "topic")
        row.places = _marked(places, decided, kinds, "place")
        row.save(update_fields=["topics", "places"])
    return decided


def decide(publication: Publication, story: Story, picked: bool) -> StoryScore:
    """Record an editor's pick or dismissal: a label for the next training."""
    now = timezone.now()
    row, _ = StoryScore.objects.get_or_create(
        publication=publication, story=story, defaults={"computed": now}
    )
    row.picked, row.decided = picked, now
    row.save(update_fields=["picked", "decided"])
    return row


def train_if_due(
    publication: Publication, now: dt.datetime | None = None
) -> tuple[str, TrainReport] | None:
    """Retrain when `labels.retrain_due` says so: (why, what was learnt), or None."""
    reason = labels.retrain_due(publication, now)
    if not reason:
        return None
    return reason, train(publication)


def train_due(
    now: dt.datetime | None = None,
) -> list[tuple[Publication, str, TrainReport]]:
    """Retrain every publication whose models are due: what a scheduler runs."""
    done = []
    for publication in Publication.objects.order_by("slug"):
        trained = train_if_due(publication, now)
        if trained is not None:
            done.append((publication, *trained))
    return done
