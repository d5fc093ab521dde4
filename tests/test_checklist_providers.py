"""The checklist against the provider directory: no item proposes what an
account's site does not offer, for every example."""

from __future__ import annotations

from pathlib import Path

import pytest

from identity_map.analysis.validate import validate_bytes
from identity_map.checklist import build_checklist
from identity_map.checklist.fixes import AddMethod
from identity_map.providers.support import AUTHENTICATOR, PASSKEY, RECOVERY_CODES, SECURITY_KEY, support_of

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
# A term a change adds -> what the site must offer for it.
NEEDS = {"totp": AUTHENTICATOR, "key": SECURITY_KEY, "passkey": PASSKEY, "codes": RECOVERY_CODES}


def checklist_of(path: Path):
    checked = validate_bytes(path.read_bytes(), str(path))
    return checked.inventory, build_checklist(checked.graph)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_no_item_is_impossible_at_its_site(path):
    inventory, items = checklist_of(path)
    assert items
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
