"""A week of real coverage for the story clusterer, imitated on the dev roundup data.

Each roundup record (shared eval README, section 4) is one event covered by three
outlets of different leanings. A week is 307 such events, 921 articles: the 307
`val` records, or a chunk of 307 `train` records (for tuning; the val week is
only checked). Every article gets a published time drawn at random within one
week (fixed seed), the outlet of its position ("left", "centre", "right" feeds
of fictional names) and the places the tagger says it is about, as enrichment
stores them; the articles go to the clusterer in time order, as feeds deliver
them. Scored with B-cubed precision, recall and F1 against the events.

`tfidf_average_linkage` is the baseline: plain TF-IDF over title and text and
agglomerative clustering with average linkage on cosine distance, at every
distance threshold of a grid; its best threshold per week is an upper bound no
clusterer could choose without the labels, its threshold chosen on the train
weeks is the honest figure for val.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from newsdesk.evaluation import EvalDataError, read_jsonl
from newsdesk.pipeline.enrich.gazetteer import Gazetteer
from newsdesk.pipeline.enrich.place_model import PlaceModel
from newsdesk.pipeline.enrich.places import analyse
from newsdesk.pipeline.metrics import BCubed, bcubed
from newsdesk.pipeline.stories.clustering import cluster
from newsdesk.pipeline.stories.inputs import StoryConfig, StoryInput

WEEK_START = datetime(2026, 3, 2, tzinfo=UTC)
OUTLETS = ("Left Harbour Daily", "Centre Plains Courier", "Right Summit Post")
EVENTS_PER_WEEK = 307
#: cosine distance thresholds tried for the baseline
GRID = tuple(round(0.05 * step, 2) for step in range(4, 20))


@dataclass(frozen=True)
class Week:
    name: str
    articles: list[StoryInput]  # in time order
    gold: dict[str, str]  # article key -> event id


def read_events(path: Path) -> dict[str, list[dict[str, Any]]]:
    """Roundup records by `original_split`, in file order."""
    splits: dict[str, list[dict[str, Any]]] = {}
    for number, record in enumerate(read_jsonl(path), 1):
        documents = record.get("documents")
        if not isinstance(documents, list) or not documents:
            raise EvalDataError(f"{path}:{number}: record needs 'documents'")
        splits.setdefault(str(record.get("original_split") or "dev"), []).append(record)
    return splits


def make_week(name: str, records: list[dict[str, Any]], seed: int) -> Week:
    """The records' documents as one week of feed articles, in time order."""
    rng = random.Random(f"{seed}:{name}")
    gazetteer, places = Gazetteer.default(), PlaceModel()
    articles: list[StoryInput] = []
    gold: dict[str, str] = {}
    for record in records:
        event = str(record["id"])
        for position, document in enumerate(record["documents"]):
            title = str(document.get("title") or "").strip()
            text = str(document.get("text") or "")
            key = f"{event}/{position}"
            articles.append(
                StoryInput(
                    key=key,
                    title=title,
                    text=text,
                    published=WEEK_START + timedelta(seconds=rng.uniform(0, 7 * 86400)),
                    outlet=OUTLETS[position % len(OUTLETS)],
                    places=places.decide(analyse(title, text, gazetteer)),
                )
            )
            gold[key] = event
    articles.sort(key=lambda a: (a.published or WEEK_START, str(a.key)))
    return Week(name, articles, gold)


def roundup_weeks(path: Path, train_weeks: int = 4, seed: int = 19) -> list[Week]:
    """The train chunks of 307 events (at most `train_weeks`), then the val week."""
    splits = read_events(path)
    train = splits.get("train", [])
    weeks = [
        make_week(f"train-{n + 1}", train[n * EVENTS_PER_WEEK : (n + 1) * EVENTS_PER_WEEK], seed)
        for n in range(min(train_weeks, len(train) // EVENTS_PER_WEEK))
    ]
    if splits.get("val"):
        weeks.append(make_week("val", splits["val"], seed))
    return weeks


def score_clusterer(week: Week, config: StoryConfig | None = None) -> BCubed:
    """The product clusterer on a week, as `newsdesk stories cluster` runs it."""
    predicted = cluster(week.articles, config=config)
    return bcubed(week.gold, {str(key): story for key, story in predicted.items()})


def tfidf_average_linkage(week: Week) -> dict[float, BCubed]:
    """The baseline's score at every distance threshold of `GRID`."""
    from sklearn.cluster import AgglomerativeClustering  # deferred: slow; baseline only
    from sklearn.feature_extraction.text import TfidfVectorizer  # deferred: as above

    texts = [f"{a.title}\n{a.text}" for a in week.articles]
    matrix = TfidfVectorizer(stop_words="english").fit_transform(texts).toarray()
    keys = [str(a.key) for a in week.articles]
    scores: dict[float, BCubed] = {}
    for threshold in GRID:
        labels = AgglomerativeClustering(
            n_clusters=None, metric="cosine", linkage="average", distance_threshold=threshold
        ).fit_predict(matrix)
        scores[threshold] = bcubed(week.gold, dict(zip(keys, labels.tolist(), strict=True)))
    return scores
