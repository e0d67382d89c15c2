"""Relevance on other places than the one it was tuned on: an honest split by topic.

    .venv/bin/python bench/relevance_places.py [--data FILE] [--places china,japan,...]
        [--split hash|latest|both]

The relevance model's settings were chosen with `--positive places:china`; the same
`newsdesk eval relevance --train R --data R` run for other Reuters places shows
whether a setting only suits China (the eighteenth session found the 0.8 precision
floor of the unplaced bar that way: canada F1 .7636 -> .8952 without it). `hash` is
`--holdout 0.2` (a stable fifth by id), `latest` is `--holdout-latest 0.2` (the
latest fifth by date). Prints P / R / F1 / P@20 per place and split, then their
mean F1; last line: JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from newsdesk.evaluation import EvalOptions, relevance  # noqa: E402

DATA = REPO.parent / "shared" / "eval" / "dev" / "classification-reuters.jsonl.gz"
PLACES = (
    "china,japan,uk,canada,brazil,west-germany,france,australia,ussr,hong-kong,taiwan,"
    "south-korea,india"
)
SPLITS = {"hash": {"holdout": 0.2}, "latest": {"holdout_latest": 0.2}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--places", default=PLACES, help="comma-separated Reuters place codes")
    parser.add_argument("--split", choices=["hash", "latest", "both"], default="both")
    args = parser.parse_args()
    splits = list(SPLITS) if args.split == "both" else [args.split]
    places = [p.strip() for p in args.places.split(",") if p.strip()]
    rows: list[dict[str, Any]] = []
    print(f"{'place':<14} {'split':<6} {'pos':>4} {'P':>6} {'R':>6} {'F1':>6} {'P@20':>5}")
    for place in places:
        for split in splits:
            options = EvalOptions(
                data=args.data, train=args.data, positive=f"places:{place}", **SPLITS[split]
            )
            got = relevance.evaluate(options)
            row = {
                "place": place,
                "split": split,
                "positives": got["positives"],
                "P": got["precision"],
                "R": got["recall"],
                "F1": got["f1"],
                "P@20": got["precision_at_20"],
            }
            rows.append(row)
            print(
                f"{place:<14} {split:<6} {row['positives']:>4} {row['P']:>6.4f} "
                f"{row['R']:>6.4f} {row['F1']:>6.4f} {row['P@20']:>5.2f}",
                flush=True,
            )
    means = {
        split: round(sum(r["F1"] for r in rows if r["split"] == split) / len(places), 4)
        for split in splits
    }
    print("mean F1: " + ", ".join(f"{split} {value:.4f}" for split, value in means.items()))
    print(json.dumps({"bench": "relevance_places", "mean_f1": means, "rows": rows}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
