"""Provider directory: the bundle and its rebuild, the matching rules, every
finding of the second-factor report, and the `factors` command."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from identity_map.analysis.graph import build_graph
from identity_map.cli import main
from identity_map.format.load import load_text
from identity_map.format.model import Thing
from identity_map.providers import build_directory
from identity_map.providers.directory import BUNDLE, Directory, bundled
from identity_map.providers.factors import FINDING_KINDS, factor_rows
from identity_map.providers.match import match_account
from identity_map.providers.report import FORMATS, export_factors

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "providers"
# The project keeps the directories' snapshots in shared/ beside the checkout (or beside its worktrees folder).
SNAPSHOTS = next((p / "shared" / "data" for p in (ROOT.parent, ROOT.parent.parent)
                  if (p / "shared" / "data" / "2fa-directory" / "entries.json").exists()), ROOT / "missing")


@pytest.fixture(scope="module")
def fixture_dir() -> Directory:
    return Directory.from_json((FIXTURES / "sites.json").read_text(encoding="utf-8"))


def account(**fields) -> Thing:
    return Thing(**{"id": "acct", "kind": "account", "name": "acct", **fields})


# -- Matching -------------------------------------------------------------------

@pytest.mark.parametrize("fields, site, by", [
    ({"url": "https://mail.example-mail.test/login"}, "ExampleMail", "url"),          # main domain
    ({"url": "example-mail.net"}, "ExampleMail", "url"),                              # additional domain
    ({"url": "https://www.xm.test"}, "ExampleMail", "url"),                           # subdomain of an additional one
    ({"url": "https://eu.example-mail.test"}, "ExampleMail", "url"),                  # sibling: the one site under it
    ({"url": "https://corp.test"}, "Corp", "url"),                                    # registrable domain of a subdomain entry
    ({"provider": "example-mail.net"}, "ExampleMail", "provider"),                    # provider as a domain
    ({"provider": "  smsplus "}, "SmsPlus", "provider"),                              # provider as a name
    ({"subkind": "email", "user": "me@XM.test"}, "ExampleMail", "user"),                 # the mailbox's own address
    ({"subkind": "identity", "user": "me@login.corp.test"}, "Corp", "user"),
    ({"name": "NoFA"}, "NoFA", "name"),
    ({"name": "SmsPlus (Ben)"}, "SmsPlus", "name"),                                   # trailing parenthesis dropped
    ({"url": "https://smsplus.test", "provider": "NoFA", "name": "KeyOnly"}, "SmsPlus", "url"),  # url first
    ({"provider": "NoFA", "name": "KeyOnly"}, "NoFA", "provider"),                    # then provider, then name
])
def test_match_rules(fixture_dir, fields, site, by):
    found = match_account(account(**fields), fixture_dir)
    assert (found.site.name, found.by) == (site, by)


@pytest.mark.parametrize("fields", [
    {"url": "https://unknown.test"},
    {"url": "https://multi.test"},                  # two sites under multi.test: ambiguous, no guess
    {"url": "https://test"},                        # a public suffix alone
    {"subkind": "bank", "user": "me@xm.test"},         # a bank's user address names the mailbox, not the bank
    {"provider": "Example Mail"},                   # names must be exact
    {"name": "acct"},
    {"url": "http://[bad"},
])
def test_no_match(fixture_dir, fields):
    assert match_account(account(**fields), fixture_dir) is None


def test_bundled_matches_real_sites():
    d = bundled()
    assert bundled() is d  # parsed once per process
    cases = {"gmail.com": "Gmail", "hotmail.com": "Outlook.com", "www.github.com": "GitHub",
             "photos.google.com": "Google", "account.microsoft.com": "Microsoft", "amazon.co.uk": "Amazon",
             "pm.me": "Proton", "onedrive.live.com": "OneDrive", "icloud.com": "Apple iCloud"}
    assert {h: d.lookup_host(h).name for h in cases} == cases
    assert d.lookup_host("nobody-registered-this.example") is None
    assert d.lookup_host("github.io") is None and d.lookup_host("someone.github.io") is None
    github = d.lookup_host("github.com")
    assert github.offers("u2f") and github.has_passkeys
    assert "Hardware tokens must have a backup method" in github.notes[0]


def test_bundle_fields_and_sources():
    doc = json.loads(BUNDLE.read_text(encoding="utf-8"))
    assert {s["licence"] for s in doc["sources"].values()} == {"MIT", "CC BY 4.0"}
    assert all(len(s["commit"]) == 40 for s in doc["sources"].values())
    used = {"domain", "name", "domains", "tfa", "custom-software", "custom-hardware", "passkeys", "documentation",
            "recovery", "passkey-documentation", "notes", "derived-from"}
    assert set().union(*(s.keys() for s in doc["sites"])) <= used
    notice = (BUNDLE.parent / "NOTICE").read_text(encoding="utf-8")
    for needed in ("MIT", "Attribution 4.0", doc["sources"]["2fa-directory"]["commit"],
                   doc["sources"]["passkeys-directory"]["commit"]):
        assert needed in notice


def test_build_from_snapshot_files(tmp_path):
    out = tmp_path / "sites.json"
    assert build_directory.main([str(FIXTURES / "2fa-entries.json"), str(FIXTURES / "passkeys-entries.json"),
                                 "-o", str(out)]) == 0
    d = Directory.from_json(out.read_text(encoding="utf-8"))
    gmail = d.lookup_host("gmail.com")
    assert gmail.tfa == {"sms", "totp"} and gmail.passkeys == ("mfa", "passwordless")
    assert gmail.passkey_documentation == "https://g.example/passkeys"
    assert d.lookup_host("nofa.test").tfa == frozenset()      # listed without 2FA: none
    assert d.lookup_host("pk.test").tfa is None               # only in the passkeys directory: unknown
    google = d.lookup_host("photos.google.com")               # the umbrella account, from Gmail's methods
    assert google.name == "Google" and google.tfa == gmail.tfa
    assert "img" not in out.read_text() and "contact" not in out.read_text()
    assert d.sources["passkeys-directory"]["commit"] == "bbbb"


def test_build_refuses_bad_snapshot(tmp_path, capsys):
    bad = tmp_path / "entries.json"
    bad.write_text("{not json")
    assert build_directory.main([str(bad), str(bad), "-o", str(tmp_path / "out.json")]) == 1
    assert "cannot read the snapshots" in capsys.readouterr().err


@pytest.mark.skipif(not (SNAPSHOTS / "2fa-directory" / "entries.json").exists(),
                    reason="the directories' snapshots are not beside this checkout")
def test_bundle_is_the_rebuild_of_the_snapshots(tmp_path):
    out = tmp_path / "sites.json"
    build_directory.main([str(SNAPSHOTS / "2fa-directory"), str(SNAPSHOTS / "passkeys-directory"), "-o", str(out)])
    assert out.read_text(encoding="utf-8") == BUNDLE.read_text(encoding="utf-8")


# -- Findings -------------------------------------------------------------------

HEAD = """version: 1
devices:
  phone: {kind: phone}
  yubi: {kind: security-key}
  yubi2: {kind: security-key}
phones:
  mobile: {device: phone}
accounts:
"""


def rows_of(accounts: str, directory: Directory):
    return {r.id: r for r in factor_rows(build_graph(load_text(HEAD + accounts)), directory)}


def kinds(row) -> list[str]:
    return [f.kind for f in row.findings]


def test_every_finding_kind(fixture_dir):
    rows = rows_of("""\
  mail: {url: xm.test, login: [password]}
  sms: {url: smsplus.test, login: [password + sms:mobile]}
  key: {url: keyonly.test, login: [password + key:yubi]}
  keys2: {url: keyonly.test, login: [password + key:yubi, password + key:yubi2]}
  nofa: {url: nofa.test}
  pk: {url: pkonly.test, login: [passkey:phone]}
  drive: {url: xm.test, login: [sso:mail]}
  unknown: {url: unknown.test}
""", fixture_dir)
    assert kinds(rows["mail"]) == ["inactive-2fa", "passkey-available", "security-key-possible", "docs"]
    assert kinds(rows["sms"]) == ["sms-only"]
    key = rows["key"].findings[0]
    assert (key.kind, key.severity) == ("key-without-backup", "high")
    assert "Hardware tokens must have a backup method." in key.detail
    assert key.links == (("recovery", "https://keyonly.test/recover"),)
    assert kinds(rows["keys2"]) == ["docs"]                # a second key is the backup
    assert kinds(rows["nofa"]) == ["no-2fa"]
    assert kinds(rows["pk"]) == []                         # passkey used; other methods unknown
    assert rows["drive"].through == ("mail",) and kinds(rows["drive"]) == []
    assert rows["unknown"].match is None and kinds(rows["unknown"]) == []
    seen = {k for r in rows.values() for k in kinds(r)}
    assert seen == set(FINDING_KINDS)
    docs = rows["mail"].findings[-1]
    assert dict(docs.links) == {"two-step login": "https://example-mail.test/2fa",
                                "recovery": "https://example-mail.test/recover",
                                "passkeys": "https://example-mail.test/passkeys"}


def test_findings_need_the_site_to_offer_it(fixture_dir):
    rows = rows_of("""\
  sms: {url: b.multi.test, login: [password + sms:mobile]}
  totp: {url: a.multi.test, login: [password]}
""", fixture_dir)
    assert kinds(rows["sms"]) == []                        # SMS is all Multi B offers
    assert kinds(rows["totp"]) == ["inactive-2fa"]         # no passkeys, no keys there


def test_rows_critical_then_most_depended_on(fixture_dir):
    rows = factor_rows(build_graph(load_text(HEAD + """\
  shop: {url: smsplus.test}
  hub: {url: xm.test}
  a: {login: [email:hub]}
  b: {login: [email:hub]}
  small: {}
  bank: {critical: true}
""")), fixture_dir)
    assert [r.id for r in rows] == ["bank", "hub", "shop", "a", "b", "small"]
    assert rows[1].dependents == 2


# -- Formats and the command ---------------------------------------------------------

MALIK = str(ROOT / "examples" / "malik.yaml")


def test_factors_command_formats(capsys):
    for fmt in FORMATS:
        assert main(["factors", MALIK, "--format", fmt]) == 0
        out = capsys.readouterr().out
        assert "GitHub" in out and ("2fa.directory" in out or fmt == "csv")
    main(["factors", MALIK, "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    first = doc["accounts"][0]
    assert first["id"] == "microsoft" and first["match"] == {"site": "Microsoft", "domain": "microsoft.com",
                                                             "by": "provider", "key": "Microsoft"}
    github = next(a for a in doc["accounts"] if a["id"] == "github")
    assert {f["kind"] for f in github["findings"]} == {"passkey-available", "security-key-possible", "docs"}
    main(["factors", MALIK, "--format", "csv"])
    table = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert {r["id"] for r in table} == set(a["id"] for a in doc["accounts"])


def test_factors_text_shows_what_matched(capsys):
    main(["factors", MALIK])
    out = capsys.readouterr().out
    assert 'matched GitHub (github.com), by name "GitHub"' in out
    assert "University single sign-on (study and research) (university)" in out
    assert "not in the directory" in out


def test_factors_bad_file(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\naccounts:\n  a: {login: [sms:nowhere]}\n")
    assert main(["factors", str(bad)]) == 1
    err = capsys.readouterr().err
    assert f"{bad}:3:" in err and "Traceback" not in err


def test_user_text_stays_text(fixture_dir):
    rows = factor_rows(build_graph(load_text(HEAD + """\
  evil: {name: "<img src=x onerror=alert(1)> *bold* [x](javascript:y)", url: xm.test, login: [password]}
  cmd: {name: "=HYPERLINK(1)", url: smsplus.test}
""")), fixture_dir)
    md_out = export_factors(rows, "md", "<b>owner</b>")
    for markup in ("<img", "<b>", "](javascript", "*bold*"):
        assert re.search(r"(?<!\\)" + re.escape(markup), md_out) is None, markup
    assert "\\*bold\\*" in md_out
    table = list(csv.reader(io.StringIO(export_factors(rows, "csv"))))
    assert all(not cell.startswith("=") for line in table for cell in line)


FIELD_TEXT = st.text(st.sampled_from(list("ab.-@:/[]% xn--日本\\")) | st.characters(), max_size=30)


@settings(max_examples=300, deadline=None)
@given(url=FIELD_TEXT, provider=FIELD_TEXT, user=FIELD_TEXT, name=FIELD_TEXT)
def test_any_field_text_matches_or_not_without_error(url, provider, user, name):
    found = match_account(account(url=url, provider=provider, user=user, name=name or "acct", subkind="email"))
    assert found is None or found.key and found.by in ("url", "provider", "user", "name")


# -- Support (what proposals may offer) ----------------------------------------------

def test_support_answers_true_false_or_unknown(fixture_dir):
    from identity_map.providers.support import AUTHENTICATOR, PASSKEY, RECOVERY_CODES, SECURITY_KEY, support_of

    def of(url):
        return support_of(account(url=url), fixture_dir)

    mail, nofa, pk, unknown = of("xm.test"), of("nofa.test"), of("pkonly.test"), of("unknown.test")
    assert mail.second_factors() == (SECURITY_KEY, PASSKEY, AUTHENTICATOR)
    assert dict(mail.pages()) == {"how to set it up": "https://example-mail.test/2fa",
                                  "if you are locked out": "https://example-mail.test/recover"}
    assert [nofa.offers(w) for w in (AUTHENTICATOR, SECURITY_KEY, PASSKEY, RECOVERY_CODES)] == [False] * 4
    assert not nofa.possible(RECOVERY_CODES) and nofa.second_factors() == ()
    assert pk.offers(PASSKEY) is True and pk.offers(AUTHENTICATOR) is None and pk.possible(SECURITY_KEY)
    assert not unknown.known and all(unknown.possible(w) for w in (AUTHENTICATOR, SECURITY_KEY, PASSKEY))
    assert of("smsplus.test").offers(SECURITY_KEY) is False
