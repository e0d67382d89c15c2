"""Mail over TLS against real servers on 127.0.0.1, no mocks: sending an issue through
aiosmtpd with STARTTLS (EMAIL_USE_TLS) and with implicit TLS (EMAIL_USE_SSL), logging
in, and reading bounces from pymap over imap:// and imaps://.

The certificates come from a trustme test CA. The code under test uses
`ssl.create_default_context()`, so a test trusts the CA by pointing SSL_CERT_FILE at
it (OpenSSL reads the variable each time a default context loads its verify paths);
without it the system's store is used, which does not know the CA.

pymap with a certificate speaks TLS only after STARTTLS, while imaps:// starts with the
TLS handshake; so for imaps:// a small TLS relay (`TLSRelay`) serves implicit TLS with
the test certificate in front of a plain pymap.
"""

from __future__ import annotations

import asyncio
import contextlib
import imaplib
import os
import re
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiosmtpd.smtp import AuthResult, LoginPassword

from newsdesk.cli.main import main
from newsdesk.mailing import bounces, sending
from newsdesk.mailing.models import Delivery, SubscriberEvent, Subscription, Suppression
from tests.mailing import sinks, test_bounces

State = Delivery.State
PYMAP = str(Path(sys.executable).with_name("pymap"))
#: the one user of the in-memory IMAP server, and the SMTP server's
USER, PASSWORD = "bounces", "s3cret-imap"
SMTP_USER, SMTP_PASSWORD = "desk", "s3cret-smtp"
#: an issue sent to five readers (tests/mailing/test_bounces.py)
sent = test_bounces.sent


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[trustme.CA, Path]]:
    """A test CA and its PEM file; every server's certificate is for 127.0.0.1."""
    authority = trustme.CA()
    pem = tmp_path_factory.mktemp("ca") / "ca.pem"
    authority.cert_pem.write_to_path(str(pem))
    yield authority, pem


@pytest.fixture
def server_tls(ca: tuple[trustme.CA, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca[0].issue_cert("127.0.0.1").configure_cert(context)
    return context


@pytest.fixture
def trusted(ca: tuple[trustme.CA, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(ca[1]))


@pytest.fixture
def untrusted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)


# --- SMTP --------------------------------------------------------------------------


class Guarded(sinks.Sink):
    """A Sink that asks for a log-in and notes, for each message, the TLS version of its
    connection (None: none) and whether the client had logged in."""

    def __init__(self) -> None:
        super().__init__()
        self.sessions: list[tuple[str | None, bool]] = []
        self.logins: list[tuple[str, bool]] = []

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        assert isinstance(data, LoginPassword)
        ok = (data.login, data.password) == (SMTP_USER.encode(), SMTP_PASSWORD.encode())
        with self.lock:
            self.logins.append((data.login.decode(), ok))
        return AuthResult(success=ok, handled=False)  # not handled: aiosmtpd answers 535

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        tls = server.transport.get_extra_info("ssl_object")
        with self.lock:
            self.sessions.append((tls.version() if tls else None, bool(session.authenticated)))
        return await super().handle_DATA(server, session, envelope)


MODES = ["starttls", "implicit"]


@pytest.fixture(params=MODES)
def smtp(
    request: pytest.FixtureRequest,
    transactional_db: None,
    settings: Any,
    server_tls: ssl.SSLContext,
) -> Iterator[Guarded]:
    """aiosmtpd with STARTTLS required (EMAIL_USE_TLS) or implicit TLS (EMAIL_USE_SSL),
    a log-in, and newsdesk set to log in. aiosmtpd's auth_require_tls knows TLS only
    from STARTTLS: with implicit TLS every connection is TLS from its first byte."""
    handler = Guarded()
    starttls = request.param == "starttls"
    tls: dict[str, Any] = (
        {"tls_context": server_tls, "require_starttls": True, "auth_require_tls": True}
        if starttls
        else {"ssl_context": server_tls, "auth_require_tls": False}
    )
    controller = sinks.start(handler, settings, authenticator=handler.authenticate, **tls)
    settings.EMAIL_USE_TLS, settings.EMAIL_USE_SSL = starttls, not starttls
    settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = SMTP_USER, SMTP_PASSWORD
    yield handler
    controller.stop()


def test_an_issue_goes_to_every_reader_once_over_tls_after_a_log_in(
    smtp: Guarded, trusted: None
) -> None:
    issue = sinks.published_issue()
    people = sinks.subscribe(issue.publication, 6)
    report = sending.send_issue(issue)
    assert not report.stopped
    assert report.sent == 6 and report.states[State.SENT] == sum(report.states.values())
    assert sorted(smtp.per_recipient) == sorted(p.email for p in people)
    assert set(smtp.per_recipient.values()) == {1}
    assert len(smtp.sessions) == 6
    assert all(version and version.startswith("TLS") for version, _ in smtp.sessions)
    assert all(logged_in for _, logged_in in smtp.sessions)
    assert smtp.logins and all(login == (SMTP_USER, True) for login in smtp.logins)
    again = sending.send_issue(issue)
    assert again.sent == 0 and len(smtp.messages) == 6


def test_an_untrusted_certificate_stops_the_run_and_nothing_is_sent_twice(
    smtp: Guarded, untrusted: None, monkeypatch: pytest.MonkeyPatch, ca: tuple[trustme.CA, Path]
) -> None:
    issue = sinks.published_issue()
    people = sinks.subscribe(issue.publication, 4)
    report = sending.send_issue(issue)
    assert "CERTIFICATE_VERIFY_FAILED" in report.stopped
    assert report.stopped.startswith("cannot reach the SMTP server 127.0.0.1:")
    assert report.sent == 0 and report.states[State.SENT] == 0
    assert not smtp.messages and not smtp.logins  # no password went to it
    # trusted now: each reader gets the issue, once
    monkeypatch.setenv("SSL_CERT_FILE", str(ca[1]))
    later = sending.send_issue(issue, retry_only=True)
    assert not later.stopped and later.sent == 4
    assert sorted(smtp.per_recipient) == sorted(p.email for p in people)
    assert set(smtp.per_recipient.values()) == {1}


def test_a_wrong_smtp_password_stops_the_run_without_saying_it(
    smtp: Guarded, trusted: None, settings: Any
) -> None:
    settings.EMAIL_HOST_PASSWORD = "not-the-password"
    issue = sinks.published_issue()
    sinks.subscribe(issue.publication, 2)
    report = sending.send_issue(issue)
    assert "535" in report.stopped and "not-the-password" not in report.stopped
    assert report.sent == 0 and not smtp.messages
    assert smtp.logins and smtp.logins[0] == (SMTP_USER, False)


# --- IMAP --------------------------------------------------------------------------


def accepting(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    """Wait until the server on `port` accepts connections; fail if it exits first."""
    deadline = time.monotonic() + 60
    while True:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return
        if process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"pymap did not start: {log.read_text(errors='replace')[-2000:]}")
        time.sleep(0.05)


@pytest.fixture
def imap_port(tmp_path: Path) -> Iterator[int]:
    """pymap on a free port without TLS, its mailboxes in memory, one user."""
    port = sinks.free_port()
    log = tmp_path / "pymap.log"
    command = [PYMAP, "--host", "127.0.0.1", "--port", str(port), "--no-tls"]
    command += ["dict", "--demo-user", USER, "--demo-password", PASSWORD]
    with log.open("wb") as out:
        # FQDN: the greeting's host name, instead of a look-up of this machine's
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "FQDN": "imap.test"}
        )
    try:
        accepting(port, process, log)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class TLSRelay:
    """Implicit TLS on a port of its own, relayed in the clear to a server on `target`."""

    def __init__(self, context: ssl.SSLContext, target: int) -> None:
        self.context, self.target = context, target
        self.port = sinks.free_port()
        self.ready = threading.Event()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.done: asyncio.Event | None = None
        self.thread = threading.Thread(target=asyncio.run, args=(self.serve(),), daemon=True)

    def __enter__(self) -> TLSRelay:
        self.thread.start()
        if not self.ready.wait(30):
            pytest.fail("the TLS relay did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        if self.loop is not None and self.done is not None:
            self.loop.call_soon_threadsafe(self.done.set)
        self.thread.join(10)

    async def serve(self) -> None:
        self.loop, self.done = asyncio.get_running_loop(), asyncio.Event()
        server = await asyncio.start_server(self.relay, "127.0.0.1", self.port, ssl=self.context)
        async with server:
            self.ready.set()
            await self.done.wait()

    async def relay(
        self, client_in: asyncio.StreamReader, client_out: asyncio.StreamWriter
    ) -> None:
        server_in, server_out = await asyncio.open_connection("127.0.0.1", self.target)
        await asyncio.gather(pipe(client_in, server_out), pipe(server_in, client_out))


async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
    try:
        while data := await source.read(65536):
            sink.write(data)
            await sink.drain()
    except (OSError, ssl.SSLError):
        pass
    finally:
        sink.close()


def imap_url(
    port: int, scheme: str = "imap", password: str = PASSWORD, folder: str = "INBOX"
) -> str:
    return f"{scheme}://{USER}:{password}@127.0.0.1:{port}/{folder}"


def deliver(port: int, texts: list[str]) -> list[str]:
    """APPEND each message to INBOX (unseen); their UIDs, in order."""
    client = imaplib.IMAP4("127.0.0.1", port)
    try:
        client.login(USER, PASSWORD)
        uids = []
        for text in texts:
            _, answer = client.append("INBOX", "", None, text.encode())
            found = re.search(rb"APPENDUID \d+ (\d+)", answer[0] or b"")
            assert found, answer
            uids.append(found.group(1).decode())
        return uids
    finally:
        client.logout()


def seen_uids(port: int) -> list[str]:
    client = imaplib.IMAP4("127.0.0.1", port)
    try:
        client.login(USER, PASSWORD)
        client.select('"INBOX"', readonly=True)
        _, found = client.uid("SEARCH", "SEEN")
        return (found[0] or b"").decode().split()
    finally:
        client.logout()


def test_bounces_read_over_imap_suppress_their_readers_and_are_marked_seen(
    sent: list[Delivery], imap_port: int
) -> None:
    hard, delayed, complained, by_id, unsubscribing = sent
    uids = deliver(imap_port, test_bounces.reports(sent))
    first = bounces.process(bounces.from_imap(imap_url(imap_port)))
    assert first.counts == {
        "hard-bounce": 2,
        "soft-bounce": 1,
        "complaint": 1,
        "unsubscribe": 1,
        "unrecognised": 2,
    }
    assert first.suppressed == 3
    assert test_bounces.suppressed(hard.subscriber) == Suppression.Reason.HARD_BOUNCE
    assert test_bounces.suppressed(by_id.subscriber) == Suppression.Reason.HARD_BOUNCE
    assert test_bounces.suppressed(complained.subscriber) == Suppression.Reason.COMPLAINT
    assert test_bounces.suppressed(delayed.subscriber) is None
    status = Subscription.objects.get(subscriber=unsubscribing.subscriber).status
    assert status == Subscription.Status.UNSUBSCRIBED
    # the handled ones are seen; the two not recognised stay unseen, for a person
    assert seen_uids(imap_port) == [uids[n] for n in (0, 1, 2, 3, 5)]
    assert [where for where, _ in first.unrecognised] == [
        f"message uid {uids[4]}",
        f"message uid {uids[6]}",
    ]
    events = SubscriberEvent.objects.count()
    again = bounces.process(bounces.from_imap(imap_url(imap_port)))
    assert again.counts == {"unrecognised": 2} and again.suppressed == 0
    assert SubscriberEvent.objects.count() == events


def test_imaps_with_a_trusted_certificate_reads_the_folder(
    sent: list[Delivery], imap_port: int, server_tls: ssl.SSLContext, trusted: None
) -> None:
    deliver(imap_port, test_bounces.reports(sent)[:1])
    with TLSRelay(server_tls, imap_port) as relay:
        report = bounces.process(bounces.from_imap(imap_url(relay.port, "imaps")))
    assert report.counts == {"hard-bounce": 1} and report.suppressed == 1
    assert len(seen_uids(imap_port)) == 1


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_imaps_with_a_certificate_not_trusted_is_refused(
    sent: list[Delivery],
    imap_port: int,
    server_tls: ssl.SSLContext,
    ca: tuple[trustme.CA, Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: Any,
    host: str,
) -> None:
    """Refused: a CA not trusted, or a trusted certificate for another host name (the
    certificate is for 127.0.0.1)."""
    if host == "127.0.0.1":
        monkeypatch.delenv("SSL_CERT_FILE", raising=False)
        why = "(unable to get local issuer certificate)"
    else:
        monkeypatch.setenv("SSL_CERT_FILE", str(ca[1]))
        why = "(Hostname mismatch, certificate is not valid for 'localhost'.)"
    deliver(imap_port, test_bounces.reports(sent)[:1])
    with TLSRelay(server_tls, imap_port) as relay:
        url = f"imaps://{USER}:{PASSWORD}@{host}:{relay.port}/INBOX"
        code = main(["mail", "bounces", "--imap", url])
    err = capsys.readouterr().err
    assert code == 1
    assert err == (
        f"newsdesk: the IMAP server {host}:{relay.port}: its certificate is not trusted "
        f"{why}; no password sent\n"
    )
    assert Suppression.objects.count() == 0 and seen_uids(imap_port) == []


def test_a_wrong_imap_password_is_a_clear_error_that_does_not_repeat_it(
    sent: list[Delivery], imap_port: int, capsys: Any
) -> None:
    code = main(["mail", "bounces", "--imap", imap_url(imap_port, password="wr0ng-pass")])
    err = capsys.readouterr().err
    assert code == 1 and len(err.strip().splitlines()) == 1
    assert err.startswith(f"newsdesk: the IMAP server 127.0.0.1:{imap_port} refused")
    assert "wr0ng-pass" not in err


def test_a_folder_that_does_not_exist_is_not_found(
    transactional_db: None, imap_port: int, capsys: Any
) -> None:
    code = main(["mail", "bounces", "--imap", imap_url(imap_port, folder="Returns")])
    err = capsys.readouterr().err
    assert code == 1
    assert err == f"newsdesk: no folder 'Returns' on the IMAP server 127.0.0.1:{imap_port}\n"
