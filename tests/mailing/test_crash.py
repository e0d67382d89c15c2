"""The crash test: `newsdesk mail send` killed with SIGKILL at random points, several
times, and started again each time. Every subscriber ends with exactly one message
accepted by the SMTP server, or one delivery recorded 'unknown' (at most one copy in
flight per connection at each kill); nobody is missed, nobody gets two."""

from __future__ import annotations

import random
import subprocess
import time
from functools import partial
from pathlib import Path
from typing import Any

from django.db.models import Count

from newsdesk.mailing.models import Delivery
from tests.mailing import sinks
from tests.ops.processes import fleet, wait_for

READERS = 2000
KILLS = 5
CONNECTIONS = 2
State = Delivery.State


def reached(sink: sinks.Sink, target: int, process: subprocess.Popen[bytes]) -> bool:
    return len(sink.messages) >= target or process.poll() is not None


def test_a_sender_killed_again_and_again_sends_each_reader_one_copy(
    transactional_db: None, settings: Any, tmp_path: Path
) -> None:
    sink = sinks.Sink()
    controller = sinks.start(sink, settings)
    seed = random.randrange(1_000_000)
    chance = random.Random(seed)
    try:
        issue = sinks.published_issue()
        people = sinks.subscribe(issue.publication, READERS)
        env = sinks.sender_environment(
            controller,
            NEWSDESK_MAIL_CONNECTIONS=str(CONNECTIONS),
        )
        with fleet(tmp_path, **env) as running:
            running.env = env
            for kill in range(KILLS):
                sender = running.start("mail", "send", "cpw", "7")
                target = len(sink.messages) + chance.randrange(20, READERS // (KILLS + 1))
                wait_for(
                    partial(reached, sink, target, sender.popen),
                    within=60,
                    what=f"kill {kill}: the sender got to {target} messages (seed {seed})",
                    fleet=running,
                )
                time.sleep(chance.random() * 0.05)  # anywhere in a transaction
                sender.kill()
            last = running.start("mail", "send", "cpw", "7")
            assert last.popen.wait(timeout=120) == 0, running.logs()
            output = last.output()
        received = sink.per_recipient
        states = dict(
            Delivery.objects.values_list("state").annotate(n=Count("id")).order_by("state")
        )
        by_reader = dict(Delivery.objects.values_list("subscriber__email", "state"))
        assert len(by_reader) == READERS
        twice = [r for r, n in received.items() if n > 1]
        assert not twice, f"seed {seed}: {len(twice)} readers got two copies"
        missed = [
            p.email
            for p in people
            if by_reader[p.email] != State.UNKNOWN and received[p.email] != 1
        ]
        assert not missed, f"seed {seed}: {len(missed)} readers missed; states {states}"
        assert set(states) <= {State.SENT, State.UNKNOWN}, states
        assert states.get(State.UNKNOWN, 0) <= KILLS * CONNECTIONS, states
        assert f"unknown {states.get(State.UNKNOWN, 0)}" in output
        print(f"crash test (seed {seed}): {KILLS} kills; {states}")
    finally:
        controller.stop()
