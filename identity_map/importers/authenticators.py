"""Authenticator-app exports: Aegis (plain JSON vault) and 2FAS (.2fas backup).

Aegis (beemdevelopment/Aegis, vault.md): `{"version": 1, "header": {"slots",
"params"}, "db": {...}}`; plain exports have `db` as an object with
`entries[]` (`type`, `name`, `issuer`, `note`, `info.secret`, ...), encrypted
ones have `db` as a base64 string and `header.slots` filled. 2FAS
(twofas/2fas-android backup model): `{"services": [...], "schemaVersion",
...}`, each service with `name`, `secret` and `otp.{account, issuer, label,
link, tokenType}`; a password-protected backup empties `services` and fills
`servicesEncrypted`.
"""

from __future__ import annotations

from typing import Any

from .entry import Entry, ParsedExport, Source, make_entry
from .errors import ImportFailure
from .textio import decode_text, parse_json

_PHONE_HINT = "the codes live in the app on the phone"
SOURCE_AEGIS = Source(
    fmt="aegis-json",
    label="Aegis",
    app_id="aegis",
    app_name="Aegis Authenticator",
    kind="authenticator",
    item_word="entry",
    login_hint=f"{_PHONE_HINT}; if you keep encrypted Aegis backups, add the place that holds them",
)
SOURCE_2FAS = Source(
    fmt="2fas-json",
    label="2FAS",
    app_id="2fas",
    app_name="2FAS Authenticator",
    kind="authenticator",
    item_word="service",
    login_hint=f"{_PHONE_HINT}; if 2FAS backs up to Google Drive or iCloud, that account can restore them",
)

AEGIS_ENCRYPTED = (
    "this is an encrypted Aegis vault. In Aegis open Settings > Import & Export > Export, choose the "
    "Aegis (.JSON) format and untick 'Encrypt the vault', import that file, then delete it."
)
TWOFAS_ENCRYPTED = (
    "this is a password-protected 2FAS backup. In 2FAS open Settings > 2FAS Backup > Export to file "
    "and export without a password, import that file, then delete it."
)


def split_label(label: str) -> tuple[str, str]:
    """Return (issuer, account) from an otpauth-style label "Issuer:account";
    a label without a colon is taken as the account."""
    issuer, sep, account = label.partition(":")
    return (issuer.strip(), account.strip()) if sep else ("", label.strip())


def authenticator_entry(issuer: Any, account: Any, label: Any = "") -> Entry | None:
    """Return the Entry of one one-time-code account: named after its issuer
    (or the issuer part of its label), with the account name as `user`."""
    issuer = issuer if isinstance(issuer, str) else ""
    account = account if isinstance(account, str) else ""
    if isinstance(label, str) and label and not (issuer and account):
        label_issuer, label_account = split_label(label)
        issuer, account = issuer or label_issuer, account or label_account
    if not issuer and ":" in account:
        issuer, account = split_label(account)
    return make_entry(issuer or account, (), account if issuer else "", totp=True)


def parse_aegis(data: bytes, filename: str) -> ParsedExport:
    """Return the one-time-code accounts of a plain Aegis JSON export."""
    what = "an Aegis JSON export"
    doc = parse_json(decode_text(data, filename, what), filename, what)
    if not isinstance(doc, dict) or "db" not in doc or not isinstance(doc.get("header"), dict):
        raise ImportFailure(filename, f"this is not {what}: it has no 'header' and 'db'.")
    if isinstance(doc["db"], str) or doc["header"].get("slots"):
        raise ImportFailure(filename, AEGIS_ENCRYPTED)
    entries_in = (doc["db"] or {}).get("entries")
    if not isinstance(entries_in, list):
        raise ImportFailure(filename, f"this is not {what}: 'db.entries' is not a list.")
    found = [
        authenticator_entry(e.get("issuer"), e.get("name")) if isinstance(e, dict) else None for e in entries_in
    ]
    entries = tuple(e for e in found if e is not None)
    return ParsedExport(SOURCE_AEGIS, entries, len(found) - len(entries))


def parse_2fas(data: bytes, filename: str) -> ParsedExport:
    """Return the one-time-code accounts of an unencrypted 2FAS backup."""
    what = "a 2FAS backup"
    doc = parse_json(decode_text(data, filename, what), filename, what)
    if not isinstance(doc, dict) or not ("services" in doc or "servicesEncrypted" in doc):
        raise ImportFailure(filename, f"this is not {what}: it has no 'services' list.")
    if doc.get("servicesEncrypted"):
        raise ImportFailure(filename, TWOFAS_ENCRYPTED)
    services = doc.get("services")
    if not isinstance(services, list):
        raise ImportFailure(filename, f"this is not {what}: 'services' is not a list.")
    found = []
    for service in services:
        if not isinstance(service, dict):
            found.append(None)
            continue
        otp = service.get("otp") if isinstance(service.get("otp"), dict) else {}
        found.append(authenticator_entry(otp.get("issuer") or service.get("name"), otp.get("account"), otp.get("label")))
    entries = tuple(e for e in found if e is not None)
    return ParsedExport(SOURCE_2FAS, entries, len(found) - len(entries))
