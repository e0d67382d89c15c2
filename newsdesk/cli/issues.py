"""`newsdesk publication ...`, `newsdesk item ...` and `newsdesk issue ...`: thin wrappers
over the newsroom's issue services."""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import sys
from pathlib import Path

from django.db import transaction
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from newsdesk.cli.output import console, progress_bar
from newsdesk.ingest.limits import input_limits
from newsdesk.newsroom import archive, builder, imports, items, numbering, people, uploads
from newsdesk.newsroom.models import Category, Issue, Item, Publication
from newsdesk.newsroom.people import CommandLineUser
from newsdesk.newsroom.publications import add_publication, get_publication, style_of
from newsdesk.newsroom.reading import render
from newsdesk.pipeline.errors import InputError, NotFoundError
from newsdesk.pipeline.limits import read_limited
from newsdesk.pipeline.text import plural


def actor_of(args: argparse.Namespace) -> str:
    if getattr(args, "editor", None):
        return str(args.editor)
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no user name in this environment
        return "editor"


def person_of(args: argparse.Namespace) -> CommandLineUser:
    """Who changes an issue, for the builder's services the desk calls too: the same
    audit entries, "NAME (command line)" (`people.audit_name`)."""
    return CommandLineUser(actor_of(args))


def run_publication(args: argparse.Namespace) -> int:
    if args.action == "add":
        pub = add_publication(args.slug, args.name, args.first_number, args.description)
        print(f"added {pub.name} ({pub.slug}); the next issue will be No. {pub.next_number}")
    elif args.action == "list":
        for pub in Publication.objects.all():
            print(
                f"{pub.slug:<28} {pub.name:<36} next No. {pub.next_number:<6} "
                f"{plural(pub.issues.exclude(number=None).count(), 'issue')}"
            )
    else:
        show_publication(get_publication(args.slug))
    return 0


def show_publication(pub: Publication) -> None:
    print(f"{pub.name} ({pub.slug})")
    if pub.description:
        print(f"  {pub.description}")
    print(f"  numbering: first No. {pub.first_number}, next No. {pub.next_number}")
    print(
        f"  sources: {pub.sources.count()}, published issues: "
        f"{pub.issues.filter(status='published').count()}"
    )
    print("  style:")
    for key, value in style_of(pub).__dict__.items():
        print(f"    {key}: {value}")
    for kind, label in ((Category.Kind.TOPIC, "topics"), (Category.Kind.PLACE, "places")):
        names = [c.name for c in pub.categories.filter(kind=kind)]
        print(f"  {label}: {'; '.join(names) if names else '(none)'}")


def run_item(args: argparse.Namespace) -> int:
    pub = get_publication(args.publication)
    limit = input_limits().import_bytes
    try:
        with Path(args.file).open("rb") as stream:
            data = read_limited(
                stream, limit, f"item file {args.file}", "NEWSDESK_MAX_IMPORT_BYTES"
            )
        payload = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise InputError(f"{args.file}: not UTF-8 text; save it as UTF-8") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{args.file}: not JSON: {exc}") from None
    except RecursionError:  # the decoder recurses once a level
        raise InputError(f"{args.file}: not JSON that can be read: nested too deeply") from None
    records = payload["items"] if isinstance(payload, dict) and "items" in payload else payload
    if not isinstance(records, list):
        raise InputError(f"{args.file}: expected a list of items or {{'items': [...]}}")
    texts = items.items_from_records(records, args.file)
    who = person_of(args)
    for text in texts:
        with transaction.atomic():
            item = items.write_item(pub, text, who.name)
            people.record(who, pub, "item-new", "item", item.pk, after={"headline": item.headline})
        print(f"#{item.pk} {item.headline}")
    return 0


def run_issue(args: argparse.Namespace) -> int:
    if args.action == "import":
        return import_issues(args)
    pub = get_publication(args.publication)
    action = args.action
    if action == "list":
        for issue in pub.issues.all():
            label = f"No. {issue.number}" if issue.number else f"draft #{issue.pk}"
            day = str(issue.date or "")
            print(f"{label:<12} {issue.status:<10} {day:<10} {plural(issue.items.count(), 'item')}")
    elif action == "render":
        issue = (
            numbering.find_issue(pub, args.number)
            if args.number
            else numbering.draft_issue(pub, args.draft)
        )
        sys.stdout.write(render(issue, args.format))
    elif action == "export":
        written = imports.export_issues(pub, Path(args.out))
        print(f"exported {plural(len(written), 'issue')} to {args.out}")
    elif action == "new":
        issue = builder.new(pub, person_of(args), args.date)
        print(f"draft #{issue.pk} of {pub.name} (will be No. {pub.next_number} or later)")
    elif action == "withdraw":
        found = numbering.find_issue(pub, args.number)
        issue = builder.withdraw(found, args.reason, person_of(args))
        print(f"withdrew {issue.title}")
    else:
        edit_draft(args, pub)
    return 0


def import_issues(args: argparse.Namespace) -> int:
    """Import each file (folders searched through); one refused is reported and the
    others go on (exit 1). Several files, a folder or --dry-run end with a table."""
    pub = get_publication(args.publication)
    files, ignored = archive.expand(args.files)
    bulk = len(files) > 1 or len(files) != len(args.files) or bool(ignored) or args.dry_run
    real_stdout = sys.stdout

    def report_file(result: imports.ImportOutcome | archive.Refusal, path: Path) -> None:
        # while the bar is drawn, rich relays sys.stdout above it; piped output stays piped
        out = sys.stdout if real_stdout.isatty() else real_stdout
        if isinstance(result, archive.Refusal):
            print(f"refused {result.message}", file=sys.stderr)
            return
        status = "would import" if args.dry_run and result.status == "imported" else result.status
        dated = f", {result.dated}" if result.dated and result.status == "imported" else ""
        print(
            f"{status} {pub.name} No. {result.number}: {plural(result.items, 'item')}, "
            f"{plural(result.categories, 'category', 'categories')}{dated} ({path})",
            file=out,
        )
        for note in result.notes if not bulk else ():  # a bulk import lists them at its end
            print(f"  note: {note}", file=out)

    who = person_of(args)
    with progress_bar(len(files), "back issues", enabled=bulk) as advance:

        def on_file(result: imports.ImportOutcome | archive.Refusal, path: Path) -> None:
            report_file(result, path)
            if (
                isinstance(result, imports.ImportOutcome)
                and result.status == "imported"
                and not args.dry_run
            ):
                uploads.record_import(who, pub, result)  # audited as the desk's uploads are
            advance("item", 1)
            if isinstance(result, archive.Refusal):
                advance("refusal", 1)

        report = archive.import_archive(
            files,
            pub,
            who.name,
            args.date,
            dry_run=args.dry_run,
            on_file=on_file,
            also_titled=args.also_titled,
        )
    if bulk:
        pub.refresh_from_db()
        print_archive_report(report, pub, ignored, console())
    return 1 if report.refused else 0


def print_archive_report(
    report: archive.ArchiveReport, pub: Publication, ignored: list[Path], out: Console
) -> None:
    title = f"{pub.name}: back issues" + (" (dry run: nothing stored)" if report.dry_run else "")
    table = Table(title=title, show_header=False)
    numbers = sorted(o.number for o in report.imported)
    span = f" (No. {numbers[0]}-{numbers[-1]})" if numbers else ""
    verb = "would be stored" if report.dry_run else "stored"
    table.add_row("files read", f"{report.files:,}")
    table.add_row(verb, f"{len(report.imported):,}{span}")
    table.add_row("skipped as duplicates", f"{len(report.skipped):,}")
    table.add_row("refused", f"{len(report.refused):,}")
    table.add_row("items", f"{report.items:,}")
    table.add_row(
        "categories found", f"{len(report.categories):,} ({len(report.new_categories):,} new)"
    )
    dated = report.dated_by()
    for key, label in (("page", "dated by the page"), ("sources", "dated by latest source")):
        if dated.get(key):
            table.add_row(label, f"{dated[key]:,}")
    if report.notes:
        table.add_row("cut items left out", f"{len(report.notes):,}")
    if ignored:
        table.add_row("other files passed over", f"{len(ignored):,}")
    if not report.dry_run:
        table.add_row("next number", f"No. {pub.next_number}")
    out.print(table)
    for refusal in report.refused:  # lines, not cells: a path is never cut or folded
        out.print(f"refused  {escape(refusal.where)}  {escape(refusal.reason)}")
    for note in report.notes:
        out.print(f"note: {escape(note)}")


def edit_draft(args: argparse.Namespace, pub: Publication) -> None:
    """show, add, order, chain, publish and unschedule: the actions on a draft issue."""
    action = args.action
    pick = numbering.scheduled_issue if action == "unschedule" else numbering.draft_issue
    issue = pick(pub, args.draft)
    if action == "show":
        print(issue.title + f" [{issue.status}]")
        for item in issue.items.order_by("position", "id"):
            chain = "  ...joined" if item.chained_to_previous else ""
            print(f"  #{item.pk:<5} {item.headline}{chain}")
        for problem in numbering.problems(issue):
            print(f"  problem: {problem}")
    elif action == "add":
        for ident in args.items:
            if not Item.objects.filter(pk=ident, publication=pub).exists():
                raise NotFoundError(f"no item #{ident} in {pub.slug}")
        added = {item.pk for item in builder.add(issue, args.items, person_of(args))}
        already = [f"#{pk}" for pk in dict.fromkeys(args.items) if pk not in added]
        print(
            f"added {plural(len(added), 'item')} to draft #{issue.pk}"
            + (f"; already in it: {', '.join(already)}" if already else "")
        )
    elif action == "order":
        builder.reorder(issue, args.items, person_of(args))
        print(f"ordered draft #{issue.pk}")
    elif action == "chain":
        builder.chain(issue, args.items, person_of(args))
        print(f"chained items {', '.join('#' + str(i) for i in args.items)}")
    elif action == "publish":
        publish(issue, args)
    elif action == "unschedule":
        done, when = builder.unschedule(issue, person_of(args))
        at = f" for {when.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC" if when else ""
        print(f"cancelled the publication of draft #{done.pk} scheduled{at}: it is a draft again")


def publish(issue: Issue, args: argparse.Namespace) -> None:
    """Publish now, or schedule for `--at`: the desk's services, audited as there."""
    person, override = person_of(args), args.override or ""
    if args.at is None:
        print(f"published {builder.publish_now(issue, person, override).title}")
        return
    done = builder.schedule(issue, args.at, person, override)
    print(f"scheduled draft #{done.pk} for {done.scheduled_for:%Y-%m-%d %H:%M} UTC")
