"""`newsdesk eval places`: which countries a story is about, scored on Reuters `places`.

Records need "title", "text" and "places" (Reuters-21578 codes such as "usa",
"west-germany"); only records with at least one place are scored (`skipped`
and `train_skipped` count those without, of --data and --train). The
Reuters record keeps the dateline ("TOKYO, March 3 -") in its own field,
so it is put back in front of the body as on the wire. Reuters codes are
read and written through newsdesk/pipeline/enrich/data/reuters_places.tsv; gold
codes without a newsdesk code count as misses.

Without --train the rule-based PlaceModel decides; with --train a logistic
regression over mention features is fitted on the training records first.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

from newsdesk.evaluation import EvalDataError, EvalOptions, Progress, read_jsonl, train_and_test
from newsdesk.pipeline.enrich.gazetteer import Gazetteer
from newsdesk.pipeline.enrich.place_model import LabelledArticle, PlaceModel
from newsdesk.pipeline.enrich.place_training import fit_place_model, micro_scores
from newsdesk.pipeline.enrich.places import analyse
from newsdesk.pipeline.enrich.reuters_places import reuters_table


def has_places(record: dict[str, Any]) -> bool:
    return bool(record.get("places"))


def wire_text(record: dict[str, Any]) -> tuple[str, str]:
    """(title, text) of a record, with its dateline back in front of the body."""
    title = str(record.get("title") or "")
    text = str(record.get("text") or "")
    dateline = str(record.get("dateline") or "").strip()
    if dateline and not text.lstrip().startswith(dateline):
        text = f"{dateline} {text}"
    return title, text


def _check(record: dict[str, Any], where: str) -> None:
    if "text" not in record or not isinstance(record.get("places"), list):
        raise EvalDataError(f"{where}: record {record.get('id')!r} needs 'text' and 'places'")


def evaluate(options: EvalOptions, progress: Progress = lambda: None) -> dict[str, Any]:
    table = reuters_table()
    scoreable = frozenset(table.to_reuters)
    gazetteer = Gazetteer.default()
    started = time.perf_counter()
    model = PlaceModel()
    train_n = 0
    left_out: Counter[str] = Counter()  # records without places, of --train and of --data
    if options.train is not None:
        train, test = train_and_test(options, has_places, left_out)
        for record in train:
            _check(record, str(options.train))
        labelled = []
        for record in train:
            title, text = wire_text(record)
            codes = {table.code(p) for p in record["places"]}
            labelled.append(LabelledArticle(title, text, frozenset(c for c in codes if c)))
        model = fit_place_model(labelled, gazetteer, codes=scoreable)
        train_n = len(labelled)
    else:
        records = list(read_jsonl(options.data))
        test = [r for r in records if has_places(r)]
        left_out["test"] = len(records) - len(test)
    if not test:
        raise EvalDataError(f"{options.data}: no records with places to score")
    pairs: list[tuple[set[str], set[str]]] = []
    unmapped: Counter[str] = Counter()
    skipped: Counter[str] = Counter()
    for record in test:
        _check(record, str(options.data))
        title, text = wire_text(record)
        article = analyse(title, text, gazetteer, codes=scoreable)
        predicted = {table.to_reuters[c] for c in model.decide(article)}
        gold = {str(p).lower() for p in record["places"]}
        unmapped.update(p for p in gold if table.code(p) is None)
        skipped.update(article.skipped)
        pairs.append((predicted, gold))
        progress()
    precision, recall, f1 = micro_scores(pairs)
    return {
        "task": "places",
        "n": len(pairs),
        "skipped": left_out["test"],
        "micro_precision": round(precision, 4),
        "micro_recall": round(recall, 4),
        "micro_f1": round(f1, 4),
        "model": "logistic" if model.weights is not None else "rules",
        "train_n": train_n,
        "train_skipped": left_out["train"],
        "threshold": model.threshold if model.weights is not None else None,
        "fallback": model.fallback,
        "unmapped_gold": sum(unmapped.values()),
        "seconds": round(time.perf_counter() - started, 3),
        "skipped_names": [name for name, _ in skipped.most_common(15)],
    }
