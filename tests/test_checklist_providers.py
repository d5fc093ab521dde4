"""The checklist against the provider directory: no item proposes what an
account's site does not offer, for every example."""

from __future__ import annotations

from pathlib import Path

import pytest

from identity_map.analysis.validate import validate_bytes
from identity_map.checklist import HARDEN, build_checklist
from identity_map.checklist.fixes import AddMethod
from identity_map.providers.support import AUTHENTICATOR, PASSKEY, RECOVERY_CODES, SECURITY_KEY, support_of

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml")) + [ROOT / "tests" / "fixtures" / "checklist" / "sites.yaml"]
# A term a change adds -> what the site must offer for it.
NEEDS = {"totp": AUTHENTICATOR, "key": SECURITY_KEY, "passkey": PASSKEY, "codes": RECOVERY_CODES}


def checklist_of(path: Path):
    checked = validate_bytes(path.read_bytes(), str(path))
    return checked.inventory, build_checklist(checked.graph)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_no_item_is_impossible_at_its_site(path):
    inventory, items = checklist_of(path)
    checked = 0
    for item in items:
        for op in item.change:
            if not isinstance(op, AddMethod) or op.owner not in inventory.things:
                continue
            account = inventory[op.owner]
            if account.kind != "account":
                continue
            support = support_of(account)
            for term in op.method.terms:
                if term.kind in NEEDS:
                    assert support.possible(NEEDS[term.kind]), (item.id, account.id, term, support.site)
                    checked += 1
    CHECKED[path.stem] = checked


CHECKED: dict[str, int] = {}


def test_the_proposals_checked_include_every_kind_of_factor():
    for path in EXAMPLES:
        if path.stem not in CHECKED:
            test_no_item_is_impossible_at_its_site(path)
    assert CHECKED["malik"] and CHECKED["household"] and CHECKED["sites"]


def test_sites_fixture_proposes_only_what_each_site_offers():
    inventory, items = checklist_of(EXAMPLES[-1])
    ids = {i.id for i in items}
    assert "second-factor-aok" not in ids           # AOK offers only SMS
    assert "recovery-codes-aok" in ids              # ... but has a second factor, so codes may exist
    aok = next(i for i in items if i.id == "recovery-codes-aok")
    assert "AOK offers no authenticator app, security key or passkey (only SMS)" in str(aok.detail)
    # no second factor at all: no codes (only the takeover hardening of its SMS recovery, which adds nothing)
    assert {i.kind for i in items if i.id.endswith("-airline")} <= {HARDEN}
    github = next(i for i in items if i.id == "second-factor-github")
    assert str(github.action).startswith("Add a security key to GitHub")
    assert "https://docs.github.com/" in str(github.detail)



@pytest.fixture(scope="module")
def fixture_sites():
    from identity_map.format.model import Thing
    from identity_map.providers.directory import Directory

    directory = Directory.from_json((ROOT / "tests" / "fixtures" / "providers" / "sites.json").read_text())
    urls = {"mail": "xm.test", "sms": "b.multi.test", "unknown": "unknown.test"}
    return {k: support_of(Thing(id=k, kind="account", name=k, url=u), directory) for k, u in urls.items()}


def test_site_sentences(fixture_sites):
    from identity_map.checklist.model import U
    from identity_map.checklist.sites import offers_text, pages_text, second_factor
    from identity_map.providers.support import AUTHENTICATOR, SECURITY_KEY

    mail, sms, unknown = (fixture_sites[k] for k in ("mail", "sms", "unknown"))
    assert second_factor(mail) == SECURITY_KEY and second_factor(unknown) == AUTHENTICATOR
    assert second_factor(sms) is None
    assert str(offers_text(mail, U("M"))) == "M offers a security key, a passkey and an authenticator app."
    assert str(offers_text(sms, U("S"))) == "S offers no authenticator app, security key or passkey (only SMS)."
    assert "does not know" in str(offers_text(unknown, U("U")))
    assert str(pages_text(mail)) == (" How to set it up: https://example-mail.test/2fa."
                                     " If you are locked out: https://example-mail.test/recover.")
    assert str(pages_text(unknown)) == ""
