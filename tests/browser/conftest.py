"""Browser tests: Playwright drives Debian's Chromium (/usr/bin/chromium, never a
downloaded browser) against a live server on 127.0.0.1; axe-core, from the npm registry
(tests/browser/package.json, installed by dev.py), checks accessibility. Screenshots
of every page land in test-artifacts/screenshots/ to be looked at.

Without Chromium, or without axe-core's files, the tests are skipped with the reason;
`.ci/run` installs Chromium first, so CI runs them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User

from newsdesk.newsroom.models import Publication
from newsdesk.newsroom.people import add_member
from newsdesk.newsroom.publications import add_publication
from tests.stored_week import store_week

playwright_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = Path(os.environ.get("NEWSDESK_CHROMIUM", "/usr/bin/chromium"))
AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PASSWORD = "corvia-desk-2026"
#: as the probe of these machines starts Chromium: no sandbox as root, no calls home
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

if not CHROMIUM.exists():
    pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)", allow_module_level=True)
if not AXE.exists():
    pytest.skip(f"no axe-core at {AXE} (npm install in tests/browser)", allow_module_level=True)

# Playwright's sync API runs an event loop in the test's thread; the database calls
# the tests make there are their own, synchronous ones
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    with playwright_api.sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def desk_world(transactional_db: None, settings: Any) -> Publication:
    """A publication with a ranked fictional week and its people."""
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False  # plain HTTP here
    pub = add_publication("cpw", "Corvia Policy Watch", 1)
    store_week(pub)
    for role in ("editor", "contributor", "viewer"):
        add_member(role, f"{role}@corvia.example", pub, role, PASSWORD)
    add_member("second", "second@corvia.example", pub, "editor", PASSWORD)
    return pub


class Desk:
    """One person's browser on the desk: log-in, pages, screenshots, axe."""

    def __init__(
        self, browser: Any, base: str, *, bypass_csp: bool = False, javascript: bool = True
    ) -> None:
        self.context = browser.new_context(
            base_url=base,
            viewport={"width": 1280, "height": 900},
            bypass_csp=bypass_csp,
            java_script_enabled=javascript,
        )
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("dialog", self._dialog)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def login(self, username: str) -> Any:
        page = self.page
        page.goto("/desk/")
        page.get_by_label("User name").fill(username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/desk/cpw/")
        return page

    def shot(self, name: str) -> Path:
        SHOTS.mkdir(parents=True, exist_ok=True)
        path = SHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def axe(self) -> list[dict[str, Any]]:
        """The serious and critical accessibility violations on the page."""
        self.page.add_script_tag(path=str(AXE))
        result = self.page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        return [
            {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"][:3]]}
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def desk(browser: Any, live_server: Any, desk_world: Publication) -> Iterator[Any]:
    """Open desks for as many people as a test needs: `desk()`, `desk(bypass_csp=True)`
    (for axe's script), `desk(javascript=False)` (a browser running no script)."""
    opened: list[Desk] = []

    def open_desk(*, bypass_csp: bool = False, javascript: bool = True) -> Desk:
        opened.append(Desk(browser, live_server.url, bypass_csp=bypass_csp, javascript=javascript))
        return opened[-1]

    yield open_desk
    for one in opened:
        one.close()


def user(name: str) -> User:
    return User.objects.get(username=name)
