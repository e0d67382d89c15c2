"""The issue builder: a publication's draft issue as the desk shows it, and what an
editor does to it there, each change written to the audit log in its own transaction.

Ordering, chaining, adding, sections, publishing and withdrawing are the issue
services' (`items.py`, `numbering.py`); the suggested order and chains are drafting's
(`drafting.suggested_plan`). This module puts them together for one page, keeps an
item's checks in step with its chain (a headline's "..." depends on its neighbours).
Scheduled issues are published when they are due by `scheduled.publish_due`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import smtplib
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from newsdesk.newsroom import checks, numbering
from newsdesk.newsroom.drafting import suggested_plan
from newsdesk.newsroom.items import (
    add_items,
    chain_items,
    order_items,
    place_in_section,
    set_sections,
)
from newsdesk.newsroom.models import AuditEntry, Issue, IssueEvent, Item, Publication
from newsdesk.newsroom.people import Actor, record
from newsdesk.newsroom.publications import style_of
from newsdesk.newsroom.reading import render
from newsdesk.pipeline.errors import ConflictError, InputError, IssueError
from newsdesk.pipeline.issue.style import Style
from newsdesk.pipeline.text import word_count

#: how many items outside an issue, and published issues, the page lists
CANDIDATES = 50
RECENT_ISSUES = 5
HISTORY = 30
#: a second press of Start or Send test email within this time does it once
AGAIN = dt.timedelta(seconds=10)


@dataclass(frozen=True)
class Row:
    """One item of the issue as the builder lists it."""

    item: Item
    words: int
    checked: bool  # False when the item has no stored article to check against
    ok: bool
    flags: tuple[str, ...]
    heading: str = ""  # the section that starts with this item, when it has one
    first_in_section: bool = False  # nothing before it to move above or chain to
    last_in_section: bool = False


@dataclass(frozen=True)
class Problem:
    """Why the issue may not be published as it stands, with the item it is about."""

    text: str
    item_id: int | None = None  # None: about the issue (it has no items)


@dataclass(frozen=True)
class Suggestion:
    """Drafting's order and chains for the issue's items (those from ranked stories)."""

    order: tuple[Item, ...]
    chains: tuple[tuple[tuple[Item, ...], str], ...]  # items of a chain, and why
    differs: bool  # whether applying it would change the issue


@dataclass(frozen=True)
class Builder:
    publication: Publication
    issue: Issue | None  # None: the publication has no draft issue
    drafts: tuple[Issue, ...]  # every open draft (scheduled ones included)
    number_to_be: int
    rows: tuple[Row, ...]
    candidates: tuple[Item, ...]
    problems: tuple[Problem, ...]
    suggestion: Suggestion | None
    published: tuple[Issue, ...]  # the latest published issues, to withdraw
    history: tuple[AuditEntry, ...]
    style: Style
    sectioned: bool = False  # the style has sections on, or the issue has some


def open_drafts(publication: Publication) -> list[Issue]:
    return list(
        Issue.objects.filter(
            publication=publication, status__in=[Issue.Status.DRAFT, Issue.Status.SCHEDULED]
        ).order_by("id")
    )


def builder(publication: Publication, draft_id: int | None = None) -> Builder:
    """The draft issue asked for, else the publication's oldest open draft."""
    publication.refresh_from_db(fields=["next_number"])
    drafts = open_drafts(publication)
    issue = next((d for d in drafts if d.pk == draft_id), drafts[0] if drafts else None)
    items = issue_items(issue) if issue else []
    style = style_of(publication)
    return Builder(
        publication=publication,
        issue=issue,
        drafts=tuple(drafts),
        number_to_be=publication.next_number,
        rows=_rows(items),
        candidates=tuple(
            Item.objects.filter(publication=publication, issue=None).order_by("-created", "-id")[
                :CANDIDATES
            ]
        ),
        problems=_problems(issue, items) if issue else (),
        suggestion=suggestion(issue, items) if issue else None,
        published=tuple(
            Issue.objects.filter(publication=publication, status=Issue.Status.PUBLISHED).order_by(
                "-number"
            )[:RECENT_ISSUES]
        ),
        history=tuple(
            AuditEntry.objects.filter(target="issue", target_id=issue.pk).order_by("-at", "-id")[
                :HISTORY
            ]
        )
        if issue
        else (),
        style=style,
        sectioned=style.sections or bool(issue and issue.sections),
    )


def issue_items(issue: Issue) -> list[Item]:
    return list(issue.items.order_by("position", "id").select_related("story"))


def _rows(items: Sequence[Item]) -> tuple[Row, ...]:
    """The items as listed, in the stored order (which follows the sections)."""
    rows = []
    for k, item in enumerate(items):
        verification = item.verification or {}
        first = k == 0 or items[k - 1].section != item.section
        rows.append(
            Row(
                item=item,
                words=word_count(item.body),
                checked="ok" in verification,
                ok=verification.get("ok") is not False,
                flags=tuple(str(f) for f in verification.get("flags", [])),
                heading=item.section if first else "",
                first_in_section=first,
                last_in_section=k + 1 == len(items) or items[k + 1].section != item.section,
            )
        )
    return tuple(rows)


def _problems(issue: Issue, items: Sequence[Item]) -> tuple[Problem, ...]:
    """numbering.problems, each with the item it names ("item #24 (...): ..."), so the
    page links it to the item editor."""
    found = []
    for text in numbering.problems(issue):
        about = next((i.pk for i in items if text.startswith(f"item #{i.pk} (")), None)
        found.append(Problem(text, about))
    return tuple(found)


def suggestion(issue: Issue, items: Sequence[Item]) -> Suggestion | None:
    """The suggested order and chains, or None when fewer than two items come from
    ranked stories (nothing to suggest)."""
    by_story: dict[str, Item] = {}
    for item in items:
        if item.story_id is not None:
            by_story.setdefault(str(item.story_id), item)
    if len(by_story) < 2:
        return None
    plan = suggested_plan(issue.publication, [i.story for i in by_story.values() if i.story])
    planned = [by_story[k] for k in plan.order if k in by_story]
    if len(planned) < 2:
        return None
    order = (*planned, *(i for i in items if i not in planned))
    chains = tuple(
        (tuple(by_story[k] for k in chain.keys if k in by_story), chain.reason)
        for chain in plan.chains
    )
    suggested_chained = {i.pk for members, _ in chains for i in members[1:]}
    differs = [i.pk for i in order] != [i.pk for i in items] or suggested_chained != {
        i.pk for i in items if i.chained_to_previous
    }
    return Suggestion(order=order, chains=chains, differs=differs)


def state(issue: Issue) -> dict[str, object]:
    """What the audit log keeps of an issue before and after a change."""
    issue.refresh_from_db()
    rows = list(
        issue.items.order_by("position", "id").values_list("pk", "chained_to_previous", "section")
    )
    sections = {str(pk): section for pk, _, section in rows if section}
    return {
        "status": issue.status,
        "number": issue.number,
        "scheduled_for": issue.scheduled_for.isoformat() if issue.scheduled_for else None,
        "order": [pk for pk, _, _ in rows],
        "chained": [pk for pk, chained, _ in rows if chained],
    } | ({"sections": issue.sections, "item_sections": sections} if issue.sections else {})


class StaleIssue(ConflictError):
    """The issue changed after the page a change was made on was rendered."""

    kind = "stale-issue"


def version_of(issue: Issue) -> str:
    """A fingerprint of what the builder shows of the issue's state (status, order,
    chains, sections): every form of the page sends it back with its change."""
    fingerprint = json.dumps(state(issue), sort_keys=True, default=str)
    return hashlib.sha256(fingerprint.encode()).hexdigest()[:16]


def require_version(issue: Issue, version: str) -> None:
    """StaleIssue unless the issue is still as the page showed it (`version`); call it
    in the change's transaction: it locks the issue's row until the change is made."""
    Issue.objects.select_for_update().filter(pk=issue.pk).first()
    if version == version_of(issue):
        return
    latest = (
        AuditEntry.objects.filter(target="issue", target_id=issue.pk).order_by("-at", "-id").first()
    )
    who = (
        f" ({latest.actor}: {latest.action}, {timezone.localtime(latest.at):%H:%M})"
        if latest
        else ""
    )
    raise StaleIssue(
        f"{issue.title} changed since this page was loaded{who}; nothing was changed. "
        "The page now shows it as it is: make your change again if it still applies."
    )


def _recheck(items: Sequence[Item]) -> None:
    """Check the items again: a chain changes a headline's "...", so its checks."""
    for item in items:
        item.refresh_from_db()
        checks.check_item(item)


def _item_of(issue: Issue, item_id: int) -> tuple[list[Item], int]:
    items = issue_items(issue)
    for index, item in enumerate(items):
        if item.pk == item_id:
            return items, index
    raise IssueError(f"item #{item_id} is not in {issue.title}")


def start(publication: Publication, user: Actor) -> Issue:
    """A new draft issue; the same person's empty draft of a moment ago when the button
    was pressed twice (a double click on a slow server)."""
    with transaction.atomic():
        recent = _just_done(user, publication, "issue-new")
        again = Issue.objects.filter(
            pk__in=[e.target_id for e in recent], status=Issue.Status.DRAFT, items__isnull=True
        ).first()
        if again is not None:
            return again
        return new(publication, user)


def new(publication: Publication, user: Actor, date: dt.date | None = None) -> Issue:
    """A new draft issue, dated `date` (else the day it is published)."""
    with transaction.atomic():
        issue = numbering.new_issue(publication, user.get_username(), date)
        record(user, publication, "issue-new", "issue", issue.pk, {}, state(issue))
    return issue


def _just_done(user: Actor, publication: Publication, action: str) -> list[AuditEntry]:
    """The user's audit entries of `action` on the publication in the last AGAIN."""
    since = timezone.now() - AGAIN
    return list(
        AuditEntry.objects.filter(
            publication=publication, actor=user.get_username(), action=action, at__gte=since
        )
    )


def reorder(issue: Issue, item_ids: Sequence[int], user: Actor, action: str = "order") -> None:
    """Put the items in this order (every item of the issue named once); a chained
    item stays joined to whatever now stands before it."""
    with transaction.atomic():
        before = state(issue)
        order_items(issue, item_ids, user.get_username())
        _recheck(issue_items(issue))
        record(user, issue.publication, f"issue-{action}", "issue", issue.pk, before, state(issue))


def move(issue: Issue, item_id: int, step: int, user: Actor) -> None:
    """Move an item one place up (step -1) or down (step 1)."""
    items, index = _item_of(issue, item_id)
    target = index + step
    if step not in (-1, 1) or not 0 <= target < len(items):
        raise IssueError(
            f"item #{item_id} is already {'first' if target < 0 else 'last'} in the issue"
        )
    if items[target].section != items[index].section:
        raise IssueError(
            f"item #{item_id} is already {'first' if step < 0 else 'last'} in its section; "
            "choose another section for it to move it there"
        )
    ids = [i.pk for i in items]
    ids[index], ids[target] = ids[target], ids[index]
    reorder(issue, ids, user, action="move")


def link(issue: Issue, item_id: int, chained: bool, user: Actor) -> None:
    """Chain the item to the one before it, or break it off the chain (the chain's
    other links stay)."""
    numbering.require_draft(issue)
    items, index = _item_of(issue, item_id)
    if chained and index == 0:
        raise IssueError("the first item has no item before it to chain to")
    if chained and items[index - 1].section != items[index].section:
        raise IssueError("a chain stays within a section: this item starts its section")
    with transaction.atomic():
        before = state(issue)
        Item.objects.filter(pk=item_id).update(chained_to_previous=chained)
        IssueEvent.objects.create(
            issue=issue,
            kind="chained" if chained else "unchained",
            at=timezone.now(),
            actor=user.get_username(),
            detail={"items": [items[index - 1].pk, item_id] if index else [item_id]},
        )
        _recheck(items[max(index - 1, 0) : index + 1])
        action = "issue-chain" if chained else "issue-unchain"
        record(user, issue.publication, action, "issue", issue.pk, before, state(issue))


def chain(issue: Issue, item_ids: Sequence[int], user: Actor) -> None:
    """Chain the items in the order given, moved together where the first of them stands
    (`newsdesk issue chain`; the desk chains one item to the one above it: `link`)."""
    with transaction.atomic():
        before = state(issue)
        chain_items(issue, item_ids, user.get_username())
        _recheck(issue_items(issue))
        record(user, issue.publication, "issue-chain", "issue", issue.pk, before, state(issue))


def remove(issue: Issue, item_id: int, user: Actor) -> Item:
    """Take an item out of the issue; it stays a draft, to add again later. An item
    chained to it is joined to the one before it, or starts the chain if it led."""
    numbering.require_draft(issue)
    items, index = _item_of(issue, item_id)
    item = items[index]
    rest = items[:index] + items[index + 1 :]
    with transaction.atomic():
        before = state(issue)
        after = items[index + 1] if index + 1 < len(items) else None
        if after is not None and after.chained_to_previous and not item.chained_to_previous:
            Item.objects.filter(pk=after.pk).update(chained_to_previous=False)
        Item.objects.filter(pk=item.pk).update(
            issue=None, position=0, chained_to_previous=False, section=""
        )
        if rest:
            order_items(issue, [i.pk for i in rest], user.get_username())
        IssueEvent.objects.create(
            issue=issue,
            kind="items-removed",
            at=timezone.now(),
            actor=user.get_username(),
            detail={"items": [item.pk]},
        )
        _recheck([item, *items[max(index - 1, 0) : index + 2]])
        record(user, issue.publication, "issue-remove", "issue", issue.pk, before, state(issue))
    item.refresh_from_db()
    return item


def add(issue: Issue, item_ids: Sequence[int], user: Actor) -> list[Item]:
    """Add draft items that are in no issue yet, at the end, in the order given; those
    added: an item in this issue already (a command run again) stays where it is."""
    wanted = list(dict.fromkeys(item_ids))
    if not wanted:
        raise InputError("choose at least one item to add")
    found = {
        i.pk: i
        for i in Item.objects.filter(pk__in=wanted, publication=issue.publication).filter(
            Q(issue=None) | Q(issue=issue)
        )
    }
    missing = [pk for pk in wanted if pk not in found]
    if missing:
        raise IssueError(
            f"item #{missing[0]} is not a draft of {issue.publication.name} outside an issue"
        )
    with transaction.atomic():
        before = state(issue)
        added = add_items(issue, [found[pk] for pk in wanted], user.get_username())
        if added:
            _recheck(issue_items(issue)[-len(added) - 1 :])
            record(user, issue.publication, "issue-add", "issue", issue.pk, before, state(issue))
    return added


def sections(issue: Issue, text: str, user: Actor) -> list[str]:
    """Set the issue's sections from one name a line (their order is the issue's); an
    item under a section no longer listed goes back to none."""
    with transaction.atomic():
        before = state(issue)
        names = set_sections(issue, text.splitlines(), user.get_username())
        _recheck(issue_items(issue))
        record(user, issue.publication, "issue-sections", "issue", issue.pk, before, state(issue))
    return names


def section(issue: Issue, item_id: int, name: str, user: Actor) -> None:
    """Put an item under one of the issue's sections, or under none ("")."""
    _item_of(issue, item_id)
    with transaction.atomic():
        before = state(issue)
        place_in_section(issue, item_id, name, user.get_username())
        _recheck(issue_items(issue))
        record(user, issue.publication, "issue-section", "issue", issue.pk, before, state(issue))


def apply_suggestion(issue: Issue, user: Actor) -> Suggestion:
    """Order and chain the issue as drafting suggests (chains it does not suggest end)."""
    numbering.require_draft(issue)
    suggested = suggestion(issue, issue_items(issue))
    if suggested is None:
        raise IssueError("no suggestion: fewer than two items come from ranked stories")
    with transaction.atomic():
        before = state(issue)
        actor = user.get_username()
        order_items(issue, [i.pk for i in suggested.order], actor)
        issue.items.update(chained_to_previous=False)
        for members, _ in suggested.chains:
            if len(members) > 1:
                chain_items(issue, [i.pk for i in members], actor)
        _recheck(issue_items(issue))
        record(user, issue.publication, "issue-suggestion", "issue", issue.pk, before, state(issue))
    return suggested


def send_test(issue: Issue, user: Actor) -> str:
    """Mail the issue as subscribers would get it (text and HTML) to the user only."""
    address = str(getattr(user, "email", "") or "")
    if not address:
        raise InputError(
            "your account has no email address; ask an admin to set one "
            "(`newsdesk user add NAME --email E ...`)"
        )
    publication = issue.publication
    if any(e.target_id == issue.pk for e in _just_done(user, publication, "issue-test-email")):
        return address  # the button pressed twice: one test email is enough
    label = f"No. {issue.number}" if issue.number else f"draft #{issue.pk}"
    message = EmailMultiAlternatives(
        subject=f"[Test] {publication.name} {label}",
        body=render(issue, "email-text"),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address],
    )
    message.attach_alternative(render(issue, "email-html"), "text/html")
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as exc:
        raise IssueError(f"the test email to {address} was not sent: {exc}") from None
    record(user, publication, "issue-test-email", "issue", issue.pk, {}, {"to": address})
    return address


def checks_seen(problems: Sequence[str]) -> str:
    """A fingerprint of the problems the builder shows: the publish form sends it back,
    so that an override covers the failing checks the editor read and no others."""
    return hashlib.sha256("\n".join(problems).encode()).hexdigest()[:16]


class ChecksChanged(IssueError):
    """An override given for other failing checks than the issue has now."""

    kind = "checks-changed"


def _refuse_unchecked(issue: Issue, override: str, seen: str | None = None) -> list[str]:
    """The issue's problems; an IssueError when there are some and no override reason,
    or when an override was given on a page that showed other problems (`seen`, from
    `checks_seen`). None: not from the desk's page (the command line, whose refusal
    `numbering.publish` words with its `--override`)."""
    found = numbering.problems(issue)
    if seen is None:
        return found
    if found and not override:
        raise IssueError(
            "cannot publish: "
            + " | ".join(found)
            + " (tick “publish despite failing checks” and give a reason: it is recorded)"
        )
    if found and seen != checks_seen(found):
        raise ChecksChanged(
            "the checks changed since this page was loaded, so your reason may not cover "
            "them; nothing was published. They now are: "
            + " | ".join(found)
            + ". Read them, then publish again if your reason still holds."
        )
    return found


def publishable(issue: Issue, override: str = "", seen: str | None = None) -> Publication:
    """What `publish_now` would refuse, refused before the editor is asked to confirm;
    the publication, its next number read now (the number the issue would take)."""
    numbering.require_publishable(issue)
    _refuse_unchecked(issue, override.strip(), seen)
    issue.publication.refresh_from_db(fields=["next_number"])
    return issue.publication


class NumberTaken(IssueError):
    """Another issue took the number an editor confirmed publishing this one under."""

    kind = "number-taken"


def _require_number(issue: Issue, number: int) -> None:
    """NumberTaken unless the issue would take No. `number`, read under the lock on the
    publication's counter that publishing takes (the issue's row first, in the order
    `numbering.publish` and the scheduler lock them, so that none waits on the other)."""
    Issue.objects.select_for_update().filter(pk=issue.pk).first()
    pub = Publication.objects.select_for_update().get(pk=issue.publication_id)
    if pub.next_number != number:
        raise NumberTaken(
            f"No. {number} was taken meanwhile: another issue of {pub.name} was published, "
            f"and this one would be No. {pub.next_number}. Nothing was published; publish "
            f"again to confirm it as No. {pub.next_number}."
        )


def publish_now(
    issue: Issue,
    user: Actor,
    override: str = "",
    seen: str | None = None,
    number: int | None = None,
) -> Issue:
    """Publish under the next number; failing checks need an override reason (given,
    from the desk, for the problems its page showed: `seen`). With `number` (the one the
    editor confirmed), only under that number."""
    override = override.strip()
    with transaction.atomic():
        before = state(issue)
        found = _refuse_unchecked(issue, override, seen)
        if number is not None:
            _require_number(issue, number)
        done = numbering.publish(issue, actor=user.get_username(), override=override)
        after = state(done) | ({"override": override, "problems": found} if found else {})
        record(user, done.publication, "issue-publish", "issue", done.pk, before, after)
    return done


def schedule(
    issue: Issue, when: dt.datetime, user: Actor, override: str = "", seen: str | None = None
) -> Issue:
    """Publish at `when` (`publish_due` does it then); an override given now (for the
    problems `seen`, as `publish_now`) is kept for that moment, and recorded."""
    override = override.strip()
    now = timezone.now()
    if when <= now:
        raise InputError(
            f"{when:%Y-%m-%d %H:%M} is not in the future; publish now or choose a later time"
        )
    with transaction.atomic():
        before = state(issue)
        found = _refuse_unchecked(issue, override, seen)
        done = numbering.publish(issue, at=when, actor=user.get_username(), override=override)
        after = state(done) | ({"override": override, "problems": found} if found else {})
        record(user, done.publication, "issue-schedule", "issue", done.pk, before, after)
    return done


def withdraw(issue: Issue, reason: str, user: Actor) -> Issue:
    reason = reason.strip()
    if not reason:
        raise InputError("give the reason for withdrawing the issue: readers will ask")
    with transaction.atomic():
        before = state(issue)
        done = numbering.withdraw(issue, actor=user.get_username(), reason=reason)
        after = state(done) | {"reason": reason}
        record(user, done.publication, "issue-withdraw", "issue", done.pk, before, after)
    return done


def unschedule(issue: Issue, user: Actor) -> tuple[Issue, dt.datetime | None]:
    """Cancel the issue's scheduled publication: it is a draft again, until someone
    publishes or schedules it. The issue, and the time it was scheduled for."""
    with transaction.atomic():
        before = state(issue)
        when = issue.scheduled_for
        done = numbering.unschedule(issue, actor=user.get_username())
        record(user, done.publication, "issue-unschedule", "issue", done.pk, before, state(done))
    return done, when
