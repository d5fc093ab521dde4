"""The first graph, drawn before Streamlit's own page has started.

Streamlit's page needs 1.5-2 s on this project's 2-core machine before its
websocket opens and the app's first run can send anything, so a graph
drawn by the app cannot appear within 2 s of opening the page. The
launcher therefore adds, to the page Streamlit serves at `/`, a frame that
loads at once the very graph the app's first run will draw
(`view.opening_graph_page`: the file the app opens, its default scenario),
computed here from the same file with the same functions. Streamlit's own
scripts are moved into a small script that starts them once that graph is
drawn (START_APP_AFTER_S at most). The same script keeps the frame over the app's graph frame once that one
exists, and removes it when the app's own graph says it is drawn (the
graph page posts `render.GRAPH_DRAWN` to the top window), when the app's
graph goes away (another page was picked), when the app's first run ends
without one, when the frame holds no graph (the file changed in between),
or after GIVE_UP_S.

Nothing of the person's reaches the page Streamlit serves: the frame's
address and the script are constants; the graph itself is the sandboxed
graph page the app embeds (`render.sandboxed`). Pure ASGI: no Streamlit
import; `hosts.LoopbackOnly` runs before this, so only loopback Host
headers ever get here.
"""

from __future__ import annotations

import asyncio
import os
import re
from dataclasses import dataclass
from pathlib import Path
from threading import Lock

from identity_map.app.view import analyse, opening_graph_page
from identity_map.app.workspace import open_path
from identity_map.output.render import APP_VIS_SRC, GRAPH_DRAWN, script_json

FIRST_GRAPH = "/_identity_map/first-graph"
GIVE_UP_S = 30  # the app has not drawn its graph by then: something else is on screen
# Streamlit's scripts wait for the first graph to be drawn (or its frame to load without one), at
# most this long: compiling them takes the same cores the graph is drawn with (on this 2-core
# machine they delayed it by about 1 s).
START_APP_AFTER_S = 4
APP_GRAPH = 'iframe[title="Dependency graph"]'  # app.py's st.iframe(alt=...)
# Where the app's graph frame comes to be (measured in chromium at 1280x800: beside the open
# sidebar; Streamlit puts columns under each other and hides the sidebar below 640 px). A
# stylesheet, not inline style: the frame moves onto the app's own as soon as that one is on the page.
GUESS = ("#identity-map-first {left: calc(21rem + 3rem); top: 274px; width: calc((100vw - 21rem - 6rem) * 0.715);"
         " height: 516px}"
         " @media (max-width: 640px) {#identity-map-first {left: 1rem; top: 274px; width: calc(100vw - 2rem)}}")
# Streamlit's index.html loads the app as module scripts and preloads (Streamlit 1.67's build).
_APP_SCRIPTS = re.compile(rb'<script type="module" crossorigin src="(?P<script>[^"<>]+)"></script>\s*'
                          rb'|<link rel="modulepreload" crossorigin href="(?P<preload>[^"<>]+)">\s*')

_OVERLAY = """<style>%(guess)s</style>
<div id="identity-map-first" style="position: fixed; z-index: 1000000; background: #ffffff">
<iframe title="First graph" src="%(src)s" style="border: 0; width: 100%%; height: 100%%; display: block"></iframe>
</div>
<script>
(() => {
  const box = document.getElementById('identity-map-first'), frame = box.firstElementChild;
  const until = Date.now() + %(give_up)d, scripts = %(scripts)s;
  let appeared = false, started = false, timer = 0;
  const appGraph = () => document.querySelector('%(app_graph)s');
  const inner = f => { try { return f && f.contentWindow.frames[0]; } catch (e) { return null; } };
  function start() {
    if (started) return;
    started = true;
    for (const [kind, src] of scripts) {
      const el = document.createElement(kind === 'script' ? 'script' : 'link');
      if (kind === 'script') { el.type = 'module'; el.src = src; } else { el.rel = 'modulepreload'; el.href = src; }
      el.crossOrigin = '';
      document.head.appendChild(el);
    }
  }
  function done() { box.remove(); clearInterval(timer); removeEventListener('message', heard); start(); }
  function heard(event) {
    if (event.data !== %(drawn)s) return;
    // after the next frame, so the drawn graph reaches the screen before Streamlit's scripts compile
    if (event.source === inner(frame)) requestAnimationFrame(() => setTimeout(start, 0));
    else if (event.source === inner(appGraph())) done();
  }
  function follow() {
    const app = appGraph(), root = document.querySelector('[data-testid="stApp"]');
    if (empty()) done();
    else if (app) {
      appeared = true;
      const r = app.getBoundingClientRect();
      Object.assign(box.style, {left: r.left + 'px', top: r.top + 'px', width: r.width + 'px', height: r.height + 'px'});
    } else if (appeared || Date.now() > until
               || (root && root.dataset.testScriptState === 'notRunning')) done();
  }
  // A frame without a graph inside (an answer other than the graph page) gives way to the app at
  // once: looked at on its load and by each follow(), since a quick answer may load before this runs.
  function empty() {
    try {
      const doc = frame.contentDocument;
      return doc.location.href !== 'about:blank' && doc.readyState === 'complete' && !doc.querySelector('iframe');
    } catch (e) { return true; }
  }
  frame.addEventListener('load', () => { if (empty()) done(); });
  addEventListener('message', heard);
  timer = setInterval(follow, 50);
  setTimeout(start, %(start_after)d);
})();
</script>
"""


@dataclass(frozen=True)
class Opening:
    """The graph page of one version of the opened file (None: the app opens on another page)."""

    stamp: tuple[int, int] | None
    page: str | None


class FirstGraph:
    """The opening graph of `path`, computed again whenever the file
    changes (its mtime or size). Thread-safe: the server may ask from
    several threads. Cost: one read and analysis per version of the file."""

    def __init__(self, path: Path, vis_src: str | None = APP_VIS_SRC):
        self.path, self.vis_src = path, vis_src
        self._opening = Opening(None, None)
        self._lock = Lock()

    def page(self) -> str | None:
        """The graph page, or None when the app opens on something else:
        an empty or missing file (Start my map) or an invalid one (the errors)."""
        try:
            info = os.stat(self.path)
            stamp = (info.st_mtime_ns, info.st_size)
        except OSError:
            return None
        with self._lock:
            if self._opening.stamp != stamp:
                self._opening = Opening(stamp, self._compute())
            return self._opening.page

    def _compute(self) -> str | None:
        opened = open_path(self.path)
        if not opened.text.strip():
            return None
        analysis = analyse(opened.text, opened.doc.name)
        return opening_graph_page(analysis, self.vis_src) if analysis.ok else None


def with_overlay(index: bytes) -> bytes:
    """Streamlit's index page with the first graph's frame and script at
    the start of its body, and Streamlit's own scripts moved into that
    script, which starts them once the first graph is drawn (see
    START_APP_AFTER_S). A page without a body is returned unchanged.

    >>> page = with_overlay(b'<head><script type="module" crossorigin src="./a.js"></script></head><body></body>')
    >>> b"identity-map-first" in page, b'<script type="module"' in page, b'["script", "./a.js"]' in page
    (True, False, True)
    >>> with_overlay(b"no body here")
    b'no body here'
    """
    if index.find(b"<body") < 0:
        return index
    scripts = [["script", m["script"].decode()] if m["script"] else ["preload", m["preload"].decode()]
               for m in _APP_SCRIPTS.finditer(index)]
    index = _APP_SCRIPTS.sub(b"", index)
    at = index.find(b"<body")
    end = index.find(b">", at)
    overlay = _OVERLAY % {"guess": GUESS, "src": FIRST_GRAPH, "give_up": GIVE_UP_S * 1000, "app_graph": APP_GRAPH,
                          "scripts": script_json(scripts), "drawn": script_json(GRAPH_DRAWN),
                          "start_after": int(START_APP_AFTER_S * 1000)}
    return index[:end + 1] + overlay.encode() + index[end + 1:]


# Request headers dropped for `/`: the answer must be the whole page, uncompressed, to add the frame.
_DROPPED = {b"accept-encoding", b"if-none-match", b"if-modified-since"}


class Prepaint:
    """ASGI middleware: GET FIRST_GRAPH answers the opening graph page (404
    when the app opens on something else); GET / gets the overlay added
    when there is one. Everything else goes to the app untouched."""

    def __init__(self, app, first: FirstGraph):
        self.app, self.first = app, first

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("method") not in ("GET", "HEAD"):
            return await self.app(scope, receive, send)
        if scope["path"] == FIRST_GRAPH:
            return await self._first_graph(scope, send)
        if scope["path"] == "/" and scope["method"] == "GET" and await self._page() is not None:
            scope = {**scope, "headers": [(k, v) for k, v in scope["headers"] if k.lower() not in _DROPPED]}
            return await self.app(scope, receive, _Injecting(send))
        return await self.app(scope, receive, send)

    async def _page(self) -> str | None:
        # In a worker thread: a changed file is analysed and drawn again (seconds on a large one),
        # which must not hold up the event loop that serves every session's websocket.
        return await asyncio.to_thread(self.first.page)

    async def _first_graph(self, scope, send) -> None:
        page = await self._page()
        body = page.encode() if page is not None else b"no first graph: the app opens on another page\n"
        kind = b"text/html; charset=utf-8" if page is not None else b"text/plain; charset=utf-8"
        await send({"type": "http.response.start", "status": 200 if page is not None else 404,
                    "headers": [(b"content-type", kind), (b"content-length", str(len(body)).encode()),
                                (b"cache-control", b"no-store"), (b"x-content-type-options", b"nosniff")]})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})


class _Injecting:
    """The `send` of one `/` response: holds an HTML answer back until its
    last part, then sends it with the overlay (and its new length)."""

    def __init__(self, send):
        self.send, self.start, self.parts = send, None, []

    async def __call__(self, message):
        if message["type"] == "http.response.start":
            headers = dict((k.lower(), v) for k, v in message.get("headers", ()))
            if message.get("status") == 200 and headers.get(b"content-type", b"").startswith(b"text/html") \
                    and b"content-encoding" not in headers:
                self.start = message
                return
            return await self.send(message)
        if self.start is None or message["type"] != "http.response.body":
            return await self.send(message)
        self.parts.append(message.get("body", b""))
        if message.get("more_body", False):
            return
        body = with_overlay(b"".join(self.parts))
        headers = [(k, v) for k, v in self.start.get("headers", ()) if k.lower() != b"content-length"]
        await self.send({**self.start, "headers": [*headers, (b"content-length", str(len(body)).encode())]})
        await self.send({"type": "http.response.body", "body": body})
