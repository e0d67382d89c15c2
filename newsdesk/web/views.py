"""Pages: the ingested articles and the ranked stories (people of the publication
only; the desk is in newsdesk/desk, the public site in newsdesk/archive)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.shortcuts import render as render_page

from newsdesk.ingest.models import Article, Source
from newsdesk.newsroom.models import Publication, StoryScore
from newsdesk.newsroom.people import can, publications_of

ViewFunction = Callable[..., HttpResponse]


def for_the_newsroom(view: ViewFunction) -> ViewFunction:
    """The view for people with a role on some publication: the articles are other
    outlets' full texts, stored to be read by the newsroom, not republished."""

    @login_required
    @wraps(view)
    def guarded(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not publications_of(request.user):
            raise PermissionDenied("no role on any publication")
        return view(request, *args, **kwargs)

    return guarded


@for_the_newsroom
def article_list(request: HttpRequest) -> HttpResponse:
    articles = (
        Article.objects.select_related("duplicate_of")
        .annotate(n_copies=Count("copies"))
        .order_by("-published", "-id")
    )
    outlet = request.GET.get("outlet", "").strip()
    query = request.GET.get("q", "").strip()
    if outlet:
        articles = articles.filter(outlet=outlet)
    if query:
        articles = articles.filter(Q(title__icontains=query) | Q(text__icontains=query))
    page = Paginator(articles, 50).get_page(request.GET.get("page"))
    failing = Source.objects.filter(consecutive_failures__gt=0)
    outlets = Article.objects.values_list("outlet", flat=True).distinct().order_by("outlet")
    return render_page(
        request,
        "web/articles.html",
        {
            "page": page,
            "failing": failing,
            "outlets": outlets,
            "outlet": outlet,
            "q": query,
            "total": Article.objects.count(),
            "copies": Article.objects.filter(duplicate_of__isnull=False).count(),
        },
    )


@for_the_newsroom
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    article = get_object_or_404(Article.objects.select_related("duplicate_of", "source"), pk=pk)
    return render_page(
        request,
        "web/article.html",
        {
            "article": article,
            "copies": article.copies.all(),
            "urls": article.original_urls,
        },
    )


@login_required
def story_list(request: HttpRequest, slug: str) -> HttpResponse:
    """The week's ranked stories for a publication, as last ranked (`newsdesk stories rank`),
    with the editors' decisions: for the publication's people only, like the desk."""
    publication = get_object_or_404(Publication, slug=slug)
    if not can(request.user, publication, "read"):
        raise PermissionDenied(f"no role on {publication.slug}")
    rows = (
        StoryScore.objects.filter(publication=publication)
        .select_related("story__lead", "story__follows__issue", "story__continues")
        .order_by("-score")[:60]
    )
    return render_page(request, "web/stories.html", {"publication": publication, "rows": rows})
