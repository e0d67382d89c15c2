"""Which source sentences support each body sentence, and how well.

The score of a draft sentence is the share of its content words (stop words
dropped, lower-cased, simply stemmed; numbers weigh twice) found in the best source
sentence, or in the best two together (a drafted sentence often joins two facts).

`SUPPORT_THRESHOLD` is set on tests/fixtures/drafts: the sentences of the six
correct drafts score 0.91 and over, the planted unsupported sentences 0.38 at most;
hand-written paraphrases (support_calibration.json) score 0.57 and over, and claims
the articles do not make but written in the stories' own words mostly 0.5 and under.
0.55 separates the two sets except for the claims marked `known_miss` there (0.63,
0.78): a word-overlap score cannot tell "boarded a boat near Kinmen" from support when
every word is in the story. The quote, figure and name checks do not depend on it.
"""

from __future__ import annotations

from collections.abc import Sequence

from newsdesk.pipeline.draft.types import Evidence, SentenceSupport
from newsdesk.pipeline.draft.verify_index import PreparedArticle, PreparedSentence, content_terms

SUPPORT_THRESHOLD = 0.55
#: below this support a source sentence shares too little with a draft's text to be
#: shown as "nearest": one common word ("harbour", "said") points the editor at
#: unrelated text, so a wholly rewritten quote or sentence is shown with none
NEAREST_FLOOR = 0.25


def _covered(terms: dict[str, float], have: frozenset[str] | set[str]) -> float:
    return sum(w for t, w in terms.items() if t in have)


def support(sentence: str, articles: Sequence[PreparedArticle]) -> SentenceSupport:
    """The support of one draft sentence by the story's articles."""
    terms = content_terms(sentence)
    total = sum(terms.values())
    candidates: list[tuple[str, PreparedSentence]] = [
        (a.article.key, s) for a in articles for s in a.sentences
    ]
    if not total or not candidates:
        return SentenceSupport(sentence, 1.0 if not total else 0.0, not total, ())
    scored = sorted(
        ((_covered(terms, s.terms), i) for i, (_, s) in enumerate(candidates)),
        reverse=True,
    )
    first_score, first = scored[0]
    first_terms = candidates[first][1].terms
    second, second_gain = -1, 0.0
    for _, i in scored[1:40]:  # the best partners are among the best singles
        gain = _covered(terms, candidates[i][1].terms - first_terms)
        if gain > second_gain:
            second, second_gain = i, gain
    score = round(min(1.0, (first_score + second_gain) / total), 3)
    picked = [first] + ([second] if second >= 0 else [])
    evidence = tuple(candidates[i][1].evidence(candidates[i][0]) for i in picked)
    return SentenceSupport(sentence, score, score >= SUPPORT_THRESHOLD, evidence)


def nearest_sentence(text: str, articles: Sequence[PreparedArticle]) -> Evidence | None:
    """The single source sentence sharing most content words with `text`, if it
    shares at least `NEAREST_FLOOR` of them."""
    return nearest_evidence(support(text, articles))


def nearest_evidence(found: SentenceSupport) -> Evidence | None:
    """The best source sentence of a support, or None when it shares too little."""
    if not found.evidence or found.score < NEAREST_FLOOR:
        return None
    return found.evidence[0]
