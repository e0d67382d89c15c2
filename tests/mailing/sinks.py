"""Real SMTP servers on 127.0.0.1 for the sending tests (aiosmtpd), and a fictional
published issue with topics and places.

- `Sink`: accepts everything and counts what it accepted per recipient.
- `Moody`: answers RCPT with the code a recipient's local part asks for
  (`soft4xx...@` -> 451 while `temporary` is on, `hard5xx...@` -> 550), the rest
  like Sink.
- `Dropping`: closes the connection in the middle of a transaction: at the RCPT of
  `droprcpt...@` (nothing of the message sent yet), or once the data of
  `dropdata...@` have arrived, before answering them (the sender cannot know).
"""

from __future__ import annotations

import collections
import datetime as dt
import email
import socket
import threading
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

from aiosmtpd.controller import Controller
from django.utils import timezone

from newsdesk.mailing import addresses
from newsdesk.mailing.models import Subscriber, Subscription
from newsdesk.newsroom.models import Category, Issue, Item, ItemCategory, ItemSource, Publication
from newsdesk.newsroom.publications import add_publication, category
from tests.ops.processes import environment


class Sink:
    """Keeps every message accepted, and how many each recipient got."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.per_recipient: collections.Counter[str] = collections.Counter()
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
            self.per_recipient.update(envelope.rcpt_tos)
        return "250 OK queued"

    def parsed(self) -> list[EmailMessage]:
        with self.lock:
            return [
                email.message_from_bytes(raw, policy=default_policy) for _, _, raw in self.messages
            ]


class Moody(Sink):
    temporary = True

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address.startswith("soft4xx") and self.temporary:
            return "451 4.3.0 try again later"
        if address.startswith("hard5xx"):
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"


class Dropping(Sink):
    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address.startswith("droprcpt"):
            server.transport.close()
            return "421 closing"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if envelope.rcpt_tos[0].startswith("dropdata"):
            self.dropped_data = getattr(self, "dropped_data", 0) + 1
            server.transport.close()  # gone before the answer to the data
            return "421 closing"
        return await super().handle_DATA(server, session, envelope)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start(handler: Sink, settings: Any, **server: Any) -> Controller:
    """Serve `handler` on 127.0.0.1 and point Django's EMAIL_* settings at it; `server`
    goes to aiosmtpd's Controller (TLS contexts, an authenticator)."""
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), **server)
    controller.start()
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.DEFAULT_FROM_EMAIL = "desk@corvia.example"
    settings.NEWSDESK_APP_URL = "https://news.corvia.example"
    return controller


#: fictional items: (headline, topic, place)
ITEMS = [
    ("TARIFF TALKS RESUME IN GENEVA", "Trade", ""),
    ("GRID OPERATOR WARNS OF WINTER SHORTFALL", "Energy", ""),
    ("HANOI PORT EXPANDS CONTAINER YARD", "Trade", "Vietnam"),
    ("SOLAR AUCTION DRAWS RECORD BIDS", "Energy", "Vietnam"),
]
BODY = (
    "Negotiators from the two blocs met for a third round on Tuesday, aiming to settle "
    "the quota schedule before the spring deadline, officials said."
)


def published_issue(
    number: int = 7,
    items: list[tuple[str, str, str]] | None = None,
    publication: Publication | None = None,
) -> Issue:
    """An issue of `publication` (by default Corvia Policy Watch, made if need be)."""
    pub = (
        publication
        or Publication.objects.filter(slug="cpw").first()
        or add_publication("cpw", "Corvia Policy Watch", 1)
    )
    names = {"Trade": "topic", "Energy": "topic", "Shipping": "topic", "Vietnam": "place"}
    cats = {name: category(pub, name, kind) for name, kind in names.items()}
    issue = Issue.objects.create(
        publication=pub,
        number=number,
        date=dt.date(2026, 3, 2),
        status=Issue.Status.PUBLISHED,
        published_at=timezone.now(),
        editors=["Ana Ruiz"],
    )
    for position, (headline, topic, place) in enumerate(items or ITEMS):
        item = Item.objects.create(
            publication=pub, issue=issue, position=position, headline=headline, body=BODY
        )
        ItemSource.objects.create(
            item=item, position=0, outlet="Corvia Ledger", date=dt.date(2026, 3, 1)
        )
        for n, name in enumerate(filter(None, (topic, place))):
            ItemCategory.objects.create(item=item, category=cats[name], position=n)
    return issue


def subscribe(
    pub: Publication,
    count: int,
    *,
    prefix: str = "reader",
    chosen: list[Category] | None = None,
    confirmed: dt.datetime | None = None,
) -> list[Subscriber]:
    """`count` subscribers, in bulk, confirmed at `confirmed` (default: a day ago, before
    any issue of the test was published: an issue goes to the readers it had then)."""
    now = confirmed or timezone.now() - dt.timedelta(days=1)
    people = Subscriber.objects.bulk_create(
        [
            Subscriber(
                email=f"{prefix}{n}@mail.example",
                address_hash=addresses.address_hash(f"{prefix}{n}@mail.example"),
                consent_source=Subscriber.Source.IMPORT_CONFIRMED,
                consent_at=now,
                confirmed_at=now,
            )
            for n in range(count)
        ],
        batch_size=500,
    )
    people = list(Subscriber.objects.filter(email__startswith=prefix).order_by("pk"))
    Subscription.objects.bulk_create(
        [
            Subscription(
                subscriber=p,
                publication=pub,
                status=Subscription.Status.CONFIRMED,
                confirmed_at=now,
            )
            for p in people
        ],
        batch_size=500,
    )
    if chosen:
        through = Subscription.categories.through
        subs = Subscription.objects.filter(subscriber__in=people, publication=pub)
        through.objects.bulk_create(
            [through(subscription=sub, category=c) for sub in subs for c in chosen],
            batch_size=500,
        )
    return people


def sender_environment(controller: Controller, **extra: str) -> dict[str, str]:
    """The environment of a `newsdesk mail send` process mailing through `controller`."""
    return environment(
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(controller.port),
        DEFAULT_FROM_EMAIL="desk@corvia.example",
        NEWSDESK_APP_URL="https://news.corvia.example",
        **extra,
    )
