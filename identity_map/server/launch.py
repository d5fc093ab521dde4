"""`identity-map app [FILE]`: the Streamlit app, answering to loopback only.

Streamlit's own `server.allowedHosts` (set in .streamlit/config.toml)
checks the Host of websockets only; plain HTTP answers any Host. The
launcher puts `hosts.LoopbackOnly` in front of Streamlit's own middleware
before the server is built, so every request, HTTP and websocket, is
checked, and `prepaint.Prepaint` after it, which draws the opening graph
before Streamlit's own page has started. It relies on one Streamlit internal
(`starlette_app.create_streamlit_middleware`, Streamlit 1.67): when that
is missing it refuses to start rather than serve unchecked.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from identity_map.app.workspace import initial_path
from identity_map.server.hosts import LoopbackOnly
from identity_map.server.prepaint import FirstGraph, Prepaint

APP = Path(__file__).resolve().parent.parent.parent / "app.py"
DEFAULT = APP.parent / "examples" / "malik.yaml"  # app.py's own default
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")


class CannotProtect(RuntimeError):
    """This Streamlit has no place to put the Host check: not started."""


def install_host_check(first: FirstGraph | None = None) -> None:
    """Make every Streamlit server built from now on in this process refuse
    foreign Host headers, and (with `first`) paint that opening graph first
    (idempotent). Raises CannotProtect when the installed Streamlit lacks
    the hook. Cost: an import of Streamlit."""
    try:
        from starlette.middleware import Middleware
        from streamlit.web.server.starlette import starlette_app
        original = starlette_app.create_streamlit_middleware
    except (ImportError, AttributeError) as exc:
        raise CannotProtect(f"this Streamlit version has no middleware hook ({exc}); "
                            "install the version pyproject.toml allows") from None
    if getattr(original, "loopback_only", False):
        return
    ours = [Middleware(LoopbackOnly), *([Middleware(Prepaint, first=first)] if first is not None else [])]

    def with_host_check():
        return [*ours, *original()]

    with_host_check.loopback_only = True
    starlette_app.create_streamlit_middleware = with_host_check


def streamlit_args(inventory: str | None, port: int | None) -> list[str]:
    """The `streamlit run` arguments: app.py on loopback, no telemetry, and
    the inventory to open (if any) after `--`.

    >>> streamlit_args("me.yaml", 8600)[-4:]
    ['--server.port', '8600', '--', 'me.yaml']
    """
    # static/ beside app.py: the graph pages' copy of vis-network (whatever the working directory's config says)
    args = ["run", str(APP), "--server.address", "127.0.0.1", "--server.headless", "true",
            "--browser.gatherUsageStats", "false", "--server.enableStaticServing", "true"]
    for name in LOOPBACK_NAMES:
        args += ["--server.allowedHosts", name]
    if port is not None:
        args += ["--server.port", str(port)]
    return args + (["--", inventory] if inventory else [])


def run(inventory: str | None = None, port: int | None = None) -> int:
    """Serve the app until interrupted; returns the exit code."""
    first = FirstGraph(Path(inventory) if inventory else initial_path((), os.environ, APP, DEFAULT))
    # Prepared while Streamlit starts, so the first visit does not wait for it (seconds on a large file).
    threading.Thread(target=first.page, name="first-graph", daemon=True).start()
    install_host_check(first)
    from streamlit.web import cli as streamlit_cli

    try:
        streamlit_cli.main(args=streamlit_args(inventory, port), prog_name="streamlit", standalone_mode=False)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 0
    return 0
