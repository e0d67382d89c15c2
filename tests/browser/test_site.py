"""The public site in a real browser: the issue page on a phone and a desktop (looked
at in test-artifacts/screenshots/site-*.png), nothing fetched from another origin,
print without navigation, no hostile script, and no serious accessibility violation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.archive.conftest import Archive, build_archive, publish
from tests.browser.conftest import AXE, SHOTS

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
SMALL_PHONE = {"width": 320, "height": 640}
#: what the narrowest phones meet in real issues: a web address quoted in a paragraph,
#: and an outlet's long name (the search form lists every outlet cited)
LONG_LINK = "https://www.mofa.go.jp/press/release/pressite_000001_00123.html"
LONG_OUTLET = "Center for Strategic and International Studies"


@pytest.fixture
def public(transactional_db: None) -> Archive:
    return build_archive()


@pytest.fixture
def reader(browser: Any, live_server: Any) -> Iterator[Any]:
    """Open a reader's page at a viewport: `reader(PHONE)`; it records script errors,
    dialogs and every request to another origin."""
    contexts: list[Any] = []

    def open_page(viewport: dict[str, int], *, bypass_csp: bool = False) -> Any:
        context = browser.new_context(
            base_url=live_server.url, viewport=viewport, bypass_csp=bypass_csp
        )
        contexts.append(context)
        page = context.new_page()
        page.foreign = []
        page.errors = []
        page.dialogs = []
        own = urlsplit(live_server.url).netloc
        page.on(
            "request",
            lambda r: urlsplit(r.url).netloc != own and page.foreign.append(r.url),
        )
        page.on("pageerror", lambda exc: page.errors.append(str(exc)))
        page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
        return page

    yield open_page
    for context in contexts:
        context.close()


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"site-{name}.png"), full_page=True)


def test_the_issue_page_reads_on_a_phone_and_a_desktop(reader: Any, public: Archive) -> None:
    for name, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        page = reader(viewport)
        page.goto("/hpb/412/")
        assert page.locator("section.item").count() == 6
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, name  # no sideways scrolling
        size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
        assert size >= 16, name
        width = page.locator("main").bounding_box()["width"]
        assert width <= viewport["width"]
        shot(page, f"issue-{name}")
        assert page.foreign == [] and page.errors == [], name
    page.click("text=Related Categories: >> a >> nth=0")
    page.wait_for_url("**/hpb/topics/**")  # the click starts the load; wait for its end
    expect(page.locator("h1")).to_have_count(1)


def test_long_addresses_and_outlet_names_stay_on_a_small_phone(
    reader: Any, public: Archive
) -> None:
    issue = publish(
        public.cpw,
        8,
        dt.date(2026, 10, 9),
        [("MINISTRY POSTS PORT RULES", f"The rules are at {LONG_LINK} since Friday.", ["Trade"])],
    )
    item = issue.items.get()
    item.sources.update(outlet=LONG_OUTLET)
    page = reader(SMALL_PHONE)
    for path in ("/cpw/", "/cpw/8/", f"/cpw/8/{item.pk}-x/", "/cpw/search/?q=rules"):
        page.goto(path)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, path  # the reader never scrolls sideways to read a line
    assert page.locator("select#outlet").bounding_box()["width"] <= SMALL_PHONE["width"]
    shot(page, "search-small-phone")


#: the contrast of each visible field's border with the page behind it
FIELD_BORDERS = """() => {
  const lum = (c) => {
    const v = c.match(/[\\d.]+/g).slice(0, 3).map((x) => x / 255);
    const [r, g, b] = v.map((x) => (x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const paper = lum(getComputedStyle(document.body).backgroundColor);
  return [...document.querySelectorAll("input, select")]
    .filter((el) => el.offsetParent !== null && el.type !== "checkbox")
    .map((el) => {
      const edge = lum(getComputedStyle(el).borderTopColor);
      const ratio = (Math.max(edge, paper) + 0.05) / (Math.min(edge, paper) + 0.05);
      return [el.id, Math.round(ratio * 100) / 100];
    });
}"""


def test_form_fields_can_be_told_from_the_page(reader: Any, public: Archive) -> None:
    """WCAG 1.4.11: a text field shown only by its border needs 3:1 against the page."""
    for scheme in ("light", "dark"):
        page = reader(PHONE)
        page.emulate_media(color_scheme=scheme)
        for path in ("/hpb/search/", "/hpb/subscribe/"):
            page.goto(path)
            fields = page.evaluate(FIELD_BORDERS)
            assert fields and all(ratio >= 3 for _, ratio in fields), (scheme, path, fields)


def test_error_pages_read_on_a_phone_and_lead_back(
    browser: Any, live_server: Any, public: Archive
) -> None:
    """A stale link (a withdrawn issue) and a form sent without its cookie (a browser
    blocking cookies) answer with pages laid out for the phone, with a way on."""
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, is_mobile=True)
    page = context.new_page()
    answer = page.goto("/hpb/999/")
    assert answer is not None and answer.status == 404
    assert page.evaluate("window.innerWidth") == PHONE["width"]  # not a 980 px desktop page
    assert page.get_by_role("heading", name="Page not found").is_visible()
    page.get_by_role("link", name="All publications").first.click()
    page.wait_for_url(f"{live_server.url}/")

    page.goto("/hpb/subscribe/")
    context.clear_cookies()  # as a browser that keeps none
    page.get_by_label("Email address").fill("lena@corvia.example")
    page.get_by_role("button", name="Subscribe").click()
    expect(page.get_by_role("heading", name="This form was not accepted")).to_be_visible()
    assert page.evaluate("window.innerWidth") == PHONE["width"]
    assert "cookies" in page.locator("main").inner_text()
    context.close()


def test_print_leaves_out_navigation(reader: Any, public: Archive) -> None:
    page = reader(DESKTOP)
    page.goto("/hpb/413/")
    page.emulate_media(media="print")
    assert not page.locator(".masthead nav").is_visible()
    assert not page.locator(".issue-nav").is_visible()
    assert page.locator("section.item").first.is_visible()


def test_a_hostile_item_runs_nothing(reader: Any, public: Archive) -> None:
    page = reader(PHONE)
    for path in ("/cpw/", "/cpw/7/", f"/cpw/7/{public.hostile.pk}-x/", "/cpw/topics/trade/"):
        page.goto(path)
    assert page.dialogs == [] and page.errors == [] and page.foreign == []
    assert "<script>" in page.locator("ol.items").inner_text()  # shown as text


def test_no_serious_accessibility_violation_on_public_pages(reader: Any, public: Archive) -> None:
    page = reader(PHONE, bypass_csp=True)  # axe is injected as a script
    found = {}
    item = public.built.items.get(position=0)
    for path in (
        "/",
        "/hpb/",
        "/hpb/412/",
        f"/cpw/7/{item.pk}-x/",
        "/hpb/archive/",
        "/hpb/topics/human-rights/",
    ):
        page.goto(path)
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        found[path] = [
            (v["id"], [n["target"] for n in v["nodes"][:3]])
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]
    assert found == {path: [] for path in found}
