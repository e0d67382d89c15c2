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

from newsdesk.newsroom.models import Publication


@dataclass(frozen=True)
class Reach:
    """What publishing an issue of a publication now sends beyond the site."""

    readers: int = 0  # confirmed subscribers whose address is not suppressed
    mail_server: bool = False  # mail goes out at all (EMAIL_HOST is set)

    @property
    def mailed(self) -> int:
        """How many readers are mailed: none without a mail server."""
        return self.readers if self.mail_server else 0


Counter = Callable[[Publication], Reach]
_counters: list[Counter] = []


def register(counter: Counter) -> None:
    """Count the readers of a publication with `counter` (once, however often the app
    that delivers to them is made ready)."""
    if counter not in _counters:
        _counters.append(counter)


def reach(publication: Publication) -> Reach:
    """Who the publication's next issue reaches beyond the site, as the registered
    counts tell (their readers added up); no reader without any."""
    found = [count(publication) for count in _counters]
    return Reach(
        readers=sum(r.readers for r in found), mail_server=any(r.mail_server for r in found)
    )
