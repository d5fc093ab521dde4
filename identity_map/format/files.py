"""Reading and writing the user's files safely.

Reading (`read_limited`): the type and size are checked on the open file
before anything is read, and at most the limit + 1 bytes are read, so a
FIFO, /dev/zero, a 5 GB file or a file that grows while read never hangs
or exhausts memory.

Writing (`write_atomic`, `replace_keeping_backup`): through a symlink to its
target (the link stays: an inventory kept in a vault folder stays there),
via a private temporary file in the same folder that is flushed to disk,
renamed over the target, and the folder flushed too, so a crash or power
cut leaves either the old file or the new one, never half of one; the
replaced version is kept, just as durably, as FILE.bak. The CLI (`-o`,
`import --merge`) and the app's Save all write through here.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

PRIVATE = 0o600  # an inventory maps someone's life


class FileRefused(ValueError):
    """The path is not a regular file of acceptable size; the message says why."""


def read_limited(path: str | Path, limit: int) -> bytes:
    """The bytes of the regular file at `path` (symlinks followed); raises
    FileRefused for a FIFO, device, folder or a file over `limit` bytes,
    OSError when it cannot be opened. Cost: at most limit + 1 bytes read.

    >>> read_limited("/dev/zero", 10)
    Traceback (most recent call last):
    ...
    identity_map.format.files.FileRefused: not a regular file (a character device)
    """
    # O_NONBLOCK: opening a FIFO with no writer would otherwise wait forever.
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise FileRefused(f"not a regular file ({_file_type(info.st_mode)})")
        if info.st_size > limit:
            raise FileRefused(_too_big(limit))
        chunks, size = [], 0
        while size <= limit:  # the file may grow while it is read
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise FileRefused(_too_big(limit))
        return b"".join(chunks)
    finally:
        os.close(fd)


def _too_big(limit: int) -> str:
    size = f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit:,} bytes"
    return f"too big: larger than {size}, more than this reads; is this the right file?"


def _file_type(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "a special file"


def target_of(path: str | Path) -> Path:
    """Where writing to `path` lands: a symlink's final target, else `path`.
    Cost: one realpath."""
    return Path(os.path.realpath(path))


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:  # some platforms cannot open a folder; the rename is still atomic
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_atomic(path: str | Path, data: str | bytes) -> None:
    """Write `data` durably to `path` (through a symlink to its target): a
    temporary file in the same folder, private while written (0600), given
    the replaced file's permissions (a new file stays 0600), flushed,
    renamed over the target, and the folder flushed. A crash never leaves
    half a file; FileRefused when the target is a folder or special file.
    Cost: one write and two fsyncs."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    _replace(target_of(path), lambda out: out.write(raw))


def _replace(path: Path, write) -> None:
    try:
        info = path.stat()
    except FileNotFoundError:
        mode = PRIVATE
    else:
        if not stat.S_ISREG(info.st_mode):
            raise FileRefused(f"{path}: not a regular file ({_file_type(info.st_mode)}); not replaced")
        mode = stat.S_IMODE(info.st_mode)
    import tempfile  # only writers need it: commands that read start without it

    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)  # mkstemp: 0600
    try:
        with os.fdopen(fd, "wb") as out:
            write(out)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_folder(path.parent)


def backup_path(path: Path) -> Path:
    """Where the version a save replaces is kept: FILE.bak beside the file
    the save lands in (a symlink's target)."""
    path = target_of(path)
    return path.with_name(path.name + ".bak")


def _holds(path: Path, raw: bytes) -> bool:
    """Whether the regular file at `path` holds exactly `raw` (reads at most len(raw) + 1 bytes)."""
    try:
        return path.stat().st_size == len(raw) and read_limited(path, len(raw)) == raw
    except FileRefused:
        return False


def replace_keeping_backup(path: str | Path, text: str | bytes) -> bool:
    """Durably write `text` to `path` (see `write_atomic`), first keeping what
    it replaces, just as durably, as `PATH.bak`. Returns whether a
    previous, different version was kept. Cost: a streamed copy of the old
    file and one write; memory: the new text.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "me.yaml"
    >>> replace_keeping_backup(p, "one"), replace_keeping_backup(p, "two"), (p.parent / "me.yaml.bak").read_text()
    (False, True, 'one')
    """
    path = target_of(path)
    raw = text.encode("utf-8") if isinstance(text, str) else text
    exists = path.exists()
    if exists and not path.is_file():
        raise FileRefused(f"{path}: not a regular file; not replaced")
    kept = exists and not _holds(path, raw)
    if kept:
        import shutil  # as tempfile above

        with open(path, "rb", buffering=0) as old:
            _replace(backup_path(path), lambda out: shutil.copyfileobj(old, out, 1 << 20))
    write_atomic(path, raw)
    return kept
