"""Reading a password manager's CSV export with one column map per app.

Most apps write one row per item: a title, one or more URLs, a username, a
password and perhaps a one-time-code column. `Columns` names those columns
for one app; `csv_export` turns the rows into entries, keeping of the secret
columns only whether they are filled.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from .entry import Entry, ParsedExport, Source, make_entry, present
from .textio import CsvTable, decode_text, read_csv

_URL_SPLIT = re.compile(r"[\r\n]+|,\s*(?=[a-z][a-z0-9+.-]*://)", re.IGNORECASE)


@dataclass(frozen=True)
class Columns:
    """Which (lowercase) columns of an app's CSV hold what; the first filled
    one of each tuple counts."""

    title: tuple[str, ...]
    url: tuple[str, ...]
    user: tuple[str, ...]
    password: tuple[str, ...]
    totp: tuple[str, ...] = ()
    host_from_title: bool = True

    def entry(self, row: Mapping[str, str]) -> Entry | None:
        """Return the Entry of one row (None when it names nothing).

        >>> cols = Columns(("name",), ("url",), ("username",), ("password",), ("totp",))
        >>> e = cols.entry({"name": "GitHub", "url": "https://github.com/login", "username": "al", "password": "x", "totp": ""})
        >>> (e.domain, e.user, e.password, e.totp)
        ('github.com', 'al', True, False)
        """
        urls = [u for column in self.url for u in _URL_SPLIT.split(row.get(column, "")) if u.strip()]
        return make_entry(
            _first(row, self.title),
            urls,
            _first(row, self.user),
            password=any(present(row.get(c)) for c in self.password),
            totp=any(present(row.get(c)) for c in self.totp),
            host_from_title=self.host_from_title,
        )


def _first(row: Mapping[str, str], columns: tuple[str, ...]) -> str:
    return next((row[c] for c in columns if present(row.get(c))), "")


def table_export(
    table: CsvTable, source: Source, columns: Columns, keep: Callable[[Mapping[str, str]], bool] = lambda row: True
) -> ParsedExport:
    """Return the entries of the rows `keep` accepts; the other rows, and rows
    that name nothing, count as skipped. Linear in the number of rows."""
    entries: list[Entry] = []
    skipped = 0
    for row in table.rows:
        entry = columns.entry(row) if keep(row) else None
        if entry is None:
            skipped += 1
        else:
            entries.append(entry)
    return ParsedExport(source, tuple(entries), skipped)


def csv_export(
    data: bytes,
    filename: str,
    source: Source,
    required: tuple[str, ...],
    columns: Columns,
    keep: Callable[[Mapping[str, str]], bool] = lambda row: True,
) -> ParsedExport:
    """Return the logins of an app's CSV export whose header has every
    `required` column (see `table_export`)."""
    what = f"a {source.label} CSV export"
    table = read_csv(decode_text(data, filename, what), filename, what, required)
    return table_export(table, source, columns, keep)
