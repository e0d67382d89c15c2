"""`newsdesk mail send|bounces`: an issue to its subscribers, and what came back."""

from __future__ import annotations

import argparse
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from newsdesk.cli.exits import EXIT_INTERRUPTED
from newsdesk.cli.output import console, progress_bar
from newsdesk.mailing import bounces, delivery, sending
from newsdesk.newsroom.models import Issue
from newsdesk.newsroom.publications import get_publication
from newsdesk.pipeline.errors import NotFoundError
from newsdesk.pipeline.text import plural


def run_mail(args: argparse.Namespace) -> int:
    if args.action == "bounces":
        return run_bounces(args)
    publication = get_publication(args.publication)
    issue = (
        Issue.objects.select_related("publication")
        .filter(publication=publication, number=args.number)
        .first()
    )
    if issue is None:
        raise NotFoundError(
            f"{publication.name} has no issue No. {args.number}: "
            f"`newsdesk issue list {publication.slug}` shows them"
        )
    out = console()
    if args.action == "unknown":
        return run_unknown(args, issue)
    if args.test_to:
        message_id = sending.send_test(issue, args.test_to)
        out.print(f"test message sent ({message_id}); nothing recorded", markup=False)
        return 0
    stop = threading.Event()
    later = bool(args.all_readers)
    left_out = 0 if later else delivery.later_readers(issue)
    total = delivery.due_count(issue, new=True, later=later)
    with stopping_on_signals(stop), progress_bar(total, "sending") as advance:
        report = sending.send_issue(
            issue, later=later, progress=lambda state: advance("item", 1), stop=stop
        )
    out.print(
        f"{issue.publication.name} No. {issue.number}: {report.sent} sent in this run "
        f"({plural(report.added, 'reader')} added, {report.recovered} left in flight by a stopped "
        "sender)",
        markup=False,
    )
    out.print(f"all deliveries: {report.line()}", markup=False)
    if left_out:
        out.print(
            f"left out: {plural(left_out, 'reader')} who confirmed after the issue was "
            "published (they get the next issue; --all-readers mails them this one too)",
            markup=False,
        )
    if report.unknown:
        shown = ", ".join(str(n) for n in report.unknown[:20])
        more = f" and {len(report.unknown) - 20} more" if len(report.unknown) > 20 else ""
        out.print(
            f"unknown: subscribers {shown}{more}: a sender stopped while their message was "
            "in flight; the server may have it. Not sent again: check the server's log "
            f"(`newsdesk mail unknown {issue.publication.slug} {issue.number}`).",
            markup=False,
        )
    if report.withdrawn:
        left = plural(report.states.get(delivery.State.WITHDRAWN, 0), "reader")
        out.print(
            f"stopped: {report.stopped}; {left} not mailed yet will not be sent it "
            "(publish the corrected issue as a new one: they get that).",
            markup=False,
        )
        return 1
    if report.stopped:
        out.print(f"stopped: {report.stopped}. Run the command again to resume.", markup=False)
        return 1
    waiting = sum(report.states.get(state, 0) for state in delivery.CLAIMABLE)
    if stop.is_set() and waiting:
        out.print(
            f"interrupted: {plural(waiting, 'reader')} not mailed yet. "
            "Run the command again to resume.",
            markup=False,
        )
        return EXIT_INTERRUPTED
    return 0


def run_unknown(args: argparse.Namespace, issue: Issue) -> int:
    """List the issue's unknown deliveries, or settle them as a person decided."""
    out = console()
    chosen = args.sent if args.sent is not None else args.resend
    if chosen is not None:
        sent = args.sent is not None
        moved = delivery.resolve_unknown(issue, None if chosen == "all" else chosen, sent=sent)
        verb = "marked sent" if sent else "queued again for the next `mail send`"
        out.print(f"{plural(moved, 'unknown delivery', 'unknown deliveries')} {verb}", markup=False)
    left = delivery.unknown_deliveries(issue)
    for row in left:
        when = f"{row.claimed_at:%Y-%m-%d %H:%M:%S} UTC" if row.claimed_at else "-"
        out.print(
            f"subscriber {row.subscriber_id}  {row.email}  {row.message_id or '-'}  {when}",
            markup=False,
        )
    if chosen is None:
        out.print(
            f"{plural(len(left), 'unknown delivery', 'unknown deliveries')} of "
            f"{issue.publication.name} No. {issue.number}",
            markup=False,
        )
    return 0


@contextmanager
def stopping_on_signals(stop: threading.Event) -> Iterator[None]:
    """SIGTERM and SIGINT: finish the messages in flight, settle them, then stop."""

    def ask(signum: int, frame: FrameType | None) -> None:
        stop.set()

    before = {s: signal.signal(s, ask) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for s, handler in before.items():
            signal.signal(s, handler)


def run_bounces(args: argparse.Namespace) -> int:
    if args.mbox:
        found = bounces.from_mbox(args.mbox)
    elif args.maildir:
        found = bounces.from_maildir(args.maildir)
    else:
        found = bounces.from_imap(args.imap)
    report = bounces.process(found)
    out = console()
    out.print(report.line(), markup=False)
    for where, why in report.unrecognised:
        out.print(f"  not read: {where}: {why}", markup=False)
    return 0
