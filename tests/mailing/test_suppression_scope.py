"""A suppression stops every publication's mail (a hard bounce, an erasure, a block by
hand naming no publication) or one publication's (a complaint about its mail, a block by
hand naming it): a reader who marked Corvia Policy Watch as spam still gets the Harbor
Port Bulletin they subscribed to. Real SMTP on 127.0.0.1 (aiosmtpd), as test_sending."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from newsdesk.cli.main import main
from newsdesk.mailing import addresses, bounces, delivery, messages, sending, subscribing
from newsdesk.mailing.models import Delivery, Subscriber, Subscription, Suppression
from newsdesk.newsroom.models import Issue, Publication
from newsdesk.newsroom.publications import add_publication
from tests.mailing import sinks
from tests.mailing.test_bounces import arf, dsn, write_mbox

State = Delivery.State
Reason = Suppression.Reason


def two_publications(count: int = 3) -> tuple[Issue, Issue, list[Subscriber]]:
    """Corvia Policy Watch No. 7 and Harbor Port Bulletin No. 1, published, and `count`
    readers confirmed to both."""
    cpw = sinks.published_issue(7)
    hpb = sinks.published_issue(1, publication=add_publication("hpb", "Harbor Port Bulletin", 1))
    people = sinks.subscribe(cpw.publication, count)
    for person in people:
        Subscription.objects.create(
            subscriber=person,
            publication=hpb.publication,
            status=Subscription.Status.CONFIRMED,
            confirmed_at=person.confirmed_at,
        )
    return cpw, hpb, people


def next_issue(issue: Issue) -> Issue:
    return sinks.published_issue(issue.number + 1, publication=issue.publication)


def state_of(issue: Issue, person: Subscriber) -> str:
    return Delivery.objects.get(issue=issue, subscriber=person).state


def test_a_complaint_about_one_publication_still_mails_the_others(
    sink: sinks.Sink, tmp_path: Path, capsys: Any
) -> None:
    cpw, hpb, people = two_publications()
    sending.send_issue(cpw)
    sending.send_issue(hpb)
    complainer = people[0]
    about = Delivery.objects.get(issue=cpw, subscriber=complainer)
    box = write_mbox(
        tmp_path / "fbl.mbox", [arf(messages.envelope_sender(about.pk), complainer.email)]
    )
    assert main(["mail", "bounces", "--mbox", str(box)]) == 0
    assert "1 complaint" in capsys.readouterr().out
    row = Suppression.objects.get()
    assert (row.reason, row.publication_id) == (Reason.COMPLAINT, cpw.publication_id)

    cpw8, hpb2 = next_issue(cpw), next_issue(hpb)
    assert sending.send_issue(cpw8).sent == 2
    assert sending.send_issue(hpb2).sent == 3
    assert state_of(cpw8, complainer) == State.SUPPRESSED
    assert state_of(hpb2, complainer) == State.SENT
    assert sink.per_recipient[complainer.email] == 3  # cpw 7, hpb 1, hpb 2
    # Corvia's list refuses the address; the Bulletin's still has it as a reader
    assert list(Subscription.objects.recipients(cpw.publication)) == list(
        Subscription.objects.recipients(cpw.publication).exclude(subscriber=complainer)
    )
    assert Subscription.objects.recipients(cpw.publication).count() == 2
    assert Subscription.objects.recipients(hpb.publication).count() == 3


def test_a_hard_bounce_stops_every_publication(sink: sinks.Sink, tmp_path: Path) -> None:
    cpw, hpb, people = two_publications()
    sending.send_issue(cpw)
    gone = people[1]
    bounced = Delivery.objects.get(issue=cpw, subscriber=gone)
    box = write_mbox(
        tmp_path / "dsn.mbox",
        [dsn(messages.envelope_sender(bounced.pk), gone.email, "failed", "5.1.1")],
    )
    assert bounces.process(bounces.from_mbox(box)).suppressed == 1
    row = Suppression.objects.get()
    assert (row.reason, row.publication_id) == (Reason.HARD_BOUNCE, None)
    sending.send_issue(hpb)
    cpw8 = next_issue(cpw)
    sending.send_issue(cpw8)
    assert state_of(hpb, gone) == State.SUPPRESSED
    assert state_of(cpw8, gone) == State.SUPPRESSED
    assert sink.per_recipient[gone.email] == 1  # cpw 7 only, before it bounced


def test_a_complaint_that_names_no_publication_stops_them_all(
    sink: sinks.Sink,
) -> None:
    """What cannot be tied to a publication is taken as a complaint about all of them."""
    cpw, hpb, people = two_publications(1)
    verdict = bounces.Verdict("complaint", people[0], None, "complaint (abuse)")
    assert bounces.apply(verdict)
    assert delivery.enqueue_readers(cpw) == delivery.enqueue_readers(hpb) == 1
    assert state_of(cpw, people[0]) == state_of(hpb, people[0]) == State.SUPPRESSED


def test_suppressed_by_hand_for_one_publication_or_for_all(sink: sinks.Sink) -> None:
    cpw, hpb, people = two_publications(3)
    scoped, everywhere, _ = people
    assert subscribing.suppress(scoped.email, Reason.MANUAL, publication=cpw.publication)
    assert subscribing.suppress(everywhere.email, Reason.MANUAL, "asked by phone")
    # a block for one publication adds nothing to one for all, nor twice the same
    assert not subscribing.suppress(everywhere.email, Reason.MANUAL, publication=cpw.publication)
    assert not subscribing.suppress(scoped.email, Reason.MANUAL, publication=cpw.publication)
    delivery.enqueue_readers(cpw)
    delivery.enqueue_readers(hpb)
    assert [state_of(cpw, p) for p in people] == [State.SUPPRESSED, State.SUPPRESSED, State.QUEUED]
    assert [state_of(hpb, p) for p in people] == [State.QUEUED, State.SUPPRESSED, State.QUEUED]


def test_the_command_line_suppresses_and_lists_with_the_scope(
    transactional_db: None, capsys: Any
) -> None:
    cpw, _, people = two_publications(3)
    scoped, everywhere, _ = people
    assert main(["subscribers", "suppress", scoped.email, "--publication", "cpw"]) == 0
    assert main(["subscribers", "suppress", everywhere.email, "--note", "asked by phone"]) == 0
    assert main(["subscribers", "suppress", everywhere.email, "--publication", "hpb"]) == 0
    out = capsys.readouterr().out
    assert "suppressed: never mailed by cpw again" in out
    assert "suppressed: never mailed by any publication again" in out
    assert "suppressed already: not mailed by hpb" in out
    scopes = set(Suppression.objects.values_list("address_hash", "publication_id"))
    assert scopes == {(scoped.address_hash, cpw.publication_id), (everywhere.address_hash, None)}

    assert main(["subscribers", "suppressions"]) == 0
    listing = capsys.readouterr().out
    assert f"{scoped.address_hash[:16]}…  manual  for cpw  since " in listing
    assert f"{everywhere.address_hash[:16]}…  manual  for all publications  since " in listing
    assert "asked by phone" in listing and listing.endswith("2 suppressions\n")
    assert main(["subscribers", "suppressions", "--publication", "hpb"]) == 0
    listing = capsys.readouterr().out
    assert scoped.address_hash[:16] not in listing and everywhere.address_hash[:16] in listing
    assert main(["subscribers", "list", "--publication", "cpw"]) == 0
    lines = capsys.readouterr().out.splitlines()  # by address: reader0, reader1, reader2
    assert [line.split("  ")[1] for line in lines[:3]] == [
        "confirmed, suppressed",
        "confirmed, suppressed",
        "confirmed",
    ]
    assert main(["subscribers", "list", "--publication", "hpb"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("  ")[1] for line in lines[:3]] == [
        "confirmed",
        "confirmed, suppressed",
        "confirmed",
    ]


def test_a_suppression_since_queuing_is_honoured_for_its_publication_only(
    sink: sinks.Sink,
) -> None:
    """The claim's last look (delivery.due) weighs the scope as the queuing did."""
    cpw, hpb, people = two_publications(2)
    delivery.enqueue_readers(cpw)
    delivery.enqueue_readers(hpb)
    subscribing.suppress(people[0].email, Reason.MANUAL, publication=hpb.publication)
    assert sending.send_issue(cpw).sent == 2
    assert sending.send_issue(hpb).sent == 1
    assert state_of(hpb, people[0]) == State.SUPPRESSED
    assert sink.per_recipient[people[0].email] == 1


def test_one_suppression_per_address_and_scope(transactional_db: None) -> None:
    cpw = add_publication("cpw", "Corvia Policy Watch", 1)
    hpb = add_publication("hpb", "Harbor Port Bulletin", 1)
    digest, now = "a" * 64, timezone.now()
    Suppression.objects.create(address_hash=digest, reason=Reason.MANUAL, at=now)
    Suppression.objects.create(address_hash=digest, publication=cpw, reason=Reason.MANUAL, at=now)
    Suppression.objects.create(address_hash=digest, publication=hpb, reason=Reason.MANUAL, at=now)
    for scope in (None, cpw):
        with pytest.raises(IntegrityError), transaction.atomic():
            Suppression.objects.create(
                address_hash=digest, publication=scope, reason=Reason.COMPLAINT, at=now
            )
    assert Suppression.objects.count() == 3


def test_sign_up_and_import_are_refused_only_where_the_address_is_suppressed(
    paper: Publication, other: Publication, tmp_path: Path, capsys: Any
) -> None:
    subscribing.suppress("ana@corvia.example", Reason.COMPLAINT, publication=paper)
    base = "https://news.corvia.example"
    assert subscribing.subscribe(paper, "ana@corvia.example", base_url=base).outcome == (
        "suppressed"
    )
    signup = subscribing.subscribe(other, "ana@corvia.example", base_url=base)
    assert signup.outcome == "pending" and signup.confirmation_sent
    (message,) = mail.outbox
    assert other.name in message.body and paper.name not in message.body
    csv = tmp_path / "list.csv"
    csv.write_text("email\nana@corvia.example\n")
    assert main(["subscribers", "import", str(csv), "--publication", "cpw", "--confirmed"]) == 0
    assert "list.csv:2: suppressed (complaint, for this publication): refused" in (
        capsys.readouterr().out
    )
    assert main(["subscribers", "import", str(csv), "--publication", "hpb", "--confirmed"]) == 0
    assert "1 confirmed" in capsys.readouterr().out


def test_a_confirmation_asks_only_about_the_publications_still_allowed(
    paper: Publication, other: Publication
) -> None:
    """Pending for both, then suppressed for one: the next message asks about the
    other only, and none goes out under the name of the one suppressed."""
    base = "https://news.corvia.example"
    subscribing.sign_up(paper, "ben@corvia.example")
    subscribing.sign_up(other, "ben@corvia.example")
    person = Subscriber.objects.get()
    subscribing.suppress(person.email, Reason.MANUAL, publication=paper)
    assert not subscribing.send_confirmation(person, paper, base)
    assert subscribing.send_confirmation(person, other, base)
    (message,) = mail.outbox
    assert other.name in message.body and paper.name not in message.body


def test_erasure_is_for_every_publication_and_a_scoped_block_outlives_the_return(
    paper: Publication, other: Publication
) -> None:
    subscribing.sign_up(paper, "cy@corvia.example")
    subscribing.suppress("cy@corvia.example", Reason.COMPLAINT, publication=paper)
    subscribing.delete_subscriber("cy@corvia.example")
    scopes = set(Suppression.objects.values_list("reason", "publication_id"))
    assert scopes == {(Reason.COMPLAINT, paper.pk), (Reason.ERASED, None)}
    assert subscribing.sign_up(paper, "cy@corvia.example").outcome == "suppressed"
    assert subscribing.sign_up(other, "cy@corvia.example").outcome == "pending"


@pytest.fixture
def executor(transactional_db: None) -> Iterator[MigrationExecutor]:
    """A migration executor; the database is back at this version's schema afterwards."""
    yield MigrationExecutor(connection)
    latest = MigrationExecutor(connection)
    latest.migrate(latest.loader.graph.leaf_nodes())


def test_suppressions_kept_before_scopes_still_stop_every_publication(
    executor: MigrationExecutor,
) -> None:
    before = ("mailing", "0004_mailrun")
    executor.migrate([before])
    old = executor.loader.project_state(before).apps.get_model("mailing", "Suppression")
    old.objects.create(
        address_hash=addresses.address_hash("reader0@mail.example"),
        reason=Reason.COMPLAINT,
        at=timezone.now(),
        note="from an older newsdesk",
    )
    upgrade = MigrationExecutor(connection)
    upgrade.migrate(upgrade.loader.graph.leaf_nodes())

    row = Suppression.objects.get()
    assert (row.reason, row.publication_id, row.scope) == (
        Reason.COMPLAINT,
        None,
        "all publications",
    )
    cpw, hpb, people = two_publications(2)
    assert delivery.enqueue_readers(cpw) == delivery.enqueue_readers(hpb) == 2
    assert state_of(cpw, people[0]) == state_of(hpb, people[0]) == State.SUPPRESSED
    assert state_of(cpw, people[1]) == state_of(hpb, people[1]) == State.QUEUED
    assert not subscribing.suppress(people[0].email, Reason.MANUAL, publication=cpw.publication)


def test_going_back_before_scopes_keeps_one_suppression_per_address_for_all(
    executor: MigrationExecutor,
) -> None:
    cpw, hpb, people = two_publications(3)
    both, scoped, alone = (p.address_hash for p in people)
    subscribing.suppress(people[0].email, Reason.COMPLAINT, publication=cpw.publication)
    subscribing.suppress(people[0].email, Reason.MANUAL)
    subscribing.suppress(people[1].email, Reason.COMPLAINT, publication=hpb.publication)
    subscribing.suppress(people[1].email, Reason.MANUAL, publication=cpw.publication)
    subscribing.suppress(people[2].email, Reason.MANUAL, publication=hpb.publication)
    before = ("mailing", "0004_mailrun")
    executor.migrate([before])
    old = executor.loader.project_state(before).apps.get_model("mailing", "Suppression")
    kept = dict(old.objects.values_list("address_hash", "reason"))
    # the one for every publication where there was one, else the earliest
    assert kept == {both: Reason.MANUAL, scoped: Reason.COMPLAINT, alone: Reason.MANUAL}
