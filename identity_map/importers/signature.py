"""How a format is recognised: the marks its app leaves in every export.

Each parser module declares one `Signature` next to its parser; `detect`
scores every signature against a file and only a clear winner is used.
Scores are confidences in [0, 1]: 1.0 for the exact header or document
shape the app writes, a little less for a close variant (a newer version
with a column more), about half for a file that merely resembles it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

EXACT = 1.0
VARIANT = 0.9  # the app's header with a column or two more, in order
RESEMBLES = 0.5  # most of the app's columns or keys, but not its layout


@dataclass(frozen=True)
class Signature:
    """What marks one format's files (every part optional)."""

    csv_headers: tuple[tuple[str, ...], ...] = ()  # lowercase header rows the app writes, in order
    csv: Callable[[tuple[str, ...]], float] | None = None  # score of a header no fixed list describes
    json: Callable[[Any], float] | None = None  # score of a parsed JSON document
    json_telltales: tuple[str, ...] = ()  # keys quoted in a damaged JSON text that still name the format
    zip_members: tuple[str, ...] = ()  # a zip holding one of these is this app's
    text: Callable[[str], float] | None = None  # score of a text file by its lines
    magic: tuple[bytes, ...] = ()  # leading bytes of the app's (encrypted) files

    def csv_score(self, header: Sequence[str]) -> float:
        """Return how well a CSV header matches: EXACT for a header the app
        writes, VARIANT for one with at most two extra columns around it in
        order, RESEMBLES (scaled) when most of its columns are there.

        >>> Signature(csv_headers=(("a", "b", "c"),)).csv_score(("a", "x", "b", "c"))
        0.9
        >>> Signature(csv_headers=(("a", "b", "c"),)).csv_score(("c", "b", "a"))
        0.5
        """
        have = tuple(header)
        best = self.csv(have) if self.csv else 0.0
        for known in self.csv_headers:
            if have == known:
                return EXACT
            if _in_order(known, have) and len(have) - len(known) <= 2:
                best = max(best, VARIANT)
                continue
            shared = len(set(known) & set(have)) / len(known)
            if shared >= 0.5:
                best = max(best, round(RESEMBLES * shared, 2))
        return best


def _in_order(needle: Sequence[str], hay: Sequence[str]) -> bool:
    """True when every item of `needle` appears in `hay`, in the same order."""
    rest = iter(hay)
    return all(any(item == h for h in rest) for item in needle)


def has_keys(doc: Any, *keys: str) -> bool:
    """True when `doc` is a JSON object with every one of `keys`.

    >>> has_keys({"a": 1, "b": 2}, "a", "b"), has_keys([1], "a")
    (True, False)
    """
    return isinstance(doc, dict) and all(key in doc for key in keys)


def list_of_dicts(value: Any, *keys: str) -> bool:
    """True when `value` is a list whose first few items are objects holding
    every one of `keys` (an empty list qualifies: an empty export is still
    the app's, and its parser says it holds nothing).

    >>> list_of_dicts([{"a": 1}], "a"), list_of_dicts([{"b": 1}], "a"), list_of_dicts({}, "a")
    (True, False, False)
    """
    return isinstance(value, list) and all(has_keys(item, *keys) for item in value[:20])
