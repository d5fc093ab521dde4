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


# FORMAT -> fixture file name (None: the 1PUX archive built above).
EXPORTS: dict[str, str | None] = {
    "bitwarden-json": "bitwarden.json",
    "bitwarden-csv": "bitwarden.csv",
    "1password-1pux": None,
    "1password-csv": "1password.csv",
    "keepassxc-csv": "keepassxc.csv",
    "keepass-xml": "keepass.xml",
    "chrome-csv": "chrome.csv",
    "firefox-csv": "firefox.csv",
    "aegis-json": "aegis.json",
    "2fas-json": "2fas.2fas",
    "google-authenticator": "google-authenticator.txt",
}
# (FORMAT, encrypted export of that app)
ENCRYPTED = (
    ("bitwarden-json", "bitwarden-encrypted.json"),
    ("bitwarden-json", "bitwarden-password-protected.json"),
    ("aegis-json", "aegis-encrypted.json"),
    ("2fas-json", "2fas-encrypted.2fas"),
)


def export_bytes(fmt: str) -> bytes:
    """Return the fixture export of a format."""
    name = EXPORTS[fmt]
    return one_pux() if name is None else (FIXTURES / name).read_bytes()


def export_name(fmt: str) -> str:
    return EXPORTS[fmt] or "export.1pux"


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
