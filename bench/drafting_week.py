"""Drafting a week: the demo's fictional week, its best stories drafted into an issue.

    .venv/bin/python bench/drafting_week.py [--top 8] [--repeat 3]

Builds the demo's week in a temporary SQLite database, in a child process (back
issues imported, the fictional outlets ingested from 127.0.0.1, stories clustered
and ranked: the steps of `newsdesk demo`), then, in this process, REPEAT times
drafts the TOP best stories into a new draft issue with the extractive backend
(`newsroom.drafting.draft_week`: drafting, every check, storing the items, order
and chains, and the checks again after chaining).
Reports wall and CPU seconds per run (the first run includes loading pysbd's rules
and the other lazy imports), the stories and articles drafted from, and the peak
RSS of the drafting process (Django, the models and the drafting). The target: under
5 s for 8 stories from about 40 articles, under 300 MB. Last line: JSON.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import _benchkit as kit


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--top", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--setup-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.setup_only:
        folder = Path(tempfile.mkdtemp(prefix="newsdesk-bench-draft-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'bench.sqlite3'}"
        os.environ.setdefault("NEWSDESK_SECRET_KEY", "bench-only-not-a-secret")
        subprocess.run([sys.executable, __file__, "--setup-only"], check=True)
    from newsdesk.cli.main import setup_django  # deferred: settings read the env above

    setup_django()
    from newsdesk.demo import build  # deferred: needs Django set up
    from newsdesk.newsroom.drafting import draft_week  # deferred: needs Django set up
    from newsdesk.newsroom.models import Publication  # deferred: needs Django set up

    if args.setup_only:
        build_week(build)
        return 0
    publication = Publication.objects.get(slug=build.DEMO_SLUG)
    rows = []
    for run in range(args.repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        week = draft_week(publication, top=args.top, as_of=build.WEEK_END)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        articles = sum(i.story.articles.count() for i in week.items if i.story)
        passed = sum(bool(i.verification.get("ok")) for i in week.items)
        rows.append([f"run {run + 1}", len(week.items), articles, passed, wall, cpu])
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(kit.table(["", "stories", "articles", "checks passed", "wall s", "cpu s"], rows))
    print(f"peak RSS of the drafting process: {peak_mb:.0f} MB")
    figures = {
        "stories": rows[-1][1],
        "articles": rows[-1][2],
        "checks_passed": rows[-1][3],
        "first_wall": rows[0][4],
        "median_wall": kit.median([r[4] for r in rows]),
        "median_cpu": kit.median([r[5] for r in rows]),
        "peak_rss_mb": round(peak_mb),
        **kit.machine(),
    }
    print(json.dumps(figures))
    return 0


def build_week(build: Any) -> None:
    """The demo's steps up to the ranked week (in the child process)."""
    from newsdesk.demo.server import FixtureServer  # deferred: needs Django set up
    from newsdesk.ingest.service import Ingestor  # deferred: needs Django set up
    from newsdesk.ingest.sources import import_opml  # deferred: needs Django set up
    from newsdesk.ingest.workers import shared_pool  # deferred: needs Django set up

    build.fresh_database()
    publication = build.create_publication()
    list(build.import_back_issues(publication))
    with FixtureServer(build.SITE) as outlets:
        import_opml(outlets.body_for("sources.opml") or b"", publication)
        Ingestor(allow_hosts=[outlets.host]).run(list(publication.sources.all()))
    shared_pool().close()
    build.rank_the_week(publication)


if __name__ == "__main__":
    sys.exit(main())
