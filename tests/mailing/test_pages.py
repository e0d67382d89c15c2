"""The reader's side: subscribe, confirm from the mailed link, preferences, one-click
unsubscribe; floods, robots, forged links, and no way to learn who is on the list."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import time
from typing import Any

import pytest
from django.core import signing
from django.core.signing import b62_encode
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from newsdesk.mailing import links, subscribing, tokens
from newsdesk.mailing.models import (
    SignupAttempt,
    Subscriber,
    SubscriberEvent,
    Subscription,
    Suppression,
)
from newsdesk.newsroom.models import Category, Publication
from tests.mailing.conftest import confirm_link, outbox, path_of, sign_up

ADDRESS = "Mira.Tal@Corvia.example"


def subscription(address: str = "mira.tal@corvia.example") -> Subscription:
    return Subscription.objects.get(subscriber__email=address)


def test_subscribe_confirm_choose_and_leave_in_one_click(paper: Publication) -> None:
    client = Client(enforce_csrf_checks=True)
    form = client.get("/cpw/subscribe/")
    assert form.status_code == 200 and b'name="website"' in form.content  # the honeypot
    token = form.cookies["csrftoken"].value
    energy = Category.objects.get(name="Energy")
    answer = client.post(
        "/cpw/subscribe/",
        {"email": ADDRESS, "name": "Mira", "category": [energy.pk], "csrfmiddlewaretoken": token},
    )
    assert answer.status_code == 302 and answer["Location"] == "/cpw/subscribe/sent/"
    assert "corvia.example" not in answer["Location"].lower()
    assert subscription().status == "pending"
    [message] = outbox()
    assert message.to == ["mira.tal@corvia.example"]
    assert message.subject == "Confirm your subscription to Corvia Policy Watch"
    assert "Corvia Policy Watch" in message.from_email
    assert "<img" not in message.alternatives[0][0]  # nothing that could track
    link = confirm_link(message)
    assert "mira" not in link.lower() and "corvia.example" not in link.lower()

    # a scanner that follows the link confirms nothing: the page asks for a button
    page = client.get(path_of(link))
    assert page.status_code == 200 and b"Yes, send it to me" in page.content
    assert subscription().status == "pending"
    refused = Client(enforce_csrf_checks=True).post(path_of(link))
    assert refused.status_code == 403 and subscription().status == "pending"
    done = client.post(path_of(link), {"csrfmiddlewaretoken": client.cookies["csrftoken"].value})
    assert done.status_code == 200 and subscription().status == "confirmed"
    person = Subscriber.objects.get()
    assert person.confirmed_at and person.consent_at and person.name == "Mira"

    preferences = done.context["preferences"]
    page = client.get(preferences)
    assert page.status_code == 200
    assert [c.name for c in subscription().categories.all()] == ["Energy"]
    trade, vietnam = Category.objects.get(name="Trade"), Category.objects.get(name="Vietnam")
    saved = client.post(
        preferences,
        {
            "category": [trade.pk, vietnam.pk],
            "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
        },
    )
    assert saved.status_code == 200 and b"Saved" in saved.content
    assert {c.name for c in subscription().categories.all()} == {"Trade", "Vietnam"}

    # RFC 8058: a mail client POSTs the body, no cookie, no CSRF token
    one_click = links.unsubscribe_path(paper, person)
    gone = Client(enforce_csrf_checks=True).post(one_click, {"List-Unsubscribe": "One-Click"})
    assert gone.status_code == 200 and subscription().status == "unsubscribed"
    assert Subscriber.objects.get().unsubscribed_at is not None
    kinds = list(SubscriberEvent.objects.values_list("kind", flat=True))
    assert kinds == [
        "subscribed",
        "confirmation-sent",
        "confirmed",
        "preferences",
        "unsubscribed",
    ]
    assert len(outbox()) == 1  # nothing else was ever mailed


def test_the_answer_is_the_same_whoever_signs_up(paper: Publication) -> None:
    """A confirmed, a pending, an unknown and a suppressed address: one answer."""
    subscribing.subscribe(paper, "known@corvia.example", base_url="http://x")
    subscribing.confirm(
        tokens.read_confirm_token(path_of(confirm_link(outbox()[0])).split("/")[-2])
    )
    subscribing.subscribe(paper, "waiting@corvia.example", base_url="http://x")
    subscribing.suppress("bounced@corvia.example", Suppression.Reason.HARD_BOUNCE)
    answers = set()
    for address in (
        "known@corvia.example",
        "waiting@corvia.example",
        "new@corvia.example",
        "bounced@corvia.example",
    ):
        response = sign_up(Client(), "cpw", address)
        page = Client().get(response["Location"])
        answers.add((response.status_code, response["Location"], page.content))
    assert len(answers) == 1
    # the confirmed one got nothing new, the suppressed one nothing at all
    assert sorted(m.to[0] for m in outbox()) == [
        "known@corvia.example",
        "new@corvia.example",
        "waiting@corvia.example",
    ]


def test_the_form_answers_without_asking_the_smtp_server(
    paper: Publication, settings: Any, immediate_tasks: dict[str, Any]
) -> None:
    """Mailing from the request would make the answer slower for a new address than for
    a known one (a timing tell); the form queues a task for both instead."""
    subscribing.subscribe(paper, "known@corvia.example", base_url="http://x")
    settings.TASKS = {"default": immediate_tasks}  # stored, run by a worker
    with socket.socket() as silent:  # a server that takes connections and never speaks
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        silent.setblocking(False)
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", silent.getsockname()[1]
        settings.EMAIL_TIMEOUT = 1
        for address in ("known@corvia.example", "new@corvia.example"):
            assert sign_up(Client(), "cpw", address).status_code == 302
        with pytest.raises(BlockingIOError):
            silent.accept()  # nobody knocked while the form answered
    queued = DBTaskResult.objects.filter(task_path__endswith="send_confirmation_mail")
    assert queued.count() == 2


def test_one_confirmation_an_hour_at_most(paper: Publication, other: Publication) -> None:
    start = timezone.now()
    for minutes in (0, 10, 59):
        subscribing.subscribe(
            paper, ADDRESS, base_url="http://x", now=start + dt.timedelta(minutes=minutes)
        )
    subscribing.subscribe(other, ADDRESS, base_url="http://x", now=start + dt.timedelta(minutes=30))
    assert len(outbox()) == 1
    later = subscribing.subscribe(
        other, ADDRESS, base_url="http://x", now=start + dt.timedelta(minutes=61)
    )
    assert later.confirmation_sent and len(outbox()) == 2
    # the second message asks about both publications still pending
    assert "Corvia Policy Watch" in outbox()[1].body and "Harbor Port Bulletin" in outbox()[1].body


def test_signing_up_someone_again_and_again_mails_them_less_and_less(
    paper: Publication, other: Publication
) -> None:
    """Every half hour for two days, someone signs up an address that never confirms:
    it gets six messages (0, 1, 3, 7, 15 and 31 hours on), not one an hour."""
    start = timezone.now()
    sent = [
        minutes
        for minutes in range(0, 48 * 60, 30)
        if subscribing.subscribe(
            paper, ADDRESS, base_url="http://x", now=start + dt.timedelta(minutes=minutes)
        ).confirmation_sent
    ]
    assert sent == [0, 60, 180, 420, 900, 1860] and len(outbox()) == 6
    # the reader confirms at last: the next sign-up is mailed after the plain hour again
    token = path_of(confirm_link(outbox()[-1])).split("/")[-2]
    subscribing.confirm(tokens.read_confirm_token(token), now=start + dt.timedelta(hours=32))
    later = subscribing.subscribe(
        other, ADDRESS, base_url="http://x", now=start + dt.timedelta(minutes=1860 + 60)
    )
    assert later.confirmation_sent and len(outbox()) == 7


def test_the_honeypot_catches_robots(paper: Publication) -> None:
    response = sign_up(Client(), "cpw", ADDRESS, website="https://spam.example")
    assert response.status_code == 302 and response["Location"] == "/cpw/subscribe/sent/"
    assert not Subscriber.objects.exists() and outbox() == []


def test_a_flood_from_one_address_is_stopped(paper: Publication, settings: object) -> None:
    settings.NEWSDESK_SIGNUPS_PER_HOUR = 3  # type: ignore[attr-defined]
    client = Client()
    codes = [sign_up(client, "cpw", f"reader{k}@corvia.example").status_code for k in range(5)]
    assert codes == [302, 302, 302, 429, 429]
    assert Subscriber.objects.count() == 3
    other_network = Client(REMOTE_ADDR="192.0.2.9")
    assert sign_up(other_network, "cpw", "someone@corvia.example").status_code == 302
    assert all(len(a.client_hash) == 64 for a in SignupAttempt.objects.all())  # no raw address


def test_behind_a_trusted_proxy_the_forwarded_client_is_counted(
    paper: Publication, settings: Any
) -> None:
    settings.NEWSDESK_SIGNUPS_PER_HOUR = 2
    settings.NEWSDESK_TRUSTED_PROXIES = [ipaddress.ip_network("10.0.0.0/8")]

    def from_client(forwarded: str, proxy: str = "10.0.0.5") -> Client:
        return Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=forwarded)

    # two readers behind the same proxy each have their own limit
    alice = [sign_up(from_client("198.51.100.7"), "cpw", f"a{k}@corvia.example") for k in range(3)]
    bob = sign_up(from_client("198.51.100.8"), "cpw", "bob@corvia.example")
    assert [r.status_code for r in alice] == [302, 302, 429] and bob.status_code == 302
    # a client cannot dodge the limit by writing its own X-Forwarded-For first
    forged = sign_up(from_client("203.0.113.1, 198.51.100.7"), "cpw", "a9@corvia.example")
    assert forged.status_code == 429
    # an address not behind a trusted proxy is taken as it is, its header ignored
    direct = Client(REMOTE_ADDR="192.0.2.50", HTTP_X_FORWARDED_FOR="198.51.100.99")
    assert [sign_up(direct, "cpw", f"d{k}@corvia.example").status_code for k in range(3)] == [
        302,
        302,
        429,
    ]
    # IPv6 readers count by their /64
    v6 = [
        sign_up(from_client(f"2001:db8:1:2::{k}"), "cpw", f"v{k}@corvia.example").status_code
        for k in range(1, 4)
    ]
    assert v6 == [302, 302, 429]


def test_a_malformed_address_or_choice_is_shown_on_the_form(
    paper: Publication, other: Publication
) -> None:
    response = sign_up(Client(), "cpw", "not-an-address")
    assert response.status_code == 400 and b"Not an email address" in response.content
    foreign = Category.objects.get(name="Shipping")
    response = sign_up(Client(), "cpw", ADDRESS, category=[foreign.pk])
    assert response.status_code == 400 and not Subscriber.objects.exists()


@pytest.mark.parametrize(
    "address", ["root@[127.0.0.1]", "postmaster@[10.0.0.7]", "admin@[::1]", "root@localhost"]
)
def test_an_address_inside_the_mail_server_s_network_is_refused(
    paper: Publication, address: str
) -> None:
    """Whoever fills in the public form must not have the mail server deliver to an
    internal host or to itself."""
    response = sign_up(Client(), "cpw", address)
    assert response.status_code == 400 and b"its domain must be a name" in response.content
    assert not Subscriber.objects.exists() and outbox() == []
    assert sign_up(Client(), "cpw", "root@mail.localhost").status_code == 400


def expired_token(subscriber: Subscriber, ids: list[int], monkeypatch: pytest.MonkeyPatch) -> str:
    days = tokens.confirm_max_age().days + 1
    with monkeypatch.context() as patch:
        patch.setattr(
            signing.TimestampSigner,
            "timestamp",
            lambda self: b62_encode(int(time.time()) - days * 86400),
        )
        return tokens.confirm_token(subscriber, ids)


def test_forged_expired_and_dead_links_get_a_clear_page(
    paper: Publication, monkeypatch: pytest.MonkeyPatch
) -> None:
    subscribing.subscribe(paper, ADDRESS, base_url="http://x")
    link = path_of(confirm_link(outbox()[0]))
    person = Subscriber.objects.get()
    forged = link[:-6] + ("A" if link[-6] != "A" else "B") + link[-5:]
    for path in (forged, "/cpw/subscribe/confirm/garbage/", "/cpw/subscription/x:y/"):
        for method in ("get", "post"):
            response = getattr(Client(), method)(path)
            assert response.status_code == 404, path
            assert b"This link cannot be used" in response.content
    stale = expired_token(person, [subscription().pk], monkeypatch)
    response = Client().post(links.confirm_path(paper, stale))
    assert response.status_code == 400 and b"has expired" in response.content
    assert subscription().status == "pending"
    preferences = links.preferences_path(paper, person)
    subscribing.delete_subscriber(ADDRESS)
    for path in (link, preferences):
        response = Client().get(path)
        assert response.status_code == 404 and b"no longer exists" in response.content
    assert Client().get("/nowhere/subscribe/").status_code == 404


def test_one_click_needs_its_body_and_the_page_has_a_button(paper: Publication) -> None:
    subscribing.subscribe(paper, ADDRESS, base_url="http://x")
    person = Subscriber.objects.get()
    path = links.unsubscribe_path(paper, person)
    assert Client().post(path, {}).status_code == 400
    page = Client().get(path)
    assert page.status_code == 200 and b'value="One-Click"' in page.content
    assert subscription().status == "pending"
    assert Client().post(path, {"List-Unsubscribe": "One-Click", "from": "page"}).status_code == 200
    assert subscription().status == "unsubscribed"
    assert (
        SubscriberEvent.objects.filter(kind="unsubscribed").get().detail == "the unsubscribe page"
    )
    # the reader's own new sign-up asks again; only their confirmation brings them back
    sign_up(Client(), "cpw", ADDRESS)
    assert subscription().status == "pending"


def test_a_link_is_for_its_own_publication(paper: Publication, other: Publication) -> None:
    subscribing.subscribe(paper, ADDRESS, base_url="http://x")
    person = Subscriber.objects.get()
    response = Client().get(links.preferences_path(other, person))
    assert response.status_code == 404


def test_confirmation_mail_failure_changes_no_answer(
    paper: Publication, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> int:
        raise ConnectionRefusedError("relay down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", broken)
    response = sign_up(Client(), "cpw", ADDRESS)
    assert response.status_code == 302 and response["Location"] == "/cpw/subscribe/sent/"
    # the hour's slot was given back: the next sign-up tries again
    assert Subscriber.objects.get().confirmation_sent_at is None


def test_a_link_checker_s_head_is_answered_and_changes_nothing(paper: Publication) -> None:
    subscribing.subscribe(paper, ADDRESS, base_url="http://x")
    person = Subscriber.objects.get()
    events = SubscriberEvent.objects.count()
    paths = [
        "/cpw/subscribe/",
        path_of(confirm_link(outbox()[0])),
        links.preferences_path(paper, person),
        links.unsubscribe_path(paper, person),
    ]
    for path in paths:
        response = Client().head(path)
        assert response.status_code == 200, path
        assert response.content == b""
    assert subscription().status == "pending" and SubscriberEvent.objects.count() == events
    assert Client().head("/cpw/subscription/x:y/").status_code == 404  # as GET answers


def test_a_line_break_in_the_publication_s_name_still_sends_the_confirmation(
    paper: Publication,
) -> None:
    """A name stored before names were cleaned: its line break once made Django refuse
    the message's From header, and no confirmation could ever go out."""
    Publication.objects.filter(pk=paper.pk).update(name="Corvia Policy Watch\r\nBcc: spy@x")
    sign_up(Client(), "cpw", ADDRESS)
    (message,) = outbox()
    assert message.from_email.startswith('"Corvia Policy Watch Bcc: spy@x" <')
    assert "\n" not in message.subject and "Bcc" not in message.extra_headers
