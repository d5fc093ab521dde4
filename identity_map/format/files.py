"""Writing the user's files safely: atomic replace, previous version kept.

The CLI (`import --merge`, `-o`) and the app's Save both write through here,
so a crash never leaves half an inventory and a replaced one is never lost.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(path: str | Path, data: str | bytes) -> None:
    """Write via a temporary file in the same folder and a rename, so a crash
    never leaves half a file. A file that exists keeps its permissions; a new
    one is private to the user (0600: an inventory maps someone's life)."""
    path = Path(path)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(raw)
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def backup_path(path: Path) -> Path:
    return path.with_name(path.name + ".bak")


def replace_keeping_backup(path: str | Path, text: str) -> bool:
    """Atomically write `text` to `path`, first saving what it replaces as
    `PATH.bak`. Returns whether a previous, different version was kept."""
    path = Path(path)
    old = path.read_bytes() if path.exists() else None
    kept = old is not None and old != text.encode("utf-8")
    if kept:
        write_atomic(backup_path(path), old)
    write_atomic(path, text)
    return kept
