"""1Password exports: the `.1pux` archive and the CSV of 1Password 8.

A `.1pux` file is a zip holding `export.attributes` and `export.data`, a JSON
document `accounts[].vaults[].items[]` (field names as in 1Password's 1PUX
format page and bitwarden/clients' onepassword-1pux-importer-types.ts): an
item has `categoryUuid` ("001" is a login), `state` ("archived" items are
left out), `overview.title/url/urls[]`, `details.loginFields[]` (one with
`designation` "username" or "password") and `details.sections[].fields[]`
whose `value.totp` holds a one-time-code seed. 1Password 8 CSV columns are
`Title,Url,Username,Password,OTPAuth,Favorite,Archived,Tags,Notes`.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace
from typing import Any

from .entry import Entry, ParsedExport, Source, make_entry
from .errors import ImportFailure
from .textio import MAX_BYTES, decode_text, parse_json, read_csv

SOURCE_1PUX = Source(
    fmt="1password-1pux",
    label="1Password",
    app_id="1password",
    app_name="1Password",
    kind="password-manager",
    vendor_domains=("1password.com", "1password.eu", "1password.ca"),
    login_hint="the account password is remembered; 1Password also needs the Secret Key kept on your devices or Emergency Kit",
)
SOURCE_CSV = replace(SOURCE_1PUX, fmt="1password-csv")

LOGIN_CATEGORY = "001"
DATA_MEMBER = "export.data"
REEXPORT = "In 1Password 8 choose File > Export, pick the account and the 1PUX format, and import the new file."
CSV_COLUMNS = ("title", "url", "username", "password")


def _text(value: Any) -> str:
    """Return a login field's value as text; linked fields arrive as
    `{"email_address": ...}` or `{"string": ...}` objects."""
    if isinstance(value, dict):
        value = value.get("email_address") or value.get("string") or ""
    return value if isinstance(value, str) else ""


def _item_entry(item: dict[str, Any]) -> Entry | None:
    """Return the Entry of one 1PUX login item."""
    overview = item.get("overview") or {}
    details = item.get("details") or {}
    fields = [f for f in details.get("loginFields") or () if isinstance(f, dict)]
    user = next((_text(f.get("value")) for f in fields if f.get("designation") == "username"), "")
    password = any(f.get("designation") == "password" and _text(f.get("value")).strip() for f in fields)
    password = password or bool(_text(details.get("password")).strip())
    totp = any(
        isinstance(field, dict) and isinstance(field.get("value"), dict) and str(field["value"].get("totp") or "").strip()
        for section in details.get("sections") or ()
        if isinstance(section, dict)
        for field in section.get("fields") or ()
    )
    # 1Password 8 stores a saved passkey as `details.passkey` with its `rpId`;
    # only that relying-party name is read, never the key.
    passkey = details.get("passkey")
    rp_ids = [passkey.get("rpId")] if isinstance(passkey, dict) else []
    urls = [overview.get("url")] + [u.get("url") for u in overview.get("urls") or () if isinstance(u, dict)]
    return make_entry(overview.get("title"), urls, user, password=password, totp=totp, passkey_sites=rp_ids)


def _read_member(data: bytes, filename: str) -> bytes:
    """Return the bytes of `export.data` from a 1PUX zip."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ImportFailure(
            filename, f"this is not a complete .1pux archive (the zip cannot be opened; truncated?). {REEXPORT}"
        ) from None
    with archive:
        try:
            info = archive.getinfo(DATA_MEMBER)
        except KeyError:
            raise ImportFailure(filename, f"this zip has no {DATA_MEMBER}, so it is not a 1Password .1pux export. {REEXPORT}") from None
        if info.flag_bits & 0x1:
            raise ImportFailure(filename, f"this archive is encrypted. {REEXPORT}")
        if info.file_size > MAX_BYTES:
            raise ImportFailure(filename, f"{DATA_MEMBER} is too large to be a vault export.")
        try:
            with archive.open(info) as member:
                return member.read(MAX_BYTES + 1)
        except (zipfile.BadZipFile, EOFError, OSError, RuntimeError, ValueError):
            raise ImportFailure(filename, f"{DATA_MEMBER} cannot be read: the archive looks truncated. {REEXPORT}") from None


def parse_1pux(data: bytes, filename: str) -> ParsedExport:
    """Return the logins of a 1Password `.1pux` export; a bare `export.data`
    JSON taken out of the archive is accepted too."""
    what = "a 1Password .1pux export"
    raw = _read_member(data, filename) if data[:4] == b"PK\x03\x04" or data[:4] == b"PK\x05\x06" else data
    doc = parse_json(decode_text(raw, filename, what), filename, what)
    if not isinstance(doc, dict) or not isinstance(doc.get("accounts"), list):
        raise ImportFailure(filename, f"this is not {what}: {DATA_MEMBER} has no 'accounts' list. {REEXPORT}")
    entries, skipped = [], 0
    for account in doc["accounts"]:
        for vault in (account or {}).get("vaults") or ():
            for item in (vault or {}).get("items") or ():
                if (
                    not isinstance(item, dict)
                    or item.get("categoryUuid") != LOGIN_CATEGORY
                    or item.get("state") == "archived"
                    or item.get("trashed") is True
                    or (entry := _item_entry(item)) is None
                ):
                    skipped += 1
                    continue
                entries.append(entry)
    return ParsedExport(SOURCE_1PUX, tuple(entries), skipped)


def parse_csv_export(data: bytes, filename: str) -> ParsedExport:
    """Return the logins of a 1Password CSV export (archived rows left out)."""
    what = "a 1Password CSV export"
    table = read_csv(decode_text(data, filename, what), filename, what, CSV_COLUMNS)
    entries, skipped = [], 0
    for row in table.rows:
        archived = row.get("archived", "").strip().lower() in ("true", "1", "yes")
        entry = make_entry(
            row["title"],
            [row["url"]],
            row["username"],
            password=bool(row["password"].strip()),
            totp=bool(row.get("otpauth", "").strip()),
        )
        if archived or entry is None:
            skipped += 1
            continue
        entries.append(entry)
    return ParsedExport(SOURCE_CSV, tuple(entries), skipped)
