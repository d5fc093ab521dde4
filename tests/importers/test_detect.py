"""Recognising exports: by each app's signature, with a confidence; an
unknown or ambiguous file is refused with what it resembles, never drafted
as a guess; a named format refuses another app's file."""

from __future__ import annotations

import io
import zipfile

import pytest

from identity_map.importers import FORMATS, ImportFailure, format_list, run_import
from identity_map.importers.detect import ACCEPT, recognise
from identity_map.importers.registry import FORMATS as FORMAT_INFO

from .conftest import fixture_bytes


def refusal(fmt: str, data: bytes, name: str = "x") -> str:
    with pytest.raises(ImportFailure) as caught:
        run_import(fmt, data, name)
    return caught.value.message


@pytest.mark.parametrize(
    ("name", "given", "right"),
    [
        ("lastpass.csv", "chrome-csv", "lastpass-csv"),  # was drafted as Google Password Manager
        ("nordpass.csv", "chrome-csv", "nordpass-csv"),
        ("dashlane/credentials.csv", "1password-csv", "dashlane-csv"),
        ("apple-passwords.csv", "1password-csv", "apple-passwords-csv"),
        ("enpass.json", "bitwarden-json", "enpass-json"),  # was "a Bitwarden export with no logins"
        ("stratum.authpro", "1password-1pux", "stratum-json"),
        ("ente-auth.txt", "otpauth-list", "ente-auth"),
    ],
)
def test_a_named_format_refuses_another_apps_export_and_names_it(name, given, right):
    assert f"'{right}'" in refusal(given, fixture_bytes(name), name)


def test_a_file_matching_two_formats_equally_is_refused_with_both():
    # an Aegis vault and a 2FAS backup in one JSON object: both signatures match fully
    data = b'{"version": 1, "header": {"slots": null}, "db": {"entries": []}, "services": [], "schemaVersion": 4}'
    detection = recognise(data)
    assert detection.format is None and detection.ambiguous
    message = refusal("auto", data)
    assert "several formats" in message and "aegis-json" in message and "2fas-json" in message


def test_close_scores_are_ambiguous_not_a_guess():
    from identity_map.importers.detect import Candidate, Detection

    tie = Detection("csv", (Candidate("a", 0.9), Candidate("b", 0.85)))
    assert tie.format is None and tie.ambiguous
    clear = Detection("csv", (Candidate("a", 1.0), Candidate("b", 0.5)))
    assert clear.format == "a" and not clear.ambiguous
    weak = Detection("csv", (Candidate("a", 0.6),))
    assert weak.format is None and not weak.ambiguous and weak.resembles() == ("a",)


def test_an_unknown_file_lists_what_it_resembles():
    message = refusal("auto", b"name,url,username,pwd,note\nx,https://a.example,al,pw,\n", "odd.csv")
    assert "not an export" in message and "resembles" in message and "chrome-csv" in message


def test_an_unknown_zip_is_refused_as_a_zip_not_as_bad_text():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("photos/cat.jpg", b"\xff\xd8\xff" + b"\x00" * 64)
    message = refusal("auto", out.getvalue(), "backup.zip")
    assert "zip archive" in message and "UTF-8" not in message


def test_a_damaged_zip_names_the_formats_it_may_be():
    data = fixture_bytes("export.1pux")[:200]
    message = refusal("auto", data, "cut.zip")
    assert "zip" in message and "1password-1pux" in message


def test_a_binary_file_is_refused_as_binary():
    assert "binary" in refusal("auto", b"\x00\x01\x02SECRET" * 30, "blob.bin")


def test_every_format_has_a_signature_and_export_steps():
    assert tuple(f.name for f in FORMAT_INFO) == FORMATS
    for f in FORMAT_INFO:
        sig = f.signature
        assert sig.csv_headers or sig.csv or sig.json or sig.text or sig.zip_members or sig.magic, f.name
        assert f.steps and f.file, f.name


def test_list_names_every_format_and_how_to_export_it(capsys):
    from identity_map.cli import main

    assert main(["import", "--list"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines == list(format_list())
    assert {line.split()[0] for line in lines} == set(FORMATS)
    assert "Tools > Export vault" in out and "Backups > Backup (plain)" in out


def test_import_without_arguments_says_what_it_needs(capsys):
    from identity_map.cli import main

    assert main(["import"]) == 1
    assert "--list" in capsys.readouterr().err


def test_confidence_is_high_only_for_the_apps_own_layout():
    header = b"url,username,password,totp,extra,name,grouping,fav\n"
    assert recognise(header).confidence("lastpass-csv") == 1.0
    assert recognise(header).confidence("chrome-csv") < ACCEPT
    # a newer LastPass adding a column is still LastPass
    assert recognise(header.replace(b",fav", b",fav,id")).format == "lastpass-csv"
