"""The mitigation checklist: each rule on its own small inventory, the
verification figures (scenario counts and k-loss resilience) against the
engine on the Malik example, items that disappear once done, and every
export format."""

from __future__ import annotations

import csv
import io
import json
import re
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest

from identity_map.checklist import (ADVICE, CHANGES, FIX, INFO, Gain, Item, apply, build_checklist, export, gains_text,
                                    verification_text)
from identity_map.cli import main
from identity_map.analysis.engine import impact
from identity_map.checklist.fixes import AddCopy, AddMethod, AddThing, apply_change, fresh_id
from identity_map.analysis.graph import build_graph
from identity_map.format.load import load_file, load_text
from identity_map.format.model import Method, Term, Thing
from identity_map.analysis.resilience import improves, raises

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "checklist"
MALIK = ROOT / "examples" / "malik.yaml"
HOUSEHOLD = ROOT / "examples" / "household.yaml"


def graph(name: str):
    path = FIXTURES / name if not Path(name).is_absolute() else Path(name)
    return build_graph(load_file(path))


def by_id(items) -> dict[str, Item]:
    return {i.id: i for i in items}


def fixes(items) -> list[Item]:
    return [i for i in items if i.kind == FIX]


def check_against_engine(G, item: Item) -> None:
    """The item's figures are exactly what the engine says, scenario by
    scenario, and its resilience gains are exactly the critical things whose
    k-loss resilience rises (all of them computed afresh, not only those the
    checklist thought could move)."""
    inv = G.graph["inventory"]
    G2 = build_graph(apply(inv, [item]))
    for v in (item.verification, *item.also):
        before, after = impact(G, v.scenario), impact(G2, v.scenario)
        assert v.lost_before == len(before.lost)
        assert v.lost_after == len(after.lost)
        assert set(v.saved) == before.lost - after.lost
        assert set(v.critical_saved) == {t for t in v.saved if inv[t].critical}
        assert not after.lost - before.lost  # makes nothing worse
    ks = {t.id: raises(G, G2, t.id) for t in inv if t.critical}
    assert item.resilience_gains == tuple(Gain(t, *k) for t, k in ks.items() if improves(*k))
    assert all(v.saved for v in item.also)
    # listed only if it helps: it saves something, or it raises a critical thing the scenario loses
    if not item.saved:
        lost = impact(G, item.verification.scenario).lost
        assert any(g.id in lost for g in item.resilience_gains)


def gone_once_done(G, item: Item, lost=None) -> None:
    """Applying the item's change and building again no longer lists it."""
    G2 = build_graph(apply(G.graph["inventory"], [item]))
    assert item.id not in by_id(build_checklist(G2, lost))


def verified_and_gone(G, item: Item, lost=None) -> None:
    check_against_engine(G, item)
    gone_once_done(G, item, lost)


# -- One rule per fixture ------------------------------------------------------


def test_independent_copy_of_single_copy_data():
    G = graph("copy.yaml")
    items = by_id(build_checklist(G))
    item = items["backup-cloud"]
    assert item.rule == "independent-copy" and item.group == "cloud"
    assert "BigCloud drive" in str(item.action) and "Family photos" in str(item.detail)
    assert item.verification.scenario == ("cloud",)
    assert item.verification.critical_saved == ("photos",)
    assert "backup-cloud-mail" not in items  # the notes have two independent copies already
    new = apply(G.graph["inventory"], [item])
    assert new["backup-disk"].kind == "place" and "backup-disk" in new["photos"].copies
    verified_and_gone(G, item)


def test_independent_copy_done_by_hand_in_the_yaml_text():
    """The owner does it their own way (a USB disk they name themselves): the item goes."""
    text = (FIXTURES / "copy.yaml").read_text()
    assert "backup-cloud" in by_id(build_checklist(build_graph(load_text(text))))
    edited = text.replace("    copies: [cloud]\n", "    copies: [cloud, usb]\n") + "places:\n  usb: {name: My USB disk}\n"
    assert "backup-cloud" not in by_id(build_checklist(build_graph(load_text(edited))))


def test_key_offline_saves_the_key_and_what_needs_it():
    G = graph("key.yaml")
    items = by_id(build_checklist(G))
    item = items["key-offline-disk-key"]
    assert item.rule == "key-offline" and item.group == "identity"
    assert "offline" in str(item.action)
    assert set(item.saved) == {"disk-key", "disk"}
    assert item.critical_saved == ("disk",)
    # the disk itself also has a single copy on the laptop: a backup (which needs the key too)
    assert items["backup-laptop"].verification.scenario == ("laptop",)
    assert "backup-identity" not in items  # a needed item gets the key rule, not a backup of its holder
    for i in fixes(items.values()):
        verified_and_gone(G, i)


def test_second_factor_that_hangs_on_an_account():
    G = graph("second-factor.yaml")
    items = by_id(build_checklist(G, ["identity"]))
    item = items["second-factor-forge"]
    assert item.rule == "second-factor" and item.group == "forge"
    assert "Code forge" in str(item.action) and "BigCo Authenticator" in str(item.action)
    assert "does not know which second factors Code forge offers" in str(item.detail)  # not in the directory
    assert "recovery-codes-forge" in items  # its printed codes: an item of their own
    new = apply(G.graph["inventory"], [item])
    added = [str(m) for m in new["forge"].login]
    assert "password + totp:second-authenticator" in added
    codes = apply(G.graph["inventory"], [items["recovery-codes-forge"]])
    assert "password + codes:home-safe" in [str(m) for m in codes["forge"].recovery]
    assert new["second-authenticator"].kind == "device"
    verified_and_gone(G, item, ["identity"])


def test_an_item_that_saves_nothing_is_not_listed():
    G = graph("second-factor.yaml")
    # Losing `identity` also takes the vault that holds the shop's password:
    # a second factor alone saves nothing there, so it is not listed ...
    assert "second-factor-shop" not in by_id(build_checklist(G, ["identity"]))
    # ... but losing only the phone, it does save the shop.
    item = by_id(build_checklist(G, ["phone"]))["second-factor-shop"]
    assert item.saved == ("shop",)
    check_against_engine(G, item)


def test_own_login_instead_of_sign_in_with():
    G = graph("own-login.yaml")
    items = by_id(build_checklist(G))
    item = items["own-login-music"]
    assert item.rule == "own-login" and "Music service" in str(item.action)
    assert [str(m) for m in apply(G.graph["inventory"], [item])["music"].login] == ["sso:bigco", "password"]
    assert "own-login-bigco-mail" not in items  # the same provider's own service
    assert "own-login-employer-chat" not in items  # the employer decides how its accounts log in
    verified_and_gone(G, item)


def test_recovery_pointed_at_a_mailbox_that_survives():
    G = graph("recovery.yaml")
    item = by_id(build_checklist(G))["recovery-shop"]
    assert item.rule == "recovery-elsewhere" and item.group == "shop"
    assert "Old mailbox" in str(item.detail) and "Main mailbox" in str(item.detail)
    assert [op for op in item.change if isinstance(op, AddMethod)][0].method == Method((Term("email", "old-mail"),))
    verified_and_gone(G, item)


def test_recovery_loop_is_broken_with_a_new_mailbox():
    G = graph("loop.yaml")
    items = build_checklist(G)
    # One item for the pair, not two; ahead of it the safer way: the new mailbox is one more way in.
    assert [i.id for i in items] == ["recovery-codes-mail-a", "loop-mail-a-mail-b"]
    safer, item = items
    assert item.safer == safer.id and safer.safer_than == item.id and item.takeover_added and not safer.takeover_added
    assert item.rule == "recovery-loop" and "Mailbox A" in str(item.action) and "Mailbox B" in str(item.action)
    new = apply(G.graph["inventory"], [item])
    assert new["second-mailbox"].kind == "account" and new["second-mailbox"].subkind == "email"
    assert set(item.saved) == {"mail-a", "mail-b"}
    verified_and_gone(G, item)


def test_vault_offline_copy_of_passwords():
    G = graph("vault.yaml")
    items = by_id(build_checklist(G))
    item = items["vault-offline-vault"]
    assert item.group == "vault" and set(item.saved) == {"bank", "forum"}
    new = apply(G.graph["inventory"], [item])
    assert "password:home-safe + key:key" in [str(m) for m in new["bank"].login]
    verified_and_gone(G, item)


def test_vault_uses_an_export_the_owner_already_keeps():
    text = (FIXTURES / "vault.yaml").read_text() + (
        "places:\n  safe: {name: Safe}\n"
        "data:\n  vaultco-export:\n    name: Encrypted Vaultco export\n    copies: [safe]\n    needs: [password]\n")
    G = build_graph(load_text(text))
    item = by_id(build_checklist(G))["vault-offline-vault"]
    assert "Encrypted Vaultco export" in str(item.action)
    assert not any(isinstance(op, AddThing) for op in item.change)
    assert "vaultco-export + key:key" in [str(m) for m in apply(G.graph["inventory"], [item])["bank"].login]
    verified_and_gone(G, item)


def test_recovery_codes_when_recovery_needs_a_lost_number():
    G = graph("recovery-codes.yaml")
    items = by_id(build_checklist(G))
    item = items["recovery-codes-shop"]
    assert item.rule == "recovery-codes" and item.group == "shop"
    assert "Print Shop's recovery codes" in str(item.action) and "Mobile number" in str(item.detail)
    assert "nothing in the inventory gets it back" in str(item.detail)
    new = apply(G.graph["inventory"], [item])
    assert [str(m) for m in new["shop"].recovery] == ["password + sms:mobile", "password + codes:home-safe"]
    assert new["home-safe"].kind == "place"
    assert item.verification.scenario == ("phone",) and item.critical_saved == ("shop",)
    assert item.resilience_gains == (Gain("shop", 1, 2),)
    # the forum's second factor is a text too: one codes item for it, beside its second factor
    assert "recovery-codes-forum" in items and "second-factor-forum" in items
    assert sum(i.id.endswith("-forum") and i.rule == "recovery-codes" for i in items.values()) == 1
    verified_and_gone(G, item)


def test_recovery_codes_name_how_the_number_comes_back():
    text = (FIXTURES / "recovery-codes.yaml").read_text().replace(
        "    device: phone\n", "    device: phone\n    recovery: [account:carrier]\n") + (
        "  carrier: {name: Carrier, login: [password + device:phone]}\n")  # the carrier app is on the phone
    G = build_graph(load_text(text))
    item = by_id(build_checklist(G))["recovery-codes-shop"]
    assert "a new SIM comes through Carrier" in str(item.detail)
    check_against_engine(G, item)


def test_hardware_key_for_a_passkey_kept_only_in_a_syncing_account():
    G = graph("hardware-key.yaml")
    items = by_id(build_checklist(G))
    item = items["hardware-key-shop"]
    assert item.rule == "hardware-key" and item.group == "shop"
    assert "hardware security key" in str(item.action) and "Cloud keychain" in str(item.detail)
    new = apply(G.graph["inventory"], [item])
    assert new["security-key"].kind == "device" and new["security-key"].subkind == "security-key"
    # Shop is shop.app in the directory: passkeys but no security keys, so the key holds a passkey
    assert [str(m) for m in new["shop"].login] == ["passkey:keychain", "passkey:security-key"]
    assert {v.scenario for v in (item.verification, *item.also)} == {("keychain",), ("laptop",)}
    assert item.resilience_gains == (Gain("shop", 1, 2),)
    assert "hardware-key-bank" not in items  # a passkey bound to the laptop goes with the laptop only
    verified_and_gone(G, item)


def test_hardware_key_uses_a_key_the_owner_has():
    text = (FIXTURES / "hardware-key.yaml").read_text().replace(
        "devices:\n", "devices:\n  yubikey: {name: YubiKey, kind: security-key}\n")
    G = build_graph(load_text(text))
    item = by_id(build_checklist(G))["hardware-key-shop"]
    assert "Register YubiKey as a passkey" in str(item.detail)
    assert not any(isinstance(op, AddThing) for op in item.change)
    assert "passkey:yubikey" in [str(m) for m in apply(G.graph["inventory"], [item])["shop"].login]
    verified_and_gone(G, item)


def test_seed_backup_of_an_authenticator_that_hangs_on_an_account():
    G = graph("seed-backup.yaml")
    items = by_id(build_checklist(G))
    item = items["seed-backup-authenticator"]
    assert item.rule == "seed-backup" and item.group == "authenticator"
    assert "one-time-code seeds in BigCo Authenticator" in str(item.action)
    assert str(item.detail).startswith("1 account takes codes from it (Code forge)")  # push prompts have no seeds
    assert [str(m) for m in apply(G.graph["inventory"], [item])["authenticator"].recovery] == [
        "sso:identity", "codes:home-safe"]
    assert item.verification.scenario == ("identity",)
    assert set(item.saved) == {"authenticator", "forge", "shop"} and item.critical_saved == ("forge",)
    # losing the app itself still takes the forge: only the forge's own second factor helps there
    assert item.resilience_gains == ()
    assert items["second-factor-forge"].resilience_gains == (Gain("forge", 1, 2),)
    assert items["recovery-codes-forge"].resilience_gains == (Gain("forge", 1, 2),)
    verified_and_gone(G, item)


def test_resilience_gains_name_the_critical_things_raised():
    G = graph("copy.yaml")
    item = by_id(build_checklist(G))["backup-cloud"]
    assert item.resilience_gains == (Gain("photos", 1, 2),)  # a single point of failure no more
    assert str(gains_text(item, G.graph["inventory"])) == "Raises 'Family photos' from 1 to 2 losses."
    out = {fmt: export([item], fmt, G.graph["inventory"]) for fmt in ("md", "json", "csv", "html")}
    assert "  - Raises 'Family photos' from 1 to 2 losses." in out["md"]
    row = json.loads(out["json"])[0]
    assert row["resilience_gains"] == [{"id": "photos", "name": "Family photos", "before": 1, "after": 2}]
    assert row["resilience"] == "Raises 'Family photos' from 1 to 2 losses."
    header, cells = list(csv.reader(io.StringIO(out["csv"])))
    assert dict(zip(header, cells))["resilience_gains"] == "photos 1 -> 2"
    assert '<p class="resilience">Raises &#x27;Family photos&#x27; from 1 to 2 losses.</p>' in out["html"]


def test_an_item_that_only_adds_resilience_is_listed_and_says_so():
    G = graph("resilience.yaml")
    items = build_checklist(G, ["bigco", "vault"])
    item = by_id(items)["own-login-music"]
    # Music gets a password kept in the vault: losing both still takes it ...
    assert item.saved == () and item.verification.lost_after == item.verification.lost_before
    assert "as before" in str(verification_text(item.verification))
    # ... but neither loss alone does any more
    assert item.resilience_gains == (Gain("music", 1, 2),)
    assert items.combined_gains == (Gain("music", 1, 2),)
    # after what saves; ahead of it the safer way (a password kept in the vault hands Music to whoever leaks it)
    assert [i.id for i in fixes(items)] == ["vault-offline-vault", "own-login-2fa-music", "own-login-music"]
    assert by_id(items)["own-login-2fa-music"].resilience_gains == item.resilience_gains
    verified_and_gone(G, item, ["bigco", "vault"])
    # in the whole inventory it saves Music outright (losing BigCo alone)
    whole = by_id(build_checklist(G))["own-login-music"]
    assert whole.saved == ("music",) and whole.resilience_gains == (Gain("music", 1, 2),)


def test_no_item_for_resilience_outside_the_scenario():
    """A change that saves nothing in the scenario and raises only a critical
    thing the scenario does not lose is not listed for that scenario."""
    text = (FIXTURES / "resilience.yaml").read_text().replace("    critical: true\n", "") + (
        "  mail: {name: Mailbox}\n"
        "  wiki: {name: Wiki, login: [password:vault]}\n"  # still most passwords in the vault
        "  radio: {name: Radio, critical: true, login: [sso:music, sso:bigco], recovery: [email:mail]}\n")
    G = build_graph(load_text(text))
    assert impact(G, ["bigco", "vault"]).status("radio") == "recoverable"  # not lost there
    assert "own-login-music" not in by_id(build_checklist(G, ["bigco", "vault"]))
    # yet the change does raise Radio (from 2 losses to 3), as the whole-inventory list says
    whole = by_id(build_checklist(G))["own-login-music"]
    assert whole.saved == ("music",) and whole.resilience_gains == (Gain("radio", 2, 3),)
    check_against_engine(G, whole)


def test_purchases_at_stake_is_information_not_a_fix():
    G = graph("stake.yaml")
    items = build_checklist(G)
    assert [i.id for i in items] == ["stake-games"]
    item = items[0]
    assert item.kind == INFO and item.change == () and item.saved == ()
    assert item.verification.money_at_stake == {"EUR": 1400.5, "USD": 10.0}
    assert "EUR 1,400.50 + USD 10" in str(item.action) and "Game store" in str(item.action)
    assert "saves nothing" in str(verification_text(item.verification))


def test_advice_only_when_an_account_loss_takes_something_critical():
    advice = [i for i in build_checklist(graph("copy.yaml")) if i.kind == ADVICE]
    assert [i.id for i in advice] == ["advice-paid-support", "advice-privacy", "advice-lockout-plan"]
    lockout = str(advice[-1].detail)
    assert "in writing" in lockout and "formal warning" in lockout and "injunction" in lockout
    assert "BigCloud" in str(advice[0].action)
    assert build_checklist(graph("quiet.yaml")) == []
    assert not [i for i in build_checklist(graph("stake.yaml")) if i.kind == ADVICE]
    # one scenario: advice only if it loses an account and something critical
    G = graph("key.yaml")
    assert any(i.kind == ADVICE for i in build_checklist(G, ["identity"]))
    assert not any(i.kind == ADVICE for i in build_checklist(G, ["laptop"]))  # a device, not an account


# -- The Malik example, end to end ------------------------------------------------


@pytest.fixture(scope="module")
def malik():
    G = build_graph(load_file(MALIK))
    return G, build_checklist(G, ["microsoft"])


def test_malik_covers_the_story(malik):
    G, items = malik
    ids = by_id(items)
    for expected in ("backup-onedrive", "backup-outlook",
                     "key-offline-bitlocker-key", "second-factor-github", "second-factor-university",
                     "second-factor-paypal", "recovery-codes-github", "seed-backup-ms-authenticator", "stake-microsoft",
                     "advice-paid-support", "advice-privacy", "advice-lockout-plan"):
        assert expected in ids, expected
    # one backup of OneDrive covers every data item that lives only there, listed inside
    onedrive = ids["backup-onedrive"]
    assert str(onedrive.action).startswith("Back up OneDrive to ")
    for name in ("13 years of photos", "Computer-science study work", "student-assistant IT job", "Personal Vault"):
        assert name in str(onedrive.detail)
    assert not any(i.id.startswith("copy-") for i in items)
    assert "BitLocker" in str(ids["key-offline-bitlocker-key"].action)
    assert "Microsoft Authenticator" in str(ids["second-factor-github"].action)
    assert "EUR 1,400" in str(ids["stake-microsoft"].action)
    assert ids["stake-microsoft"].verification.money_at_stake == {"EUR": 1400.0}
    # Outlook and OneDrive are Microsoft's own services: no "own password" for them
    assert not any(i.rule == "own-login" for i in items)


def test_malik_figures_are_the_engines(malik):
    G, items = malik
    inv = G.graph["inventory"]
    before = impact(G, ["microsoft"])
    for item in fixes(items):
        v = item.verification
        assert v.scenario == ("microsoft",)
        assert v.lost_before == len(before.lost) == 18
        assert v.lost_after == len(impact(build_graph(apply(inv, [item])), ["microsoft"]).lost)
        check_against_engine(G, item)
    key = by_id(items)["key-offline-bitlocker-key"]
    assert set(key.critical_saved) == {"bitlocker-key", "laptop-disk"}
    assert set(by_id(items)["backup-onedrive"].saved) == {"photos", "study-work", "job-documents", "vault-documents"}
    # everything at once
    all_done = build_graph(apply(inv, items))
    assert items.combined[0].lost_after == len(impact(all_done, ["microsoft"]).lost) < 18


def test_malik_resilience(malik):
    G, items = malik
    ids = by_id(items)
    assert Gain("photos", 1, 2) in ids["backup-onedrive"].resilience_gains
    # the key offline raises the key; the disk stays a single point of failure (the laptop itself)
    assert ids["key-offline-bitlocker-key"].resilience_gains == (Gain("bitlocker-key", 1, 2),)
    assert ids["second-factor-github"].resilience_gains == (Gain("github", 1, 2),)
    assert ids["recovery-codes-github"].resilience_gains == (Gain("github", 1, 2),)
    assert ids["seed-backup-ms-authenticator"].resilience_gains == (Gain("microsoft", 2, 3),)
    assert "job-documents" not in {g.id for g in ids["backup-onedrive"].resilience_gains}  # not critical
    combined = {g.id: g for g in items.combined_gains}
    assert combined["photos"] == Gain("photos", 1, 2) and "laptop-disk" not in combined
    md_out = export(items, "md", G.graph["inventory"])
    assert "  - Raises 'BitLocker recovery key' from 1 to 2 losses." in md_out
    assert "With every action done: raises 'Microsoft account' from 2 to 3 losses, 'GitHub' from 1 to 3" in md_out


def test_malik_order_critical_first_then_most_saved(malik):
    G, items = malik
    kinds = [i.kind for i in items]
    assert kinds.index(ADVICE) > max(n for n, k in enumerate(kinds) if k != ADVICE)
    assert items[0].id == "backup-onedrive"  # saves three critical things
    # the head: the fixes that save the most (critical things, money, things), at most 5
    head = items[:items.first]
    assert items.first == 5 and all(i.kind == FIX for i in head)
    worth = [(len(i.critical_saved), sum(i.verification.money_saved.values()), len(i.saved)) for i in head]
    assert worth == sorted(worth, reverse=True)
    rest = items[items.first:]
    assert all(worth[-1] >= (len(i.critical_saved), sum(i.verification.money_saved.values()), len(i.saved))
               for i in rest if i.kind == FIX)
    # below the head, within each group, fixes come strongest first, then information
    groups: dict[str, list[Item]] = {}
    for i in rest:
        groups.setdefault(i.group, []).append(i)
    for its in groups.values():
        keys = [(i.kind != FIX, -len(i.critical_saved), -len(i.resilience_gains), -len(i.saved)) for i in its]
        assert keys == sorted(keys)
    # groups are contiguous, and ordered by their best item
    seen = [g for n, g in enumerate(i.group for i in rest) if n == 0 or rest[n - 1].group != g]
    assert len(seen) == len(set(seen))
    best = [(-len(groups[g][0].critical_saved)) for g in seen if groups[g][0].kind == FIX]
    assert best == sorted(best)
    md_out = export(items, "md", G.graph["inventory"])
    assert md_out.index("## Do these 5 first") < md_out.index("Back up OneDrive") < md_out.index("## Microsoft account")


def test_malik_items_disappear_once_done(malik):
    G, items = malik
    inv = G.graph["inventory"]
    for item in fixes(items):
        gone_once_done(G, item, ["microsoft"])
    # doing every fix leaves nothing more to fix in that scenario
    G_all = build_graph(apply(inv, items))
    assert fixes(build_checklist(G_all, ["microsoft"])) == []


def test_malik_whole_inventory(malik):
    G, _ = malik
    items = build_checklist(G)
    assert ("microsoft",) in items.scenarios and items.whole
    ids = by_id(items)
    photos = ids["backup-onedrive"]
    assert photos.verification.scenario == ("microsoft",)  # the worst scenario it helps in
    assert [v.scenario for v in photos.also] == [("onedrive",)]
    assert ids["backup-laptop"].verification.scenario == ("laptop",)
    assert ids["second-factor-github"].also[0].scenario == ("ms-authenticator",)
    for item in fixes(items):
        verified_and_gone(G, item)


def test_apply_is_idempotent_and_does_not_touch_the_input(malik):
    G, items = malik
    inv = G.graph["inventory"]
    snapshot = dict(inv.things)
    once = apply(inv, items)
    assert apply(once, items).things == once.things
    assert inv.things == snapshot and "home-safe" not in inv.things
    assert apply(inv, [i for i in items if i.kind not in CHANGES]).things == inv.things  # fixes and hardening change


def test_household_is_fast_and_sensible():
    G = build_graph(load_file(HOUSEHOLD))
    start = time.perf_counter()
    items = build_checklist(G)
    assert time.perf_counter() - start < 2.0
    ids = by_id(items)
    assert "loop-gmail-ben-gmx-ben" in ids
    vault = ids["vault-offline-bitwarden"]
    assert "Encrypted Bitwarden export" in str(vault.action)  # the export they already keep
    assert vault.verification.lost_after < vault.verification.lost_before
    assert {g.id for g in vault.resilience_gains} == {"mail-anna", "mail-ben", "bank-joint"}
    for item in fixes(items):
        check_against_engine(G, item)
    # Anna's phone and the carrier lost together: her number is gone, and WhatsApp recovers only by text
    item = by_id(build_checklist(G, ["anna-phone", "telekom"]))["recovery-codes-whatsapp-anna"]
    assert item.saved == ("whatsapp-anna",)
    check_against_engine(G, item)


# -- Changes -----------------------------------------------------------------------


def test_changes_are_pure_and_idempotent():
    inv = load_file(FIXTURES / "copy.yaml")
    assert fresh_id(inv, "cloud") == "cloud-2" and fresh_id(inv, "usb") == "usb"
    change = (AddThing(Thing(id="usb", kind="place", name="USB")), AddCopy("photos", "usb"),
              AddMethod("mail", "recovery", Method((Term("codes", "usb"),))))
    new = apply_change(inv, change)
    assert new["photos"].copies == ("cloud", "usb") and "usb" not in inv.things
    assert [str(m) for m in new["photos"].login] == ["cloud", "usb"]
    assert apply_change(new, change).things == new.things
    with pytest.raises(ValueError):
        AddThing(Thing(id="cloud", kind="place", name="x")).apply(inv)
    with pytest.raises(KeyError):
        AddCopy("photos", "nowhere").apply(inv)


def test_new_ids_never_clash():
    text = (FIXTURES / "copy.yaml").read_text() + "places:\n  backup-disk: {name: Old tapes}\n"
    G = build_graph(load_text(text))
    item = by_id(build_checklist(G))["backup-cloud"]
    new = apply(G.graph["inventory"], [item])
    assert new["backup-disk"].name == "Old tapes"
    assert "backup-disk-2" in new["photos"].copies and new["backup-disk-2"].kind == "place"


# -- Formats -----------------------------------------------------------------------

HOSTILE = """version: 1
owner: "Eve <script>alert(1)</script> & *co*"
accounts:
  cloud:
    name: "<b>Cloud</b> [link](javascript:x) & `tick` =1+1"
data:
  photos:
    name: "<img src=x onerror=alert(1)> **photos** | pipe"
    copies: [cloud]
    critical: true
purchases:
  game: {name: "=HYPERLINK(\\"x\\")", account: cloud, price: 5}
"""

VOID = {"meta", "br", "hr", "img", "input", "link"}


class Balanced(HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, (tag, self.stack)
        self.stack.pop()


def formats_for(G, lost=None):
    items = build_checklist(G, lost)
    return items, {fmt: export(items, fmt, G.graph["inventory"]) for fmt in ("md", "json", "csv", "html")}


@pytest.mark.parametrize("source", [MALIK, HOUSEHOLD, FIXTURES / "stake.yaml", FIXTURES / "quiet.yaml"])
def test_every_format_parses(source):
    G = build_graph(load_file(source))
    items, out = formats_for(G)
    data = json.loads(out["json"])
    assert isinstance(data, list) and len(data) == len(items)
    for row, item in zip(data, items):
        assert row["id"] == item.id and row["action"] == str(item.action)
        assert row["resilience_gains"] == [{"id": g.id, "name": G.graph["inventory"][g.id].name,
                                            "before": g.before, "after": g.after} for g in item.resilience_gains]
        if item.kind == FIX:
            v = row["verification"]
            assert (v["lost_after"] < v["lost_before"] and v["saved"]) or row["resilience_gains"]
            assert row["change"] and row["change_text"]
    rows = list(csv.reader(io.StringIO(out["csv"])))
    assert rows[0][:3] == ["id", "kind", "rule"] and len(rows) == len(items) + 1
    assert {"resilience", "resilience_gains"} <= set(rows[0])
    assert [r[0] for r in rows[1:]] == [i.id for i in items]
    parser = Balanced()
    parser.feed(out["html"])
    parser.close()
    assert parser.stack == [] and parser.tags[0] == "html"
    # nothing fetched: the sites' pages are plain text, never a link, source or style address
    assert "<script" not in out["html"].lower() and not re.search(r"(href|src)=|url\(", out["html"].lower())
    assert "<link" not in out["html"].lower() and "src=" not in out["html"].lower()
    assert out["html"].count('class="item ') == len(items)
    assert out["md"].count("\n- [ ] ") == len(items)
    raised = sum(1 for i in items if i.resilience_gains)
    assert out["html"].count('<p class="resilience">') == raised and out["md"].count("\n  - Raises '") == raised


def test_user_text_is_escaped_everywhere():
    G = build_graph(load_text(HOSTILE))
    items, out = formats_for(G)
    assert {i.id for i in items} >= {"backup-cloud", "stake-cloud"}
    html_out = out["html"]
    assert "<script" not in html_out and "<img" not in html_out and "<b>" not in html_out
    assert "&lt;img src=x onerror=alert(1)&gt;" in html_out
    parser = Balanced()
    parser.feed(html_out)
    assert parser.stack == [] and set(parser.tags) <= {"html", "head", "meta", "title", "style", "body", "h1", "p",
                                                       "section", "h2", "code", "ul", "li", "span", "strong"}
    md_out = out["md"]
    for raw in ("<img", "<b>", "**photos**", "[link](", "`tick`", "| pipe"):
        assert re.search(r"(?<!\\)" + re.escape(raw), md_out) is None, raw
    assert "\\<img src=x onerror=alert(1)\\>" in md_out  # parentheses are no markup: left as typed
    for row in list(csv.reader(io.StringIO(out["csv"])))[1:]:
        assert not any(cell[:1] in ("=", "+", "-", "@") for cell in row)
    assert "<img" in json.loads(out["json"])[0]["detail"]


def test_export_rejects_an_unknown_format():
    with pytest.raises(ValueError):
        export([], "pdf", None)


def test_cli_checklist(tmp_path, capsys):
    assert main(["checklist", str(MALIK), "--lose", "microsoft"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("# Mitigation checklist — Malik")
    assert "- [ ] **Back up OneDrive to " in text
    out = tmp_path / "c.json"
    assert main(["checklist", str(MALIK), "--format", "json", "-o", str(out)]) == 0
    assert any(row["id"] == "backup-onedrive" for row in json.loads(out.read_text()))


def test_purchases_at_stake_are_one_item_for_every_account():
    G = build_graph(load_file(ROOT / "examples" / "household.yaml"))
    items = build_checklist(G)
    stakes = [i for i in items if i.rule == "purchases-at-stake"]
    assert [i.id for i in stakes] == ["stake-purchases"]
    inv = G.graph["inventory"]
    total: dict[str, float] = {}
    for p in inv.of_kind("purchase"):
        if p.account in stakes[0].verification.scenario:
            total[p.currency] = total.get(p.currency, 0) + p.price
    assert stakes[0].verification.money_at_stake == total and "lost with them" in str(
        verification_text(stakes[0].verification, inv))
