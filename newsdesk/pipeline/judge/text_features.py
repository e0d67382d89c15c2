"""Text features shared by the topic and relevance models: a text is one string, its
first line the title (`document`), counted twice; word and character n-gram counts
weighted by TF-IDF (`TextFeatures`), fitted and stored without pickles."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer

from newsdesk.pipeline.errors import ModelFormatError

_WORD_PATTERN = r"(?u)\b\w\w+\b"

#: function words, never shown as a reason (the models still use them)
STOPWORDS = frozenset(
    """about above after again against all also among and another any are around back
    because been before being below between both but can could did does doing down during
    each either else even every few for from further had has have having her here hers him
    his how into its itself just last like made make many may more most much must new next
    nor not now off once one only other our out over own per said same says she should since
    some still such than that the their them then there these they this those three through
    too two under until upon very was were what when where which while who whom whose why
    will with within would year years yet you your blah reuter reuters""".split()
)


def document(title: str | None, body: str | None) -> str:
    """The one string a model reads for an article: its title, a line break, its body."""
    return f"{(title or '').strip()}\n{body or ''}"


def title_of(text: str) -> str:
    return text.split("\n", 1)[0]


def _weighted(text: str) -> str:
    return f"{title_of(text)}\n{text}"


def _analyzers(
    words: Mapping[str, int] | None, chars: Mapping[str, int] | None
) -> tuple[CountVectorizer, CountVectorizer]:
    word = CountVectorizer(token_pattern=_WORD_PATTERN, vocabulary=words, dtype=np.float32)
    char = CountVectorizer(
        analyzer="char_wb",
        ngram_range=(4, 4),
        min_df=1 if chars is not None else 2,
        vocabulary=chars,
        dtype=np.float32,
    )
    return word, char


def _l2_rows(matrix: sp.csr_matrix) -> sp.csr_matrix:
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms) @ matrix, dtype=np.float32)


def _tfidf(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    counts = sp.csr_matrix(counts, dtype=np.float32)
    counts.data = 1.0 + np.log(counts.data)  # sublinear term frequency
    return _l2_rows(sp.csr_matrix(counts @ sp.diags(idf.astype(np.float32))))


def _idf(counts: sp.csr_matrix) -> np.ndarray:
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    n = counts.shape[0]
    return (np.log((1.0 + n) / (1.0 + df)) + 1.0).astype(np.float32)


class TextFeatures:
    """Word unigrams and character 4-grams (within words), sublinear TF-IDF, title twice.

    Each block is L2-normalised, then the joined row again. Word features come
    first, so `term(i)` for i < n_words is a readable word.
    """

    def __init__(
        self, words: Sequence[str], chars: Sequence[str], word_idf: np.ndarray, char_idf: np.ndarray
    ) -> None:
        self.words = list(words)
        self.chars = list(chars)
        self.word_idf = np.asarray(word_idf, dtype=np.float32)
        self.char_idf = np.asarray(char_idf, dtype=np.float32)
        if len(self.words) != len(self.word_idf) or len(self.chars) != len(self.char_idf):
            raise ModelFormatError("vocabulary and idf lengths differ")
        self._word, self._char = _analyzers(
            {w: i for i, w in enumerate(self.words)} or None,
            {c: i for i, c in enumerate(self.chars)} or None,
        )

    @classmethod
    def fit(cls, texts: Sequence[str]) -> tuple[TextFeatures, sp.csr_matrix]:
        docs = [_weighted(t) for t in texts]
        word, char = _analyzers(None, None)
        word_counts = _safe_fit(word, docs)
        char_counts = _safe_fit(char, docs)
        words = _vocabulary_list(word) if word_counts is not None else []
        chars = _vocabulary_list(char) if char_counts is not None else []
        features = cls(
            words,
            chars,
            _idf(word_counts) if word_counts is not None else np.zeros(0),
            _idf(char_counts) if char_counts is not None else np.zeros(0),
        )
        return features, features._join(word_counts, char_counts, len(docs))

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        docs = [_weighted(t) for t in texts]
        word = self._word.transform(docs) if self.words else None
        char = self._char.transform(docs) if self.chars else None
        return self._join(word, char, len(docs))

    def _join(
        self, word: sp.csr_matrix | None, char: sp.csr_matrix | None, n: int
    ) -> sp.csr_matrix:
        blocks = [
            _tfidf(word, self.word_idf) if word is not None else sp.csr_matrix((n, 0)),
            _tfidf(char, self.char_idf) if char is not None else sp.csr_matrix((n, 0)),
        ]
        return _l2_rows(sp.csr_matrix(sp.hstack(blocks, format="csr"), dtype=np.float32))

    @property
    def n_words(self) -> int:
        return len(self.words)

    @property
    def size(self) -> int:
        return len(self.words) + len(self.chars)

    def top_terms(self, row: sp.csr_matrix, weights: np.ndarray, k: int = 3) -> list[str]:
        """The k words of one transformed text that push its score up the most."""
        row = sp.csr_matrix(row)
        keep = row.indices < self.n_words
        indices, values = row.indices[keep], row.data[keep]
        contributions = values * weights[indices]
        terms: list[str] = []
        for i in np.argsort(-contributions):
            if contributions[i] <= 0 or len(terms) == k:
                break
            word = self.words[indices[i]]
            if len(word) >= 3 and not word.isdigit() and word not in STOPWORDS:
                terms.append(word)
        return terms

    def state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        return {"words": self.words, "chars": self.chars}, {
            "word_idf": self.word_idf,
            "char_idf": self.char_idf,
        }

    @classmethod
    def from_state(cls, meta: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> TextFeatures:
        return cls(meta["words"], meta["chars"], arrays["word_idf"], arrays["char_idf"])


def _safe_fit(vectorizer: CountVectorizer, docs: list[str]) -> sp.csr_matrix | None:
    try:
        return sp.csr_matrix(vectorizer.fit_transform(docs))
    except ValueError:  # empty vocabulary: no text, or nothing frequent enough
        return None


def _vocabulary_list(vectorizer: CountVectorizer) -> list[str]:
    terms = [""] * len(vectorizer.vocabulary_)
    for term, index in vectorizer.vocabulary_.items():
        terms[index] = term
    return terms
