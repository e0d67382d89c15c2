"""`newsdesk subscribers import|export|list|delete|suppress|suppressions`: a
publication's mailing list, and the addresses never mailed. Each change and export
goes to the audit log as the desk's do, by "NAME (command line)"."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from newsdesk.cli.issues import person_of
from newsdesk.cli.output import console
from newsdesk.mailing import imports, links, roster, subscribing
from newsdesk.mailing.models import Suppression
from newsdesk.newsroom import people
from newsdesk.newsroom.models import Publication
from newsdesk.newsroom.publications import get_publication
from newsdesk.pipeline.errors import InputError
from newsdesk.pipeline.text import plural


def run_subscribers(args: argparse.Namespace) -> int:
    who = person_of(args)
    if args.action == "delete":
        subscribing.delete_subscriber(args.email)
        people.record(who, None, "subscribers.delete", "subscriber")  # never the address
        print("deleted: the address and its history are gone; a suppression keeps its hash")
        return 0
    if args.action in ("suppress", "suppressions"):
        scope = get_publication(args.publication) if args.publication else None
        if args.action == "suppress":
            return run_suppress(who, args.email, args.note, scope)
        return run_suppressions(scope)
    publication = get_publication(args.publication)
    if args.action == "import":
        return run_import(who, publication, Path(args.file), confirmed=args.confirmed)
    if args.action == "export":
        if args.out:
            private = os.open(args.out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with open(private, "w", encoding="utf-8", newline="") as out:  # readers' addresses
                # a file is for a spreadsheet, marked UTF-8 as the desk's download is
                count = roster.write_csv(publication, out, bom=True)
            print(f"exported {plural(count, 'subscription')} of {publication.slug} to {args.out}")
        else:
            count = roster.write_csv(publication, sys.stdout)  # a pipe: a mark would trip it
        people.record(who, publication, "subscribers.export", "subscribers", after={"rows": count})
        return 0
    return run_list(publication, args.search or "")


def run_import(who: people.Actor, publication: Publication, path: Path, *, confirmed: bool) -> int:
    # without --confirmed refused before anything is read
    base = links.base_url_if_known() if confirmed else links.base_url()
    try:
        imports.check_size(path.stat().st_size, str(path))
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from None
    report = imports.import_subscribers(
        publication, data, confirmed=confirmed, base_url=base, source=str(path)
    )
    report.record(who, publication)
    out = console()
    out.print(
        f"{path}: {plural(report.rows, 'row')}: {report.added} added, "
        f"{report.confirmed} confirmed, "
        f"{report.unchanged} subscribed already, {len(report.rejected)} rejected or merged; "
        f"confirmation messages: {report.confirmations_sent} sent, "
        f"{report.confirmations_held} held (one went out within the hour), "
        f"{report.confirmations_failed} failed (the mail server refused or was unreachable)",
        markup=False,
    )
    for rejected in report.rejected:
        out.print(f"  {imports.at(str(path), rejected.line)}: {rejected.reason}", markup=False)
    return 0


def run_suppress(who: people.Actor, email: str, note: str, publication: Publication | None) -> int:
    whose = f"by {publication.slug}" if publication else "by any publication"
    if subscribing.suppress(email, Suppression.Reason.MANUAL, note, publication=publication):
        scope = publication.slug if publication else "all publications"
        people.record(
            who, publication, "subscribers.suppress", "suppression", after={"scope": scope}
        )
        print(f"suppressed: never mailed {whose} again (only its hash is kept)")
    else:
        print(f"suppressed already: not mailed {whose}")
    return 0


def run_suppressions(publication: Publication | None) -> int:
    """Each suppression with whose mail it stops; with a publication only those that
    stop its mail."""
    found = Suppression.objects.select_related("publication").order_by("-at", "id")
    if publication is not None:
        found = found.covering(publication.pk)
    out = console()
    count = 0
    for s in found.iterator(chunk_size=500):
        count += 1
        # cleaned: a note may come from a bounce's text or a desk form
        note = f"  {subscribing.clean_name(s.note)}" if s.note else ""
        out.print(
            f"{s.address_hash[:16]}…  {s.reason}  for {s.scope}  since {s.at:%Y-%m-%d %H:%M}{note}",
            markup=False,
        )
    out.print(plural(count, "suppression"), markup=False)
    return 0


def run_list(publication: Publication, search: str) -> int:
    out = console()
    count = 0
    for s in roster.subscriptions(publication, search).iterator(chunk_size=500):
        count += 1
        person = s.subscriber
        extra = f"  [{roster.preferences(s)}]" if s.categories.all() else ""
        # cleaned again: a name kept before names were cleaned may hold an escape sequence
        name = f" ({subscribing.clean_name(person.name)})" if person.name else ""
        suppressed = getattr(s, "suppressed", False)  # roster.subscriptions annotates it
        status = f"{s.status}, suppressed" if suppressed else s.status
        out.print(
            f"{person.email}{name}  {status}  since {s.created:%Y-%m-%d}{extra}", markup=False
        )
    out.print(plural(count, "subscription"), markup=False)
    return 0
