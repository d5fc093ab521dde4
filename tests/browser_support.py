"""Drive the real app in Debian's chromium: shared by tests/test_browser.py and
benchmarks/bench_app.py. Every wait is on a condition with a timeout.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from identity_map.output.render import GRAPH_DRAWN

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
LOCAL_SCHEMES = {"data", "blob", "about"}
GRAPH_FRAME = 'iframe[title="Dependency graph"]'
FIRST_GRAPH_FRAME = '#identity-map-first iframe[title="First graph"]'

# Counts the pixels the vis-network canvas has painted (alpha > 0): the
# canvas starts fully transparent, so a count above a few hundred means
# nodes and edges were drawn, not merely that the page loaded.
PAINTED_PIXELS_JS = """() => {
  const canvas = document.querySelector('#mynetwork canvas');
  if (!canvas || !canvas.width || !canvas.height) return 0;
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) painted++;
  return painted;
}"""
PAINTED_ENOUGH = 500
# Drawn as the person sees it: fitted to the view, its labels placed (the page sets `fitted` after
# that redraw), not only vis's first frame before the fit.
PAINTED_JS = ("() => { if (!document.body || !document.body.dataset.fitted) return 0;"
              f" const n = ({PAINTED_PIXELS_JS})(); return n > {PAINTED_ENOUGH} ? n : 0; }}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_app(args: Sequence[str] = (), env: dict[str, str] | None = None, timeout: float = 60.0):
    """`streamlit run app.py` on a free loopback port (see `serve`)."""
    port = free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
           "--server.address", "127.0.0.1", "--server.headless", "true",
           "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    if args:
        cmd += ["--", *args]
    return serve(cmd, port, env, timeout)


def serve_launcher(args: Sequence[str] = (), env: dict[str, str] | None = None, timeout: float = 60.0):
    """`identity-map app [ARGS]` (the README's way: the Host check and the
    first graph, server/prepaint.py) on a free loopback port (see `serve`)."""
    port = free_port()
    return serve([sys.executable, "-m", "identity_map.cli", "app", *args, "--port", str(port)], port, env, timeout)


@contextmanager
def serve(cmd: Sequence[str], port: int, env: dict[str, str] | None = None,
          timeout: float = 60.0) -> Iterator[str]:
    """Runs the server command `cmd` listening on `port` of 127.0.0.1; yields
    its URL once healthy and always stops it (terminate, then kill) on the way out."""
    proc = subprocess.Popen(list(cmd), cwd=ROOT, env={**os.environ, **(env or {})},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(proc, url, timeout)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def _wait_healthy(proc: subprocess.Popen, url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}:\n{proc.stdout.read()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)  # polling interval of a bounded wait on the server coming up
    raise TimeoutError(f"streamlit did not answer on {url} within {timeout} s")


@dataclass
class Traffic:
    """What the page asked for: every request, and those that left the machine."""

    requests: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def record(self, url: str) -> bool:
        """Records `url`; True when it stays on this machine."""
        self.requests.append(url)
        parts = urlsplit(url)
        local = parts.scheme in LOCAL_SCHEMES or parts.hostname in LOCAL_HOSTS
        if not local:
            self.outside.append(url)
        return local


def launch(playwright):
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


def require_browser() -> None:
    """Skips the test, with the reason, when Debian's chromium is absent;
    with IDENTITY_MAP_REQUIRE_BROWSER=1 (CI sets it) fails it instead."""
    if CHROMIUM.exists():
        return
    import pytest

    reason = f"{CHROMIUM} is not installed (Debian: apt-get install chromium); the real-browser tests need it"
    if os.environ.get("IDENTITY_MAP_REQUIRE_BROWSER") == "1":
        pytest.fail(f"IDENTITY_MAP_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


def chromium_browser():
    """A generator for a module-scoped fixture: the launched chromium, closed afterwards."""
    require_browser()
    from playwright.sync_api import sync_playwright  # a test dependency: missing it is an error, not a skip

    with sync_playwright() as p:
        chromium = launch(p)
        try:
            yield chromium
        finally:
            chromium.close()


def watched_page(browser, traffic: Traffic, viewport=(1400, 1000)):
    """A page that records every request and websocket, aborts any that
    would leave the machine, and records (and dismisses) every dialog."""
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})

    def route(r):
        if traffic.record(r.request.url):
            r.continue_()
        else:
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("websocket", lambda ws: traffic.record(ws.url))
    page.on("dialog", lambda d: (traffic.dialogs.append(d.message), d.dismiss()))
    return page


def graph_frame(page, timeout_ms: float, outer_selector: str = GRAPH_FRAME):
    """The frame the graph is drawn in, once it exists: the sandboxed iframe
    (opaque origin) inside the app's graph iframe (or, with FIRST_GRAPH_FRAME,
    inside the launcher's first graph: server/prepaint.py)."""
    handle = page.wait_for_selector(outer_selector, state="attached", timeout=timeout_ms)
    outer = handle.content_frame()
    assert outer is not None, "the graph iframe has no frame"
    inner = outer.wait_for_selector('iframe[sandbox="allow-scripts"]', state="attached", timeout=timeout_ms)
    frame = inner.content_frame()
    assert frame is not None, "the sandboxed graph iframe has no frame"
    return frame


def wait_in(frame, js: str, arg=None, timeout_ms: float = 30_000):
    """Polls the JavaScript function `js` (of `arg`) in `frame` until it
    returns a truthy value, and returns that value. By evaluate, not
    wait_for_function: that one builds its predicate from a string inside
    the page, which the graph page's CSP (no 'unsafe-eval') refuses."""
    deadline = time.monotonic() + timeout_ms / 1000
    while not (value := frame.evaluate(js, arg)):
        if time.monotonic() > deadline:
            raise TimeoutError(f"not true within {timeout_ms / 1000:.0f} s: {js[:80]}")
        frame.page.wait_for_timeout(50)  # the poll's interval
    return value


def wait_first_graph_drawn(page, timeout_ms: float) -> int:
    """Waits until the launcher's first graph shows drawn nodes; returns the painted pixels."""
    return wait_in(graph_frame(page, timeout_ms, FIRST_GRAPH_FRAME), PAINTED_JS, timeout_ms=timeout_ms)


def drawn_after(page, frame) -> float:
    """Seconds from the page's navigation start to the moment the graph page
    in `frame` recorded that its graph was drawn and fitted (its performance
    mark `render.GRAPH_DRAWN`): when it happened, not when a poll from here
    got through a busy page to notice it."""
    drawn = frame.evaluate(f"() => performance.timeOrigin + performance.getEntriesByName({GRAPH_DRAWN!r})[0].startTime")
    return (drawn - page.evaluate("() => performance.timeOrigin")) / 1000


def wait_graph_drawn(page, timeout_ms: float) -> int:
    """Waits until the graph is drawn, fitted, with its labels; returns the painted pixels."""
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        try:
            frame = graph_frame(page, max(1.0, (deadline - time.monotonic()) * 1000))
            return wait_in(frame, PAINTED_JS, timeout_ms=max(1.0, (deadline - time.monotonic()) * 1000))
        except Exception as exc:
            if not replaced(exc) or time.monotonic() > deadline:
                raise


def replaced(exc: Exception) -> bool:
    """Whether `exc` says the frame went away: an app rerun replaced the iframe (look again)."""
    return any(word in str(exc).lower() for word in ("detached", "not attached", "destroyed"))


def metric_values(page) -> list[str]:
    """The figures on screen (a view not shown, such as Takeover beside Lockout, keeps its own)."""
    return page.locator('[data-testid="stMetricValue"]:visible').all_inner_texts()


# -- Driving the app's widgets: Streamlit gives each keyed widget the class st-key-KEY --------


def widget(page, key: str):
    """The element of the widget with this key (Streamlit writes other characters of a key as '-')."""
    return page.locator(".st-key-" + re.sub(r"[^a-zA-Z0-9_-]", "-", key.strip()))


def wait_rerun(page, timeout_ms: float = 60_000) -> None:
    """Waits until the app has finished its rerun (no "running" status widget)."""
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=timeout_ms)


def pick_options(page, key: str, terms, timeout_ms: float = 30_000) -> None:
    """Picks each of `terms` in a multiselect or select box by typing it and pressing Enter."""
    box = widget(page, key).locator("input")
    box.wait_for(timeout=timeout_ms)
    chips = widget(page, key).locator('[data-tag]')  # a multiselect's picked options
    for term in terms:
        picked = chips.count()
        box.click()
        box.fill(term)
        page.locator('[role="option"]').filter(has_text=term).first.wait_for(timeout=timeout_ms)
        page.keyboard.press("Enter")
        if len(terms) > 1:  # the next term is typed only once this one is picked (typing sooner can drop it)
            chips.nth(picked).wait_for(timeout=timeout_ms)
    page.keyboard.press("Escape")


def press(page, key: str) -> None:
    """Clicks a button by keyboard: focus moves there first, closing any open drop-down that
    would otherwise take the click."""
    button = widget(page, key).locator("button")
    button.focus()
    page.keyboard.press("Enter")


@dataclass
class GuidedRun:
    """What the scripted guided start did, and how long it took."""

    seconds: float
    accounts: int
    path: Path


# The scripted person: 15 accounts, a phone and its number, a laptop, a safe, their photos and a purchase.
GUIDED_STEPS = [
    ("mail", 0, [{"name": "Gmail", "login": ["password"], "critical": True},
                 {"name": "Outlook", "login": ["password"]},
                 {"name": "Apple ID", "login": ["password"]}]),
    ("phones", 0, [{"name": "Pixel 8", "site": "carried"}]),
    ("phones", 1, [{"name": "My number", "number": "+49 170 0000000", "device": "pixel-8"}]),
    ("apps", 0, [{"name": "Bitwarden", "login": ["password", "sms:my-number"], "critical": True},
                 {"name": "Aegis authenticator", "login": ["device:pixel-8"]}]),
    ("accounts", 0, [{"name": name, "login": login} for name, login in [
        ("Bank", ["password:bitwarden", "sms:my-number"]), ("Amazon", ["password:bitwarden", "totp:aegis-authenticator"]),
        ("PayPal", ["password:bitwarden", "sms:my-number"]), ("GitHub", ["password:bitwarden", "totp:aegis-authenticator"]),
        ("Netflix", ["sso:gmail"]), ("Spotify", ["sso:gmail"]), ("Dropbox", ["password:bitwarden"]),
        ("Steam", ["password:bitwarden", "email:outlook"]), ("Mobile carrier", ["password:bitwarden"]),
        ("Health insurer", ["password", "sms:my-number"])]]),
    ("devices", 0, [{"name": "Laptop", "site": "home"}]),
    ("devices", 1, [{"name": "Safe", "site": "home"}]),
    ("data", 0, [{"name": "Photos", "copies": ["gmail", "laptop"], "critical": True}]),
    ("purchases", 0, [{"name": "Steam games", "account": "steam"}]),
]
STEP_ORDER = ["mail", "phones", "apps", "accounts", "devices", "data", "purchases"]


def run_guided_start(page, url: str, folder: Path, name: str = "guided", timeout_ms: float = 60_000) -> GuidedRun:
    """Drives "Start my map" in the browser the way a person would, to a
    15-account inventory in `folder`/NAME.yaml; returns the time it took
    from opening the page to the last purchase saved."""
    started = time.perf_counter()
    page.goto(url)
    page.get_by_text("Start my map", exact=True).first.click()
    owner = widget(page, "guide_owner").locator("input")
    owner.wait_for(timeout=timeout_ms)
    owner.fill("Sam")
    owner.press("Enter")
    wait_rerun(page, timeout_ms)
    file_box = widget(page, "guide_file").locator("input")
    file_box.fill(f"{name}.yaml")
    file_box.press("Enter")
    wait_rerun(page, timeout_ms)
    widget(page, "guide_start").locator("button").click()
    round_, step_at = 0, 0
    for step, index, things in GUIDED_STEPS:
        while STEP_ORDER[step_at] != step:
            widget(page, "guide_next").locator("button").click()
            step_at += 1
        for values in things:
            prefix = f"form-{round_}-g-{step}-{index}"
            widget(page, f"{prefix}-name").locator("input").wait_for(timeout=timeout_ms)
            for field_name, value in values.items():
                if field_name in ("login", "copies"):
                    pick_options(page, f"{prefix}-{field_name}" + ("-0" if field_name == "login" else ""), value)
                elif field_name in ("device", "account"):
                    pick_options(page, f"{prefix}-{field_name}", [value])
                elif field_name == "critical":
                    widget(page, f"{prefix}-{field_name}").locator("label").click()
                else:
                    widget(page, f"{prefix}-{field_name}").locator("input").fill(value)
            press(page, f"submit-g-{step}-{index}")
            round_ += 1
            widget(page, f"form-{round_}-g-{step}-{index}-name").wait_for(timeout=timeout_ms)
    seconds = time.perf_counter() - started
    path = folder / f"{name}.yaml"
    from identity_map.format.load import load_text

    return GuidedRun(seconds, len(load_text(path.read_text(), str(path)).of_kind("account")), path)
