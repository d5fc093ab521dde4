"""DNS rebinding: a real server started here answers only to loopback Host names.

A page on another origin whose name resolves to 127.0.0.1 makes the browser
send its own name as Host; such requests must be refused, over HTTP and on
the websocket that carries the inventory, while 127.0.0.1 and localhost work.
"""

from __future__ import annotations

import base64
import os
import socket
import sys

import pytest

from browser_support import free_port, serve
from identity_map.server.hosts import is_loopback_host

FOREIGN = ("evil.example", "evil.example:{port}", "127.0.0.1.evil.example:{port}", "localhost.:{port}",
           "127.0.0.1:{port}@evil.example", "")
LOCAL = ("127.0.0.1:{port}", "localhost:{port}", "LOCALHOST:{port}")


def raw_request(port: int, path: str, host: str | None, websocket: bool = False) -> str:
    """The status line of one request sent byte by byte (so the Host header is exactly ours)."""
    lines = [f"GET {path} HTTP/1.1"]
    if host is not None:
        lines.append(f"Host: {host}")
    if websocket:
        key = base64.b64encode(os.urandom(16)).decode()
        lines += ["Upgrade: websocket", "Connection: Upgrade", f"Sec-WebSocket-Key: {key}",
                  "Sec-WebSocket-Version: 13", "Sec-WebSocket-Protocol: streamlit"]
    lines += ["Connection: close" if not websocket else "", ""]
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(("\r\n".join(line for line in lines if line) + "\r\n\r\n").encode())
        data = b""
        while b"\r\n" not in data:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    return data.split(b"\r\n", 1)[0].decode()


@pytest.fixture(scope="module")
def launched():
    port = free_port()
    with serve([sys.executable, "-m", "identity_map.cli", "app", "examples/malik.yaml", "--port", str(port)], port):
        yield port


@pytest.mark.parametrize("path", ["/", "/_stcore/health", "/_stcore/host-config", "/media/x.html",
                                  "/_identity_map/first-graph"])
@pytest.mark.parametrize("host", FOREIGN)
def test_a_foreign_host_gets_nothing_over_http(launched, path, host):
    status = raw_request(launched, path, host.format(port=launched) if host else None)
    # no Host at all: the HTTP/1.1 parser itself answers 400
    assert status.split()[1] == ("403" if host else "400"), status


@pytest.mark.parametrize("host", LOCAL)
def test_loopback_hosts_are_served(launched, host):
    status = raw_request(launched, "/", host.format(port=launched))
    assert " 200 " in status, status


def test_the_first_graph_is_served_to_loopback(launched):
    assert " 200 " in raw_request(launched, "/_identity_map/first-graph", f"127.0.0.1:{launched}")


def test_the_agent_api_is_off(launched):
    # Streamlit's HTTP API for driving the app (Save included) would take form posts from any web page
    # that names 127.0.0.1: .streamlit/config.toml keeps it off, and so does Streamlit's default
    lines = ["POST /_stcore/agent/interact HTTP/1.1", f"Host: 127.0.0.1:{launched}",
             "Content-Type: text/plain", "Content-Length: 2", "Connection: close", "", "{}"]
    with socket.create_connection(("127.0.0.1", launched), timeout=10) as s:
        s.sendall("\r\n".join(lines).encode())
        status = s.recv(4096).split(b"\r\n", 1)[0].decode()
    assert " 403 " in status or " 404 " in status, status


def test_the_websocket_refuses_a_foreign_host_and_opens_for_loopback(launched):
    assert " 101 " not in raw_request(launched, "/_stcore/stream", f"evil.example:{launched}", websocket=True)
    assert " 101 " in raw_request(launched, "/_stcore/stream", f"127.0.0.1:{launched}", websocket=True)


def test_plain_streamlit_run_refuses_the_websocket_of_a_foreign_host():
    # `streamlit run app.py` without the launcher: .streamlit/config.toml's allowedHosts guards the websocket
    port = free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
           "--server.fileWatcherType", "none"]
    with serve(cmd, port):
        assert " 101 " not in raw_request(port, "/_stcore/stream", f"evil.example:{port}", websocket=True)
        assert " 101 " in raw_request(port, "/_stcore/stream", f"localhost:{port}", websocket=True)


def test_the_host_check_itself():
    assert is_loopback_host("[::1]:8501") and is_loopback_host("127.0.0.1")
    for host in ("127.0.0.2", "0.0.0.0:8501", "localhost:x", "[::1]evil", "localhost:8501 evil", "::1"):
        assert not is_loopback_host(host), host
