"""The secret-planting test: every fixture holds known secrets (passwords,
old passwords, TOTP seeds and otpauth URIs, notes, custom-field values,
passkey private keys, card numbers, URL tokens, encrypted blobs); none of
them may appear in any byte the importer returns, prints or logs, whether the
import succeeds or fails, and whatever damage the file has."""

from __future__ import annotations

import logging
import random

import pytest

from identity_map.importers import FORMATS, ImportFailure, run_import

from .conftest import (
    ENCRYPTED,
    FIXTURES,
    VARIANTS,
    assert_no_secret,
    export_bytes,
    export_name,
    find_secret,
    fixture_bytes,
    plain_text,
)

ALL_FIXTURES = [(fmt, export_bytes(fmt), export_name(fmt)) for fmt in FORMATS] + [
    (fmt, fixture_bytes(name), name) for fmt, name in (*VARIANTS, *ENCRYPTED)
]


def test_every_fixture_really_holds_planted_secrets():
    for fmt, data, name in ALL_FIXTURES:
        text = plain_text(name)
        if fmt in ("google-authenticator", "freeotp-plus-json"):
            continue  # the seeds are inside base64 protobuf or byte lists; checked below
        assert find_secret(text), f"{name} has no planted secret"


def test_google_authenticator_fixture_holds_planted_seeds():
    from .migration_payload import FIXTURE_BATCHES

    assert all(otp.secret.startswith(b"SECRET") for batch in FIXTURE_BATCHES for otp in batch)


def test_freeotp_fixture_holds_planted_seeds():
    import json

    tokens = json.loads((FIXTURES / "freeotp-plus.json").read_text())["tokens"]
    assert all(bytes(b % 256 for b in t["secret"]).startswith(b"SECRET") for t in tokens)


def _outcome(fmt: str, data: bytes, name: str, existing: str | None = None) -> list[str]:
    """Return every text the import produced: result or error message."""
    try:
        result = run_import(fmt, data, name, existing)
    except ImportFailure as exc:
        return [str(exc), repr(exc), *map(str, exc.args)]
    return [result.text, *result.notes, *result.added]


@pytest.mark.parametrize(("fmt", "data", "name"), ALL_FIXTURES, ids=[n for _, _, n in ALL_FIXTURES])
def test_no_secret_in_output_notes_errors_stdout_stderr_or_logs(fmt, data, name, capsys, caplog, existing_text):
    caplog.set_level(logging.DEBUG)
    texts = _outcome(fmt, data, name) + _outcome("auto", data, name) + _outcome(fmt, data, name, existing_text)
    captured = capsys.readouterr()
    assert_no_secret(*texts, captured.out, captured.err, caplog.text)


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_secret_when_the_file_is_cut_anywhere(fmt, capsys, caplog):
    caplog.set_level(logging.DEBUG)
    data = export_bytes(fmt)
    texts = []
    for i in range(1, 24):
        texts += _outcome(fmt, data[: len(data) * i // 24], export_name(fmt))
    captured = capsys.readouterr()
    assert_no_secret(*texts, captured.out, captured.err, caplog.text)


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_secret_and_no_crash_when_bytes_are_damaged(fmt, capsys):
    data = export_bytes(fmt)
    rng = random.Random(fmt)  # deterministic per format
    texts = []
    for _ in range(40):
        damaged = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        texts += _outcome(fmt, bytes(damaged), export_name(fmt))  # only ImportFailure may escape
    captured = capsys.readouterr()
    assert_no_secret(*texts, captured.out, captured.err)


def test_the_cli_prints_and_writes_no_secret(tmp_path, capsys, existing_text):
    from identity_map.cli import main

    inventory = tmp_path / "me.yaml"
    inventory.write_text(existing_text, encoding="utf-8")
    for fmt, data, name in ALL_FIXTURES:
        export = tmp_path / name.replace("/", "_")
        export.write_bytes(data)
        main(["import", "auto", str(export), "-o", str(tmp_path / "draft.yaml")])
        main(["import", fmt, str(export), "--merge", str(inventory)])
    captured = capsys.readouterr()
    written = [p.read_text(encoding="utf-8") for p in tmp_path.glob("*.yaml")]
    assert_no_secret(captured.out, captured.err, *written)


def test_run_import_writes_no_file_and_no_temporary_file(tmp_path, monkeypatch, existing_text):
    import builtins
    import tempfile

    real_open = builtins.open

    def read_only_open(file, mode="r", *args, **kwargs):
        assert not any(flag in mode for flag in "wax+"), f"run_import opened {file!r} for writing"
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(builtins, "open", read_only_open)
    for fmt, data, name in ALL_FIXTURES:
        _outcome(fmt, data, name)
        _outcome(fmt, data, name, existing_text)
    assert list(tmp_path.iterdir()) == []


def test_cli_failure_prints_one_error_line_and_writes_nothing(tmp_path, capsys):
    from identity_map.cli import main

    export = tmp_path / "aegis-encrypted.json"
    export.write_bytes((FIXTURES / "aegis-encrypted.json").read_bytes())
    out = tmp_path / "draft.yaml"
    assert main(["import", "auto", str(export), "-o", str(out)]) == 1
    captured = capsys.readouterr()
    assert captured.err.startswith(f"identity-map: error: {export}: this is an encrypted Aegis vault")
    assert "Traceback" not in captured.err and captured.out == ""
    assert not out.exists()
    assert_no_secret(captured.err)


def test_cli_success_tells_to_delete_the_export(tmp_path, capsys):
    from identity_map.cli import main
    from identity_map.format.load import load_text

    export = tmp_path / "passwords.csv"
    export.write_bytes(export_bytes("chrome-csv"))
    out = tmp_path / "me.yaml"
    assert main(["import", "chrome-csv", str(export), "-o", str(out)]) == 0
    captured = capsys.readouterr()
    assert f"Delete the plaintext export {export}" in captured.err
    load_text(out.read_text(encoding="utf-8"), str(out))
