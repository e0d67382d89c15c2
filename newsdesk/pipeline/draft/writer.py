"""Drafting one item: the chosen backend, then every check, then the fallback.

A backend other than `extractive` that fails (the endpoint is down, the answer is
not valid) or whose draft fails verification is replaced by the extractive draft,
whose `note` says why; the editor sees both what was asked for (`requested`) and
what wrote the draft (`draft.backend`). A configuration error (an unknown backend,
a missing or malformed option) is not a reason to fall back: it propagates, so a
typo in the settings is fixed rather than hidden behind extractive drafts.
A run drafting several stories shares one `Outage`: once the backend does not
answer at all (`BackendUnreachable`), the rest of the run drafts extractively at
once instead of waiting out the timeouts and retries again for each story.

Importing this module registers the backends newsdesk ships.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace

from newsdesk.pipeline.draft import extractive, openai_chat
from newsdesk.pipeline.draft.backends import make_backend
from newsdesk.pipeline.draft.types import Draft, DraftRequest, Report
from newsdesk.pipeline.draft.verify import verify
from newsdesk.pipeline.errors import BackendUnreachable, DraftError
from newsdesk.pipeline.issue.style import chain_headline

log = logging.getLogger(__name__)

FALLBACK = extractive.ExtractiveBackend.name
#: shipped backends, registered by the imports above
SHIPPED = (FALLBACK, openai_chat.OpenAIChat.name)
#: failures quoted in a fallback note; the full list is in the rejected draft's report
NOTE_FAILURES = 2


@dataclass(frozen=True, slots=True)
class Written:
    """A draft with its report; `requested` is the backend asked for, which differs
    from `draft.backend` when the draft fell back (then `draft.note` says why)."""

    draft: Draft
    report: Report
    requested: str


@dataclass(slots=True)
class Outage:
    """What one run of drafts learned: why the backend is not to be asked again."""

    reason: str = ""


def write(
    request: DraftRequest,
    backend: str = FALLBACK,
    settings: Mapping[str, str] | None = None,
    *,
    continues: bool = False,
    continued: bool = False,
    outage: Outage | None = None,
) -> Written:
    """Draft the story with `backend`, check it, and fall back to extractive if needed.

    `continues` / `continued`: the item is chained to the one before / after it, so
    its headline carries "..." there (and the style lint expects it). `outage`,
    shared by the drafts of one run, skips a backend that did not answer before."""
    maker = make_backend(backend, settings)  # ConfigError propagates
    chained = {"continues": continues, "continued": continued}
    try:
        if outage is not None and outage.reason and backend != FALLBACK:
            raise DraftError(f"not asked: it did not answer for an earlier story ({outage.reason})")
        draft = _chained(maker.draft(request), **chained)
    except DraftError as exc:
        if backend == FALLBACK:
            raise
        if isinstance(exc, BackendUnreachable) and outage is not None:
            outage.reason = str(exc)
        note = f"{backend}: {exc}"
    else:
        report = verify(draft, request, **chained)
        if report.passed or backend == FALLBACK:
            return Written(draft, report, backend)
        note = f"{backend} draft failed verification: {failure_summary(report)}"
    log.info("drafting fell back to %s: %s", FALLBACK, note)  # the note tells the editor
    fallback = replace(
        _chained(make_backend(FALLBACK).draft(request), **chained),
        note=note,
    )
    return Written(fallback, verify(fallback, request, **chained), backend)


def failure_summary(report: Report) -> str:
    """The first failed checks, as one line."""
    failures = report.failures
    parts = [" ".join((c.message or f"{c.kind} check failed: {c.span}").split()) for c in failures]
    text = "; ".join(parts[:NOTE_FAILURES])
    more = len(parts) - NOTE_FAILURES
    return f"{text} (and {more} more)" if more > 0 else text


def _chained(draft: Draft, *, continues: bool, continued: bool) -> Draft:
    headline = chain_headline(draft.headline, continues=continues, continued=continued)
    return draft if headline == draft.headline else replace(draft, headline=headline)
