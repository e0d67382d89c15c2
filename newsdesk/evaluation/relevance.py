"""`newsdesk eval relevance`: one publication's relevance model, scored as a binary decision.

--positive KIND:NAME says what counts as relevant: `places:china` (the record's
`places` contain "china") or `topics:trade` (its `topics` contain "trade"; with
`topics_attr` in the records only the ModApte ones, "YES", are used; for
places, all but the stories Reuters never indexed, "BYPASS": their empty
`places` say nothing, and a tenth of the dev file, its latest day, is such; a
null `topics_attr` is a missing one; `skipped` and `train_skipped` count the
records of --data and --train left out). The
model reads title and body only, never the gold `places` or `topics`; places
come from the model's own detection in the text. Its profile is what an
editor would write for such a publication: for a place, that place as the
required place (a Reuters code such as "uk" or "hong-kong" is read through
the Reuters place table, data/reuters_places.tsv, else as a place name),
and the name as the description; for a topic, the topic's name as the
description. It is trained on the training records' labels only.

precision, recall and f1 are of `relevant`; precision_at_20 is the share of
relevant records among the 20 highest scores. `seconds` is training plus
scoring, without reading the files.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

from newsdesk.evaluation import EvalDataError, EvalOptions, Progress, train_and_test
from newsdesk.pipeline.enrich.reuters_places import reuters_table
from newsdesk.pipeline.judge.relevance import ProfileRules, RelevanceModel, normalise_place
from newsdesk.pipeline.judge.text_features import document
from newsdesk.pipeline.metrics import f1

KINDS = ("places", "topics")
TOP = 20
#: Reuters's mark for a story never indexed: no topics and no places, so unlabelled
UNINDEXED = "BYPASS"


def parse_positive(value: str | None) -> tuple[str, str]:
    kind, _, name = (value or "").partition(":")
    if kind not in KINDS or not name:
        raise EvalDataError("relevance needs --positive places:NAME or topics:NAME")
    return kind, name


def profile_for(kind: str, name: str) -> ProfileRules:
    readable = name.replace("-", " ")
    if kind == "places":
        code = reuters_table().code(name) or (
            normalise_place(readable) if len(name) > 2 else normalise_place(name)
        )
        return ProfileRules(description=readable, required_places=(code,) if code else ())
    return ProfileRules(description=readable)


def evaluate(options: EvalOptions, progress: Progress = lambda: None) -> dict[str, Any]:
    kind, name = parse_positive(options.positive)

    def keep(record: dict[str, Any]) -> bool:
        marked = record.get("topics_attr")  # missing or null: no mark, every record counts
        return marked in (None, "YES") or (kind == "places" and marked != UNINDEXED)

    skipped: Counter[str] = Counter()
    train, test = train_and_test(options, keep, skipped)
    for records, where in ((train, options.train), (test, options.data)):
        for record in records:
            if "text" not in record or not isinstance(record.get(kind), list):
                raise EvalDataError(
                    f"{where}: record {record.get('id')!r} needs 'text' and {kind!r}"
                )
    if not test:
        raise EvalDataError(f"{options.data}: no records to score")

    def text_of(record: dict[str, Any]) -> str:
        return document(str(record.get("title") or ""), str(record.get("text") or ""))

    def gold(record: dict[str, Any]) -> bool:
        return name in record[kind]

    profile = profile_for(kind, name)
    started = time.perf_counter()
    model = RelevanceModel(profile).fit([text_of(r) for r in train], None, [gold(r) for r in train])
    trained = time.perf_counter()
    verdicts = []
    batch = 256
    for start in range(0, len(test), batch):
        chunk = test[start : start + batch]
        verdicts.extend(model.score_many([text_of(r) for r in chunk]))
        for _ in chunk:
            progress()
    seconds = time.perf_counter() - started

    truth = [gold(r) for r in test]
    tp = sum(v.relevant and t for v, t in zip(verdicts, truth, strict=True))
    chosen = sum(v.relevant for v in verdicts)
    positives = sum(truth)
    precision = tp / chosen if chosen else 0.0
    recall = tp / positives if positives else 0.0
    ranked = sorted(range(len(test)), key=lambda i: (-verdicts[i].score, i))[:TOP]
    return {
        "task": "relevance",
        "positive": f"{kind}:{name}",
        "n": len(test),
        "skipped": skipped["test"],
        "positives": positives,
        "predicted": chosen,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1(precision, recall), 4),
        "precision_at_20": round(sum(truth[i] for i in ranked) / len(ranked), 4),
        "required_places": list(profile.required_places),
        "train_n": len(train),
        "train_skipped": skipped["train"],
        "train_positives": sum(gold(r) for r in train),
        "train_seconds": round(trained - started, 3),
        "seconds": round(seconds, 3),
    }
