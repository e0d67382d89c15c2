"""SQLite under concurrent load: the web server serving pages and saving editors' work
while a worker ingests and another process writes, for a few minutes.

    .venv/bin/python bench/ops_sqlite_load.py [--seconds 120] [--feeds 300] [--items 5]
        [--readers 3] [--editors 2] [--dev-server] [--keep DIR]

Builds the demo (`newsdesk demo --no-serve`: a publication, its items, the editor
account), then adds FEEDS fictional full-text feeds served on 127.0.0.1, and runs
for SECONDS at once:

* `newsdesk serve --production` (or the development server with --dev-server);
* `newsdesk scheduler` and one `newsdesk worker` (NEWSDESK_POLL_MINUTES=1, so the
  feeds come due again every minute and the worker never idles);
* READERS threads reading public pages, the search and the desk's inbox;
* EDITORS threads, each logged in as the demo editor and autosaving its own item
  as the desk's editor does (the version it got back sent with the next save);
* a writer process committing small transactions as fast as it can (as a sender
  recording deliveries would).

Counts requests served, server errors, answers saying "database is locked" (the
goal is none: SQLite waits for the lock, 30 s at most, see docs/decisions.md),
autosaves committed, the writer's commits and locked errors, and the worker's
tasks. Prints a table, then one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import re
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
from _newsgen import NewsGenerator, default_now

SCRIPT = Path(__file__).resolve()
LOCKED = "database is locked"
SLUG = "pacific-policy-monitor"  # the demo's publication


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def django_child() -> None:
    sys.path.insert(0, str(kit.REPO))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsdesk.settings")
    import django

    django.setup()


def setup_main(urls_file: str) -> None:
    """Child on the bench database: the feeds as sources, and the demo's item ids."""
    django_child()
    import datetime as dt

    from newsdesk.ingest.models import Source
    from newsdesk.newsroom.models import Issue, Item, Publication

    urls = Path(urls_file).read_text().split()
    Source.objects.bulk_create(
        Source(url=url, outlet=f"Outlet {n}", fetch_pages=False) for n, url in enumerate(urls)
    )
    publication = Publication.objects.get(slug=SLUG)
    draft = Issue.objects.create(
        publication=publication, date=dt.date(2026, 12, 7), status=Issue.Status.DRAFT
    )
    items = [
        Item.objects.create(
            publication=publication,
            issue=draft,
            position=k,
            headline=f"Harbour levy review {k}",
            teaser="The council revisits the harbour levy.",
            body="The council revisits the harbour levy.",
        ).pk
        for k in range(8)
    ]
    print(json.dumps({"items": items}))


def writer_main(seconds: str) -> None:
    """Child: small write transactions for `seconds`; prints its counts."""
    django_child()
    from django.db import OperationalError, transaction
    from django.utils import timezone

    from newsdesk.ops.models import Claim

    counts: Counter[str] = Counter()
    end = time.monotonic() + float(seconds)
    n = 0
    while time.monotonic() < end:
        n += 1
        try:
            with transaction.atomic():
                Claim.objects.create(key=f"bench-writer:{n}", at=timezone.now())
                Claim.objects.filter(key=f"bench-writer:{n - 50}").delete()
            counts["commits"] += 1
        except OperationalError as exc:
            counts["locked" if LOCKED in str(exc) else "errors"] += 1
        time.sleep(0.01)
    print(json.dumps(dict(counts)))


class Tally:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.counts: Counter[str] = Counter()
        self.slowest = 0.0

    def add(self, key: str, took: float = 0.0) -> None:
        with self.lock:
            self.counts[key] += 1
            self.slowest = max(self.slowest, took)


def answered(tally: Tally, response: httpx.Response, took: float) -> None:
    if LOCKED in response.text:
        tally.add("locked", took)
    if response.status_code >= 500:
        tally.add("server_errors", took)
    else:
        tally.add("served", took)


def logged_in(base: str, password: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=60, follow_redirects=True)
    page = client.get("/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token, "no log-in form"
    done = client.post(
        "/accounts/login/",
        data={"username": "editor", "password": password, "csrfmiddlewaretoken": token[1]},
    )
    assert "/accounts/login/" not in str(done.url), "log-in refused"
    return client


def reader(base: str, password: str, stop: threading.Event, tally: Tally) -> None:
    pages = [f"/{SLUG}/", f"/{SLUG}/archive/", f"/{SLUG}/search/?q=council", f"/desk/{SLUG}/"]
    client = logged_in(base, password)
    n = 0
    while not stop.is_set():
        started = time.monotonic()
        try:
            response = client.get(pages[n % len(pages)])
            answered(tally, response, time.monotonic() - started)
        except httpx.HTTPError:
            tally.add("failed_requests")
        n += 1
    client.close()


def editor(base: str, password: str, item: int, stop: threading.Event, tally: Tally) -> None:
    url = f"/desk/{SLUG}/items/{item}/"
    client = logged_in(base, password)
    try:
        page = client.get(url)
        version = re.search(r'name="version"[^>]*value="([^"]*)"', page.text)
        csrf = client.cookies.get("csrftoken") or ""
        assert version, f"no item editor at {url}"
        current, n = version[1], 0
        while not stop.is_set():
            n += 1
            started = time.monotonic()
            try:
                response = client.post(
                    url + "autosave",
                    data={
                        "version": current,
                        "headline": f"Harbour levy review, take {n}",
                        "teaser": "The council revisits the harbour levy.",
                        "body": f"Draft {n}: the council revisits the harbour levy. " * 5,
                    },
                    headers={"X-CSRFToken": csrf, "HX-Request": "true"},
                )
            except httpx.HTTPError:
                tally.add("failed_requests")
                continue
            answered(tally, response, time.monotonic() - started)
            found = re.search(r'name="version"[^>]*value="([^"]*)"', response.text)
            if response.status_code == 200 and "Saved at" in response.text and found:
                tally.add("autosaves")
                current = found[1]
            else:
                state = re.search(r'id="save-state"[^>]*>(.*?)</p>', response.text, re.S)
                why = state[1] if state else response.text[:200]
                tally.add(f"refused {response.status_code}: {re.sub(r'<[^>]+>', '', why)[:80]}")
                tally.add("autosaves_refused")
            time.sleep(0.2)
    finally:
        client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--feeds", type=int, default=300)
    parser.add_argument("--items", type=int, default=5)
    parser.add_argument("--readers", type=int, default=3)
    parser.add_argument("--editors", type=int, default=2)
    parser.add_argument("--dev-server", action="store_true")
    parser.add_argument("--keep", type=Path, help="keep the database and logs in this folder")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="ops-sqlite-"))
    database = tmp / "load.sqlite3"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "NEWSDESK_"))}
    env.update(PYTHONPATH=str(kit.REPO), NEWSDESK_WORKER_PROCESSES="1")
    newsdesk = [sys.executable, "-m", "newsdesk"]
    print("building the demo...", file=sys.stderr)
    subprocess.run(
        [*newsdesk, "demo", "--no-serve", "--database", str(database)],
        env=env,
        cwd=tmp,
        check=True,
        capture_output=True,
    )
    password = database.with_suffix(".password").read_text().strip()
    env.update(
        DATABASE_URL=f"sqlite:///{database}",
        NEWSDESK_SECRET_KEY=database.with_suffix(".secret").read_text().strip()
        or secrets.token_urlsafe(40),
        NEWSDESK_POLL_MINUTES="1",
        NEWSDESK_SECURE_COOKIES="False",  # plain HTTP on 127.0.0.1
    )
    gen, now = NewsGenerator(7), default_now()
    (tmp / "site" / "feeds").mkdir(parents=True)
    for number in range(args.feeds):
        doc, _ = gen.feed(number, args.items, "__BASE__", now)
        (tmp / "site" / "feeds" / f"l{number:04d}.xml").write_text(doc, encoding="utf-8")
    load_before = os.getloadavg()
    tally, stop = Tally(), threading.Event()
    with kit.serve_folder(tmp / "site") as served:
        env["NEWSDESK_ALLOW_HOSTS"] = served.host
        urls = tmp / "urls.txt"
        urls.write_text("\n".join(served.url(f"feeds/l{n:04d}.xml") for n in range(args.feeds)))
        setup = subprocess.run(
            [sys.executable, str(SCRIPT), "setup", str(urls)],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        items = json.loads(setup.stdout.strip().splitlines()[-1])["items"]
        port = free_port()
        serve = [*newsdesk, "serve", "--port", str(port)]
        if not args.dev_server:
            serve += ["--production", "--workers", "2"]
        logs = {name: (tmp / f"{name}.log").open("w") for name in ("web", "worker", "scheduler")}
        procs = {
            "web": subprocess.Popen(serve, env=env, stdout=logs["web"], stderr=subprocess.STDOUT),
            "worker": subprocess.Popen(
                [*newsdesk, "worker"], env=env, stdout=logs["worker"], stderr=subprocess.STDOUT
            ),
            "scheduler": subprocess.Popen(
                [*newsdesk, "scheduler"],
                env=env,
                stdout=logs["scheduler"],
                stderr=subprocess.STDOUT,
            ),
        }
        base = f"http://127.0.0.1:{port}"
        for _ in range(600):
            try:
                if httpx.get(f"{base}/{SLUG}/", timeout=5).status_code < 500:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        writer = subprocess.Popen(
            [sys.executable, str(SCRIPT), "writer", str(args.seconds)],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        threads = [
            threading.Thread(target=reader, args=(base, password, stop, tally))
            for _ in range(args.readers)
        ] + [
            threading.Thread(target=editor, args=(base, password, items[k], stop, tally))
            for k in range(args.editors)
        ]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        time.sleep(args.seconds)
        stop.set()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        written = json.loads((writer.communicate()[0] or "{}").strip().splitlines()[-1])
        codes = kit.terminate_all(procs)
        for out in logs.values():
            out.close()
    tasks = task_counts(database)
    in_logs = {name: (tmp / f"{name}.log").read_text().count(LOCKED) for name in logs}
    figures: dict[str, Any] = {
        "seconds": round(elapsed, 1),
        "server": "development" if args.dev_server else "production (2 processes)",
        "requests_served": tally.counts["served"],
        "server_errors": tally.counts["server_errors"],
        "locked_answers": tally.counts["locked"],
        "failed_requests": tally.counts["failed_requests"],
        "slowest_request_s": round(tally.slowest, 2),
        "autosaves_committed": tally.counts["autosaves"],
        "autosaves_refused": tally.counts["autosaves_refused"],
        "refusals": {k: v for k, v in tally.counts.items() if k.startswith("refused ")},
        "writer": written,
        "tasks": tasks,
        "locked_in_logs": in_logs,
        "exit_codes": codes,
        "load_before": load_before,
        "load_after": os.getloadavg(),
    }
    print(kit.table(["figure", "value"], [[k, str(v)] for k, v in figures.items()]))
    print(json.dumps(figures | {"machine": kit.machine()}))
    if args.keep:
        shutil.copytree(
            tmp, args.keep, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*-shm", "*-wal")
        )
    shutil.rmtree(tmp, ignore_errors=True)


def task_counts(database: Path) -> dict[str, Any]:
    import sqlite3

    with sqlite3.connect(database) as conn:
        rows = conn.execute(
            "SELECT status, count(*) FROM django_tasks_database_dbtaskresult GROUP BY status"
        ).fetchall()
        articles = conn.execute("SELECT count(*) FROM ingest_article").fetchone()[0]
    return {"statuses": dict(rows), "articles": articles}


if __name__ == "__main__":
    if sys.argv[1:2] == ["setup"]:
        setup_main(sys.argv[2])
    elif sys.argv[1:2] == ["writer"]:
        writer_main(sys.argv[2])
    else:
        main()
