"""Only loopback Host headers are served: the defence against DNS rebinding.

A web page the person visits while the app runs can point its own domain at
127.0.0.1 (DNS rebinding); the browser then sends `Host: evil.example` to the
app's port and treats the answers as that page's own, so the page could read
the whole inventory and press Save. A request whose Host is not this
machine's loopback name (127.0.0.1, localhost or [::1], with or without the
port) is refused before Streamlit sees it, for plain HTTP and for the
websocket alike. Pure ASGI: no Streamlit import.
"""

from __future__ import annotations

import re

_LOOPBACK = re.compile(r"(?:127\.0\.0\.1|localhost|\[::1\])(?::[0-9]{1,5})?", re.IGNORECASE)
REFUSED = (b"identity-map answers only to http://127.0.0.1, http://localhost or http://[::1] "
           b"(this request named another host: DNS rebinding is refused).\n")


def is_loopback_host(host: str | None) -> bool:
    """Whether a Host header names this machine's loopback interface.
    Cost: one regex match.

    >>> [is_loopback_host(h) for h in ("127.0.0.1:8501", "localhost", "[::1]:80", "evil.example:8501", None)]
    [True, True, True, False, False]
    """
    return host is not None and _LOOPBACK.fullmatch(host) is not None


def request_host(scope: dict) -> str | None:
    """The one Host header of an ASGI request (None when missing or repeated)."""
    hosts = [value for name, value in scope.get("headers", ()) if name.lower() == b"host"]
    if len(hosts) != 1:
        return None
    return hosts[0].decode("latin-1")


class LoopbackOnly:
    """ASGI middleware: HTTP requests with a foreign Host get 403, websockets
    with one are closed before they open (403 to the handshake)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] in ("http", "websocket") and not is_loopback_host(request_host(scope)):
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})
            else:
                await send({"type": "http.response.start", "status": 403,
                            "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                        (b"content-length", str(len(REFUSED)).encode())]})
                await send({"type": "http.response.body", "body": REFUSED})
            return
        await self.app(scope, receive, send)
