"""Drive the real app in Debian's chromium: shared by tests/test_browser.py and
benchmarks/bench_app.py. Every wait is on a condition with a timeout.
"""

from __future__ import annotations

import os
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

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
LOCAL_SCHEMES = {"data", "blob", "about"}
GRAPH_FRAME = 'iframe[title="Dependency graph"]'

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


def graph_frame(page, timeout_ms: float):
    """The frame the graph is drawn in, once it exists: the sandboxed iframe
    (opaque origin) inside the app's graph iframe."""
    handle = page.wait_for_selector(GRAPH_FRAME, state="attached", timeout=timeout_ms)
    outer = handle.content_frame()
    assert outer is not None, "the graph iframe has no frame"
    inner = outer.wait_for_selector('iframe[sandbox="allow-scripts"]', state="attached", timeout=timeout_ms)
    frame = inner.content_frame()
    assert frame is not None, "the sandboxed graph iframe has no frame"
    return frame


def wait_graph_drawn(page, timeout_ms: float) -> int:
    """Waits until the graph canvas shows drawn nodes; returns the painted pixels."""
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        frame = graph_frame(page, max(1.0, (deadline - time.monotonic()) * 1000))
        try:
            handle = frame.wait_for_function(f"({PAINTED_PIXELS_JS})() > {PAINTED_ENOUGH}",
                                              timeout=max(1.0, (deadline - time.monotonic()) * 1000))
            handle.dispose()
            return frame.evaluate(PAINTED_PIXELS_JS)
        except Exception as exc:  # the app rerun replaced the iframe: look again
            if "detached" not in str(exc).lower() and "destroyed" not in str(exc).lower():
                raise
            if time.monotonic() > deadline:
                raise


def metric_values(page) -> list[str]:
    return page.locator('[data-testid="stMetricValue"]').all_inner_texts()
