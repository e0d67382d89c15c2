"""Few-shot topic categories on the inner split of the dev data: where the topic
model's settings are tuned, so the dev test fifth is measured only once.

    .venv/bin/python bench/topics_inner.py [--per-class 20] [--cache DIR]
        [--set NAME=VALUE ...] [--data FILE]

The inner split is the dev file without its `--holdout 0.2` fifth (the records
`newsdesk eval topics --holdout 0.2` scores); of those, a stable 0.45 (by id
hash) is scored and the rest trained on, with `--per-class K` examples per
topic (three draws, 2,000 unfiled texts each), as `newsdesk eval topics` does.
`--cache DIR` keeps the sentence model's vectors on disk between runs (a first
run reads about 7,000 texts with it, several minutes; later runs take about
half a minute). `--set` changes a setting of `categories.py` or
`topic_learning.py` for this run, such as `--set READINGS=2`. Last line: JSON.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from newsdesk.evaluation import EvalOptions, in_holdout  # noqa: E402
from newsdesk.evaluation import topics as topic_eval  # noqa: E402
from newsdesk.pipeline.judge import categories, topic_learning  # noqa: E402
from newsdesk.pipeline.judge.sentence_model import WIDTH, SentenceModel  # noqa: E402

DATA = REPO.parent / "shared" / "eval" / "dev" / "classification-reuters.jsonl.gz"
#: the fifth `newsdesk eval topics --holdout 0.2` scores, never read here
TEST_FIFTH = 0.2
#: the share of the rest scored on the inner split
INNER_HOLDOUT = 0.45


class RememberedVectors:
    """The sentence model's vectors kept in a folder between runs, by text digest."""

    def __init__(self, model: SentenceModel, folder: Path) -> None:
        self.model, self.folder = model, folder
        folder.mkdir(parents=True, exist_ok=True)
        keys, vectors = folder / "keys.json", folder / "vectors.npy"
        self.rows: dict[str, int] = json.loads(keys.read_text()) if keys.exists() else {}
        self.vectors = list(np.load(vectors)) if vectors.exists() else []
        self.changed = False

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        keys = [hashlib.sha1(text.encode("utf-8")).hexdigest() for text in texts]
        missing = {key: text for key, text in zip(keys, texts, strict=True) if key not in self.rows}
        if missing:
            for key, vector in zip(missing, self.model.encode(list(missing.values())), strict=True):
                self.rows[key] = len(self.vectors)
                self.vectors.append(vector)
            self.changed = True
        if not keys:
            return np.zeros((0, WIDTH), dtype=np.float32)
        return np.stack([self.vectors[self.rows[key]] for key in keys])

    def save(self) -> None:
        if self.changed:
            np.save(self.folder / "vectors.npy", np.stack(self.vectors))
            (self.folder / "keys.json").write_text(json.dumps(self.rows))


def apply_settings(pairs: list[str]) -> dict[str, Any]:
    """NAME=VALUE settings of the topic model's modules, typed as the current value."""
    applied: dict[str, Any] = {}
    for pair in pairs:
        name, _, value = pair.partition("=")
        module = next((m for m in (categories, topic_learning) if hasattr(m, name)), None)
        current = getattr(module, name, None)
        if module is None or not name.isupper() or not isinstance(current, int | float):
            raise SystemExit(f"--set {pair}: no numeric setting {name!r} in the topic model")
        setattr(module, name, type(current)(value))
        applied[name] = getattr(module, name)
    return applied


def write_inner(data: Path, folder: Path) -> Path:
    """The dev records outside the test fifth, as a file `newsdesk eval` reads."""
    inner = folder / "inner.jsonl.gz"
    with (
        gzip.open(data, "rt", encoding="utf-8") as source,
        gzip.open(inner, "wt", encoding="utf-8") as out,
    ):
        for line in source:
            if line.strip() and not in_holdout(str(json.loads(line).get("id")), TEST_FIFTH):
                out.write(line)
    return inner


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--per-class", type=int, default=20)
    parser.add_argument("--cache", type=Path, help="keep the sentence vectors in this folder")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    args = parser.parse_args()
    settings = apply_settings(args.set)
    remembered = None
    model = categories.sentence_model()
    if args.cache is not None and model is not None:
        remembered = RememberedVectors(model, args.cache)
        categories.sentence_model = lambda: remembered  # type: ignore[assignment,return-value]
    with tempfile.TemporaryDirectory() as folder:
        inner = write_inner(args.data, Path(folder))
        options = EvalOptions(
            data=inner, train=inner, per_class=args.per_class, holdout=INNER_HOLDOUT
        )
        result = topic_eval.evaluate(options)
    if remembered is not None:
        remembered.save()
    print(f"{'K':>3}  {'micro':>6}  {'macro':>6}  {'P':>6}  {'R':>6}  draws")
    print(
        f"{args.per_class:>3}  {result['micro_f1']:.4f}  {result['macro_f1']:.4f}  "
        f"{result['precision']:.4f}  {result['recall']:.4f}  {result['draw_micro_f1']}"
    )
    print(json.dumps({"settings": settings, **result}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
