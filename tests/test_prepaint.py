"""The launcher's first graph (identity_map/server/prepaint.py), over ASGI without a server.

The page Streamlit serves at `/` gets the frame and the script that start the
app once the first graph is drawn; the first graph is exactly the graph the
app's first run draws; nothing else passes through changed. The browser side
(drawn first, handed over, offline, markup as text) is in tests/test_browser.py.
"""

from __future__ import annotations

import asyncio
import os
import re
from pathlib import Path

import streamlit

from app_support import EXAMPLES, XSS
from identity_map.app.view import analyse, opening_graph_page
from identity_map.app.workspace import open_path
from identity_map.output.render import APP_VIS_SRC
from identity_map.server.prepaint import FIRST_GRAPH, FirstGraph, Prepaint, with_overlay

STREAMLIT_INDEX = (Path(streamlit.__file__).parent / "static" / "index.html").read_bytes()
VALID = "version: 1\naccounts:\n  mail: {name: Mail}\n  shop: {login: [mail]}\n"


def index_app(body: bytes = STREAMLIT_INDEX, kind: bytes = b"text/html", chunks: int = 1, extra=()):
    """A stand-in for Streamlit: answers every request with `body`, in `chunks` parts; records what it saw."""
    seen = []

    async def app(scope, receive, send):
        seen.append(scope)
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", kind), (b"content-length", str(len(body)).encode()), *extra]})
        size = -(-len(body) // chunks)
        for i in range(chunks):
            await send({"type": "http.response.body", "body": body[i * size:(i + 1) * size], "more_body": i < chunks - 1})

    return app, seen


def request(app, path: str = "/", method: str = "GET", headers=()):
    """(status, headers, body) of one HTTP request through `app`."""
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": method, "path": path, "headers": [(b"host", b"127.0.0.1:8501"), *headers]}
    asyncio.run(app(scope, receive, send))
    start = sent[0]
    body = b"".join(m.get("body", b"") for m in sent[1:])
    return start["status"], dict(start["headers"]), body


def prepaint(path: Path, **kwargs):
    inner, seen = index_app(**kwargs)
    return Prepaint(inner, FirstGraph(path)), seen


def test_the_first_graph_is_the_graph_the_app_opens_on(tmp_path):
    for example in ("malik.yaml", "household.yaml"):
        path = EXAMPLES / example
        status, headers, body = request(prepaint(path)[0], FIRST_GRAPH)
        expected = opening_graph_page(analyse(path.read_text(), open_path(path).doc.name), APP_VIS_SRC)
        assert status == 200 and body.decode() == expected, example
        assert headers[b"cache-control"] == b"no-store" and headers[b"content-type"].startswith(b"text/html")


def test_streamlits_page_gets_the_frame_and_its_scripts_start_from_ours():
    status, headers, body = request(prepaint(EXAMPLES / "malik.yaml")[0])
    assert status == 200 and int(headers[b"content-length"]) == len(body)
    assert body.count(b'id="identity-map-first"') == 1 and FIRST_GRAPH.encode() in body
    # Streamlit's module script and preloads moved into our script (this Streamlit's own index.html)
    assert b'<script type="module"' not in body and b'rel="modulepreload"' not in body
    moved = re.findall(rb'src="(\./static/js/[^"]+)"', STREAMLIT_INDEX)
    assert moved and all(b'"' + src + b'"' in body for src in moved)
    assert body.index(b"identity-map-first") < body.index(b'<div id="root">')


def test_a_body_in_several_parts_is_put_together():
    status, headers, body = request(prepaint(EXAMPLES / "malik.yaml", chunks=7)[0])
    assert body == with_overlay(STREAMLIT_INDEX) and int(headers[b"content-length"]) == len(body)


def test_compression_and_conditional_requests_are_not_asked_for_the_index():
    app, seen = prepaint(EXAMPLES / "malik.yaml")
    request(app, headers=[(b"accept-encoding", b"gzip"), (b"if-none-match", b'"x"')])
    names = {name for name, _ in seen[0]["headers"]}
    assert b"accept-encoding" not in names and b"if-none-match" not in names and b"host" in names


def test_nothing_else_is_changed():
    path = EXAMPLES / "malik.yaml"
    for kwargs, req in [({}, {"path": "/_stcore/health"}),
                        ({}, {"method": "HEAD"}),
                        ({}, {"method": "POST"}),
                        ({"kind": b"application/json"}, {}),
                        ({"extra": [(b"content-encoding", b"gzip")]}, {})]:
        app, _ = prepaint(path, **kwargs)
        assert request(app, **req)[2] == STREAMLIT_INDEX, (kwargs, req)


def test_no_first_graph_when_the_app_opens_on_another_page(tmp_path):
    empty, broken, missing = tmp_path / "empty.yaml", tmp_path / "broken.yaml", tmp_path / "none.yaml"
    empty.write_text("  \n")
    broken.write_text("version: 1\naccounts: [\n")
    for path in (empty, broken, missing):
        app, _ = prepaint(path)
        status, _, body = request(app, FIRST_GRAPH)
        assert status == 404, path
        assert request(app)[2] == STREAMLIT_INDEX, path  # Streamlit's page as it is


def test_a_changed_file_gets_its_new_graph(tmp_path):
    path = tmp_path / "me.yaml"
    path.write_text(VALID)
    app, _ = prepaint(path)
    before = request(app, FIRST_GRAPH)[2].decode()
    path.write_text(VALID.replace("Mail", "Post"))
    os.utime(path, ns=(1, 1))  # a new stamp even when the clock did not move
    after = request(app, FIRST_GRAPH)[2].decode()
    assert "Mail" in before and "Post" not in before and "Post" in after
    path.write_text("version: 1\naccounts: {")
    assert request(app, FIRST_GRAPH)[0] == 404


def test_nothing_of_the_inventory_reaches_streamlits_page():
    # the page is the same whatever the file holds: markup in names can only reach the sandboxed graph
    pages = {request(prepaint(path)[0])[2] for path in (XSS, EXAMPLES / "malik.yaml", EXAMPLES / "household.yaml")}
    assert pages == {with_overlay(STREAMLIT_INDEX)}
