"""Bad exports: a clear ImportFailure naming the file and what to do, no
traceback, no secret, and (run_import writing nothing) nothing written."""

from __future__ import annotations

import io
import zipfile

import pytest

from identity_map.importers import FORMATS, ImportFailure, run_import

from .conftest import ENCRYPTED, assert_no_secret, bare_bytes, export_bytes, export_name, fixture_bytes, one_pux


def failure(fmt: str, data: bytes, name: str = "export.bin") -> str:
    with pytest.raises(ImportFailure) as caught:
        run_import(fmt, data, name)
    message = str(caught.value)
    assert message.startswith(f"{name}: ")
    # nothing chained: a parser's exception can hold the export's text
    assert caught.value.__cause__ is None and caught.value.__context__ is None
    assert_no_secret(message)
    return message


@pytest.mark.parametrize(("fmt", "name"), ENCRYPTED)
@pytest.mark.parametrize("as_format", ["given", "auto"])
def test_encrypted_exports_say_so_and_how_to_export_plainly(fmt, name, as_format):
    data = fixture_bytes(name)
    message = failure(fmt if as_format == "given" else "auto", data, name)
    assert "encrypted" in message or "password-protected" in message
    assert "export" in message.lower()


def test_encrypted_1pux_zip_says_so():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("export.data", b"{}")
    raw = bytearray(out.getvalue())
    # set the "encrypted" flag bit in the local and central headers
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = raw.find(signature)
        raw[at + offset] |= 0x1
    assert "encrypted" in failure("1password-1pux", bytes(raw), "x.1pux")


def test_kdbx_database_is_not_an_export():
    message = failure("auto", b"\x03\xd9\xa2\x9a\x67\xfb\x4b\xb5" + b"SECRET" * 20, "vault.kdbx")
    assert "KeePass database" in message and "Export" in message


@pytest.mark.parametrize("fmt", [*FORMATS, "auto"])
@pytest.mark.parametrize("data", [b"", b"  \n\n", b"\xef\xbb\xbf"])
def test_empty_files(fmt, data):
    assert "empty" in failure(fmt, data)


@pytest.mark.parametrize(
    ("fmt", "data"),
    [
        ("bitwarden-json", b'{"encrypted": false, "folders": [], "items": []}'),
        ("bitwarden-csv", b"folder,favorite,type,name,notes,fields,reprompt,login_uri,login_username,login_password,login_totp\n"),
        ("chrome-csv", b"name,url,username,password,note\n"),
        ("firefox-csv", b'"url","username","password","httpRealm","formActionOrigin","guid","timeCreated","timeLastUsed","timePasswordChanged"\n'),
        ("aegis-json", b'{"version": 1, "header": {"slots": null, "params": null}, "db": {"version": 3, "entries": []}}'),
        ("2fas-json", b'{"services": [], "groups": [], "schemaVersion": 4}'),
        ("1password-1pux", b'{"accounts": []}'),
    ],
)
def test_exports_without_logins(fmt, data):
    assert "no logins" in failure(fmt, data)


@pytest.mark.parametrize("fmt", FORMATS)
def test_truncated_exports(fmt):
    data = export_bytes(fmt)
    cut = data[: len(data) * 2 // 3]
    if fmt == "google-authenticator":
        cut = data[: data.index(b"\n") - 9]  # a QR line cut short
    message = failure(fmt, cut, export_name(fmt))
    assert any(word in message for word in ("truncated", "incomplete", "ends too early", "breaks at")), message


@pytest.mark.parametrize("fmt", FORMATS)
def test_non_utf8_bytes(fmt):
    data = bare_bytes(fmt)
    # a Latin-1 "é" in the first few lines, as a legacy editor would write it
    at = data.index(b"\n") + 1 if b"\n" in data[:400] else 10
    bad = data[:at] + b"caf\xe9 " + data[at:]
    message = failure(fmt, bad, export_name(fmt))
    assert "UTF-8" in message or "not well-formed" in message, message


def test_utf16_exports_are_read():
    data = export_bytes("chrome-csv").decode("utf-8").encode("utf-16")
    assert run_import("auto", data, "c.csv").text == run_import("auto", export_bytes("chrome-csv"), "c.csv").text


@pytest.mark.parametrize(
    ("fmt", "other"),
    [("bitwarden-json", "chrome-csv"), ("chrome-csv", "bitwarden-json"), ("aegis-json", "2fas-json"), ("keepass-xml", "firefox-csv")],
)
def test_wrong_format_names_the_likely_one(fmt, other):
    message = failure(fmt, export_bytes(other), "x")
    assert f"'{other}'" in message


def test_unrecognised_file_in_auto_mode():
    message = failure("auto", b"just some text\nwith lines\n", "notes.txt")
    assert "not an export" in message and "bitwarden-json" in message


def test_unknown_format_name():
    assert "unknown format" in failure("lastpass", export_bytes("chrome-csv"), "x.csv")


def test_image_instead_of_migration_text():
    assert "image" in failure("google-authenticator", b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "qr.png")


def test_xml_with_doctype_is_refused():
    data = export_bytes("keepass-xml").replace(b"<KeePassFile>", b'<!DOCTYPE k [<!ENTITY a "SECRET">]>\n<KeePassFile>', 1)
    assert "DOCTYPE" in failure("keepass-xml", data)


def test_zip_without_export_data():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert "export.data" in failure("1password-1pux", out.getvalue(), "x.1pux")


def test_unexpected_structure_is_a_clear_failure_without_the_values():
    # `items` holding a login whose `login` is a list: not a shape Bitwarden writes
    data = b'{"encrypted": false, "items": [{"type": 1, "name": "x", "login": ["SECRET-PASSWORD-9"]}]}'
    message = failure("bitwarden-json", data)
    assert "does not understand" in message
    with pytest.raises(ImportFailure) as caught:
        run_import("bitwarden-json", data, "x")
    assert caught.value.__context__ is None  # no chained exception can show the value


def test_broken_inventory_to_merge_into():
    with pytest.raises(ImportFailure) as caught:
        run_import("auto", export_bytes("chrome-csv"), "c.csv", "accounts: [unclosed\n")
    assert "not valid YAML" in str(caught.value)
    with pytest.raises(ImportFailure):
        run_import("auto", export_bytes("chrome-csv"), "c.csv", "- a list\n")


def test_1pux_from_a_fixture_archive_is_fine():
    assert run_import("auto", one_pux(), "x.1pux").added


def test_a_draft_the_loader_would_refuse_is_never_returned(monkeypatch):
    import identity_map.importers as importers

    monkeypatch.setattr(importers, "LOADER_MAX_BYTES", 600)
    message = failure("bitwarden-json", export_bytes("bitwarden-json"), "b.json").split(": ", 1)[1]
    assert "MB an inventory may be" in message and "in parts" in message
