#!/usr/bin/env python3
"""A command of an older revision beside this checkout's, alternately in ONE process.

    python3 benchmarks/bench_side.py [--command rank] [--base REV] [--sizes 3000,10000] [--runs 5]

Part (d)'s figure of one command on a fresh graph, in CPU seconds
(medians), for the package at git revision REV (default `main`; extracted
with `git archive` into a temporary folder and imported as
`identity_map_base`) and for the package of this checkout, one run of
each in turn, so that the load of a shared machine falls on both alike.
The commands:

- `rank`: compiling, then `engine.rank` and `rank_text` (split in two);
- `checklist`: `build_checklist` of the whole inventory;
- `checklist-fire`: `build_checklist` of the house fire preset.

The two outputs must be identical (the rank texts; the checklist's
markdown and JSON exports, its combined check and its gains), or it stops
with exit status 1. Each package's provider directory is parsed before
any timing. Prints the 10k/3k ratio of each beside the target (<= 4)
when given two sizes, each size of 30,000 and more beside the target
(< 10 s), the new/old ratio, and the load average before and after.
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
COMMANDS = ("rank", "checklist", "checklist-fire")


def extract(rev: str, into: Path) -> None:
    """The package at `rev`, as `RENAMED` under `into` (every import rewritten)."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "identity_map"], check=True,
                             capture_output=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    (into / "identity_map").rename(into / RENAMED)
    for path in (into / RENAMED).rglob("*.py"):
        path.write_text(re.sub(r"\bidentity_map\b", RENAMED, path.read_text(encoding="utf-8")), encoding="utf-8")


class Package:
    """One package's modules, and the command timed on it."""

    def __init__(self, package: str, command: str):
        def module(name):
            return importlib.import_module(f"{package}.{name}")

        self.engine, self.graph = module("analysis.engine"), module("analysis.graph")
        self.generate, self.load = module("format.generate"), module("format.load")
        self.command = command
        if command == "rank":
            self.report = module("output.report")
        else:
            self.checklist, self.scenarios = module("checklist"), module("analysis.scenarios")
            module("providers.directory").bundled()  # parsed once per process, as in part (d)

    def run(self, inventory) -> tuple[list[float], str]:
        """(the CPU seconds of each phase, the output) of one run on a fresh graph."""
        G = self.graph.Dependencies(inventory)
        if self.command == "rank":
            start = time.process_time()
            self.engine.compiled(G)
            middle = time.process_time()
            text = self.report.rank_text(self.engine.rank(G))
            return [middle - start, time.process_time() - middle], text
        lost = None
        if self.command == "checklist-fire":
            fire = self.scenarios.HOUSE_FIRE
            lost = list(self.scenarios.selectors(fire, inventory, self.scenarios.default_pick(fire, inventory, [])))
        start = time.process_time()
        items = self.checklist.build_checklist(G, lost)
        spent = time.process_time() - start
        export = self.checklist.export
        return [spent], "\n".join([export(items, "md", inventory), export(items, "json", inventory),
                                   repr(items.combined), repr(items.combined_gains)])


PHASES = {"rank": ("compiling", "ranking and its text")}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--command", choices=COMMANDS, default="rank")
    parser.add_argument("--base", default="main", help="git revision to compare with (default main)")
    parser.add_argument("--sizes", default="3000,10000")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    with tempfile.TemporaryDirectory() as tmp:
        extract(args.base, Path(tmp))
        sys.path.insert(0, tmp)
        sys.path.insert(0, str(ROOT))
        packages = {f"old ({args.base})": Package(RENAMED, args.command),
                    "new (this checkout)": Package("identity_map", args.command)}
        print(f"{args.command}; load average %.2f %.2f %.2f" % os.getloadavg())
        totals: dict[str, dict[int, float]] = {name: {} for name in packages}
        for n in sizes:
            inventories = {name: p.load.load_text(p.generate.generate_inventory(n, 5, 0)) for name, p in packages.items()}
            times: dict[str, list[list[float]]] = {name: [] for name in packages}
            outputs = {}
            for _ in range(args.runs):
                for name, package in packages.items():
                    phases, outputs[name] = package.run(inventories[name])
                    times[name].append(phases)
            if len(set(outputs.values())) != 1:
                print(f"{n:,} accounts: the outputs DIFFER")
                return 1
            for name, runs in times.items():
                total = statistics.median(sum(run) for run in runs)
                totals[name][n] = total
                split = "".join(f"{label} {statistics.median(run[k] for run in runs):6.3f} s  "
                                for k, label in enumerate(PHASES.get(args.command, ())))
                print(f"  {n:>6,} accounts  {name:<22} {split}total {total:6.3f} s cpu", flush=True)
            (old, new) = (totals[name][n] for name in packages)
            print(f"  {n:>6,} accounts  new / old {new / old:5.2f}")
        for name, by_size in totals.items():
            if len(sizes) == 2:
                small, big = sizes
                ratio = by_size[big] / by_size[small]
                print(f"  {name:<22} time({big:,}) / time({small:,}) {ratio:5.2f}   target <= 4 "
                      f"{'ok' if ratio <= 4 else 'MISSED'}")
            for n, t in by_size.items():
                if n >= 30000:
                    print(f"  {name:<22} at {n:,} accounts {t:6.3f} s cpu   target < 10 s {'ok' if t < 10 else 'MISSED'}")
        print("outputs identical; load average %.2f %.2f %.2f" % os.getloadavg())
    return 0


if __name__ == "__main__":
    sys.exit(main())
