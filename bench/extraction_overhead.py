"""What newsdesk's ingest path costs on top of trafilatura, on the 92 dev pages.

    .venv/bin/python bench/extraction_overhead.py [--repeat 3] [--top 15] [--data FILE]
        [--workers N ...] [--no-profile] [--profile-out FILE] [--nagle]

Baseline: trafilatura.extract(html) over the 92 pages of
shared/eval/dev/extraction.jsonl.gz (after one warm-up call), strings already in
memory. newsdesk: the pages are written as files and served with
newsdesk.demo.server.FixtureServer (in a separate process), with one RSS feed
whose 92 items carry only a teaser (no content:encoded) and link to them; the
whole ingest of that feed runs in this process: Ingestor(allow_hosts=[host]).run()
on a fresh Source, i.e. feed fetch and parse, robots.txt, 92 page fetches,
extract_article (trafilatura + metadata + htmldate), build_article, storing with
duplicate checks, on a temporary SQLite database emptied before every run.

Both are timed REPEAT times, interleaved; the medians and their ratio are
reported (target <= 1.3), with the CPU time of each. One extra newsdesk run
under cProfile (worker threads included, CPU time) prints its top functions to
stderr. Last line: JSON.

--workers N also times the ingest with Ingestor(workers=N) (the default is
NEWSDESK_FETCH_WORKERS, 16). The fixture server runs with TCP_NODELAY unless
--nagle (see bench/_benchkit.py for why).
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import html
import json
import os
import shutil
import sys
import tempfile
import time
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import _benchkit as kit
from _newsgen import default_now

DATA = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev" / "extraction.jsonl.gz"


def load(path: Path) -> list[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def page_name(record: dict[str, Any], number: int) -> str:
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in str(record.get("id", "")))
    return f"{number:03d}-{safe[:40] or 'page'}.html"


def teaser(gold: str, words: int = 30) -> str:
    return " ".join(gold.split()[:words]) + " \u2026"


def write_site(root: Path, records: list[dict[str, Any]]) -> None:
    (root / "pages").mkdir(parents=True)
    now = default_now()
    items = []
    for number, record in enumerate(records):
        name = page_name(record, number)
        (root / "pages" / name).write_bytes((record["html"] or "").encode("utf-8"))
        title = " ".join((record.get("gold") or "").split()[:8]) or name
        items.append(
            "<item>"
            f"<title>{html.escape(title)}</title>"
            f"<link>__BASE__/pages/{name}</link>"
            f'<guid isPermaLink="false">bench-extraction-{number}</guid>'
            f"<pubDate>{format_datetime(now)}</pubDate>"
            f"<description>{html.escape(teaser(record.get('gold') or ''))}</description>"
            "</item>"
        )
    (root / "feed.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        "<title>Extraction bench</title><link>__BASE__/</link>"
        "<description>teasers only</description>" + "".join(items) + "</channel></rss>\n",
        encoding="utf-8",
    )


def setup_django(db: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "newsdesk.settings"
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ.setdefault("NEWSDESK_SECRET_KEY", "bench-" + "x" * 50)  # settings require one
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)


def reset_db() -> None:
    from newsdesk.ingest.models import Article, ArticleURL, FetchLog, Source

    ArticleURL.objects.all().delete()
    Article.objects.all().delete()
    FetchLog.objects.all().delete()
    Source.objects.all().delete()


#: pids whose CPU time is not ours (the fixture server); see cpu()
NOT_OURS: set[int] = set()


def cpu() -> float:
    """CPU seconds of this process (all threads) and of its child processes, such as
    newsdesk's extraction workers, but not the fixture server. Children that already
    exited count through children_user/children_system."""
    import psutil

    me = psutil.Process()
    times = me.cpu_times()
    total = times.user + times.system + times.children_user + times.children_system
    for child in me.children(recursive=True):
        if child.pid in NOT_OURS:
            continue
        with contextlib.suppress(psutil.Error):
            t = child.cpu_times()
            total += t.user + t.system
    return total


def newsdesk_run(
    feed_url: str, host: str, workers: int | None = None
) -> tuple[float, float, dict[str, Any]]:
    from newsdesk.ingest.models import Source
    from newsdesk.ingest.service import Ingestor

    reset_db()
    source = Source.objects.create(url=feed_url, outlet="Extraction bench")
    cpu0, started = cpu(), time.perf_counter()
    report = Ingestor(allow_hosts=[host], workers=workers).run([source])
    return time.perf_counter() - started, cpu() - cpu0, report.as_dict()


def baseline_run(pages: list[str]) -> tuple[float, float, int]:
    import trafilatura

    cpu0, started = cpu(), time.perf_counter()
    found = sum(1 for page in pages if trafilatura.extract(page))
    return time.perf_counter() - started, cpu() - cpu0, found


def default_workers() -> int:
    from django.conf import settings

    return int(settings.NEWSDESK_FETCH_WORKERS)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument(
        "--nagle",
        action="store_true",
        help="serve without TCP_NODELAY, as FixtureServer does by default "
        "(adds ~40 ms per response; see bench/_benchkit.py)",
    )
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument(
        "--workers",
        type=int,
        action="append",
        default=[],
        help="also time the ingest with Ingestor(workers=N) (repeatable; the "
        "default is NEWSDESK_FETCH_WORKERS, 16)",
    )
    parser.add_argument("--profile-out", default="", help="save the merged pstats here")
    args = parser.parse_args()

    records = load(args.data)
    pages = [r["html"] or "" for r in records]
    tmp = Path(tempfile.mkdtemp(prefix="nd-bench-extract-"))
    load_before = os.getloadavg()
    base_times: list[float] = []
    nd_times: list[float] = []
    base_cpu: list[float] = []
    nd_cpu: list[float] = []
    reports: list[dict[str, Any]] = []
    variants: dict[int, list[tuple[float, float]]] = {w: [] for w in args.workers}
    try:
        write_site(tmp / "site", records)
        setup_django(tmp / "nd.sqlite3")
        import trafilatura

        from newsdesk.pipeline.intake.extract import extract_article

        trafilatura.extract(pages[0])  # warm-up, as for the baseline
        extract_article(pages[0], records[0].get("url") or "")
        with kit.serve_folder(tmp / "site", nagle=args.nagle) as served:
            NOT_OURS.add(served.pid)
            feed_url = served.url("feed.xml")
            found = 0
            for i in range(args.repeat):
                seconds, used, found = baseline_run(pages)
                base_times.append(seconds)
                base_cpu.append(used)
                print(
                    f"  run {i + 1}: trafilatura.extract x{len(pages)}: {seconds:6.2f} s "
                    f"({found} pages with text)",
                    flush=True,
                )
                seconds, used, report = newsdesk_run(feed_url, served.host)
                nd_times.append(seconds)
                nd_cpu.append(used)
                reports.append(report)
                print(
                    f"  run {i + 1}: newsdesk ingest of the feed: {seconds:6.2f} s "
                    f"({report['new_articles']} new, {report['duplicates']} duplicates, "
                    f"{report['pages_fetched']} pages, errors {report['errors']})",
                    flush=True,
                )
                for workers in args.workers:
                    seconds, used, extra = newsdesk_run(feed_url, served.host, workers)
                    variants[workers].append((seconds, used))
                    print(
                        f"  run {i + 1}: newsdesk ingest, workers={workers}: {seconds:6.2f} s "
                        f"({extra['new_articles']} new)",
                        flush=True,
                    )
            profile_text = ""
            if not args.no_profile:
                profiler = kit.ThreadProfiler()
                kit.profile_ingestor(profiler)
                with profiler.main():
                    prof_seconds, _, _ = newsdesk_run(feed_url, served.host)
                if args.profile_out:
                    profiler.stats().dump_stats(args.profile_out)
                merged = profiler.stats()
                profile_text = (
                    f"\n== one newsdesk ingest under cProfile: {prof_seconds:.2f} s wall, "
                    f"{merged.total_tt:.2f} CPU-s in {len(profiler.profiles)} threads "  # type: ignore[attr-defined]
                    f"(per-thread CPU time) ==\n"
                    + "(this process only: extraction runs in newsdesk's worker processes, "
                    "which cProfile here does not see)\n"
                    + f"-- top {args.top} by cumulative CPU time --\n"
                    + profiler.report(args.top, "cumulative")
                    + f"-- top {args.top} by own (tottime) CPU time --\n"
                    + profiler.report(args.top, "tottime")
                )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    load_after = os.getloadavg()

    base, nd = kit.median(base_times), kit.median(nd_times)
    ratio = nd / base
    print()
    print(
        f"{len(pages)} pages; {args.repeat} interleaved runs each (trafilatura first; "
        f"newsdesk with the default {default_workers()} workers unless said); "
        f"load average {load_before[0]:.2f} before, {load_after[0]:.2f} after; "
        f"{os.cpu_count()} CPUs; fixture server "
        f"{'with Nagle (stock FixtureServer)' if args.nagle else 'with TCP_NODELAY'}"
    )
    print(
        kit.table(
            ["path", "median s", "best s", "runs s", "pages/s (median)", "CPU s (median)"],
            [
                [
                    "trafilatura.extract(html) loop",
                    base,
                    min(base_times),
                    " ".join(f"{t:.2f}" for t in base_times),
                    len(pages) / base,
                    kit.median(base_cpu),
                ],
                [
                    "newsdesk ingest of the feed",
                    nd,
                    min(nd_times),
                    " ".join(f"{t:.2f}" for t in nd_times),
                    len(pages) / nd,
                    kit.median(nd_cpu),
                ],
                *[
                    [
                        f"newsdesk ingest, workers={w}",
                        kit.median([t for t, _ in v]),
                        min(t for t, _ in v),
                        " ".join(f"{t:.2f}" for t, _ in v),
                        len(pages) / kit.median([t for t, _ in v]),
                        kit.median([c for _, c in v]),
                    ]
                    for w, v in variants.items()
                ],
            ],
        )
    )
    print(
        f"ratio newsdesk/trafilatura (medians): {ratio:.2f} "
        f"(target <= 1.3: {'met' if ratio <= 1.3 else 'NOT met'}); "
        f"best/best: {min(nd_times) / min(base_times):.2f}"
    )
    cpu_ratio = kit.median(nd_cpu) / kit.median(base_cpu)
    print(
        f"ratio of CPU seconds (medians): {cpu_ratio:.2f}; wall times are only comparable "
        f"when the machine is otherwise idle (load average above {os.cpu_count()} means other "
        "processes took CPU, and the multi-threaded side then gets a larger share)"
    )
    if profile_text:
        print(profile_text, file=sys.stderr)
    print(
        json.dumps(
            {
                "benchmark": "extraction_overhead",
                "pages": len(pages),
                "repeat": args.repeat,
                "server_nagle": args.nagle,
                "trafilatura_seconds": base_times,
                "newsdesk_seconds": nd_times,
                "trafilatura_median": base,
                "newsdesk_median": nd,
                "trafilatura_cpu_seconds": base_cpu,
                "newsdesk_cpu_seconds": nd_cpu,
                "newsdesk_workers_variants": {
                    str(w): {
                        "seconds": [t for t, _ in v],
                        "cpu_seconds": [c for _, c in v],
                        "median": kit.median([t for t, _ in v]),
                    }
                    for w, v in variants.items()
                },
                "ratio_median": ratio,
                "ratio_best": min(nd_times) / min(base_times),
                "ratio_cpu_median": cpu_ratio,
                "newsdesk_report": reports[-1] if reports else None,
                "loadavg": [load_before[0], load_after[0]],
                "machine": kit.machine(),
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
