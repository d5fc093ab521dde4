"""Recognising an export's format from its bytes (FORMAT `auto`).

Every format's `Signature` is scored against the file: its magic bytes, the
members of a zip, the keys and value types of a JSON document, the CSV
header row in order, or the shape of its lines. Only a clear winner is
used: a confidence of at least ACCEPT and MARGIN above the runner-up.
Anything else is refused with the formats the file resembles, never
drafted as a guess.
"""

from __future__ import annotations

import codecs
import io
import json
import zipfile
from dataclasses import dataclass

from .registry import FORMATS
from .signature import EXACT, RESEMBLES
from .textio import csv_header, is_zip

ACCEPT = 0.8
MARGIN = 0.15
SHOWN = 0.3  # least confidence for "it resembles ..."


@dataclass(frozen=True)
class Candidate:
    """A format a file may be, and how sure detection is (0 to 1)."""

    fmt: str
    confidence: float


@dataclass(frozen=True)
class Detection:
    """What a file looks like: its container and the formats it matches."""

    kind: str  # "zip", "json", "csv", "text" or "binary"
    candidates: tuple[Candidate, ...]  # best first, confidence > 0

    @property
    def format(self) -> str | None:
        """Return the one format the file clearly is, or None."""
        if not self.candidates or self.candidates[0].confidence < ACCEPT:
            return None
        best, *rest = self.candidates
        if rest and best.confidence - rest[0].confidence < MARGIN:
            return None
        return best.fmt

    @property
    def ambiguous(self) -> bool:
        """True when two or more formats match about equally well."""
        return self.format is None and len(self.candidates) > 1 and self.candidates[1].confidence >= ACCEPT

    def resembles(self) -> tuple[str, ...]:
        """Return the formats the file looks like, most likely first."""
        return tuple(c.fmt for c in self.candidates if c.confidence >= SHOWN)

    def confidence(self, fmt: str) -> float:
        """Return how well the file matches `fmt` (0 when not at all)."""
        return next((c.confidence for c in self.candidates if c.fmt == fmt), 0.0)


def _as_text(data: bytes) -> str | None:
    """Return the bytes as text if they are UTF-8 or BOM-marked UTF-16."""
    try:
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return data.decode("utf-16")
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def _zip_scores(data: bytes) -> dict[str, float]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = {name.rsplit("/", 1)[-1].lower() for name in archive.namelist()}
    except (zipfile.BadZipFile, OSError, ValueError):
        # A damaged archive: each zip format is possible, none is sure.
        return {f.name: RESEMBLES for f in FORMATS if f.signature.zip_members}
    return {
        f.name: EXACT for f in FORMATS if any(m.lower() in names for m in f.signature.zip_members)
    }


def _json_scores(doc: object) -> dict[str, float]:
    return {f.name: f.signature.json(doc) for f in FORMATS if f.signature.json}


def _telltale_scores(text: str) -> dict[str, float]:
    """Score a JSON text that does not parse (cut short) by the keys only
    one format writes, so that its parser can explain the damage."""
    head = text[:1_000_000]
    return {
        f.name: ACCEPT
        for f in FORMATS
        if f.signature.json_telltales and any(f'"{key}"' in head for key in f.signature.json_telltales)
    }


def _line_scores(text: str) -> dict[str, float]:
    return {f.name: f.signature.text(text) for f in FORMATS if f.signature.text}


def _csv_scores(text: str) -> dict[str, float]:
    header = csv_header(text)
    if not header:
        return {}
    return {f.name: f.signature.csv_score(header) for f in FORMATS if f.signature.csv_headers or f.signature.csv}


def recognise(data: bytes) -> Detection:
    """Return what the export looks like: every format it matches, best
    first. Cost: one parse of the file (JSON) or of its first lines.

    >>> recognise(b"name,url,username,password,note\\n").format
    'chrome-csv'
    >>> recognise(b"hello\\n").format is None
    True
    """
    scores = {f.name: EXACT for f in FORMATS if f.signature.magic and data.startswith(f.signature.magic)}
    if is_zip(data):
        return _ranked("zip", scores | _zip_scores(data))
    text = _as_text(data)
    if text is None or "\x00" in text[:4096]:
        return _ranked("binary", scores)
    head = text.lstrip()
    kind = "text"
    if head.startswith(("{", "[")):
        try:
            scores |= _json_scores(json.loads(text))
            return _ranked("json", scores)
        except (ValueError, RecursionError):
            scores |= _telltale_scores(text)
            kind = "json"
    lines, table = _line_scores(head), _csv_scores(head)
    if kind == "text" and max(table.values(), default=0) > max(lines.values(), default=0):
        kind = "csv"
    for fmt, score in (*lines.items(), *table.items()):
        scores[fmt] = max(scores.get(fmt, 0.0), score)
    return _ranked(kind, scores)


def _ranked(kind: str, scores: dict[str, float]) -> Detection:
    order = {f.name: i for i, f in enumerate(FORMATS)}
    ranked = sorted((Candidate(fmt, s) for fmt, s in scores.items() if s > 0), key=lambda c: (-c.confidence, order[c.fmt]))
    return Detection(kind, tuple(ranked))


def detect(data: bytes) -> str | None:
    """Return the FORMAT name the export clearly is, or None (unknown or
    ambiguous; `recognise` says which).

    >>> detect(b'{"services": [], "schemaVersion": 4}')
    '2fas-json'
    """
    return recognise(data).format
