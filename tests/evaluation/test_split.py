"""The eval commands' shared split: by id hash (--holdout) or by time (--holdout-latest)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from newsdesk.cli.parser import build_parser
from newsdesk.evaluation import EvalDataError, EvalOptions, latest_apart, train_and_test

# ten fictional wire items over ten days, the third undated, the fifth with a bad date
RECORDS: list[dict[str, Any]] = [
    {"id": f"wire-{day}", "title": f"Harbour report {day}", "published": f"2031-05-{day:02d}T09:00"}
    for day in range(1, 11)
]
RECORDS[2]["published"] = None
RECORDS[4]["published"] = "last week"


def write(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def ids(records: list[dict[str, Any]]) -> list[str]:
    return [str(r["id"]) for r in records]


def test_the_latest_fraction_is_scored_and_the_undated_are_trained_on() -> None:
    train, test = latest_apart(RECORDS, 0.2)
    assert ids(test) == ["wire-9", "wire-10"]
    assert ids(train) == [f"wire-{day}" for day in range(1, 9)]
    train, test = latest_apart(RECORDS, 0.5)
    assert ids(test) == ["wire-6", "wire-7", "wire-8", "wire-9", "wire-10"]
    assert "wire-3" in ids(train) and "wire-5" in ids(train)


def test_time_zones_and_equal_times_order_the_split() -> None:
    records = [
        {"id": "b", "published": "2031-05-02T10:00:00+02:00"},  # 08:00 UTC
        {"id": "a", "published": "2031-05-02T09:00:00Z"},
        {"id": "c", "published": "2031-05-02T08:00:00"},  # naive: UTC, as early as "b"
    ]
    assert ids(latest_apart(records, 0.34)[1]) == ["a"]
    assert ids(latest_apart(records, 0.67)[1]) == ["a", "c"]  # "c" after "b" by id


def test_never_more_scored_than_dated() -> None:
    records = [{"id": "dated", "published": "2031-05-02"}, {"id": "undated"}]
    assert ids(latest_apart(records, 0.9)[1]) == ["dated"]


def test_train_and_test_splits_one_file_by_time(tmp_path: Path) -> None:
    data = write(tmp_path / "wire.jsonl", RECORDS)
    options = EvalOptions(data=data, train=data, holdout_latest=0.3)
    train, test = train_and_test(options, keep=lambda r: r["id"] != "wire-10")
    assert ids(test) == ["wire-7", "wire-8", "wire-9"]  # 30% of the nine kept
    assert len(train) == 6
    by_hash = train_and_test(EvalOptions(data=data, train=data, holdout=0.3))
    assert sorted(ids(by_hash[0] + by_hash[1])) == sorted(ids(RECORDS))


def test_split_options_are_checked(tmp_path: Path) -> None:
    data = write(tmp_path / "wire.jsonl", RECORDS)
    other = write(tmp_path / "other.jsonl", RECORDS[:3])
    wrong = {
        "choose one of": EvalOptions(data=data, train=data, holdout=0.2, holdout_latest=0.2),
        "splits one file": EvalOptions(data=data, train=other, holdout_latest=0.2),
        "between 0 and 1": EvalOptions(data=data, train=data, holdout_latest=1.5),
        "--holdout-latest 0.2": EvalOptions(data=data, train=data),
    }
    for message, options in wrong.items():
        with pytest.raises(EvalDataError, match=message):
            train_and_test(options)


def test_the_eval_command_takes_the_time_split() -> None:
    parser = build_parser()
    args = parser.parse_args(
        ["eval", "relevance", "--data", "r.jsonl", "--train", "r.jsonl", "--holdout-latest", "0.2"]
    )
    assert args.holdout_latest == 0.2 and args.holdout is None
    with pytest.raises(SystemExit):
        parser.parse_args(["eval", "topics", "--data", "r.jsonl", "--holdout-latest", "1"])
