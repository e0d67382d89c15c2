"""A reader subscribes in Chromium, confirms from the message a real SMTP server on
127.0.0.1 received (aiosmtpd), chooses topics, and leaves in one click as a mail
client would (RFC 8058). Screenshots: test-artifacts/screenshots/mailing-*.png."""

from __future__ import annotations

import email
import re
import socket
import threading
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import expect

from newsdesk.mailing.models import Subscription
from newsdesk.newsroom.models import Publication
from newsdesk.newsroom.publications import add_publication, category
from newsdesk.ops.worker import run_worker
from tests.browser.conftest import AXE, SHOTS

LINK = re.compile(r"https?://\S+/subscribe/confirm/\S+/")


class Inbox:
    """An aiosmtpd handler that keeps every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.arrived = threading.Condition()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=default_policy)
        with self.arrived:
            self.messages.append(message)  # type: ignore[arg-type]
            self.arrived.notify_all()
        return "250 OK"

    def wait(self, count: int, seconds: float = 20) -> list[EmailMessage]:
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.messages) >= count, timeout=seconds)
        assert len(self.messages) >= count, "no message reached the SMTP server"
        return self.messages


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp(settings: Any) -> Iterator[Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield inbox
    controller.stop()


@pytest.fixture
def paper(transactional_db: None, settings: Any) -> Publication:
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False  # plain HTTP here
    pub = add_publication("cpw", "Corvia Policy Watch", 1)
    for name, kind in (("Trade", "topic"), ("Energy", "topic"), ("Vietnam", "place")):
        category(pub, name, kind)
    return pub


def serious_violations(page: Any) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [v["id"] for v in result["violations"] if v["impact"] in ("serious", "critical")]


def status() -> str:
    return str(Subscription.objects.get().status)


def test_subscribe_confirm_choose_and_leave(
    browser: Any, live_server: Any, paper: Publication, smtp: Inbox
) -> None:
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, bypass_csp=True
    )  # axe is injected as a script
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    SHOTS.mkdir(parents=True, exist_ok=True)

    page.goto("/cpw/")  # the site's own Subscribe link leads to the form
    page.get_by_role("link", name="Subscribe").first.click()
    page.wait_for_url("**/cpw/subscribe/")
    assert serious_violations(page) == []
    assert not page.locator("#website").is_visible()  # the honeypot stays out of sight
    page.get_by_label("Email address").fill("Lena.Hart@corvia.example")
    page.get_by_label("Name (optional)").fill("Lena")
    page.get_by_label("Energy").check()
    page.screenshot(path=str(SHOTS / "mailing-subscribe.png"), full_page=True)
    page.get_by_role("button", name="Subscribe").click()
    page.wait_for_url("**/cpw/subscribe/sent/")
    assert "lena" not in page.url.lower()
    assert page.get_by_role("heading", name="Check your inbox").is_visible()
    assert status() == "pending"

    assert run_worker(batch=True) == 0  # the confirmation goes out from a task
    [message] = smtp.wait(1)
    assert message["To"] == "lena.hart@corvia.example"
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    link = LINK.search(text)
    assert link is not None and link.group(0).startswith(live_server.url)
    page.goto(link.group(0))
    assert status() == "pending"  # opening the link is not confirming
    page.get_by_role("button", name="Yes, send it to me").click()
    # the click returns before the answer arrives: wait for the page it brings
    expect(page.get_by_role("heading", name="You are subscribed")).to_be_visible()
    assert status() == "confirmed"

    page.get_by_role("link", name="Choose topics and places").click()
    assert page.get_by_label("Energy").is_checked()
    page.get_by_label("Vietnam").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    assert {c.name for c in Subscription.objects.get().categories.all()} == {"Energy", "Vietnam"}
    assert serious_violations(page) == []
    page.screenshot(path=str(SHOTS / "mailing-preferences.png"), full_page=True)

    # a mail client's one-click POST: no cookie, no CSRF token, just the signed path
    unsubscribe = page.get_by_role("link", name="Unsubscribe").get_attribute("href")
    client = browser.new_context(base_url=live_server.url)
    answer = client.request.post(unsubscribe, form={"List-Unsubscribe": "One-Click"})
    assert answer.status == 200 and status() == "unsubscribed"
    client.close()
    page.goto(page.url)
    assert page.get_by_text("You have unsubscribed").is_visible()
    # Django's SMTP backend returns once the server accepted: nothing else was sent
    assert len(smtp.messages) == 1 and errors == []
    context.close()
