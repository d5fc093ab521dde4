"""--merge: new accounts and new inferred terms go into an existing inventory
without losing a hand edit or a comment, and importing twice changes nothing."""

from __future__ import annotations

import re

import pytest

from identity_map.importers import FORMATS, run_import
from identity_map.format.load import load_text

from .conftest import export_bytes, export_name

HAND_COMMENTS = (
    "# Alice's inventory, written by hand.",
    "# the only phone",
    "# Accounts I care about most come first.",
    "# TODO: print the backup codes",
    "# I know this one by heart",
    "# the bank is important",
    "# What I would hate to lose.",
    "# end of file",
)


def merge(fmt: str, existing: str) -> str:
    return run_import(fmt, export_bytes(fmt), export_name(fmt), existing).text


def methods(text: str, acc_id: str, key: str = "login") -> set[str]:
    thing = load_text(text, "m.yaml").things[acc_id]
    return {str(m) for m in getattr(thing, key)}


@pytest.mark.parametrize("fmt", FORMATS)
def test_merge_keeps_comments_and_hand_edits_and_validates(fmt, existing_text):
    merged = merge(fmt, existing_text)
    for comment in HAND_COMMENTS:
        assert comment in merged, comment
    before = load_text(existing_text, "before.yaml")
    after = load_text(merged, "after.yaml")
    for thing_id, thing in before.things.items():
        assert thing_id in after.things
        new = after.things[thing_id]
        # nothing the person wrote is removed: every old login method survives,
        # possibly with an extra one-time-code term
        for method in thing.login:
            assert any(set(method.terms) <= set(m.terms) for m in new.login), (thing_id, str(method))
        assert set(map(str, thing.recovery)) <= set(map(str, new.recovery))
        assert (new.name, new.critical, new.copies) == (thing.name, thing.critical, thing.copies)
    # the comments still introduce what they introduced
    assert re.search(r"# Accounts I care about most come first.\naccounts:", merged)
    assert re.search(r"# What I would hate to lose.\ndata:", merged)
    assert merged.rstrip().endswith("# end of file")


@pytest.mark.parametrize("fmt", FORMATS)
def test_merge_is_idempotent(fmt, existing_text):
    once = merge(fmt, existing_text)
    twice = run_import(fmt, export_bytes(fmt), export_name(fmt), once)
    assert twice.text == once
    assert twice.added == ()
    assert any("Nothing new" in n for n in twice.notes)


@pytest.mark.parametrize("fmt", FORMATS)
def test_importing_into_its_own_draft_changes_nothing(fmt):
    first = run_import(fmt, export_bytes(fmt), export_name(fmt)).text
    assert merge(fmt, first) == first


def test_merging_every_export_in_turn_is_valid_and_stable(existing_text):
    text = existing_text
    for fmt in FORMATS:
        text = merge(fmt, text)
    load_text(text, "all.yaml")
    again = text
    for fmt in FORMATS:
        again = merge(fmt, again)
    assert again == text


def test_vault_and_authenticator_facts_combine_in_either_order(existing_text):
    bw_then_aegis = merge("aegis-json", merge("bitwarden-json", existing_text))
    aegis_then_bw = merge("bitwarden-json", merge("aegis-json", existing_text))
    # the Bitwarden-made google account gets Aegis codes added to its password login
    assert "password:bitwarden + totp:aegis" in methods(bw_then_aegis, "google")
    # in the other order, the remembered password gets a vault twin
    assert {"password + totp:aegis", "password:bitwarden + totp:aegis"} <= methods(aegis_then_bw, "google")
    # the vault's own second factor is linked from the authenticator export
    assert methods(bw_then_aegis, "bitwarden") == {"password + totp:aegis"}


def test_existing_account_gets_the_vault_as_another_way_in(existing_text):
    merged = merge("bitwarden-json", existing_text)
    # github was `[password]` by hand; the export shows the password and the
    # TOTP seed in Bitwarden: codes are a second factor of the hand-written
    # login, and the vault alone is another way in
    assert methods(merged, "github") == {"password + totp:bitwarden", "password:bitwarden + totp:bitwarden"}
    assert methods(merged, "github", "recovery") == {"codes:drawer"}


def test_existing_mailbox_is_used_for_recovery(existing_text):
    merged = merge("bitwarden-json", existing_text)
    # gmail is the hand-written mailbox of alice.example@gmail.com
    assert methods(merged, "bbc", "recovery") == {"email:gmail"}


def test_existing_phone_device_is_reused(existing_text):
    merged = merge("2fas-json", existing_text)
    inventory = load_text(merged, "m.yaml")
    assert "phone" not in inventory.things
    assert methods(merged, "2fas") == {"device:iphone"}


def test_implicit_default_login_is_written_out_before_adding(existing_text):
    export = b"name,url,username,password,note\ncarrier,https://carrier.example.net,0123456,pw,\n"
    hand = existing_text.replace("carrier: {name: Mobile carrier}", "carrier: {name: Mobile carrier, provider: carrier.example.net}")
    merged = run_import("chrome-csv", export, "c.csv", hand).text
    # `[password]` was implicit; it stays, and the vault becomes another way in
    assert methods(merged, "carrier") == {"password", "password:chrome"}


def test_second_login_at_the_same_site_is_a_second_account(existing_text):
    merged = merge("bitwarden-json", existing_text)
    inventory = load_text(merged, "m.yaml")
    github_accounts = {t.id for t in inventory.things.values() if t.id.startswith("github")}
    assert github_accounts == {"github", "github-alice-example"}


def test_unchanged_merge_returns_the_text_byte_for_byte(existing_text):
    odd = existing_text.replace("  carrier: {name: Mobile carrier}", "  carrier:   {name: Mobile carrier}")
    first = merge("chrome-csv", odd)
    assert run_import("chrome-csv", export_bytes("chrome-csv"), "c.csv", first).text == first


def test_layout_of_the_existing_file_is_kept():
    four_spaces = (
        "version: 1\n"
        "accounts:\n"
        "    github:\n"
        "        login:\n"
        "        - password\n"
    )
    merged = run_import("aegis-json", export_bytes("aegis-json"), "a.json", four_spaces).text
    assert "        - password + totp:aegis\n" in merged
    assert "\n    aegis: {" in merged  # new accounts at the file's own indentation, one flow line each
    load_text(merged, "m.yaml")


def test_codes_amend_an_implicit_password_login_instead_of_adding_one():
    hand = "version: 1\naccounts:\n  github: {name: GitHub}  # by hand\n"
    merged = run_import("aegis-json", export_bytes("aegis-json"), "a.json", hand).text
    assert methods(merged, "github") == {"password + totp:aegis"}
    assert "# by hand" in merged


def test_mailbox_without_user_is_found_by_its_site_only():
    hand = (
        "version: 1\n"
        "accounts:\n"
        "  work-mail: {kind: email, provider: example.org}\n"
        "  mail: {kind: email, provider: gmail.com}\n"
    )
    export = b"name,url,username,password,note\nbbc,https://account.bbc.com/,alice@gmail.com,pw,\n"
    merged = run_import("chrome-csv", export, "c.csv", hand).text
    # the gmail.com mailbox with no user is chosen for a gmail address;
    # the example.org mailbox is not (it is at another site)
    assert methods(merged, "bbc", "recovery") == {"email:mail"}


def test_a_large_vault_drafts_and_merges_again_to_the_same_text():
    # The timing is benchmarks/bench_import.py's job; this checks the fast
    # path (new accounts written as text) agrees with the merge path.
    rows = ["name,url,username,password,note"] + [
        f"s{i},https://login.site{i}.example/,user{i}@gmail.com,pw{i}," for i in range(300)
    ]
    data = ("\n".join(rows) + "\n").encode()
    first = run_import("chrome-csv", data, "big.csv")
    again = run_import("chrome-csv", data, "big.csv", first.text)
    assert again.text == first.text and len(first.added) == 301
    into_empty = run_import("chrome-csv", data, "big.csv", "version: 1\naccounts:\n  keep: {name: Kept}\n")
    assert {a for a in load_text(into_empty.text, "e.yaml").things} >= set(first.added) | {"keep"}


@pytest.mark.parametrize(
    "odd",
    [
        "version: 1\naccounts:\n",
        "version: 1\n",
        "version: 1\naccounts:\n  github:\n",
        "version: 1\naccounts:\n  github: {login: [[password, sms:x]]}\n",
        "version: 1\naccounts: []\n",
        "version: 1\naccounts:\n  github: {login: 5}\n",
        "version: 1\ndevices: [a]\n",
        "# only a comment\n",
        "accounts: {a: [unclosed\n",
    ],
)
def test_odd_inventories_merge_or_fail_cleanly(odd):
    from identity_map.importers import ImportFailure

    for fmt in ("aegis-json", "bitwarden-json"):
        try:
            run_import(fmt, export_bytes(fmt), export_name(fmt), odd)
        except ImportFailure as exc:
            assert str(exc).startswith("the inventory to merge into: ")


def test_authenticator_handle_matches_the_vault_address_at_the_same_site():
    # Bitwarden knows GitHub as alice.example@gmail.com, Aegis as alice-example
    merged = merge("aegis-json", run_import("bitwarden-json", export_bytes("bitwarden-json"), "b.json").text)
    inventory = load_text(merged, "m.yaml")
    assert "github-2" not in inventory.things
    # Aegis's codes work with the password Bitwarden holds, as Bitwarden's own do
    assert methods(merged, "github-alice-example") == {"password:bitwarden + totp:bitwarden", "password:bitwarden + totp:aegis"}


def test_two_addresses_with_the_same_local_part_stay_two_accounts():
    export = (
        b"name,url,username,password,note\n"
        b"a,https://shop.example/,alice@gmail.com,pw1,\n"
        b"b,https://shop.example/,alice@work.example,pw2,\n"
    )
    result = run_import("chrome-csv", export, "c.csv")
    assert len(result.added) == 3  # chrome and two shop accounts
