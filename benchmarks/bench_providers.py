#!/usr/bin/env python3
"""Provider-directory benchmark: prints medians beside targets.

    python3 benchmarks/bench_providers.py [--accounts 3000] [--runs 5]

  (a) parsing the bundled directory (what the first match in a process pays)   target < 0.5 s
  (b) matching every account of a generated inventory, directory cached        target < 0.2 s
  (c) `identity-map factors FILE` on that inventory, a subprocess, loading
      and the single-loss sweep included                                        target < 3 s
A measurement, not a test: exits 0 whatever the figures (1 with --strict when a target is missed).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from identity_map.format.generate import generate_inventory
from identity_map.format.load import load_text
from identity_map.providers import directory
from identity_map.providers.match import match_inventory


def median_of(runs: int, work) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--strict", action="store_true")
    args = parser.parse_args()
    text = generate_inventory(accounts=args.accounts)
    inventory = load_text(text)

    def parse():
        directory.bundled.cache_clear()
        directory._psl.cache_clear()  # the Public Suffix List is part of the first match's cost
        directory.bundled()

    rows = [("(a) parse the bundled directory", median_of(args.runs, parse), 0.5)]
    rows.append((f"(b) match {args.accounts} accounts", median_of(args.runs, lambda: match_inventory(inventory)), 0.2))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "generated.yaml"
        path.write_text(text, encoding="utf-8")
        command = [sys.executable, "-m", "identity_map.cli", "factors", str(path), "--format", "json"]
        rows.append(("(c) identity-map factors, subprocess",
                     median_of(args.runs, lambda: subprocess.run(command, check=True, capture_output=True)), 3.0))
    missed = False
    for label, seconds, target in rows:
        ok = seconds < target
        missed |= not ok
        print(f"{label:<42} median {seconds:7.3f} s   target < {target:g} s   {'ok' if ok else 'MISSED'}")
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())
