"""Usage errors argparse cannot express: arguments that must come together, or that
contradict each other. Each exits like one of argparse's (exit 2, the command's usage
and one line naming the option), before Django is set up; no Django here either."""

from __future__ import annotations

import argparse
import datetime as dt

PASTE_FIELDS = "--title, --outlet, --date and the URL"
#: how a window's ends are shown (they are read as UTC without a zone)
WHEN = "%Y-%m-%d %H:%M"


def check_usage(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """What argparse cannot express; exits with a usage error like argparse."""
    if args.command == "add":
        check_add(command_parser(parser, "add"), args)
    if args.command == "serve" and not args.production and (args.workers or args.threads):
        command_parser(parser, "serve").error("--workers and --threads go with --production")
    if args.command == "source":
        source = command_parser(parser, "source")
        if args.action == "add" and not args.url:
            source.error("source add needs a URL")
        if args.action in ("enable", "disable") and not args.url:
            source.error(f"source {args.action} needs the source's number or feed URL")
        if args.action == "import" and not args.file:
            source.error("source import needs --file OPML")
    if args.command == "stories" and args.action in ("cluster", "list"):
        check_window(command_parser(parser, "stories", args.action), args)
    if args.command == "profile" and args.action == "train":
        check_training(command_parser(parser, "profile", "train"), args)


def check_add(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """A URL to fetch, or --paste with every field of the article (the text aside: it is
    input, read later)."""
    if args.url_opt and args.url and args.paste:
        parser.error("give the URL once")
    args.url = args.url or args.url_opt
    if not args.paste:
        if not args.url:
            parser.error(f"give a URL to fetch, or --paste with {PASTE_FIELDS}")
        return
    given = {"--title": args.title, "--outlet": args.outlet, "--date": args.date, "URL": args.url}
    missing = [name for name, value in given.items() if not (value or "").strip()]
    if missing:
        parser.error(f"--paste needs {PASTE_FIELDS}; missing: {', '.join(missing)}")


def check_training(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """`profile train` trains one publication, or with --due those that are due."""
    if args.publication is None and not args.due:
        parser.error("name the publication (PUB), or give --due to train every one that is due")


def check_window(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """--since after --until is a window that holds nothing: a typo, said as one. Without
    --until, `stories cluster` ends its window now."""
    if args.since is None:
        return
    since = args.since.astimezone(dt.UTC)
    until = args.until.astimezone(dt.UTC) if args.until else None
    if until is not None and since > until:
        parser.error(
            f"--since {since:{WHEN}} is after --until {until:{WHEN}} (UTC): the window "
            "would hold nothing"
        )
    if until is None and args.action == "cluster" and since > dt.datetime.now(dt.UTC):
        parser.error(
            f"--since {since:{WHEN}} (UTC) is in the future, and the window ends now "
            "without --until"
        )


def command_parser(parser: argparse.ArgumentParser, *names: str) -> argparse.ArgumentParser:
    """The parser of sub-command `names` (such as "stories", "cluster"): its errors show
    its own usage."""
    for name in names:
        parser = next(
            action.choices[name]
            for action in parser._actions  # argparse keeps sub-commands only here
            if isinstance(action, argparse._SubParsersAction)
        )
    return parser
