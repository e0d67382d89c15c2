"""Checks of a stored item against its stored source articles, re-run on every edit.

An item is checked when it has articles to check against: the articles of its story
and the articles its sources cite. The result is stored on the item
(`Item.verification`): ``ok`` and one ``flags`` line per failure, which publishing
reads (a failed check needs a recorded override), and the whole report.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.utils import timezone

from newsdesk.ingest.models import Article
from newsdesk.newsroom.models import Item, Publication, Story
from newsdesk.newsroom.publications import style_of
from newsdesk.newsroom.reading import item_text
from newsdesk.pipeline.draft.types import Draft, DraftRequest, Report, SourceArticle
from newsdesk.pipeline.draft.verify import verify
from newsdesk.pipeline.issue.style import Style, chain_headline
from newsdesk.pipeline.types import ItemText, SourceRef


def source_article(article: Article) -> SourceArticle:
    return SourceArticle(
        key=str(article.pk),
        title=article.title,
        text=body_text(article.title, article.text),
        outlet=article.outlet,
        published=article.published_day,
        url=article.url,
    )


def body_text(title: str, text: str) -> str:
    """The article's text without a first line that repeats its title: page extraction
    keeps the headline, and a draft must not read it as the body's first sentence."""
    first, _, rest = text.lstrip().partition("\n")
    if " ".join(first.split()).casefold() == " ".join(title.split()).casefold():
        return rest.lstrip("\n")
    return text


def story_articles(story: Story) -> list[Article]:
    """The articles a draft of the story may use: readable ones with text, earliest first,
    near-duplicates left out (they add nothing a draft could cite)."""
    return list(
        story.articles.filter(readable=True, duplicate_of__isnull=True)
        .exclude(text="")
        .order_by("published", "pk")
    )


def draft_request(
    articles: Iterable[Article],
    style: Style,
    *,
    cite: Sequence[str] = (),
    topics: Sequence[str] = (),
    places: Sequence[str] = (),
    examples: Sequence[ItemText] = (),
) -> DraftRequest:
    return DraftRequest(
        articles=tuple(source_article(a) for a in articles),
        style=style,
        cite=tuple(cite),
        topics=tuple(topics),
        places=tuple(places),
        examples=tuple(examples),
    )


def verification_record(report: Report, **extra: Any) -> dict[str, Any]:
    """What `Item.verification` stores: ``ok``/``flags`` for publishing, and the report."""
    return {
        "ok": report.passed,
        "flags": [f"{c.kind}: {c.message or c.span}" for c in report.failures],
        "checked": timezone.now().isoformat(),
        **extra,
        "report": report.to_json(),
    }


def checked_articles(item: Item) -> list[Article]:
    articles = story_articles(item.story) if item.story is not None else []
    known = {a.pk for a in articles}
    for source in item.sources.select_related("article"):
        if source.article is not None and source.article.pk not in known:
            articles.append(source.article)
            known.add(source.article.pk)
    return articles


def _chain_flags(item: Item) -> tuple[bool, bool]:
    """(continues, continued): whether the item is joined to the one before / after."""
    if item.issue_id is None:
        return False, False
    after = (
        Item.objects.filter(issue_id=item.issue_id, position__gt=item.position)
        .order_by("position", "id")
        .values_list("chained_to_previous", flat=True)
        .first()
    )
    return item.chained_to_previous, bool(after)


def check_item(item: Item, publication: Publication | None = None) -> Report | None:
    """Verify the stored item against its articles and store the result; None (and
    nothing stored) when the item has no stored article to check against."""
    articles = checked_articles(item)
    if not articles:
        return None
    text = item_text(item)
    linked = [s for s in item.sources.all() if s.article_id is not None]
    continues, continued = _chain_flags(item)
    draft = Draft(
        headline=chain_headline(text.headline, continues=continues, continued=continued),
        teaser=text.teaser,
        body=text.body,
        cited=tuple(str(s.article_id) for s in linked),
        sources=tuple(SourceRef(s.outlet, s.date, s.url) for s in linked),
        backend=str(item.provenance.get("backend", "")),
        topics=text.topics,
        places=text.places,
    )
    style = style_of(publication or item.publication)
    report = verify(draft, draft_request(articles, style), continues=continues, continued=continued)
    item.verification = verification_record(report)
    Item.objects.filter(pk=item.pk).update(verification=item.verification)
    return report
