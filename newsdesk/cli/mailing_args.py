"""The arguments of `newsdesk subscribers` (kept beside parser.py, which calls it; no
Django here either)."""

from __future__ import annotations

from newsdesk.cli.arg_types import Command

WHOSE = "the publication whose subscribers they are"


def add_mailing_commands(command: Command) -> None:
    """`subscribers`: a publication's mailing list."""
    p = command(
        "subscribers",
        "newsdesk.cli.subscribers:run_subscribers",
        "A publication's subscribers: import, export, list; delete one's personal data; "
        "the suppression list.",
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    a = actions.add_parser(
        "import",
        help="add subscribers from a CSV file",
        description="Add subscribers from a CSV file with a header: email, and optionally "
        "name, preferences (topic and place names joined by ';') and consent_date. Each "
        "rejected row is reported with its line number; a malformed file changes nothing.",
    )
    a.add_argument("file", metavar="FILE.csv")
    a.add_argument("--publication", required=True, metavar="SLUG", help=WHOSE)
    a.add_argument(
        "--confirmed",
        action="store_true",
        help="you assert the addresses' prior consent (a migrated list): no confirmation "
        "message; without it each new address is asked to confirm",
    )
    a = actions.add_parser(
        "export", help="write the subscribers as CSV", description="Write them as CSV."
    )
    a.add_argument("--publication", required=True, metavar="SLUG", help=WHOSE)
    a.add_argument(
        "--out",
        metavar="FILE",
        help="write here instead of stdout, with UTF-8's byte order mark (for spreadsheets)",
    )
    a = actions.add_parser(
        "list", help="list the subscribers", description="List a publication's subscribers."
    )
    a.add_argument("--publication", required=True, metavar="SLUG", help=WHOSE)
    a.add_argument("--search", metavar="TEXT", help="only those whose address or name has TEXT")
    a = actions.add_parser(
        "delete",
        help="delete an address and all its personal data",
        description="Delete an address, its subscriptions and history; a suppression keeps "
        "its hash so that no import brings it back.",
    )
    a.add_argument("email", metavar="EMAIL")
    a = actions.add_parser(
        "suppress",
        help="never mail an address again (kept as its hash)",
        description="Add an address to the suppression list by hand: it is never mailed "
        "again and imports refuse it. With --publication only that publication's mail "
        "stops; without it, every publication's.",
    )
    a.add_argument("email", metavar="EMAIL")
    a.add_argument(
        "--publication",
        metavar="SLUG",
        help="suppress it for this publication only; without it: for all publications",
    )
    a.add_argument("--note", default="", metavar="TEXT", help="why, for the list (200 characters)")
    a = actions.add_parser(
        "suppressions",
        help="list the suppressed addresses (hashes), with reason and scope",
        description="List the suppression list: each address's hash, the reason, whose "
        "mail it stops (all publications, or one), since when, and the note.",
    )
    a.add_argument(
        "--publication",
        metavar="SLUG",
        help="only those that stop this publication's mail (all publications' and its own); "
        "without it: every suppression",
    )
