"""Sending an issue: newsdesk's sender against a bare smtplib loop, same run, same sink.

    .venv/bin/python bench/mail_send.py [--readers 10000] [--rounds 3] [--connections N]
                                        [--keep] [--profile]
                                        [--postgres postgresql://postgres@127.0.0.1:5432]

A fresh SQLite database (or, with --postgres SERVER, a PostgreSQL database made on
that server for the run and dropped after it) gets the tests' fictional published
issue (12 items over two topics and a place) and READERS confirmed subscribers: a
quarter want the whole issue, the others one topic or the place each, so the messages
are personalised twice over (the items, and each reader's own links and headers).
The SMTP sink is aiosmtpd on 127.0.0.1 in its own process; it accepts and counts,
nothing more.

1. newsdesk: `sending.send_issue` as `newsdesk mail send` runs it: each delivery
   claimed, the message composed, sent, and marked (NEWSDESK_MAIL_CONNECTIONS
   connections, no rate limit). Peak memory is this process's maximum RSS after it,
   the database set-up included.
2. bare smtplib: the same messages (same bytes, composed beforehand and not timed)
   sent one after another with `sendmail` over one connection.

The two take turns, ROUNDS times (newsdesk starting each round from no deliveries at
all); the figures are each side's median round, so a burst of other work on the
machine (PostgreSQL's autovacuum after 10,000 updates, say) skews one round, not the
result. The ratio of each round is printed too.

Besides the rates, the CPU each side spent per message: this process's (newsdesk's
sender, or the bare loop) and the sink's, from /proc: on a machine of two CPUs the
sink takes one, so the rates depend on what else runs. `--profile` prints where
newsdesk's sender spent its CPU, every thread counted (cProfile, thread CPU time).

Prints a table, then one JSON line. Goals: ratio of messages/s >= 0.8, peak < 300 MB.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import functools
import json
import os
import resource
import signal
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import _benchkit as kit

SCRIPT = Path(__file__).resolve()


def sink_main(port_file: str, count_file: str) -> None:
    """The SMTP sink's process: accept, count, write the count on SIGTERM."""
    from aiosmtpd.controller import Controller  # deferred: only the sink's process needs it

    class Counter:
        count = 0

        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            Counter.count += 1
            return "250 OK"

    signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGTERM])  # for sigwait, in every thread
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Counter(), hostname="127.0.0.1", port=port)
    controller.start()
    Path(port_file).write_text(str(port))
    signal.sigwait([signal.SIGTERM])
    controller.stop()
    Path(count_file).write_text(str(Counter.count))


def start_sink(folder: Path) -> tuple[subprocess.Popen[bytes], int]:
    port_file = folder / "port"
    process = subprocess.Popen(
        [sys.executable, str(SCRIPT), "--sink", str(port_file), str(folder / "count")]
    )
    deadline = time.monotonic() + 30
    while not port_file.exists() or not port_file.read_text():
        if time.monotonic() > deadline:
            raise SystemExit("the SMTP sink did not start")
        time.sleep(0.05)
    return process, int(port_file.read_text())


def admin(server: str, statement: str) -> None:
    import psycopg  # deferred: only with --postgres

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(statement)


def setup_django(folder: Path, port: int, connections: int | None, database: str = "") -> None:
    os.environ.update(
        DATABASE_URL=database or f"sqlite:///{folder / 'bench.sqlite3'}",
        DJANGO_SETTINGS_MODULE="newsdesk.settings",
        NEWSDESK_SECRET_KEY="bench-key-not-a-secret",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(port),
        DEFAULT_FROM_EMAIL="desk@corvia.example",
        NEWSDESK_APP_URL="https://news.corvia.example",
        NEWSDESK_LOG_LEVEL="warning",
    )
    if connections:
        os.environ["NEWSDESK_MAIL_CONNECTIONS"] = str(connections)
    sys.path.insert(0, str(kit.REPO))
    import django  # deferred: the settings above come first

    django.setup()
    from django.core.management import call_command  # deferred: needs django.setup()

    call_command("migrate", verbosity=0)


def make_issue(readers: int) -> Any:
    """The tests' fictional issue, its four items three times over; a quarter of the
    readers take it whole, the others one topic or the place each."""
    from newsdesk.newsroom.models import Category
    from tests.mailing import sinks  # deferred: models load after django.setup()

    issue = sinks.published_issue(
        items=[(f"{h} {n}", t, p) for n in range(3) for h, t, p in sinks.ITEMS]
    )
    pub = issue.publication
    choices = [
        [],
        *[[Category.objects.get(publication=pub, name=n)] for n in ("Trade", "Energy", "Vietnam")],
    ]
    for n, chosen in enumerate(choices):
        share = readers // 4 + (1 if n < readers % 4 else 0)
        sinks.subscribe(pub, share, prefix=f"group{n}-", chosen=chosen)
    return issue


def prepared_letters(issue: Any) -> list[Any]:
    """The messages newsdesk sent, composed again beforehand for the bare loop."""
    from newsdesk.mailing import delivery, links, messages  # deferred: after django.setup()
    from newsdesk.mailing.models import Delivery

    editions = messages.Editions(issue, links.base_url())
    ids = dict(Delivery.objects.filter(issue=issue).values_list("pk", "message_id"))
    Delivery.objects.filter(issue=issue).update(state=Delivery.State.QUEUED)
    letters = [
        editions.of(sorted(r.chosen)).letter(r.subscriber, r.delivery_id, ids[r.delivery_id])
        for r in delivery.due(issue)
    ]
    return letters


def cpu_of(pid: int) -> float:
    """CPU seconds (user and system) a process has used, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def bare_loop(letters: list[Any], port: int) -> float:
    server = smtplib.SMTP("127.0.0.1", port)
    started = time.perf_counter()
    for letter in letters:
        server.sendmail(letter.mail_from, [letter.to], letter.data)
    elapsed = time.perf_counter() - started
    server.quit()
    return elapsed


@dataclasses.dataclass
class Round:
    """One side's figures in one round: seconds, and CPU seconds of this process and
    of the sink."""

    seconds: float
    cpu: float
    sink_cpu: float


def timed(sink_pid: int, run: Callable[[], object]) -> Round:
    cpu, sink_cpu, started = time.process_time(), cpu_of(sink_pid), time.perf_counter()
    run()
    return Round(
        time.perf_counter() - started, time.process_time() - cpu, cpu_of(sink_pid) - sink_cpu
    )


def newsdesk_round(issue: Any, readers: int) -> None:
    """`newsdesk mail send` on the issue, from no deliveries at all."""
    from newsdesk.mailing import sending  # deferred: after django.setup()
    from newsdesk.mailing.models import Delivery, SubscriberEvent

    Delivery.objects.filter(issue=issue).delete()
    SubscriberEvent.objects.all().delete()
    report = sending.send_issue(issue)
    assert report.sent == readers, report


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--sink":
        sink_main(sys.argv[2], sys.argv[3])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readers", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--profile", action="store_true", help="profile newsdesk's sender")
    parser.add_argument("--postgres", metavar="SERVER", help="PostgreSQL instead of SQLite")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-mail-"))
    database = ""
    if args.postgres:
        name = f"bench_mail_{os.getpid()}"
        admin(args.postgres, f'CREATE DATABASE "{name}"')
        database = f"{args.postgres}/{name}"
    sink, port = start_sink(folder)
    ours: list[Round] = []
    theirs: list[Round] = []
    try:
        setup_django(folder, port, args.connections, database)
        from django.conf import settings  # deferred: after django.setup()

        from newsdesk.mailing import sending

        issue = make_issue(args.readers)
        profiler = kit.ThreadProfiler()
        if args.profile:
            sending.Sender.worker = profiler.wrap(sending.Sender.worker)  # type: ignore[method-assign]
        letters: list[Any] = []
        peak_mb = 0.0
        for _ in range(args.rounds):
            with profiler.main() if args.profile else contextlib.nullcontext():
                ours.append(timed(sink.pid, lambda: newsdesk_round(issue, args.readers)))
            if not letters:  # the peak before the bare loop's letters take memory
                peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
                letters = prepared_letters(issue)
            theirs.append(timed(sink.pid, functools.partial(bare_loop, letters, port)))
        sizes = sorted(len(letter.data) for letter in letters)
    finally:
        sink.send_signal(signal.SIGTERM)
        sink.wait(timeout=30)
        if args.postgres:
            from django.db import connections  # deferred: after django.setup()

            connections.close_all()
            admin(args.postgres, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    received = int((folder / "count").read_text())
    mine, bare = median_round(ours), median_round(theirs)
    rate_ours, rate_bare = args.readers / mine.seconds, len(letters) / bare.seconds
    per_message = {  # CPU milliseconds a message, in the median rounds
        "newsdesk": round(mine.cpu / args.readers * 1000, 3),
        "sink_during_newsdesk": round(mine.sink_cpu / args.readers * 1000, 3),
        "bare_loop": round(bare.cpu / len(letters) * 1000, 3),
        "sink_during_bare_loop": round(bare.sink_cpu / len(letters) * 1000, 3),
    }
    result = {
        "readers": args.readers,
        "rounds": args.rounds,
        "connections": settings.NEWSDESK_MAIL_CONNECTIONS,
        "database": "postgresql" if args.postgres else "sqlite",
        "newsdesk_seconds": round(mine.seconds, 2),
        "newsdesk_per_second": round(rate_ours, 1),
        "smtplib_seconds": round(bare.seconds, 2),
        "smtplib_per_second": round(rate_bare, 1),
        "ratio": round(rate_ours / rate_bare, 3),
        "ratio_per_round": [
            round(b.seconds / o.seconds, 3) for o, b in zip(ours, theirs, strict=True)
        ],
        "peak_rss_mb": round(peak_mb, 1),
        "cpu_ms_per_message": per_message,
        "message_bytes_median": sizes[len(sizes) // 2],
        "sink_received": received,
        "machine": kit.machine(),
    }
    print(
        kit.table(
            ["sender", "messages", "seconds", "messages/s", "CPU ms/msg", "sink CPU ms/msg"],
            [
                [
                    "newsdesk",
                    args.readers,
                    result["newsdesk_seconds"],
                    result["newsdesk_per_second"],
                    per_message["newsdesk"],
                    per_message["sink_during_newsdesk"],
                ],
                [
                    "bare smtplib, 1 connection",
                    len(letters),
                    result["smtplib_seconds"],
                    result["smtplib_per_second"],
                    per_message["bare_loop"],
                    per_message["sink_during_bare_loop"],
                ],
            ],
        )
    )
    print(
        f"median of {args.rounds} rounds: ratio {result['ratio']} (goal >= 0.8; per round "
        f"{result['ratio_per_round']}); peak RSS {result['peak_rss_mb']} MB (goal < 300)"
    )
    print(json.dumps(result))
    if args.profile:
        print(profiler.report(top=40, sort="cumulative"))
        print(profiler.report(top=30, sort="tottime"))
    if not args.keep:
        for path in sorted(folder.rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()
        folder.rmdir()


def median_round(rounds: list[Round]) -> Round:
    """The round of median time."""
    return sorted(rounds, key=lambda r: r.seconds)[len(rounds) // 2]


if __name__ == "__main__":
    main()
