"""`newsdesk demo`: a fresh database, a fictional publication and its week of news,
ingested and served."""

from __future__ import annotations

from pathlib import Path

SITE = Path(__file__).parent / "site"
DEMO_SLUG, DEMO_NAME, DEMO_FIRST_NUMBER = "pacific-policy-monitor", "Pacific Policy Monitor", 101


def run_demo(*, port: int, serve: bool) -> int:
    """Run against the SQLite file the CLI pointed DATABASE_URL at (see cli.cmd_demo)."""
    from django.core.management import call_command
    from django.db import connections

    from newsdesk.ingest.service import Ingestor
    from newsdesk.ingest.sources import import_opml
    from newsdesk.newsroom.models import Publication
    from newsdesk.progress import progress_bar
    from newsdesk.reports import collect_stats, print_run_report, print_stats

    from ..cli import console
    from .server import FixtureServer

    database = Path(connections["default"].settings_dict["NAME"])
    connections.close_all()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    out = console()
    out.print(f"demo database: {database}")
    call_command("migrate", interactive=False, verbosity=0)
    publication = Publication.objects.create(
        name=DEMO_NAME,
        slug=DEMO_SLUG,
        description="A fictional weekly digest of China-related policy and security news.",
        first_number=DEMO_FIRST_NUMBER,
        next_number=DEMO_FIRST_NUMBER,
    )
    with FixtureServer(SITE) as outlets:
        out.print(f"fictional outlets served at {outlets.base}")
        opml = outlets.body_for("sources.opml") or b""
        imported = import_opml(opml, publication)
        out.print(f"{imported.created} sources imported from sources.opml")
        sources = list(publication.sources.all())
        with progress_bar(len(sources), "ingesting") as advance:
            report = Ingestor(allow_hosts=[outlets.host], progress=advance).run(sources)
        print_run_report(report, out)
        print_stats(collect_stats(), out)
        if serve:
            from newsdesk.web.server import serve as serve_web

            serve_web("127.0.0.1", port)
    return 0
