#!/usr/bin/env python3
"""Scale benchmark: prints wall times (medians) beside the targets of issue 16.

    python3 benchmarks/bench_scale.py [--sizes 3000,10000,30000] [--runs 3] [--seed 0]

Every timed run starts from a fresh graph (caches live on the graph:
`engine.compiled`, `engine.rank`, `takeover.exposure`), so no figure is a
cached or warmed result; the graph is the undrawn `graph.Dependencies`
the CLI gives every command but `graph` (which times drawing the networkx
graph too); whatever is compared is timed in the same run. Each figure is the
median CPU time (this process and the CLI subprocesses it waits for), with
the median wall time beside it: targets are judged on CPU time, since on
a shared machine wall time mostly measures the other processes.

  (a) `identity-map rank FILE` at 3,000 accounts, a subprocess: interpreter
      start and loading (every check of the loader) included  target <= 0.5 s
      and where its time goes: the interpreter alone, importing the CLI
      (a fresh interpreter), loading (the fast path, and the plain
      composer and reader alone in the same run), compiling, the ranking
      (in process). Whether the package's bytecode is cached is printed:
      with PYTHONDONTWRITEBYTECODE=1 and no __pycache__, every start
      compiles the sources; --bytecode compiles it first (what a pip
      install or any first run elsewhere does)
  (b) engine.rank against the plain least fixed point per candidate
      (plus naive statuses), same graph, results cross-checked target >= 100x
  (c) engine.rank on login chains of 2,500 and 10,000 accounts
      (a0 <- a1 <- ...: the blast radii sum to n^2/2), rows
      checked (--check-chains: against one `impact` each)     targets < 1 s, < 3 s
  (d) every command at every size: validate (warnings), impact
      (losing the busiest mailbox, text report), rank (text),
      resilience (text), checklist (whole inventory, and the house
      fire), graph (the page, drawing the networkx graph included)
      and takeover (gaining the busiest mailbox)               target time(10k)/time(3k) <= 4,
                                                               and < 10 s at 30k; the whole
      checklist at 1,000 accounts (with --sizes 1000,...)     target <= 3 s
      The provider directory (bundled data, cached per process) is
      parsed before any timing and is in no figure.
  (e) k-loss resilience of examples/household.yaml            target < 1 s
  (f) the takeover sweep (takeover.exposure: each attack candidate
      gained alone) against engine.rank, same inventory as (a), both
      from a fresh graph, cross-checked with the plain Kleene iteration
      (takeover.plain_taken) on a sample of candidates        target <= rank
      and `identity-map exposure FILE`, a subprocess          target <= 3 s
Loading (parse and check) is timed per size too; it is not part of a command.
This is a measurement, not a test: it exits 0 whatever the figures, or 1
with --strict when a target is missed.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from identity_map.analysis import engine
from identity_map.analysis.graph import Dependencies, inventory_of
from identity_map.analysis.resilience import resilience, resilience_text
from identity_map.analysis.scenarios import HOUSE_FIRE, default_pick, selectors
from identity_map.analysis.selectors import scenario_impact
from identity_map.analysis.takeover import attack_candidates, exposure, plain_taken, takeover
from identity_map.analysis.validate import warnings_for
from identity_map.checklist import build_checklist
from identity_map.format.generate import generate_inventory
from identity_map.format import fastload
from identity_map.format.load import load_bytes, load_file, load_plain, load_text, paused_gc
from identity_map.output.render import render_html
from identity_map.output.report import impact_text, rank_text
from identity_map.providers.directory import bundled

ROOT = Path(__file__).resolve().parent.parent
HOUSEHOLD = ROOT / "examples" / "household.yaml"


class Times(float):
    """A median in CPU seconds (what the program itself costs; the targets
    are judged on it, since the machine may be shared), with the median
    wall time beside it in `wall`."""

    wall: float

    def __new__(cls, cpu: float, wall: float):
        self = super().__new__(cls, cpu)
        self.wall = wall
        return self

    def __str__(self) -> str:
        return f"{float(self):8.3f} s cpu {self.wall:8.3f} s wall"


def timed(fn, runs: int, setup=lambda: None) -> tuple[Times, object]:
    """(medians of fn(setup()) over `runs`, the last result); setup (a
    fresh graph, say) is not timed. CPU time counts this process and the
    children it waited for (a CLI subprocess)."""
    cpus, walls, result = [], [], None
    for _ in range(runs):
        arg = setup()
        cpu, wall = _cpu(), time.perf_counter()
        result = fn(arg)
        walls.append(time.perf_counter() - wall)
        cpus.append(_cpu() - cpu)
    return Times(statistics.median(cpus), statistics.median(walls)), result


def _cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def cli() -> list[str]:
    exe = shutil.which("identity-map")
    return [exe] if exe else [sys.executable, "-m", "identity_map.cli"]


def run_cli(*args: str) -> None:
    subprocess.run([*cli(), *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def naive_sweep(G) -> tuple[dict[str, tuple[int, int, int, tuple[str, ...]]], float]:
    """What rank computes, the quadratic way: for every candidate, the two
    plain least fixed points (A, and I: login alone), then every status as
    the format defines it. Returns (rows, CPU seconds in fixed_point alone)."""
    inv = inventory_of(G)
    things = list(inv)
    base, base_login = engine.fixed_point(G), engine.fixed_point(G, login_alone=True)
    methods = [[m.targets for m in t.login + t.unlock + t.recovery] for t in things]
    out = {}
    in_fixed_point = 0.0
    for cand in engine.candidates(G):
        start = time.process_time()
        now, now_login = engine.fixed_point(G, [cand]), engine.fixed_point(G, [cand], login_alone=True)
        in_fixed_point += time.process_time() - start
        lost = recoverable = degraded = 0
        critical = []
        for t, ms in zip(things, methods):
            if t.id not in base:
                continue
            if t.id not in now:
                critical += [t.id] if t.critical else []
                lost += t.id != cand
            elif t.id in base_login and t.id not in now_login:
                recoverable += 1
            elif any(ts <= base and not ts <= now for ts in ms):
                degraded += 1
        out[cand] = (lost, recoverable, degraded, tuple(critical))
    return out, in_fixed_point


def impact_sweep(G) -> dict[str, tuple]:
    """Every candidate's row from `impact` alone, one scenario at a time."""
    out = {}
    for cand in engine.candidates(G):
        r = engine.impact(G, [cand])
        out[cand] = (len(r.lost - {cand}), len(r.recoverable), len(r.degraded), r.summary.money_lost,
                     r.summary.critical_lost)
    return out


def chain(n: int) -> str:
    """A valid login chain: a0 by password, each next account by mail to the
    one before; the last is critical and has a purchase."""
    body = "".join(f"  a{i}: {{login: [email:a{i - 1}]}}\n" for i in range(1, n - 1))
    return (f"version: 1\naccounts:\n  a0: {{}}\n{body}  a{n - 1}: {{login: [email:a{n - 2}], critical: true}}\n"
            f"purchases:\n  p: {{account: a{n - 1}, price: 9.99}}\n")


def busiest_hub(inv) -> str:
    """The first mail hub: `generate_inventory` makes it the busiest."""
    return next(t.id for t in inv if t.kind == "account" and t.subkind == "email")


def fire_of(inv) -> list[str]:
    """The house fire preset's selectors (the site holding the most things)."""
    return list(selectors(HOUSE_FIRE, inv, default_pick(HOUSE_FIRE, inv, [])))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="3000,10000,30000", help="accounts per generated inventory, for (d)")
    parser.add_argument("--accounts", type=int, default=3000, help="accounts for (a) and (b)")
    parser.add_argument("--hubs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--runs", type=int, default=3, help="runs per median (default 3)")
    parser.add_argument("--naive-runs", type=int, default=1, help="runs of the slow baselines")
    parser.add_argument("--check-chains", action="store_true",
                        help="cross-check the chains against one impact per candidate (minutes)")
    parser.add_argument("--parts", default="acdef", help="which parts to run: a (with b), c, d, e, f (default acdef)")
    parser.add_argument("--skip", default="", help="comma-separated commands of (d) not to time, e.g. checklist")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--bytecode", action="store_true",
                        help="compile identity_map's bytecode before (a), as an installed package has it")
    args = parser.parse_args(argv)
    missed = []

    def report(label: str, value: float, target: str, ok: bool) -> None:
        shown = str(value) if isinstance(value, Times) else f"{value:8.3f}{' ' * 21}"
        print(f"  {label:<58} {shown}   target {target:<9} {'ok' if ok else 'MISSED'}", flush=True)
        if not ok:
            missed.append(label)

    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.1f}, medians of {args.runs} runs, fresh graph per run\n")
    if "a" in args.parts:
        part_ab(args, report)
    if "c" in args.parts:
        part_c(args, report)
    if "d" in args.parts:
        part_d(args, report)
    if "e" in args.parts:
        part_e(args, report)
    if "f" in args.parts:
        part_f(args, report)
    print("\nall targets met" if not missed else "\nmissed: " + "; ".join(missed))
    return 1 if (missed and args.strict) else 0


@contextmanager
def generated(args):
    """(path, loaded inventory) of a generated inventory of args.accounts
    accounts, in a temporary folder removed afterwards."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "generated.yaml"
        path.write_text(generate_inventory(args.accounts, args.hubs, args.seed), encoding="utf-8")
        yield path, load_file(path)


def part_ab(args, report) -> None:
    runs = args.runs
    with generated(args) as (path, inv):
        if args.bytecode:
            subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "identity_map")], check=True,
                           stdout=subprocess.DEVNULL)
        stale = uncompiled_modules()
        print(f"(a) {args.accounts} accounts ({len(inv) - 1} things, {path.stat().st_size / 1024:.0f} KiB), "
              "a subprocess: interpreter start, loading (every check of the loader) and the ranking;\n"
              "    identity_map's bytecode " + (f"missing or stale for {stale} modules (recompiled at every start)"
                                                 if stale else "cached")
              + f" (PYTHONDONTWRITEBYTECODE={os.environ.get('PYTHONDONTWRITEBYTECODE', '')!r}):")
        t_rank, _ = timed(lambda _: run_cli("rank", str(path)), runs)
        report(f"identity-map rank FILE ({args.accounts} accounts)", t_rank, "<= 0.5 s", t_rank <= 0.5)
        startup_phases(path, runs)

        fresh = lambda: Dependencies(inv)  # noqa: E731
        t_sweep, rows = timed(engine.rank, runs, fresh)
        t_naive, (naive, t_fp) = timed(naive_sweep, args.naive_runs, fresh)
        agree = {r.id: (r.lost, r.recoverable, r.degraded, r.critical_lost) for r in rows} == naive
        print(f"\n(b) Single-loss sweep over {len(rows)} candidates, {args.accounts} accounts, "
              "fresh graph each (compiling included):")
        print(f"  {'engine.rank (necessity masks)':<58} {t_sweep}")
        print(f"  {'fixed_point per candidate + naive statuses':<58} {t_naive}")
        print(f"  {'  of which the two fixed points alone':<58} {t_fp:8.3f} s cpu")
        speedup = min(t_naive, t_fp) / t_sweep
        report(f"speed-up (cpu) against the fixed points, results {'identical' if agree else 'DIFFER'}",
               speedup, ">= 100x", speedup >= 100 and agree)


def part_c(args, report) -> None:
    runs = args.runs
    print("\n(c) rank on login chains, fresh graph; rows cross-checked against "
          + ("one impact per candidate:" if args.check_chains else "the closed form (--check-chains: the impact sweep):"))
    for n, limit in ((2500, 1.0), (10000, 3.0)):
        chain_inv = load_text(chain(n))
        t_chain, rows = timed(engine.rank, runs, lambda: Dependencies(chain_inv))
        got = {r.id: (r.lost, r.recoverable, r.degraded, r.money_lost, r.critical_lost) for r in rows}
        if args.check_chains:
            expected = impact_sweep(Dependencies(chain_inv))
        else:  # losing a_i loses every later link and the purchase; each takes the critical last link
            expected = {f"a{i}": (n - i, 0, 0, {"EUR": 9.99}, (f"a{n - 1}",)) for i in range(n)}
        report(f"rank, chain of {n:,} (rows {'identical' if got == expected else 'DIFFER'})", t_chain,
               f"< {limit:g} s", t_chain < limit and got == expected)


def part_d(args, report) -> None:
    runs = args.runs
    sizes = [int(s) for s in args.sizes.split(",") if s]
    skip = {s for s in args.skip.split(",") if s}
    commands = {
        "validate": lambda G, hub: warnings_for(G),
        "impact": lambda G, hub: impact_text(scenario_impact(G, [hub])),
        "rank": lambda G, hub: rank_text(engine.rank(G)),
        "resilience": lambda G, hub: resilience_text(resilience(G)),
        "checklist": lambda G, hub: build_checklist(G, None),
        "checklist-fire": lambda G, hub: build_checklist(G, fire_of(inventory_of(G))),
        "graph": lambda G, hub: render_html(G.networkx(), scenario_impact(G, [hub])),
        "takeover": lambda G, hub: takeover(G, [hub]),
    }
    commands = {k: v for k, v in commands.items() if k not in skip}
    print(f"\n(d) Commands on generated inventories (hubs={args.hubs} seed={args.seed}), in process, "
          "fresh graph per run, loading apart:")
    # Bundled data parsed once per process (the checklist's provider
    # directory): parsed here, before any timing, so that no size pays it.
    start = time.process_time()
    bundled()
    print(f"  the provider directory, parsed once per process before timing: {time.process_time() - start:.2f} s cpu "
          "(in no figure below)")
    table: dict[str, dict[int, float]] = {name: {} for name in ["load", *commands]}
    for n in sizes:
        text = generate_inventory(n, args.hubs, args.seed)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "generated.yaml"
            path.write_text(text, encoding="utf-8")
            table["load"][n], big = timed(lambda _: load_file(path), runs)
        hub = busiest_hub(big)
        print(f"  {n:,} accounts: {len(big) - 1} things, {len(text.encode()) / 2**20:.1f} MB", flush=True)
        for name, fn in commands.items():
            table[name][n], _ = timed(lambda G: fn(G, hub), runs, lambda: Dependencies(big))
            print(f"    {name:<14} {table[name][n]}", flush=True)
    print()
    for name, by_size in table.items():
        cells = "  ".join(f"{n:>6,}: {float(t):7.3f} s" for n, t in by_size.items())
        print(f"  {name:<14} cpu {cells}")
        if 3000 in by_size and 10000 in by_size:
            ratio = by_size[10000] / by_size[3000]
            report(f"{name}: time(10k) / time(3k)", ratio, "<= 4", ratio <= 4)
        if 30000 in by_size and name != "load":
            report(f"{name} at 30k", by_size[30000], "< 10 s", by_size[30000] < 10)
        if 1000 in by_size and name == "checklist":
            report("checklist (whole inventory) at 1k", by_size[1000], "<= 3 s", by_size[1000] <= 3)



def part_e(args, report) -> None:
    runs = args.runs
    print("\n(e) k-loss resilience (exact, k <= 3):")
    household = load_file(HOUSEHOLD)
    t_res, res = timed(resilience, runs, lambda: Dependencies(household))
    report(f"resilience(examples/household.yaml), {len(res)} critical", t_res, "< 1 s", t_res < 1.0)


def uncompiled_modules() -> int:
    """How many of identity_map's modules have no bytecode as new as their source."""
    sources = list((ROOT / "identity_map").rglob("*.py"))
    return sum(1 for src in sources if not (cached := Path(importlib.util.cache_from_source(str(src)))).exists()
               or cached.stat().st_mtime < src.stat().st_mtime)


def event_walk(text: str, filename: str):
    """The fast path's event walk alone (the block walk reads generated files)."""
    with paused_gc():
        return fastload._Events(text).read(filename)


def startup_phases(path: Path, runs: int) -> None:
    """Where (a)'s time goes: importing the CLI in a fresh interpreter, then
    in process (medians, fresh each run) loading, compiling and the ranking
    with its text (the warnings only `validate` prints are not computed)."""
    probe = "import time; t = time.process_time(); import identity_map.cli; print(time.process_time() - t)"
    imports = statistics.median(
        float(subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True).stdout)
        for _ in range(runs))
    bare, _ = timed(lambda _: subprocess.run([sys.executable, "-c", "pass"], check=True), runs)
    data = path.read_bytes()
    text = data.decode("utf-8-sig")
    t_load, inv = timed(lambda _: load_bytes(data, str(path)), runs)
    t_plain, plain = timed(lambda _: load_plain(text, str(path)), runs)
    t_events, events = timed(lambda _: event_walk(text, str(path)), runs)
    assert list(plain.things.items()) == list(inv.things.items()) == list(events.things.items())
    t_compile, _ = timed(engine.compiled, runs, lambda: Dependencies(inv))
    compiled_once = lambda: (lambda G: (engine.compiled(G), G)[1])(Dependencies(inv))  # noqa: E731
    t_rank, _ = timed(lambda G: rank_text(engine.rank(G)), runs, compiled_once)
    print(f"  {'  of which: the interpreter alone (python -c pass)':<58} {bare}")
    print(f"  {'            import identity_map.cli (fresh interpreter)':<58} {imports:8.3f} s cpu")
    for label, t in (("loading (fast path, from the file's bytes)", t_load),
                     ("  the event walk alone (other files), same text", t_events),
                     ("  the plain composer and reader alone, same text", t_plain),
                     ("compiling (no networkx graph)", t_compile), ("ranking and its text", t_rank)):
        print(f"  {'            ' + label:<58} {t}")


def part_f(args, report) -> None:
    runs = args.runs
    with generated(args) as (path, inv):
        fresh = lambda: Dependencies(inv)  # noqa: E731
        print(f"\n(f) Takeover sweep over {len(attack_candidates(inv))} attack candidates, {args.accounts} accounts, "
              "fresh graph each (compiling included):")
        t_rank, _ = timed(engine.rank, runs, fresh)
        t_expo, rows = timed(exposure, runs, fresh)
        sample = sorted(r.id for r in rows)[:: max(1, len(rows) // 40)]
        by_id = {r.id: r for r in rows}
        t_plain, plains = timed(lambda _: [plain_taken(inv, [tid]) for tid in sample], args.naive_runs)
        agree = all(by_id[tid].taken == len(p) - 1 for tid, p in zip(sample, plains))
        print(f"  {'engine.rank (lockout sweep)':<58} {t_rank}")
        report(f"takeover.exposure (takeover sweep), rows {'identical' if agree else 'DIFFER'}", t_expo, "<= rank",
               t_expo <= t_rank and agree)
        print(f"  {f'plain_taken per candidate, {len(sample)} sampled':<58} {t_plain}   "
              f"(about {t_plain / len(sample) * len(rows):.0f} s for all; {sum(r.taken for r in rows)} things "
              "taken in all)")
        t_cli, _ = timed(lambda _: run_cli("exposure", str(path)), runs)
        report(f"identity-map exposure FILE ({args.accounts} accounts, a subprocess)", t_cli, "<= 3 s", t_cli <= 3.0)


if __name__ == "__main__":
    sys.exit(main())
