"""`newsdesk eval summarization` on a small fictional JSON Lines file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsdesk.cli.main import EXIT_USAGE, main
from newsdesk.evaluation import EvalDataError, EvalOptions, task
from newsdesk.evaluation.summarization import lead3, lead_each
from newsdesk.pipeline.draft.types import SourceArticle

HARBOUR = [
    {
        "title": "Veloria closes Port Amsel to foreign trawlers",
        "text": "Veloria closed Port Amsel to foreign trawlers on Tuesday. The ban idles 40 "
        "vessels from Ostrava. Officials expect it to last six months. Crews were told to "
        "leave by Friday. The ministry gave no reason for the timing.",
        "source": "Harbor Wire",
        "published": None,
        "url": None,
    },
    {
        "title": "Ostrava protests Port Amsel ban",
        "text": "Ostrava protested on Wednesday against Veloria's ban on its trawlers at Port "
        'Amsel. "This ban breaks the 2019 fisheries accord," said Ostrava trade minister '
        "Piet Varga. The accord set quotas for both fleets.",
        "source": None,
        "published": None,
        "url": None,
    },
]
BRIDGE = [
    {
        "title": "Lumen city opens its new river bridge after two years",
        "text": "The city of Lumen opened its new river bridge on Monday after two years of "
        "work. The bridge cost $85 million and carries four lanes. Mayor Ana Corv said the "
        "crossing would cut commutes by twenty minutes. Traffic was light on the first day.",
        "source": None,
        "published": None,
        "url": None,
    }
]
RECORDS = [
    {
        "id": "h1",
        "documents": HARBOUR,
        "reference": {
            "headline": "Veloria Bans Ostrava Trawlers From Port Amsel",
            "summary": "Veloria closed Port Amsel to foreign trawlers, idling 40 vessels from "
            "Ostrava, which protested that the ban breaks the 2019 fisheries accord.",
        },
    },
    {
        "id": "b1",
        "documents": BRIDGE,
        "reference": {
            "headline": None,
            "summary": "Lumen opened a new $85 million river bridge on Monday.",
        },
    },
]


def write(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_summarization_reports_every_key_with_sane_values(tmp_path: Path) -> None:
    data = write(tmp_path / "s.jsonl", RECORDS)
    ticks: list[int] = []
    out = task("summarization")(EvalOptions(data=data, words=(15, 40)), lambda: ticks.append(1))
    assert out["task"] == "summarization" and out["n"] == 2 and len(ticks) == 2
    for key in ("rouge1", "rouge2", "rougeL", "rouge2_precision", "rouge2_recall"):
        assert 0 < out[key] <= 1, key
    for baseline in ("lead3", "lead_each"):
        assert set(out[baseline]) == {"rouge1", "rouge2", "rougeL"}
    assert 0 < out["headline_rougeL"] <= 1  # one record has a headline
    assert out["quote_fidelity"] == out["number_fidelity"] == 1.0
    assert out["length_ok"] == 1.0 and out["words"] == "15-40" and out["seconds"] >= 0


def test_baselines_are_the_leading_sentences_cut_to_the_budget() -> None:
    articles = [
        SourceArticle(str(i), d["title"], d["text"], "", None)  # type: ignore[arg-type]
        for i, d in enumerate(HARBOUR)
    ]
    assert lead3(articles, 100) == (
        "Veloria closed Port Amsel to foreign trawlers on Tuesday. The ban idles 40 vessels "
        "from Ostrava. Officials expect it to last six months."
    )
    assert lead3(articles, 6) == "Veloria closed Port Amsel to foreign"
    assert lead_each(articles, 100) == (
        "Veloria closed Port Amsel to foreign trawlers on Tuesday. Ostrava protested on "
        "Wednesday against Veloria's ban on its trawlers at Port Amsel."
    )


def test_a_malformed_record_names_its_number(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.jsonl", [RECORDS[0], {"id": "x", "documents": []}])
    with pytest.raises(EvalDataError, match=r"record 2 \(x\).*documents"):
        task("summarization")(EvalOptions(data=bad), lambda: None)
    no_summary = write(tmp_path / "ns.jsonl", [{"id": "y", "documents": BRIDGE}])
    with pytest.raises(EvalDataError, match=r"record 1 .*summary"):
        task("summarization")(EvalOptions(data=no_summary), lambda: None)


def test_the_command_prints_json_and_refuses_a_bad_budget(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = str(write(tmp_path / "s.jsonl", RECORDS))
    assert main(["eval", "summarization", "--data", data, "--words", "15-40", "--json"]) == 0
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert out["n"] == 2 and out["backend"] == "extractive"
    for words in ("80-50", "x", "0-10"):
        assert main(["eval", "summarization", "--data", data, "--words", words]) == EXIT_USAGE
        assert "--words" in capsys.readouterr().err
    assert main(["eval", "summarization", "--data", data, "--backend", "nope"]) == EXIT_USAGE
    assert "no drafting backend 'nope'" in capsys.readouterr().err


def test_a_null_body_is_an_empty_one(tmp_path: Path) -> None:
    """Missing values are JSON null: a document whose text is null is read as empty."""
    harbour = [dict(HARBOUR[0]), dict(HARBOUR[1], text=None)]
    records = [dict(RECORDS[0], documents=harbour), RECORDS[1]]
    data = write(tmp_path / "null-body.jsonl", records)
    out = task("summarization")(EvalOptions(data=data, words=(15, 40)), lambda: None)
    assert out["n"] == 2 and 0 < out["rouge1"] <= 1
    wrong = write(tmp_path / "wrong.jsonl", [dict(RECORDS[1], documents=[dict(BRIDGE[0], text=5)])])
    with pytest.raises(EvalDataError, match=r"documents\[0\]: 'text' must be a string or null"):
        task("summarization")(EvalOptions(data=wrong), lambda: None)
