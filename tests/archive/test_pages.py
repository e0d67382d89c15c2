"""The public pages against a real database: shape, links, metadata, privacy of drafts
and escaping of hostile texts."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.test import Client

from newsdesk.newsroom import settings_service
from newsdesk.newsroom.imports import import_file
from newsdesk.newsroom.models import Category
from newsdesk.newsroom.publications import add_publication
from newsdesk.pipeline.errors import ConflictError, IssueError
from tests.archive.conftest import BACKISSUES, HOSTILE, Archive, publish
from tests.desk.conftest import member

pytestmark = pytest.mark.django_db


def get(client: Client, path: str, status: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == status, (path, response.status_code)
    return response.content.decode()


def ld_of(page: str) -> dict[str, object]:
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert block is not None
    data: dict[str, object] = json.loads(block.group(1))
    return data


def test_index_lists_publications_with_their_latest_issue(client: Client, archive: Archive) -> None:
    page = get(client, "/")
    assert "Harbour Policy Brief" in page and "Coastal Policy Weekly" in page
    assert 'href="/hpb/414/"' in page and 'href="/cpw/7/"' in page


def test_home_shows_the_latest_issue_whole_with_subscribe_and_feeds(
    client: Client, archive: Archive
) -> None:
    page = get(client, "/hpb/")
    assert "Harbour Policy Brief No. 414" in page and "Weekly sea-lane notes." in page
    assert 'Want these sent to your inbox? <a href="/hpb/subscribe/">Subscribe</a>' in page
    assert 'href="/hpb/archive/"' in page and 'href="/hpb/feed.xml"' in page
    assert 'href="/hpb/413/"' in page  # earlier issues
    assert get(client, "/nobody/", 404)


def test_issue_page_has_the_seed_shape_links_and_metadata(client: Client, archive: Archive) -> None:
    page = get(client, "/hpb/412/")
    assert page.count('<section class="item"') == 6
    assert "SERVERS...</a></h2>" in page and ">...AS MANILA BLAMES" in page  # a chain
    assert '<a href="https://' not in page or 'rel="noopener noreferrer nofollow"' in page
    assert "(Meridian Wire, September 12, 2026; Harbor Ledger, September 13, 2026)" in re.sub(
        r"<[^>]+>", "", page
    )
    assert "Harbour Policy Brief No. 412" in page
    related = re.search(r'<p class="categories">Related Categories: (.*?)</p>', page)
    assert related is not None
    assert '<a href="/hpb/topics/cybersecurity-and-cyberwarfare/">' in related.group(1)
    assert '<a href="/hpb/places/japan/">Japan</a>' in related.group(1)
    assert 'rel="next" href="/hpb/413/"' in page and 'rel="prev"' not in page
    assert 'rel="prev" href="/hpb/413/"' in get(client, "/hpb/414/")
    assert '<link rel="canonical" href="http://testserver/hpb/412/">' in page
    assert '<meta property="og:title" content="Harbour Policy Brief No. 412">' in page
    ld = ld_of(page)
    assert ld["@type"] == "NewsArticle" and ld["url"] == "http://testserver/hpb/412/"
    part = ld["isPartOf"]
    assert isinstance(part, dict) and part["issueNumber"] == "412"
    assert part["isPartOf"]["@type"] == "Periodical"
    assert get(client, "/hpb/999/", 404) and get(client, "/cpw/8/", 404)


def test_every_item_has_its_own_page(client: Client, archive: Archive) -> None:
    page = get(client, "/hpb/413/")
    paths = re.findall(r'<h2><a href="(/hpb/413/\d+-[a-z0-9-]+/)">', page)
    assert len(paths) == page.count('<section class="item"') == 7
    item_page = get(client, paths[0])
    assert "<h1>RUSSIAN AND CHINESE BOMBERS FLY JOINT PATROL NEAR ALASKA</h1>" in item_page
    assert 'href="/hpb/413/">Harbour Policy Brief No. 413</a>' in item_page
    assert ld_of(item_page)["articleBody"]
    pk = paths[0].split("/")[3].split("-")[0]
    moved = client.get(f"/hpb/413/{pk}-old-words/")
    # 302: a headline may change back, and a browser never forgets a 301
    assert moved.status_code == 302 and moved["Location"] == paths[0]
    assert get(client, f"/hpb/412/{pk}-x/", 404)  # not an item of that issue


def test_archive_lists_issues_with_editor_teasers_and_years(
    client: Client, archive: Archive
) -> None:
    page = get(client, "/cpw/archive/")
    assert "Coastal Policy Weekly No. 7" in page and "Edited by Ada Lind" in page
    assert "Teaser of vietnam opens deep-water port tender; Teaser of" in page
    assert "SECRET DRAFT" not in page
    years = get(client, "/cpw/archive/2026/")
    assert "No. 7" in years and 'aria-current="page">2026' in years
    assert get(client, "/cpw/archive/2019/", 404)  # no issue that year: no such page
    assert client.get("/cpw/archive/page/9/").status_code == 302


def test_category_pages_list_items_newest_first_with_a_chart(
    client: Client, archive: Archive
) -> None:
    page = get(client, "/hpb/topics/human-rights/")
    # imported issues carry their categories on the issue: their items count under them
    positions = [page.index(f'href="/hpb/{n}/">') for n in (414, 413)]
    assert positions == sorted(positions)
    assert "/hpb/412/" not in page  # No. 412 is not about human rights
    assert "<svg" in page and "Items per month" in page and "<rect" in page
    own = get(client, "/cpw/topics/trade/")
    assert "VIETNAM OPENS DEEP-WATER PORT TENDER" in own and "SECRET DRAFT" not in own
    assert "VIETNAM OPENS" in get(client, "/cpw/places/vietnam/")
    assert "VIETNAM OPENS" not in get(client, "/cpw/places/china/")
    assert get(client, "/cpw/topics/nothing-here/", 404)
    assert get(client, "/cpw/colours/trade/", 404)


def test_drafts_never_reach_a_reader(client: Client, archive: Archive) -> None:
    for path in ("/", "/cpw/", "/cpw/archive/", "/cpw/topics/trade/"):
        assert "SECRET DRAFT" not in get(client, path)
    draft_item = archive.draft.items.get()
    assert get(client, f"/cpw/7/{draft_item.pk}-secret-draft-item/", 404)


def test_hostile_texts_are_escaped_everywhere(client: Client, archive: Archive) -> None:
    item = archive.hostile
    pages = [
        "/cpw/",
        "/cpw/7/",
        "/cpw/archive/",
        "/cpw/topics/trade/",
        client.get(f"/cpw/7/{item.pk}-x/")["Location"],
    ]
    for path in pages:
        page = get(client, path)
        assert "<script>alert" not in page and "<img src=x" not in page, path
        assert page.count("<script") == page.count("</script>"), path
    ld = ld_of(get(client, "/cpw/7/"))
    assert HOSTILE.split(" PORT")[0] in str(ld["headline"])  # kept as text, escaped as JSON


def test_old_issue_addresses_move_permanently(client: Client, archive: Archive) -> None:
    moved = client.get("/issues/hpb/412/")
    assert moved.status_code == 301 and moved["Location"] == "/hpb/412/"
    assert client.get("/issues/")["Location"] == "/"


def test_a_publication_may_not_take_a_path_of_the_site() -> None:
    with pytest.raises(IssueError, match="path of the site"):
        add_publication("desk", "The Desk")


def test_out_of_range_numbers_are_not_found_not_errors(client: Client, archive: Archive) -> None:
    for path in ("/hpb/archive/0/", "/hpb/archive/10000/", "/hpb/archive/99999999999999999999/"):
        assert client.get(path).status_code == 404, path
    for page in ("²", "0", "99999999999999999999"):
        response = client.get("/api/v1/publications/hpb/issues/", {"page": page})
        assert response.status_code == 400, page


def test_an_item_page_links_only_web_addresses(client: Client, archive: Archive) -> None:
    """A source URL from an imported file may be anything; only http(s) becomes a link."""
    archive.hostile.sources.update(url="javascript:alert(document.domain)")
    response = client.get(f"/cpw/7/{archive.hostile.pk}-x/", follow=True)
    assert response.status_code == 200
    item_page = response.content.decode()
    assert "javascript:" not in item_page and "Harbor Ledger" in item_page
    assert "javascript:" not in get(client, "/cpw/7/")


def test_names_that_would_share_an_address_share_a_category(
    client: Client, archive: Archive
) -> None:
    """ "U.S." and "US" once made two categories at one address: the second's items were
    on no page; two names in Chinese both took /topics/category/ (found in review)."""
    publish(archive.cpw, 8, dt.date(2026, 10, 9), [("US TARIFF RISES", "A body.", ["U.S."])])
    publish(archive.cpw, 9, dt.date(2026, 10, 16), [("US PORT CLOSES", "A body.", ["US"])])
    publish(archive.cpw, 10, dt.date(2026, 10, 23), [("TWO NAMES", "A body.", ["港口", "航运"])])
    assert Category.objects.filter(publication=archive.cpw, name__in=["U.S.", "US"]).count() == 1
    page = get(client, "/cpw/topics/us/")
    assert "US TARIFF RISES" in page and "US PORT CLOSES" in page
    issue_page = get(client, "/cpw/10/")
    paths = set(re.findall(r'href="(/cpw/topics/category-[0-9a-f]{8}/)"', issue_page))
    assert len(paths) == 2
    for path in paths:
        assert "TWO NAMES" in get(client, path)
    user = member(archive.cpw, "admin")
    with pytest.raises(ConflictError, match="same address"):
        settings_service.add_category(archive.cpw, user, "trade", "topic")
    with pytest.raises(ConflictError, match="same address"):
        settings_service.rename_category(
            archive.cpw, user, Category.objects.get(name="港口").pk, "TRADE"
        )


@pytest.mark.parametrize("slug", ["harbour brief", "hpb/weekly", "brève", "hpb.xml", "", "x" * 81])
def test_a_slug_the_site_cannot_route_is_refused(
    client: Client, archive: Archive, slug: str
) -> None:
    """A publication whose slug no route accepts has no address: once stored, the
    index, the sitemap and the API's list of publications all answered 500."""
    with pytest.raises(IssueError, match="cannot be an address"):
        add_publication(slug, "Spaced Out")
    for path in ("/", "/sitemap.xml", "/api/v1/publications/"):
        get(client, path)
    assert add_publication("Harbour_Brief-2", "Fine").slug == "Harbour_Brief-2"
    assert "/Harbour_Brief-2/" in get(client, "/")


def test_every_list_and_issue_answers_at_one_address(client: Client, archive: Archive) -> None:
    """The routes take any digits: "/hpb/0412/", "archive/page/1/" or "page/02/" were
    the same page again with status 200, each kept apart by the front cache, and an
    empty year's archive ("/hpb/archive/1066/", any of 9,999) a page of its own."""
    moved = {
        "/hpb/0412/": "/hpb/412/",
        "/hpb/000412/": "/hpb/412/",
        "/hpb/archive/page/1/": "/hpb/archive/",
        "/hpb/archive/02026/": "/hpb/archive/2026/",
        "/hpb/archive/2026/page/01/": "/hpb/archive/2026/",
        "/cpw/topics/trade/page/1/": "/cpw/topics/trade/",
        "/cpw/topics/trade/page/001/": "/cpw/topics/trade/",
    }
    for path, target in moved.items():
        response = client.get(path)
        assert (response.status_code, response["Location"]) == (301, target), path
        get(client, target)
    beyond = client.get("/hpb/archive/2026/page/9/")  # past the last page: the year's first
    assert (beyond.status_code, beyond["Location"]) == (302, "/hpb/archive/2026/")
    for empty in ("/hpb/archive/1066/", "/hpb/archive/1066/page/2/", "/hpb/archive/9999/"):
        get(client, empty, 404)


def test_a_category_no_published_item_uses_has_no_page(client: Client, archive: Archive) -> None:
    """A topic only a draft used answered 200 at its address, with its name, and its
    feeds too, though no list, sitemap or export shows it: a draft's topics leaked."""
    secret = [("M", "Secret.", ["Secret Merger"])]
    publish(archive.cpw, None, dt.date(2026, 10, 16), secret, "draft")
    gone = publish(archive.cpw, 8, dt.date(2026, 10, 9), [("W", "Gone.", ["Recalled Topic"])])
    gone.status = gone.Status.WITHDRAWN
    gone.save()
    for slug in ("secret-merger", "recalled-topic"):
        for tail in ("", "page/2/", "feed.xml", "atom.xml", "feed.json"):
            assert "Secret Merger" not in get(client, f"/cpw/topics/{slug}/{tail}", 404)
    assert get(client, "/cpw/topics/trade/")
    # an issue's own category whose items are each filed elsewhere: named, not linked
    own = Category.objects.create(publication=archive.cpw, name="Shipping", kind="topic")
    archive.built.categories.add(own, through_defaults={"position": 0})
    page = get(client, "/cpw/7/")
    assert "Related Categories: Shipping</p>" in page
    get(client, "/cpw/topics/shipping/", 404)


def test_an_item_page_dates_its_sources_in_the_publications_style(
    client: Client, archive: Archive
) -> None:
    """The attribution of an item's own page follows the style, as its issue's does."""
    archive.cpw.style = {**archive.cpw.style, "attribution_date_format": "day-first"}
    archive.cpw.save(update_fields=["style"])
    item = archive.built.items.get(position=0)
    issue_page = get(client, "/cpw/7/")
    item_page = get(client, client.get(f"/cpw/7/{item.pk}-x/")["Location"])  # its words
    assert "Harbor Ledger</a>, 2 October 2026)" in issue_page
    assert "Harbor Ledger</a>, 2 October 2026)" in item_page


def test_an_imported_item_page_lists_its_issues_categories(
    client: Client, archive: Archive
) -> None:
    """A back issue's items have no categories of their own and count under their issue's
    (category pages, feeds, search): their own pages end with those, as the issue does."""
    item = archive.hpb.issues.get(number=412).items.get(position=0)
    page = get(client, client.get(f"/hpb/412/{item.pk}-x/")["Location"])
    related = re.search(r'<p class="categories">Related Categories: (.*?)</p>', page)
    assert related is not None
    assert '<a href="/hpb/topics/economic-security/">Economic Security</a>' in related.group(1)
    assert '<a href="/hpb/places/taiwan/">Taiwan</a>' in related.group(1)
    assert get(client, "/hpb/places/taiwan/").count(f"/hpb/412/{item.pk}-") == 1  # listed there


def test_a_dated_entry_is_named_by_its_first_words(client: Client, archive: Archive) -> None:
    """An old back issue's dated entries ("May 13: ...") have no headline: their page,
    its title and metadata, and the lists that link to it name it by its first words."""
    import_file(BACKISSUES / "variants" / "hpb-0098-dated-entries.txt", archive.hpb)
    item = archive.hpb.issues.get(number=98).items.get(position=2)
    first_words = "May 16: A court in Shenzhen has fined three logistics firms for…"
    path = client.get(f"/hpb/98/{item.pk}-x/")["Location"]
    page = get(client, path)
    assert f"<title>{first_words} · Harbour Policy Brief No. 98</title>" in page
    assert f'<meta property="og:title" content="{first_words}">' in page
    assert ld_of(page)["headline"] == first_words
    headings = re.findall(r"<h1[^>]*>(.*?)</h1>", page)
    assert len(headings) == 1 and "Harbour Policy Brief No. 98" in headings[0]
    for listing in ("/hpb/places/sri-lanka/", "/hpb/search/?q=logistics"):
        html = get(client, listing)
        assert "(untitled)" not in html, listing
        assert f'<a href="{path}">May 16: A court in' in html, listing
    archive_page = get(client, "/hpb/archive/2019/")
    assert "May 13: Officials in Beijing" in archive_page  # its table of contents


def test_an_issue_of_dated_entries_is_its_own_headline(client: Client, archive: Archive) -> None:
    """JSON-LD's headline joins the items' headlines; an issue whose entries have none
    is named by its title, not by the separators left between empty headlines."""
    import_file(BACKISSUES / "variants" / "hpb-0098-dated-entries.txt", archive.hpb)
    assert ld_of(get(client, "/hpb/98/"))["headline"] == "Harbour Policy Brief No. 98"
    assert str(ld_of(get(client, "/hpb/412/"))["headline"]).startswith(
        "EU OPENS ANTI-SUBSIDY PROBE"
    )
