"""The dev imitation of held-out clustering data: pairs of events of one kind, undated."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsdesk.evaluation import EvalDataError
from newsdesk.evaluation.clustering import imitate_heldout

# two fictional fires and a fictional rate decision
REPORTS = [
    (
        "fire-a",
        "disaster",
        "Warehouse fire in Dornick",
        "A warehouse in Dornick burned; "
        "firefighters from Dornick fought the blaze at the Pell warehouse all night.",
    ),
    (
        "fire-a",
        "disaster",
        "Dornick blaze put out",
        "Firefighters put out the Pell warehouse "
        "blaze in Dornick after a night; the Dornick fire chief praised the crews.",
    ),
    (
        "fire-b",
        "disaster",
        "Forest fire near Askeby",
        "A forest fire spread near Askeby; "
        "villagers of Askeby left as the wildfire reached the Lind valley.",
    ),
    (
        "fire-b",
        "disaster",
        "Askeby wildfire spreads",
        "The wildfire in the Lind valley grew, "
        "and Askeby villagers were moved to the school in Varn.",
    ),
    (
        "rate",
        "business",
        "Orvanian bank holds rate",
        "The Orvanian central bank kept its interest rate, governor Kolnik said.",
    ),
]


def write(path: Path, topic: bool = True) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for number, (event, kind, title, text) in enumerate(REPORTS):
            record = {
                "id": f"r{number}",
                "title": title,
                "text": f"{title}\n{text}",
                "published": f"2031-05-0{number + 1}T08:00:00Z",
                "cluster": event,
            }
            if topic:
                record["topic"] = kind
            handle.write(json.dumps(record) + "\n")
    return path


def test_pairs_events_of_one_topic_and_scores_them(tmp_path: Path) -> None:
    result = imitate_heldout(write(tmp_path / "set.jsonl"), seed=3)
    assert result["pairs"]["pairs"] == 1  # the two fires; the rate decision has no twin
    assert result["alike"]["pairs"] == 1
    for name in ("undated", "pairs", "alike"):
        assert 0 < result[name]["bcubed_precision"] <= 1
        assert 0 < result[name]["bcubed_recall"] <= 1
    assert result["pairs"]["bcubed_precision"] == 1.0  # the two fires stay apart
    again = imitate_heldout(tmp_path / "set.jsonl", seed=3)
    assert {k: v for k, v in again.items() if k != "cpu_seconds"} == {
        k: v for k, v in result.items() if k != "cpu_seconds"
    }


def test_needs_a_topic(tmp_path: Path) -> None:
    with pytest.raises(EvalDataError, match="topic"):
        imitate_heldout(write(tmp_path / "set.jsonl", topic=False))
