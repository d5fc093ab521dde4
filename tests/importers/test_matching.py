"""Matching across apps: one site from two exports is one account, an app's
own website is never its vault, and the result does not depend on which
export is imported first."""

from __future__ import annotations

import csv
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from identity_map.format.load import load_text
from identity_map.importers import run_import

from .conftest import export_bytes, fixture_bytes

SITES = ("github.com", "login.github.com", "example.com", "example.de", "shop.example.com", "google.com", "bbc.co.uk")
USERS = ("alice@gmail.com", "bob@outlook.com", "carol")
VAULTS = ("bitwarden", "lastpass")


def _bitwarden_csv(rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["folder", "favorite", "type", "name", "notes", "fields", "reprompt", "login_uri", "login_username",
                     "login_password", "login_totp"])
    for site, user, totp in rows:
        writer.writerow(["", "0", "login", site, "", "", "0", f"https://{site}/", user, "pw-1", "SEEDSEED" if totp else ""])
    return out.getvalue().encode()


def _lastpass_csv(rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["url", "username", "password", "totp", "extra", "name", "grouping", "fav"])
    for site, user, totp in rows:
        writer.writerow([f"https://{site}/", user, "pw-2", "SEEDSEED" if totp else "", "", site, "", "0"])
    return out.getvalue().encode()


EXPORT = {"bitwarden": ("bitwarden-csv", _bitwarden_csv), "lastpass": ("lastpass-csv", _lastpass_csv)}


def _merge(order, exports) -> str:
    text = "version: 1\n"
    for vault in order:
        fmt, make = EXPORT[vault]
        text = run_import(fmt, make(exports[vault]), f"{vault}.csv", text).text
    return text


def canonical(text: str) -> dict:
    """Return the inventory's site accounts keyed by (provider, user), with
    their methods (ids of mailboxes replaced by their keys): what must not
    depend on import order (ids may: amazon vs amazon-de goes to the first)."""
    inventory = load_text(text, "c.yaml")
    things = {t.id: t for t in inventory.things.values() if t.kind == "account"}
    key = {i: (t.provider, t.user) if t.provider or t.user else (i, "") for i, t in things.items()}

    def method(m) -> str:
        return " + ".join(sorted(f"{term.kind}:{key.get(term.target, term.target)}" for term in m.terms))

    return {
        key[i]: (frozenset(map(method, t.login)), frozenset(map(method, t.recovery)), t.subkind)
        for i, t in things.items()
    }


rows = st.lists(st.tuples(st.sampled_from(SITES), st.sampled_from(USERS), st.booleans()), min_size=1, max_size=8)


@settings(max_examples=60, deadline=None)
@given(rows, rows)
def test_the_merge_result_does_not_depend_on_the_import_order(a, b):
    exports = {"bitwarden": a, "lastpass": b}
    assert canonical(_merge(VAULTS, exports)) == canonical(_merge(VAULTS[::-1], exports))


def test_one_site_from_two_exports_is_one_account():
    exports = {"bitwarden": [("github.com", "alice@gmail.com", True)], "lastpass": [("login.github.com", "alice@gmail.com", False)]}
    inventory = load_text(_merge(VAULTS, exports), "m.yaml")
    sites = [t for t in inventory.things.values() if t.kind == "account" and t.provider == "github.com"]
    assert len(sites) == 1
    assert {str(m) for m in sites[0].login} == {"password:bitwarden + totp:bitwarden", "password:lastpass + totp:bitwarden"}


def test_a_login_at_another_apps_own_website_is_not_that_apps_vault():
    keepassxc = run_import("keepassxc-csv", export_bytes("keepassxc-csv"), "k.csv").text
    own_site = (
        "Title,Url,Username,Password,OTPAuth,Favorite,Archived,Tags,Notes\n"
        "KeePassXC forum,https://keepassxc.org/login,alice,SECRET-PASSWORD-X,,false,false,,\n"
    ).encode()
    merged = run_import("1password-csv", own_site, "1p.csv", keepassxc).text
    before, after = load_text(keepassxc, "a.yaml"), load_text(merged, "b.yaml")
    assert {str(m) for m in after.things["keepassxc"].login} == {str(m) for m in before.things["keepassxc"].login}
    site = [t for t in after.things.values() if t.kind == "account" and t.provider == "keepassxc.org"]
    assert len(site) == 1 and {str(m) for m in site[0].login} == {"password:1password"}


def test_an_authenticators_codes_for_a_vault_are_that_vaults_second_factor():
    bitwarden = run_import("bitwarden-json", export_bytes("bitwarden-json"), "b.json").text
    merged = run_import("aegis-json", export_bytes("aegis-json"), "a.json", bitwarden).text
    assert {str(m) for m in load_text(merged, "m.yaml").things["bitwarden"].login} == {"password + totp:aegis"}


def test_a_mailbox_at_the_users_own_domain_is_not_inferred():
    data = b"name,url,username,password,note\nShop,https://shop.example.com/,alice@example.com,pw,\n"
    inventory = load_text(run_import("chrome-csv", data, "c.csv").text, "c.yaml")
    assert inventory.things["example"].subkind != "email"
    data = b"name,url,username,password,note\nGoogle,https://accounts.google.com/,alice@gmail.com,pw,\n"
    assert load_text(run_import("chrome-csv", data, "c.csv").text, "c.yaml").things["google"].subkind == "email"


def test_a_mailbox_imported_after_its_users_becomes_their_recovery():
    sites = b"name,url,username,password,note\nShop,https://shop.example.com/,alice@gmail.com,pw,\n"
    mailbox = b"name,url,username,password,note\nGoogle,https://accounts.google.com/,alice@gmail.com,pw,\n"
    text = run_import("chrome-csv", mailbox, "m.csv", run_import("chrome-csv", sites, "s.csv").text).text
    assert {str(m) for m in load_text(text, "t.yaml").things["example"].recovery} == {"email:google"}


def test_proton_pass_zip_and_its_data_json_give_the_same_draft():
    zipped = run_import("auto", fixture_bytes("protonpass.zip"), "p.zip").text
    assert zipped == run_import("auto", fixture_bytes("protonpass/Proton Pass/data.json"), "p.zip").text
