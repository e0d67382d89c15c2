"""`newsdesk enrich`, `newsdesk stories ...` and `newsdesk profile ...`."""

from __future__ import annotations

import argparse
import json

from newsdesk.cli.output import progress_bar
from newsdesk.newsroom import labels, stored_stories, week
from newsdesk.newsroom.enrich import enrich_articles
from newsdesk.newsroom.models import Story
from newsdesk.newsroom.profiles import place_codes, profile_of
from newsdesk.newsroom.publications import get_publication
from newsdesk.newsroom.story_list import list_stories
from newsdesk.pipeline.errors import NotFoundError
from newsdesk.pipeline.judge.categories import reading_of
from newsdesk.pipeline.text import plural


def run_enrich(args: argparse.Namespace) -> int:
    with progress_bar(None, "enriching", enabled=not args.quiet) as advance:
        done = enrich_articles(force=args.force, progress=lambda n: advance("item", n))
    print(f"enriched {plural(done, 'article')}")
    return 0


def _story(ident: int) -> Story:
    story = Story.objects.filter(pk=ident).first()
    if story is None:
        raise NotFoundError(f"no story #{ident}: `newsdesk stories list` shows them")
    return story


def run_stories(args: argparse.Namespace) -> int:
    action = args.action
    if action == "cluster":
        report = stored_stories.cluster_articles(args.since, args.until)
        print(
            f"{plural(report.articles, 'article')} in {plural(report.stories, 'story', 'stories')} "
            f"({report.new_stories} new, {report.follow_ups} following earlier items)"
        )
    elif action == "list":
        print_stories(args)
    elif action == "rank":
        rank_stories(args)
    elif action == "show":
        show_story(_story(args.story))
    elif action == "merge":
        kept = stored_stories.merge_stories(
            _story(args.story), _story(args.other), args.editor or ""
        )
        print(f"merged into story #{kept.pk} ({plural(kept.article_count, 'article')})")
    elif action == "split":
        new = stored_stories.split_story(_story(args.story), args.articles, args.editor or "")
        print(f"split {plural(len(args.articles), 'article')} into story #{new.pk}")
    elif action == "categories":
        decide_categories(args)
    elif action in ("pick", "dismiss"):
        pub = get_publication(args.publication)
        week.decide(pub, _story(args.story), action == "pick")
        print(f"{action}ed story #{args.story} for {pub.slug}")
    return 0


def print_stories(args: argparse.Namespace) -> None:
    """Every story of the window with its articles, as text or as one JSON object."""
    stories = list_stories(args.since, args.until)
    if args.json:
        print(json.dumps({"stories": stories}, ensure_ascii=False))
        return
    for story in stories:
        print(f"#{story['id']} {story['title']} ({plural(story['coverage'], 'outlet')})")
        for article in story["articles"]:
            print(f"    {article['published'] or '-'}  {article['outlet']}  {article['url']}")
    if not stories:
        print("no stories in that window (run `newsdesk stories cluster` first?)")


def rank_stories(args: argparse.Namespace) -> None:
    """The week's stories for a publication, best first (retrained first when due)."""
    pub = get_publication(args.publication)
    if not args.no_train and (trained := week.train_if_due(pub)) is not None:
        reason, learnt = trained
        print(f"retrained {pub.slug} ({reason}): {plural(learnt.examples, 'example')}")
    rows = week.rank_week(pub, args.as_of, args.days)
    for n, row in enumerate(rows[: args.limit], 1):
        story = row.story
        topics = "; ".join(_category(t) for t in row.topics) or "-"
        places = "; ".join(_category(p) for p in row.places) or "-"
        print(f"{n:>3}. [{row.score:.2f}] #{story.pk} {story.title}")
        print(
            f"      {plural(story.coverage, 'outlet')}, "
            f"{plural(story.article_count, 'article')}; "
            f"topics: {topics}; places: {places}"
        )
        if args.why:
            for line in row.reasons.get("lines", []):
                print(f"      - {line}")
    if not rows:
        print("no stories in that week (run `newsdesk stories cluster` first?)")


def show_story(story: Story) -> None:
    print(f"#{story.pk} {story.title}")
    print(
        f"  {plural(story.coverage, 'outlet')}, {plural(story.article_count, 'article')}, "
        f"{story.first_seen:%Y-%m-%d %H:%M} to {story.last_seen:%Y-%m-%d %H:%M} UTC"
        if story.first_seen and story.last_seen
        else ""
    )
    if story.follows:
        print(
            f"  follows: {story.follows.headline} ({story.follows.publication.slug} No. "
            f"{story.follows.issue.number if story.follows.issue else '?'})"
        )
    if story.continues:
        print(f"  continues story #{story.continues.pk}: {story.continues.title}")
    for later in story.continued_by.order_by("first_seen"):
        print(f"  continued by story #{later.pk}: {later.title}")
    for article in story.articles.order_by("published"):
        lead = " (lead)" if article.pk == story.lead_id else ""
        copy = f" copy of #{article.duplicate_of_id}" if article.duplicate_of_id else ""
        print(f"  article #{article.pk} {article.outlet}: {article.title}{lead}{copy}")
    for quote in story.quotes[:5]:
        print(f"  quote: \u201c{quote['text'][:120]}\u201d — {quote.get('speaker') or '?'}")


def decide_categories(args: argparse.Namespace) -> None:
    """Record the editor's confirmations and rejections, then show the story's categories."""
    pub = get_publication(args.publication)
    story = _story(args.story)
    decided = week.categorise(
        pub, story, confirm=args.confirm, reject=args.reject, editor=args.editor or ""
    )
    score = pub.scores.filter(story=story).first()
    suggested = [*(score.topics if score else []), *(score.places if score else [])]
    print(f"#{story.pk} {story.title}")
    shown = set()
    for entry in suggested:
        shown.add(entry["name"])
        print(f"  {_category(entry)}")
    for name, accepted in sorted(decided.items()):
        if name not in shown:
            print(f"  {name} ({'confirmed' if accepted else 'rejected'})")
    if not suggested and not decided:
        print(f"  no suggestions yet (run `newsdesk stories rank {pub.slug}`)")


def _category(entry: dict[str, object]) -> str:
    decision = entry.get("decision")
    return f"{entry['name']} ({decision})" if decision else str(entry["name"])


def run_profile(args: argparse.Namespace) -> int:
    if args.action == "train" and args.due:
        if args.publication is not None:
            one = get_publication(args.publication)
            trained = week.train_if_due(one)
            done = [] if trained is None else [(one, *trained)]
        else:
            done = week.train_due()
        for publication, reason, learnt in done:
            print(f"trained {publication.slug} ({reason}): {plural(learnt.examples, 'example')}")
        if not done:
            print("every model is current")
        return 0
    pub = get_publication(args.publication)
    profile = profile_of(pub)
    if args.action == "set":
        if args.description is not None:
            profile.description = args.description
        if args.include is not None:
            profile.include_terms = [t.strip() for t in args.include.split(",") if t.strip()]
        if args.exclude is not None:
            profile.exclude_terms = [t.strip() for t in args.exclude.split(",") if t.strip()]
        if args.require_places is not None:
            profile.required_places = place_codes(args.require_places)
        profile.save()
    elif args.action == "train":
        report = week.train(pub)
        print(
            f"trained on {plural(report.examples, 'example')} ({report.positives} relevant), "
            f"{plural(report.topics, 'topic')}"
        )
        return 0
    print(f"profile of {pub.name}")
    print(f"  description: {profile.description or '-'}")
    print(f"  include: {', '.join(profile.include_terms) or '-'}")
    print(f"  exclude: {', '.join(profile.exclude_terms) or '-'}")
    print(f"  required places: {', '.join(profile.required_places) or '-'}")
    when = (
        f"{profile.trained:%Y-%m-%d %H:%M} on {plural(profile.trained_on, 'example')}"
        if profile.trained
        else "never (rules only)"
    )
    print(f"  trained: {when}")
    stored = bytes(profile.topic_model) if profile.topic_model else None
    print(f"  topics read: {reading_of(stored)}")
    due = labels.retrain_due(pub)
    print(f"  retraining: {'due: ' + due if due else 'not due'}")
    return 0
