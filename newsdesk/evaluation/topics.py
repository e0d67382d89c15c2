"""`newsdesk eval topics`: topic categories scored with micro- and macro-averaged F1.

Records (shared eval README, section 5) carry `title`, `text` and `topics`;
when they have `topics_attr` only those with "YES" are used (Reuters ModApte).
`TopicModel` is trained on the training records with their K most frequent
topics (--top, default 10; ties by name) and predicts those K for the test
records; records with none of them count too (every topic predicted for them
is a false positive). A topic nobody has and nobody predicts scores F1 1.
`seconds` is training plus prediction, without reading the files.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

from newsdesk.evaluation import EvalDataError, EvalOptions, Progress, train_and_test
from newsdesk.pipeline.judge.categories import TopicModel, document
from newsdesk.pipeline.metrics import f1


def modapte(record: dict[str, Any]) -> bool:
    return record.get("topics_attr", "YES") == "YES"


def text_of(record: dict[str, Any]) -> str:
    return document(str(record.get("title") or ""), str(record.get("text") or ""))


def topics_of(record: dict[str, Any], where: str) -> list[str]:
    topics = record.get("topics")
    if not isinstance(topics, list) or "text" not in record:
        raise EvalDataError(f"{where}: record {record.get('id')!r} needs 'text' and 'topics'")
    return [str(t) for t in topics]


def counted_f1(tp: int, fp: int, fn: int) -> float:
    """F1 from counts; a topic nobody has and nobody predicts scores 1 (nothing is wrong)."""
    if not tp + fp + fn:
        return 1.0
    return f1(tp / (tp + fp) if tp + fp else 0.0, tp / (tp + fn) if tp + fn else 0.0)


def evaluate(options: EvalOptions, progress: Progress = lambda: None) -> dict[str, Any]:
    if options.top < 1:
        raise EvalDataError("--top must be at least 1")
    train, test = train_and_test(options, modapte)
    train_topics = [topics_of(r, str(options.train)) for r in train]
    test_topics = [topics_of(r, str(options.data)) for r in test]
    counts = Counter(t for topics in train_topics for t in set(topics))
    if not counts:
        raise EvalDataError(f"{options.train}: no training records with topics")
    if not test:
        raise EvalDataError(f"{options.data}: no records to score")
    chosen = [t for t, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[: options.top]]
    wanted = set(chosen)

    started = time.perf_counter()
    model = TopicModel().fit(
        [text_of(r) for r in train], [[t for t in ts if t in wanted] for ts in train_topics]
    )
    trained = time.perf_counter()
    predicted: list[list[str]] = []
    batch = 256
    for start in range(0, len(test), batch):
        predicted.extend(model.predict([text_of(r) for r in test[start : start + batch]]))
        for _ in test[start : start + batch]:
            progress()
    seconds = time.perf_counter() - started

    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for gold_topics, guess in zip(test_topics, predicted, strict=True):
        gold, got = set(gold_topics) & wanted, set(guess) & wanted
        for t in gold & got:
            tp[t] += 1
        for t in got - gold:
            fp[t] += 1
        for t in gold - got:
            fn[t] += 1
    per_topic = {t: round(counted_f1(tp[t], fp[t], fn[t]), 4) for t in chosen}
    return {
        "task": "topics",
        "n": len(test),
        "topics": len(chosen),
        "micro_f1": round(counted_f1(sum(tp.values()), sum(fp.values()), sum(fn.values())), 4),
        "macro_f1": round(sum(per_topic.values()) / len(chosen), 4),
        "train_n": len(train),
        "train_seconds": round(trained - started, 3),
        "seconds": round(seconds, 3),
        "per_topic": per_topic,
    }
