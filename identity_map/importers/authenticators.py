"""Authenticator-app exports: Aegis, 2FAS, andOTP, FreeOTP+, Ente Auth,
Proton Authenticator, Raivo OTP, Stratum and plain otpauth:// lists.

Aegis (beemdevelopment/Aegis, vault.md): `{"version": 1, "header": {"slots",
"params"}, "db": {...}}`; plain exports have `db` as an object with
`entries[]` (`type`, `name`, `issuer`, `note`, `info.secret`, ...), encrypted
ones have `db` as a base64 string and `header.slots` filled. 2FAS
(twofas/2fas-android backup model): `{"services": [...], "schemaVersion",
...}`, each service with `name`, `secret` and `otp.{account, issuer, label,
link, tokenType}`; a password-protected backup empties `services` and fills
`servicesEncrypted`.

From Aegis's importers (beemdevelopment/Aegis, importers/): andOTP writes a
JSON list of `{"secret", "issuer", "label", "type", ...}` (old versions put
"Issuer - account" in `label`; an encrypted backup is binary); FreeOTP+
`{"tokenOrder", "tokens": [{"issuerExt", "label", "secret": [bytes]}]}`;
Ente Auth a text file of otpauth URIs whose `codeDisplay` parameter marks
trashed codes (its encrypted export is JSON with `kdfParams` and
`encryptedData`); Proton Authenticator `{"version", "entries": [{"content":
{"uri", "name"}}]}`; Raivo a password-protected zip holding a JSON list of
`{"issuer", "account", "secret", "kind", "timer"}`; Stratum (Authenticator
Pro) `{"Authenticators": [{"Issuer", "Username", "Secret"}], "Categories"}`,
encrypted backups starting with `AUTHENTICATORPRO`. Only issuers and account
names are read; no secret is looked at.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from .entry import Entry, ParsedExport, Source, clean_text, make_entry
from .errors import ImportFailure
from .signature import EXACT, RESEMBLES, VARIANT, Signature, has_keys, list_of_dicts
from .textio import decode_text, is_zip, parse_json

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


def otp_pair(issuer: Any, account: Any, label: Any = "") -> tuple[str, str]:
    """Return (issuer, account) of one one-time-code entry from its issuer,
    account name and otpauth-style label, whichever are given.

    >>> otp_pair("", "Steam:alice"), otp_pair("GitHub", "", "GitHub:al"), otp_pair("", "al@example.com")
    (('Steam', 'alice'), ('GitHub', 'al'), ('', 'al@example.com'))
    """
    issuer = issuer.strip() if isinstance(issuer, str) else ""
    account = account.strip() if isinstance(account, str) else ""
    if isinstance(label, str) and label and not (issuer and account):
        label_issuer, label_account = split_label(label)
        issuer, account = issuer or label_issuer, account or label_account
    if not issuer and ":" in account:
        issuer, account = split_label(account)
    return issuer, account


def otp_export(source: Source, pairs: Iterable[tuple[str, str] | None], warnings: tuple[str, ...] = ()) -> ParsedExport:
    """Return the entries of an authenticator's (issuer, account) pairs
    (None: an item that is no code, such as a trashed one). An entry without
    an issuer is left out with a note: its account name (often an address)
    says who you are, not which site the codes guard, so it must not become
    an account named after the address."""
    entries: list[Entry] = []
    skipped = unnamed = 0
    for pair in pairs:
        entry = make_entry(pair[0], (), pair[1], totp=True) if pair and pair[0] else None
        if entry is not None:
            entries.append(entry)
        elif pair and pair[1]:
            unnamed += 1
        else:
            skipped += 1
    if unnamed:
        warnings += (
            f"Left out {unnamed} one-time-code {source.item_word}{'s' if unnamed > 1 else ''} with no issuer: "
            "nothing in the export says which site the codes are for. Add those accounts by hand.",
        )
    return ParsedExport(source, tuple(entries), skipped + unnamed, warnings)


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
    return otp_export(SOURCE_AEGIS, (otp_pair(e.get("issuer"), e.get("name")) if isinstance(e, dict) else None for e in entries_in))


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
    def pair(service: Any) -> tuple[str, str] | None:
        if not isinstance(service, dict):
            return None
        otp = service.get("otp") if isinstance(service.get("otp"), dict) else {}
        return otp_pair(otp.get("issuer") or service.get("name"), otp.get("account"), otp.get("label"))

    return otp_export(SOURCE_2FAS, map(pair, services))


def _aegis_score(doc: Any) -> float:
    if has_keys(doc, "header", "db") and isinstance(doc["header"], dict):
        return EXACT if isinstance(doc.get("version"), int) else VARIANT
    return 0.0


def _2fas_score(doc: Any) -> float:
    if has_keys(doc, "services") and isinstance(doc["services"], list):
        return EXACT if "schemaVersion" in doc else VARIANT
    return RESEMBLES if has_keys(doc, "servicesEncrypted") else 0.0


SIGNATURE_AEGIS = Signature(json=_aegis_score, json_telltales=("header", "db"))
SIGNATURE_2FAS = Signature(json=_2fas_score, json_telltales=("services", "servicesEncrypted"))


def _app(fmt: str, label: str, app_id: str, hint: str, item_word: str = "entry", name: str = "") -> Source:
    return Source(
        fmt=fmt, label=label, app_id=app_id, app_name=name or label, kind="authenticator",
        item_word=item_word, login_hint=hint,
    )


# -- otpauth:// URIs: Aegis's and FreeOTP+'s text export, Ente Auth --------

OTPAUTH = re.compile(r"otpauth://[^\s\"'<>]+", re.IGNORECASE)
SOURCE_OTPAUTH = _app(
    "otpauth-list", "authenticator", "authenticator",
    f"{_PHONE_HINT}; rename this account to the app that exported the list", name="Authenticator app (otpauth list)",
)
SOURCE_ENTE = _app("ente-auth", "Ente Auth", "ente-auth", f"{_PHONE_HINT}; Ente Auth also syncs them to your Ente account")
ENTE_ENCRYPTED = (
    "this is an encrypted Ente Auth export. In Ente Auth open Settings > Data > Export codes, choose "
    "'Plain text', import that file, then delete it."
)
ENTE_DISPLAY = "codedisplay"


def otpauth_pair(uri: str) -> tuple[str, str] | None:
    """Return (issuer, account) of an `otpauth://TYPE/LABEL?...&issuer=...`
    URI, or None for one Ente Auth marks as trashed. Only the label, the
    issuer and Ente's display flags are read; the secret parameter is never
    looked at.

    >>> otpauth_pair("otpauth://totp/GitHub:al%40x.org?secret=S&issuer=GitHub")
    ('GitHub', 'al@x.org')
    """
    parts = urlsplit(uri.strip())
    label = unquote(parts.path.lstrip("/"))
    keys = [k.lower() for k, _ in parse_qsl(parts.query, keep_blank_values=True)]
    if "secret" not in keys or any(ch in label for ch in "?&="):
        # A damaged URI can run its secret into the label: read nothing of it.
        raise ValueError("not a complete otpauth URI")
    params = {k.lower(): v for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() in ("issuer", ENTE_DISPLAY)}
    display = json.loads(params.get(ENTE_DISPLAY) or "{}")  # a cut-off value raises ValueError: damaged
    if isinstance(display, dict) and display.get("trashed") is True:
        return None
    return otp_pair(params.get("issuer", ""), "", label)


def _otpauth_lines(text: str) -> tuple[int, int]:
    """Return (lines that are otpauth URIs, other non-blank lines) of a text."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    uris = sum(1 for line in lines if line.lower().startswith("otpauth://"))
    return uris, len(lines) - uris


def _otpauth_score(text: str) -> float:
    uris, other = _otpauth_lines(text[:1_000_000])
    if not uris:
        return 0.0
    if f"{ENTE_DISPLAY}=" in text.lower():
        return RESEMBLES  # Ente Auth's own export
    return EXACT if not other else RESEMBLES


def _ente_text_score(text: str) -> float:
    uris, other = _otpauth_lines(text[:1_000_000])
    return EXACT if uris and not other and f"{ENTE_DISPLAY}=" in text.lower() else 0.0


def _ente_json_score(doc: Any) -> float:
    return EXACT if has_keys(doc, "kdfParams", "encryptedData") else 0.0


SIGNATURE_OTPAUTH = Signature(text=_otpauth_score)
SIGNATURE_ENTE = Signature(text=_ente_text_score, json=_ente_json_score, json_telltales=("kdfParams", "encryptedData"))


def _uri_export(data: bytes, filename: str, source: Source, help_text: str) -> ParsedExport:
    what = f"a list of otpauth:// URIs ({source.label})"
    text = decode_text(data, filename, what)
    uris = OTPAUTH.findall(text)
    if not uris:
        raise ImportFailure(filename, f"there is no otpauth:// line in this file, so it is not {what}. {help_text}")
    pairs = []
    for number, uri in enumerate(uris, start=1):
        try:
            pairs.append(otpauth_pair(uri))
        except ValueError:
            raise ImportFailure(
                filename, f"URI {number} is not a complete otpauth:// URI: the file looks truncated or damaged. {help_text}"
            ) from None
    return otp_export(source, pairs)


def parse_otpauth_list(data: bytes, filename: str) -> ParsedExport:
    """Return the one-time-code accounts of a text file of otpauth:// URIs,
    one per line (Aegis's and FreeOTP+'s plain-text export)."""
    return _uri_export(data, filename, SOURCE_OTPAUTH, "In Aegis use Settings > Import & Export > Export > Plain text.")


def parse_ente(data: bytes, filename: str) -> ParsedExport:
    """Return the one-time-code accounts of Ente Auth's plain-text export
    (trashed codes left out); its encrypted export is refused."""
    if data.lstrip()[:1] == b"{":
        raise ImportFailure(filename, ENTE_ENCRYPTED)
    return _uri_export(data, filename, SOURCE_ENTE, ENTE_ENCRYPTED.split(". ", 1)[1])


# -- andOTP, FreeOTP+, Proton Authenticator, Raivo, Stratum -----------------

SOURCE_ANDOTP = _app("andotp-json", "andOTP", "andotp", f"{_PHONE_HINT}; add the place that holds your andOTP backups")
ANDOTP_ENCRYPTED = (
    "this is not plain JSON, so it is probably an encrypted andOTP backup (.json.aes or .json.gpg). Export it again "
    "unencrypted: in andOTP open Backups and choose 'Backup (plain)', import that .json file, then delete it."
)
SOURCE_FREEOTP = _app("freeotp-plus-json", "FreeOTP+", "freeotp-plus", _PHONE_HINT, item_word="token")
SOURCE_PROTON_AUTH = _app(
    "proton-authenticator-json", "Proton Authenticator", "proton-authenticator",
    f"{_PHONE_HINT}; if they sync, the Proton account can restore them",
)
SOURCE_RAIVO = _app("raivo-json", "Raivo OTP", "raivo", f"{_PHONE_HINT}; Raivo keeps an iCloud copy: the Apple Account can restore them")
RAIVO_MEMBER = "raivo-otp-export.json"
RAIVO_HELP = (
    "Raivo exports a password-protected zip: open it with your Raivo master password "
    f"(Settings > Export OTPs to ZIP archive), import the {RAIVO_MEMBER} inside, then delete both."
)
SOURCE_STRATUM = _app("stratum-json", "Stratum", "stratum", f"{_PHONE_HINT}; add the place that holds your Stratum backups")
STRATUM_MAGIC = (b"AUTHENTICATORPRO", b"AuthenticatorPro")
STRATUM_ENCRYPTED = (
    "this is an encrypted Stratum (Authenticator Pro) backup. Export it again unencrypted: in Stratum open Backup > "
    "Back up to file and leave the password empty, import that .authpro file, then delete it."
)


def _andotp_score(doc: Any) -> float:
    if isinstance(doc, list) and doc and list_of_dicts(doc, "secret", "type", "label"):
        return EXACT
    return 0.0


def _raivo_score(doc: Any) -> float:
    if isinstance(doc, list) and doc and list_of_dicts(doc, "secret", "kind", "timer", "account", "issuer"):
        return EXACT
    return 0.0


def _freeotp_score(doc: Any) -> float:
    if has_keys(doc, "tokens") and list_of_dicts(doc["tokens"], "secret"):
        return EXACT if "tokenOrder" in doc else VARIANT
    return 0.0


def _proton_auth_score(doc: Any) -> float:
    if has_keys(doc, "entries") and list_of_dicts(doc["entries"], "content"):
        return EXACT if "version" in doc else VARIANT
    return 0.0


def _stratum_score(doc: Any) -> float:
    if has_keys(doc, "Authenticators") and isinstance(doc["Authenticators"], list):
        return EXACT if "Categories" in doc else VARIANT
    return 0.0


SIGNATURE_ANDOTP = Signature(json=_andotp_score)
SIGNATURE_RAIVO = Signature(json=_raivo_score, zip_members=(RAIVO_MEMBER,))
SIGNATURE_FREEOTP = Signature(json=_freeotp_score, json_telltales=("tokenOrder",))
SIGNATURE_PROTON_AUTH = Signature(json=_proton_auth_score)
SIGNATURE_STRATUM = Signature(json=_stratum_score, json_telltales=("Authenticators",), magic=STRATUM_MAGIC)


def _json_list(data: bytes, filename: str, what: str, key: str | None) -> list[Any]:
    """Return the list at `doc[key]` (or the document itself when `key` is
    None) of a JSON export, or fail saying what is missing."""
    doc = parse_json(decode_text(data, filename, what), filename, what)
    value = doc if key is None else doc.get(key) if isinstance(doc, dict) else None
    if not isinstance(value, list):
        where = "a list of entries" if key is None else f"a '{key}' list"
        raise ImportFailure(filename, f"this is not {what}: it is not {where}.")
    return value


def parse_andotp(data: bytes, filename: str) -> ParsedExport:
    """Return the one-time-code accounts of a plain andOTP backup; an
    encrypted backup (not JSON text) is refused with how to make a plain one."""
    if not data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"[":
        raise ImportFailure(filename, ANDOTP_ENCRYPTED)
    entries = _json_list(data, filename, "an andOTP backup", None)
    # Old andOTP labels are "Issuer - account" with no issuer field.
    return otp_export(SOURCE_ANDOTP, (
        (otp_pair(e.get("issuer"), e.get("label")) if "issuer" in e else otp_pair(*_dash_label(e.get("label"))))
        if isinstance(e, dict) else None
        for e in entries
    ))


def _dash_label(label: Any) -> tuple[str, str]:
    text = label if isinstance(label, str) else ""
    issuer, sep, account = text.partition(" - ")
    return (issuer, account) if sep else ("", text)


def parse_freeotp(data: bytes, filename: str) -> ParsedExport:
    """Return the one-time-code accounts of a FreeOTP+ JSON export."""
    tokens = _json_list(data, filename, "a FreeOTP+ export", "tokens")
    return otp_export(SOURCE_FREEOTP, (
        otp_pair(t.get("issuerExt") or t.get("issuerInt"), t.get("label")) if isinstance(t, dict) else None for t in tokens
    ))


def parse_proton_authenticator(data: bytes, filename: str) -> ParsedExport:
    """Return the one-time-code accounts of a Proton Authenticator export:
    each entry's `content.uri` is an otpauth URI, `content.name` its name."""
    entries = _json_list(data, filename, "a Proton Authenticator export", "entries")

    def pair(entry: Any) -> tuple[str, str] | None:
        content = entry.get("content") if isinstance(entry, dict) else None
        if not isinstance(content, dict):
            return None
        try:
            found = otpauth_pair(content["uri"]) if isinstance(content.get("uri"), str) else None
        except ValueError:
            found = None  # a damaged URI: the entry's name still says which site
        issuer, account = found or ("", "")
        return (issuer or clean_text(content.get("name")), account)

    return otp_export(SOURCE_PROTON_AUTH, map(pair, entries))


def parse_raivo(data: bytes, filename: str) -> ParsedExport:
    """Return the one-time-code accounts of Raivo OTP's export JSON; the
    password-protected zip Raivo saves is refused with how to open it."""
    if is_zip(data):
        raise ImportFailure(filename, RAIVO_HELP)
    entries = _json_list(data, filename, "a Raivo OTP export", None)
    return otp_export(SOURCE_RAIVO, (otp_pair(e.get("issuer"), e.get("account")) if isinstance(e, dict) else None for e in entries))


def parse_stratum(data: bytes, filename: str) -> ParsedExport:
    """Return the one-time-code accounts of an unencrypted Stratum
    (Authenticator Pro) backup; an encrypted one is refused."""
    if data.startswith(STRATUM_MAGIC):
        raise ImportFailure(filename, STRATUM_ENCRYPTED)
    entries = _json_list(data, filename, "a Stratum backup", "Authenticators")
    return otp_export(SOURCE_STRATUM, (otp_pair(e.get("Issuer"), e.get("Username")) if isinstance(e, dict) else None for e in entries))
