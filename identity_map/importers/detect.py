"""Recognising an export's format from its bytes (FORMAT `auto`)."""

from __future__ import annotations

import codecs
import io
import json
import zipfile

from .textio import csv_header

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")

# CSV formats by the columns only they write; checked in this order, since a
# KeePassXC header also holds every 1Password column but `group`.
_CSV_SIGNATURES: tuple[tuple[str, frozenset[str]], ...] = (
    ("bitwarden-csv", frozenset({"login_uri", "login_username"})),
    ("firefox-csv", frozenset({"url", "username", "password", "httprealm"})),
    ("keepassxc-csv", frozenset({"group", "title", "username", "password", "url"})),
    ("1password-csv", frozenset({"title", "url", "username", "password"})),
    ("chrome-csv", frozenset({"name", "url", "username", "password"})),
)


def _json_format(keys: set[str]) -> str | None:
    """Return the format whose top-level JSON keys these are."""
    if {"header", "db"} <= keys:
        return "aegis-json"
    if "services" in keys or "servicesEncrypted" in keys:
        return "2fas-json"
    if "items" in keys or "encrypted" in keys or "passwordProtected" in keys:
        return "bitwarden-json"
    if "accounts" in keys:
        return "1password-1pux"
    return None


def _json_keys_by_text(text: str) -> set[str]:
    """Return the telltale keys quoted in a JSON text that does not parse
    (truncated): enough to name the format so its parser explains the damage."""
    telltales = ("header", "db", "services", "servicesEncrypted", "items", "encrypted", "passwordProtected", "accounts")
    return {key for key in telltales if f'"{key}"' in text}


def _as_text(data: bytes) -> str | None:
    """Return the bytes as text if they are UTF-8 or BOM-marked UTF-16."""
    try:
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return data.decode("utf-16")
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def detect(data: bytes) -> str | None:
    """Return the FORMAT name the export looks like, or None if unknown."""
    if data[:4] in ZIP_MAGIC:
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            return "1password-1pux"  # the only zip format: let its parser explain the damage
        return "1password-1pux" if "export.data" in names else None
    text = _as_text(data)
    if text is None:
        return None
    head = text.lstrip()
    if "otpauth-migration://" in text[:1_000_000].lower():
        return "google-authenticator"
    if head.startswith("<"):
        return "keepass-xml" if "<KeePassFile" in text[:4096] else None
    if head.startswith("{"):
        try:
            doc = json.loads(text)
            keys = set(doc) if isinstance(doc, dict) else set()
        except (ValueError, RecursionError):
            keys = _json_keys_by_text(text)
        return _json_format(keys)
    header = set(csv_header(head))
    return next((fmt for fmt, columns in _CSV_SIGNATURES if columns <= header), None)
