"""Checklist rules for heirs, verified in the after-death scenario like
every other item: a legacy contact where the provider offers one, the vault's
master password on the emergency sheet, a device passcode on the sealed sheet."""

from __future__ import annotations

import json

import pytest

from identity_map.analysis.engine import impact
from identity_map.analysis.graph import build_graph
from identity_map.checklist import apply, build_checklist, verification_text
from identity_map.cli import main
from identity_map.format.load import load_text

CASE = """version: 1
people:
  anna: {name: Anna, relation: partner}
devices:
  phone: {name: Phone, kind: phone, unlock: [password]}
  yubikey: {name: YubiKey, kind: security-key}
places:
  safe: {name: Home safe}
accounts:
  vault:
    name: Bitwarden
    provider: Bitwarden
    kind: password-manager
    login: [password + key:yubikey]
    recovery: [password + codes:safe]
  shop: {name: Shop, login: [password:vault]}
  apple: {name: Apple ID, provider: Apple, login: [password + device:phone]}
  bank: {name: Bank, login: [password + device:phone]}
purchases:
  apps: {name: Apps, account: apple, price: 120}
"""


@pytest.fixture(scope="module")
def G():
    return build_graph(load_text(CASE))


@pytest.fixture(scope="module")
def items(G):
    return {i.id: i for i in build_checklist(G, None, after_death=True)}


def test_each_heirs_rule_is_proposed_and_verified(items):
    assert {"legacy-apple", "legacy-vault", "vault-sheet-vault", "unlock-sheet-phone"} <= set(items)
    assert "legacy-bank" not in items  # the bank's provider offers no legacy contact (none written)
    sheet = items["vault-sheet-vault"]
    assert str(sheet.action) == "Put the master password of Bitwarden on the emergency sheet in Home safe"
    assert set(sheet.verification.saved) == {"vault", "shop"}
    assert str(verification_text(sheet.verification)).startswith("After your death: ")
    assert items["legacy-apple"].verification.money_saved == {"EUR": 120.0}
    assert items["unlock-sheet-phone"].verification.saved == ("phone",)


def test_the_verification_equals_a_fresh_after_death_impact(G, items):
    before = impact(G, after_death=True)
    for item in items.values():
        if not item.change:
            continue
        after = impact(build_graph(apply(G.graph["inventory"], [item])), after_death=True)
        assert item.verification.lost_after == len(after.lost & set(before.compiled.ids)), item.id
        assert set(item.verification.saved) == before.lost - after.lost, item.id


def test_done_items_disappear(G, items):
    done = apply(G.graph["inventory"], list(items.values()))
    again = {i.id for i in build_checklist(build_graph(done), None, after_death=True)}
    assert not again & {"legacy-apple", "legacy-vault", "vault-sheet-vault", "unlock-sheet-phone"}


def test_no_heirs_items_while_you_live(G):
    living = {i.rule for i in build_checklist(G, None)}
    assert not living & {"legacy-contact", "vault-sheet", "unlock-sheet"}


def test_the_household_after_death_checklist(tmp_path, capsys):
    assert main(["checklist", "examples/household.yaml", "--after-death", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    ids = [i["id"] for i in doc]
    assert ids[:2] == ["unlock-sheet-anna-phone", "unlock-sheet-ben-phone"]
    assert all(i["verified"].startswith("After your death") for i in doc if i["kind"] == "fix")
