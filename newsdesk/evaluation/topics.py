"""`newsdesk eval topics`: topic categories scored with micro- and macro-averaged F1.

Records (shared eval README, section 5) carry `title`, `text` and `topics`;
when they have `topics_attr` only those with "YES" are used (Reuters ModApte;
a null `topics_attr` is a missing one); `skipped` and `train_skipped` count
the records of --data and --train left out for it.
`TopicModel` is trained on the training records with their K most frequent
topics (--top, default 10; ties by name) and predicts those K for the test
records; records with none of them count too (every topic predicted for them
is a false positive). A topic nobody has and nobody predicts scores F1 1.
Each topic's name is its rule (`topic_terms.name_rules`), as in a publication: the
model shrinks toward it while examples are few. --per-class K trains on K
records per topic drawn with three fixed seeds and reports the mean; `precision`
is that of the topics predicted (the suggestions shown). The model is told each
topic's share of all training records (`priors`), as a publication knows how
often it files items under each category. With --per-class each draw also gives
the model BACKGROUND other training records as unlabelled texts, their topics
never read, as a publication has its week's unfiled articles: they count for the
words and concepts, and each topic is shown on about its share of them.
`seconds` is training plus prediction, without reading the files.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from typing import Any

from newsdesk.evaluation import EvalDataError, EvalOptions, Progress, train_and_test
from newsdesk.pipeline.judge.categories import TopicModel
from newsdesk.pipeline.judge.text_features import document
from newsdesk.pipeline.judge.topic_terms import name_rules
from newsdesk.pipeline.metrics import f1


def modapte(record: dict[str, Any]) -> bool:
    """Reuters ModApte: `topics_attr` "YES"; a record without one (missing or null) counts."""
    return record.get("topics_attr") in (None, "YES")


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


#: seeds of the --per-class draws; the figures are their mean
DRAW_SEEDS = (0, 1, 2)


def draw_per_class(topics: list[list[str]], chosen: list[str], k: int, seed: int) -> list[int]:
    """Indices of up to k training records per chosen topic, drawn with a fixed seed.

    A record drawn for one topic keeps all its (chosen) topics, as an editor's
    first labelled items would; records with none of the chosen topics are never drawn.
    """
    rng = random.Random(seed)
    picked: dict[int, None] = {}
    for topic in chosen:
        having = [i for i, ts in enumerate(topics) if topic in ts]
        for i in rng.sample(having, min(k, len(having))):
            picked[i] = None
    return sorted(picked)


#: unfiled texts given with each --per-class draw, as a publication has its week's articles
BACKGROUND = 2000


def draw_background(n: int, drawn: list[int], seed: int) -> list[int]:
    """Indices of up to BACKGROUND training records not drawn, with a fixed seed."""
    taken = set(drawn)
    rest = [i for i in range(n) if i not in taken]
    return sorted(random.Random(seed).sample(rest, min(BACKGROUND, len(rest))))


def evaluate(options: EvalOptions, progress: Progress = lambda: None) -> dict[str, Any]:
    if options.top < 1:
        raise EvalDataError("--top must be at least 1")
    if options.per_class is not None and options.per_class < 1:
        raise EvalDataError("--per-class must be at least 1")
    skipped: Counter[str] = Counter()
    train, test = train_and_test(options, modapte, skipped)
    left_out = {"skipped": skipped["test"], "train_skipped": skipped["train"]}
    train_topics = [topics_of(r, str(options.train)) for r in train]
    test_topics = [topics_of(r, str(options.data)) for r in test]
    counts = Counter(t for topics in train_topics for t in set(topics))
    if not counts:
        raise EvalDataError(f"{options.train}: no training records with topics")
    if not test:
        raise EvalDataError(f"{options.data}: no records to score")
    chosen = [t for t, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[: options.top]]
    wanted = set(chosen)
    train_labels = [[t for t in ts if t in wanted] for ts in train_topics]
    test_texts = [text_of(r) for r in test]
    # how often each topic applies among all training records, as a publication knows
    # from its past issues: a few examples per topic overstate the rare ones
    priors = {t: counts[t] / len(train) for t in chosen}
    if options.per_class is None:
        result = _run(
            [text_of(r) for r in train], train_labels, test_texts, test_topics, chosen, priors
        )
        result["train_n"] = len(train)
        progress_all(progress, len(test))
        return {"task": "topics", "n": len(test), "topics": len(chosen), **left_out, **result}
    runs = []
    for seed in DRAW_SEEDS:
        drawn = draw_per_class(train_labels, chosen, options.per_class, seed)
        unfiled = draw_background(len(train), drawn, seed)
        runs.append(
            _run(
                [text_of(train[i]) for i in drawn],
                [train_labels[i] for i in drawn],
                test_texts,
                test_topics,
                chosen,
                priors,
                background=[text_of(train[i]) for i in unfiled],
            )
            | {"train_n": len(drawn)}
        )
    progress_all(progress, len(test))
    mean = {
        key: round(sum(float(run[key]) for run in runs) / len(runs), 4)
        for key in ("micro_f1", "macro_f1", "precision", "recall", "train_n", "seconds")
    }
    per_topic = {t: round(sum(run["per_topic"][t] for run in runs) / len(runs), 4) for t in chosen}
    return {
        "task": "topics",
        "n": len(test),
        "topics": len(chosen),
        **left_out,
        "per_class": options.per_class,
        "draws": len(runs),
        **mean,
        "draw_micro_f1": [run["micro_f1"] for run in runs],
        "per_topic": per_topic,
    }


def progress_all(progress: Progress, n: int) -> None:
    for _ in range(n):
        progress()


def _run(
    texts: list[str],
    labels: list[list[str]],
    test_texts: list[str],
    test_topics: list[list[str]],
    chosen: list[str],
    priors: dict[str, float],
    background: list[str] | None = None,
) -> dict[str, Any]:
    """Train on texts (and unlabelled `background`), predict the test texts, score the topics."""
    wanted = set(chosen)
    started = time.perf_counter()
    model = TopicModel().fit(texts, labels, name_rules(chosen), priors, background or [])
    trained = time.perf_counter()
    predicted: list[list[str]] = []
    batch = 256
    for start in range(0, len(test_texts), batch):
        predicted.extend(model.predict(test_texts[start : start + batch]))
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
    all_tp, all_fp, all_fn = sum(tp.values()), sum(fp.values()), sum(fn.values())
    return {
        "micro_f1": round(counted_f1(all_tp, all_fp, all_fn), 4),
        "macro_f1": round(sum(per_topic.values()) / len(chosen), 4),
        # the precision of the suggestions shown, and the share of true topics found
        "precision": round(all_tp / (all_tp + all_fp), 4) if all_tp + all_fp else 1.0,
        "recall": round(all_tp / (all_tp + all_fn), 4) if all_tp + all_fn else 1.0,
        "train_seconds": round(trained - started, 3),
        "seconds": round(seconds, 3),
        "per_topic": per_topic,
    }
