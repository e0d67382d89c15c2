"""PostgreSQL restarted under a running newsdesk: do workers, scheduler and web carry on?

    .venv/bin/python bench/ops_db_restart.py [--feeds 200] [--items 5] [--down 5]
        [--workers 2]

Run by hand (as root, or as a user who may run PostgreSQL's initdb): the suite
cannot restart the shared server its other tests use, so this starts a private
PostgreSQL cluster of its own (initdb in a temporary folder, a free port), then
`newsdesk migrate`, FEEDS local feeds as sources, one scheduler tick, WORKERS
`newsdesk worker` processes, a `newsdesk scheduler` and `newsdesk serve`, and
while the workers ingest: stops PostgreSQL (fast shutdown: open transactions roll
back), waits DOWN seconds, starts it again. A client reads /healthz and a public
page every 0.2 s throughout. Reports what failed while the server was down, how
long until the web answered again, whether every process is still running, and
whether the ingest finished with each feed polled, each article stored once with
its URLs, and no task left running or failed.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import _benchkit as kit
import httpx
from ops_ingest import generate

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Cluster:
    """A throwaway PostgreSQL cluster, run as the postgres user when we are root."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.port = folder, free_port()
        self.data = folder / "data"
        folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(folder, "postgres")

    def run(self, *args: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, *args], check=True, capture_output=True)

    def init(self) -> None:
        self.run(str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres")

    def ctl(self, action: str) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        self.run(
            str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-o", options, "-w", "-m", "fast",
            "-l", str(self.folder / "pg.log"), action,
        )  # fmt: skip

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}"


def watch(base: str, stop: threading.Event, seen: list[tuple[float, str, int | str]]) -> None:
    with httpx.Client(base_url=base, timeout=10) as client:
        while not stop.is_set():
            for path in ("/healthz", "/"):
                try:
                    code: int | str = client.get(path).status_code
                except httpx.HTTPError as exc:
                    code = type(exc).__name__
                seen.append((time.monotonic(), path, code))
            time.sleep(0.2)


def figures(url: str) -> dict[str, Any]:
    import psycopg

    with psycopg.connect(url) as conn:
        one = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
        return {
            "statuses": dict(
                conn.execute(
                    "SELECT status, count(*) FROM django_tasks_database_dbtaskresult "
                    "GROUP BY status"
                ).fetchall()
            ),
            "articles": one("SELECT count(*) FROM ingest_article"),
            "article_urls": one("SELECT count(DISTINCT url) FROM ingest_articleurl"),
            "articles_without_url": one(
                "SELECT count(*) FROM ingest_article a WHERE NOT EXISTS "
                "(SELECT 1 FROM ingest_articleurl u WHERE u.article_id = a.id)"
            ),
            "sources_never_polled": one(
                "SELECT count(*) FROM ingest_source WHERE last_polled IS NULL"
            ),
            "sources_with_error": one("SELECT count(*) FROM ingest_source WHERE last_error <> ''"),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--items", type=int, default=5)
    parser.add_argument("--down", type=float, default=5.0)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="ops-restart-"))
    os.chmod(tmp, 0o755)
    cluster = Cluster(tmp / "pg")
    cluster.init()
    cluster.ctl("start")
    procs: dict[str, subprocess.Popen[bytes]] = {}
    try:
        import psycopg

        with psycopg.connect(f"{cluster.url}/postgres", autocommit=True) as conn:
            conn.execute("CREATE DATABASE newsdesk")
        url = f"{cluster.url}/newsdesk"
        env = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_URL")}
        env.update(
            DATABASE_URL=url,
            NEWSDESK_SECRET_KEY=secrets.token_urlsafe(40),
            NEWSDESK_WORKER_PROCESSES="1",
            NEWSDESK_WORKER_STALE_SECONDS="10",
            PYTHONPATH=str(kit.REPO),
        )
        newsdesk = [sys.executable, "-m", "newsdesk"]
        subprocess.run([*newsdesk, "migrate"], env=env, check=True, capture_output=True)
        paths = generate(tmp / "site", args.feeds, args.items)
        with kit.serve_folder(tmp / "site") as served:
            env["NEWSDESK_ALLOW_HOSTS"] = served.host
            urls = tmp / "urls.txt"
            urls.write_text("\n".join(served.url(p) for p in paths))
            subprocess.run(
                [sys.executable, str(Path(__file__).with_name("ops_ingest.py")), "enqueue",
                 str(urls)],
                env=env, check=True, capture_output=True,
            )  # fmt: skip
            port = free_port()
            commands = {f"worker{n}": ["worker"] for n in range(args.workers)} | {
                "scheduler": ["scheduler"],
                "web": ["serve", "--port", str(port)],
            }
            for name, command in commands.items():
                log = (tmp / f"{name}.log").open("w")
                procs[name] = subprocess.Popen(
                    [*newsdesk, *command], env=env, stdout=log, stderr=subprocess.STDOUT
                )
            base = f"http://127.0.0.1:{port}"
            seen: list[tuple[float, str, int | str]] = []
            stop = threading.Event()
            watcher = threading.Thread(target=watch, args=(base, stop, seen))
            watcher.start()
            while not any(code == 200 for _, path, code in seen if path == "/healthz"):
                time.sleep(0.5)  # web up and a worker and the scheduler beating
            time.sleep(2.0)  # the workers are busy ingesting
            before = figures(url)
            down_at = time.monotonic()
            cluster.ctl("stop")
            time.sleep(args.down)
            cluster.ctl("start")
            up_at = time.monotonic()
            deadline = up_at + 180
            after: dict[str, Any] = {}
            while time.monotonic() < deadline:
                after = figures(url)
                busy = after["statuses"].get("READY", 0) + after["statuses"].get("RUNNING", 0)
                if not busy and not after["sources_never_polled"]:
                    break
                time.sleep(1.0)
            settled = time.monotonic() - up_at
            time.sleep(1.0)
            stop.set()
            watcher.join()
            alive = {name: proc.poll() is None for name, proc in procs.items()}
    finally:
        codes = kit.terminate_all(procs)
        cluster.ctl("stop")
    during = Counter(f"{p} {c}" for t, p, c in seen if down_at <= t <= up_at)
    after_up = [(t, p, c) for t, p, c in seen if t > up_at]
    first_ok = next((t - up_at for t, p, c in after_up if p == "/" and c == 200), None)
    healthy = next((t - up_at for t, p, c in after_up if p == "/healthz" and c == 200), None)
    failures_after = Counter(f"{p} {c}" for t, p, c in after_up if c != 200)
    result = {
        "feeds": args.feeds,
        "down_seconds": args.down,
        "articles_before_stop": before["articles"],
        "answers_while_down": dict(during),
        "page_ok_after_s": None if first_ok is None else round(first_ok, 1),
        "healthz_ok_after_s": None if healthy is None else round(healthy, 1),
        "failures_after_restart": dict(failures_after),
        "still_running": alive,
        "exit_codes": codes,
        "ingest_settled_after_s": round(settled, 1),
        "final": after,
        "expected_articles": args.feeds * args.items,
    }
    print(kit.table(["figure", "value"], [[k, str(v)] for k, v in result.items()]))
    print(json.dumps(result))
    print(f"logs and cluster in {tmp}", file=sys.stderr)


if __name__ == "__main__":
    main()
