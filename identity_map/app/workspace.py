"""The inventory open in the app's editor: opening, saving, and noticing
edits made to the file elsewhere. Plain functions, no Streamlit.

Promises kept here:
- the text in the editor is never thrown away: switching files keeps
  unsaved edits as a draft that comes back when the file is reopened, and
  an outside change to the file never overwrites unsaved edits;
- Save never writes text that fails validation, writes atomically
  (temporary file + rename), and keeps the version it replaces as FILE.bak;
- an upload is written nowhere until it is saved under a name in the
  inventories folder;
- an imported password-manager export is read once, in memory, and only the
  importer's draft (which holds no secret) is kept: the export's bytes are
  never written anywhere nor kept.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from identity_map.format.files import (  # noqa: F401 (backup_path: part of this API)
    FileRefused, backup_path, read_limited, replace_keeping_backup, target_of,
)
from identity_map.importers import run_import
from identity_map.format.load import MAX_BYTES
from identity_map.analysis.validate import validate_text

ENV_INVENTORY = "IDENTITY_MAP_INVENTORY"  # the file to open
ENV_FOLDER = "IDENTITY_MAP_INVENTORIES"  # where your own inventories live (listed, and Save as target)
SUFFIXES = (".yaml", ".yml")
_FILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


@dataclass(frozen=True)
class Notice:
    """A one-time message for the person: level is info, success, warning or error."""

    level: str
    text: str


@dataclass(frozen=True)
class Document:
    """What the editor holds. `disk` is the file's text as last read or
    written (None: there is no file yet, or it could not be read)."""

    name: str  # shown to the person
    path: Path | None  # where Save writes; None for an upload not saved yet
    disk: str | None = None

    @property
    def key(self) -> str:
        """Identifies the document across switches (the drafts' key)."""
        return str(target_of(self.path)) if self.path else f"upload:{self.name}"

    def dirty(self, text: str) -> bool:
        return text != self.disk


@dataclass(frozen=True)
class Opened:
    doc: Document
    text: str  # what the editor should now hold
    notice: Notice | None = None


def display_name(path: Path) -> str:
    """The path relative to the working folder when inside it, else absolute."""
    # realpath, not Path.resolve: a symlink loop must open with a message, not raise
    resolved = target_of(path)
    try:
        return str(resolved.relative_to(target_of(Path.cwd())))
    except ValueError:
        return str(resolved)


def initial_path(argv: Sequence[str], env: Mapping[str, str], script: Path, default: Path) -> Path:
    """The file to open first: the argument after `--` in
    `streamlit run app.py -- FILE`, else $IDENTITY_MAP_INVENTORY, else `default`.

    `streamlit run` sets sys.argv to [script, *args]; anything else (a test
    runner's own argv) is not ours to read.
    """
    ours = bool(argv) and target_of(argv[0]) == target_of(script)
    if ours and len(argv) > 1:
        return Path(argv[1])
    if env.get(ENV_INVENTORY):
        return Path(env[ENV_INVENTORY])
    return default


def inventories_folder(env: Mapping[str, str], root: Path) -> Path:
    return Path(env.get(ENV_FOLDER) or root / "inventories")


def inventory_files(folders: Sequence[Path]) -> list[Path]:
    """The YAML files directly in each folder, folder by folder, sorted by name."""
    found: list[Path] = []
    for folder in folders:
        if folder.is_dir():
            found += sorted(p for p in folder.iterdir() if p.suffix.lower() in SUFFIXES and p.is_file())
    return found


def _read(path: Path) -> str:
    """The file's text; OSError or ValueError with a readable message (a
    FIFO, device or oversized file is refused before it is read)."""
    try:
        return read_limited(path, MAX_BYTES).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8 text (byte {exc.start})") from None


def open_path(path: Path) -> Opened:
    """Open a file; never raises. A missing file opens empty (Save creates
    it); an unreadable one opens empty with no path, so Save cannot
    overwrite what could not be read."""
    name = display_name(path)
    try:
        text = _read(path)
    except FileNotFoundError:
        return Opened(Document(name, path, None), "",
                      Notice("warning", f"{name} does not exist yet: write an inventory, and Save creates it."))
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return Opened(Document(name, None, None), "", Notice("error", f"Cannot open {name}: {reason}."))
    return Opened(Document(name, path, text), text)


def open_upload(file_name: str, data: bytes) -> Opened:
    """An uploaded file, into the editor only (ValueError when not text)."""
    if len(data) > MAX_BYTES:
        raise ValueError(f"{file_name} is larger than {MAX_BYTES // (1024 * 1024)} MB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{file_name} is not UTF-8 text (byte {exc.start})") from None
    return Opened(Document(f"uploaded {file_name}", None, None), text,
                  Notice("info", f"Opened the upload {file_name} in the editor. It is not saved anywhere "
                                 "until you save it under a name in your inventories folder."))


@dataclass
class Workspace:
    """The open document plus the unsaved drafts of documents switched away from."""

    doc: Document
    drafts: dict[str, str] = field(default_factory=dict)

    def switch(self, text: str, opened: Opened) -> Opened:
        """Open another document; `text` is the editor's current text, kept
        as a draft when unsaved. Returns what the editor should hold."""
        if self.doc.dirty(text) and text:
            self.drafts[self.doc.key] = text
        draft = self.drafts.pop(opened.doc.key, None)
        self.doc = opened.doc
        if draft is not None and draft != opened.text:
            return Opened(opened.doc, draft,
                          Notice("info", f"Restored your unsaved edits to {opened.doc.name}."))
        return opened

    def sync(self, text: str) -> Opened:
        """Pick up a change made to the open file outside the app.

        The file is re-read on every interaction and compared by content:
        modification times are coarse on some file systems (FAT, network
        shares) and would miss a quick same-size edit. Cost: one read of a
        file of at most MAX_BYTES.
        """
        doc = self.doc
        if doc.path is None:
            return Opened(doc, text)
        try:
            current = _read(doc.path)
        except FileNotFoundError:
            current = None
        except (OSError, ValueError):
            return Opened(doc, text)  # unreadable for now: keep what we have
        if current == doc.disk:
            return Opened(doc, text)
        self.doc = replace(doc, disk=current)
        if current is None:
            return Opened(self.doc, text, Notice("warning", f"{doc.name} was deleted or moved; "
                                                             "the editor keeps its text, and Save writes it again."))
        if text == doc.disk:
            return Opened(self.doc, current, Notice("info", f"{doc.name} changed on disk: reloaded."))
        return Opened(self.doc, text, Notice(
            "warning", f"{doc.name} changed on disk while you have unsaved edits. The editor keeps your "
                       "edits; Save replaces the file (keeping its current version as .bak), "
                       "or Revert loads the file from disk."))

    def save(self, text: str, target: Path | None = None) -> Notice:
        """Save `text` to `target` (default: the open file), which becomes the
        open document. Refuses text that fails validation; keeps the replaced
        version as FILE.bak."""
        path = target or self.doc.path
        if path is None:
            return Notice("error", "Not saved: choose a file name in your inventories folder (Save as).")
        # Saving over the open file: only over the version last read, so a save made meanwhile in
        # another tab or editor is never dropped without a word.
        same = target is None or _same_place(target, self.doc.path)
        notice = save_file(text, path, self.doc.disk if same else None, check=same)
        if notice is CHANGED:
            self.doc = replace(self.doc, disk=_read_or_none(path))
            return Notice("error", f"Not saved: {self.doc.name} was changed elsewhere (another tab or editor) "
                                   "since you opened it. Your edits are still in the editor; copy them, "
                                   "then Revert to see the other version and merge, or Save as another name.")
        if notice.level == "success":
            self.doc = Document(display_name(path), path, text)
            self.drafts.pop(self.doc.key, None)
        return notice

    def revert(self) -> Opened:
        """Throw away the edits: the editor gets the file's text back."""
        return Opened(self.doc, self.doc.disk or "")


CHANGED = Notice("error", "Not saved: the file changed since it was last read.")


def _same_place(a: Path, b: Path | None) -> bool:
    return b is not None and target_of(a) == target_of(b)


def _read_or_none(path: Path) -> str | None:
    try:
        return _read(path)
    except (OSError, ValueError):
        return None


def save_file(text: str, path: Path, last_read: str | None = None, check: bool = False) -> Notice:
    """Write `text` to `path` if it validates: durably and atomically,
    through a symlink to its target, the replaced version kept as FILE.bak.
    With `check`, only when the file still holds `last_read` (None: it did
    not exist) — else returns `CHANGED` and writes nothing. Never raises;
    the notice says what happened."""
    name = display_name(path)
    checked = validate_text(text, name)
    if checked.errors:
        first = checked.errors[0]
        return Notice("error", f"Not saved: the text has {len(checked.errors)} error(s), first at line "
                               f"{first.line}: {first.message}. The file was not touched.")
    if check and _read_or_none(path) != last_read:
        return CHANGED
    try:
        kept = replace_keeping_backup(path, text)
    except FileRefused as exc:
        return Notice("error", f"Not saved: {exc}.")
    except OSError as exc:
        return Notice("error", f"Not saved: {name}: {exc.strerror or exc}.")
    return Notice("success", f"Saved {name}" + (f" (the previous version is {name}.bak)." if kept else "."))


def save_as_target(name: str, folder: Path) -> Path:
    """The file `name` inside `folder` (".yaml" added when missing); ValueError
    for anything that is not a plain file name, so Save as cannot escape
    the inventories folder.

    >>> save_as_target("me", Path("inventories")).as_posix()
    'inventories/me.yaml'
    """
    name = name.strip()
    if not name.lower().endswith(SUFFIXES):
        name += ".yaml"
    if not _FILE_NAME.fullmatch(name):
        raise ValueError("a plain file name such as me.yaml: letters, digits, '.', '_' and '-', no folders")
    return folder / name


# -- Importing an export ---------------------------------------------------------


@dataclass(frozen=True)
class ImportDraft:
    """What an import made: the inventory text (a new draft, or the open
    inventory with the export merged in) and the importer's notes. Holds no
    byte of the export: the importer keeps no secret in either."""

    text: str
    notes: tuple[str, ...]
    source: str  # the export's file name, as uploaded
    merged: bool  # True: `text` is the open inventory with the export added
    errors: int  # validation errors of `text` (the importer's drafts validate)

    @property
    def file_name(self) -> str:
        """A name to offer for saving: the export's name with .yaml."""
        stem = re.sub(r"[^A-Za-z0-9._-]+", "-", Path(self.source.replace("\\", "/")).stem).strip("-._")[:90]
        return f"{stem or 'imported'}.yaml"


def import_export(fmt: str, data: bytes, file_name: str, merge_into: str | None = None) -> ImportDraft:
    """Run the importer on an export's bytes, in memory (nothing is written).
    `merge_into` is the open inventory's text to add the export to. Raises
    `importers.ImportFailure` with a message that quotes nothing from the file."""
    result = run_import(fmt, data, file_name, merge_into)
    checked = validate_text(result.text, file_name)
    return ImportDraft(result.text, result.notes, file_name, merge_into is not None, len(checked.errors))


def open_draft(draft: ImportDraft) -> Opened:
    """The import's draft as an unsaved document in the editor."""
    return Opened(Document(f"draft from {draft.source}", None, None), draft.text,
                  Notice("info", f"The draft from {draft.source} is in the editor. It is not saved anywhere until "
                                 "you save it under a name in your inventories folder."))
