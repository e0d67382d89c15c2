"""People and what they may do: roles per publication, and the audit log of every write.

A role allows everything the roles below it allow:

    viewer < contributor < editor < admin

| action    | least role  | what it covers                                                 |
|-----------|-------------|----------------------------------------------------------------|
| read      | viewer      | the desk's pages                                               |
| draft     | contributor | pick a story (drafting it), write and edit draft items         |
| edit      | editor      | dismiss, merge, split, snooze; order and chain; categories     |
| publish   | editor      | publish, schedule, withdraw; import back issues                |
| admin     | admin       | sources, publication settings, people and roles                |

A superuser may do everything on every publication. Views call `require` before
any write and `record` after it, in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser, User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from newsdesk.newsroom.models import AuditEntry, Membership, Publication
from newsdesk.pipeline.errors import ForbiddenError, InputError

Role = Membership.Role
#: each role's rank: a role allows what every lower rank allows
RANK = {Role.VIEWER: 1, Role.CONTRIBUTOR: 2, Role.EDITOR: 3, Role.ADMIN: 4}
#: the least role each action needs
ACTIONS: Mapping[str, str] = {
    "read": Role.VIEWER,
    "draft": Role.CONTRIBUTOR,
    "edit": Role.EDITOR,
    "publish": Role.EDITOR,
    "admin": Role.ADMIN,
}

AnyUser = AbstractBaseUser | AnonymousUser

#: who publishes scheduled issues, in the audit log and the issue's history
SCHEDULER = "scheduler"
#: what the audit log says of a change made with the `newsdesk` command
COMMAND_LINE = "command line"
#: the names the system acts under (the scheduler, workers, imports, set-up commands):
#: they appear in the audit log, never as a credit on what readers see
SYSTEM_ACTORS = frozenset({SCHEDULER, "worker", "import", COMMAND_LINE, "demo", "unknown"})
#: the longest display name (Django's first_name column), and an audit entry's actor
NAME_LENGTH = 150


@dataclass(frozen=True)
class CommandLineUser:
    """Someone changing things with the `newsdesk` command, as the services that the desk
    calls with its logged-in user take them: `name` (`--editor`, else the system user) is
    who the issue's history names and credits, as a desk account's name is; the audit
    log keeps "NAME (command line)", so that an entry is never taken for one made on the
    desk by an account of that name."""

    name: str

    def get_username(self) -> str:
        return self.name


Actor = AnyUser | CommandLineUser


def audit_name(actor: Actor | str) -> str:
    """Who an audit entry says made the change ("unknown" when nobody is named)."""
    if isinstance(actor, CommandLineUser):
        marker = f" ({COMMAND_LINE})"
        return f"{actor.name.strip()[: NAME_LENGTH - len(marker)] or 'unknown'}{marker}"
    name = actor if isinstance(actor, str) else actor.get_username()
    return name or "unknown"


def check_role(role: str) -> str:
    """The role, if it is one of RANK's; else InputError listing them."""
    if role not in RANK:
        raise InputError(f"unknown role {role!r}; roles: {', '.join(RANK)}")
    return role


def role_of(user: AnyUser, publication: Publication) -> str | None:
    """The user's role on the publication ("admin" for a superuser), or None."""
    if not user.is_authenticated or not user.is_active:
        return None
    if getattr(user, "is_superuser", False):
        return Role.ADMIN
    membership = Membership.objects.filter(user_id=user.pk, publication=publication).first()
    return membership.role if membership else None


def allows(role: str | None, action: str) -> bool:
    if action not in ACTIONS:
        raise InputError(f"unknown action {action!r}; known: {', '.join(ACTIONS)}")
    return role is not None and RANK[Role(role)] >= RANK[Role(ACTIONS[action])]


def can(user: AnyUser, publication: Publication, action: str) -> bool:
    return allows(role_of(user, publication), action)


def require(user: AnyUser, publication: Publication, action: str) -> str:
    """The user's role, if it allows the action on the publication; else ForbiddenError."""
    role = role_of(user, publication)
    if not allows(role, action):
        who = user.get_username() if user.is_authenticated else "an anonymous visitor"
        needed = ACTIONS[action]
        raise ForbiddenError(
            f"{who} may not {action} on {publication.slug}: that needs the role {needed} or above"
        )
    return str(role)


def publications_of(user: AnyUser) -> list[tuple[Publication, str]]:
    """The publications the user has a role on, with the role, by name."""
    if not user.is_authenticated or not user.is_active:
        return []
    if getattr(user, "is_superuser", False):
        return [(p, Role.ADMIN) for p in Publication.objects.order_by("name")]
    return [
        (m.publication, m.role)
        for m in Membership.objects.filter(user_id=user.pk)
        .select_related("publication")
        .order_by("publication__name")
    ]


def record(
    actor: Actor | str,
    publication: Publication | None,
    action: str,
    target: str,
    target_id: int | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> AuditEntry:
    """Add one entry to the audit log."""
    return AuditEntry.objects.create(
        publication=publication,
        actor=audit_name(actor),
        action=action,
        target=target,
        target_id=target_id,
        before=dict(before or {}),
        after=dict(after or {}),
        at=at or timezone.now(),
    )


def display_name(user: AbstractBaseUser) -> str:
    """How readers see a person: their full name when one is set, else their log-in name."""
    full = getattr(user, "get_full_name", lambda: "")()
    return " ".join(str(full).split()) or user.get_username()


def credit_of(actor: str) -> str:
    """The name an actor is credited under on what readers see: "" for a system actor,
    a desk account's display name, else the name as given (`--editor NAME`)."""
    actor = actor.strip()
    if not actor or actor in SYSTEM_ACTORS:
        return ""
    user = User.objects.filter(username=actor).first()
    return display_name(user) if user is not None else actor


def set_name(user: User, name: str) -> None:
    """Keep a display name (whole, in Django's first name; the last name is cleared so the
    full name is exactly it); "" removes it, and the log-in name is credited again."""
    name = " ".join(name.split())
    if len(name) > NAME_LENGTH:
        raise InputError(f"a display name holds at most {NAME_LENGTH} characters")
    user.first_name, user.last_name = name, ""


def add_member(
    username: str,
    email: str,
    publication: Publication,
    role: str,
    password: str | None,
    actor: str = COMMAND_LINE,
    name: str | None = None,
) -> tuple[User, bool]:
    """Create the user (or find them) and give them the role on the publication.

    A new user needs a password, checked by Django's validators; an existing user
    keeps theirs unless one is given, and their display name unless `name` is given.
    Returns the user and whether they are new.
    """
    check_role(role)
    username = username.strip()
    if not username:
        raise InputError("give a user name")
    if username in SYSTEM_ACTORS:
        raise InputError(f"{username!r} is a name the system acts under: choose another")
    with transaction.atomic():
        user = User.objects.filter(username=username).first()
        created = user is None
        if user is None:
            if not password:
                raise InputError(
                    f"{username} is new: give a password, in NEWSDESK_PASSWORD, in the file "
                    "NEWSDESK_PASSWORD_FILE names, or typed at the prompt of a terminal"
                )
            user = User(username=username, email=email)
        elif email:
            user.email = email
        if name is not None:
            set_name(user, name)
        if password:
            try:
                validate_password(password, user)
            except ValidationError as exc:
                raise InputError("password refused: " + " ".join(exc.messages)) from None
            user.set_password(password)
        try:  # Django's own rules for the name (150 characters, letters and @.+-_) and email
            user.full_clean()
        except ValidationError as exc:
            problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
            raise InputError(f"user {username[:40]!r} refused: {problems}") from None
        user.save()
        previous = Membership.objects.filter(user=user, publication=publication).first()
        Membership.objects.update_or_create(
            user=user, publication=publication, defaults={"role": role}
        )
        record(
            actor,
            publication,
            "role",
            "user",
            user.pk,
            {"role": previous.role} if previous else {},
            {"user": username, "role": role} | ({"name": name} if name is not None else {}),
        )
    return user, created
