"""Each export format gives the draft its fixture implies, and the draft loads."""

from __future__ import annotations

import json

import pytest
import yaml

from identity_map.format.load import load_text
from identity_map.importers import FORMATS, ImportFailure, run_import
from identity_map.importers.detect import ACCEPT, detect, recognise

from .conftest import EXPORTS, FIXTURES, VARIANTS, export_bytes, export_name, fixture_bytes, one_pux


def draft(fmt: str, data: bytes | None = None):
    """Return (result, loaded inventory) of importing a fixture as a new draft."""
    result = run_import(fmt, export_bytes(fmt) if data is None else data, export_name(fmt))
    return result, load_text(result.text, "draft.yaml")


def draft_of(fmt: str, name: str):
    """Return (result, loaded inventory) of importing a named fixture."""
    result = run_import(fmt, fixture_bytes(name), name)
    return result, load_text(result.text, "draft.yaml")


def logins(inventory, thing_id: str) -> set[str]:
    return {str(m) for m in inventory.things[thing_id].login}


def recoveries(inventory, thing_id: str) -> set[str]:
    return {str(m) for m in inventory.things[thing_id].recovery}


def accounts(inventory) -> set[str]:
    return {t.id for t in inventory.things.values() if t.kind == "account"}


def test_every_format_has_a_fixture():
    assert set(FORMATS) == set(EXPORTS)


@pytest.mark.parametrize("fmt", FORMATS)
def test_draft_starts_with_the_schema_line_and_validates(fmt):
    result, inventory = draft(fmt)
    assert result.text.startswith("# yaml-language-server: $schema=../inventory.schema.json\n")
    assert set(result.added) <= accounts(inventory)
    assert result.added, "a draft adds accounts"
    events = list(yaml.parse(result.text))
    assert not any(isinstance(e, yaml.AliasEvent) or getattr(e, "anchor", None) for e in events)


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_inferred_account_and_term_has_a_comment_above(fmt):
    result, inventory = draft(fmt)
    lines = result.text.splitlines()
    for i, line in enumerate(lines):
        stripped = line.strip()
        inferred_item = stripped.startswith("- ") and ":" in stripped  # e.g. "- password:bitwarden"
        if inferred_item:
            above = lines[i - 1].strip()
            assert above.startswith("# inferred"), f"no '# inferred' comment above line {i + 1}: {line!r}"
    for acc_id in result.added:
        idx = next(i for i, line in enumerate(lines) if line.strip().startswith((f"{acc_id}: {{", f'"{acc_id}": {{')))
        assert lines[idx - 1].strip().startswith("# inferred"), acc_id
        # one comment line says why each term was inferred: as many reasons as terms
        terms = inventory.things[acc_id].login + inventory.things[acc_id].recovery
        assert lines[idx - 1].count(";") + lines[idx - 1].count(": ") >= min(len(terms), 1), acc_id


@pytest.mark.parametrize(("fmt", "name"), [*EXPORTS.items(), *VARIANTS])
def test_auto_detects_the_format(fmt, name):
    data = fixture_bytes(name)
    assert detect(data) == fmt
    assert recognise(data).confidence(fmt) >= ACCEPT
    assert run_import("auto", data, name).text == run_import(fmt, data, name).text


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_other_apps_export_is_refused(fmt):
    """No format drafts another app's export as its own (LastPass as Chrome,
    Enpass as Bitwarden...): each is refused, naming the right format."""
    for other, name in EXPORTS.items():
        if other == fmt:
            continue
        with pytest.raises(ImportFailure) as caught:
            run_import(fmt, fixture_bytes(name), name)
        assert f"'{other}'" in caught.value.message or "not" in caught.value.message, (fmt, other)


def test_bitwarden_json():
    result, inv = draft("bitwarden-json")
    assert accounts(inv) == {"bitwarden", "bbc", "github", "github-alice-example", "google", "example-bank-app", "home-router"}
    vault = inv.things["bitwarden"]
    assert vault.subkind == "password-manager" and logins(inv, "bitwarden") == {"password"}
    assert logins(inv, "github-alice-example") == {"password:bitwarden + totp:bitwarden"}
    assert inv.things["github-alice-example"].user == "alice.example@gmail.com"
    assert inv.things["github-alice-example"].provider == "github.com"
    assert logins(inv, "google") == {"password:bitwarden", "passkey:bitwarden"}
    assert inv.things["google"].subkind == "email"
    assert recoveries(inv, "bbc") == {"email:google"}
    assert inv.things["bbc"].provider == "bbc.co.uk"
    assert recoveries(inv, "github-alice-example") == {"email:google"}
    assert recoveries(inv, "google") == set()  # not its own mailbox
    assert recoveries(inv, "bitwarden") == set()  # a vault's master password is not reset by mail
    # the vault's own login does not make the vault depend on itself
    assert not any("password:bitwarden" in m for m in logins(inv, "bitwarden"))
    assert any("Bitwarden itself" in n for n in result.notes)
    assert "3 other items" in " ".join(result.notes)  # note, card, identity
    # URLs are reduced to hosts: no path or query string reaches the draft
    assert "return_to" not in result.text and "ServiceLogin" not in result.text and "/login" not in result.text


def test_bitwarden_csv_keeps_distinct_sites_apart():
    _, inv = draft("bitwarden-csv")
    assert {"amazon", "amazon-de", "github", "google"} <= accounts(inv)
    assert inv.things["amazon-de"].provider == "amazon.de"
    assert logins(inv, "github") == {"password:bitwarden + totp:bitwarden"}
    assert logins(inv, "amazon") == {"password:bitwarden"}


def test_1password_1pux():
    result, inv = draft("1password-1pux")
    # a "Password" item with a website is a login; one without (Wi-Fi) is not
    assert accounts(inv) == {"1password", "github", "dropbox", "examplebank"}
    assert logins(inv, "examplebank") == {"password:1password"}
    assert logins(inv, "github") == {"password:1password + totp:1password"}
    assert logins(inv, "dropbox") == {"passkey:1password"}
    assert inv.things["dropbox"].user == "alice.example@gmail.com"  # linked-field value
    assert "forum" not in result.text  # archived


def test_1password_bare_export_data_is_accepted():
    data = (FIXTURES / "1password" / "export.data").read_bytes()
    assert run_import("1password-1pux", data, "export.data").text == run_import("1password-1pux", one_pux(), "x.1pux").text


def test_1password_csv():
    result, inv = draft("1password-csv")
    assert accounts(inv) == {"1password", "github", "dropbox"}
    assert logins(inv, "github") == {"password:1password + totp:1password"}
    assert "forum" not in result.text  # archived


def test_keepassxc_csv():
    result, inv = draft("keepassxc-csv")
    assert accounts(inv) == {"keepassxc", "github", "google", "example"}
    assert logins(inv, "github") == {"password:keepassxc + totp:keepassxc"}
    assert recoveries(inv, "example") == {"email:google"}
    assert "deleted" not in result.text.lower()  # recycle bin


def test_keepass_xml():
    result, inv = draft("keepass-xml")
    assert accounts(inv) == {"keepass", "github", "google", "proton"}
    assert logins(inv, "github") == {"password:keepass + totp:keepass"}
    assert logins(inv, "proton") == {"passkey:keepass"}
    assert inv.things["proton"].user == "alice.example@proton.me"
    assert "alice-old" not in result.text and "old.example.org" not in result.text  # entry history is not read
    assert "deleted" not in result.text.lower()  # recycle bin


def test_keepassxc_xml_names_the_vault_keepassxc():
    data = export_bytes("keepass-xml").replace(b"<Generator>KeePass</Generator>", b"<Generator>KeePassXC</Generator>")
    _, inv = draft("keepass-xml", data)
    assert "keepassxc" in accounts(inv) and logins(inv, "github") == {"password:keepassxc + totp:keepassxc"}


def test_chrome_csv():
    result, inv = draft("chrome-csv")
    assert accounts(inv) == {"chrome", "github", "google", "bbc", "com-examplebank-mobile"}
    assert inv.things["chrome"].subkind == "password-manager"
    assert logins(inv, "github") == {"password:chrome"}
    assert inv.things["com-examplebank-mobile"].provider == ""  # an Android app, not a domain
    assert "challenge" not in result.text


def test_firefox_csv():
    result, inv = draft("firefox-csv")
    assert accounts(inv) == {"firefox", "github", "google", "reddit"}
    assert logins(inv, "reddit") == {"password:firefox"}
    assert "FirefoxAccounts" not in result.text


@pytest.mark.parametrize(
    ("fmt", "app", "sites"),
    [
        ("aegis-json", "aegis", {"github", "google", "bitwarden", "steam"}),
        ("2fas-json", "2fas", {"github", "microsoft", "fastmail"}),
        ("google-authenticator", "google-authenticator", {"github", "google", "dropbox", "amazon-web-services"}),
    ],
)
def test_authenticator_exports(fmt, app, sites):
    _, inv = draft(fmt)
    assert accounts(inv) == {app} | sites
    assert inv.things[app].subkind == "authenticator"
    assert logins(inv, app) == {"device:phone"}
    assert inv.things["phone"].kind == "device" and inv.things["phone"].subkind == "phone"
    for site in sites:
        assert logins(inv, site) == {f"password + totp:{app}"}


def test_authenticator_labels_give_issuer_and_user():
    _, aegis = draft("aegis-json")
    assert aegis.things["steam"].user == "alice_plays"  # "Steam:alice_plays" with no issuer
    _, twofas = draft("2fas-json")
    assert twofas.things["fastmail"].user == "alice@fastmail.com"  # from otp.label
    assert twofas.things["microsoft"].subkind == "email"  # outlook.com is a Microsoft mailbox
    _, google = draft("google-authenticator")
    assert google.things["dropbox"].user == "alice.example@gmail.com"
    assert google.things["google"].subkind == "email"
    assert {str(m) for m in google.things["dropbox"].recovery} == {"email:google"}


def test_google_authenticator_fixture_is_what_the_writer_makes():
    from .migration_payload import fixture_text

    assert (FIXTURES / "google-authenticator.txt").read_text() == fixture_text()


def test_google_authenticator_reports_missing_qr_codes():
    first_line = export_bytes("google-authenticator").splitlines()[0]
    result = run_import("google-authenticator", first_line, "first.txt")
    assert any("2 QR codes but 1 were given" in n for n in result.notes)


def test_notes_say_what_happened_and_to_delete_the_export():
    result, _ = draft("bitwarden-json")
    text = "\n".join(result.notes)
    assert "Read 7 logins" in text
    assert "Added 7 accounts" in text
    assert "Delete the plaintext export bitwarden.json" in text


def test_same_export_twice_gives_the_same_ids_and_text():
    data = export_bytes("bitwarden-json")
    assert run_import("auto", data, "a.json").text == run_import("auto", data, "a.json").text


def test_ids_do_not_depend_on_the_order_of_items():
    doc = json.loads(export_bytes("bitwarden-json"))
    doc["items"].reverse()
    reordered = json.dumps(doc).encode()
    assert run_import("auto", reordered, "x.json").text == run_import("auto", export_bytes("bitwarden-json"), "x.json").text


def _chrome(rows: list[tuple[str, str, str]]) -> bytes:
    lines = ["name,url,username,password,note"] + [f"{n},{u},{user},pw-{i},\n" for i, (n, u, user) in enumerate(rows)]
    return "\n".join(line.rstrip("\n") for line in lines).encode() + b"\n"


def test_entries_of_the_same_site_and_user_are_merged():
    data = _chrome([("a", "https://www.example.com/x", "al"), ("b", "https://login.example.com/", "al"), ("c", "example.com", "")])
    result = run_import("chrome-csv", data, "c.csv")
    inv = load_text(result.text, "d.yaml")
    assert accounts(inv) == {"chrome", "example"}


def test_ids_that_yaml_1_1_misreads_are_quoted_and_stay_strings():
    data = _chrome([("y", "https://yes.com", "u1"), ("n", "https://123.com", "u2"), ("o", "https://on.net", "u3"),
                    ("d", "https://2024-01-01.org", "u4"), ("m", "https://memory.org", "u5")])
    result = run_import("chrome-csv", data, "c.csv")
    inv = load_text(result.text, "d.yaml")
    assert {"yes", "123", "on", "2024-01-01", "memory-u5"} <= accounts(inv)  # `memory` is reserved
    assert '"yes":' in result.text and '"123":' in result.text


def test_long_and_odd_titles_give_valid_ids():
    title = "Ünïcödé Bank — «Online» " * 5
    data = ("Group,Title,Username,Password,URL,Notes\n" f'"Root","{title}","me","pw","",""\n' '"Root","!!!","me2","pw","",""\n').encode()
    result = run_import("keepassxc-csv", data, "k.csv")
    inv = load_text(result.text, "d.yaml")
    ids = accounts(inv) - {"keepassxc"}
    assert len(ids) == 2 and all(len(i) <= 64 for i in ids)


# -- the formats added for issue 15: what each fixture's draft must hold ----


@pytest.mark.parametrize(
    ("fmt", "name", "app", "expected"),
    [
        ("lastpass-csv", "lastpass.csv", "lastpass", {
            "github": {"password:lastpass + totp:lastpass"}, "google": {"password:lastpass"}, "amazon": {"password:lastpass"}}),
        ("lastpass-csv", "lastpass-old.csv", "lastpass", {"github": {"password:lastpass"}, "reddit": {"password:lastpass"}}),
        ("apple-passwords-csv", "apple-passwords.csv", "apple-passwords", {
            "github": {"password:apple-passwords + totp:apple-passwords"}, "google": {"password:apple-passwords"},
            "bbc": {"password:apple-passwords"}}),
        ("dashlane-csv", "dashlane.zip", "dashlane", {
            "github": {"password:dashlane + totp:dashlane"}, "dropbox": {"password:dashlane"}, "reddit": {"password:dashlane"}}),
        ("dashlane-csv", "dashlane/credentials.csv", "dashlane", {
            "github": {"password:dashlane + totp:dashlane"}, "dropbox": {"password:dashlane"}, "reddit": {"password:dashlane"}}),
        ("dashlane-json", "dashlane.json", "dashlane", {
            "github": {"password:dashlane + totp:dashlane"}, "google": {"password:dashlane"}, "ebay": {"password:dashlane"}}),
        ("nordpass-csv", "nordpass.csv", "nordpass", {
            "github": {"password:nordpass"}, "google": {"password:nordpass"}, "spotify": {"password:nordpass"}}),
        ("protonpass-json", "protonpass.zip", "proton-pass", {
            "github": {"password:proton-pass + totp:proton-pass"}, "dropbox": {"passkey:proton-pass"},
            "proton": {"password:proton-pass + totp:proton-pass"}}),
        ("protonpass-json", "protonpass/Proton Pass/data.json", "proton-pass", {
            "github": {"password:proton-pass + totp:proton-pass"}, "dropbox": {"passkey:proton-pass"},
            "proton": {"password:proton-pass + totp:proton-pass"}}),
        ("protonpass-csv", "protonpass.csv", "proton-pass", {
            "github": {"password:proton-pass + totp:proton-pass"}, "google": {"password:proton-pass"}}),
        ("enpass-json", "enpass.json", "enpass", {
            "github": {"password:enpass + totp:enpass"}, "google": {"password:enpass"}, "router": {"password:enpass"}}),
        ("keeper-csv", "keeper.csv", "keeper", {
            "github": {"password:keeper + totp:keeper"}, "google": {"password:keeper"}, "netflix": {"password:keeper"}}),
        ("keepass1-csv", "keepass1.csv", "keepass", {
            "github": {"password:keepass"}, "google": {"password:keepass"}, "example-bank": {"password:keepass"}}),
        ("1password-1pif", "1password.1pif", "1password", {
            "github": {"password:1password + totp:1password"}, "google": {"password:1password"},
            "examplebank": {"password:1password"}}),
        ("1password7-csv", "1password7-mac.csv", "1password", {
            "github": {"password:1password + totp:1password"}, "dropbox": {"password:1password"},
            "examplebank": {"password:1password"}}),
        ("1password7-csv", "1password7-win.csv", "1password", {
            "github": {"password:1password + totp:1password"}, "google": {"password:1password"}}),
    ],
)
def test_password_manager_exports(fmt, name, app, expected):
    result, inv = draft_of(fmt, name)
    assert accounts(inv) == {app} | set(expected), "no note, card, identity, folder or trashed item is an account"
    assert inv.things[app].subkind == "password-manager"
    for site, methods in expected.items():
        assert logins(inv, site) == methods, site
    assert_no_url_path(result.text)


def assert_no_url_path(text: str) -> None:
    for fragment in ("/login", "/signin", "ServiceLogin", "?ac=", "?continue"):
        assert fragment not in text, fragment


def test_lastpass_own_login_is_not_a_dependency_and_notes_are_left_out():
    result, inv = draft_of("lastpass-csv", "lastpass.csv")
    assert any("LastPass itself" in n for n in result.notes)
    assert "2 other items" in " ".join(result.notes)  # the card and the Wi-Fi note
    assert inv.things["google"].subkind == "email" and recoveries(inv, "amazon") == {"email:google"}


def test_nordpass_folders_notes_cards_identities_are_not_accounts():
    result, _ = draft_of("nordpass-csv", "nordpass.csv")
    assert "4 other items" in " ".join(result.notes)
    assert "Work" not in result.text and "Recovery phrase" not in result.text


def test_1password7_identities_cards_notes_and_bare_passwords_are_not_accounts():
    for name, others in (("1password7-mac.csv", 4), ("1password7-win.csv", 2), ("1password.1pif", 6)):
        result, inv = draft_of("1password7-csv" if name.endswith("csv") else "1password-1pif", name)
        assert f"{others} other items" in " ".join(result.notes), name
        assert not {"visa", "alice", "safe", "wi-fi", "wi-fi-at-home"} & accounts(inv), name


@pytest.mark.parametrize(
    ("fmt", "name", "app", "sites"),
    [
        ("andotp-json", "andotp.json", "andotp", {"github", "google", "dropbox"}),
        ("freeotp-plus-json", "freeotp-plus.json", "freeotp-plus", {"github", "microsoft"}),
        ("ente-auth", "ente-auth.txt", "ente-auth", {"github", "proton"}),
        ("proton-authenticator-json", "proton-authenticator.json", "proton-authenticator", {"github", "dropbox", "mastodon"}),
        ("raivo-json", "raivo-otp-export.json", "raivo", {"github", "apple"}),
        ("stratum-json", "stratum.authpro", "stratum", {"github", "google", "steam"}),
        ("otpauth-list", "otpauth.txt", "authenticator", {"github", "google", "example-bank"}),
    ],
)
def test_new_authenticator_exports(fmt, name, app, sites):
    _, inv = draft_of(fmt, name)
    assert accounts(inv) == {app} | sites
    assert inv.things[app].subkind == "authenticator"
    assert logins(inv, app) == {"device:phone"}
    for site in sites:
        assert logins(inv, site) == {f"password + totp:{app}"}


@pytest.mark.parametrize(("fmt", "name"), [("andotp-json", "andotp.json"), ("freeotp-plus-json", "freeotp-plus.json"),
                                           ("otpauth-list", "otpauth.txt")])
def test_codes_without_issuer_are_not_accounts_named_after_the_address(fmt, name):
    result, inv = draft_of(fmt, name)
    assert not any("work" in thing_id for thing_id in accounts(inv))
    assert any("with no issuer" in note for note in result.notes)


def test_ente_auth_trashed_codes_are_left_out():
    result, inv = draft_of("ente-auth", "ente-auth.txt")
    assert "old-forum" not in accounts(inv) and "1 other item" in " ".join(result.notes)
