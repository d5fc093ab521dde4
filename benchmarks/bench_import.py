#!/usr/bin/env python3
"""Importer benchmark: a generated vault of N logins (default 50,000) drafted
by `identity-map import`, and a smaller one merged into its own draft again;
prints medians beside the targets of issue 15.

    python3 benchmarks/bench_import.py [--logins 50000] [--merge-logins 5000] [--runs 3] [--format bitwarden-json]

Each run is a fresh subprocess, so the peak memory (max RSS, from the
kernel) is that run's alone. Targets: a 50,000-login draft in < 30 s and
< 300 MB; the draft loads (it is under the loader's size limit). This is a
measurement, not a test: it exits 0 whatever the figures, or 1 with
--strict when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TIME_TARGET = 30.0  # seconds, 50,000 logins
MEMORY_TARGET = 300.0  # MB


def vault(logins: int, fmt: str) -> bytes:
    """Return a plaintext export of `logins` logins: distinct sites, a third
    with a one-time-code seed, a few sharing a site with another username."""
    items = []
    for i in range(logins):
        site = f"site{i // 2 if i % 10 == 0 else i}.example"
        items.append((f"Site {i}", f"https://login.{site}/signin", f"user{i}@gmail.com", i % 3 == 0))
    if fmt == "bitwarden-json":
        doc = {"encrypted": False, "folders": [], "items": [
            {"type": 1, "name": name, "login": {"uris": [{"uri": url}], "username": user, "password": "pw-x",
                                                "totp": "JBSWY3DPEHPK3PXP" if totp else None}}
            for name, url, user, totp in items
        ]}
        return json.dumps(doc).encode()
    rows = ["name,url,username,password,note"] + [f"{name},{url},{user},pw-x," for name, url, user, _ in items]
    return ("\n".join(rows) + "\n").encode()


CHILD = """
import resource, sys, time
from identity_map.importers import run_import
data = open(sys.argv[1], "rb").read()
existing = open(sys.argv[3], encoding="utf-8").read() if len(sys.argv) > 3 else None
start = time.perf_counter()
result = run_import(sys.argv[2], data, sys.argv[1], existing)
elapsed = time.perf_counter() - start
if existing is None:
    open(sys.argv[1] + ".yaml", "w", encoding="utf-8").write(result.text)
print(elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, len(result.text.encode()))
"""


def run(export: Path, fmt: str, existing: Path | None = None) -> tuple[float, float, int]:
    """Return (seconds, peak MB, draft bytes) of one import in a fresh process."""
    args = [sys.executable, "-c", CHILD, str(export), fmt] + ([str(existing)] if existing else [])
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout.split()
    return float(out[0]), float(out[1]), int(out[2])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--logins", type=int, default=50_000)
    parser.add_argument("--merge-logins", type=int, default=5_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--format", default="bitwarden-json", choices=("bitwarden-json", "chrome-csv"))
    parser.add_argument("--strict", action="store_true")
    args = parser.parse_args()
    from identity_map.format.load import MAX_BYTES, load_file

    with tempfile.TemporaryDirectory() as tmp:
        export = Path(tmp) / f"vault.{'json' if args.format.endswith('json') else 'csv'}"
        export.write_bytes(vault(args.logins, args.format))
        drafts = [run(export, args.format) for _ in range(args.runs)]
        draft_path = Path(str(export) + ".yaml")
        start = time.perf_counter()
        inventory = load_file(draft_path)
        load_seconds = time.perf_counter() - start
        small = Path(tmp) / f"small.{export.suffix}"
        small.write_bytes(vault(args.merge_logins, args.format))
        run(small, args.format)
        merges = [run(small, args.format, Path(str(small) + ".yaml")) for _ in range(args.runs)]
    seconds = statistics.median(d[0] for d in drafts)
    memory = statistics.median(d[1] for d in drafts)
    size = drafts[0][2]
    scale = args.logins / 50_000
    print(f"{args.logins:,} logins ({args.format}), median of {args.runs} runs, each in a fresh process:")
    print(f"  new draft       {seconds:7.1f} s   target < {TIME_TARGET * scale:.0f} s")
    print(f"  peak memory     {memory:7.0f} MB  target < {MEMORY_TARGET:.0f} MB")
    print(f"  draft size      {size / 2**20:7.1f} MB  loader limit {MAX_BYTES / 2**20:.0f} MB "
          f"({len(inventory.things):,} things; loading it took {load_seconds:.1f} s)")
    print(f"  merge           {statistics.median(m[0] for m in merges):7.1f} s   ({args.merge_logins:,} logins into "
          "their own draft: round-trip parsing the inventory dominates; figure only)")
    print(f"  merge memory    {statistics.median(m[1] for m in merges):7.0f} MB")
    missed = seconds > TIME_TARGET * scale or memory > MEMORY_TARGET or size > MAX_BYTES
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())
