#!/usr/bin/env python3
"""Hostile-input benchmark (issue 10, item 6): prints medians against targets.

    python3 benchmarks/bench_hardening.py [--runs 3]

  (a) 5,000 references to unknown ids among 5,000 ids: load (every error
      with its did-you-mean)                                        target < 2 s
  (b) a valid login chain of 10,000 accounts, the last critical:
      validation (warnings included)                                target < 3 s
  (c) 30,000 devices in one AND method of a critical account:
      validation                                                    target < 3 s
Before the fixes these took 54 s, 84 s and over 30 s. A measurement, not a
test: exits 0 whatever the figures, or 1 with --strict when a target is missed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from identity_map.analysis.validate import validate_text
from identity_map.format.load import InventoryError, load_text


def unknown_references(n: int = 5000) -> str:
    ids = "".join(f"  account-{i:04d}: {{}}\n" for i in range(n))
    refs = "".join(f"  use-{i}: {{login: [email:acount-{i:04d}]}}\n" for i in range(n))
    return "version: 1\naccounts:\n" + ids + refs


def login_chain(n: int = 10_000) -> str:
    chain = "".join(f"  a{i}: {{login: [email:a{i - 1}]}}\n" for i in range(1, n))
    return f"version: 1\naccounts:\n  a0: {{}}\n{chain}  last: {{login: [email:a{n - 1}], critical: true}}\n"


def wide_method(n: int = 30_000) -> str:
    devices = "".join(f"  d{i}: {{kind: security-key}}\n" for i in range(n))
    method = " + ".join(f"device:d{i}" for i in range(n))
    return f"version: 1\ndevices:\n{devices}accounts:\n  vault: {{login: [{method}], critical: true}}\n"


def load_errors(text: str) -> int:
    try:
        load_text(text)
    except InventoryError as exc:
        return len(exc.problems)
    return 0


def median(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--strict", action="store_true")
    args = parser.parse_args()
    cases = [
        ("(a) 5,000 unknown references, load", unknown_references(), load_errors, 2.0),
        ("(b) 10,000-account login chain, validate", login_chain(), lambda t: validate_text(t, "chain.yaml"), 3.0),
        ("(c) 30,000 devices in one method, validate", wide_method(), lambda t: validate_text(t, "wide.yaml"), 3.0),
    ]
    missed = 0
    for label, text, fn, target in cases:
        seconds = median(lambda: fn(text), args.runs)
        missed += seconds >= target
        print(f"{label:<48} median {seconds:6.2f} s   target < {target:.0f} s   {'ok' if seconds < target else 'MISSED'}")
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())
