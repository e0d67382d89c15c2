"""Whose choices a confirmation sets: anyone can type an address into the form, so the
topics and places of a sign-up take effect only through the link mailed to that
address, and never change a reader's confirmed preferences."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.utils import timezone

from newsdesk.mailing import subscribing, tokens
from newsdesk.mailing.models import Subscriber, Subscription
from newsdesk.newsroom.models import Category, Publication
from tests.mailing.conftest import confirm_link, outbox, path_of, sign_up

ADDRESS = "mira.tal@corvia.example"


def chosen() -> list[str]:
    return sorted(c.name for c in Subscription.objects.get().categories.all())


def confirm(link: str) -> str:
    """Open the link, read its page, press its button; the page's text."""
    client = Client()
    page = client.get(path_of(link)).content.decode()
    assert client.post(path_of(link)).status_code == 200
    return page


def token_of(link: str) -> tokens.Confirmation:
    return tokens.read_confirm_token(path_of(link).split("/")[-2])


def test_someone_elses_sign_up_leaves_the_pending_choices_alone(paper: Publication) -> None:
    energy, trade = Category.objects.get(name="Energy"), Category.objects.get(name="Trade")
    sign_up(Client(), "cpw", ADDRESS, category=[energy.pk])
    [mine] = outbox()
    # someone else, elsewhere, types the same address with other choices
    other = Client(REMOTE_ADDR="192.0.2.7")
    assert sign_up(other, "cpw", ADDRESS, category=[trade.pk]).status_code == 302
    assert chosen() == ["Energy"] and len(outbox()) == 1  # within the hour: no message
    page = confirm(confirm_link(mine))
    assert Subscription.objects.get().status == "confirmed" and chosen() == ["Energy"]
    # the message and the page said what confirming sets
    assert "Corvia Policy Watch: Energy" in mine.body
    assert "Corvia Policy Watch: Energy" in mine.alternatives[0][0]
    assert "Corvia Policy Watch: Energy" in page


def test_a_later_link_carries_its_own_choices_and_cannot_undo_a_confirmation(
    paper: Publication,
) -> None:
    """An hour on, the other sign-up's message goes to the address too: it asks about
    its own choices, which only the reader can confirm; once the reader confirmed
    theirs, it changes nothing."""
    energy, trade = Category.objects.get(name="Energy"), Category.objects.get(name="Trade")
    start = timezone.now()
    subscribing.subscribe(paper, ADDRESS, categories=[energy], base_url="http://x", now=start)
    later = start + dt.timedelta(minutes=61)
    subscribing.subscribe(paper, ADDRESS, categories=[trade], base_url="http://x", now=later)
    first, second = (confirm_link(m) for m in outbox())
    assert "Corvia Policy Watch: Trade" in outbox()[1].body and chosen() == ["Energy"]
    assert token_of(second).choices == {Subscription.objects.get().pk: [trade.pk]}
    confirm(first)
    confirm(second)
    assert Subscription.objects.get().status == "confirmed" and chosen() == ["Energy"]


def test_the_readers_own_later_link_sets_what_it_asked(paper: Publication) -> None:
    energy, vietnam = Category.objects.get(name="Energy"), Category.objects.get(name="Vietnam")
    start = timezone.now()
    subscribing.subscribe(paper, ADDRESS, categories=[energy], base_url="http://x", now=start)
    later = start + dt.timedelta(minutes=61)
    subscribing.subscribe(paper, ADDRESS, categories=[vietnam], base_url="http://x", now=later)
    assert "Corvia Policy Watch: Vietnam" in confirm(confirm_link(outbox()[1]))
    assert chosen() == ["Vietnam"]


def test_a_sign_up_never_touches_a_confirmed_or_unsubscribed_readers_preferences(
    paper: Publication,
) -> None:
    energy, trade = Category.objects.get(name="Energy"), Category.objects.get(name="Trade")
    vietnam = Category.objects.get(name="Vietnam")
    subscribing.subscribe(paper, ADDRESS, categories=[energy, vietnam], base_url="http://x")
    confirm(confirm_link(outbox()[0]))
    sign_up(Client(REMOTE_ADDR="192.0.2.7"), "cpw", ADDRESS, category=[trade.pk])
    assert chosen() == ["Energy", "Vietnam"] and len(outbox()) == 1
    subscribing.unsubscribe(Subscription.objects.get(), "one-click")
    sign_up(Client(REMOTE_ADDR="192.0.2.7"), "cpw", ADDRESS, category=[trade.pk])
    assert Subscription.objects.get().status == "pending"
    assert chosen() == ["Energy", "Vietnam"]  # kept until the address confirms


def test_a_link_mailed_before_links_carried_choices_confirms_the_stored_ones(
    paper: Publication,
) -> None:
    energy = Category.objects.get(name="Energy")
    subscribing.sign_up(paper, ADDRESS, categories=[energy])
    old = tokens.confirm_token(Subscriber.objects.get(), [Subscription.objects.get().pk])
    assert tokens.read_confirm_token(old).choices is None
    confirm(f"http://x/cpw/subscribe/confirm/{old}/")
    assert Subscription.objects.get().status == "confirmed" and chosen() == ["Energy"]
