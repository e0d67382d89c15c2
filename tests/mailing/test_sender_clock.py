"""Mail on the database's clock. A `newsdesk mail send` on a machine whose clock is ten
minutes off (tests/ops/skewed.py) is not taken for dead by another sender, whatever
that one's clock, and the message it has in flight is not marked `unknown` for a
person to settle. A reader deferred by a sender whose clock is off is due again
after the backoff on the database's clock, where the scheduler looks, and is sent
when the scheduler says so by a sender whose clock is off."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

import pytest

from newsdesk.clock import database_now
from newsdesk.mailing import delivery
from newsdesk.mailing.models import Delivery, MailSender
from newsdesk.ops import scheduler
from newsdesk.ops.worker import run_worker
from tests.mailing import sinks
from tests.ops.processes import fleet, wait_for
from tests.ops.skewed import clock_off

State = Delivery.State
#: how far off the clocks are, in seconds: ten times the stale time of a sender
OFF = 600.0


class Holding(sinks.Sink):
    """Holds each message's data unanswered until `let_go` is set: the sender's delivery
    stays `sending` meanwhile."""

    def __init__(self) -> None:
        super().__init__()
        self.holding = threading.Event()
        self.let_go = threading.Event()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.holding.set()
        for _ in range(1200):  # a bound for a test that never lets go, not a timing
            if self.let_go.is_set():
                break
            await asyncio.sleep(0.05)
        return await super().handle_DATA(server, session, envelope)


@pytest.mark.parametrize("off", [-OFF, OFF], ids=["behind", "ahead"])
def test_a_sender_on_a_clock_off_is_alive_for_the_others(
    transactional_db: None, settings: Any, tmp_path: Path, off: float
) -> None:
    sink = Holding()
    controller = sinks.start(sink, settings)
    try:
        issue = sinks.published_issue()
        sinks.subscribe(issue.publication, 1)
        env = sinks.sender_environment(
            controller,
            NEWSDESK_MAIL_CONNECTIONS="1",
        )
        with fleet(tmp_path, **env) as running:
            sender = running.start("mail", "send", "cpw", "7", clock_off=off)
            try:
                wait_for(sink.holding.is_set, within=120, what="a message sent", fleet=running)
                for judge in (-OFF, 0.0, OFF):
                    with clock_off(judge):
                        assert delivery.recover(issue) == 0, judge
                    assert Delivery.objects.get().state == State.SENDING, judge
                    assert MailSender.objects.count() == 1, judge
            finally:
                sink.let_go.set()
            assert sender.popen.wait(timeout=120) == 0, running.logs()
    finally:
        controller.stop()
    assert Delivery.objects.get().state == State.SENT and len(sink.messages) == 1


@pytest.mark.parametrize("off", [-2 * OFF, 2 * OFF], ids=["behind", "ahead"])
def test_a_deferred_reader_is_due_again_on_the_databases_clock(
    transactional_db: None, settings: Any, off: float
) -> None:
    """Twenty minutes off, against a first wait of ten: behind, the reader would be due
    at once (the backoff lost) and, due on the database's clock, not yet due for the
    sender the scheduler started, which sent nothing and spent the retry's claim: the
    reader would wait for good. Ahead, the reader would wait twenty minutes more."""
    handler = sinks.Moody()
    controller = sinks.start(handler, settings)
    try:
        issue = sinks.published_issue()
        sinks.subscribe(issue.publication, 1, prefix="soft4xx")
        assert scheduler.claim_mailings(database_now()) == 1
        with clock_off(off):
            assert run_worker(queues="mail", batch=True) == 0
        deferred = Delivery.objects.get()
        now = database_now()
        assert deferred.state == State.DEFERRED and deferred.next_attempt is not None
        assert now < deferred.next_attempt <= now + delivery.backoff(1)
        assert delivery.due_retries(now) == []  # not yet
        handler.temporary = False
        Delivery.objects.update(next_attempt=database_now())  # its wait is over
        assert scheduler.claim_mailings(database_now()) == 1
        with clock_off(off):
            assert run_worker(queues="mail", batch=True) == 0
    finally:
        controller.stop()
    assert Delivery.objects.get().state == State.SENT
    assert list(handler.per_recipient.values()) == [1]
