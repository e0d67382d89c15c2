"""Search of the public site on the database the suite runs on (SQLite, or PostgreSQL
with DATABASE_URL): ranking, phrases, the outlet filter, escaping of hostile texts,
an index that follows publishing and withdrawing, and hostile queries."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client

from newsdesk.cli.main import main
from newsdesk.newsroom import search, search_index
from newsdesk.newsroom.models import Issue, Publication
from newsdesk.newsroom.numbering import find_issue, publish, withdraw
from newsdesk.newsroom.publications import add_publication
from newsdesk.pipeline.errors import InputError
from tests.archive.conftest import Archive
from tests.archive.conftest import publish as store_issue

pytestmark = pytest.mark.django_db

HOSTILE_QUERIES = [
    '"',
    '"unclosed phrase',
    '""',
    "NEAR(port deal, 3)",
    "port*",
    "^port",
    "headline:port",
    "{headline body}: port",
    "- port",
    "port AND",
    "OR",
    "NOT port",
    "' OR 1=1 --",
    "port'; DROP TABLE newsroom_item; --",
    "port\x00deal",
    "%s %(x)s",
    "<script>alert(1)</script>",
    "*",
    "x" * 2000,
    "port " * 400,
]


@pytest.fixture
def searchable(archive: Archive) -> Archive:
    """The archive fixture stores cpw No. 7 directly, past the publishing hooks:
    rebuild the index as `newsdesk site reindex` would."""
    search_index.reindex()
    return archive


def indexed(issue: Issue) -> int:
    """How many of the issue's items the index table holds (whatever the search shows)."""
    key = "rowid" if connection.vendor == "sqlite" else "item_id"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM {search_index.TABLE} WHERE {key} IN "
            "(SELECT id FROM newsroom_item WHERE issue_id = %s)",
            [issue.pk],
        )
        return int(cursor.fetchone()[0])


def results_of(page: str) -> list[str]:
    """The headlines of a search page's results, tags removed."""
    return [
        re.sub(r"<[^>]+>", "", h) for h in re.findall(r'<li>\s*<h2><a href="[^"]+">(.*?)</a>', page)
    ]


def get(client: Client, path: str, **query: str) -> str:
    response = client.get(path, query)
    assert response.status_code == 200, (path, query, response.status_code)
    return response.content.decode()


def headlines(publication: Publication, text: str, outlet: str = "") -> list[str]:
    found = search.search(publication, text, outlet)
    return [hit.item.headline for hit in found.hits]


def test_headline_matches_rank_above_body_matches() -> None:
    tpw = add_publication("tpw", "Tidal Policy Watch")
    store_issue(
        tpw,
        1,
        dt.date(2026, 3, 2),
        [
            ("FERRY FARES RISE", "A lighthouse keeper noted the change in passing.", []),
            ("LIGHTHOUSE SOLD TO A TRUST", "The old tower changes hands this week.", []),
            ("GRAIN PRICES FALL", "Nothing about towers here.", []),
        ],
    )
    search_index.reindex(tpw)
    assert headlines(tpw, "lighthouse") == ["LIGHTHOUSE SOLD TO A TRUST", "FERRY FARES RISE"]
    assert headlines(tpw, "LIGHTHOUSES") == headlines(tpw, "lighthouse")  # stems, any case


def test_a_phrase_must_stand_as_written(searchable: Archive) -> None:
    cpw = searchable.cpw
    assert len(headlines(cpw, "port")) == 2
    assert headlines(cpw, '"water port"') == ["VIETNAM OPENS DEEP-WATER PORT TENDER"]
    assert headlines(cpw, "\u201cwater port\u201d") == ["VIETNAM OPENS DEEP-WATER PORT TENDER"]
    assert headlines(cpw, '"port water"') == []
    assert headlines(cpw, '"water port" hanoi') == ["VIETNAM OPENS DEEP-WATER PORT TENDER"]
    assert headlines(cpw, '"water port" gallium') == []


def test_outlets_and_categories_are_searched(searchable: Archive) -> None:
    assert len(headlines(searchable.cpw, "harbor ledger")) == 2  # the outlet both cite
    assert headlines(searchable.cpw, "vietnam trade") == ["VIETNAM OPENS DEEP-WATER PORT TENDER"]
    # an imported item counts under its issue's categories
    assert headlines(searchable.hpb, "pacific islands fiji")


def test_the_outlet_filter_keeps_items_citing_it(client: Client, searchable: Archive) -> None:
    hpb = searchable.hpb
    every = search.search(hpb, "china")
    wire = search.search(hpb, "china", "Meridian Wire")
    assert 0 < wire.total < every.total
    assert all("Meridian Wire" in hit.outlets for hit in wire.hits)
    assert {h.item.pk for h in wire.hits} <= {h.item.pk for h in every.hits}
    page = get(client, "/hpb/search/", q="china", outlet="Meridian Wire")
    assert f"{wire.total} items citing Meridian Wire" in page
    assert "<option selected>Meridian Wire</option>" in page
    unknown = get(client, "/hpb/search/", q="china", outlet="Nobody's Gazette\x00")
    assert "cites no outlet named" in unknown and not results_of(unknown)


def test_matches_are_marked_and_hostile_texts_stay_text(
    client: Client, searchable: Archive
) -> None:
    page = get(client, "/cpw/search/", q="script")
    assert "&lt;<mark>script</mark>&gt;alert(&quot;x&quot;)" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "A body with &lt;b&gt;markup&lt;/b&gt; &amp; &quot;quotes&quot;." in page
    assert "<script>" not in page and "<img" not in page and "<b>" not in page
    hit = search.search(searchable.cpw, "hanoi").hits[0]
    assert "<mark>Hanoi</mark> has opened a tender" in hit.snippet
    assert str(search.marked("a \x02<b>\x03 & \x02open")) == (
        "a <mark>&lt;b&gt;</mark> &amp; <mark>open</mark>"
    )


def test_the_page_is_a_form_kept_out_of_search_engines(client: Client, searchable: Archive) -> None:
    page = get(client, "/hpb/search/")
    assert '<meta name="robots" content="noindex">' in page
    assert '<form class="search" method="get" action="/hpb/search/"' in page
    assert (
        '<option value="">Any outlet</option>' in page and "<option>Meridian Wire</option>" in page
    )
    assert not results_of(page) and "No published item" not in page
    assert "No published item matches" in get(client, "/hpb/search/", q="zeppelin")
    assert client.get("/nobody/search/", {"q": "port"}).status_code == 404


def test_results_link_to_item_pages_and_page_on(client: Client) -> None:
    tpw = add_publication("tpw", "Tidal Policy Watch")
    items = [(f"DREDGING PLAN NUMBER {k}", f"Dredging text {k}.", []) for k in range(25)]
    store_issue(tpw, 1, dt.date(2026, 3, 2), items)
    search_index.reindex(tpw)
    first = get(client, "/tpw/search/", q="dredging")
    assert "25 items, best matches first · page 1 of 2" in first
    assert len(results_of(first)) == 20
    assert re.search(r'href="/tpw/1/\d+-dredging-plan-number-\d+/"', first)
    assert 'href="?q=dredging&amp;page=2"' in first
    second = get(client, "/tpw/search/", q="dredging", page="2")
    assert len(results_of(second)) == 5 and 'href="?q=dredging"' in second
    assert not set(results_of(first)) & set(results_of(second))
    assert get(client, "/tpw/search/", q="dredging", page="x") == first
    past = search.search(tpw, "dredging", page=3)
    assert past.total == 25 and past.hits == [] and past.pages == 2


def test_a_page_past_the_last_shows_the_last(client: Client) -> None:
    """An old link's page=50 showed "25 items" above no result, its only link going
    back one page at a time (49, 48, ...); a search matching nothing, page=3, linked
    to page 2 of nothing."""
    tpw = add_publication("tpw", "Tidal Policy Watch")
    items = [(f"DREDGING PLAN NUMBER {k}", f"Dredging text {k}.", []) for k in range(25)]
    store_issue(tpw, 1, dt.date(2026, 3, 2), items)
    search_index.reindex(tpw)
    second = get(client, "/tpw/search/", q="dredging", page="2")
    past = get(client, "/tpw/search/", q="dredging", page="50")
    assert results_of(past) == results_of(second) and len(results_of(past)) == 5
    assert "page 2 of 2" in past and 'href="?q=dredging"' in past
    assert "page=49" not in past
    nothing = get(client, "/tpw/search/", q="zebra", page="3")
    assert "No published item matches" in nothing and "page=2" not in nothing


def test_publishing_adds_items_and_withdrawing_removes_them(searchable: Archive) -> None:
    tpw = add_publication("tpw", "Tidal Policy Watch")
    draft = store_issue(
        tpw, None, dt.date(2026, 3, 2), [("SALT MARSH RESTORED", "Herons return.", [])], "draft"
    )
    search_index.follow_issue(draft)
    assert headlines(tpw, "herons") == []
    publish(draft)
    assert headlines(tpw, "herons") == ["SALT MARSH RESTORED"]

    hpb = searchable.hpb
    alaska = search.search(hpb, "alaska")
    assert alaska.total and {h.issue.number for h in alaska.hits} == {413}
    issue = find_issue(hpb, 413)
    assert indexed(issue) == 7
    withdraw(issue, reason="a test")
    assert indexed(issue) == 0 and headlines(hpb, "alaska") == []
    assert search_index.reindex() > 0 and headlines(hpb, "alaska") == []


def test_imported_back_issues_are_indexed_as_they_are_stored(archive: Archive) -> None:
    assert [indexed(issue) for issue in archive.hpb.issues.order_by("number")] == [6, 7, 6]
    assert indexed(archive.built) == 0  # stored past the hooks: only reindex finds it
    assert headlines(archive.cpw, "hanoi") == []
    search_index.reindex(archive.cpw)
    assert headlines(archive.cpw, "hanoi") == ["VIETNAM OPENS DEEP-WATER PORT TENDER"]


def test_drafts_are_never_searchable(client: Client, searchable: Archive) -> None:
    search_index.follow_issue(searchable.draft)
    assert headlines(searchable.cpw, "secret") == []
    assert "SECRET" not in get(client, "/cpw/search/", q="secret draft")
    # an index row left behind by a change made past the hooks is not shown either
    Issue.objects.filter(pk=searchable.built.pk).update(status=Issue.Status.DRAFT)
    assert headlines(searchable.cpw, "hanoi") == []


def test_each_publication_searches_its_own_items(searchable: Archive) -> None:
    assert headlines(searchable.hpb, "hanoi") == []
    assert headlines(searchable.cpw, "alaska") == []


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_hostile_queries_answer_with_results_or_a_message(
    client: Client, searchable: Archive, query: str
) -> None:
    page = get(client, "/cpw/search/", q=query)
    said = "Nothing searched:" in page or "No published item matches" in page
    assert said or results_of(page), query
    assert "<script>alert" not in page


def test_queries_reach_the_database_as_quoted_words_only() -> None:
    parsed = search.parse_query('headline:port NEAR(a b) "deep  water" x* ^y \'z\' "')
    assert parsed.words == ("headline", "port", "near", "a", "b", "x", "y", "z")
    assert parsed.phrases == (("deep", "water"),)
    assert search.fts5_match(parsed) == (
        '"headline" AND "port" AND "near" AND "a" AND "b" AND "x" AND "y" AND "z" AND "deep water"'
    )
    for bad in ("", "  ", "***", '""', "x" * 2000, " ".join(f"w{k}" for k in range(30))):
        with pytest.raises(InputError):
            search.parse_query(bad)


def test_site_reindex_rebuilds_the_index(
    archive: Archive, capsys: pytest.CaptureFixture[str]
) -> None:
    assert headlines(archive.cpw, "hanoi") == []  # stored past the hooks
    assert main(["site", "reindex", "cpw"]) == 0
    assert capsys.readouterr().out.strip() == "indexed 2 published items"
    assert headlines(archive.cpw, "hanoi") == ["VIETNAM OPENS DEEP-WATER PORT TENDER"]
    assert main(["site", "reindex"]) == 0
    assert capsys.readouterr().out.strip() == "indexed 21 published items"
    assert main(["site", "reindex", "nobody"]) == 1
