"""The arguments of every `newsdesk` command. Imports no Django: `--help` and usage
errors need no database and no settings.

Each command names its handler as "module:function", loaded by cli.main once
Django is set up (a handler's module imports models at its top).
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
from collections.abc import Callable
from typing import TypeVar

from newsdesk.cli.arg_types import (
    Command,
    ShowVersion,
    allowed_host,
    backend_name,
    port_number,
    positive_int,
)
from newsdesk.cli.mail_args import add_mail_commands
from newsdesk.cli.mailing_args import add_mailing_commands
from newsdesk.cli.operations_args import (
    add_backup_commands,
    add_config_commands,
    add_ops_commands,
    add_people_commands,
    add_site_commands,
)
from newsdesk.evaluation import TASKS as EVAL_TASKS

EPILOG = (
    "Exit codes: 0 ok, 1 failed (one line says why), 2 usage error, "
    "3 the database needs `newsdesk migrate`, 4 internal error (a bug: please report it)."
)
FORMATS = ("text", "markdown", "html", "email-html", "email-text", "json")
DECIDES = "who decides (kept with the decision)"

#: commands that run unattended: `newsdesk config check` passes before they start
LONG_RUNNING = ("serve", "worker", "scheduler", "run")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsdesk",
        description="newsdesk: ingest, understand, draft and publish a policy bulletin.",
        epilog=EPILOG,
    )
    parser.add_argument("--version", action=ShowVersion, help="print newsdesk's version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(
        name: str, handler: str, help_text: str, *, schema: bool = True, django: bool = True
    ) -> argparse.ArgumentParser:
        """`schema`: refuse an empty or outdated database; `django`: set Django up (all
        but eval, which reads only files)."""
        p = sub.add_parser(name, help=help_text, description=help_text, epilog=EPILOG)
        p.set_defaults(handler=handler, needs_schema=schema, needs_django=django)
        return p

    add_setup_commands(command)
    add_ingest_commands(command)
    add_newsroom_commands(command)
    add_story_commands(command)
    add_people_commands(command)
    add_ops_commands(command)
    add_config_commands(command)
    add_backup_commands(command)
    add_site_commands(command)
    add_mailing_commands(command)
    add_mail_commands(command)
    for name in LONG_RUNNING:  # they refuse to start with a bad configuration
        if name in sub.choices:
            sub.choices[name].set_defaults(check_config=True)
    return parser


#: the years a bulletin's news falls in: a date outside them is a typo
FIRST_YEAR, LAST_YEAR = 1900, 2200
A_DATE = "a date like 2026-11-22"
A_TIME = "a time like 2026-11-22T09:00"
A_DATE_OR_TIME = f"{A_DATE} or {A_TIME}"
When = TypeVar("When", bound=dt.date)


def read_when(value: str, expected: str, parse: Callable[[str], When]) -> When:
    """`value` read by `parse`, in the years of FIRST_YEAR to LAST_YEAR; else a type error
    argparse shows after the option's name: "argument --date: expected ..., not ... (why)"."""
    try:
        parsed = parse(value.strip())
    except ValueError as exc:
        why = str(exc)
        if why.startswith("offset"):  # Python's reason names its timedelta type
            why = "the zone must be less than 24 hours from UTC"
        why = "" if why.startswith("Invalid isoformat") else f" ({why})"
        raise argparse.ArgumentTypeError(f"expected {expected}, not {value!r}{why}") from None
    if not FIRST_YEAR <= parsed.year <= LAST_YEAR:
        raise argparse.ArgumentTypeError(
            f"expected {expected}, not {value!r} (years {FIRST_YEAR} to {LAST_YEAR} only)"
        )
    return parsed


def iso_day(value: str) -> dt.date:
    return read_when(value, A_DATE, dt.date.fromisoformat)


def iso_time(value: str, expected: str = A_TIME) -> dt.datetime:
    """An ISO time; without a zone, UTC."""
    parsed = read_when(value, expected, dt.datetime.fromisoformat)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def fraction(value: str) -> float:
    """A number strictly between 0 and 1."""
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not 0 < number < 1:
        raise argparse.ArgumentTypeError(f"expected a fraction between 0 and 1, not {value!r}")
    return number


def word_range(value: str) -> tuple[int, int]:
    """ "MIN-MAX" words, 1 <= MIN <= MAX."""
    low, dash, high = value.partition("-")
    if not (dash and low.strip().isdigit() and high.strip().isdigit()):
        raise argparse.ArgumentTypeError(f"expected MIN-MAX words such as 50-80, not {value!r}")
    if not 1 <= int(low) <= int(high):
        raise argparse.ArgumentTypeError(f"MIN must be at least 1 and at most MAX, not {value!r}")
    return int(low), int(high)


def kind_and_name(value: str) -> str:
    """eval relevance's --positive: places:NAME or topics:NAME."""
    kind, colon, name = value.partition(":")
    if not (colon and kind in ("places", "topics") and name.strip()):
        raise argparse.ArgumentTypeError(
            f"expected places:NAME or topics:NAME, such as places:china, not {value!r}"
        )
    return value


def day_or_time_text(value: str) -> str:
    """A day or an ISO time, checked here and passed on in ISO form (the handler's own
    validation reads it again, for callers other than the command line)."""
    if is_day(value):
        return read_when(value, A_DATE_OR_TIME, dt.date.fromisoformat).isoformat()
    return read_when(value, A_DATE_OR_TIME, dt.datetime.fromisoformat).isoformat()


def time_or_end_of_day(value: str) -> dt.datetime:
    """An ISO time, or a day meaning its last second (UTC without a zone)."""
    if is_day(value):
        day = read_when(value, A_DATE_OR_TIME, dt.date.fromisoformat)
        return dt.datetime.combine(day, dt.time.max.replace(microsecond=0), dt.UTC)
    return iso_time(value, A_DATE_OR_TIME)


def time_or_start_of_day(value: str) -> dt.datetime:
    """An ISO time, or a day meaning its first second (UTC without a zone): the start
    of a window, so that a window from a day holds that day."""
    if is_day(value):
        day = read_when(value, A_DATE_OR_TIME, dt.date.fromisoformat)
        return dt.datetime.combine(day, dt.time.min, dt.UTC)
    return iso_time(value, A_DATE_OR_TIME)


def is_day(value: str) -> bool:
    """Whether `value` is written as a day alone (existing or not: 2026-02-30 is one)."""
    return re.fullmatch(r"\d{4}-?\d{2}-?\d{2}", value.strip()) is not None


def allow_hosts(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--allow-host",
        action="append",
        default=[],
        type=allowed_host,
        metavar="HOST[:PORT]",
        help="allow fetching from this internal HOST[:PORT] (repeatable)",
    )


def add_setup_commands(command: Command) -> None:
    p = command(
        "migrate",
        "newsdesk.cli.database:run_migrate",
        "Create or upgrade the schema of the database DATABASE_URL names.",
        schema=False,
    )
    p.add_argument("-v", "--verbose", action="store_true", help="list each migration applied")

    p = command(
        "demo",
        "newsdesk.cli.demo:run_demo",
        "Build a fresh demo database from fictional feeds, ingest them and serve the site.",
        schema=False,
    )
    p.add_argument(
        "--port", type=port_number, default=8000, help="web server port on 127.0.0.1 (default 8000)"
    )
    p.add_argument("--no-serve", action="store_true", help="build the demo (to No. 101), then stop")
    p.add_argument(
        "--database",
        default="newsdesk-demo.sqlite3",
        help="SQLite file to create, or an earlier demo's to replace (no other file); its "
        "secret key is kept beside it (NAME.secret)",
    )

    p = command(
        "serve",
        "newsdesk.cli.web:run_serve",
        "Serve the web pages (development server; --production for the production server).",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=port_number, default=8000, help="1 to 65535 (default 8000)")
    p.add_argument(
        "--production",
        action="store_true",
        help="serve with the production server (Granian worker processes, docs/site.md)",
    )
    p.add_argument(
        "--workers",
        type=positive_int,
        help="with --production: worker processes (default: one a CPU)",
    )
    p.add_argument(
        "--threads",
        type=positive_int,
        help="with --production: threads a worker answers with (default 4)",
    )

    p = command(
        "stats",
        "newsdesk.cli.database:run_stats",
        "Counts of publications, sources, articles and duplicates.",
    )
    p.add_argument(
        "--json", action="store_true", help="also print one JSON object on the last line"
    )

    p = command(
        "eval",
        "newsdesk.cli.evaluate:run_eval",
        "Score the pipeline on evaluation data (JSON Lines, optionally gzipped).",
        schema=False,
        django=False,
    )
    p.add_argument("task", choices=list(EVAL_TASKS))
    p.add_argument("--data", required=True, metavar="FILE", help="records to score")
    p.add_argument("--train", metavar="FILE", help="labelled records to learn from")
    p.add_argument(
        "--holdout",
        type=fraction,
        metavar="F",
        help="with --train = --data: score on a stable fraction F of it (by id hash)",
    )
    p.add_argument(
        "--holdout-latest",
        type=fraction,
        metavar="F",
        help="with --train = --data: score on its latest fraction F by `published`, "
        "train on the earlier records (and those without a date)",
    )
    p.add_argument(
        "--top", type=positive_int, default=10, metavar="K", help="topics: the K most frequent"
    )
    p.add_argument(
        "--per-class",
        type=positive_int,
        metavar="K",
        help="topics: train on K examples per topic, drawn with fixed seeds (mean of 3 draws)",
    )
    p.add_argument(
        "--positive",
        type=kind_and_name,
        metavar="KIND:NAME",
        help="relevance: what counts as relevant, e.g. places:china or topics:trade",
    )
    p.add_argument(
        "--backend",
        type=backend_name,
        default="extractive",
        metavar="NAME",
        help="summarization: the drafting backend (default extractive; options from the "
        "environment as for `draft`)",
    )
    p.add_argument(
        "--words",
        type=word_range,
        metavar="MIN-MAX",
        help="summarization: the body's word budget (default the house style's 90-160)",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object on the last line")


def add_ingest_commands(command: Command) -> None:
    p = command(
        "ingest",
        "newsdesk.cli.ingest:run_ingest",
        "Poll due sources, or the given feed files/URLs, and store new articles.",
    )
    p.add_argument(
        "targets", nargs="*", metavar="FILE_OR_URL", help="feeds to ingest instead of due sources"
    )
    p.add_argument("--publication", metavar="SLUG", help="only this publication's sources")
    p.add_argument("--all", action="store_true", help="poll every enabled source, due or not")
    allow_hosts(p)
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument(
        "--json", action="store_true", help="print the run report as JSON on the last line"
    )

    p = command(
        "add",
        "newsdesk.cli.add:run_add",
        "Add one article: fetch a URL, or --paste text given by an editor.",
    )
    p.add_argument("url", nargs="?", help="page to fetch (or, with --paste, the article's URL)")
    p.add_argument("--paste", action="store_true", help="store text read from stdin or --text-file")
    p.add_argument("--title", help="the article's title (with --paste)")
    p.add_argument("--outlet", help="outlet display name (default: the page's site name)")
    p.add_argument(
        "--date",
        type=day_or_time_text,
        help="publication date, YYYY-MM-DD or ISO timestamp (with --paste)",
    )
    p.add_argument("--url", dest="url_opt", help=argparse.SUPPRESS)
    p.add_argument("--text-file", help="file holding the pasted text (default: stdin)")
    allow_hosts(p)

    p = command(
        "source",
        "newsdesk.cli.sources:run_source",
        "Manage sources: add, list, enable or disable (polled or not; articles kept), "
        "import or export OPML.",
    )
    p.add_argument("action", choices=["add", "list", "enable", "disable", "import", "export"])
    p.add_argument(
        "url", nargs="?", help="feed URL (add); feed URL or number from list (enable, disable)"
    )
    p.add_argument("--file", help="OPML file (import)")
    p.add_argument("--out", help="write OPML here instead of stdout (export)")
    p.add_argument("--outlet", default="", help="outlet display name (add)")
    p.add_argument(
        "--weight",
        type=float,
        default=1.0,
        help="outlet weight for ranking, above 0 and at most 10 (add; default 1)",
    )
    p.add_argument(
        "--time-zone",
        default="",
        metavar="ZONE",
        help="the outlet's IANA time zone, e.g. Asia/Taipei, for a feed that writes only UTC (add)",
    )
    p.add_argument(
        "--publication",
        metavar="SLUG",
        help="the publication the sources are for (add, import), or whose sources (list, "
        "export, enable, disable)",
    )
    p.add_argument(
        "--allow-internal",
        action="store_true",
        help="allow the source's host even if internal (add, import)",
    )


def add_newsroom_commands(command: Command) -> None:
    """`publication`, `item` and `issue`."""
    p = command(
        "publication",
        "newsdesk.cli.issues:run_publication",
        "Manage publications: add, list, show.",
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    a = actions.add_parser("add", help="add a publication", description="Add a publication.")
    a.add_argument("slug")
    a.add_argument("--name", required=True, help="its name, as issues are titled with it")
    a.add_argument(
        "--first-number",
        type=int,
        default=1,
        help="number of its first issue (an archive at No. 1613 continues at 1614)",
    )
    a.add_argument("--description", default="", help="a line about it, shown on its pages")
    actions.add_parser("list", help="list publications", description="List publications.")
    s = actions.add_parser(
        "show",
        help="settings, vocabularies and next number",
        description="Show a publication's settings, vocabularies and next number.",
    )
    s.add_argument("slug")

    p = command(
        "item",
        "newsdesk.cli.issues:run_item",
        "Write items from a JSON file (headline, body, sources, ...).",
    )
    p.add_argument("publication", metavar="PUB")
    p.add_argument("file", metavar="ITEMS.json")
    p.add_argument("--editor", help="who wrote them (default: your user name)")

    p = command(
        "draft",
        "newsdesk.cli.drafts:run_draft",
        "Draft an item for a story, with every quote, figure, name and sentence checked "
        "against its articles (exit 1 when a check fails).",
    )
    p.add_argument("story", type=int, metavar="STORY_ID")
    add_backend_option(p)
    p.add_argument("--publication", metavar="SLUG", help="whose style (default: the only one)")
    p.add_argument(
        "--cite",
        type=int,
        action="append",
        metavar="ARTICLE_ID",
        help="the article to attribute (repeat for several; default: the most informative)",
    )
    p.add_argument("--save", action="store_true", help="store the draft as an item")
    p.add_argument("--json", action="store_true", help="the draft and its report as JSON")
    p.add_argument("--every", action="store_true", help="list the checks that passed too")
    p.add_argument("--editor", help="who saves it (default: your user name)")

    p = command(
        "issue",
        "newsdesk.cli.issues:run_issue",
        "Build, publish, render, import and export issues.",
    )
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
        "import",
        "Import back issues (text, HTML or exported JSON) as published: files, or folders "
        "of them (an archive of hundreds), with a table of what happened to each.",
        draft=False,
    )
    a.add_argument("files", nargs="+", metavar="DIR_OR_FILE")
    a.add_argument(
        "--publication", required=True, metavar="SLUG", help="whose back issues they are"
    )
    a.add_argument(
        "--dry-run",
        action="store_true",
        help="read and check everything, report as an import would, store nothing",
    )
    a.add_argument(
        "--date",
        type=iso_day,
        help="issue date YYYY-MM-DD (default: the page's, else the latest source date)",
    )
    a.add_argument(
        "--also-titled",
        action="append",
        default=[],
        metavar="NAME",
        help="an earlier name of the publication that back issues are titled with "
        "(repeat for several)",
    )
    action("list", "List a publication's issues and drafts.", draft=False)
    a = action("render", "Render an issue (by number, or a draft) in one format.")
    a.add_argument("number", type=int, nargs="?", metavar="NUMBER")
    a.add_argument("--format", choices=FORMATS, default="text", help="(default text)")
    a = action("export", "Write every issue as JSON plus its text rendering.", draft=False)
    a.add_argument("--out", required=True, metavar="DIR", help="the folder to write them to")
    a = action("new", "Start a draft issue.", draft=False)
    a.add_argument(
        "--date", type=iso_day, help="issue date YYYY-MM-DD (default: the day it is published)"
    )
    action("show", "Show a draft's items, order, chains and problems.")
    a = action("add", "Add items to the draft (in this order, after its current items).")
    a.add_argument("items", nargs="+", type=int, metavar="ITEM")
    a = action("order", "Set the order of the draft's items (name each once).")
    a.add_argument("items", nargs="+", type=int, metavar="ITEM")
    a = action("chain", "Chain items: they render joined by '...', in the order given.")
    a.add_argument("items", nargs="+", type=int, metavar="ITEM")
    a = action("publish", "Publish the draft: assign the next number atomically.")
    a.add_argument(
        "--at", type=iso_time, metavar="TIME", help="schedule for this ISO time instead of now"
    )
    a.add_argument(
        "--override", metavar="REASON", help="publish despite failed checks; the reason is recorded"
    )
    action(
        "unschedule",
        "Cancel the draft's scheduled publication (`publish --at`): it stays a draft.",
    )
    a = action("withdraw", "Withdraw a published issue (its number is never reused).", draft=False)
    a.add_argument("number", type=int, metavar="NUMBER")
    a.add_argument(
        "--reason", required=True, help="why: kept in the issue's history (readers will ask)"
    )
    a = action(
        "draft",
        "Draft the week's picked stories (or the top N) into a new draft issue, "
        "in the suggested order, with suggested chains and every item checked.",
        draft=False,
    )
    a.set_defaults(handler="newsdesk.cli.drafts:run_issue_draft")
    a.add_argument("--top", type=positive_int, metavar="N", help="draft the best N stories")
    add_backend_option(a)
    a.add_argument(
        "--as-of", type=time_or_end_of_day, help="end of the week (default: now; a day: its end)"
    )


def add_backend_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--backend",
        type=backend_name,
        metavar="NAME",
        help="drafting backend: extractive (offline) or openai (default: "
        "NEWSDESK_DRAFT_BACKEND, else extractive)",
    )


def add_story_commands(command: Command) -> None:
    """`enrich`, `stories` and `profile`."""
    p = command(
        "enrich",
        "newsdesk.cli.stories:run_enrich",
        "Tag places, quotes, figures and language of articles.",
    )
    p.add_argument("--force", action="store_true", help="redo articles already enriched")
    p.add_argument("--quiet", action="store_true", help="no progress bar")

    p = command(
        "stories",
        "newsdesk.cli.stories:run_stories",
        "Cluster articles into stories, rank them, merge, split.",
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    a = actions.add_parser(
        "cluster",
        help="(re)cluster recent articles into stories",
        description="(Re)cluster the articles of a window into stories.",
    )
    a.add_argument(
        "--since",
        type=time_or_start_of_day,
        help="start of the window (default: 14 days before --until; a day: its start)",
    )
    a.add_argument("--until", type=time_or_end_of_day, help="end of the window (default: now)")
    a = actions.add_parser(
        "list",
        help="every story of a window with its articles' URLs, outlets and dates",
        description="List the stories of a window (all stories by default) with their "
        "articles: canonical URL, outlet and date of each.",
    )
    a.add_argument(
        "--since", type=time_or_start_of_day, help="stories seen from then on (a day: its start)"
    )
    a.add_argument("--until", type=time_or_end_of_day, help="stories first seen by then")
    a.add_argument("--json", action="store_true", help='one JSON object: {"stories": [...]}')
    a = actions.add_parser(
        "rank",
        help="the week's stories for a publication, best first",
        description="Rank the week's stories for a publication.",
    )
    a.add_argument("publication", metavar="PUB")
    a.add_argument(
        "--as-of", type=time_or_end_of_day, help="end of the week (default: now; a day: its end)"
    )
    a.add_argument("--days", type=positive_int, default=7, help="length of the week in days")
    a.add_argument("--limit", type=positive_int, default=20, help="show the best N stories")
    a.add_argument("--why", action="store_true", help="print the reasons for each score")
    a.add_argument(
        "--no-train",
        action="store_true",
        help="rank with the models as they are, even if they are due for retraining",
    )
    a = actions.add_parser(
        "show",
        help="one story's articles and quotes",
        description="Show one story's articles, lead and quotes.",
    )
    a.add_argument("story", type=int)
    a = actions.add_parser(
        "merge",
        help="merge OTHER into STORY (remembered)",
        description="Merge story OTHER into STORY; re-clustering keeps it.",
    )
    a.add_argument("story", type=int)
    a.add_argument("other", type=int)
    a.add_argument("--editor", help=DECIDES)
    a = actions.add_parser(
        "split",
        help="move articles out of a story (remembered)",
        description="Move articles out into a new story; re-clustering keeps them apart.",
    )
    a.add_argument("story", type=int)
    a.add_argument("articles", type=int, nargs="+")
    a.add_argument("--editor", help=DECIDES)
    a = actions.add_parser(
        "categories",
        help="confirm or reject a story's categories (training labels)",
        description="Show a story's category suggestions; confirm or reject categories of "
        "the publication's vocabulary (topics or places). Decisions train the models.",
    )
    a.add_argument("publication", metavar="PUB")
    a.add_argument("story", type=int)
    a.add_argument(
        "--confirm", action="append", default=[], metavar="NAME", help="a category (repeatable)"
    )
    a.add_argument(
        "--reject", action="append", default=[], metavar="NAME", help="a category (repeatable)"
    )
    a.add_argument("--editor", help=DECIDES)
    for name in ("pick", "dismiss"):
        a = actions.add_parser(
            name,
            help=f"{name} a story for a publication (a training label)",
            description=f"Record that an editor {name}ed a story.",
        )
        a.add_argument("publication", metavar="PUB")
        a.add_argument("story", type=int)

    p = command(
        "profile",
        "newsdesk.cli.stories:run_profile",
        "A publication's topic profile: show, set, train.",
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    a = actions.add_parser("show", help="show the profile", description="Show the profile.")
    a.add_argument("publication", metavar="PUB")
    a = actions.add_parser("set", help="set rules", description="Set the profile's rules.")
    a.add_argument("publication", metavar="PUB")
    a.add_argument(
        "--description", help="what the publication covers; its words count toward relevance"
    )
    a.add_argument("--include", help="comma-separated terms that make a story relevant")
    a.add_argument("--exclude", help="comma-separated terms that make it irrelevant")
    a.add_argument("--require-places", help="comma-separated place codes, at least one needed")
    a = actions.add_parser(
        "train",
        help="learn from published items, picks and category decisions",
        description="Train relevance and topic models. With --due, only those whose labels "
        "changed or that are older than NEWSDESK_RETRAIN_DAYS: run it on a schedule.",
    )
    a.add_argument("publication", metavar="PUB", nargs="?")
    a.add_argument(
        "--due", action="store_true", help="train only what is due (every publication if no PUB)"
    )
