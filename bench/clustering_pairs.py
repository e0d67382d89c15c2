"""Story clustering on pairs of look-alike events without dates: a dev imitation of
held-out data where each corpus holds two events of one kind and no dates.

    .venv/bin/python bench/clustering_pairs.py [--data FILE] [--seed 19]

On the dev clustering set (shared/eval/dev/clustering-giveme.jsonl): every pair of
events of the same `topic` is clustered on its own, dates removed and order
shuffled with the seed; the pairs are scored together (pooled B-cubed precision,
recall, F1). `alike` is the subset where each event is paired with the closest
event of its topic; `undated` is the whole file at once, undated and shuffled.
See `newsdesk.evaluation.clustering.imitate_heldout`. Last line: JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from newsdesk.evaluation.clustering import imitate_heldout  # noqa: E402

DATA = REPO.parent / "shared" / "eval" / "dev" / "clustering-giveme.jsonl"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--seed", type=int, default=19)
    args = parser.parse_args()
    result = imitate_heldout(args.data, args.seed)
    print(f"{'set':>8}  {'pairs':>5}  {'P':>6}  {'R':>6}  {'F1':>6}")
    for name in ("undated", "pairs", "alike"):
        row = result[name]
        print(
            f"{name:>8}  {row.get('pairs', 1):>5}  {row['bcubed_precision']:.4f}  "
            f"{row['bcubed_recall']:.4f}  {row['bcubed_f1']:.4f}"
        )
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
