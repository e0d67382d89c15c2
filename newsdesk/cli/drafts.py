"""`newsdesk draft STORY` and `newsdesk issue draft PUB`: drafts with their checks."""

from __future__ import annotations

import argparse
import dataclasses
import json
from typing import Any

from django.db import transaction

from newsdesk.cli.issues import actor_of, person_of
from newsdesk.newsroom import drafting, people
from newsdesk.newsroom.models import Publication
from newsdesk.newsroom.publications import get_publication, style_of
from newsdesk.newsroom.reading import render
from newsdesk.pipeline.draft.types import Check, Report
from newsdesk.pipeline.draft.writer import Written
from newsdesk.pipeline.errors import InputError
from newsdesk.pipeline.text import plural


def _publication(slug: str | None) -> Publication:
    if slug:
        return get_publication(slug)
    pubs = list(Publication.objects.order_by("slug")[:2])
    if len(pubs) != 1:
        raise InputError(
            "name the publication whose style to draft in with --publication SLUG"
            if pubs
            else "no publication yet: add one with `newsdesk publication add`"
        )
    return pubs[0]


def run_draft(args: argparse.Namespace) -> int:
    """Print the draft and its checks; exit 1 when a check failed."""
    pub = _publication(args.publication)
    story = drafting.get_story(args.story)
    written = drafting.draft_story(pub, story, backend=args.backend, cite=args.cite or ())
    saved_before = drafting.saved_copy(pub, story, written) if args.save else None
    item = None
    if args.save:
        who = person_of(args)
        with transaction.atomic():
            item = drafting.save_draft(pub, story, written, who.name)
            if saved_before is None:
                after = {"story": story.pk, "headline": item.headline}
                people.record(who, pub, "draft-save", "item", item.pk, after=after)
    if args.json:
        print(json.dumps(draft_json(written, item.pk if item else None), ensure_ascii=False))
    else:
        date_format = style_of(pub).attribution_date_format
        print_draft(written, date_format, every=args.every)
        if item is not None:
            saved = "already saved" if saved_before is not None else "saved"
            print(
                f"\n{saved} as item #{item.pk}; add it with "
                f"`newsdesk issue add {pub.slug} {item.pk}`"
            )
    return 0 if written.report.passed else 1


def draft_json(written: Written, item: int | None = None) -> dict[str, Any]:
    draft = written.draft
    return {
        "draft": {
            **dataclasses.asdict(draft),
            "sources": [
                {"outlet": s.outlet, "date": s.date.isoformat(), "url": s.url}
                for s in draft.sources
            ],
            "paragraph": draft.paragraph(),
        },
        "requested": written.requested,
        "item": item,
        "verification": written.report.to_json(),
    }


def _source_line(check: Check) -> str:
    if check.evidence is None:
        return ""
    where = "title" if check.evidence.in_title else "text"
    return f" [article #{check.evidence.article} {where}: \u201c{check.evidence.text[:160]}\u201d]"


def print_report(report: Report, indent: str = "  ", *, every: bool = False) -> None:
    """Counts per kind of check, each failure with the nearest source text, each quote
    with where it was found, and the support of every body sentence; `every` lists the
    passed checks too."""
    kinds: dict[str, list[Check]] = {}
    for check in report.checks:
        kinds.setdefault(check.kind, []).append(check)
    summary = ", ".join(
        f"{kind} {sum(c.passed for c in checks)}/{len(checks)}" for kind, checks in kinds.items()
    )
    verdict = "every check passed" if report.passed else f"{len(report.failures)} FAILED"
    print(f"{indent}checks: {verdict} ({summary})")
    for check in report.checks:
        shown = every or not check.passed or check.kind in ("quote", "speaker")
        if shown:
            mark = "ok  " if check.passed else "FAIL"
            message = f": {check.message}" if check.message else ""
            source = _source_line(check) if not check.passed else ""
            print(
                f"{indent}{mark} {check.kind:<11} \u201c{check.span[:100]}\u201d{message}{source}"
            )
    for n, sentence in enumerate(report.sentences, 1):
        where = ", ".join(f"#{e.article}" for e in sentence.evidence) or "no source"
        flag = "" if sentence.supported else "  UNSUPPORTED"
        print(f"{indent}sentence {n}: support {sentence.score:.2f} from article {where}{flag}")


def print_draft(written: Written, date_format: str = "long", *, every: bool = False) -> None:
    draft = written.draft
    print(
        f"draft by {draft.backend}"
        + (f" (asked for {written.requested})" if written.requested != draft.backend else "")
    )
    if draft.note:
        print(f"note: {draft.note}")
    print()
    print(draft.headline)
    print(draft.paragraph(date_format))
    print()
    print(f"teaser: {draft.teaser}")
    print(f"topics: {'; '.join(draft.topics) or '-'}; places: {'; '.join(draft.places) or '-'}")
    print_report(written.report, every=every)


def run_issue_draft(args: argparse.Namespace) -> int:
    """Draft the week into a new draft issue; exit 1 when an item failed a check."""
    pub = get_publication(args.publication)
    week = drafting.draft_week(
        pub, top=args.top, backend=args.backend, actor=actor_of(args), as_of=args.as_of
    )
    print(f"draft #{week.issue.pk} of {pub.name}: {plural(len(week.items), 'item')} drafted")
    for item in sorted(week.items, key=lambda i: i.position):
        item.refresh_from_db()
        status = "checks passed" if item.verification.get("ok") else "CHECKS FAILED"
        print(f"  #{item.pk:<5} {item.headline} ({status})")
        for flag in item.verification.get("flags", []):
            print(f"         {flag}")
    for chain in week.plan.chains:
        stories = ", ".join(f"story #{k}" for k in chain.keys)
        print(f"  chained {stories}: {chain.reason}")
    print()
    print(render(week.issue, "text"))
    return 0 if all(i.verification.get("ok") for i in week.items) else 1
