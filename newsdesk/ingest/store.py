"""Storing arriving articles: merge exact duplicates, link near-duplicates."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from newsdesk.pipeline.dedupe import NearDuplicateIndex, signature
from newsdesk.pipeline.types import ArticleDraft
from newsdesk.pipeline.urls import canonicalize

from .models import Article, ArticleURL, Source

#: how far back near-duplicates are looked for
NEAR_WINDOW = timedelta(days=30)


class Outcome(enum.StrEnum):
    NEW = "new"  # a new, original article
    COPY = "copy"  # stored, linked to the first copy (syndicated or identical text elsewhere)
    MERGED = "merged"  # not stored again: same URL, or same text from the same outlet


@dataclass(frozen=True)
class Stored:
    article: Article
    outcome: Outcome


def known_links(links: list[str]) -> set[str]:
    """The subset of feed links (as given) whose article is already stored."""
    canon = {link: canonicalize(link) for link in links}
    found = set(
        ArticleURL.objects.filter(url__in=set(canon.values()) | set(links)).values_list(
            "url", flat=True
        )
    )
    return {link for link, c in canon.items() if link in found or c in found}


def load_near_index() -> NearDuplicateIndex:
    """Signatures of recent articles, copies included: a copy of a copy finds its group."""
    index = NearDuplicateIndex()
    since = timezone.now() - NEAR_WINDOW
    rows = Article.objects.filter(signature__isnull=False, fetched__gte=since).values_list(
        "id", "signature"
    )
    index.add_many((pk, bytes(sig)) for pk, sig in rows if sig is not None)
    return index


def _add_urls(article: Article, urls: list[str]) -> None:
    for url in dict.fromkeys(urls):
        ArticleURL.objects.get_or_create(url=url, defaults={"article": article})


def store_article(draft: ArticleDraft, source: Source | None, index: NearDuplicateIndex) -> Stored:
    """Store one article draft; idempotent for the same URL."""
    urls = [draft.url, *draft.original_urls]
    existing = Article.objects.filter(urls__url__in=urls).first()
    if existing is not None:
        _add_urls(existing, urls)
        return Stored(existing, Outcome.MERGED)
    twin = (
        Article.objects.filter(fingerprint=draft.fingerprint).order_by("id").first()
        if draft.text
        else None
    )
    if twin is not None and twin.outlet == draft.outlet:
        _add_urls(twin, urls)
        return Stored(twin, Outcome.MERGED)
    sig = signature(draft.text)
    original: Article | None = None
    similarity: float | None = None
    if twin is not None:
        original, similarity = twin.duplicate_of or twin, 1.0
    elif sig is not None and (match := index.best_match(sig)) is not None:
        matched = Article.objects.select_related("duplicate_of").filter(pk=match.key).first()
        original = (matched.duplicate_of or matched) if matched else None
        similarity = match.similarity
    # the group's original is its earliest publication: an older copy arriving late takes over
    takes_over = (
        original is not None
        and draft.published is not None
        and original.published is not None
        and draft.published < original.published
    )
    article = Article(
        url=draft.url,
        source=source,
        title=draft.title,
        text=draft.text,
        html=draft.html,
        outlet=draft.outlet,
        authors=list(draft.authors),
        published=draft.published,
        fetched=timezone.now(),
        language=draft.language,
        teaser=draft.teaser,
        fingerprint=draft.fingerprint,
        signature=sig,
        duplicate_of=None if takes_over else original,
        similarity=None if takes_over else similarity,
        arrival=draft.arrival.value,
        text_source=draft.text_source.value,
        date_note=draft.date_note,
    )
    try:
        with transaction.atomic():
            article.save()
            _add_urls(article, urls)
            if takes_over and original is not None:
                Article.objects.filter(duplicate_of=original).update(duplicate_of=article)
                Article.objects.filter(pk=original.pk).update(
                    duplicate_of=article, similarity=similarity
                )
    except IntegrityError:
        # another process stored the same URL in the meantime: treat as merged
        winner = Article.objects.filter(urls__url__in=urls).first()
        if winner is None:
            raise
        return Stored(winner, Outcome.MERGED)
    if sig is not None:
        index.add(article.pk, sig)
    return Stored(article, Outcome.COPY if original is not None else Outcome.NEW)
