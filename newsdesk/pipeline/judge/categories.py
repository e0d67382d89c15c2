"""Topic categories for items: editor rules on day one, a learned model as labels arrive.

`TopicModel` is a multi-label classifier over a publication's topic categories.
Each category may have a `TopicRule` (include and exclude terms, written by an
editor) and labelled examples (items filed under it). With rules alone it works
from the first day; with examples it learns one linear SVM per category
(one-vs-rest, `topic_learning.py`) over word and character n-gram TF-IDF. The
decision threshold of each category is tuned for F1 on inner cross-validation of
the training data (negatives reweighed by the category's prior share of all items,
when given), and the margin is mapped to a 0..1 score (0.5 at the threshold) by a slope
fitted on the same out-of-fold scores. For a category with include terms the
score is w * learned + (1 - w) * rule, where w = n / (n + 2a) for n positive
examples, a the share of them the rule matches (at least one half), and the
rule score is 0.5 for one matched term (a title match counts twice) and
approaches 1 with more; without include terms the learned score is the score. A
category needs positive and negative examples to be learned. An exclude term
always wins: a text that matches one is never put in that category.

With few examples (under MAX_CONCEPT_EXAMPLES) and enough texts, unfiled ones
(`background`) included, the SVMs also see CONCEPTS latent directions of all the texts
(truncated SVD), folded back into one weight per feature; the features then include
what each text says as a sentence model reads it (`sentence_model.py`, when installed;
MEANING_WEIGHT beside the words, and its title's alone at TITLE_MEANING_WEIGHT), and
the concepts are learned over all of them. Examples drawn a few per category never
show an item in none of them: given unfiled texts and each category's share of all
items, a category's score is stretched so that 0.5 falls where that share of the
unfiled texts stands (`cuts`). Then the unfiled texts are filed where this first model
shows them, and the SVMs are learned again with them added at UNFILED_WEIGHT each (a
second reading; the filing also asks the neighbours, see `topic_learning.py`); the
model so learned files them again for a third (READINGS). Two categories the examples
never show together are rivals: where both reach 0.5 only the stronger is shown
(`topic_rivals.py`); only in what is shown: the readings file the unfiled texts on
each category's own score.

A text is one string, its first line the title (see `text_features.document`); the title is
counted twice, since headlines name the subject more reliably than bodies.

The term matching and the storage format here (and text_features.py) are shared with
`relevance.py`. Models are stored with `to_bytes` as a NumPy ``.npz`` archive
(arrays plus a JSON header) and read with ``allow_pickle=False``: loading a
model never executes code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.decomposition import TruncatedSVD

from newsdesk.pipeline.errors import InputError, ModelFormatError
from newsdesk.pipeline.judge.scorers import (
    LinearScorer,
    pack,
    scorer_state,
    scorers_from_state,
    unpack,
)
from newsdesk.pipeline.judge.sentence_model import NAME as SENTENCE_MODEL
from newsdesk.pipeline.judge.sentence_model import WIDTH as MEANING_WIDTH
from newsdesk.pipeline.judge.sentence_model import SentenceModel, model_folder, sentence_model
from newsdesk.pipeline.judge.text_features import TextFeatures, title_of
from newsdesk.pipeline.judge.topic_learning import (
    Unfiled,
    file_unfiled,
    learn_scorers,
    neighbour_votes,
)
from newsdesk.pipeline.judge.topic_rivals import keep_rivals_apart, rival_pairs

FORMAT = "newsdesk.topics/1"

#: positive examples at which the learned score and the rule score count equally
RULE_HALF_LIFE = 2.0
#: a matched exclude term multiplies the score by this (keeping it below 0.5)
EXCLUDE_FACTOR = 0.1
#: words shown as the learned part of a reason
LEARNED_TERMS = 3
#: concepts (latent semantic dimensions) learned from all texts, unlabelled ones included
CONCEPTS = 100
#: texts needed before concepts are learned
MIN_CONCEPT_TEXTS = 300
#: labelled texts from which words alone do better than with concepts (dev: full Reuters
#: training data lost micro F1 .9386 -> .9333 with them)
MAX_CONCEPT_EXAMPLES = 1000
#: how much the concept block weighs beside the words
CONCEPT_WEIGHT = 1.0
#: how much the sentence model's vector (unit length) weighs beside the words, with few
#: examples (inner split of dev, --per-class 20 micro F1: 0 .8569, .25 .8641, .35 .8686,
#: .5 .8672, .7 .8633, 1 .8586, 3 .8149)
MEANING_WEIGHT = 0.35
#: the same for its vector of the title alone (with READINGS 3, inner split micro at 20
#: .8718 -> .8744; both together: time split .8356 -> .8406; docs/stories.md)
TITLE_MEANING_WEIGHT = 0.35
#: unlabelled texts needed before a category's share of them sets where it is shown
MIN_BACKGROUND = 100
#: readings of the unfiled texts: the first model's, then each model learned with its
#: filing files them again for the next (3: inner split micro at 20 .871 -> .8744)
READINGS = 3


# --- rules ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TopicRule:
    """Terms an editor sets for a category.

    A term is a word or phrase matched case-insensitively on word boundaries,
    with an optional plural "s"/"es"; a trailing "*" matches any word ending
    ("export*" matches "exports" and "exporters").
    """

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()


@dataclass(frozen=True)
class Suggestion:
    name: str
    score: float
    reasons: tuple[str, ...]


class TermMatcher:
    """Finds which of a list of terms occur in a text, and whether in its title."""

    def __init__(self, terms: Iterable[str]) -> None:
        self.terms = tuple(dict.fromkeys(t.strip() for t in terms if t and t.strip()))
        self._patterns = [re.compile(term_pattern(t), re.IGNORECASE) for t in self.terms]

    def matches(self, text: str) -> list[tuple[str, bool]]:
        """(term, in_title) for every term found, in the order the terms were given."""
        title = title_of(text)
        found = []
        for term, pattern in zip(self.terms, self._patterns, strict=True):
            if pattern.search(text):
                found.append((term, bool(pattern.search(title))))
        return found

    def evidence(self, text: str) -> tuple[float, list[str]]:
        """1 per matched term, 2 if it is in the title; and the matched terms."""
        found = self.matches(text)
        return sum(2.0 if in_title else 1.0 for _, in_title in found), [t for t, _ in found]


def term_pattern(term: str) -> str:
    words = term.lower().split()
    prefix = words[-1].endswith("*")
    if prefix:
        words[-1] = words[-1].rstrip("*")
    body = r"\s+".join(re.escape(w) for w in words if w)
    tail = r"\w*" if prefix else (r"(?:s|es)?" if body[-1:].isalpha() else "")
    return rf"(?<!\w){body}{tail}(?!\w)"


def rule_score(evidence: float) -> float:
    """0 without evidence, 0.5 for one matched term, approaching 1 with more."""
    return 1.0 - 0.5**evidence


# --- concepts and cuts ------------------------------------------------------------------


def with_concepts(X: sp.csr_matrix, components: np.ndarray | None) -> sp.csr_matrix:
    """X with its concept coordinates appended (times CONCEPT_WEIGHT), if there are concepts."""
    if components is None:
        return X
    concepts = np.asarray(X @ components.T, dtype=np.float32) * CONCEPT_WEIGHT
    return sp.csr_matrix(sp.hstack([X, sp.csr_matrix(concepts)], format="csr"))


def fold_concepts(scorer: LinearScorer, components: np.ndarray | None) -> LinearScorer:
    """The same scorer over the plain features: concept weights mapped back onto them
    (words, and the sentence model's numbers when the model reads with it).

    A concept coordinate is linear in the features (x . c), so w_x . x + w_c . (x C')
    equals (w_x + C' w_c) . x: the stored model keeps one weight per feature.
    """
    if components is None:
        return scorer
    width = components.shape[1]
    direct, through = scorer.weights[:width], scorer.weights[width:]
    weights = direct + CONCEPT_WEIGHT * (components.T @ through)
    return LinearScorer(
        weights.astype(np.float32),
        scorer.intercept,
        scorer.threshold,
        scorer.slope,
        scorer.n_pos,
        scorer.n_neg,
    )


def learn_concepts(X: sp.csr_matrix) -> np.ndarray | None:
    """CONCEPTS latent directions of the texts' features (truncated SVD), or None if too few.

    With a handful of examples per category, words a category's examples do not
    use still count through the concepts they share with words that they do
    (learned on every text given, filed or not).
    """
    if X.shape[0] < MIN_CONCEPT_TEXTS or X.shape[1] <= CONCEPTS:
        return None
    svd = TruncatedSVD(CONCEPTS, random_state=0)
    svd.fit(X)
    return np.asarray(svd.components_, dtype=np.float32)


def share_cut(scores: np.ndarray, prior: float) -> float:
    """The score above which a `prior` share of (unlabelled) texts falls."""
    return float(np.quantile(scores, 1.0 - prior))


def stretch(scores: np.ndarray, cut: float) -> np.ndarray:
    """Scores mapped monotonically so that `cut` becomes 0.5 (0 stays 0, 1 stays 1)."""
    cut = min(max(cut, 1e-6), 1.0 - 1e-6)
    return np.where(
        scores < cut, 0.5 * scores / cut, 0.5 + 0.5 * (scores - cut) / (1.0 - cut)
    ).clip(0.0, 1.0)


def learned_weight(n_pos: int, agreement: float = 1.0) -> float:
    """How much the learned score counts against a rule, by positive examples seen.

    `agreement` is the share of those examples the rule matches (see
    `rule_agreement`): a rule that misses the category's own examples, such as
    a name nobody writes in a story ("acq"), soon stops counting.
    """
    if n_pos <= 0:
        return 0.0
    return n_pos / (n_pos + RULE_HALF_LIFE * agreement)


def rule_agreement(hits: int, n_pos: int) -> float:
    """The share of n_pos positive examples a rule matches, smoothed toward one half."""
    return max((hits + 1.0) / (n_pos + 2.0), 0.5)


# --- the model --------------------------------------------------------------------------


class TopicModel:
    """Multi-label topic categories from rules and labelled examples."""

    def __init__(self) -> None:
        self.categories: list[str] = []
        self.rules: dict[str, TopicRule] = {}
        self.features: TextFeatures | None = None
        self.scorers: dict[str, LinearScorer] = {}
        self._include: dict[str, TermMatcher] = {}
        self._exclude: dict[str, TermMatcher] = {}
        #: per category with a rule and examples: the share of its examples the rule matches
        self.agreement: dict[str, float] = {}
        #: per category with a known share: the score that its share of unfiled texts reach,
        #: shown as 0.5
        self.cuts: dict[str, float] = {}
        #: pairs of categories never filed together on the examples (see `topic_rivals.py`)
        self.rivals: list[tuple[str, str]] = []
        #: the sentence model whose vectors follow the text features, if the model uses one
        self.meaning: SentenceModel | None = None
        #: whether the title's own vector follows the text's (not in models stored before it)
        self.title_meaning = False

    def fit(
        self,
        texts: Sequence[str],
        labels: Sequence[Sequence[str]],
        rules: Mapping[str, TopicRule] | None = None,
        priors: Mapping[str, float] | None = None,
        background: Sequence[str] = (),
    ) -> TopicModel:
        """Learn from texts and their categories; categories with rules need no examples.

        `priors` are the shares of all items in each category, when the examples
        are not a fair sample of the items (a few per category). `background`
        are unfiled texts (the week's articles): their words and concepts count
        for the features, and with at least MIN_BACKGROUND of them a category
        with a prior is shown on about that share of them (its cut, see `cuts`),
        since examples drawn per category never show what "none of these" is.
        """
        if len(texts) != len(labels):
            raise InputError(
                f"{len(texts)} texts but {len(labels)} label lists: give one list per text"
            )
        self._set_rules(dict(rules or {}))
        label_sets = [set(item) for item in labels]
        learned_names = sorted(set().union(*label_sets)) if label_sets else []
        self.categories = sorted(set(learned_names) | set(self.rules))
        self.features, self.scorers, self.agreement, self.cuts = None, {}, {}, {}
        self.meaning, self.title_meaning = None, False
        self.rivals = []  # the readings file unfiled texts on each category's own score
        background = [t or "" for t in background]
        read: sp.csr_matrix | None = None  # the unfiled texts' features, scored at each reading
        if learned_names and texts:
            self.features, X_text = TextFeatures.fit([*texts, *background])
            few = len(texts) < MAX_CONCEPT_EXAMPLES
            self.meaning = sentence_model() if few else None
            self.title_meaning = self.meaning is not None and TITLE_MEANING_WEIGHT > 0
            X_all = self._with_meaning(X_text, [*texts, *background])
            components = learn_concepts(X_all) if few else None
            X = with_concepts(X_all[: len(texts)], components)
            Y = np.array([[name in item for name in learned_names] for item in label_sets])
            shares = [(priors or {}).get(name) for name in learned_names]
            self._learn(learned_names, learn_scorers(X, Y, priors=shares), components)
            self.agreement = self._agreement(texts, label_sets)
            # later readings: the unfiled texts filed where the last model shows them
            columns = [self.categories.index(name) for name in learned_names]
            read = X_all[len(texts) :]
            X_unfiled = with_concepts(read, components) if few else None
            for _ in range(READINGS - 1):
                if X_unfiled is None or not self._set_cuts(background, priors or {}, read):
                    break
                scores = self._score(background, with_reasons=False, features_of=read)[0]
                shown, sure = self._filed(X, Y, X_unfiled, scores[:, columns], shares, components)
                rows = Unfiled(X_unfiled, shown, sure)
                self._learn(
                    learned_names, learn_scorers(X, Y, priors=shares, unfiled=rows), components
                )
        self._set_cuts(background, priors or {}, read)
        self.rivals = rival_pairs(label_sets)
        return self

    def _filed(
        self,
        X: sp.csr_matrix,
        Y: np.ndarray,
        X_unfiled: sp.csr_matrix,
        scores: np.ndarray,
        shares: Sequence[float | None],
        components: np.ndarray | None,
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """The unfiled texts filed by the last model's scores (one column per column of Y)
        and their neighbours' votes."""
        if components is None:
            return scores >= 0.5, None
        width = components.shape[0]
        votes = neighbour_votes(X[:, -width:].toarray(), Y, X_unfiled[:, -width:].toarray())
        return file_unfiled(scores, votes, shares)

    def _with_meaning(self, X: sp.csr_matrix, texts: Sequence[str]) -> sp.csr_matrix:
        """The text features followed by the sentence model's vectors, if the model uses one."""
        if self.meaning is None:
            return X
        blocks = [X, sp.csr_matrix(self.meaning.encode(texts) * MEANING_WEIGHT)]
        if self.title_meaning:
            titles = self.meaning.encode([title_of(t) for t in texts])
            blocks.append(sp.csr_matrix(titles * TITLE_MEANING_WEIGHT))
        return sp.csr_matrix(sp.hstack(blocks, format="csr"))

    def _learn(
        self,
        names: list[str],
        scorers: list[LinearScorer | None],
        components: np.ndarray | None,
    ) -> None:
        self.scorers = {
            name: fold_concepts(scorer, components)
            for name, scorer in zip(names, scorers, strict=True)
            if scorer is not None
        }

    def _set_cuts(
        self,
        background: Sequence[str],
        priors: Mapping[str, float],
        features_of: sp.csr_matrix | None = None,
    ) -> bool:
        """Each category with a known share is shown on that share of the unfiled texts.

        False (and no cuts) with fewer than MIN_BACKGROUND unfiled texts or no shares.
        """
        self.cuts = {}
        if not priors or len(background) < MIN_BACKGROUND:
            return False
        raw = self._score(background, with_reasons=False, features_of=features_of)[0]
        for j, name in enumerate(self.categories):
            prior = priors.get(name)
            if prior is not None and 0 < prior < 1:
                self.cuts[name] = share_cut(raw[:, j], prior)
        return bool(self.cuts)

    def _agreement(self, texts: Sequence[str], label_sets: list[set[str]]) -> dict[str, float]:
        result = {}
        for name, include in self._include.items():
            having = [t for t, labels in zip(texts, label_sets, strict=True) if name in labels]
            if include.terms and having:
                hits = sum(1 for t in having if include.matches(t))
                result[name] = rule_agreement(hits, len(having))
        return result

    def _set_rules(self, rules: dict[str, TopicRule]) -> None:
        self.rules = rules
        self._include = {name: TermMatcher(rule.include) for name, rule in rules.items()}
        self._exclude = {name: TermMatcher(rule.exclude) for name, rule in rules.items()}

    def prepare(self, texts: Sequence[str]) -> None:
        """Read texts about to be scored one by one in a single batch (the sentence model
        remembers them): a batch is several times faster than a text at a time."""
        if self.meaning is not None:
            texts = [t or "" for t in texts]
            titles = [title_of(t) for t in texts] if self.title_meaning else []
            self.meaning.encode([*texts, *titles])

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        """Scores in 0..1, one row per text, one column per name in `categories`."""
        return self._score(texts, with_reasons=False)[0]

    def predict(self, texts: Sequence[str]) -> list[list[str]]:
        """The categories scoring at least 0.5 for each text (possibly none)."""
        matrix = self.scores(texts)
        return [
            [c for c, s in zip(self.categories, row, strict=True) if s >= 0.5] for row in matrix
        ]

    def suggest(self, text: str, k: int = 3, min_score: float = 0.2) -> list[Suggestion]:
        """Up to k categories for one text, best first, with what drove each score.

        Categories scoring below `min_score` (or 0) are left out; those at 0.5 or
        more are the ones `predict` gives.
        """
        matrix, reasons = self._score([text], with_reasons=True)
        ranked = sorted(
            (
                (float(score), name)
                for name, score in zip(self.categories, matrix[0], strict=True)
                if score >= min_score and score > 0
            ),
            key=lambda pair: (-pair[0], pair[1]),
        )
        return [
            Suggestion(name, round(score, 4), tuple(reasons[0][name])) for score, name in ranked[:k]
        ]

    def _score(
        self,
        texts: Sequence[str],
        with_reasons: bool,
        features_of: sp.csr_matrix | None = None,
    ) -> tuple[np.ndarray, list[dict[str, list[str]]]]:
        """Scores (and reasons) of texts; `features_of` are their rows as `fit` already
        read them (features and sentence vectors), so the readings do not read them again."""
        texts = [t or "" for t in texts]
        result = np.zeros((len(texts), len(self.categories)))
        reasons: list[dict[str, list[str]]] = [{} for _ in texts]
        features = self.features
        X = None
        if features is not None and self.scorers and texts:
            X = features_of
            if X is None:
                X = self._with_meaning(features.transform(texts), texts)
        for j, name in enumerate(self.categories):
            scorer = self.scorers.get(name)
            include, exclude = self._include.get(name), self._exclude.get(name)
            ruled = include is not None and bool(include.terms)
            learned = np.zeros(len(texts))
            weight = 0.0
            if scorer is not None and X is not None:
                learned = scorer.probabilities(X)
                agreement = self.agreement.get(name, 1.0)
                weight = learned_weight(scorer.n_pos, agreement) if ruled else 1.0
            for i, text in enumerate(texts):
                why: list[str] = []
                score = weight * float(learned[i])
                if include is not None and ruled:
                    evidence, matched = include.evidence(text)
                    score += (1.0 - weight) * rule_score(evidence)
                    if matched:
                        why.append("mentions " + ", ".join(matched[:3]))
                if name in self.cuts:
                    score = float(stretch(np.array(score), self.cuts[name]))
                if exclude is not None and exclude.terms:
                    vetoed = [t for t, _ in exclude.matches(text)]
                    if vetoed:
                        score *= EXCLUDE_FACTOR
                        why.insert(0, "excluded term " + ", ".join(vetoed[:3]))
                if with_reasons and scorer is not None and X is not None and features is not None:
                    terms = features.top_terms(X[i], scorer.weights, LEARNED_TERMS)
                    if terms:
                        why.append("like past items: " + ", ".join(terms))
                result[i, j] = score
                if with_reasons:
                    reasons[i][name] = why
        result, beaten = keep_rivals_apart(result, self.categories, self.rivals)
        if with_reasons:
            for why_of, beaten_by in zip(reasons, beaten, strict=True):
                for name, winner in beaten_by.items():
                    why_of[name].insert(0, f"less likely than {winner} (never filed together)")
        return result, reasons

    def to_bytes(self) -> bytes:
        scorer_meta, weights = scorer_state(self.scorers)
        meta: dict[str, Any] = {
            "format": FORMAT,
            "categories": self.categories,
            "rules": {
                name: {"include": list(r.include), "exclude": list(r.exclude)}
                for name, r in self.rules.items()
            },
            "scorers": scorer_meta,
            "agreement": self.agreement,
            "cuts": self.cuts,
            "rivals": [list(pair) for pair in self.rivals],
            "sentence_model": SENTENCE_MODEL if self.meaning is not None else None,
            "title_meaning": self.title_meaning,
            "features": None,
        }
        arrays: dict[str, np.ndarray] = {"weights": weights}
        if self.features is not None:
            meta["features"], feature_arrays = self.features.state()
            arrays.update(feature_arrays)
        return pack(meta, arrays)

    @classmethod
    def from_bytes(cls, data: bytes) -> TopicModel:
        meta, arrays = unpack(data, FORMAT)
        model = cls()
        if meta.get("sentence_model"):
            model.meaning = sentence_model()
            if model.meaning is None:
                raise ModelFormatError(
                    f"this topic model reads texts with the sentence model "
                    f"{meta['sentence_model']}, which is not installed "
                    "(python3 dev.py installs it), or train it again"
                )
        try:
            model._set_rules(
                {
                    name: TopicRule(tuple(r["include"]), tuple(r["exclude"]))
                    for name, r in meta["rules"].items()
                }
            )
            model.categories = [str(c) for c in meta["categories"]]
            model.agreement = {str(k): float(v) for k, v in meta.get("agreement", {}).items()}
            model.cuts = {str(k): float(v) for k, v in meta.get("cuts", {}).items()}
            model.rivals = [(str(a), str(b)) for a, b in meta.get("rivals", [])]
            if meta["features"] is not None:
                model.features = TextFeatures.from_state(meta["features"], arrays)
            width = model.features.size if model.features else 0
            model.title_meaning = model.meaning is not None and bool(meta.get("title_meaning"))
            width += MEANING_WIDTH * ((model.meaning is not None) + model.title_meaning)
            model.scorers = scorers_from_state(meta["scorers"], arrays["weights"], width)
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise ModelFormatError(f"damaged {FORMAT} model: {exc}") from None
        return model


def reading_of(data: bytes | None) -> str:
    """How a stored topic model reads a story, for `newsdesk profile show`."""
    meta = unpack(data, FORMAT)[0] if data else {}
    if not meta.get("features"):
        return "by the categories' terms alone (no examples yet)"
    if meta.get("sentence_model"):
        return f"by words and the sentence model {meta['sentence_model']}"
    if model_folder() is None:
        return "by words alone (the sentence model is not installed: python3 dev.py installs it)"
    examples = f"{MAX_CONCEPT_EXAMPLES:,} examples or more"
    return f"by words alone ({examples}, or trained before the sentence model)"
