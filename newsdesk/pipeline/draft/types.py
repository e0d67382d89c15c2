"""What a draft is made from, what it is, and what its checks found.

Articles are identified by `key` (the stored article's id as text, or an index in
evaluation data), so a report can point at the exact source text that supports or
contradicts a sentence without the pipeline knowing about the database.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from newsdesk.pipeline.issue.style import Style, format_attribution
from newsdesk.pipeline.types import ItemText, SourceRef

#: kinds of check, in the order a report lists them
CHECK_KINDS = ("quote", "speaker", "number", "name", "support", "attribution", "style")


@dataclass(frozen=True, slots=True)
class SourceArticle:
    """A stored article a draft may use; drafting never fetches."""

    key: str
    title: str
    text: str
    outlet: str
    published: date | None
    url: str = ""

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SourceArticle:
        """From {key, title, text, outlet, published: "YYYY-MM-DD" or null, url}."""
        published = data.get("published")
        return cls(
            key=str(data["key"]),
            title=str(data["title"]),
            text=str(data["text"]),
            outlet=str(data["outlet"]),
            published=date.fromisoformat(published) if published else None,
            url=str(data.get("url", "")),
        )


@dataclass(frozen=True, slots=True)
class DraftRequest:
    """One story to draft, with the publication's style.

    `cite` holds the keys of the articles the editor chose to cite, in order; empty
    means the backend picks the most informative one. `examples` are the
    publication's own published items (few-shot examples for model backends)."""

    articles: tuple[SourceArticle, ...]
    style: Style = field(default_factory=Style)
    cite: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    examples: tuple[ItemText, ...] = ()

    def article(self, key: str) -> SourceArticle | None:
        return next((a for a in self.articles if a.key == key), None)


@dataclass(frozen=True, slots=True)
class Draft:
    """A drafted item: `body` is the paragraph without its attribution."""

    headline: str
    teaser: str
    body: str
    cited: tuple[str, ...]  # keys of the cited articles, in attribution order
    sources: tuple[SourceRef, ...]  # what the attribution prints, same order as `cited`
    backend: str
    topics: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    note: str = ""  # why the requested backend was not used, when it was not

    def attribution(self, date_format: str = "long") -> str:
        return format_attribution(self.sources, date_format)

    def paragraph(self, date_format: str = "long") -> str:
        """The body with its attribution, as the issue prints it."""
        return f"{self.body} {self.attribution(date_format)}".strip()

    def item(self) -> ItemText:
        return ItemText(
            headline=self.headline,
            body=self.body,
            sources=self.sources,
            teaser=self.teaser,
            topics=self.topics,
            places=self.places,
        )


@dataclass(frozen=True, slots=True)
class Evidence:
    """Source text: ``article(key).text[start:end] == text`` (title when `in_title`)."""

    article: str
    start: int
    end: int
    text: str
    in_title: bool = False


@dataclass(frozen=True, slots=True)
class Check:
    """One thing checked. A failed check says why in `message` and, where there is
    one, gives the nearest source text as `evidence`."""

    kind: str  # one of CHECK_KINDS
    passed: bool
    span: str  # the draft's text that was checked (a quote, a figure, a sentence...)
    message: str = ""
    evidence: Evidence | None = None
    field: str = "body"  # "headline" | "teaser" | "body" | "attribution"


@dataclass(frozen=True, slots=True)
class SentenceSupport:
    """A body sentence and the source sentences that support it (score 0..1)."""

    sentence: str
    score: float
    supported: bool
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True, slots=True)
class Report:
    checks: tuple[Check, ...]
    sentences: tuple[SentenceSupport, ...] = ()

    @property
    def failures(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if not c.passed)

    @property
    def passed(self) -> bool:
        return not self.failures

    def to_json(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "checks": [asdict(c) for c in self.checks],
            "sentences": [asdict(s) for s in self.sentences],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Report:
        def evidence(raw: Any) -> Evidence | None:
            return Evidence(**raw) if raw else None

        checks = tuple(
            Check(**{**c, "evidence": evidence(c.get("evidence"))}) for c in data.get("checks", ())
        )
        sentences = tuple(
            SentenceSupport(
                sentence=s["sentence"],
                score=s["score"],
                supported=s["supported"],
                evidence=tuple(Evidence(**e) for e in s.get("evidence", ())),
            )
            for s in data.get("sentences", ())
        )
        return cls(checks, sentences)
