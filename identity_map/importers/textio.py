"""Reading export bytes as text, JSON or CSV, with messages a person can act on.

Errors raised here say where the file breaks (line, column, row number) but
never quote it: any byte of an export may be a password.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import zipfile
from dataclasses import dataclass
from typing import Any

from .errors import ImportFailure

MAX_BYTES = 64 * 1024 * 1024  # far above any real vault export
_KDBX_SIGNATURE = b"\x03\xd9\xa2\x9a"
_NUMBER_PART = re.compile(r"-?[0-9][0-9.eE+-]*")


def check_size(data: bytes, filename: str) -> None:
    """Raise ImportFailure for an empty or absurdly large export."""
    if not data.strip().removeprefix(codecs.BOM_UTF8).strip() or data in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        raise ImportFailure(filename, "the file is empty. Export again from the app and import the new file.")
    if len(data) > MAX_BYTES:
        raise ImportFailure(
            filename, f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB, far more than a vault export; is it the right file?"
        )


def check_not_encrypted_container(data: bytes, filename: str) -> None:
    """Raise ImportFailure when the bytes are an encrypted database or an
    encrypted file rather than an export (a common mix-up)."""
    head = data[:64].lstrip()
    if data.startswith(_KDBX_SIGNATURE):
        raise ImportFailure(
            filename,
            "this is an encrypted KeePass database (.kdbx), not an export. In KeePassXC use "
            "Database > Export > CSV File; in KeePass 2 use File > Export > KeePass XML (2.x).",
        )
    if head.startswith(b"-----BEGIN PGP MESSAGE") or head.startswith(b"age-encryption.org/"):
        raise ImportFailure(
            filename,
            "this file is encrypted (PGP or age). Decrypt it to a temporary file, import that, "
            "and delete the decrypted copy at once.",
        )


def decode_text(data: bytes, filename: str, what: str) -> str:
    """Return the export as text. UTF-8 (with or without a byte-order mark)
    and UTF-16 with a byte-order mark are accepted; anything else is an
    error naming the first bad byte's position."""
    utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    try:
        text = data.decode("utf-16" if utf16 else "utf-8-sig")
    except UnicodeDecodeError as exc:
        position = exc.start  # the exception itself quotes the bytes: keep only where
    else:
        if "\x00" in text:
            raise ImportFailure(filename, f"this is a binary file, not {what}.")
        return text
    raise ImportFailure(
        filename,
        f"this is not UTF-8 text (invalid byte at position {position}), so it is not {what} "
        "as the app writes it. Export it again, or convert it to UTF-8, then retry.",
    )


def parse_json(text: str, filename: str, what: str) -> Any:
    """Return the decoded JSON value; a syntax error is reported by position,
    and one at the very end as a truncated file."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        line, col, pos = exc.lineno, exc.colno, exc.pos
        # A string still open at the end of the file, or a word or number cut
        # in two there ("nu" of null), also means it was cut off.
        rest = text[pos:].strip()
        cut_short = (
            pos >= len(text.rstrip())
            or exc.msg.startswith("Unterminated string")
            or any(word.startswith(rest) for word in ("null", "true", "false"))
            or bool(_NUMBER_PART.fullmatch(rest))
        )
    except RecursionError:
        raise ImportFailure(filename, f"the JSON is nested too deeply to be {what}.") from None
    if cut_short:
        raise ImportFailure(
            filename, f"the JSON ends too early (line {line}, column {col}): the file looks truncated. Export it again."
        )
    raise ImportFailure(filename, f"this is not valid JSON (line {line}, column {col}), so it is not {what}.")


@dataclass(frozen=True)
class CsvTable:
    """A CSV file read into rows keyed by lowercase header names."""

    header: tuple[str, ...]
    rows: tuple[dict[str, str], ...]


def normalise_header(names: list[str]) -> tuple[str, ...]:
    """Return header names stripped and lowercased, for order-free matching."""
    return tuple(name.strip().strip('"').lower() for name in names)


def read_records(text: str, filename: str) -> list[list[str]]:
    """Return the non-blank CSV records of `text`; an unclosed quote is
    reported by line (the file was cut short)."""
    try:
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        records = [r for r in reader if any(field.strip() for field in r)]
    except csv.Error:
        line = reader.line_num
        raise ImportFailure(
            filename, f"the CSV breaks at line {line} (an unclosed quote?): the file may be truncated. Export it again."
        ) from None
    if not records:
        raise ImportFailure(filename, "the file is empty. Export again from the app and import the new file.")
    return records


def read_csv(text: str, filename: str, what: str, required: tuple[str, ...]) -> CsvTable:
    """Return the CSV rows of `text`, checking that every `required` column is
    in the header and every row has as many fields as the header (a short
    last row means a truncated file)."""
    records = read_records(text, filename)
    header = normalise_header(records[0])
    missing = [name for name in required if name not in header]
    if missing:
        raise ImportFailure(
            filename,
            f"this is not {what}: the first line should name the columns {', '.join(required)}"
            f" (missing: {', '.join(missing)}).",
        )
    rows = []
    for number, record in enumerate(records[1:], start=2):
        if len(record) != len(header):
            where = "the last row" if number == len(records) else f"row {number}"
            raise ImportFailure(
                filename,
                f"{where} has {len(record)} fields but the header has {len(header)}: "
                "the file looks truncated or edited. Export it again.",
            )
        rows.append(dict(zip(header, record)))
    return CsvTable(header=header, rows=tuple(rows))


def csv_header(text: str) -> tuple[str, ...]:
    """Return the normalised first CSV line of `text`, or () if unreadable;
    used only to recognise a format."""
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    try:
        record = next(csv.reader([first]), [])
    except csv.Error:
        return ()
    return normalise_header(record)


def zip_member(data: bytes, filename: str, names: tuple[str, ...], reexport: str) -> bytes:
    """Return the bytes of the first member of the zip `data` named one of
    `names` (compared without folders and case). A damaged, encrypted or
    oversized archive, or one without such a member, is an ImportFailure
    whose message ends with `reexport` (how to export again)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ImportFailure(filename, f"this zip archive cannot be opened (truncated?). {reexport}") from None
    with archive:
        wanted = {name.lower() for name in names}
        info = next((i for i in archive.infolist() if i.filename.rsplit("/", 1)[-1].lower() in wanted), None)
        if info is None:
            raise ImportFailure(filename, f"this zip holds no {' or '.join(names)}, so it is not this app's export. {reexport}")
        if info.flag_bits & 0x1:
            raise ImportFailure(filename, f"this archive is encrypted (password-protected). {reexport}")
        if info.file_size > MAX_BYTES:
            raise ImportFailure(filename, f"{info.filename.rsplit('/', 1)[-1]} is too large to be a vault export.")
        try:
            with archive.open(info) as member:
                return member.read(MAX_BYTES + 1)
        except (zipfile.BadZipFile, EOFError, OSError, RuntimeError, ValueError, NotImplementedError):
            raise ImportFailure(filename, f"the archive cannot be read: it looks truncated. {reexport}") from None


def is_zip(data: bytes) -> bool:
    """True when the bytes start like a zip archive."""
    return data[:4] in (b"PK\x03\x04", b"PK\x05\x06")
