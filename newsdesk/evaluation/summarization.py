"""`newsdesk eval summarization`: drafted bodies scored with ROUGE against references.

Records (shared eval README, section 4) hold `documents` [{title, text, source,
published, url}] and `reference` {headline, summary}. Each record is drafted by the
chosen backend as one story with the budget of --words (default: the house style's
90-160). The budget applies to the body alone: documents are given without their
publication dates (most have none), so drafts carry no attribution.

Reported, as means over records: ROUGE-1/2/L F-measure (rouge-score, stemming on)
with precision and recall; the same F-measures for two baselines computed in the same
run and cut to the budget's maximum words: `lead3` (the first three sentences of the
first document) and `lead_each` (the first sentence of each document); the headline's
ROUGE-L where references have headlines; `quote_fidelity` and `number_fidelity`, the
shares of quotes and figures in the bodies found verbatim (quote marks and spacing
aside; equivalent spellings for figures) in the record's documents, 1.0 when there are
none; `length_ok`, the share of bodies inside the budget; and `seconds`, the time of
drafting and scoring.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import newsdesk.pipeline.draft.extractive  # noqa: F401  (registers the default backend)
from newsdesk.evaluation import EvalDataError, EvalOptions, Progress, read_jsonl
from newsdesk.pipeline.draft.backends import make_backend
from newsdesk.pipeline.draft.sentences import split_sentences
from newsdesk.pipeline.draft.types import DraftRequest, SourceArticle
from newsdesk.pipeline.enrich.figures import find_figures, verify_figure
from newsdesk.pipeline.enrich.quotes import find_quotes, verify_quote
from newsdesk.pipeline.errors import NewsdeskError
from newsdesk.pipeline.issue.style import Style
from newsdesk.pipeline.text import word_count

ROUGE = ("rouge1", "rouge2", "rougeL")
SYSTEMS = ("system", "lead3", "lead_each")


def budget(options: EvalOptions) -> tuple[int, int]:
    low, high = options.words or (Style.body_min_words, Style.body_max_words)
    if not 0 < low <= high:
        raise EvalDataError(f"--words {low}-{high}: give MIN-MAX with 0 < MIN <= MAX")
    return low, high


def articles_of(record: dict[str, Any], where: str) -> tuple[SourceArticle, ...]:
    documents = record.get("documents")
    if not isinstance(documents, list) or not documents:
        raise EvalDataError(f"{where}: 'documents' must be a non-empty list")
    out: list[SourceArticle] = []
    for i, doc in enumerate(documents):
        # a null text is a missing body (the README: missing values are null), read as ""
        if not isinstance(doc, dict) or "text" not in doc:
            raise EvalDataError(f"{where}: documents[{i}] needs a 'text'")
        if not isinstance(doc["text"], str | None):
            raise EvalDataError(f"{where}: documents[{i}]: 'text' must be a string or null")
        out.append(
            SourceArticle(
                key=str(i),
                title=str(doc.get("title") or ""),
                text=doc["text"] or "",
                outlet=str(doc.get("source") or ""),
                published=None,  # the budget is the body's alone: no attribution
                url=str(doc.get("url") or ""),
            )
        )
    return tuple(out)


def reference_of(record: dict[str, Any], where: str) -> tuple[str, str | None]:
    reference = record.get("reference")
    if not isinstance(reference, dict) or not isinstance(reference.get("summary"), str):
        raise EvalDataError(f"{where}: 'reference' needs a 'summary'")
    headline = reference.get("headline")
    return reference["summary"], headline if isinstance(headline, str) and headline else None


def cut(text: str, words: int) -> str:
    return " ".join(text.split()[:words])


def lead3(articles: Sequence[SourceArticle], words: int) -> str:
    return cut(" ".join(s.text for s in split_sentences(articles[0].text)[:3]), words)


def lead_each(articles: Sequence[SourceArticle], words: int) -> str:
    firsts = [split_sentences(a.text)[:1] for a in articles]
    return cut(" ".join(s[0].text for s in firsts if s), words)


def fidelity(body: str, sources: str) -> tuple[int, int, int, int]:
    """(quotes found, quotes, figures found, figures) of `body` in `sources`."""
    quotes = find_quotes(body)
    figures = find_figures(body)
    return (
        sum(verify_quote(q.text, sources) for q in quotes),
        len(quotes),
        sum(verify_figure(f.text, sources) for f in figures),
        len(figures),
    )


def evaluate(options: EvalOptions, progress: Progress = lambda: None) -> dict[str, Any]:
    low, high = budget(options)
    try:
        backend = make_backend(options.backend, options.backend_settings)
    except NewsdeskError as exc:
        raise EvalDataError(str(exc)) from None
    style = Style(body_min_words=low, body_max_words=high)
    # rouge-score imports absl, whose logging handler keeps the sys.stderr of import
    # time (under pytest a captured stream, closed later); only this task needs it
    from rouge_score.rouge_scorer import RougeScorer  # deferred: absl keeps sys.stderr

    scorer = RougeScorer(list(ROUGE), use_stemmer=True)
    sums = {f"{s}.{r}.{m}": 0.0 for s in SYSTEMS for r in ROUGE for m in "prf"}
    headline_sum, headlines, inside = 0.0, 0, 0
    counts = [0, 0, 0, 0]
    n = 0
    started = time.perf_counter()
    for number, record in enumerate(read_jsonl(options.data), 1):
        where = f"{options.data}: record {number} ({record.get('id', 'no id')})"
        articles = articles_of(record, where)
        summary, headline = reference_of(record, where)
        try:
            draft = backend.draft(DraftRequest(articles=articles, style=style))
        except NewsdeskError as exc:
            raise EvalDataError(f"{where}: {exc}") from None
        outputs = {
            "system": draft.body,
            "lead3": lead3(articles, high),
            "lead_each": lead_each(articles, high),
        }
        for system, text in outputs.items():
            scores = scorer.score(summary, text)
            for r in ROUGE:
                sums[f"{system}.{r}.p"] += scores[r].precision
                sums[f"{system}.{r}.r"] += scores[r].recall
                sums[f"{system}.{r}.f"] += scores[r].fmeasure
        if headline is not None:
            headline_sum += scorer.score(headline, draft.headline)["rougeL"].fmeasure
            headlines += 1
        inside += low <= word_count(draft.body) <= high
        sources = "\n\n".join(f"{a.title}\n\n{a.text}" for a in articles)
        for i, value in enumerate(fidelity(draft.body, sources)):
            counts[i] += value
        n += 1
        progress()
    if not n:
        raise EvalDataError(f"{options.data}: no records to score")

    def mean(key: str) -> float:
        return round(sums[key] / n, 4)

    result: dict[str, Any] = {"task": "summarization", "n": n, "backend": options.backend}
    result["words"] = f"{low}-{high}"
    for r in ROUGE:
        result[r] = mean(f"system.{r}.f")
    for r in ROUGE:
        result[f"{r}_precision"] = mean(f"system.{r}.p")
        result[f"{r}_recall"] = mean(f"system.{r}.r")
    for system in ("lead3", "lead_each"):
        result[system] = {r: mean(f"{system}.{r}.f") for r in ROUGE}
    if headlines:
        result["headline_rougeL"] = round(headline_sum / headlines, 4)
    result["quote_fidelity"] = round(counts[0] / counts[1], 4) if counts[1] else 1.0
    result["number_fidelity"] = round(counts[2] / counts[3], 4) if counts[3] else 1.0
    result["length_ok"] = round(inside / n, 4)
    result["seconds"] = round(time.perf_counter() - started, 2)
    return result
