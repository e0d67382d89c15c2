"""Web hardening: CSRF checks on every POST, a Content-Security-Policy on every page,
and the headers Django's security middleware already sent."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from newsdesk.ingest.models import Source
from newsdesk.newsroom.imports import import_file
from newsdesk.newsroom.people import add_member
from newsdesk.newsroom.publications import add_publication
from tests.web.test_pages import make

pytestmark = pytest.mark.django_db

PASSWORD = "harbour-brief-2031"
BACKISSUES = Path(__file__).resolve().parents[1] / "fixtures" / "backissues"


@pytest.fixture
def pages(client: Client) -> list[str]:
    """One of each page: the article list, an article, the publications, a publication's
    home, an issue; the test client logged in as a viewer (the articles are the
    newsroom's)."""
    article = make("Port deal signed")
    publication = add_publication("hpb", "Harbour Policy Brief")
    import_file(BACKISSUES / "hpb-0412.txt", publication)
    viewer, _ = add_member("viewer", "viewer@hpb.example", publication, "viewer", PASSWORD)
    client.force_login(viewer)
    return ["/articles/", f"/articles/{article.pk}/", "/", "/hpb/", "/hpb/412/"]


def test_every_page_sends_the_policy_and_the_older_headers(
    client: Client, pages: list[str]
) -> None:
    for url in [*pages, "/healthz", "/no-such-page/"]:
        response = client.get(url)
        expected = {"/no-such-page/": 404, "/healthz": 503}.get(url, 200)  # no worker runs
        assert response.status_code == expected, url
        policy = {
            directive.split(" ", 1)[0]: directive.split(" ", 1)[1]
            for directive in response.headers["Content-Security-Policy"].split("; ")
        }
        assert policy == {
            "default-src": "'self'",
            "base-uri": "'none'",
            "form-action": "'self'",
            "frame-ancestors": "'none'",
        }, url
        assert response.headers["X-Content-Type-Options"] == "nosniff", url
        assert response.headers["X-Frame-Options"] == "DENY", url
        assert response.headers["Referrer-Policy"] == "same-origin", url
        assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin", url


def test_pages_need_no_inline_script_or_style(client: Client, pages: list[str]) -> None:
    """The policy allows neither, so a page relying on one would break silently. The
    public pages' JSON-LD block is data the browser never runs."""
    for url in pages:
        page = client.get(url).content.decode()
        page = re.sub(r'<script type="application/ld\+json">[^<]*</script>', "", page)
        assert "<script" not in page and "<style" not in page and " style=" not in page, url
        sheet = "web/newsdesk.css" if url.startswith("/articles/") else "archive/site.css"
        assert f'<link rel="stylesheet" href="/static/{sheet}">' in page, url
    stylesheet = finders.find("web/newsdesk.css")
    assert stylesheet and ".item h2" in Path(str(stylesheet)).read_text()


def test_every_page_links_the_icon_and_favicon_ico_leads_to_it(
    client: Client, pages: list[str]
) -> None:
    """Browsers ask for /favicon.ico on a first visit: it was a 404 and a logged warning."""
    link = '<link rel="icon" type="image/svg+xml" href="/static/web/icon.svg">'
    for url in pages:
        assert link in client.get(url).content.decode(), url
    assert link in Client().get("/accounts/login/").content.decode()  # the desk's own base
    response = client.get("/favicon.ico")
    assert (response.status_code, response.headers["Location"]) == (301, "/static/web/icon.svg")
    icon = finders.find("web/icon.svg")
    assert icon and Path(str(icon)).read_text().startswith("<svg xmlns=")


def test_a_post_without_a_csrf_token_is_refused(pages: list[str]) -> None:
    strict = Client(enforce_csrf_checks=True)
    strict.login(username="viewer", password=PASSWORD)
    for url in pages:
        assert strict.post(url, {"q": "port"}).status_code == 403, url
    assert strict.get(pages[0]).status_code == 200  # reading needs no token


def test_a_form_holding_nul_is_refused_and_a_query_s_nul_dropped(client: Client) -> None:
    """PostgreSQL refuses NUL in text: a source's outlet or a desk search holding one
    answered 500, and SQLite stored it. Now a form gets a clear 400 with nothing
    stored, and a search runs without it."""
    publication = add_publication("hpb", "Harbour Policy Brief")
    admin, _ = add_member("admin", "admin@hpb.example", publication, "admin", PASSWORD)
    client.force_login(admin)
    added = client.post(
        "/desk/hpb/sources/add", {"url": "https://tide.example/feed", "outlet": "Tide\x00Wire"}
    )
    assert added.status_code == 400 and "NUL character" in added.content.decode()
    assert not Source.objects.exists()
    for url in ("/desk/hpb/?q=port\x00", "/articles/?q=\x00wire", "/desk/hpb/subscribers/?q=a\x00"):
        response = client.get(url)
        assert response.status_code == 200 and "\x00" not in response.content.decode(), url
    kept = client.post(
        "/desk/hpb/sources/add", {"url": "https://tide.example/feed", "outlet": "Tide Wire"}
    )
    assert kept.status_code == 302 and Source.objects.get().outlet == "Tide Wire"
