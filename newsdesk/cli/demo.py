"""`newsdesk demo`: builds the fictional week (newsdesk.demo.build) and prints each step."""

from __future__ import annotations

import argparse
from pathlib import Path

from django.conf import settings

from newsdesk.cli.database import collect_counts
from newsdesk.cli.output import console, print_counts, print_run_report, progress_bar
from newsdesk.demo import build
from newsdesk.demo.mailbox import DemoMailbox
from newsdesk.demo.server import FixtureServer
from newsdesk.ingest.service import Ingestor
from newsdesk.ingest.sources import import_opml
from newsdesk.ingest.workers import shared_pool
from newsdesk.newsroom.reading import render
from newsdesk.ops.supervisor import run_stack
from newsdesk.pipeline.text import plural
from newsdesk.web.server import refuse_unusable_address


def run_demo(args: argparse.Namespace) -> int:
    out = console()
    database = build.fresh_database()
    out.print(f"demo database: {database}")
    publication = build.create_publication()
    login = build.create_desk_editor(publication, database)
    for outcome in build.import_back_issues(publication):
        out.print(f"imported back issue No. {outcome.number} ({plural(outcome.items, 'item')})")
    with FixtureServer(build.SITE) as outlets:
        out.print(f"fictional outlets served at {outlets.base}")
        imported = import_opml(outlets.body_for("sources.opml") or b"", publication)
        out.print(f"{plural(imported.created, 'source')} imported from sources.opml")
        sources = list(publication.sources.all())
        with progress_bar(len(sources), "ingesting") as advance:
            report = Ingestor(allow_hosts=[outlets.host], progress=advance).run(sources)
        print_run_report(report, out)
        shared_pool().close()  # no idle worker processes behind the web server
        clustered, ranked = build.rank_the_week(publication)
        out.print(
            f"{plural(clustered.articles, 'article')} grouped into "
            f"{plural(clustered.stories, 'story', 'stories')}"
        )
        out.print("the week's stories for the desk, best first:")
        for n, row in enumerate(ranked[:10], 1):
            places = "; ".join(p["name"] for p in row.places) or "-"
            out.print(
                f"{n:>3}. [{row.score:.2f}] {row.story.title} "
                f"({plural(row.story.coverage, 'outlet')}; {places})",
                markup=False,
                highlight=False,
            )
        issue, drafted = build.publish_issue(publication)
        out.print(f"drafted {plural(len(drafted.items), 'item')} from the week's best stories:")
        for item in drafted.items:
            item.refresh_from_db()
            passed = "every check passed" if item.verification.get("ok") else "checks FAILED"
            out.print(f"  #{item.pk} {item.headline} ({passed})", markup=False, highlight=False)
        for chain in drafted.plan.chains:
            out.print(f"  chained stories {', '.join(chain.keys)}: {chain.reason}", markup=False)
        out.print(f"published {issue.title}:\n")
        out.print(render(issue, "text"), markup=False, highlight=False)
        print_counts(collect_counts(), out)
        out.print(
            f"\nOpen http://127.0.0.1:{args.port}/{issue.publication.slug}/ (the published "
            f"issue, archive, search and feeds). The editor's desk is at "
            f"http://127.0.0.1:{args.port}/desk/ and the articles read at "
            f"http://127.0.0.1:{args.port}/articles/: log in as {login[0]!r} with the "
            f"password {login[1]!r} (kept in {database.with_suffix('.password')}).",
            markup=False,
            highlight=False,
        )
        if not args.no_serve:
            serve_demo(args.port, outlets, database.with_suffix(".mail"))
    return 0


def serve_demo(port: int, outlets: FixtureServer, mail: Path) -> None:
    """The whole single-machine deployment, as `newsdesk run`: the worker and the
    scheduler may poll the fictional outlets (served by this process meanwhile), and the
    site's mail goes to the demo's own SMTP server, which keeps it in `mail`."""
    refuse_unusable_address("127.0.0.1", port)
    allowed = [*settings.NEWSDESK_ALLOW_HOSTS, outlets.host]
    with DemoMailbox(mail) as mailbox:
        out = console()
        out.print(
            f"Mail the site sends (confirmations, issues) is kept in {mail} "
            f"(a Maildir; SMTP on 127.0.0.1:{mailbox.port}).",
            markup=False,
            highlight=False,
        )
        env = {
            "NEWSDESK_ALLOW_HOSTS": ",".join(allowed),
            # the links mailed issues carry point at the demo's site
            "NEWSDESK_SITE_URL": settings.NEWSDESK_SITE_URL or f"http://127.0.0.1:{port}",
            **mailbox.settings(),
        }
        run_stack("127.0.0.1", port, env=env)
