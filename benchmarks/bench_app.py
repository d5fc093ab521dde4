"""App performance, rerunnable: `python benchmarks/bench_app.py [--runs N] [--things N] [--no-browser]`.

Measures (medians printed):
1. the AppTest rerun time after changing the scenario on examples/household.yaml
   and on the generated inventory below (goal < 0.5 s): the parse, graph and
   ranking are cached per text, so a rerun is one impact, one page render and
   the layout;
2. for an inventory from identity_map.format.generate with at least --things things
   (default 1,000), the time in Debian's chromium from opening the app until
   the graph canvas shows drawn nodes (goal < 5 s), for the default view
   (focused on the blast radius, as inventories over 300 things open) and
   after switching to the whole graph.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the browser helpers shared with tests/test_browser.py

from identity_map.format.generate import generate_inventory  # noqa: E402
from identity_map.format.load import load_text  # noqa: E402


def inventory_text(things: int) -> tuple[str, int]:
    """identity_map.generate's inventory with at least `things` things
    (memory included): (text, exact count). It is sized by accounts, about
    1.3 things each, so a few tries get past the target."""
    accounts = max(1, int(things / 1.35))
    while True:
        text = generate_inventory(accounts=accounts)
        count = len(load_text(text, "generated.yaml"))
        if count >= things:
            return text, count
        accounts += max(1, int((things - count) / 1.35))


def bench_rerun(inventory: Path, runs: int) -> list[float]:
    """Seconds per AppTest rerun after switching the scenario preset."""
    from streamlit.testing.v1 import AppTest

    os.environ["IDENTITY_MAP_INVENTORY"] = str(inventory)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception, at.exception
    modes = ["fire", "banned", "phone", "death", "custom"]
    times = []
    for i in range(runs):
        at.selectbox(key="scenario_mode").set_value(modes[i % len(modes)])
        start = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - start)
        assert not at.exception, at.exception
    return times


def bench_browser(inventory: Path, things: int, runs: int) -> tuple[list[float], list[float]]:
    """Seconds from opening the app until the graph is drawn (focused view),
    and from switching on the whole graph until all of it is drawn."""
    from browser_support import Traffic, graph_frame, launch, serve_app, wait_graph_drawn, watched_page
    from playwright.sync_api import sync_playwright

    total = f"typeof network !== 'undefined' && network.body.data.nodes.length >= {things}"
    first, whole = [], []
    with serve_app([str(inventory)]) as url, sync_playwright() as p:
        browser = launch(p)
        try:
            for _ in range(runs):
                traffic = Traffic()
                page = watched_page(browser, traffic)
                start = time.perf_counter()
                page.goto(url)
                wait_graph_drawn(page, 60_000)
                first.append(time.perf_counter() - start)
                start = time.perf_counter()
                page.get_by_text("Whole graph").click()
                deadline = time.monotonic() + 60
                while True:  # the rerun replaces the iframe: wait for the one holding every node
                    frame = graph_frame(page, 60_000)
                    try:
                        frame.wait_for_function(total, timeout=max(1, (deadline - time.monotonic()) * 1000))
                        break
                    except Exception as exc:
                        if "detached" not in str(exc).lower() or time.monotonic() > deadline:
                            raise
                wait_graph_drawn(page, 60_000)
                whole.append(time.perf_counter() - start)
                assert not traffic.outside, traffic.outside
                page.context.close()
        finally:
            browser.close()
    return first, whole


def _report(label: str, times: list[float], goal: float) -> None:
    median = statistics.median(times)
    print(f"{label}: median {median:.3f} s over {len(times)} (min {min(times):.3f}, max {max(times):.3f}); "
          f"goal < {goal} s: {'met' if median < goal else 'MISSED'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="AppTest reruns (browser: a third of it, at least 3)")
    parser.add_argument("--things", type=int, default=1000)
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    _report("rerun after a scenario change, examples/household.yaml (AppTest)",
            bench_rerun(ROOT / "examples" / "household.yaml", args.runs), 0.5)
    with tempfile.TemporaryDirectory() as tmp:
        inventory = Path(tmp) / "generated.yaml"
        text, things = inventory_text(args.things)
        inventory.write_text(text)
        _report(f"{things}-thing inventory: rerun after a scenario change (AppTest)",
                bench_rerun(inventory, args.runs), 0.5)
        if args.no_browser:
            return
        if not Path("/usr/bin/chromium").exists():
            print("browser timing skipped: /usr/bin/chromium is not installed")
            return
        first, whole = bench_browser(inventory, things, max(3, args.runs // 3))
    _report(f"{things}-thing inventory: open until the graph is drawn (focused view, chromium)", first, 5.0)
    _report(f"{things}-thing inventory: 'Whole graph' until all of it is drawn (chromium)", whole, 5.0)

if __name__ == "__main__":
    main()
