"""Per-article enrichment: places, quotes, figures and language, stored on the article.

Re-runnable: `enrich_articles(force=True)` recomputes everything from the stored
text, e.g. after the gazetteer was edited.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.db import transaction
from django.utils import timezone

from newsdesk.ingest.models import Article
from newsdesk.ingest.rows import lock_rows
from newsdesk.pipeline.enrich.figures import find_figures
from newsdesk.pipeline.enrich.gazetteer import Gazetteer
from newsdesk.pipeline.enrich.place_model import PlaceModel
from newsdesk.pipeline.enrich.places import analyse
from newsdesk.pipeline.enrich.quotes import find_quotes
from newsdesk.pipeline.intake.language import detect_language, is_readable

BATCH = 200


def enrichment(title: str, text: str, gazetteer: Gazetteer, model: PlaceModel) -> dict[str, Any]:
    """Everything enrichment stores for one article (pure: no database)."""
    language, confidence = detect_language(f"{title}\n{text}")
    readable = is_readable(language) or not text.strip()
    if not readable:
        return {
            "places": [],
            "quotes": [],
            "figures": [],
            "language": language,
            "language_confidence": confidence,
            "readable": False,
        }
    analysis = analyse(title, text, gazetteer)
    about = set(model.decide(analysis))
    places = [
        {
            "code": e.code,
            "count": e.count,
            "salience": round(e.salience, 4),
            "about": e.code in about,
        }
        for e in analysis.evidence
    ]
    quotes = [
        {
            "text": q.text,
            "start": q.start,
            "end": q.end,
            "speaker": q.speaker,
            "role": q.speaker_role,
            "short": q.short,
        }
        for q in find_quotes(text)
    ]
    figures = [dataclasses.asdict(f) for f in find_figures(text)]
    return {
        "places": places,
        "quotes": quotes,
        "figures": figures,
        "language": language,
        "language_confidence": confidence,
        "readable": True,
        "skipped_places": list(analysis.skipped),
    }


def enrich_articles(
    articles: Iterable[Article] | None = None,
    *,
    force: bool = False,
    progress: Callable[[int], None] = lambda n: None,
) -> int:
    """Enrich the given articles, or every article not yet enriched (all with `force`)."""
    if articles is None:
        query = Article.objects.all() if force else Article.objects.filter(enriched__isnull=True)
        articles = _in_batches(list(query.order_by("id").values_list("id", flat=True)))
    gazetteer, model = Gazetteer.default(), PlaceModel()
    done = 0
    pending: list[Article] = []
    for article in articles:
        found = enrichment(article.title, article.text, gazetteer, model)
        article.places, article.quotes, article.figures = (
            found["places"],
            found["quotes"],
            found["figures"],
        )
        article.language = article.language or found["language"]
        article.language_confidence = found["language_confidence"]
        article.readable = found["readable"]
        article.enriched = timezone.now()
        pending.append(article)
        if len(pending) >= BATCH:
            done += _save(pending)
            progress(len(pending))
            pending = []
    if pending:
        done += _save(pending)
        progress(len(pending))
    return done


def _in_batches(ids: list[int]) -> Iterator[Article]:
    """The articles, BATCH at a time, each batch read whole before any is saved.

    Not `.iterator()`: on SQLite its open cursor keeps a read snapshot while `_save`
    writes, and once another process (the ingest) has committed since, SQLite
    refuses the write at once with "database is locked", whatever the busy timeout
    (a stale snapshot cannot become a writer): the worker's story refresh failed so
    under load (bench/ops_sqlite_load.py)."""
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        yield from Article.objects.filter(id__in=chunk).only("id", "title", "text", "language")


def _save(articles: list[Article]) -> int:
    with transaction.atomic():
        lock_rows(Article, [a.pk for a in articles])  # in id order: see lock_rows
        Article.objects.bulk_update(
            articles,
            [
                "places",
                "quotes",
                "figures",
                "language",
                "language_confidence",
                "readable",
                "enriched",
            ],
        )
    return len(articles)


def about_codes(article: Article) -> tuple[str, ...]:
    return tuple(p["code"] for p in article.places or [] if p.get("about"))
