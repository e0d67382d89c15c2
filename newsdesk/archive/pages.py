"""The public pages: what readers see, apart from the editor's desk.

Only published issues appear. Issue and item texts come through the issue
renderers, which escape every text they hold.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
)
from django.shortcuts import redirect
from django.shortcuts import render as render_page
from django.utils.safestring import mark_safe

from newsdesk.archive import catalog, links, metadata
from newsdesk.newsroom.models import Category, Issue, Item, Publication
from newsdesk.newsroom.publications import style_of
from newsdesk.newsroom.reading import issue_categories, issue_text, item_text
from newsdesk.pipeline.issue import render as renderers
from newsdesk.pipeline.issue.style import format_attribution, format_date

CHART_HEIGHT = 40


def publication_index(request: HttpRequest) -> HttpResponse:
    rows = []
    for publication in Publication.objects.order_by("name"):
        latest = catalog.published_issues(publication).first()
        rows.append({"publication": publication, "latest": latest})
    return render_page(request, "archive/index.html", {"rows": rows})


def issue_context(request: HttpRequest, issue: Issue) -> dict[str, object]:
    """Everything the issue page (and the publication's home) shows of one issue."""
    publication = issue.publication
    text = issue_text(
        issue,
        item_url=lambda item: links.item_path(item, issue),
        subscribe_url=links.subscribe_path(publication),
        url=links.issue_path(issue),
    )
    # the categories with a page: an issue's own category may have no published item
    # of its own (each of its items filed under others)
    shown = Category.objects.filter(publication=publication, name__in=text.categories)
    categories = {c.name: c for c in shown if catalog.category_items(c).exists()}

    def category_url(name: str) -> str:
        found = categories.get(name)
        return links.category_path(publication, found) if found else ""

    style = style_of(publication)
    body = renderers.render_html(text, style.attribution_date_format, category_url)
    previous, following = catalog.neighbours(issue)
    url = metadata.absolute(request, links.issue_path(issue))
    home = metadata.absolute(request, links.publication_path(publication))
    teasers = catalog.teaser_lines(issue)
    # a back issue of dated entries has no headlines: the issue names itself
    headline = "; ".join(h for h in renderers.headlines(text) if h) or issue.title
    return {
        "publication": publication,
        "issue": issue,
        "body": mark_safe(body),  # built by render_html, which escapes every text
        "previous": previous,
        "following": following,
        "canonical": url,
        "description": teasers[:300],
        "ld": metadata.ld_json(metadata.news_article(headline, url, issue, url, home)),
    }


def publication_home(request: HttpRequest, slug: str) -> HttpResponse:
    publication = catalog.publication_or_404(slug)
    latest = catalog.published_issues(publication).first()
    context: dict[str, object] = {"publication": publication, "latest": latest}
    if latest is not None:
        context |= issue_context(request, latest)
        context["canonical"] = metadata.absolute(request, links.publication_path(publication))
    context["recent"] = catalog.published_issues(publication)[1:6]
    return render_page(request, "archive/home.html", context)


def issue_page(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    publication = catalog.publication_or_404(slug)
    issue = catalog.issue_or_404(publication, number)
    if request.path != links.issue_path(issue):  # "/hpb/0412/": one address per page
        return HttpResponsePermanentRedirect(links.issue_path(issue))
    return render_page(request, "archive/issue.html", issue_context(request, issue))


def item_page(request: HttpRequest, slug: str, number: int, pk: int, words: str) -> HttpResponse:
    publication = catalog.publication_or_404(slug)
    issue = catalog.issue_or_404(publication, number)
    item = catalog.item_or_404(issue, pk)
    path = links.item_path(item, issue)
    if request.path != path:  # the headline changed, or the link was cut: one address per item
        # not permanent: a browser keeps a 301 for good, so a headline changed from A to B
        # and back to A would send it from A to B and from B to A without end
        return HttpResponseRedirect(path)
    text = item_text(item)
    style = style_of(publication)
    # an imported back issue's items have no categories of their own: they stand under
    # their issue's, as on the issue's page, the category pages and the feeds
    names = [*text.topics, *text.places] or list(issue_categories(issue, [text]))
    categories = [
        (c.name, links.category_path(publication, c))
        for c in Category.objects.filter(publication=publication, name__in=names)
    ]
    url = metadata.absolute(request, path)
    issue_url = metadata.absolute(request, links.issue_path(issue))
    home = metadata.absolute(request, links.publication_path(publication))
    attribution = format_attribution(text.sources, style.attribution_date_format)
    label = catalog.item_label(item)
    ld = metadata.news_article(label, url, issue, issue_url, home, text.body)
    return render_page(
        request,
        "archive/item.html",
        {
            "publication": publication,
            "issue": issue,
            "item": item,
            "label": label,
            # each dated in the publication's style, as on the issue's page
            "sources": [
                {
                    "outlet": s.outlet,
                    "link": s.link,
                    "date": format_date(s.date, style.attribution_date_format),
                }
                for s in text.sources
            ],
            "date_format": style.attribution_date_format,
            "attribution": attribution,
            "categories": sorted(categories, key=lambda c: names.index(c[0])),
            "canonical": url,
            "description": (item.teaser or text.body)[:300],
            "ld": metadata.ld_json(ld),
            "subscribe_url": links.subscribe_path(publication),
            "style": style,
        },
    )


def archive_page(
    request: HttpRequest, slug: str, year: int | None = None, page: int = 1
) -> HttpResponse:
    publication = catalog.publication_or_404(slug)
    issues = catalog.published_issues(publication)
    if year is not None and not 1 <= year <= 9999:
        raise Http404(f"no year {year}")
    if year is not None:
        issues = issues.filter(date__year=year)
        if not issues.exists():  # no page lists it (years, sitemap, export)
            raise Http404(f"no issue of {publication.slug} published in {year}")
    first = links.archive_path(publication, year)
    pages = Paginator(issues, catalog.ISSUES_PER_PAGE)
    if page < 1 or page > pages.num_pages:
        return redirect(first)
    if request.path != page_path(first, page):  # "page/1/", "page/02/", "archive/02026/"
        return HttpResponsePermanentRedirect(page_path(first, page))
    current = pages.page(page)
    rows = [{"issue": issue, "teasers": catalog.teaser_lines(issue)} for issue in current]
    return render_page(
        request,
        "archive/archive.html",
        {
            "publication": publication,
            "page": current,
            "rows": rows,
            "year": year,
            "years": catalog.years(publication),
            "pages": page_links(first, current),
        },
    )


def category_page(
    request: HttpRequest, slug: str, kind: str, name: str, page: int = 1
) -> HttpResponse:
    publication = catalog.publication_or_404(slug)
    category = catalog.category_or_404(publication, kind, name)
    items = catalog.category_items(category)
    first = links.category_path(publication, category)
    pages = Paginator(items, catalog.ITEMS_PER_PAGE)
    if page < 1 or page > pages.num_pages:
        return redirect(first)
    if request.path != page_path(first, page):  # "page/1/", "page/02/"
        return HttpResponsePermanentRedirect(page_path(first, page))
    current = pages.page(page)
    dates = [d for d in items.values_list("issue__date", flat=True) if d is not None]
    months = catalog.per_month(dates)
    peak = max((m.count for m in months), default=0) or 1
    bars = []
    for k, month in enumerate(months):
        height = max(1, round(CHART_HEIGHT * month.count / peak)) if month.count else 0
        bars.append({"month": month, "height": height, "x": k * 12, "y": CHART_HEIGHT - height})
    rows = [_item_row(item) for item in current]
    return render_page(
        request,
        "archive/category.html",
        {
            "publication": publication,
            "category": category,
            "kind": kind,
            "name_slug": name,
            "page": current,
            "rows": rows,
            "bars": bars,
            "chart_width": 12 * len(bars),
            "chart_height": CHART_HEIGHT,
            "first_month": months[0].label if months else "",
            "last_month": months[-1].label if months else "",
            "total": pages.count,
            "pages": page_links(first, current),
        },
    )


def page_path(first: str, number: int) -> str:
    """Page `number` of the list whose first page is at `first`."""
    return first if number == 1 else f"{first}page/{number}/"


def page_links(first: str, page: object) -> dict[str, str]:
    """The paths of the pages before and after a page of a list whose first page is
    `first` (page N lives at first + "page/N/")."""
    out = {}
    number = getattr(page, "number", 1)
    if getattr(page, "has_previous", lambda: False)():
        out["newer"] = page_path(first, number - 1)
    if getattr(page, "has_next", lambda: False)():
        out["older"] = page_path(first, number + 1)
    return out


def _item_row(item: Item) -> dict[str, object]:
    issue = item.issue
    assert issue is not None  # published items stand in an issue
    return {
        "item": item,
        "issue": issue,
        "url": links.item_path(item, issue),
        "label": catalog.item_label(item),
    }


def old_issue_list(request: HttpRequest) -> HttpResponse:
    return HttpResponsePermanentRedirect("/")


def old_issue(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    return HttpResponsePermanentRedirect(f"/{slug}/{number}/")
