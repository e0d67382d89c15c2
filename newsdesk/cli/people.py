"""`newsdesk user add|list`: the people who use the desk, their roles and the names
readers see them credited under."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from newsdesk.newsroom.models import Membership
from newsdesk.newsroom.people import add_member, display_name
from newsdesk.newsroom.publications import get_publication
from newsdesk.pipeline.errors import InputError

PASSWORD_VARIABLE = "NEWSDESK_PASSWORD"


def password_given() -> str | None:
    """The password from NEWSDESK_PASSWORD, from the file NEWSDESK_PASSWORD_FILE names,
    or typed twice at a prompt; None when there is none and no terminal to ask at."""
    file_name = os.environ.get(f"{PASSWORD_VARIABLE}_FILE")
    if os.environ.get(PASSWORD_VARIABLE):
        if file_name:  # as for every setting: which one was meant is not ours to guess
            raise InputError(
                f"set either {PASSWORD_VARIABLE} or {PASSWORD_VARIABLE}_FILE, not both"
            )
        return os.environ[PASSWORD_VARIABLE]
    if file_name:
        try:
            text = Path(file_name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{PASSWORD_VARIABLE}_FILE: cannot read {file_name}: {exc}") from None
        return text.rstrip("\r\n") or None
    if not sys.stdin.isatty():
        return None
    first = getpass.getpass("password: ")
    if first != getpass.getpass("password again: "):
        raise InputError("the two passwords differ")
    return first or None


def run_user(args: argparse.Namespace) -> int:
    if args.action == "list":
        rows = Membership.objects.select_related("user", "publication").order_by(
            "publication__slug", "user__username"
        )
        for m in rows:
            print(
                f"{m.publication.slug:<28} {m.user.get_username():<24} {m.role:<12} "
                f"{m.user.email:<32} {display_name(m.user)}".rstrip()
            )
        return 0
    publication = get_publication(args.publication)
    user, created = add_member(
        args.username, args.email, publication, args.role, password_given(), name=args.name
    )
    verb = "added" if created else "updated"
    print(
        f"{verb} {user.get_username()}: {args.role} on {publication.slug}, credited as "
        f"{display_name(user)!r}; log in at /accounts/login/"
    )
    return 0
