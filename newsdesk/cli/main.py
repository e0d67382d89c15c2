"""The `newsdesk` command. Thin: parses arguments, calls services, prints results.

Exit codes: 0 success; 1 a command failed (bad input, unreachable URL, ...);
2 usage error; 3 the database is missing its schema or is outdated.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from newsdesk.pipeline.errors import NewsdeskError

EXIT_FAILED, EXIT_USAGE, EXIT_SCHEMA = 1, 2, 3
EVAL_TASKS = ("extraction", "feeds", "clustering", "places", "topics", "relevance")


class CommandError(Exception):
    """A one-line error for the user; the CLI prints it without a traceback."""

    def __init__(self, message: str, code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.code = code


def fail(message: str, code: int = EXIT_FAILED) -> NoReturn:
    raise CommandError(message, code)


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsdesk.settings")
    import django

    django.setup()


def require_schema() -> None:
    """Refuse to run against an empty or outdated database, in one line."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor
    from django.db.utils import OperationalError

    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except OperationalError as exc:
        fail(f"cannot open the database {connection.settings_dict['NAME']}: {exc}".strip())
    if pending:
        name = connection.settings_dict["NAME"]
        state = (
            "is empty"
            if not executor.loader.applied_migrations
            else (f"is outdated ({len(pending)} migrations pending)")
        )
        fail(f"the database {name} {state}; run `newsdesk migrate` to fix it", EXIT_SCHEMA)


def console() -> Any:
    from rich.console import Console

    return Console(stderr=False, highlight=False, soft_wrap=True)


# --- commands -------------------------------------------------------------------------


def cmd_migrate(args: argparse.Namespace) -> int:
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", interactive=False, verbosity=1 if args.verbose else 0)
    print(f"database {connection.settings_dict['NAME']} is up to date")
    return 0


def _publication(slug: str | None) -> Any:
    if slug is None:
        return None
    from newsdesk.newsroom.models import Publication

    try:
        return Publication.objects.get(slug=slug)
    except Publication.DoesNotExist:
        fail(f"no publication with slug {slug!r} (see `newsdesk stats`)")


def cmd_ingest(args: argparse.Namespace) -> int:
    from django.utils import timezone

    from newsdesk.cli.progress import progress_bar
    from newsdesk.cli.reports import print_run_report
    from newsdesk.ingest.models import Source
    from newsdesk.ingest.service import Ingestor

    publication = _publication(args.publication)
    sources: list[Source] = []
    for target in args.targets:
        path = Path(target)
        if path.exists():
            url = path.resolve().as_uri()
        elif target.startswith(("http://", "https://")):
            url = target
        else:
            fail(f"{target} is neither a file nor an http(s) URL")
        source, _ = Source.objects.get_or_create(
            publication=publication,
            url=url,
            defaults={"outlet": path.stem if path.exists() else ""},
        )
        sources.append(source)
    if not args.targets:
        due = Source.objects.filter(enabled=True)
        if publication is not None:
            due = due.filter(publication=publication)
        if not args.all:
            now = timezone.now()
            due = due.filter(next_poll__isnull=True) | due.filter(next_poll__lte=now)
        sources = list(due.distinct())
    if not sources:
        print("no sources are due (use --all to poll every enabled source)")
        return 0
    with progress_bar(len(sources), "polling", enabled=not args.quiet) as advance:
        ingestor = Ingestor(allow_hosts=args.allow_host, progress=advance)
        report = ingestor.run(sources)
    print_run_report(report, console())
    if args.json:
        print(json.dumps(report.as_dict()))
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    from newsdesk.ingest.manual import add_pasted, add_url

    if args.paste:
        text = (
            Path(args.text_file).read_text(encoding="utf-8") if args.text_file else sys.stdin.read()
        )
        stored = add_pasted(
            title=args.title or "",
            outlet=args.outlet or "",
            date=args.date or "",
            url=args.url or "",
            text=text,
        )
    else:
        if not args.url:
            fail("give a URL to fetch, or --paste with --title, --outlet, --date and --url")
        stored = add_url(args.url, outlet=args.outlet or "", allow_hosts=args.allow_host)
    article = stored.article
    print(
        f"{stored.outcome.value}: #{article.pk} {article.title} ({article.outlet}, "
        f"{article.published:%B %-d, %Y}) [{article.text_source}]"
        if article.published
        else f"{stored.outcome.value}: #{article.pk} {article.title} ({article.outlet})"
    )
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    from newsdesk.cli.reports import collect_stats, print_stats

    stats = collect_stats()
    print_stats(stats, console())
    if args.json:
        print(json.dumps(stats))
    return 0


def cmd_source(args: argparse.Namespace) -> int:
    from newsdesk.ingest import sources as service
    from newsdesk.ingest.models import Source

    publication = _publication(args.publication)
    if args.action == "add":
        source, made = service.add_source(
            args.url,
            outlet=args.outlet,
            publication=publication,
            weight=args.weight,
            allow_internal=args.allow_internal,
        )
        print(f"{'added' if made else 'already present'}: {source}")
    elif args.action == "list":
        rows = Source.objects.all() if publication is None else publication.sources.all()
        for s in rows:
            state = (
                f"failing x{s.consecutive_failures}: {s.last_error}"
                if s.consecutive_failures
                else "ok"
            )
            print(f"{s.pk:>4}  {s.outlet:<28}  {s.url}  [{state}]")
    elif args.action == "import":
        result = service.import_opml(
            Path(args.file).read_bytes(), publication, allow_internal=args.allow_internal
        )
        print(
            f"imported {result.created} new sources, {result.existing} already present, "
            f"{len(result.skipped)} skipped"
        )
        for line in result.skipped:
            print(f"  skipped {line}")
    elif args.action == "export":
        data = service.export_opml(publication)
        if args.out:
            Path(args.out).write_bytes(data)
        else:
            sys.stdout.write(data.decode("utf-8"))
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from newsdesk.cli.progress import progress_bar
    from newsdesk.evaluation import EvalOptions, task

    options = EvalOptions(
        data=Path(args.data),
        train=Path(args.train) if args.train else None,
        top=args.top,
        holdout=args.holdout,
        positive=args.positive,
    )
    run = task(args.task)
    with progress_bar(None, f"eval {args.task}", enabled=not args.json) as advance:
        result = run(options, lambda: advance("item", 1))
    for key, value in result.items():
        if not isinstance(value, list | dict):
            print(f"{key:>18}  {value}")
    for line in result.get("crashes", []):
        print(f"  crash: {line}")
    if args.json:
        print(json.dumps(result))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from newsdesk.demo.run import run_demo

    return run_demo(port=args.port, serve=not args.no_serve)


def cmd_serve(args: argparse.Namespace) -> int:
    from newsdesk.web.server import serve

    serve(args.host, args.port)
    return 0


# --- argument parsing -----------------------------------------------------------------

Handler = Callable[[argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsdesk",
        description="newsdesk: ingest, understand, draft and publish a policy bulletin.",
        epilog="Exit codes: 0 ok, 1 failed, 2 usage error, 3 database needs `newsdesk migrate`.",
    )
    parser.add_argument("--version", action="version", version="newsdesk 0.1.0")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(
        name: str, handler: Handler, help_text: str, *, db: bool = True
    ) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(handler=handler, needs_schema=db)
        return p

    p = command(
        "migrate",
        cmd_migrate,
        "Create or upgrade the schema of the database DATABASE_URL names.",
        db=False,
    )
    p.add_argument("-v", "--verbose", action="store_true", help="list each migration applied")

    p = command(
        "demo",
        cmd_demo,
        "Build a fresh demo database from fictional feeds, ingest them and serve the site.",
        db=False,
    )
    p.add_argument(
        "--port", type=int, default=8000, help="web server port on 127.0.0.1 (default 8000)"
    )
    p.add_argument("--no-serve", action="store_true", help="stop after ingesting (for tests)")
    p.add_argument("--database", default="newsdesk-demo.sqlite3", help="SQLite file to (re)create")

    p = command("serve", cmd_serve, "Serve the web pages (development server).")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)

    allow_help = "allow fetching from this internal HOST[:PORT] (repeatable)"
    p = command(
        "ingest",
        cmd_ingest,
        "Poll due sources, or the given feed files/URLs, and store new articles.",
    )
    p.add_argument(
        "targets", nargs="*", metavar="FILE_OR_URL", help="feeds to ingest instead of due sources"
    )
    p.add_argument("--publication", metavar="SLUG", help="only this publication's sources")
    p.add_argument("--all", action="store_true", help="poll every enabled source, due or not")
    p.add_argument(
        "--allow-host", action="append", default=[], metavar="HOST[:PORT]", help=allow_help
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument(
        "--json", action="store_true", help="print the run report as JSON on the last line"
    )

    p = command("add", cmd_add, "Add one article: fetch a URL, or --paste text given by an editor.")
    p.add_argument("url", nargs="?", help="page to fetch (or, with --paste, the article's URL)")
    p.add_argument("--paste", action="store_true", help="store text read from stdin or --text-file")
    p.add_argument("--title")
    p.add_argument("--outlet", help="outlet display name (default: the page's site name)")
    p.add_argument("--date", help="publication date, YYYY-MM-DD or ISO timestamp (with --paste)")
    p.add_argument("--url", dest="url_opt", help=argparse.SUPPRESS)
    p.add_argument("--text-file", help="file holding the pasted text (default: stdin)")
    p.add_argument(
        "--allow-host", action="append", default=[], metavar="HOST[:PORT]", help=allow_help
    )

    p = command("stats", cmd_stats, "Counts of publications, sources, articles and duplicates.")
    p.add_argument(
        "--json", action="store_true", help="also print one JSON object on the last line"
    )

    p = command("source", cmd_source, "Manage sources: add, list, import or export OPML.")
    p.add_argument("action", choices=["add", "list", "import", "export"])
    p.add_argument("url", nargs="?", help="feed URL (add)")
    p.add_argument("--file", help="OPML file (import)")
    p.add_argument("--out", help="write OPML here instead of stdout (export)")
    p.add_argument("--outlet", default="", help="outlet display name (add)")
    p.add_argument("--weight", type=float, default=1.0, help="outlet weight for ranking (add)")
    p.add_argument("--publication", metavar="SLUG")
    p.add_argument(
        "--allow-internal", action="store_true", help="allow this source's host even if internal"
    )

    p = command(
        "eval",
        cmd_eval,
        "Score the pipeline on evaluation data (JSON Lines, optionally gzipped).",
        db=False,
    )
    p.add_argument("task", choices=list(EVAL_TASKS))
    p.add_argument("--data", required=True, metavar="FILE", help="records to score")
    p.add_argument("--train", metavar="FILE", help="labelled records to learn from")
    p.add_argument(
        "--holdout",
        type=float,
        metavar="F",
        help="with --train = --data: score on a stable fraction F of it (by id hash)",
    )
    p.add_argument("--top", type=int, default=10, metavar="K", help="topics: the K most frequent")
    p.add_argument(
        "--positive",
        metavar="KIND:NAME",
        help="relevance: what counts as relevant, e.g. places:china or topics:trade",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object on the last line")

    from newsdesk.cli import issues, stories

    issues.register(command)
    stories.register(command)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "add":
        if args.url_opt and args.url and args.paste:
            parser.error("give the URL once")
        args.url = args.url or args.url_opt
    if args.command == "source":
        if args.action == "add" and not args.url:
            parser.error("source add needs a URL")
        if args.action == "import" and not args.file:
            parser.error("source import needs --file OPML")
    if args.command == "demo":  # the demo always builds its own SQLite file
        os.environ["DATABASE_URL"] = f"sqlite:///{Path(args.database).resolve()}"
    try:
        setup_django()
        if args.needs_schema:
            require_schema()
        return int(args.handler(args))
    except CommandError as exc:
        print(f"newsdesk: {exc}", file=sys.stderr)
        return exc.code
    except ValueError as exc:  # bad input from the pipeline (BlockedURLError, FeedError, ...)
        print(f"newsdesk: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except NewsdeskError as exc:
        print(f"newsdesk: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"newsdesk: {where}{exc.strerror or exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("newsdesk: interrupted", file=sys.stderr)
        return 130


def run() -> NoReturn:
    """The console command."""
    sys.exit(main())


if __name__ == "__main__":
    run()
