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

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from .entry import Entry, ParsedExport, Source, make_entry, present
from .errors import ImportFailure
from .signature import EXACT, RESEMBLES, Signature, has_keys, list_of_dicts
from .tabular import Columns, table_export
from .textio import decode_text, is_zip, parse_json, read_csv, zip_member

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
PASSWORD_CATEGORY = "005"  # a "Password" item: a login only when it has a URL
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


def parse_1pux(data: bytes, filename: str) -> ParsedExport:
    """Return the logins of a 1Password `.1pux` export; a bare `export.data`
    JSON taken out of the archive is accepted too."""
    what = "a 1Password .1pux export"
    raw = zip_member(data, filename, (DATA_MEMBER,), REEXPORT) if is_zip(data) else data
    doc = parse_json(decode_text(raw, filename, what), filename, what)
    if not isinstance(doc, dict) or not isinstance(doc.get("accounts"), list):
        raise ImportFailure(filename, f"this is not {what}: {DATA_MEMBER} has no 'accounts' list. {REEXPORT}")
    entries, skipped = [], 0
    for account in doc["accounts"]:
        for vault in (account or {}).get("vaults") or ():
            for item in (vault or {}).get("items") or ():
                if (
                    not isinstance(item, dict)
                    or item.get("categoryUuid") not in (LOGIN_CATEGORY, PASSWORD_CATEGORY)
                    or item.get("state") == "archived"
                    or item.get("trashed") is True
                    or (entry := _item_entry(item)) is None
                    or (item.get("categoryUuid") == PASSWORD_CATEGORY and not entry.host)
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


# -- signatures ------------------------------------------------------------


def _1pux_score(doc: Any) -> float:
    if has_keys(doc, "accounts") and list_of_dicts(doc["accounts"], "vaults"):
        return EXACT
    return RESEMBLES if has_keys(doc, "accounts") else 0.0


SIGNATURE_1PUX = Signature(json=_1pux_score, json_telltales=("accounts",), zip_members=(DATA_MEMBER,))
SIGNATURE_CSV = Signature(csv_headers=(("title", "url", "username", "password", "otpauth", "favorite", "archived", "tags", "notes"),))


# -- 1Password 7 and older: 1PIF and CSV -------------------------------------

SOURCE_1PIF = replace(SOURCE_1PUX, fmt="1password-1pif")
SOURCE_7_CSV = replace(SOURCE_1PUX, fmt="1password7-csv")
PIF_SEPARATOR = "***5642bee8-a5ff-11dc-8314-0800200c9a66***"
PIF_LOGIN = "webforms.WebForm"
PIF_PASSWORD = "passwords.Password"
REEXPORT_7 = "In 1Password 7 choose File > Export > All Items and the 1PIF or CSV format, and import the new file."


def _pif_score(text: str) -> float:
    head = text[:4096]
    if PIF_SEPARATOR in text[:1_000_000]:
        return EXACT
    return RESEMBLES if head.lstrip().startswith("{") and '"typeName"' in head else 0.0


SIGNATURE_1PIF = Signature(text=_pif_score)


def _pif_items(text: str, filename: str) -> list[Any]:
    """Return the JSON objects of a 1PIF file: one per record, records
    separated by the 1PIF marker line."""
    items = []
    for number, chunk in enumerate(text.split(PIF_SEPARATOR), start=1):
        if not chunk.strip():
            continue
        items.append(parse_json(chunk.strip(), filename, f"record {number} of a 1PIF export"))
    return items


def _pif_entry(item: dict[str, Any]) -> Entry | None:
    """Return the Entry of one 1PIF login or password item."""
    secure = item.get("secureContents") if isinstance(item.get("secureContents"), dict) else {}
    fields = [f for f in secure.get("fields") or () if isinstance(f, dict)]
    user = next((f.get("value") for f in fields if f.get("designation") == "username" and present(f.get("value"))), "")
    password = present(secure.get("password")) or any(
        f.get("designation") == "password" and present(f.get("value")) for f in fields
    )
    totp = any(
        isinstance(f, dict) and str(f.get("n", "")).startswith("TOTP_") and present(f.get("v"))
        for section in secure.get("sections") or () if isinstance(section, dict)
        for f in section.get("fields") or ()
    )
    urls = [item.get("location")] + [u.get("url") for u in secure.get("URLs") or () if isinstance(u, dict)]
    return make_entry(item.get("title"), urls, user, password=password, totp=totp)


def parse_1pif(data: bytes, filename: str) -> ParsedExport:
    """Return the logins of a 1Password 1PIF export (1Password 4 to 7): login
    items, and password items that name a website; notes, cards,
    identities, folders and trashed items are left out."""
    what = "a 1Password 1PIF export"
    text = decode_text(data, filename, what)
    if PIF_SEPARATOR not in text:
        raise ImportFailure(filename, f"this is not {what}: it has no record separator lines. {REEXPORT_7}")
    entries, skipped = [], 0
    for item in _pif_items(text, filename):
        entry = None
        if isinstance(item, dict) and item.get("trashed") is not True and item.get("typeName") in (PIF_LOGIN, PIF_PASSWORD):
            entry = _pif_entry(item)
            if entry is not None and item.get("typeName") == PIF_PASSWORD and not entry.host:
                entry = None
        if entry is None:
            skipped += 1
        else:
            entries.append(entry)
    return ParsedExport(SOURCE_1PIF, tuple(entries), skipped)


# 1Password 7 CSV: the Mac app names each column by its label (`title`,
# `type`, `url`, `username`, `password`, `notes`, then any custom field such
# as "one-time password"); the Windows app by its field name (`ainfo`,
# `notesPlain`, `urls`, `uuid`...). Either way the rows hold every category.
_7_WINDOWS = frozenset({"ainfo", "notesplain", "title", "urls", "uuid"})
_7_MAC = ("title", "type", "url", "username", "password", "notes")
_7_LOGIN_TYPES = frozenset({"login", "password", ""})
_7_NOT_LOGIN = ("ccnum", "cvv", "cardholder", "firstname", "address1", "bankname", "accountno")


def _1p7_score(header: tuple[str, ...]) -> float:
    names = set(header)
    if _7_WINDOWS <= names or set(_7_MAC) <= names:
        return EXACT if "otpauth" not in names else RESEMBLES
    return 0.0


SIGNATURE_7_CSV = Signature(csv=_1p7_score)


def _1p7_login(row: Mapping[str, str]) -> bool:
    """True for a login row (or a password row with a website): not a card,
    identity, bank account or note."""
    kind = row.get("type", "").strip().lower()
    if kind not in _7_LOGIN_TYPES or any(present(row.get(c)) for c in _7_NOT_LOGIN):
        return False
    return kind != "password" or present(row.get("url") or row.get("urls"))


def parse_1password7_csv(data: bytes, filename: str) -> ParsedExport:
    """Return the logins of a 1Password 7 CSV export (Mac or Windows layout)."""
    what = "a 1Password 7 CSV export"
    table = read_csv(decode_text(data, filename, what), filename, what, ("title", "password"))
    if not _1p7_score(table.header):
        raise ImportFailure(filename, f"this is not {what}: the header lacks its columns (title, type, url, username). {REEXPORT_7}")
    totp_columns = tuple(c for c in table.header if "totp" in c or "one-time password" in c)
    columns = Columns(("title",), ("url", "urls", "website"), ("username", "email"), ("password",), totp_columns)
    return table_export(table, SOURCE_7_CSV, columns, keep=_1p7_login)
