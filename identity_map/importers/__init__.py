"""Importers: start or extend an inventory from a password-manager or
authenticator export, keeping no secret.

The one entry point is `run_import`; the CLI (`identity-map import`) and the
app's Import page call it with the export's bytes and write `result.text`
themselves. Nothing here writes a file, logs, or caches: the export's secrets
are read into memory by the parsers, reduced at once to non-secret `Entry`
facts, and never copied anywhere else.
"""

from __future__ import annotations

from dataclasses import dataclass

from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import YAMLError

from identity_map.format.load import MAX_BYTES as LOADER_MAX_BYTES

from .detect import ACCEPT, Detection, recognise
from .draft import MERGE_TARGET, Outcome, apply_export
from .entry import ParsedExport, Source
from .errors import ImportFailure
from .registry import BY_NAME
from .registry import FORMATS as FORMAT_INFO
from .textio import check_not_encrypted_container, check_size, decode_text
from .yamldoc import Layout, dump, guess_layout, load

__all__ = ["FORMATS", "ImportFailure", "ImportResult", "format_list", "run_import"]

FORMATS: tuple[str, ...] = tuple(f.name for f in FORMAT_INFO)

SCHEMA_LINE = "# yaml-language-server: $schema=../inventory.schema.json"
NAMES_SHOWN = 12  # ids listed in a note before "and N more"


@dataclass(frozen=True)
class ImportResult:
    """The inventory text to write, and what to tell the person."""

    text: str  # the YAML inventory: a new draft, or the merged existing one
    notes: tuple[str, ...]  # what was read, added and inferred, and the reminder to delete the export
    added: tuple[str, ...]  # ids of the accounts added


def _new_draft(source: Source) -> str:
    """Return the text a new draft starts from."""
    return (
        f"{SCHEMA_LINE}\n"
        f"# Draft inventory made by `identity-map import` from the {source.label} export.\n"
        "# Each '# inferred' comment marks a guess: review it, then add what no export\n"
        "# knows (phone numbers, recovery codes, devices, data, purchases).\n"
        "version: 1\n"
    )


def format_list() -> tuple[str, ...]:
    """Return one line per supported format: its FORMAT name, the app, the
    kind of file, and how to export it in the app (what `import --list`
    prints). Cost: constant.

    >>> format_list()[0].split()[0]
    'bitwarden-json'
    """
    width = max(len(f.name) for f in FORMAT_INFO)
    return tuple(f"{f.name:<{width}}  {f.app} ({f.file}): {f.steps}" for f in FORMAT_INFO)


def _resembles(detection: Detection) -> str:
    names = detection.resembles()
    return f" It resembles: {', '.join(names)}." if names else ""


def _resolve_format(fmt: str, data: bytes, filename: str) -> str:
    """Return the concrete format: `fmt` itself, or what `auto` recognises.
    A file that clearly is another app's export is refused under `fmt`."""
    wanted = fmt.strip().lower()
    if wanted != "auto" and wanted not in BY_NAME:
        raise ImportFailure(filename, f"unknown format '{fmt}'; use one of: auto, {', '.join(FORMATS)}.")
    detection = recognise(data)
    found = detection.format
    if wanted != "auto":
        if found and found != wanted and detection.confidence(wanted) < ACCEPT:
            raise ImportFailure(
                filename,
                f"this looks like a '{found}' export ({BY_NAME[found].app}), not '{wanted}': "
                f"run the import with '{found}' or 'auto'.",
            )
        return wanted
    if found is not None:
        return found
    if detection.ambiguous:
        raise ImportFailure(
            filename,
            f"this file matches several formats equally well ({', '.join(detection.resembles())}), so it is not "
            "imported as a guess: name its format explicitly.",
        )
    if detection.kind == "zip":
        raise ImportFailure(
            filename,
            "this zip archive holds none of the files a supported app exports (1Password's export.data, Dashlane's "
            "credentials.csv, Proton Pass's data.json, Raivo's raivo-otp-export.json)." + _resembles(detection),
        )
    if b"\x00" in data[:4096] or (detection.kind == "binary" and detection.candidates):
        raise ImportFailure(filename, "this is a binary file, not an export; if it is an encrypted backup, export "
                            "again without encryption (`identity-map import --list` says how for each app).")
    decode_text(data, filename, "an export")  # a wrong encoding is the likelier explanation: say so
    raise ImportFailure(
        filename,
        "this file is not an export this command recognises." + _resembles(detection)
        + " Name its format explicitly (`identity-map import --list` shows them), one of: " + f"{', '.join(FORMATS)}.",
    )


def _parse(fmt: str, data: bytes, filename: str) -> ParsedExport:
    """Return the parsed export; every failure becomes an ImportFailure that
    quotes nothing from the file. An unexpected exception is replaced, not
    chained, so that no traceback can show a value from the export."""
    parser, source = BY_NAME[fmt].parse, BY_NAME[fmt].source
    failure: ImportFailure | None = None
    unexpected = ""
    try:
        return parser(data, filename)
    except ImportFailure as exc:
        failure = exc
    except (MemoryError, KeyboardInterrupt):
        raise
    except Exception as exc:  # a structure the parser did not foresee
        unexpected = type(exc).__name__
    if failure is None:
        failure = ImportFailure(
            filename,
            f"this {source.label} export has a structure this importer does not understand ({unexpected}). "
            "Export it again; if it still fails, report the app and its version.",
        )
    other = recognise(data).format
    if other and other != fmt:
        failure = ImportFailure(
            filename, f"{failure.message} It looks like a '{other}' export: run the import with that format, or 'auto'."
        )
    raise failure


def _load_existing(text: str, layout: Layout) -> CommentedMap:
    """Return the round-trip document of the inventory to merge into."""
    where = MERGE_TARGET
    try:
        doc = load(text, layout)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ImportFailure(where, f"it is not valid YAML{at}; fix it (or import into a new file) and retry.") from None
    if not isinstance(doc, CommentedMap):
        raise ImportFailure(where, "it is not a YAML mapping with 'version: 1' at the top; import into a new file instead.")
    return doc


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _listed(ids: list[str]) -> str:
    shown = ", ".join(ids[:NAMES_SHOWN])
    return shown + (f" and {len(ids) - NAMES_SHOWN} more" if len(ids) > NAMES_SHOWN else "")


def run_import(fmt: str, data: bytes, filename: str, existing_text: str | None = None) -> ImportResult:
    """Return the inventory made (or extended, when `existing_text` is given)
    from the export `data` of format `fmt` ("auto" to recognise it).

    Raises ImportFailure, naming `filename`, for a wrong format, a damaged,
    encrypted, empty or non-UTF-8 export; nothing is written either way."""
    try:
        return _run_import(fmt, data, filename, existing_text)
    except ImportFailure as exc:
        failure = ImportFailure(exc.filename, exc.message)
    # Raised afresh outside the handler: the original may chain a parser
    # exception that holds the export's text (JSONDecodeError.doc does).
    raise failure


def _run_import(fmt: str, data: bytes, filename: str, existing_text: str | None) -> ImportResult:
    """The body of `run_import`."""
    check_size(data, filename)
    check_not_encrypted_container(data, filename)
    concrete = _resolve_format(fmt, data, filename)
    parsed = _parse(concrete, data, filename)
    source = parsed.source
    if not parsed.entries:
        others = f" ({_plural(parsed.skipped, 'other item')} left out)" if parsed.skipped else ""
        raise ImportFailure(filename, f"this {source.label} export holds no logins to import{others}.")

    base_text = existing_text if existing_text is not None else _new_draft(source)
    layout = guess_layout(base_text)
    doc = _load_existing(base_text, layout)
    try:
        draft = apply_export(doc, layout, parsed)
        outcome = draft.outcome
        text = draft.text(lambda d: dump(d, layout)) if outcome.changed or existing_text is None else existing_text
    except ImportFailure:
        raise
    except (MemoryError, KeyboardInterrupt):
        raise
    except Exception as exc:  # an inventory shape the merge did not foresee: say so, no traceback
        problem = type(exc).__name__
    else:
        _check_loadable(text, filename)
        return ImportResult(text=text, notes=_notes(parsed, outcome, filename), added=tuple(outcome.added))
    raise ImportFailure(
        MERGE_TARGET, f"the export could not be added to it ({problem}); import into a new file and copy accounts over."
    )


def _check_loadable(text: str, filename: str) -> None:
    """Refuse to return an inventory the loader would refuse for its size."""
    size = len(text.encode("utf-8"))
    if size > LOADER_MAX_BYTES:
        raise ImportFailure(
            filename,
            f"the inventory made from it would be {size / 2**20:.1f} MB, more than the "
            f"{LOADER_MAX_BYTES / 2**20:g} MB an inventory may be; import the export in parts (e.g. one folder at a "
            "time) into separate inventories.",
        )


def _notes(parsed: ParsedExport, outcome: Outcome, filename: str) -> tuple[str, ...]:
    """Return the lines that tell the person what the import did."""
    source = parsed.source

    notes = [f"Read {_plural(len(parsed.entries), 'login')} from the {source.label} export {filename}."]
    if parsed.skipped:
        notes.append(f"Left out {_plural(parsed.skipped, 'other item')} (notes, cards, identities, archived or deleted items).")
    notes.extend(parsed.warnings)
    notes.extend(dict.fromkeys(outcome.notes))
    if outcome.added:
        notes.append(f"Added {_plural(len(outcome.added), 'account')}: {_listed(outcome.added)}.")
    if outcome.devices:
        notes.append(f"Added {_plural(len(outcome.devices), 'device')}: {_listed(outcome.devices)}.")
    if outcome.updated:
        notes.append(f"Added inferred terms to {_plural(len(outcome.updated), 'existing account')}: {_listed(outcome.updated)}.")
    if outcome.changed:
        notes.append(f"{_plural(outcome.inferred, 'inference')}, each with an '# inferred' comment above it: review them.")
    else:
        notes.append("Nothing new: the inventory already has everything this export shows.")
    notes.append(
        f"Delete the plaintext export {filename} now (and empty the trash): it holds your secrets in clear text."
    )
    return tuple(notes)
