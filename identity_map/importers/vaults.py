"""Password managers whose exports are one table or one JSON list of items:
LastPass, Apple Passwords (and Safari), Dashlane, NordPass, Keeper, Enpass
and Proton Pass.

Layouts, from each app's export and the importers that read it
(bitwarden/clients libs/importer, roddhjav/pass-import, ProtonMail/WebClients):

- LastPass CSV: `url,username,password,totp,extra,name,grouping,fav` (before
  2023 without `totp`); a secure note has the URL `http://sn`.
- Apple Passwords / Safari CSV: `Title,URL,Username,Password,Notes,OTPAuth`.
- Dashlane: a zip of CSVs whose `credentials.csv` is `username,username2,
  username3,title,password,note,url,category,otpSecret` (`otpUrl` in newer
  versions); the older JSON export keeps logins under `AUTHENTIFIANT`.
- NordPass CSV: `name,url,additional_urls,username,password,note,
  cardholdername,cardnumber,cvc,pin,expirydate,zipcode,folder,full_name,
  phone_number,email,address1,address2,city,country,state,type,custom_fields`
  (older: without `additional_urls`, `pin`, `custom_fields`); `type` is
  `password` for a login, else note, credit_card, identity or folder.
- Keeper CSV: no header; `folder,title,login,password,url,notes,
  shared folder` then custom fields as name/value pairs, the one-time-code
  seed under `TFC:Keeper`.
- Enpass JSON: `{"folders": [...], "items": [{"title", "category",
  "template_type", "fields": [{"type", "label", "value", "sensitive"}],
  "trashed", "archived"}]}`.
- Proton Pass: a zip holding `Proton Pass/data.json`, `{"version",
  "userId", "encrypted", "vaults": {ID: {"name", "items": [{"data": {"type",
  "metadata": {"name"}, "content": {"itemEmail", "itemUsername", "password",
  "urls", "totpUri", "passkeys"}}, "state"}]}}}` (state 2: in the trash);
  its CSV is `type,name,url,email,username,password,note,totp,createTime,
  modifyTime,vault`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .entry import Entry, ParsedExport, Source, make_entry, present
from .errors import ImportFailure
from .signature import EXACT, RESEMBLES, VARIANT, Signature, has_keys, list_of_dicts
from .tabular import Columns, csv_export, table_export
from .textio import CsvTable, decode_text, is_zip, normalise_header, parse_json, read_records, zip_member


def _vault(fmt: str, label: str, app_id: str, domains: tuple[str, ...], hint: str, name: str = "") -> Source:
    return Source(
        fmt=fmt, label=label, app_id=app_id, app_name=name or label, kind="password-manager",
        vendor_domains=domains, login_hint=hint,
    )


_MASTER = "the master password is remembered; add the vault's own second factor if it has one"

# -- LastPass --------------------------------------------------------------

LASTPASS = _vault("lastpass-csv", "LastPass", "lastpass", ("lastpass.com", "lastpass.eu"), _MASTER)
LASTPASS_SIGNATURE = Signature(csv_headers=(
    ("url", "username", "password", "totp", "extra", "name", "grouping", "fav"),
    ("url", "username", "password", "extra", "name", "grouping", "fav"),
))
SECURE_NOTE_URL = "http://sn"


def parse_lastpass(data: bytes, filename: str) -> ParsedExport:
    """Return the logins of a LastPass CSV export; secure notes are left out."""
    columns = Columns(("name",), ("url",), ("username",), ("password",), ("totp",))
    return csv_export(
        data, filename, LASTPASS, ("url", "username", "password", "name"), columns,
        keep=lambda row: row["url"].strip().lower() != SECURE_NOTE_URL,
    )


# -- Apple Passwords / Safari ---------------------------------------------

APPLE = _vault(
    "apple-passwords-csv", "Apple Passwords", "apple-passwords", (),
    "the passwords live in iCloud Keychain: add the Apple Account (e.g. sso:apple) and your devices",
    name="Apple Passwords (iCloud Keychain)",
)
APPLE_SIGNATURE = Signature(csv_headers=(("title", "url", "username", "password", "notes", "otpauth"),))


def parse_apple(data: bytes, filename: str) -> ParsedExport:
    """Return the logins of an Apple Passwords or Safari CSV export."""
    columns = Columns(("title",), ("url",), ("username",), ("password",), ("otpauth",))
    return csv_export(data, filename, APPLE, ("title", "url", "username", "password"), columns)


# -- Dashlane ----------------------------------------------------------------

DASHLANE_CSV = _vault("dashlane-csv", "Dashlane", "dashlane", ("dashlane.com",), _MASTER)
DASHLANE_JSON = _vault("dashlane-json", "Dashlane", "dashlane", ("dashlane.com",), _MASTER)
_DASHLANE_CREDENTIALS = ("username", "username2", "username3", "title", "password", "note", "url", "category")
DASHLANE_CSV_SIGNATURE = Signature(
    csv_headers=(_DASHLANE_CREDENTIALS + ("otpsecret",), _DASHLANE_CREDENTIALS + ("otpurl",), _DASHLANE_CREDENTIALS),
    zip_members=("credentials.csv",),
)
DASHLANE_REEXPORT = "In Dashlane open Settings > Export data > Export to CSV and import the zip it saves."
DASHLANE_LOGINS = "AUTHENTIFIANT"
_DASHLANE_SECTIONS = ("AUTHENTIFIANT", "ADDRESS", "BANKSTATEMENT", "IDENTITY", "EMAIL", "PAYMENTMEANS_CREDITCARD")


def _dashlane_json_score(doc: Any) -> float:
    if isinstance(doc, dict) and isinstance(doc.get(DASHLANE_LOGINS), list):
        return EXACT
    return RESEMBLES if has_keys(doc) and any(key in doc for key in _DASHLANE_SECTIONS) else 0.0


DASHLANE_JSON_SIGNATURE = Signature(json=_dashlane_json_score, json_telltales=(DASHLANE_LOGINS,))


def parse_dashlane_csv(data: bytes, filename: str) -> ParsedExport:
    """Return the logins of Dashlane's CSV export: the zip it saves, or the
    `credentials.csv` taken out of it."""
    raw = zip_member(data, filename, ("credentials.csv",), DASHLANE_REEXPORT) if is_zip(data) else data
    columns = Columns(("title",), ("url",), ("username", "username2", "username3"), ("password",), ("otpsecret", "otpurl"))
    return csv_export(raw, filename, DASHLANE_CSV, ("username", "title", "password", "url"), columns)


def parse_dashlane_json(data: bytes, filename: str) -> ParsedExport:
    """Return the logins of a Dashlane JSON export (`AUTHENTIFIANT` items);
    every other section (addresses, cards, IDs) is left out."""
    what = "a Dashlane JSON export"
    doc = parse_json(decode_text(data, filename, what), filename, what)
    if not isinstance(doc, dict) or not isinstance(doc.get(DASHLANE_LOGINS), list):
        raise ImportFailure(filename, f"this is not {what}: it has no '{DASHLANE_LOGINS}' list.")
    others = sum(len(v) for k, v in doc.items() if k != DASHLANE_LOGINS and isinstance(v, list))
    entries, skipped = [], others
    for item in doc[DASHLANE_LOGINS]:
        entry = None
        if isinstance(item, dict):
            user = next((item[k] for k in ("login", "email", "secondaryLogin") if present(item.get(k))), "")
            entry = make_entry(
                item.get("title"), [item.get("domain")], user,
                password=present(item.get("password")),
                totp=present(item.get("otpSecret")) or present(item.get("otpUrl")),
            )
        if entry is None:
            skipped += 1
        else:
            entries.append(entry)
    return ParsedExport(DASHLANE_JSON, tuple(entries), skipped)


# -- NordPass --------------------------------------------------------------

NORDPASS = _vault("nordpass-csv", "NordPass", "nordpass", ("nordpass.com",), _MASTER)
_NORDPASS_OLD = (
    "name", "url", "username", "password", "note", "cardholdername", "cardnumber", "cvc", "expirydate", "zipcode",
    "folder", "full_name", "phone_number", "email", "address1", "address2", "city", "country", "state", "type",
)
_NORDPASS = (
    "name", "url", "additional_urls", "username", "password", "note", "cardholdername", "cardnumber", "cvc", "pin",
    "expirydate", "zipcode", "folder", "full_name", "phone_number", "email", "address1", "address2", "city", "country",
    "state", "type", "custom_fields",
)
NORDPASS_SIGNATURE = Signature(csv_headers=(_NORDPASS, _NORDPASS_OLD))
NORDPASS_LOGIN_TYPE = "password"


def _nordpass_login(row: Mapping[str, str]) -> bool:
    """True for a login row: type `password`, or (in exports without a type)
    a row with a URL or password and no card number."""
    kind = row.get("type", "").strip().lower()
    if kind:
        return kind == NORDPASS_LOGIN_TYPE
    return (present(row.get("url")) or present(row.get("password"))) and not present(row.get("cardnumber"))


def parse_nordpass(data: bytes, filename: str) -> ParsedExport:
    """Return the logins of a NordPass CSV export; folders, notes, cards and
    identities are left out."""
    columns = Columns(("name",), ("url", "additional_urls"), ("username", "email"), ("password",), ("totp", "otp"))
    return csv_export(data, filename, NORDPASS, ("name", "url", "username", "password"), columns, keep=_nordpass_login)


# -- Keeper ------------------------------------------------------------------

KEEPER = _vault("keeper-csv", "Keeper", "keeper", ("keepersecurity.com", "keepersecurity.eu"), _MASTER)
KEEPER_COLUMNS = ("folder", "title", "login", "password", "url", "notes", "shared folder")
KEEPER_TOTP = "tfc:keeper"
_HEADER_WORDS = frozenset({"title", "name", "url", "username", "password", "login_uri", "account", "web site"})


def _keeper_rows(records: list[list[str]]) -> list[dict[str, str]]:
    """Return Keeper's header-less records as rows; custom fields come as
    name/value pairs after the fixed columns and keep their (lowercase) name."""
    rows = []
    for record in records:
        row = dict(zip(KEEPER_COLUMNS, record))
        extra = record[len(KEEPER_COLUMNS):]
        for name, value in zip(extra[::2], extra[1::2]):
            row.setdefault(name.strip().lower(), value)
        rows.append(row)
    return rows


def _keeper_score(text: str) -> float:
    """Score a header-less CSV: Keeper's rows have six fixed columns or more
    (custom fields come in pairs), a URL or nothing in the fifth, and no
    header row; the fifth column must hold a web address somewhere."""
    try:
        records = read_records(text[:200_000], "")
    except ImportFailure:
        return 0.0
    sample = records[:50]
    if not sample or set(normalise_header(sample[0])) & _HEADER_WORDS:
        return 0.0
    shaped = all(len(r) >= 6 and (len(r) <= 7 or len(r) % 2 == 1) for r in sample)
    urls = [r[4].strip().lower() for r in sample if len(r) >= 6]
    web = any(u.startswith(("http://", "https://")) for u in urls)
    plausible = all(not u or "://" in u or "." in u for u in urls)
    return VARIANT if shaped and web and plausible else 0.0


KEEPER_SIGNATURE = Signature(text=_keeper_score)


def parse_keeper(data: bytes, filename: str) -> ParsedExport:
    """Return the logins of a Keeper CSV export (which has no header row)."""
    what = "a Keeper CSV export"
    text = decode_text(data, filename, what)
    records = read_records(text, filename)
    if set(normalise_header(records[0])) & _HEADER_WORDS:
        raise ImportFailure(filename, f"this is not {what}: Keeper writes no header row, and this file starts with one.")
    # Six or seven fixed columns, then custom fields in name/value pairs.
    broken = [n for n, r in enumerate(records, start=1) if len(r) < 6 or (len(r) > 7 and len(r) % 2 == 0)]
    if broken:
        raise ImportFailure(
            filename, f"row {broken[0]} does not have the columns Keeper writes (folder, title, login, password, "
            "website, notes, shared folder, then custom fields in pairs): the file looks truncated or is not a Keeper export."
        )
    table = CsvTable(header=KEEPER_COLUMNS, rows=tuple(_keeper_rows(records)))
    columns = Columns(("title",), ("url",), ("login",), ("password",), (KEEPER_TOTP,))
    return table_export(table, KEEPER, columns)


# -- Enpass ----------------------------------------------------------------

ENPASS = _vault("enpass-json", "Enpass", "enpass", ("enpass.io",), "the master password is remembered; add where the vault file lives or syncs (e.g. + device:laptop)")
_LOGIN_TEMPLATES = ("login.", "password.")


def _enpass_score(doc: Any) -> float:
    if not has_keys(doc, "items"):
        return 0.0
    if list_of_dicts(doc["items"], "title", "fields") and all(
        isinstance(i.get("category", i.get("template_type")), str) for i in doc["items"][:20]
    ):
        return EXACT if isinstance(doc.get("folders"), list) else VARIANT
    return 0.0


ENPASS_SIGNATURE = Signature(json=_enpass_score)


def _enpass_entry(item: dict[str, Any]) -> Entry | None:
    """Return the Entry of one Enpass login item."""
    fields = [f for f in item.get("fields") or () if isinstance(f, dict) and not f.get("deleted")]

    def values(*types: str) -> list[str]:
        return [f["value"] for f in fields if f.get("type") in types and present(f.get("value"))]

    return make_entry(
        item.get("title"), values("url"), next(iter(values("username", "email")), ""),
        password=bool(values("password")), totp=bool(values("totp")),
    )


def parse_enpass(data: bytes, filename: str) -> ParsedExport:
    """Return the logins of an Enpass JSON export; cards, identities, notes
    and trashed or archived items are left out."""
    what = "an Enpass JSON export"
    doc = parse_json(decode_text(data, filename, what), filename, what)
    if not isinstance(doc, dict) or not isinstance(doc.get("items"), list):
        raise ImportFailure(filename, f"this is not {what}: it has no 'items' list.")
    entries, skipped = [], 0
    for item in doc["items"]:
        login = (
            isinstance(item, dict)
            and not item.get("trashed") and not item.get("archived")
            and (str(item.get("template_type") or "").startswith(_LOGIN_TEMPLATES) or item.get("category") in ("login", "password"))
        )
        entry = _enpass_entry(item) if login else None
        if entry is None:
            skipped += 1
        else:
            entries.append(entry)
    return ParsedExport(ENPASS, tuple(entries), skipped)


# -- Proton Pass -----------------------------------------------------------

PROTON_PASS_JSON = _vault(
    "protonpass-json", "Proton Pass", "proton-pass", (),
    "Proton Pass opens with the Proton account: add sso:proton (or account:proton) and its second factor",
)
PROTON_PASS_CSV = _vault("protonpass-csv", "Proton Pass", "proton-pass", (), PROTON_PASS_JSON.login_hint)
PROTON_PASS_MEMBER = "data.json"
PROTON_PASS_REEXPORT = "In Proton Pass open Settings > Export, choose JSON (not PGP-encrypted) or CSV, and import that file."
PROTON_PASS_TRASHED = 2


def _protonpass_score(doc: Any) -> float:
    if has_keys(doc, "vaults") and isinstance(doc["vaults"], dict):
        return EXACT if isinstance(doc.get("encrypted"), bool) else VARIANT
    return 0.0


PROTON_PASS_JSON_SIGNATURE = Signature(json=_protonpass_score, json_telltales=("vaults", "userId"), zip_members=("data.json",))
PROTON_PASS_CSV_SIGNATURE = Signature(csv_headers=(
    ("type", "name", "url", "email", "username", "password", "note", "totp", "createtime", "modifytime", "vault"),
    ("type", "name", "url", "username", "password", "note", "totp", "createtime", "modifytime", "vault"),
))


def _protonpass_entry(data: dict[str, Any]) -> Entry | None:
    content = data.get("content") if isinstance(data.get("content"), dict) else {}
    metadata = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    passkeys = [p for p in content.get("passkeys") or () if isinstance(p, dict)]
    extra_totp = any(
        isinstance(f, dict) and f.get("type") == "totp" and isinstance(f.get("data"), dict) and present(f["data"].get("totpUri"))
        for f in data.get("extraFields") or ()
    )
    user = next((content[k] for k in ("itemUsername", "itemEmail") if present(content.get(k))), "")
    return make_entry(
        metadata.get("name"), [u for u in content.get("urls") or () if isinstance(u, str)], user,
        password=present(content.get("password")),
        totp=present(content.get("totpUri")) or extra_totp,
        passkey_sites=[p.get("rpId") or p.get("domain") for p in passkeys],
    )


def parse_protonpass_json(data: bytes, filename: str) -> ParsedExport:
    """Return the logins of a Proton Pass export: the zip it saves or the
    `data.json` inside; aliases, notes, cards, identities and trashed items
    are left out."""
    what = "a Proton Pass JSON export"
    raw = zip_member(data, filename, (PROTON_PASS_MEMBER,), PROTON_PASS_REEXPORT) if is_zip(data) else data
    doc = parse_json(decode_text(raw, filename, what), filename, what)
    if not isinstance(doc, dict) or not isinstance(doc.get("vaults"), dict):
        raise ImportFailure(filename, f"this is not {what}: it has no 'vaults'. {PROTON_PASS_REEXPORT}")
    if doc.get("encrypted") is True:
        raise ImportFailure(filename, f"this Proton Pass export is encrypted. {PROTON_PASS_REEXPORT}")
    entries, skipped = [], 0
    for vault in doc["vaults"].values():
        for item in (vault or {}).get("items") or () if isinstance(vault, dict) else ():
            item_data = item.get("data") if isinstance(item, dict) else None
            entry = None
            if isinstance(item_data, dict) and item_data.get("type") == "login" and item.get("state") != PROTON_PASS_TRASHED:
                entry = _protonpass_entry(item_data)
            if entry is None:
                skipped += 1
            else:
                entries.append(entry)
    return ParsedExport(PROTON_PASS_JSON, tuple(entries), skipped)


def parse_protonpass_csv(data: bytes, filename: str) -> ParsedExport:
    """Return the logins of a Proton Pass CSV export (rows of type `login`)."""
    columns = Columns(("name",), ("url",), ("username", "email"), ("password",), ("totp",))
    return csv_export(
        data, filename, PROTON_PASS_CSV, ("type", "name", "url", "username", "password"), columns,
        keep=lambda row: row["type"].strip().lower() == "login",
    )
