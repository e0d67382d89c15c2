"""`newsdesk enrich`, `newsdesk stories ...` and `newsdesk profile ...`."""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable


def _when(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"expected a date or time like 2026-11-22, not {value!r}") from None
    if len(value) == 10:  # a day: its end
        parsed = parsed + dt.timedelta(days=1) - dt.timedelta(seconds=1)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def cmd_enrich(args: argparse.Namespace) -> int:
    from newsdesk.cli.progress import progress_bar
    from newsdesk.newsroom.enrich import enrich_articles

    with progress_bar(None, "enriching", enabled=not args.quiet) as advance:
        done = enrich_articles(force=args.force, progress=lambda n: advance("item", n))
    print(f"enriched {done} articles")
    return 0


def _story(ident: int):  # type: ignore[no-untyped-def]
    from newsdesk.newsroom.models import Story

    story = Story.objects.filter(pk=ident).first()
    if story is None:
        raise ValueError(f"no story #{ident}")
    return story


def cmd_stories(args: argparse.Namespace) -> int:
    from newsdesk.newsroom import storylines, week
    from newsdesk.newsroom.issues import get_publication

    action = args.action
    if action == "cluster":
        report = storylines.cluster_articles(_when(args.since), _when(args.until))
        print(
            f"{report.articles} articles in {report.stories} stories "
            f"({report.new_stories} new, {report.follow_ups} following earlier items)"
        )
    elif action == "rank":
        pub = get_publication(args.publication)
        if not args.no_train and (trained := week.train_if_due(pub)) is not None:
            reason, learnt = trained
            print(f"retrained {pub.slug} ({reason}): {learnt.examples} examples")
        rows = week.rank_week(pub, _when(args.as_of), args.days)
        for n, row in enumerate(rows[: args.limit], 1):
            story = row.story
            topics = "; ".join(_category(t) for t in row.topics) or "-"
            places = "; ".join(_category(p) for p in row.places) or "-"
            print(f"{n:>3}. [{row.score:.2f}] #{story.pk} {story.title}")
            print(
                f"      {story.coverage} outlets, {story.article_count} articles; "
                f"topics: {topics}; places: {places}"
            )
            if args.why:
                for line in row.reasons.get("lines", []):
                    print(f"      - {line}")
        if not rows:
            print("no stories in that week (run `newsdesk stories cluster` first?)")
    elif action == "show":
        story = _story(args.story)
        print(f"#{story.pk} {story.title}")
        print(
            f"  {story.coverage} outlets, {story.article_count} articles, "
            f"{story.first_seen:%Y-%m-%d %H:%M} to {story.last_seen:%Y-%m-%d %H:%M} UTC"
            if story.first_seen and story.last_seen
            else ""
        )
        if story.follows:
            print(
                f"  follows: {story.follows.headline} (No. "
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
    elif action == "merge":
        kept = storylines.merge_stories(_story(args.story), _story(args.other), args.editor or "")
        print(f"merged into story #{kept.pk} ({kept.article_count} articles)")
    elif action == "split":
        new = storylines.split_story(_story(args.story), args.articles, args.editor or "")
        print(f"split {len(args.articles)} articles into story #{new.pk}")
    elif action == "categories":
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
    elif action in ("pick", "dismiss"):
        pub = get_publication(args.publication)
        week.decide(pub, _story(args.story), action == "pick")
        print(f"{action}ed story #{args.story} for {pub.slug}")
    return 0


def _category(entry: dict[str, object]) -> str:
    decision = entry.get("decision")
    return f"{entry['name']} ({decision})" if decision else str(entry["name"])


def cmd_profile(args: argparse.Namespace) -> int:
    from newsdesk.newsroom import labels, week
    from newsdesk.newsroom.issues import get_publication

    if args.action == "train" and args.due:
        if args.publication is not None:
            one = get_publication(args.publication)
            trained = week.train_if_due(one)
            done = [] if trained is None else [(one, *trained)]
        else:
            done = week.train_due()
        for publication, reason, learnt in done:
            print(f"trained {publication.slug} ({reason}): {learnt.examples} examples")
        if not done:
            print("every model is current")
        return 0
    if args.publication is None:
        from newsdesk.cli.main import fail

        fail("name the publication (or use --due to train every one that is due)")
    pub = get_publication(args.publication)
    profile = week.profile_of(pub)
    if args.action == "set":
        if args.description is not None:
            profile.description = args.description
        if args.include is not None:
            profile.include_terms = [t.strip() for t in args.include.split(",") if t.strip()]
        if args.exclude is not None:
            profile.exclude_terms = [t.strip() for t in args.exclude.split(",") if t.strip()]
        if args.require_places is not None:
            profile.required_places = [
                c.strip().upper() for c in args.require_places.split(",") if c.strip()
            ]
        profile.save()
    elif args.action == "train":
        report = week.train(pub)
        print(
            f"trained on {report.examples} examples ({report.positives} relevant), "
            f"{report.topics} topics"
        )
        return 0
    print(f"profile of {pub.name}")
    print(f"  description: {profile.description or '-'}")
    print(f"  include: {', '.join(profile.include_terms) or '-'}")
    print(f"  exclude: {', '.join(profile.exclude_terms) or '-'}")
    print(f"  required places: {', '.join(profile.required_places) or '-'}")
    when = (
        f"{profile.trained:%Y-%m-%d %H:%M} on {profile.trained_on} examples"
        if profile.trained
        else "never (rules only)"
    )
    print(f"  trained: {when}")
    due = labels.retrain_due(pub)
    print(f"  retraining: {'due: ' + due if due else 'not due'}")
    return 0


def register(command: Callable[..., argparse.ArgumentParser]) -> None:
    p = command("enrich", cmd_enrich, "Tag places, quotes, figures and language of articles.")
    p.add_argument("--force", action="store_true", help="redo articles already enriched")
    p.add_argument("--quiet", action="store_true", help="no progress bar")

    p = command("stories", cmd_stories, "Cluster articles into stories, rank them, merge, split.")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    a = actions.add_parser(
        "cluster",
        help="(re)cluster recent articles into stories",
        description="(Re)cluster the articles of a window into stories.",
    )
    a.add_argument("--since", help="start of the window (default: 14 days before --until)")
    a.add_argument("--until", help="end of the window (default: now)")
    a = actions.add_parser(
        "rank",
        help="the week's stories for a publication, best first",
        description="Rank the week's stories for a publication.",
    )
    a.add_argument("publication", metavar="PUB")
    a.add_argument("--as-of", help="end of the week (default: now)")
    a.add_argument("--days", type=int, default=7)
    a.add_argument("--limit", type=int, default=20)
    a.add_argument("--why", action="store_true", help="print the reasons for each score")
    a.add_argument(
        "--no-train",
        action="store_true",
        help="rank with the models as they are, even if they are due for retraining",
    )
    a = actions.add_parser(
        "show",
        help="one story's articles and quotes",
        description="Show one story's articles, lead and quotes.",
    )
    a.add_argument("story", type=int)
    a = actions.add_parser(
        "merge",
        help="merge OTHER into STORY (remembered)",
        description="Merge story OTHER into STORY; re-clustering keeps it.",
    )
    a.add_argument("story", type=int)
    a.add_argument("other", type=int)
    a.add_argument("--editor")
    a = actions.add_parser(
        "split",
        help="move articles out of a story (remembered)",
        description="Move articles out into a new story; re-clustering keeps them apart.",
    )
    a.add_argument("story", type=int)
    a.add_argument("articles", type=int, nargs="+")
    a.add_argument("--editor")
    a = actions.add_parser(
        "categories",
        help="confirm or reject a story's categories (training labels)",
        description="Show a story's category suggestions; confirm or reject categories of "
        "the publication's vocabulary (topics or places). Decisions train the models.",
    )
    a.add_argument("publication", metavar="PUB")
    a.add_argument("story", type=int)
    a.add_argument("--confirm", action="append", default=[], metavar="NAME")
    a.add_argument("--reject", action="append", default=[], metavar="NAME")
    a.add_argument("--editor")
    for name in ("pick", "dismiss"):
        a = actions.add_parser(
            name,
            help=f"{name} a story for a publication (a training label)",
            description=f"Record that an editor {name}ed a story.",
        )
        a.add_argument("publication", metavar="PUB")
        a.add_argument("story", type=int)

    p = command("profile", cmd_profile, "A publication's topic profile: show, set, train.")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    a = actions.add_parser("show", help="show the profile", description="Show the profile.")
    a.add_argument("publication", metavar="PUB")
    a = actions.add_parser("set", help="set rules", description="Set the profile's rules.")
    a.add_argument("publication", metavar="PUB")
    a.add_argument("--description")
    a.add_argument("--include", help="comma-separated terms that make a story relevant")
    a.add_argument("--exclude", help="comma-separated terms that make it irrelevant")
    a.add_argument("--require-places", help="comma-separated place codes, at least one needed")
    a = actions.add_parser(
        "train",
        help="learn from published items, picks and category decisions",
        description="Train relevance and topic models. With --due, only those whose labels "
        "changed or that are older than NEWSDESK_RETRAIN_DAYS: run it on a schedule.",
    )
    a.add_argument("publication", metavar="PUB", nargs="?")
    a.add_argument(
        "--due", action="store_true", help="train only what is due (every publication if no PUB)"
    )
