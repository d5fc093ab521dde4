"""Bitwarden exports: the `.json` and `.csv` files of Tools > Export vault.

Field names follow bitwarden/clients (libs/common/src/models/export and the
CSV exporter): JSON `items[]` with `type` 1 for logins and `login.uris[].uri`,
`login.username`, `login.password`, `login.totp`, `login.fido2Credentials[]`
(whose `rpId` names the site); CSV columns `folder` (or `collections` for an
organisation), `favorite,type,name,notes,fields,reprompt,login_uri,
login_username,login_password,login_totp`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from .entry import Entry, ParsedExport, Source, make_entry, present
from .errors import ImportFailure
from .signature import EXACT, VARIANT, Signature
from .textio import decode_text, parse_json, read_csv

SOURCE_JSON = Source(
    fmt="bitwarden-json",
    label="Bitwarden",
    app_id="bitwarden",
    app_name="Bitwarden",
    kind="password-manager",
    vendor_domains=("bitwarden.com", "bitwarden.eu"),
    login_hint="the master password is remembered; add the vault's own second factor if it has one",
)
SOURCE_CSV = replace(SOURCE_JSON, fmt="bitwarden-csv")

LOGIN_TYPE = 1
ENCRYPTED_HELP = (
    "this is an encrypted Bitwarden export, which cannot be read without your key. "
    "In Bitwarden choose Tools > Export vault with the file format '.json' (not '.json (Encrypted)'), "
    "import that file, then delete it."
)
CSV_COLUMNS = ("type", "name", "login_uri", "login_username", "login_password", "login_totp")


def _json_entry(item: dict[str, Any]) -> Entry | None:
    """Return the Entry of one login item (None when it names nothing)."""
    login = item.get("login") or {}
    uris = [u.get("uri") for u in login.get("uris") or () if isinstance(u, dict)]
    passkeys = [c for c in login.get("fido2Credentials") or () if isinstance(c, dict)]
    user = login.get("username") or next((c.get("userName") for c in passkeys if c.get("userName")), "")
    return make_entry(
        item.get("name"),
        uris,
        user,
        password=present(login.get("password")),
        totp=present(login.get("totp")),
        passkey_sites=[c.get("rpId") for c in passkeys],
    )


def parse_json_export(data: bytes, filename: str) -> ParsedExport:
    """Return the logins of a Bitwarden JSON export (personal or organisation)."""
    what = "a Bitwarden JSON export"
    doc = parse_json(decode_text(data, filename, what), filename, what)
    if not isinstance(doc, dict) or not ("items" in doc or "encrypted" in doc):
        raise ImportFailure(filename, f"this is not {what}: it has no 'items' list.")
    if doc.get("encrypted") is True or doc.get("passwordProtected") is True:
        raise ImportFailure(filename, ENCRYPTED_HELP)
    items = doc.get("items")
    if not isinstance(items, list):
        raise ImportFailure(filename, f"this is not {what}: 'items' is not a list.")
    entries, skipped = [], 0
    for item in items:
        if not isinstance(item, dict) or item.get("type") != LOGIN_TYPE or item.get("deletedDate"):
            skipped += 1
            continue
        if (entry := _json_entry(item)) is None:
            skipped += 1
            continue
        entries.append(entry)
    return ParsedExport(SOURCE_JSON, tuple(entries), skipped)


def parse_csv_export(data: bytes, filename: str) -> ParsedExport:
    """Return the logins of a Bitwarden CSV export. A row may list several
    URIs, one per line (older versions separate them with commas)."""
    what = "a Bitwarden CSV export"
    table = read_csv(decode_text(data, filename, what), filename, what, CSV_COLUMNS)
    entries, skipped = [], 0
    for row in table.rows:
        if row["type"].strip().lower() != "login":
            skipped += 1
            continue
        uris = row["login_uri"].replace(",", "\n").splitlines()
        entry = make_entry(
            row["name"],
            uris,
            row["login_username"],
            password=present(row["login_password"]),
            totp=present(row["login_totp"]),
        )
        if entry is None:
            skipped += 1
            continue
        entries.append(entry)
    return ParsedExport(SOURCE_CSV, tuple(entries), skipped)


def _json_score(doc: Any) -> float:
    if not isinstance(doc, dict):
        return 0.0
    if doc.get("encrypted") is True or doc.get("passwordProtected") is True:
        return EXACT
    items = doc.get("items")
    if isinstance(items, list) and all(isinstance(i, dict) and isinstance(i.get("type"), int) for i in items[:20]):
        return EXACT if isinstance(doc.get("encrypted"), bool) else VARIANT
    return 0.0


SIGNATURE_JSON = Signature(json=_json_score, json_telltales=("passwordProtected", "encKeyValidation_DO_NOT_EDIT"))
_CSV_TAIL = ("type", "name", "notes", "fields", "reprompt", "login_uri", "login_username", "login_password", "login_totp")
SIGNATURE_CSV = Signature(csv_headers=(
    ("folder", "favorite", *_CSV_TAIL),
    ("collections", *_CSV_TAIL),
    ("folder", "favorite", *(c for c in _CSV_TAIL if c != "reprompt")),
))
