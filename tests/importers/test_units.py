"""Unit tests of the helpers: hosts and ids, the hand-written protobuf
reader, CSV/JSON readers, and the YAML round-trip editing."""

from __future__ import annotations

import base64
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from identity_map.importers import ImportFailure, run_import
from identity_map.importers.domains import host_of, registrable_domain, slug, user_slug
from identity_map.importers.entry import clean_text, make_entry
from identity_map.importers.yamldoc import guess_layout, scalar

from .migration_payload import Otp, migration_uri, payload


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://accounts.google.com/ServiceLogin?x=1", "accounts.google.com"),
        ("github.com", "github.com"),
        ("https://user:pw@Example.COM:8443/path", "example.com"),
        ("http://192.168.1.1/", ""),
        ("androidapp://com.example.app", ""),
        ("chrome://FirefoxAccounts", ""),
        ("localhost", ""),
        ("https://bücher.de/", "xn--bcher-kva.de"),
        ("not a url", ""),
        ("", ""),
    ],
)
def test_host_of(url, host):
    assert host_of(url) == host


@pytest.mark.parametrize(
    ("host", "domain"),
    [("accounts.google.com", "google.com"), ("www.bbc.co.uk", "bbc.co.uk"), ("github.com", "github.com"),
     ("my.bank.com.au", "bank.com.au"), ("a.b.c.example.org", "example.org")],
)
def test_registrable_domain(host, domain):
    assert registrable_domain(host) == domain


def test_slugs():
    assert slug("Home Router (5 GHz)") == "home-router-5-ghz"
    assert slug("Ünïcödé") == "unicode"
    assert slug("!!!") == ""
    assert user_slug("alice.w@example.com") == "alice-w"


def test_clean_text_keeps_one_line():
    assert clean_text("a\nb\tc\x00d") == "a b c d"
    assert len(clean_text("x" * 500)) == 120
    assert clean_text(None) == ""


def test_make_entry_keeps_only_facts():
    entry = make_entry("GitHub", ["https://github.com/login?token=abc"], "al", password=True, totp=True)
    assert entry is not None and (entry.host, entry.domain, entry.password, entry.totp) == ("github.com", "github.com", True, True)
    assert make_entry("", [""], "") is None


@pytest.mark.parametrize("text", ["yes", "No", "on", "0123", "1_000", "2024-01-01", "12:30", "a: b", "~", "null", "[x]", " lead"])
def test_scalar_quotes_what_yaml_1_1_would_misread(text):
    assert type(scalar(text)) is not str


@pytest.mark.parametrize("text", ["github", "password:bitwarden + totp:aegis", "alice@example.com", "1password", "2fas"])
def test_scalar_leaves_plain_strings_plain(text):
    assert type(scalar(text)) is str


def test_guess_layout():
    assert (guess_layout("a:\n  b:\n    c:\n      - x\n").mapping, guess_layout("a:\n  b:\n    c:\n      - x\n").offset) == (2, 2)
    assert (guess_layout("a:\n    b:\n    - x\n").mapping, guess_layout("a:\n    b:\n    - x\n").offset) == (4, 0)


def _uri(otps, **kw) -> bytes:
    return (migration_uri(payload(otps, **kw)) + "\n").encode()


def test_migration_uri_with_unescaped_plus_and_slash():
    data = payload([Otp(b"\xfb\xff\xfe" * 5, "Example:me", "Example")])
    raw = "otpauth-migration://offline?data=" + base64.b64encode(data).decode()
    assert "+" in raw or "/" in raw
    result = run_import("google-authenticator", raw.encode(), "ga.txt")
    assert "example" in result.added


def test_migration_uri_url_safe_base64():
    data = payload([Otp(b"\xfb\xff\xfe" * 5, "Example:me", "Example")])
    raw = "otpauth-migration://offline?data=" + quote(base64.urlsafe_b64encode(data).decode().rstrip("="))
    assert "example" in run_import("google-authenticator", raw.encode(), "ga.txt").added


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=200))
def test_arbitrary_migration_payloads_never_crash(blob):
    raw = "otpauth-migration://offline?data=" + quote(base64.b64encode(blob).decode(), safe="")
    try:
        run_import("google-authenticator", raw.encode(), "ga.txt")
    except ImportFailure as exc:
        assert str(exc).startswith("ga.txt: ")


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_text_in_auto_mode_never_crashes(text):
    try:
        run_import("auto", text.encode("utf-8", errors="surrogatepass"), "x")
    except ImportFailure:
        pass
