#!/usr/bin/env python3
"""`rank` of an older revision beside this checkout's, alternately in ONE process.

    python3 benchmarks/bench_rank_side.py [--base REV] [--sizes 3000,10000] [--runs 5]

Part (d)'s "rank" figure (a fresh graph: compiling, `engine.rank` and
`rank_text`), split into compiling and the rest, in CPU seconds (medians),
for the package at git revision REV (default `main`; extracted with `git
archive` into a temporary folder and imported as `identity_map_base`) and
for the package of this checkout, one run of each in turn, so that the
load of a shared machine falls on both alike. The two rank texts must be
byte-identical (it stops otherwise). Prints the 10k/3k ratio of each
beside the target (<= 4) and the load average before and after.
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RENAMED = "identity_map_base"


def extract(rev: str, into: Path) -> None:
    """The package at `rev`, as `RENAMED` under `into` (every import rewritten)."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "identity_map"], check=True,
                             capture_output=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    (into / "identity_map").rename(into / RENAMED)
    for path in (into / RENAMED).rglob("*.py"):
        path.write_text(re.sub(r"\bidentity_map\b", RENAMED, path.read_text(encoding="utf-8")), encoding="utf-8")


def modules(package: str):
    """(engine, graph, report, generate, load) of `package`."""
    return tuple(importlib.import_module(f"{package}.{name}") for name in
                 ("analysis.engine", "analysis.graph", "output.report", "format.generate", "format.load"))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="main", help="git revision to compare with (default main)")
    parser.add_argument("--sizes", default="3000,10000")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    with tempfile.TemporaryDirectory() as tmp:
        extract(args.base, Path(tmp))
        sys.path.insert(0, tmp)
        sys.path.insert(0, str(ROOT))
        packages = {f"old ({args.base})": modules(RENAMED), "new (this checkout)": modules("identity_map")}
        print("load average %.2f %.2f %.2f" % os.getloadavg())
        totals: dict[str, dict[int, float]] = {name: {} for name in packages}
        for n in sizes:
            inventories = {name: m[4].load_text(m[3].generate_inventory(n, 5, 0)) for name, m in packages.items()}
            times = {name: ([], []) for name in packages}
            texts = {}
            for _ in range(args.runs):
                for name, (engine, graph, report, _, _) in packages.items():
                    G = graph.Dependencies(inventories[name])
                    start = time.process_time()
                    engine.compiled(G)
                    middle = time.process_time()
                    texts[name] = report.rank_text(engine.rank(G))
                    times[name][0].append(middle - start)
                    times[name][1].append(time.process_time() - middle)
            if len(set(texts.values())) != 1:
                print(f"{n:,} accounts: the rank texts DIFFER")
                return 1
            for name, (compiling, ranking) in times.items():
                total = statistics.median(a + b for a, b in zip(compiling, ranking))
                totals[name][n] = total
                print(f"  {n:>6,} accounts  {name:<22} compiling {statistics.median(compiling):6.3f} s  "
                      f"ranking and its text {statistics.median(ranking):6.3f} s  total {total:6.3f} s cpu")
        if len(sizes) == 2:
            small, big = sizes
            for name, by_size in totals.items():
                ratio = by_size[big] / by_size[small]
                print(f"  {name:<22} time({big:,}) / time({small:,}) {ratio:5.2f}   target <= 4 "
                      f"{'ok' if ratio <= 4 else 'MISSED'}")
        print("rank texts identical; load average %.2f %.2f %.2f" % os.getloadavg())
    return 0


if __name__ == "__main__":
    sys.exit(main())
