"""`newsdesk eval clustering`: story clustering scored with B-cubed precision, recall and F1.

Records (shared eval README, section 3) carry `id`, `title`, `text` (which starts
with the headline line), `published` (ISO or null), `source` and the gold
`cluster`. The articles go through `newsdesk.pipeline.stories.clustering.cluster`, the
function the newsroom runs: in time order when they have dates, in file order
otherwise. `seconds` is the clustering alone, without reading the file.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from newsdesk.evaluation import EvalDataError, EvalOptions, Progress, read_jsonl
from newsdesk.pipeline.metrics import bcubed
from newsdesk.pipeline.stories.clustering import cluster
from newsdesk.pipeline.stories.inputs import StoryInput


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
    for number, record in enumerate(read_jsonl(options.data), 1):
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
