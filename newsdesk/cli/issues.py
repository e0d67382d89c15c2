"""`newsdesk publication ...`, `newsdesk issue ...` and `newsdesk item ...`: thin wrappers
over newsdesk.newsroom.issues."""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import sys
from collections.abc import Callable
from pathlib import Path

Handler = Callable[[argparse.Namespace], int]
FORMATS = ("text", "markdown", "html", "email-html", "email-text", "json")


def _actor(args: argparse.Namespace) -> str:
    if getattr(args, "editor", None):
        return str(args.editor)
    try:
        return getpass.getuser()
    except Exception:  # no user name in this environment
        return "editor"


# --- publication ----------------------------------------------------------------------


def cmd_publication(args: argparse.Namespace) -> int:
    from newsdesk.newsroom import issues as service
    from newsdesk.newsroom.models import Category, Publication

    if args.action == "add":
        pub = service.add_publication(args.slug, args.name, args.first_number, args.description)
        print(f"added {pub.name} ({pub.slug}); the next issue will be No. {pub.next_number}")
    elif args.action == "list":
        for pub in Publication.objects.all():
            print(
                f"{pub.slug:<28} {pub.name:<36} next No. {pub.next_number:<6} "
                f"{pub.issues.exclude(number=None).count()} issues"
            )
    else:
        pub = service.get_publication(args.slug)
        print(f"{pub.name} ({pub.slug})")
        if pub.description:
            print(f"  {pub.description}")
        print(f"  numbering: first No. {pub.first_number}, next No. {pub.next_number}")
        print(
            f"  sources: {pub.sources.count()}, published issues: "
            f"{pub.issues.filter(status='published').count()}"
        )
        print("  style:")
        for key, value in service.style_of(pub).__dict__.items():
            print(f"    {key}: {value}")
        for kind, label in ((Category.Kind.TOPIC, "topics"), (Category.Kind.PLACE, "places")):
            names = [c.name for c in pub.categories.filter(kind=kind)]
            print(f"  {label}: {'; '.join(names) if names else '(none)'}")
    return 0


# --- item -------------------------------------------------------------------------------


def cmd_item(args: argparse.Namespace) -> int:
    from newsdesk.newsroom import issues as service

    pub = service.get_publication(args.publication)
    try:
        payload = json.loads(Path(args.file).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{args.file}: not JSON: {exc}") from None
    records = payload["items"] if isinstance(payload, dict) and "items" in payload else payload
    if not isinstance(records, list):
        raise ValueError(f"{args.file}: expected a list of items or {{'items': [...]}}")
    texts = [service.item_from_record(r) for r in records]
    for text in texts:
        item = service.write_item(pub, text, _actor(args))
        print(f"#{item.pk} {item.headline}")
    return 0


# --- issue ------------------------------------------------------------------------------


def _parse_time(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"--at must be an ISO time like 2026-11-23T09:00, not {value!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def cmd_issue(args: argparse.Namespace) -> int:
    from newsdesk.newsroom import issues as service
    from newsdesk.newsroom.models import Item

    action = args.action
    if action == "import":
        pub = service.get_publication(args.publication)
        date = dt.date.fromisoformat(args.date) if args.date else None
        failed = 0
        for name in args.files:
            try:
                parsed = service.parse_file(Path(name))
                if isinstance(parsed, dict):
                    outcome = service.import_export_record(parsed, pub, name, _actor(args))
                else:
                    outcome = service.import_parsed(parsed, pub, name, _actor(args), date)
            except (ValueError, OSError) as exc:
                failed += 1
                print(
                    f"refused {exc}"
                    if not isinstance(exc, OSError)
                    else f"refused {name}: {exc.strerror}",
                    file=sys.stderr,
                )
                continue
            print(
                f"{outcome.status} {pub.name} No. {outcome.number}: {outcome.items} items, "
                f"{outcome.categories} categories ({name})"
            )
        return 1 if failed else 0
    pub = service.get_publication(args.publication)
    if action == "list":
        for issue in pub.issues.all():
            label = f"No. {issue.number}" if issue.number else f"draft #{issue.pk}"
            day = str(issue.date or "")
            print(f"{label:<12} {issue.status:<10} {day:<10} {issue.items.count()} items")
        return 0
    if action == "render":
        issue = (
            service.find_issue(pub, args.number)
            if args.number
            else service.draft_issue(pub, args.draft)
        )
        sys.stdout.write(service.render(issue, args.format))
        return 0
    if action == "export":
        written = service.export_issues(pub, Path(args.out))
        print(f"exported {len(written)} issues to {args.out}")
        return 0
    if action == "new":
        date = dt.date.fromisoformat(args.date) if args.date else None
        issue = service.new_issue(pub, _actor(args), date)
        print(f"draft #{issue.pk} of {pub.name} (will be No. {pub.next_number} or later)")
        return 0
    if action == "withdraw":
        issue = service.withdraw(
            service.find_issue(pub, args.number), actor=_actor(args), reason=args.reason or ""
        )
        print(f"withdrew {issue.title}")
        return 0
    issue = service.draft_issue(pub, args.draft)
    if action == "show":
        print(issue.title + f" [{issue.status}]")
        for item in issue.items.order_by("position", "id"):
            chain = "  ...joined" if item.chained_to_previous else ""
            print(f"  #{item.pk:<5} {item.headline}{chain}")
        for problem in service.problems(issue):
            print(f"  problem: {problem}")
        return 0
    if action == "add":
        items = []
        for ident in args.items:
            found = Item.objects.filter(pk=ident, publication=pub).first()
            if found is None:
                raise ValueError(
                    f"no item #{ident} in {pub.slug} (stories arrive with a later "
                    "issue of newsdesk)"
                )
            items.append(found)
        service.add_items(issue, items, _actor(args))
        print(f"added {len(items)} items to draft #{issue.pk}")
    elif action == "order":
        service.order_items(issue, args.items, _actor(args))
        print(f"ordered draft #{issue.pk}")
    elif action == "chain":
        service.chain_items(issue, args.items, _actor(args))
        print(f"chained items {', '.join('#' + str(i) for i in args.items)}")
    elif action == "publish":
        done = service.publish(
            issue, at=_parse_time(args.at), actor=_actor(args), override=args.override or ""
        )
        if done.status == "scheduled":
            print(f"scheduled draft #{done.pk} for {done.scheduled_for:%Y-%m-%d %H:%M} UTC")
        else:
            print(f"published {done.title}")
    return 0


def register(command: Callable[..., argparse.ArgumentParser]) -> None:
    """Add the newsroom commands to the top-level parser through its `command` factory."""
    p = command("publication", cmd_publication, "Manage publications: add, list, show.")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    a = actions.add_parser("add", help="add a publication", description="Add a publication.")
    a.add_argument("slug")
    a.add_argument("--name", required=True)
    a.add_argument(
        "--first-number",
        type=int,
        default=1,
        help="number of its first issue (an archive at No. 1613 continues at 1614)",
    )
    a.add_argument("--description", default="")
    actions.add_parser("list", help="list publications", description="List publications.")
    s = actions.add_parser(
        "show",
        help="settings, vocabularies and next number",
        description="Show a publication's settings, vocabularies and next number.",
    )
    s.add_argument("slug")

    p = command("item", cmd_item, "Write items from a JSON file (headline, body, sources, ...).")
    p.add_argument("publication", metavar="PUB")
    p.add_argument("file", metavar="ITEMS.json")
    p.add_argument("--editor", help="who wrote them (default: your user name)")

    p = command("issue", cmd_issue, "Build, publish, render, import and export issues.")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)

    def action(name: str, help_text: str, *, draft: bool = True) -> argparse.ArgumentParser:
        a = actions.add_parser(name, help=help_text, description=help_text)
        if name != "import":
            a.add_argument("publication", metavar="PUB")
        if draft:
            a.add_argument(
                "--draft",
                type=int,
                metavar="ID",
                help="which draft (needed when there are several)",
            )
        a.add_argument("--editor", help="who does this (default: your user name)")
        return a

    a = action(
        "import", "Import back issues (text, HTML or exported JSON) as published.", draft=False
    )
    a.add_argument("files", nargs="+", metavar="FILE")
    a.add_argument("--publication", required=True, metavar="SLUG")
    a.add_argument(
        "--date", help="issue date YYYY-MM-DD (default: the page's, else the latest source date)"
    )
    action("list", "List a publication's issues and drafts.", draft=False)
    a = action("render", "Render an issue (by number, or a draft) in one format.")
    a.add_argument("number", type=int, nargs="?", metavar="NUMBER")
    a.add_argument("--format", choices=FORMATS, default="text")
    a = action("export", "Write every issue as JSON plus its text rendering.", draft=False)
    a.add_argument("--out", required=True, metavar="DIR")
    a = action("new", "Start a draft issue.", draft=False)
    a.add_argument("--date", help="issue date YYYY-MM-DD (default: the day it is published)")
    action("show", "Show a draft's items, order, chains and problems.")
    a = action("add", "Add items to the draft (in this order, after its current items).")
    a.add_argument("items", nargs="+", type=int, metavar="ITEM")
    a = action("order", "Set the order of the draft's items (name each once).")
    a.add_argument("items", nargs="+", type=int, metavar="ITEM")
    a = action("chain", "Chain items: they render joined by '...', in the order given.")
    a.add_argument("items", nargs="+", type=int, metavar="ITEM")
    a = action("publish", "Publish the draft: assign the next number atomically.")
    a.add_argument("--at", metavar="TIME", help="schedule for this ISO time instead of now")
    a.add_argument(
        "--override", metavar="REASON", help="publish despite failed checks; the reason is recorded"
    )
    a = action("withdraw", "Withdraw a published issue (its number is never reused).", draft=False)
    a.add_argument("number", type=int, metavar="NUMBER")
    a.add_argument("--reason", default="")
