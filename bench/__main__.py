"""``python -m bench [--out bench-results] [--smoke]``: start the stack on fresh
temp data, measure, write ``<out>/<timestamp>.json``, ``latest.json`` and
``latest.md``, print the table."""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from bench import results
from bench.run import FULL, SMOKE, run
from bench.stack import failure_logs


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("bench-results"), help="results folder")
    parser.add_argument("--smoke", action="store_true", help="a tiny run (CI: keeps the bench from rotting)")
    parser.add_argument("--cells", type=int, help="bench cells (default 20, smoke 2)")
    parser.add_argument("--rates", help="comma-separated meetings/s steps (default 5,10,20,40,60,80,120; "
                                        "stops after the first step not sustained)")
    parser.add_argument("--step-seconds", type=float, help="seconds per rate step (default 6)")
    parser.add_argument("--replay-events", type=int, help="messages in MEETINGS_V1 to replay (default 20000)")
    parser.add_argument("--rerate-meetings", type=int, help="meetings in the re-rating phase (default 22000, smoke 600)")
    parser.add_argument("--national-scale", type=float, help="national figures phase: fraction of the national "
                                                                  "size (default 0.5, smoke 0.0005)")
    parser.add_argument("--national-samples", type=int, help="figures requests per level × period (default 30)")
    parser.add_argument("--keep-data", action="store_true", help="keep the temp data and logs")
    return parser.parse_args(argv)


def plan_from(args: argparse.Namespace):
    plan = SMOKE if args.smoke else FULL
    changes = {"cells": args.cells, "step_s": args.step_seconds, "replay_events": args.replay_events,
               "rerate_meetings": args.rerate_meetings, "national_scale": args.national_scale,
               "national_samples": args.national_samples,
               "rates": tuple(float(r) for r in args.rates.split(",")) if args.rates else None}
    return replace(plan, **{k: v for k, v in changes.items() if v is not None})


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="chibo-bench-"))
    try:
        result = run(plan_from(args), workdir)
    except Exception:
        sys.stderr.write(f"bench failed; data and logs kept in {workdir}\n{failure_logs(workdir)}\n")
        raise
    if not args.keep_data:
        shutil.rmtree(workdir, ignore_errors=True)
    stamped = results.write(args.out, result)
    sys.stdout.write(results.markdown(result) + f"\nResults: {stamped}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
