"""Records an eval leaves out are counted, and a null `topics_attr` is not a refusal."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from newsdesk.evaluation import EvalOptions, task, train_and_test
from newsdesk.evaluation.topics import modapte

HARBOUR = "Veloria closed Port Amsel to foreign trawlers; Beijing said Chinese crews must leave."
BRIDGE = "The city of Lumen opened its new river bridge on Monday after two years of work."


def record(n: int, attr: str | None, china: bool) -> dict[str, Any]:
    return {
        "id": n,  # an integer id, as a file may have
        "title": None,
        "text": f"{HARBOUR if china else BRIDGE} Report {n}.",
        "published": None,
        "topics": ["trade"] if china else [],
        "places": ["china"] if china else ["lumenia"],
        "topics_attr": attr,
    }


def write(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_a_null_topics_attr_is_a_missing_one() -> None:
    assert modapte({"topics_attr": None}) and modapte({})
    assert modapte({"topics_attr": "YES"}) and not modapte({"topics_attr": "NO"})


def test_the_records_left_out_are_counted_per_file(tmp_path: Path) -> None:
    train = write(
        tmp_path / "train.jsonl",
        [record(n, "NO" if n < 3 else None, n % 2 == 0) for n in range(10)],
    )
    test = write(
        tmp_path / "test.jsonl", [record(n, "BYPASS" if n == 0 else "YES", True) for n in range(4)]
    )
    skipped: Counter[str] = Counter()
    kept = train_and_test(EvalOptions(data=test, train=train), modapte, skipped)
    assert [len(side) for side in kept] == [7, 3] and skipped == {"train": 3, "test": 1}
    skipped.clear()
    train_and_test(EvalOptions(data=train, train=train, holdout=0.5), modapte, skipped)
    assert skipped == {"test": 3}


def test_relevance_scores_every_record_with_a_null_topics_attr(tmp_path: Path) -> None:
    train = write(tmp_path / "train.jsonl", [record(n, None, n % 3 == 0) for n in range(30)])
    test = [record(100 + n, None, n % 2 == 0) for n in range(9)] + [record(200, "NO", True)]
    data = write(tmp_path / "test.jsonl", test)
    evaluate = task("relevance")
    result = evaluate(EvalOptions(data=data, train=train, positive="topics:trade"), lambda: None)
    assert (result["n"], result["skipped"], result["train_n"], result["train_skipped"]) == (
        9,
        1,
        30,
        0,
    )
    result = evaluate(EvalOptions(data=data, train=train, positive="places:china"), lambda: None)
    assert (result["n"], result["skipped"], result["positives"]) == (10, 0, 6)
