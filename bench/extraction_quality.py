"""Extraction quality: newsdesk vs plain trafilatura on the 92 dev pages.

    .venv/bin/python bench/extraction_quality.py [--data FILE]

Scores three extractors with newsdesk.pipeline.metrics.extraction_score (the
article-extraction-benchmark shingle metric) on shared/eval/dev/extraction.jsonl.gz:

* newsdesk: newsdesk's eval_extraction (extract_article, as ingest runs it), from
  newsdesk.evaluation.intake (or newsdesk.evaluation in older trees);
* trafilatura.extract(html) with default settings;
* trafilatura.extract(html, url=url, include_comments=False).

Prints precision, recall, F1 and exact-match accuracy, then one JSON line.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import _benchkit as kit

DATA = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev" / "extraction.jsonl.gz"


def load(path: Path) -> list[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def score(
    records: list[dict[str, Any]], extract: Callable[[dict[str, Any]], str | None]
) -> dict[str, Any]:
    from newsdesk.pipeline.metrics import extraction_score

    started = time.perf_counter()
    pairs: list[tuple[str, str]] = []
    empty = 0
    for record in records:
        predicted = extract(record) or ""
        empty += not predicted.strip()
        pairs.append((record["gold"] or "", predicted))
    seconds = time.perf_counter() - started
    s = extraction_score(pairs)
    return {
        "n": s.n,
        "precision": s.precision,
        "recall": s.recall,
        "f1": s.f1,
        "accuracy": s.accuracy,
        "empty": empty,
        "seconds": seconds,
    }


def newsdesk_eval(data: Path) -> dict[str, Any]:
    """newsdesk's own extraction eval, whichever shape newsdesk.evaluation has.

    Since the evaluation became a package it is eval_extraction(EvalOptions(data))
    in newsdesk.evaluation.intake; before, eval_extraction(path) in newsdesk.evaluation.
    """
    import newsdesk.evaluation as evaluation

    try:
        from newsdesk.evaluation.intake import eval_extraction
    except ImportError:
        return dict(evaluation.eval_extraction(data))  # type: ignore[attr-defined]
    return dict(eval_extraction(evaluation.EvalOptions(data=data)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsdesk.settings")
    import trafilatura

    records = load(args.data)
    trafilatura.extract(records[0]["html"])  # warm-up, so the first row is not charged for it

    results: dict[str, dict[str, Any]] = {}
    nd = newsdesk_eval(args.data)
    results["newsdesk"] = {
        "n": nd["n"],
        "precision": nd["precision"],
        "recall": nd["recall"],
        "f1": nd["f1"],
        "accuracy": nd["accuracy"],
        "empty": nd["failed"],
        "seconds": nd["seconds"],
    }
    results["trafilatura default"] = score(records, lambda r: trafilatura.extract(r["html"]))
    results["trafilatura url, no comments"] = score(
        records,
        lambda r: trafilatura.extract(r["html"], url=r.get("url"), include_comments=False),
    )

    print(f"{len(records)} pages from {args.data}")
    print(
        kit.table(
            ["extractor", "precision", "recall", "F1", "exact", "empty/failed", "seconds"],
            [
                [
                    name,
                    r["precision"],
                    r["recall"],
                    r["f1"],
                    r["accuracy"],
                    r["empty"],
                    r["seconds"],
                ]
                for name, r in results.items()
            ],
        )
    )
    print(
        "(newsdesk's figures come rounded to 4 places from eval_extraction; its seconds "
        "include reading the file)"
    )
    print(
        json.dumps(
            {
                "benchmark": "extraction_quality",
                "pages": len(records),
                "results": {
                    name: {k: (round(v, 4) if isinstance(v, float) else v) for k, v in r.items()}
                    for name, r in results.items()
                },
                "machine": kit.machine(),
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
