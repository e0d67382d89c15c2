"""Sending an issue over SMTP to a real server on 127.0.0.1 (aiosmtpd): the messages,
exactly one per reader, temporary and permanent failures, a connection dropped in the
middle of a transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from newsdesk.cli.main import main
from newsdesk.mailing import delivery, links, messages, sending, subscribing
from newsdesk.mailing.models import Delivery, SubscriberEvent, Suppression
from newsdesk.newsroom.models import Category, Issue, Publication
from newsdesk.pipeline.errors import ConfigError, ConflictError
from tests.mailing import sinks

State = Delivery.State


def served(handler: sinks.Sink, settings: Any) -> Controller:
    return sinks.start(handler, settings)


def test_every_reader_gets_one_message_with_list_headers(sink: sinks.Sink) -> None:
    issue = sinks.published_issue()
    people = sinks.subscribe(issue.publication, 30)
    report = sending.send_issue(issue)
    assert report.sent == 30 and report.states[State.SENT] == 30
    assert sorted(sink.per_recipient) == sorted(p.email for p in people)
    assert set(sink.per_recipient.values()) == {1}
    mail_from, _, _ = sink.messages[0]
    assert messages.read_verp(mail_from) is not None
    message = sink.parsed()[0]
    assert message["Subject"] == "Corvia Policy Watch No. 7"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = str(message["List-Unsubscribe"])
    assert "<https://news.corvia.example/cpw/subscription/" in unsubscribe
    assert "<mailto:bounces@corvia.example?subject=unsubscribe%20cpw%20" in unsubscribe
    assert message["List-Id"] == "Corvia Policy Watch <cpw.corvia.example>"
    assert message["Message-ID"] and message["Date"]
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "TARIFF TALKS RESUME IN GENEVA" in html and "TARIFF TALKS RESUME IN GENEVA" in text
    assert "/unsubscribe/" in html and "/unsubscribe/" in text
    # a second run sends nobody a second copy
    again = sending.send_issue(issue)
    assert again.sent == 0 and len(sink.messages) == 30
    assert SubscriberEvent.objects.filter(kind=SubscriberEvent.Kind.DELIVERED).count() == 30


def test_readers_are_queued_once_and_suppressed_addresses_counted(sink: sinks.Sink) -> None:
    issue = sinks.published_issue()
    people = sinks.subscribe(issue.publication, 4)
    subscribing.suppress(people[0].email, Suppression.Reason.MANUAL, "asked by phone")
    assert delivery.enqueue_readers(issue) == 4
    assert delivery.enqueue_readers(issue) == 0  # nobody twice
    rows = dict(Delivery.objects.filter(issue=issue).values_list("subscriber_id", "state"))
    assert rows == {
        people[0].pk: State.SUPPRESSED,
        **{person.pk: State.QUEUED for person in people[1:]},
    }
    report = sending.send_issue(issue)
    assert report.sent == 3 and report.states[State.SUPPRESSED] == 1
    history = SubscriberEvent.objects.filter(kind=SubscriberEvent.Kind.DELIVERED)
    assert sorted(history.values_list("subscriber_id", flat=True)) == [p.pk for p in people[1:]]
    assert all(
        line.publication_id == issue.publication_id and line.detail.startswith("No. 7: 250")
        for line in history
    )


def test_personalised_editions_carry_only_the_chosen_items_and_none_is_empty(
    sink: sinks.Sink,
) -> None:
    issue = sinks.published_issue()
    pub = issue.publication
    energy = Category.objects.get(publication=pub, name="Energy")
    shipping = Category.objects.get(publication=pub, name="Shipping")
    sinks.subscribe(pub, 3, prefix="energy", chosen=[energy])
    sinks.subscribe(pub, 2, prefix="ships", chosen=[shipping])  # no item of theirs
    sinks.subscribe(pub, 1, prefix="all")
    report = sending.send_issue(issue)
    assert report.states[State.SENT] == 4 and report.states[State.SKIPPED] == 2
    assert not any(r.startswith("ships") for r in sink.per_recipient)
    by_reader = {str(m["To"]): m for m in sink.parsed()}
    energy_html = by_reader["energy0@mail.example"].get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "GRID OPERATOR WARNS" in energy_html and "SOLAR AUCTION" in energy_html
    assert "TARIFF TALKS" not in energy_html and "HANOI PORT" not in energy_html
    whole = by_reader["all0@mail.example"].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert all(headline in whole for headline, _, _ in sinks.ITEMS)


def test_temporary_refusals_are_retried_and_permanent_ones_suppress(
    transactional_db: None, settings: Any
) -> None:
    handler = sinks.Moody()
    controller = served(handler, settings)
    try:
        issue = sinks.published_issue()
        pub = issue.publication
        sinks.subscribe(pub, 2, prefix="soft4xx")
        hard = sinks.subscribe(pub, 1, prefix="hard5xx")
        sinks.subscribe(pub, 3, prefix="fine")
        report = sending.send_issue(issue)
        assert report.states[State.SENT] == 3
        assert report.states[State.DEFERRED] == 2 and report.states[State.FAILED] == 1
        deferred = Delivery.objects.filter(state=State.DEFERRED)
        assert all(d.next_attempt and d.next_attempt > timezone.now() for d in deferred)
        assert {d.reply for d in deferred} == {"451 4.3.0 try again later"}
        assert Suppression.objects.filter(address_hash=hard[0].address_hash).exists()
        # not due yet: a retry run sends nothing
        assert sending.send_issue(issue, retry_only=True).sent == 0
        handler.temporary = False
        deferred.update(next_attempt=timezone.now() - dt.timedelta(seconds=1))
        again = sending.send_issue(issue, retry_only=True)
        assert again.sent == 2 and again.states[State.SENT] == 5
        assert Delivery.objects.get(subscriber=hard[0]).state == State.FAILED
        assert set(handler.per_recipient.values()) == {1}
    finally:
        controller.stop()


def test_a_dropped_connection_defers_before_the_data_and_is_unknown_after(
    transactional_db: None, settings: Any
) -> None:
    handler = sinks.Dropping()
    controller = served(handler, settings)
    settings.NEWSDESK_MAIL_CONNECTIONS = 1  # one connection, lost twice and opened again
    try:
        issue = sinks.published_issue()
        pub = issue.publication
        sinks.subscribe(pub, 2, prefix="a-before")
        early = sinks.subscribe(pub, 1, prefix="droprcpt")
        late = sinks.subscribe(pub, 1, prefix="dropdata")
        sinks.subscribe(pub, 2, prefix="z-after")
        report = sending.send_issue(issue)
        assert report.states[State.SENT] == 4
        assert Delivery.objects.get(subscriber=early[0]).state == State.DEFERRED
        assert Delivery.objects.get(subscriber=late[0]).state == State.UNKNOWN
        assert report.unknown == [late[0].pk]
        assert handler.dropped_data == 1
        # the unknown one is never sent again by itself; the deferred one is, when due
        Delivery.objects.filter(state=State.DEFERRED).update(next_attempt=timezone.now())
        sending.send_issue(issue, retry_only=True)
        assert handler.dropped_data == 1
        assert Delivery.objects.get(subscriber=late[0]).state == State.UNKNOWN
    finally:
        controller.stop()


def test_the_html_is_small_readable_without_images_and_has_a_dark_scheme(
    transactional_db: None, settings: Any
) -> None:
    settings.NEWSDESK_APP_URL = "https://news.corvia.example"
    long_issue = [(f"ITEM {n} ON THE GRID AND THE PORTS", "Energy", "Vietnam") for n in range(60)]
    issue = sinks.published_issue(number=9, items=long_issue)
    person = sinks.subscribe(issue.publication, 1)[0]
    edition = messages.Editions(issue, "https://news.corvia.example").of()
    letter = edition.letter(person, 1)
    assert edition.html_size() < messages.HTML_LIMIT
    html = edition.html
    assert "<img" not in html and "url(" not in html  # nothing to load: all of it is text
    assert all(f"ITEM {n} ON THE GRID" in html for n in range(60))
    assert 'name="color-scheme" content="light dark"' in html
    assert "@media (prefers-color-scheme: dark)" in html
    assert ".muted { color: #aab1bd !important; }" in html  # the grey lines stay readable
    assert 'class="footer" style="' in html  # the footer's CSS was inlined
    assert edition.text.startswith("Corvia Policy Watch No. 9\n")
    raw = letter.data.decode("ascii")
    assert max(len(line) for line in raw.split("\r\n")) <= 998


def test_a_test_send_reaches_one_address_and_records_nothing(sink: sinks.Sink) -> None:
    issue = sinks.published_issue()
    sinks.subscribe(issue.publication, 5)
    sending.send_test(issue, "Editor@Corvia.example")
    assert list(sink.per_recipient) == ["editor@corvia.example"]
    assert not Delivery.objects.exists()


def test_a_line_break_in_the_publication_s_name_starts_no_header(sink: sinks.Sink) -> None:
    """A name stored before names were cleaned, with a line break and a header after it,
    stays one line in From, Subject and List-Id: it once became headers of its own."""
    issue = sinks.published_issue()
    Publication.objects.filter(pk=issue.publication_id).update(
        name="Corvia Policy Watch\r\nBcc: spy@evil.example\r\nX-Planted: 1"
    )
    issue.refresh_from_db()
    sinks.subscribe(issue.publication, 1)
    assert sending.send_issue(issue).sent == 1
    sending.send_test(issue, "editor@corvia.example")
    for message in sink.parsed():
        assert message["Bcc"] is None and message["X-Planted"] is None
        assert message["Subject"] == "Corvia Policy Watch Bcc: spy@evil.example X-Planted: 1 No. 7"
        assert "\n" not in str(message["From"]) and "\n" not in str(message["List-Id"])


def test_a_draft_is_not_mailed(transactional_db: None) -> None:
    issue = sinks.published_issue()
    Issue.objects.filter(pk=issue.pk).update(status=Issue.Status.DRAFT)
    issue.refresh_from_db()
    with pytest.raises(ConflictError):
        sending.send_issue(issue)


def test_without_an_smtp_server_a_send_is_refused_before_any_reader_is_queued(
    transactional_db: None, settings: Any
) -> None:
    """It once ran, each thread died on the missing server, and it reported 0 sent."""
    settings.EMAIL_HOST = ""
    issue = sinks.published_issue()
    sinks.subscribe(issue.publication, 2)
    with pytest.raises(ConflictError, match="EMAIL_HOST is not set"):
        sending.send_issue(issue)
    assert not Delivery.objects.exists()


def test_a_command_without_the_sites_address_is_told_what_to_set(settings: Any) -> None:
    settings.NEWSDESK_APP_URL = settings.NEWSDESK_SITE_URL = ""
    with pytest.raises(ConfigError, match="a command has no request to take it from"):
        links.base_url()


def test_the_verp_token_names_the_delivery_and_refuses_a_forged_one(settings: Any) -> None:
    settings.NEWSDESK_MAIL_BOUNCE_ADDRESS = "returns@lists.corvia.example"
    address = messages.envelope_sender(4711)
    assert address.startswith("returns+4711-") and address.endswith("@lists.corvia.example")
    assert messages.read_verp(address) == 4711
    assert messages.read_verp(address.upper()) == 4711  # a server that upper-cased it
    assert messages.read_verp(address.replace("4711-", "4712-")) is None


def test_an_address_the_list_cannot_write_fails_alone(sink: sinks.Sink, settings: Any) -> None:
    """An address stored before non-ASCII ones were refused does not stop the run."""
    settings.NEWSDESK_MAIL_CONNECTIONS = 1
    issue = sinks.published_issue()
    for old in sinks.subscribe(issue.publication, 3, prefix="sam"):
        old.email = "\u017f" + old.email[1:]  # "ſam0@...", stored before it was refused
        old.save(update_fields=["email"])
    sinks.subscribe(issue.publication, 5)
    report = sending.send_issue(issue)
    assert report.sent == 5 and len(sink.messages) == 5
    failed = Delivery.objects.filter(state=State.FAILED)
    assert failed.count() == 3
    assert all("cannot write the message" in d.reply for d in failed)


def test_an_operator_settles_unknown_deliveries_from_the_command_line(
    sink: sinks.Sink, capsys: pytest.CaptureFixture[str]
) -> None:
    """A killed sender leaves deliveries unknown; the server's log decides: one is marked
    sent (never mailed again), the rest are queued again and the next run sends them."""
    issue = sinks.published_issue()
    people = sinks.subscribe(issue.publication, 4)
    delivery.enqueue_readers(issue)
    lost = [p.pk for p in people[:3]]
    Delivery.objects.filter(subscriber_id__in=lost).update(
        state=State.UNKNOWN, message_id="<lost@corvia.example>"
    )
    slug, number = issue.publication.slug, str(issue.number)
    assert main(["mail", "unknown", slug, number]) == 0
    listed = capsys.readouterr().out
    assert "3 unknown deliveries" in listed and "<lost@corvia.example>" in listed
    assert all(p.email in listed for p in people[:3])
    assert main(["mail", "unknown", slug, number, "--sent", str(lost[0])]) == 0
    assert "1 unknown delivery marked sent" in capsys.readouterr().out
    assert main(["mail", "unknown", slug, number, "--resend", "all"]) == 0
    assert "2 unknown deliveries queued again" in capsys.readouterr().out
    assert main(["mail", "unknown", slug, number, "--resend", "x,y"]) == 2
    assert main(["mail", "unknown", slug, number, "--sent", "9" * 20]) == 2  # no such id
    report = sending.send_issue(issue)
    assert report.sent == 3 and report.unknown == []
    assert sorted(sink.per_recipient) == sorted(p.email for p in people[1:])
    assert Delivery.objects.filter(state=State.SENT).count() == 4
    marked = SubscriberEvent.objects.filter(kind=SubscriberEvent.Kind.DELIVERED)
    assert marked.filter(subscriber_id=lost[0]).count() == 1


def out_a_minute_ago(issue: Issue) -> Issue:
    issue.published_at = timezone.now() - dt.timedelta(minutes=1)
    issue.save(update_fields=["published_at"])
    return issue


def test_an_issue_goes_to_the_readers_confirmed_when_it_was_published(
    sink: sinks.Sink, capsys: pytest.CaptureFixture[str]
) -> None:
    """A reader who confirms afterwards gets the next issue, not this one, unless the
    operator asks (`--all-readers`); nobody gets a second copy either way."""
    issue = out_a_minute_ago(sinks.published_issue())
    assert issue.published_at is not None
    before = sinks.subscribe(issue.publication, 2, prefix="early")
    after = sinks.subscribe(
        issue.publication, 1, prefix="late", confirmed=issue.published_at + dt.timedelta(seconds=4)
    )
    assert delivery.due_count(issue, new=True) == 2
    assert main(["mail", "send", "cpw", "7"]) == 0
    shown = capsys.readouterr().out
    assert "2 sent in this run (2 readers added" in shown
    assert "left out: 1 reader who confirmed after the issue was published" in shown
    assert sorted(sink.per_recipient) == sorted(p.email for p in before)
    assert main(["mail", "send", "cpw", "7"]) == 0  # by hand again: the same rule
    assert "0 sent in this run (0 readers added" in capsys.readouterr().out
    assert main(["mail", "send", "cpw", "7", "--all-readers"]) == 0
    shown = capsys.readouterr().out
    assert "1 sent in this run (1 reader added" in shown and "left out" not in shown
    assert sink.per_recipient == {**{p.email: 1 for p in before}, after[0].email: 1}
    # the next issue goes to everyone confirmed by then
    following = sinks.published_issue(8)
    assert sending.send_issue(following).sent == 3


def test_an_imported_back_issue_has_no_readers_unless_the_operator_asks(
    sink: sinks.Sink,
) -> None:
    issue = sinks.published_issue()
    Issue.objects.filter(pk=issue.pk).update(published_at=None)  # as text imports store it
    issue.refresh_from_db()
    sinks.subscribe(issue.publication, 2)
    assert delivery.later_readers(issue) == 2
    assert sending.send_issue(issue).sent == 0 and sink.messages == []
    assert sending.send_issue(issue, later=True).sent == 2
