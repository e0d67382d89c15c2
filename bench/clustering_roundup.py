"""Story clustering on a week of real coverage: 307 events, three outlets each.

    .venv/bin/python bench/clustering_roundup.py [--data FILE] [--train-weeks 4] [--seed 19]
        [--no-baseline]

A dev imitation of a held-out real week (921 articles of 307 events, each covered
by three outlets of different leanings, served as three feeds over one week). From
the roundup set (shared/eval/dev/summarization-roundup.jsonl.gz): the `train`
records in chunks of 307 events for tuning, and the 307 `val` records to check.
Every article gets a random time within one week (seeded), its outlet by position
and its places from the tagger; the product clusterer (default `StoryConfig`)
takes them in time order. The baseline is plain TF-IDF with average-linkage
agglomerative clustering on cosine distance: its best threshold per week (an
upper bound) and, for val, the threshold best on the train weeks together.
See `newsdesk.evaluation.clustering_week`. Last line: JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from newsdesk.evaluation.clustering_week import (  # noqa: E402
    roundup_weeks,
    score_clusterer,
    tfidf_average_linkage,
)
from newsdesk.pipeline.metrics import BCubed  # noqa: E402

DATA = REPO.parent / "shared" / "eval" / "dev" / "summarization-roundup.jsonl.gz"


def figures(score: BCubed) -> dict[str, Any]:
    return {
        "P": round(score.precision, 4),
        "R": round(score.recall, 4),
        "F1": round(score.f1, 4),
        "stories": score.clusters_pred,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--train-weeks", type=int, default=4)
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--no-baseline", action="store_true")
    args = parser.parse_args()
    weeks = roundup_weeks(args.data, args.train_weeks, args.seed)
    result: dict[str, Any] = {"bench": "clustering_roundup", "seed": args.seed, "weeks": {}}
    print(f"{'week':>8}  {'n':>4}  {'ours P':>6}  {'R':>6}  {'F1':>6}  {'tfidf-avg F1 @t':>16}")
    train_sums: dict[float, float] = {}
    cpu = 0.0
    for week in weeks:
        started = time.process_time()
        ours = score_clusterer(week)
        cpu += time.process_time() - started
        row: dict[str, Any] = {"n": len(week.articles), "events": len(set(week.gold.values()))}
        row["ours"] = figures(ours)
        best = ""
        if not args.no_baseline:
            scores = tfidf_average_linkage(week)
            threshold = max(scores, key=lambda t: scores[t].f1)
            row["baseline_best"] = {"threshold": threshold, **figures(scores[threshold])}
            row["baseline"] = {str(t): round(s.f1, 4) for t, s in scores.items()}
            best = f"{scores[threshold].f1:.4f} @{threshold:.2f}"
            if week.name.startswith("train"):
                for t, s in scores.items():
                    train_sums[t] = train_sums.get(t, 0.0) + s.f1
            elif train_sums:
                chosen = max(train_sums, key=lambda t: (train_sums[t], -t))
                row["baseline_train_threshold"] = {"threshold": chosen, **figures(scores[chosen])}
        result["weeks"][week.name] = row
        print(
            f"{week.name:>8}  {len(week.articles):>4}  {ours.precision:.4f}  {ours.recall:.4f}  "
            f"{ours.f1:.4f}  {best:>16}",
            flush=True,
        )
    train = [row["ours"] for name, row in result["weeks"].items() if name.startswith("train")]
    if train:
        result["ours_train_mean"] = {
            key: round(sum(row[key] for row in train) / len(train), 4) for key in ("P", "R", "F1")
        }
        print(
            "train mean (ours): P {P:.4f} R {R:.4f} F1 {F1:.4f}".format(**result["ours_train_mean"])
        )
    chosen_row = result["weeks"].get("val", {}).get("baseline_train_threshold")
    if chosen_row:
        print(
            "val baseline at the train weeks' best threshold {threshold:.2f}: "
            "P {P:.4f} R {R:.4f} F1 {F1:.4f}".format(**chosen_row)
        )
    result["ours_cpu_seconds"] = round(cpu, 2)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
