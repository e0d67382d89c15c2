"""Ingest throughput of background workers on PostgreSQL: 1, 2 and 4 `newsdesk worker`
processes polling the same local feeds.

    .venv/bin/python bench/ops_ingest.py [--feeds 400] [--items 10] [--workers 1,2,4]
        [--server postgresql://postgres@127.0.0.1:5432] [--repeat 1] [--keep]

Generates FEEDS fictional RSS feeds of ITEMS full-text items (`_newsgen.py`, seeded;
no page fetches), served by FixtureServer in its own process. For each worker
count, on a fresh PostgreSQL database: `newsdesk migrate`, the sources stored and
one `scheduler.tick()` (one poll_source task per feed, as the scheduler enqueues
them), then WORKERS `newsdesk worker --batch --queues ingest` processes started at
once; each exits when the queue is empty. "wall" runs from their start to the last
exit (interpreter start-up and imports included); "tasks" from the first task's
start to the last one's end, from the task table. Throughput is taken over
"tasks". Prints a table, then one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import _benchkit as kit
from _newsgen import NewsGenerator, default_now

SCRIPT = Path(__file__).resolve()


def generate(root: Path, feeds: int, items: int) -> list[str]:
    gen, now = NewsGenerator(16), default_now()
    (root / "feeds").mkdir(parents=True)
    paths = []
    for number in range(feeds):
        doc, _ = gen.feed(number, items, "__BASE__", now)
        path = f"feeds/o{number:04d}.xml"
        (root / path).write_text(doc, encoding="utf-8")
        paths.append(path)
    return paths


def enqueue_main(urls_file: str) -> None:
    """In a child process on the bench database: store the sources, tick once."""
    sys.path.insert(0, str(kit.REPO))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsdesk.settings")
    import django

    django.setup()
    from newsdesk.ingest.models import Source
    from newsdesk.ops.scheduler import tick

    urls = Path(urls_file).read_text().split()
    Source.objects.bulk_create(
        Source(url=url, outlet=f"Outlet {n}", fetch_pages=False) for n, url in enumerate(urls)
    )
    print(json.dumps({"enqueued": tick().polls}))


def admin(server: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(statement)


def figures(url: str) -> dict[str, Any]:
    import psycopg

    with psycopg.connect(url) as conn:
        articles = conn.execute("SELECT count(*) FROM ingest_article").fetchone()
        first, last = conn.execute(
            "SELECT min(started_at), max(finished_at) FROM django_tasks_database_dbtaskresult"
        ).fetchone() or (None, None)
        statuses = dict(
            conn.execute(
                "SELECT status, count(*) FROM django_tasks_database_dbtaskresult GROUP BY status"
            ).fetchall()
        )
        workers = conn.execute(
            "SELECT count(DISTINCT worker_ids->>-1) FROM django_tasks_database_dbtaskresult"
        ).fetchone()
    return {
        "articles": articles[0] if articles else 0,
        "tasks_seconds": (last - first).total_seconds() if first and last else float("nan"),
        "statuses": statuses,
        "workers_used": workers[0] if workers else 0,
    }


def run_once(args: argparse.Namespace, workers: int, served: kit.Served, urls: Path) -> dict:
    name = f"ndbench_ops_{os.getpid()}_{workers}_{secrets.token_hex(3)}"
    url = f"{args.server}/{name}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_URL")}
    env.update(
        DATABASE_URL=url,
        NEWSDESK_SECRET_KEY=env.get("NEWSDESK_SECRET_KEY") or secrets.token_urlsafe(40),
        NEWSDESK_ALLOW_HOSTS=served.host,
        NEWSDESK_WORKER_PROCESSES=env.get("NEWSDESK_WORKER_PROCESSES", "1"),
        PYTHONPATH=str(kit.REPO),
    )
    newsdesk = [sys.executable, "-m", "newsdesk"]
    admin(args.server, f'CREATE DATABASE "{name}"')
    try:
        subprocess.run([*newsdesk, "migrate"], env=env, check=True, capture_output=True)
        out = subprocess.run(
            [sys.executable, str(SCRIPT), "enqueue", str(urls)],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        enqueued = json.loads(out.stdout.strip().splitlines()[-1])["enqueued"]
        started = time.monotonic()
        logs = [urls.with_name(f"{name}-{n}.log") for n in range(workers)]
        procs = [
            subprocess.Popen(
                [*newsdesk, "worker", "--batch", "--queues", "ingest"],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=log.open("w"),
            )
            for log in logs
        ]
        codes = [p.wait() for p in procs]
        wall = time.monotonic() - started
        for code, log in zip(codes, logs, strict=True):
            if code != 0:
                print(f"a worker exited {code}:\n{log.read_text()[-3000:]}", file=sys.stderr)
        found = figures(url)
    finally:
        if not args.keep:
            admin(args.server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    seconds = found["tasks_seconds"]
    return {
        "workers": workers,
        "feeds": enqueued,
        "articles": found["articles"],
        "wall": wall,
        "tasks_seconds": seconds,
        "feeds_per_s": enqueued / seconds,
        "articles_per_s": found["articles"] / seconds,
        "statuses": found["statuses"],
        "workers_used": found["workers_used"],
        "exit_codes": codes,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=400)
    parser.add_argument("--items", type=int, default=10)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    args = parser.parse_args()
    counts = [int(n) for n in args.workers.split(",")]
    load_before = os.getloadavg()
    runs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="ops-ingest-") as tmp:
        root = Path(tmp)
        paths = generate(root / "site", args.feeds, args.items)
        with kit.serve_folder(root / "site") as served:
            urls = root / "urls.txt"
            urls.write_text("\n".join(served.url(p) for p in paths))
            for _ in range(args.repeat):
                for workers in counts:
                    runs.append(run_once(args, workers, served, urls))
                    print(
                        f"{workers} worker(s): {runs[-1]['tasks_seconds']:.1f} s", file=sys.stderr
                    )
    rows = [
        [
            r["workers"],
            r["feeds"],
            r["articles"],
            r["wall"],
            r["tasks_seconds"],
            r["feeds_per_s"],
            r["articles_per_s"],
            ",".join(f"{k}:{v}" for k, v in sorted(r["statuses"].items())),
        ]
        for r in runs
    ]
    headers = ["workers", "feeds", "articles", "wall s", "tasks s", "feeds/s", "articles/s"]
    print(kit.table([*headers, "tasks"], rows))
    print(f"load average before {load_before}, after {os.getloadavg()}")
    print(json.dumps({"runs": runs, "machine": kit.machine(), "load_before": load_before}))


if __name__ == "__main__":
    if sys.argv[1:2] == ["enqueue"]:
        enqueue_main(sys.argv[2])
    else:
        main()
