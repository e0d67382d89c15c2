"""`newsdesk eval clustering`: story clustering scored with B-cubed precision, recall and F1.

Records (shared eval README, section 3) carry `id`, `title`, `text` (which starts
with the headline line), `published` (ISO or null), `source` and the gold
`cluster`. The articles go through `newsdesk.pipeline.stories.clustering.cluster`, the
function the newsroom runs: in time order when they have dates, in file order
otherwise. `seconds` is the clustering alone, without reading the file.

`imitate_heldout` imitates, on the same records, data kept apart from the project
where each corpus holds two events of one kind and no dates: every pair of
events of the same `topic` is clustered on its own, without dates and in an
order shuffled with a fixed seed, and the pairs are scored together (pooled
B-cubed). `alike` scores only the pairs that look most alike: each event with
the event of its topic whose words are closest to its own.
"""

from __future__ import annotations

import math
import random
import time
from collections import Counter, defaultdict
from dataclasses import replace
from datetime import datetime
from itertools import combinations
from pathlib import Path
from typing import Any

from newsdesk.evaluation import EvalDataError, EvalOptions, Progress, numbered_jsonl
from newsdesk.pipeline.metrics import bcubed
from newsdesk.pipeline.stories.clustering import cluster
from newsdesk.pipeline.stories.inputs import StoryInput
from newsdesk.pipeline.stories.vectors import words


def _published(value: Any, where: str) -> datetime | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise EvalDataError(f"{where}: 'published' must be an ISO date or null")
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise EvalDataError(f"{where}: 'published' is not an ISO date: {value!r}") from None


def load(options: EvalOptions) -> tuple[list[StoryInput], dict[str, str]]:
    """The articles of the data file and their gold clusters, by article key."""
    articles: list[StoryInput] = []
    gold: dict[str, str] = {}
    for number, record in numbered_jsonl(options.data):
        where = f"{options.data}:{number}"
        if record.get("cluster") is None:
            raise EvalDataError(f"{where}: record needs 'cluster'")
        key = str(record.get("id") if record.get("id") is not None else f"line-{number}")
        if key in gold:
            raise EvalDataError(f"{where}: duplicate id {key!r}")
        text = str(record.get("text") or "")
        title = str(record.get("title") or "").strip() or text.strip().split("\n", 1)[0]
        articles.append(
            StoryInput(
                key=key,
                title=title,
                text=text,
                published=_published(record.get("published"), where),
                outlet=str(record.get("source") or ""),
            )
        )
        gold[key] = str(record["cluster"])
    if not articles:
        raise EvalDataError(f"{options.data}: no records to score")
    return articles, gold


def evaluate(options: EvalOptions, progress: Progress = lambda: None) -> dict[str, Any]:
    articles, gold = load(options)
    started = time.perf_counter()
    predicted = cluster(articles, progress=progress)
    seconds = time.perf_counter() - started
    score = bcubed(gold, predicted)
    return {
        "task": "clustering",
        "n": score.n,
        "dated": sum(1 for article in articles if article.published is not None),
        "clusters_true": score.clusters_true,
        "clusters_pred": score.clusters_pred,
        "bcubed_precision": round(score.precision, 4),
        "bcubed_recall": round(score.recall, 4),
        "bcubed_f1": round(score.f1, 4),
        "seconds": round(seconds, 3),
    }


def _topics(path: Path) -> dict[str, str]:
    """Article key -> its record's `topic` (the kind of event), as `load` keys them."""
    topics: dict[str, str] = {}
    for number, record in numbered_jsonl(path):
        key = str(record.get("id") if record.get("id") is not None else f"line-{number}")
        if not record.get("topic"):
            raise EvalDataError(f"{path}:{number}: record needs 'topic' to pair events")
        topics[key] = str(record["topic"])
    return topics


def _event_words(articles: list[StoryInput]) -> dict[str, float]:
    """An event's words as a unit vector of counts (for choosing look-alike pairs)."""
    counts = Counter(word for article in articles for word in words(article.text, 300))
    norm = math.sqrt(sum(c * c for c in counts.values())) or 1.0
    return {word: count / norm for word, count in counts.items()}


def event_pairs(
    events: dict[str, list[StoryInput]], topics: dict[str, str]
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Every pair of events of one topic, and the look-alike ones among them: each
    event with the event of its topic whose words are closest (cosine of counts)."""
    by_topic: dict[str, list[str]] = defaultdict(list)
    for event in sorted(events):
        by_topic[topics[event]].append(event)
    every = [pair for names in by_topic.values() for pair in combinations(names, 2)]
    vectors = {event: _event_words(members) for event, members in events.items()}

    def cosine(a: str, b: str) -> float:
        va, vb = vectors[a], vectors[b]
        return sum(weight * vb.get(word, 0.0) for word, weight in va.items())

    alike: set[tuple[str, str]] = set()
    for names in by_topic.values():
        for event in names:
            others = [other for other in names if other != event]
            if others:
                nearest = max(others, key=lambda other: (cosine(event, other), other))
                alike.add((min(event, nearest), max(event, nearest)))
    return every, sorted(alike)


def _score_pairs(
    pairs: list[tuple[str, str]], events: dict[str, list[StoryInput]], seed: int
) -> dict[str, Any]:
    gold: dict[str, str] = {}
    predicted: dict[str, str] = {}
    for number, (first, second) in enumerate(pairs):
        batch = [replace(a, published=None) for a in events[first] + events[second]]
        random.Random(f"{seed}:{first}:{second}").shuffle(batch)
        for key, story in cluster(batch).items():
            predicted[f"{number}/{key}"] = f"{number}/{story}"
            gold[f"{number}/{key}"] = f"{number}/{str(key).split(':', 1)[0]}"
    score = bcubed(gold, predicted)
    return {
        "pairs": len(pairs),
        "bcubed_precision": round(score.precision, 4),
        "bcubed_recall": round(score.recall, 4),
        "bcubed_f1": round(score.f1, 4),
    }


def imitate_heldout(path: Path, seed: int = 19) -> dict[str, Any]:
    """Pairs of events of one kind, without dates, shuffled: see the module's docstring.

    `undated` is the whole file clustered at once without dates, shuffled."""
    articles, gold = load(EvalOptions(data=path))
    topics = _topics(path)
    events: dict[str, list[StoryInput]] = defaultdict(list)
    event_topic: dict[str, str] = {}
    for article in articles:
        events[gold[str(article.key)]].append(article)
        event_topic[gold[str(article.key)]] = topics[str(article.key)]
    for event, members in events.items():
        events[event] = [replace(a, key=f"{event}:{a.key}") for a in members]
    every, alike = event_pairs(dict(events), event_topic)
    started = time.process_time()
    undated = [replace(a, published=None) for a in articles]
    random.Random(seed).shuffle(undated)
    whole = bcubed(gold, cluster(undated))
    result: dict[str, Any] = {
        "task": "clustering-imitation",
        "seed": seed,
        "undated": {
            "bcubed_precision": round(whole.precision, 4),
            "bcubed_recall": round(whole.recall, 4),
            "bcubed_f1": round(whole.f1, 4),
        },
        "pairs": _score_pairs(every, events, seed),
        "alike": _score_pairs(alike, events, seed),
    }
    result["cpu_seconds"] = round(time.process_time() - started, 2)
    return result
