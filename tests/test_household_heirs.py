"""The household example after death: the picture the app's "My family
after I die" preset and `identity-map heirs` give, pinned."""

from __future__ import annotations

from pathlib import Path

import pytest

from identity_map.analysis import scenarios
from identity_map.analysis.engine import LOST, RECOVERABLE
from identity_map.analysis.graph import build_graph
from identity_map.analysis.heirs import DIRECT, OUT, PROCEDURE, reach
from identity_map.analysis.selectors import scenario_impact
from identity_map.format.load import load_text

HOUSEHOLD = Path(__file__).resolve().parent.parent / "examples" / "household.yaml"


@pytest.fixture(scope="module")
def G():
    return build_graph(load_text(HOUSEHOLD.read_text(), str(HOUSEHOLD)))


def test_the_preset_is_computed_after_death(G):
    inv = G.graph["inventory"]
    r = scenario_impact(G, scenarios.selectors(scenarios.AFTER_DEATH, inv), scenarios.AFTER_DEATH.after_death)
    assert r.after_death and r.scenario == {"memory", "self"}
    # Nothing critical and no purchase is lost: the sheet in the safe and the legacy contacts carry it.
    assert r.summary.critical_lost == () and r.summary.money_lost == {}
    assert r.summary.counts[LOST] == 24 and r.summary.counts[RECOVERABLE] == 37
    # The passcode phones and what only they open are out of reach.
    assert {"anna-phone", "ben-phone", "whatsapp-anna", "signal-ben", "bundid-anna"} <= r.lost
    assert r.status("apple-ben") == RECOVERABLE and r.status("bank-joint") == RECOVERABLE


def test_everyone_together(G):
    r = reach(G, None)
    e = {x.id: x for x in r.entries}
    assert e["bitwarden"].group == DIRECT
    assert e["bitwarden"].how == "sign in with the password kept in Home safe and the security key Spare YubiKey"
    assert e["apple-ben"].how == ("Anna (Ben's partner), your legacy contact, asks Apple with the recovery codes "
                                  "in Home safe and a death certificate")
    assert e["bank-joint"].group == PROCEDURE and "asks Sparkasse" in e["bank-joint"].how
    assert e["photos"].group == DIRECT and e["anna-phone"].group == OUT
    assert r.money(OUT) == {} and r.money(DIRECT, PROCEDURE) == {"EUR": 2673.0}
    assert [x.id for x in r.entries if x.critical] == ["bitwarden", "mail-anna", "mail-ben", "bank-joint",
                                                        "photos", "family-documents"]


def test_bens_parents_alone_miss_what_anna_holds_the_key_to(G):
    r = reach(G, "ben-parents")
    e = {x.id: x for x in r.entries}
    assert r.impact.scenario == {"anna", "ben", "memory", "self"}
    assert e["apple-ben"].group == OUT  # Anna is Apple's legacy contact, not them
    assert e["bank-joint"].group == PROCEDURE and e["bitwarden"].group == DIRECT
    assert r.money(OUT) == {"EUR": 180.0}  # the iOS apps on Ben's Apple account
