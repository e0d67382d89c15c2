"""The default drafting backend: whole source sentences, chosen and trimmed by rules.

Deterministic and offline. The body is the best set of source sentences that fits the
style's word budget together with the attribution (`scoring`), each compressed only
by rules that remove nothing essential (`compress`); the headline and teaser come
from the best article's title (`headline`). Nothing is rewritten, so every quote and
figure in the draft is verbatim in a source.

Citing: the articles the editor chose (`request.cite`), and then the body uses only
their sentences when it can fill the budget with them; otherwise every article the
body uses that has a publication date, the one contributing most words first, one
per outlet.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from newsdesk.pipeline.draft.backends import Option, register
from newsdesk.pipeline.draft.headline import (
    is_question,
    make_headline,
    make_teaser,
    strip_outlet,
    trims_cleanly,
)
from newsdesk.pipeline.draft.scoring import (
    Story,
    Unit,
    Weights,
    build_units,
    choose,
    reading_order,
    tightened,
)
from newsdesk.pipeline.draft.types import Draft, DraftRequest, SourceArticle
from newsdesk.pipeline.errors import DraftError
from newsdesk.pipeline.types import SourceRef

MIN_TITLE_WORDS = 6


def attribution_words(articles: Sequence[SourceArticle]) -> int:
    """Words "(Outlet, Month D, YYYY; ...)" adds to the budget: outlet plus three each."""
    return sum(len(a.outlet.split()) + 3 for a in articles if a.published is not None)


def cited_articles(request: DraftRequest, used: Sequence[Unit]) -> list[SourceArticle]:
    """The articles the body uses that can be cited: dated, the biggest contributor
    first, one per outlet. When the body uses no dated article, the first dated one
    of the story is cited (its facts are the story's; a report needs a source)."""
    words: dict[int, int] = {}
    for u in used:
        words[u.article] = words.get(u.article, 0) + u.words
    order = sorted(words, key=lambda a: (-words[a], a))
    if not any(request.articles[a].published for a in order):
        order = [next((i for i, a in enumerate(request.articles) if a.published), -1)]
        order = [a for a in order if a >= 0]
    out: list[SourceArticle] = []
    outlets: set[str] = set()
    for a in order:
        article = request.articles[a]
        key = article.outlet.strip().casefold()
        if article.published is None or key in outlets:
            continue
        outlets.add(key)
        out.append(article)
    return out


def _editor_cited(request: DraftRequest) -> list[SourceArticle]:
    out: list[SourceArticle] = []
    outlets: set[str] = set()
    for key in request.cite:
        article = request.article(key)
        if article is None:
            raise DraftError(f"cannot cite article {key}: it is not one of the story's articles")
        if article.published is None:
            raise DraftError(
                f"cannot cite article {key} ({article.outlet}): it has no publication date; "
                "set its date or cite another article"
            )
        if article.outlet.strip().casefold() in outlets:
            raise DraftError(f"{article.outlet} is cited twice: cite one article per outlet")
        outlets.add(article.outlet.strip().casefold())
        out.append(article)
    return out


def _banned(text: str, phrases: Sequence[str]) -> bool:
    lowered = text.casefold()
    return any(p.strip() and p.strip().casefold() in lowered for p in phrases)


def _headline_title(request: DraftRequest, order: Sequence[int]) -> str:
    """The first usable title, starting with the best article's: long enough, no
    question, and short enough or cut at a phrase boundary (else the first one
    usable otherwise)."""
    titles = [request.articles[a].title for a in order]
    outlets = [a.outlet for a in request.articles]
    usable = [
        t
        for t in titles
        if len(strip_outlet(t, outlets).split()) >= MIN_TITLE_WORDS and not is_question(t)
    ]
    clean = [t for t in usable if trims_cleanly(t, request.style, outlets)]
    if clean or usable:
        return (clean or usable)[0]
    return next(
        (t for t in titles if t.strip() and not is_question(t)), titles[0] if titles else ""
    )


@register
class ExtractiveBackend:
    """Whole source sentences; see the module docstring."""

    name: ClassVar[str] = "extractive"
    options: ClassVar[tuple[Option, ...]] = ()

    def __init__(self, weights: Weights | None = None) -> None:
        self.weights = weights or Weights()

    def _fit(self, story: Story, request: DraftRequest) -> list[Unit]:
        """The best set in the budget, tightening sentences when none fits as they are."""
        low, high = request.style.body_min_words, request.style.body_max_words

        known: dict[frozenset[int], int] = {}

        def attribution(picked: Sequence[Unit]) -> int:
            # the cited outlets, so their words, depend only on the articles used
            key = frozenset(u.article for u in picked)
            if key not in known:
                known[key] = attribution_words(cited_articles(request, picked))
            return known[key]

        def words(picked: Sequence[Unit]) -> int:
            return sum(u.words for u in picked) + attribution(picked)

        chosen = choose(story, low, high, self.weights, attribution)
        if not low <= words(chosen) <= high:
            tight = choose(tightened(story), low, high, self.weights, attribution)
            if low <= words(tight) <= high:
                return tight
        return chosen

    def draft(self, request: DraftRequest) -> Draft:
        if not request.articles:
            raise DraftError("a story to draft needs at least one article")
        style = request.style
        editor = _editor_cited(request)
        texts = [a.text for a in request.articles]
        titles = [a.title for a in request.articles]
        story = build_units(titles, texts, self.weights)
        story.units = [u for u in story.units if not _banned(u.text, style.banned_phrases)]
        for u in story.units:
            if u.alt is not None and _banned(u.alt.text, style.banned_phrases):
                u.alt = None
        low, high = style.body_min_words, style.body_max_words
        chosen: list[Unit] = []
        if editor:
            fixed = attribution_words(editor)
            keys = {request.articles.index(a) for a in editor}
            own = Story([u for u in story.units if u.article in keys], story.concepts, story.titles)
            chosen = choose(own, low, high, self.weights, lambda _: fixed)
            if sum(u.words for u in chosen) + fixed < low:
                chosen = choose(story, low, high, self.weights, lambda _: fixed)
        else:
            chosen = self._fit(story, request)
        cited = editor or cited_articles(request, chosen)
        # the headline comes from the best article used, whichever sentence opens the body
        order = list(dict.fromkeys(u.article for u in reading_order(chosen)))
        order += [a for a in range(len(request.articles)) if a not in order]
        outlets = [a.outlet for a in request.articles]
        title = _headline_title(request, order)
        best_text = request.articles[order[0]].text
        return Draft(
            headline=make_headline(title, style, outlets, [best_text, *texts]),
            teaser=make_teaser(title, style, [best_text, *texts], outlets),
            body=" ".join(u.text for u in chosen),
            cited=tuple(a.key for a in cited),
            sources=tuple(
                SourceRef(outlet=a.outlet, date=a.published, url=a.url)
                for a in cited
                if a.published is not None
            ),
            backend=self.name,
            topics=request.topics,
            places=request.places,
        )
