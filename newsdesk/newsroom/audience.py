"""Who an issue reaches beyond the public site when it is published: what the desk's
Publish asks the editor to confirm.

The newsroom and the desk sit below the mailing list in the layers (the mailing app
imports them, never the reverse), so the mailing app tells how many readers it would
mail: it registers its count here when Django starts (`MailingConfig.ready`). Without
one registered, nobody is mailed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from newsdesk.newsroom.models import Issue


@dataclass(frozen=True)
class Reach:
    """What publishing an issue now sends beyond the site."""

    readers: int = 0  # confirmed subscribers, not suppressed, who get this issue
    mail_server: bool = False  # mail goes out at all (EMAIL_HOST is set)
    #: confirmed and not suppressed, but they chose topics and places of which the issue
    #: carries none: the sender skips them
    passed_over: int = 0

    @property
    def confirmed(self) -> int:
        """Every confirmed subscriber whose address is not suppressed."""
        return self.readers + self.passed_over

    @property
    def mailed(self) -> int:
        """How many readers are mailed: none without a mail server."""
        return self.readers if self.mail_server else 0


Counter = Callable[[Issue], Reach]
_counters: list[Counter] = []


def register(counter: Counter) -> None:
    """Count the readers of an issue with `counter` (once, however often the app
    that delivers to them is made ready)."""
    if counter not in _counters:
        _counters.append(counter)


def reach(issue: Issue) -> Reach:
    """Who the issue, published now, reaches beyond the site, as the registered counts
    tell (their readers added up); no reader without any."""
    found = [count(issue) for count in _counters]
    return Reach(
        readers=sum(r.readers for r in found),
        mail_server=any(r.mail_server for r in found),
        passed_over=sum(r.passed_over for r in found),
    )
