"""Shared fixtures for the importer tests: the export files, a 1PUX archive
built from its hand-written parts, and the planted-secret check."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "importers"

# Every secret planted in a fixture contains one of these (passwords, notes,
# custom fields, passkey keys, card numbers, URL tokens, encrypted blobs...),
# or is the base32 TOTP seed below.
SECRET_MARKERS = ("SECRET", "JBSWY3DPEHPK3PXP", "otpauth://totp", "secret=")


def one_pux(data_name: str = "export.data") -> bytes:
    """Return a .1pux archive made from tests/fixtures/importers/1password/."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(FIXTURES / "1password" / "export.attributes", "export.attributes")
        archive.write(FIXTURES / "1password" / data_name, "export.data")
    return out.getvalue()


def zip_folder(folder: str) -> bytes:
    """Return a zip of a fixture folder, member names relative to it (as
    the app's own archive names them)."""
    out = io.BytesIO()
    root = FIXTURES / folder
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            archive.write(path, path.relative_to(root).as_posix())
    return out.getvalue()


def encrypted_zip(member: str, data: bytes) -> bytes:
    """Return a zip whose one member is marked encrypted (as a
    password-protected archive is; the bytes themselves stay unreadable)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(member, data)
    raw = bytearray(out.getvalue())
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = raw.find(signature)
        raw[at + offset] |= 0x1
    return bytes(raw)


# Archives built from fixture parts (name -> bytes maker).
BUILT: dict[str, object] = {
    "export.1pux": one_pux,
    "dashlane.zip": lambda: zip_folder("dashlane"),
    "protonpass.zip": lambda: zip_folder("protonpass"),
    "raivo-encrypted.zip": lambda: encrypted_zip("raivo-otp-export.json", b"SECRET-CIPHERTEXT-RAIVO" * 8),
}

# FORMAT -> its main fixture file.
EXPORTS: dict[str, str] = {
    "bitwarden-json": "bitwarden.json",
    "bitwarden-csv": "bitwarden.csv",
    "1password-1pux": "export.1pux",
    "1password-csv": "1password.csv",
    "1password-1pif": "1password.1pif",
    "1password7-csv": "1password7-mac.csv",
    "lastpass-csv": "lastpass.csv",
    "apple-passwords-csv": "apple-passwords.csv",
    "dashlane-csv": "dashlane.zip",
    "dashlane-json": "dashlane.json",
    "nordpass-csv": "nordpass.csv",
    "protonpass-json": "protonpass.zip",
    "protonpass-csv": "protonpass.csv",
    "enpass-json": "enpass.json",
    "keeper-csv": "keeper.csv",
    "keepassxc-csv": "keepassxc.csv",
    "keepass-xml": "keepass.xml",
    "keepass1-csv": "keepass1.csv",
    "chrome-csv": "chrome.csv",
    "firefox-csv": "firefox.csv",
    "aegis-json": "aegis.json",
    "otpauth-list": "otpauth.txt",
    "2fas-json": "2fas.2fas",
    "google-authenticator": "google-authenticator.txt",
    "andotp-json": "andotp.json",
    "freeotp-plus-json": "freeotp-plus.json",
    "ente-auth": "ente-auth.txt",
    "proton-authenticator-json": "proton-authenticator.json",
    "raivo-json": "raivo-otp-export.json",
    "stratum-json": "stratum.authpro",
}
# (FORMAT, another layout of that app's export: an older version, the other
# platform, the file taken out of the app's zip)
VARIANTS = (
    ("lastpass-csv", "lastpass-old.csv"),
    ("1password7-csv", "1password7-win.csv"),
    ("dashlane-csv", "dashlane/credentials.csv"),
    ("protonpass-json", "protonpass/Proton Pass/data.json"),
    ("1password-1pux", "1password/export.data"),
)
# (FORMAT, encrypted export of that app)
ENCRYPTED = (
    ("bitwarden-json", "bitwarden-encrypted.json"),
    ("bitwarden-json", "bitwarden-password-protected.json"),
    ("aegis-json", "aegis-encrypted.json"),
    ("2fas-json", "2fas-encrypted.2fas"),
    ("andotp-json", "andotp-encrypted.json.aes"),
    ("ente-auth", "ente-auth-encrypted.txt"),
    ("stratum-json", "stratum-encrypted.authpro"),
    ("raivo-json", "raivo-encrypted.zip"),
)


def fixture_bytes(name: str) -> bytes:
    """Return a fixture file's bytes, or the archive built under that name."""
    maker = BUILT.get(name)
    return maker() if callable(maker) else (FIXTURES / name).read_bytes()


def export_bytes(fmt: str) -> bytes:
    """Return the fixture export of a format."""
    return fixture_bytes(EXPORTS[fmt])


def export_name(fmt: str) -> str:
    return EXPORTS[fmt]


def bare_bytes(fmt: str) -> bytes:
    """Return the export of a format as one text file: the main fixture, or
    for an app that exports a zip, the file inside it."""
    name = EXPORTS[fmt]
    if name in BUILT:
        name = next((variant for f, variant in VARIANTS if f == fmt), name)
    return fixture_bytes(name)


def plain_text(name: str) -> str:
    """Return the text of a fixture: every member of a zip, or the file
    (undecodable bytes replaced)."""
    data = fixture_bytes(name)
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if any(i.flag_bits & 0x1 for i in archive.infolist()):
                return data.decode("latin-1")
            return "\n".join(archive.read(n).decode("utf-8") for n in archive.namelist())
    return data.decode("utf-8", errors="replace")


def find_secret(text: str) -> str | None:
    """Return the first planted-secret marker found in `text`, if any (case
    matters: the notes rightly say "your secrets")."""
    return next((m for m in SECRET_MARKERS if m in text), None)


def assert_no_secret(*texts: str) -> None:
    for text in texts:
        marker = find_secret(text)
        assert marker is None, f"planted secret marker {marker!r} leaked: ...{_around(text, marker)}..."


def _around(text: str, marker: str) -> str:
    i = text.find(marker)
    return re.sub(r"\s+", " ", text[max(0, i - 40) : i + 60])


@pytest.fixture
def existing_text() -> str:
    return (FIXTURES / "existing.yaml").read_text(encoding="utf-8")
