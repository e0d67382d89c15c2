"""The real-week imitation: roundup records as a week of three outlets' feeds."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from newsdesk.evaluation import EvalDataError
from newsdesk.evaluation.clustering_week import (
    OUTLETS,
    WEEK_START,
    make_week,
    read_events,
    score_clusterer,
    tfidf_average_linkage,
)

EVENTS = [
    (
        "Valdoria doubles port levy on transit cargo",
        "The port authority of Valdoria doubled its levy on transit cargo on Monday, "
        "and shipping groups said the change would add 40 dollars a container.",
    ),
    (
        "Corvia court frees jailed harbour union leader",
        "A Corvia appeals court freed the jailed harbour union leader Ilse Varga on "
        "Thursday, saying the strike she led had been lawful under the labour code.",
    ),
]


def record(n: int, split: str) -> dict[str, object]:
    title, text = EVENTS[n % 2]
    documents = [{"title": f"{title} ({side})", "text": text} for side in ("a", "b", "c")]
    return {"id": f"roundup-{split}-{n:04d}", "documents": documents, "original_split": split}


def test_a_week_gives_each_event_three_outlets_in_time_order(tmp_path: Path) -> None:
    path = tmp_path / "roundup.jsonl"
    path.write_text("\n".join(json.dumps(record(n, "val")) for n in range(2)) + "\n")
    records = read_events(path)["val"]
    week = make_week("val", records, seed=19)
    assert len(week.articles) == 6 and set(week.gold.values()) == {r["id"] for r in records}
    times = [a.published for a in week.articles]
    assert times == sorted(times) and all(
        WEEK_START <= t < WEEK_START + timedelta(days=7) for t in times if t
    )
    for event in {r["id"] for r in records}:
        outlets = [a.outlet for a in week.articles if week.gold[str(a.key)] == event]
        assert sorted(outlets) == sorted(OUTLETS)
    again = make_week("val", records, seed=19)
    assert [a.key for a in again.articles] == [a.key for a in week.articles]  # seeded
    assert score_clusterer(week).f1 == pytest.approx(1.0)
    best = max(tfidf_average_linkage(week).values(), key=lambda s: s.f1)
    assert best.f1 == pytest.approx(1.0)


def test_a_record_without_documents_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "roundup.jsonl"
    path.write_text(json.dumps(record(0, "val")) + "\n" + json.dumps({"id": "x"}) + "\n")
    with pytest.raises(EvalDataError, match=r"roundup.jsonl:2"):
        read_events(path)
