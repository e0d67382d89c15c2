"""The search page: a publication's published items matching a reader's words.

Dynamic only (a query string), never cached or exported, and kept out of search
engines' indexes. A query the search cannot run comes back as a message on the
page, never as an error.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render as render_page

from newsdesk.archive import catalog, links
from newsdesk.newsroom import search
from newsdesk.pipeline.errors import InputError

#: pages past this are refused (nobody reads them; deep OFFSETs cost)
LAST_PAGE = 500


def search_page(request: HttpRequest, slug: str) -> HttpResponse:
    publication = catalog.publication_or_404(slug)
    text = request.GET.get("q", "").strip()
    outlet = request.GET.get("outlet", "").strip()
    page = _page_number(request.GET.get("page", ""))
    outlets = search.outlets(publication)
    results, message, rows = None, "", []
    if outlet and outlet not in outlets:
        message = f"{publication.name} cites no outlet named {outlet[:200]!r}; choose one below."
        outlet = ""
    elif text:
        try:
            results = search.search(publication, text, outlet, page)
            if results.total and results.page > results.pages:  # an old link: the last page
                results = search.search(publication, text, outlet, results.pages)
        except InputError as exc:
            message = f"Nothing searched: {exc}."
    if results is not None:
        rows = [
            {
                "hit": hit,
                "url": links.item_path(hit.item, hit.issue),
                "outlets": hit.outlets,
                # the marked headline; a dated entry of an old back issue has none
                "title": hit.headline or catalog.item_label(hit.item),
            }
            for hit in results.hits
        ]
    return render_page(
        request,
        "archive/search.html",
        {
            "publication": publication,
            "q": text[: search.MAX_QUERY_CHARS],
            "outlet": outlet,
            "outlets": outlets,
            "message": message,
            "results": results,
            "rows": rows,
            "pages": _page_links(text, outlet, results),
        },
    )


def _page_number(raw: str) -> int:
    try:
        return min(max(1, int(raw)), LAST_PAGE)
    except ValueError:
        return 1


def _page_links(text: str, outlet: str, results: search.Results | None) -> dict[str, str]:
    if results is None:
        return {}

    def link(number: int) -> str:
        fields = {"q": text, **({"outlet": outlet} if outlet else {})}
        return "?" + urlencode({**fields, **({"page": number} if number > 1 else {})})

    out = {}
    if 1 < results.page <= results.pages:
        out["newer"] = link(results.page - 1)
    if results.page < min(results.pages, LAST_PAGE):
        out["older"] = link(results.page + 1)
    return out
