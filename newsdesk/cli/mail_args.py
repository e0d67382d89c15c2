"""The arguments of `newsdesk mail` (kept beside parser.py, which calls it; no Django
here either)."""

from __future__ import annotations

import argparse
from urllib.parse import urlsplit

from newsdesk.cli.arg_types import Command
from newsdesk.pipeline.limits import MAX_ID

IMAP_FORM = "expected imaps://user:password@host[:port]/folder (imap:// without TLS)"


def imap_url(value: str) -> str:
    """--imap: the form checked here, so a mistyped URL is a usage error; the message
    never repeats the value, which holds a password."""
    parts = urlsplit(value)
    try:
        port_ok = parts.port is None or parts.port > 0
    except ValueError:  # not a number, or past 65535
        port_ok = False
    if parts.scheme not in ("imap", "imaps") or not parts.hostname or not port_ok:
        raise argparse.ArgumentTypeError(IMAP_FORM)
    return value


def subscriber_numbers(value: str) -> list[int] | str:
    """ "all", or subscriber numbers, comma-separated."""
    if value.strip().lower() == "all":
        return "all"
    try:
        found = [int(part) for part in value.replace(" ", "").split(",") if part]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"give subscriber numbers, comma-separated, or all; not {value[:40]!r}"
        ) from None
    if not found or any(not 0 < n <= MAX_ID for n in found):
        raise argparse.ArgumentTypeError(
            f"give subscriber numbers, comma-separated, or all; not {value[:40]!r}"
        )
    return found


def add_mail_commands(command: Command) -> None:
    """`mail send` an issue to its subscribers, `mail bounces` read what came back."""
    p = command(
        "mail",
        "newsdesk.cli.mail:run_mail",
        "Mail an issue to its subscribers; read bounces and complaints.",
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    a = actions.add_parser(
        "send",
        help="send a published issue to its subscribers",
        description="Send a published issue once to every subscriber confirmed when it was "
        "published, over the SMTP server of EMAIL_HOST. Run it again after a stop: it "
        "resumes; a message that was in flight when a sender died is reported as unknown, "
        "never sent twice.",
    )
    a.add_argument("publication", metavar="PUB", help="the publication's slug")
    a.add_argument("number", metavar="NUMBER", type=int, help="the issue's number")
    a.add_argument(
        "--all-readers",
        action="store_true",
        help="also mail the readers who confirmed after the issue was published "
        "(by default they get the next issue)",
    )
    a.add_argument(
        "--test-to",
        metavar="ADDRESS",
        help="send the whole issue to this address only, recording nothing",
    )
    a = actions.add_parser(
        "unknown",
        help="list an issue's deliveries of unknown fate, or settle them",
        description="List the deliveries a stopped sender left unknown (the server may "
        "or may not have taken them), with the Message-ID to look up in the SMTP "
        "server's log; then mark them sent, or queue them again for the next `mail "
        "send` (a reader whose message did arrive then gets it twice).",
    )
    a.add_argument("publication", metavar="PUB", help="the publication's slug")
    a.add_argument("number", metavar="NUMBER", type=int, help="the issue's number")
    decide = a.add_mutually_exclusive_group()
    decide.add_argument(
        "--sent",
        metavar="SUBSCRIBERS",
        type=subscriber_numbers,
        help="mark these unknown deliveries sent (subscriber numbers, comma-separated, or all)",
    )
    decide.add_argument(
        "--resend",
        metavar="SUBSCRIBERS",
        type=subscriber_numbers,
        help="queue these unknown deliveries again (subscriber numbers, or all)",
    )
    a = actions.add_parser(
        "bounces",
        help="read bounces and complaints; suppress the addresses",
        description="Read delivery status notifications (RFC 3464) and complaint reports "
        "(RFC 5965): a hard bounce suppresses the address for all publications, a "
        "complaint for the publication whose mail it is about; what cannot be read is "
        "reported and left alone.",
    )
    where = a.add_mutually_exclusive_group(required=True)
    where.add_argument("--mbox", metavar="FILE", help="a mailbox file")
    where.add_argument("--maildir", metavar="DIR", help="a maildir (every message in it)")
    where.add_argument(
        "--imap", type=imap_url, metavar="URL", help="imaps://user:password@host/folder"
    )
