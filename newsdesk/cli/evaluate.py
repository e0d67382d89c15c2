"""`newsdesk eval TASK`: the scores as a table, and with --json as one JSON line."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from newsdesk.cli.output import progress_bar
from newsdesk.config import backend_settings
from newsdesk.evaluation import EvalOptions, task


def run_eval(args: argparse.Namespace) -> int:
    backend = getattr(args, "backend", None) or "extractive"
    options = EvalOptions(
        data=Path(args.data),
        train=Path(args.train) if args.train else None,
        top=args.top,
        per_class=getattr(args, "per_class", None),
        holdout=args.holdout,
        holdout_latest=args.holdout_latest,
        positive=args.positive,
        backend=backend,
        words=getattr(args, "words", None),
        backend_settings=backend_settings(backend) if args.task == "summarization" else {},
    )
    evaluate = task(args.task)
    with progress_bar(None, f"eval {args.task}", enabled=not args.json) as advance:
        result = evaluate(options, lambda: advance("item", 1))
    for key, value in result.items():
        if not isinstance(value, list | dict):
            print(f"{key:>18}  {value}")
    for line in result.get("crashes", []):
        print(f"  crash: {line}")
    if args.json:
        print(json.dumps(result))
    return 0
