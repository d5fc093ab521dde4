"""After-death scenarios: memory and self are lost, legacy methods count as
recovery, and statuses are read against the living baseline.

Hand-made cases pin the spec's examples; the property test compares the
fast path (delete-and-rederive on `Compiled.after_death`) with a least fixed
point written here from the inventory's own Things, sharing no code with
the engine.
"""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from identity_map.analysis.engine import DEGRADED, LOST, OK, RECOVERABLE, fixed_point, impact
from identity_map.analysis.explain import why
from identity_map.analysis.graph import build_graph
from identity_map.analysis.selectors import scenario_impact
from identity_map.cli import main
from identity_map.format.generate import dump_spec, random_spec
from identity_map.format.load import load_text
from identity_map.format.model import Inventory, is_root
from test_scale_properties import classify

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def graph(text: str):
    return build_graph(load_text("version: 1\n" + text))


def plain(inv: Inventory, lost: set[str], roles: tuple[str, ...]) -> set[str]:
    """The least fixed point by repeated sweeps over the Things (slow, obvious)."""
    avail = {t.id for t in inv if is_root(t) and t.id not in lost}
    changed = True
    while changed:
        changed = False
        for t in inv:
            if t.id in avail or t.id in lost:
                continue
            methods = [m for role, ms in t.roles if role in roles for m in ms]
            if any(all(x in avail for x in m.targets) for m in methods):
                avail.add(t.id)
                changed = True
    return avail


def reference(inv: Inventory, lost) -> dict[str, str]:
    """The spec's after-death statuses from four plain fixed points."""
    gone = set(lost) | ({"memory", "self"} & set(inv.things))
    living, login = ("login", "unlock", "recovery"), ("login", "unlock")
    return classify(inv, plain(inv, set(), living), plain(inv, set(), login),
                    plain(inv, gone, (*living, "legacy")), plain(inv, gone, login))


@st.composite
def cases(draw, max_lost: int = 3):
    spec = random_spec(draw(st.randoms(use_true_random=False)))
    inv = load_text(dump_spec(spec))
    lost = draw(st.lists(st.sampled_from(list(inv.things)), max_size=max_lost, unique=True))
    return inv, lost


@SETTINGS
@given(cases())
def test_after_death_statuses_equal_the_plain_fixed_point(case):
    inv, lost = case
    G = build_graph(inv)
    result = impact(G, lost, after_death=True)
    assert result.statuses == reference(inv, lost)
    assert result.scenario == frozenset(lost) | ({"memory", "self"} & set(inv.things))
    # The engine's own plain fixed point agrees on A after death.
    gone = result.scenario
    assert fixed_point(G, gone, after_death=True) == plain(inv, set(gone), ("login", "unlock", "recovery", "legacy"))


@SETTINGS
@given(cases(max_lost=0))
def test_legacy_methods_never_count_while_the_owner_lives(case):
    inv, _ = case
    G = build_graph(inv)
    assert fixed_point(G) == plain(inv, set(), ("login", "unlock", "recovery"))
    living = impact(G, ["memory"])
    assert living.statuses == {t.id: s for t, s in zip(inv, impact(build_graph(_without_legacy(inv)),
                                                                    ["memory"]).statuses.values())}


def _without_legacy(inv: Inventory) -> Inventory:
    from dataclasses import replace

    return replace(inv, things={tid: replace(t, legacy=()) for tid, t in inv.things.items()})


# -- The spec's cases, by hand -------------------------------------------------

HEIRS = """
people:
  anna: {name: Anna, relation: partner}
  ben: {name: Ben, relation: son}
devices:
  phone: {kind: phone, unlock: [password]}
  laptop: {kind: computer, unlock: [password:safe]}
places:
  safe: {name: Home safe}
accounts:
  vault:
    kind: password-manager
    login: [password + device:laptop, password:safe]
  apple:
    provider: Apple
    login: [password + device:phone]
    legacy: [person:anna + codes:safe]
  bank:
    login: [password:vault]
    recovery: [self]
  google:
    login: [password + device:phone]
    legacy: [person:ben]
  shop: {login: [password:vault]}
purchases:
  apps: {account: apple, price: 100}
"""


def test_a_passcode_phone_is_lost_to_heirs():
    r = impact(graph(HEIRS), after_death=True)
    assert r.status("phone") == LOST
    assert "memory was lost" in why(r, "phone")


def test_a_vault_reachable_through_the_password_in_the_safe():
    r = impact(graph(HEIRS), after_death=True)
    # Its login "password:safe" needs no recovery: the heirs reach it directly.
    assert r.status("vault") == DEGRADED
    assert r.status("shop") == OK
    assert r.status("laptop") == OK


def test_a_legacy_contact_account_is_recoverable():
    r = impact(graph(HEIRS), after_death=True)
    assert r.status("apple") == RECOVERABLE
    assert r.status("apps") == RECOVERABLE
    assert 'legacy "person:anna + codes:safe" works' in why(r, "apple")
    assert r.summary.money_lost == {}


def test_self_is_lost_after_death_but_the_password_in_the_vault_still_opens_the_bank():
    r = impact(graph(HEIRS), after_death=True)
    assert "self" in r.scenario and r.status("self") == LOST
    assert r.status("bank") == DEGRADED  # its recovery "self" no longer works


def test_a_person_lost_too():
    G = graph(HEIRS)
    r = scenario_impact(G, ["anna"], after_death=True)
    assert r.status("anna") == LOST
    assert r.status("apple") == LOST and r.status("apps") == LOST
    assert r.summary.money_lost == {"EUR": 100.0}
    assert r.status("google") == RECOVERABLE  # Ben is still there
    assert scenario_impact(G, ["kind:person"], after_death=True).status("google") == LOST


def test_the_living_scenario_never_uses_legacy():
    r = impact(graph(HEIRS), ["memory"])
    assert r.status("apple") == LOST
    assert not r.after_death and "self" not in r.scenario


def test_without_self_in_the_inventory_only_memory_is_lost():
    r = impact(graph("accounts:\n  a: {}\n"), after_death=True)
    assert r.scenario == {"memory"}


def test_cli_impact_after_death_json(tmp_path, capsys):
    path = tmp_path / "heirs.yaml"
    path.write_text("version: 1\n" + HEIRS)
    assert main(["impact", str(path), "--after-death", "--lose", "ben", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["scenario"] == {"lost": ["ben", "memory", "self"], "selectors": ["ben"], "after_death": True}
    assert doc["nodes"]["apple"]["status"] == RECOVERABLE
    assert doc["nodes"]["google"]["status"] == LOST
    assert main(["impact", str(path), "--after-death"]) == 0
    assert capsys.readouterr().out.startswith("After death")
