"""`newsdesk demo`: a fresh database, a fictional publication and its week of news,
ingested and served."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from newsdesk.newsroom.models import Issue, Publication

SITE = Path(__file__).parent / "site"
HERE = Path(__file__).parent
DEMO_SLUG, DEMO_NAME = "pacific-policy-monitor", "Pacific Policy Monitor"
DEMO_FIRST_NUMBER = 99  # the archive's first issue; Nos. 99 and 100 are imported back issues
DEMO_EDITOR = "Demo Editor"


def run_demo(*, port: int, serve: bool) -> int:
    """Run against the SQLite file the CLI pointed DATABASE_URL at (see cli.cmd_demo)."""
    from django.core.management import call_command
    from django.db import connections

    from newsdesk.cli.main import console
    from newsdesk.cli.progress import progress_bar
    from newsdesk.cli.reports import collect_stats, print_run_report, print_stats
    from newsdesk.demo.server import FixtureServer
    from newsdesk.ingest.service import Ingestor
    from newsdesk.ingest.sources import import_opml
    from newsdesk.ingest.workers import shared_pool
    from newsdesk.newsroom.models import Publication

    database = Path(connections["default"].settings_dict["NAME"])
    connections.close_all()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    out = console()
    out.print(f"demo database: {database}")
    call_command("migrate", interactive=False, verbosity=0)
    from newsdesk.newsroom.issues import import_file, render

    publication = Publication.objects.create(
        name=DEMO_NAME,
        slug=DEMO_SLUG,
        description="A fictional weekly digest of China-related policy and security news.",
        first_number=DEMO_FIRST_NUMBER,
        next_number=DEMO_FIRST_NUMBER,
    )
    for back_issue in sorted((HERE / "backissues").glob("*.txt")):
        outcome = import_file(back_issue, publication, DEMO_EDITOR)
        out.print(f"imported back issue No. {outcome.number} ({outcome.items} items)")
    with FixtureServer(SITE) as outlets:
        out.print(f"fictional outlets served at {outlets.base}")
        opml = outlets.body_for("sources.opml") or b""
        imported = import_opml(opml, publication)
        out.print(f"{imported.created} sources imported from sources.opml")
        sources = list(publication.sources.all())
        with progress_bar(len(sources), "ingesting") as advance:
            report = Ingestor(allow_hosts=[outlets.host], progress=advance).run(sources)
        print_run_report(report, out)
        shared_pool().close()  # no idle worker processes behind the web server
        show_week(publication, out)
        issue = build_issue(publication, outlets.url)
        out.print(f"published {issue.title}:\n")
        out.print(render(issue, "text"), markup=False, highlight=False)
        print_stats(collect_stats(), out)
        out.print(
            f"\nOpen http://127.0.0.1:{port}/ (articles) and "
            f"http://127.0.0.1:{port}/issues/ (issues)."
        )
        if serve:
            from newsdesk.web.server import serve as serve_web

            serve_web("127.0.0.1", port)
    return 0


def build_issue(publication: Publication, url_for: Callable[[str], str]) -> Issue:
    """Write the week's items (hand-written in house style until drafting lands) and publish."""
    from newsdesk.ingest.models import ArticleURL
    from newsdesk.newsroom import issues as service
    from newsdesk.newsroom.models import ItemSource

    plan = json.loads((HERE / "issue-0101.json").read_text(encoding="utf-8"))
    items = []
    for record in plan["items"]:
        sources = [{**s, "url": url_for(s["path"])} for s in record["sources"]]
        item = service.write_item(
            publication, service.item_from_record({**record, "sources": sources}), DEMO_EDITOR
        )
        for source in ItemSource.objects.filter(item=item):
            link = ArticleURL.objects.filter(url=source.url).select_related("article").first()
            if link is not None:
                ItemSource.objects.filter(pk=source.pk).update(article=link.article)
                if item.story_id is None and link.article.story_id is not None:
                    item.story_id = link.article.story_id
                    item.save(update_fields=["story"])
        items.append(item)
    issue = service.new_issue(publication, DEMO_EDITOR, dt.date.fromisoformat(plan["date"]))
    service.add_items(issue, items, DEMO_EDITOR)
    return service.publish(issue, actor=DEMO_EDITOR)


WEEK_END = dt.datetime(2026, 11, 22, 23, 59, 59, tzinfo=dt.UTC)


def show_week(publication: Publication, out: Any) -> None:
    """Enrich, cluster, train on the back issues and rank the week: what the desk will show."""
    from newsdesk.newsroom import enrich, storylines, week

    enrich.enrich_articles()
    report = storylines.cluster_articles(until=WEEK_END)
    out.print(f"{report.articles} articles grouped into {report.stories} stories")
    profile = week.profile_of(publication)
    profile.required_places = ["CN", "HK", "TW", "MO"]
    profile.include_terms = ["Beijing", "PLA", "Chinese", "Xinjiang", "Taiwan"]
    profile.save()
    week.train(publication)
    rows = week.rank_week(publication, WEEK_END)
    out.print("the week's stories for the desk, best first:")
    for n, row in enumerate(rows[:10], 1):
        story = row.story
        places = "; ".join(p["name"] for p in row.places) or "-"
        out.print(
            f"{n:>3}. [{row.score:.2f}] {story.title} ({story.coverage} outlets; {places})",
            markup=False,
            highlight=False,
        )
