"""k-loss resilience: exact smallest killing sets, checked against brute force."""

from __future__ import annotations

import dataclasses
import itertools
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from identity_map.analysis import engine
from identity_map.analysis.engine import fixed_point
from identity_map.format.generate import dump_spec, random_spec
from identity_map.analysis.graph import build_graph, inventory_of, parse_method_node
from identity_map.format.load import load_file, load_text
from identity_map.analysis.resilience import (
    Row, available_in, compiled_resilience, improves, raises, resilience, resilience_json, resilience_text,
    thing_resilience,
)

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def graph(text: str):
    return build_graph(load_text("version: 1\n" + text))


def by_id(rows):
    return {r.id: r for r in rows}


def brute_force(G, thing_id: str, max_k: int = 3):
    """(k, set of killing sets of size k) by trying every subset of candidates."""
    if thing_id not in fixed_point(G):
        return 0, set()
    candidates = [c for c in engine.candidates(G) if c != thing_id]
    for k in range(1, max_k + 1):
        killers = {frozenset(s) for s in itertools.combinations(candidates, k) if thing_id not in fixed_point(G, s)}
        if killers:
            return k, killers
    return None, set()


SPOF = """
devices:
  phone: {}
  laptop: {}
places:
  safe: {}
phones:
  mobile: {device: phone}
accounts:
  mail:
    critical: true
    login: [password + sms:mobile]
  cloud:
    login: [sso:mail]
data:
  photos:
    critical: true
    copies: [cloud]
  backup:
    critical: true
    copies: [laptop, safe]
  diary:
    critical: true
    copies: [laptop, safe, cloud]
"""


def test_a_single_point_of_failure_gives_k_1_with_every_single_loss():
    rows = by_id(resilience(graph(SPOF)))
    assert rows["mail"].k == 1 and rows["mail"].examples == (("phone",), ("mobile",))
    assert rows["photos"].k == 1
    assert rows["photos"].examples == (("phone",), ("mobile",), ("mail",), ("cloud",))


def test_a_thing_needing_two_independent_losses_gives_exactly_the_pairs():
    rows = by_id(resilience(graph(SPOF)))
    assert rows["backup"].k == 2 and rows["backup"].examples == (("laptop", "safe"),)
    # Three copies, one of which hangs on a chain: any link of the chain
    # together with both offline copies.
    assert rows["diary"].k == 3
    assert set(rows["diary"].examples) == {("phone", "laptop", "safe"), ("laptop", "safe", "mobile"),
                                           ("laptop", "safe", "mail"), ("laptop", "safe", "cloud")}
    assert rows["diary"].count == 4


def test_rows_are_weakest_first_and_the_thing_itself_never_counts():
    rows = resilience(graph(SPOF))
    assert [r.k for r in rows] == sorted(r.k for r in rows)
    assert [r.id for r in rows] == ["mail", "photos", "backup", "diary"]
    # mail is critical and an account: losing mail itself is not reported.
    assert all("mail" not in s for s in by_id(rows)["mail"].examples)


def test_more_than_max_k_and_unreachable():
    G = graph("""
devices:
  k1: {}
  k2: {}
  k3: {}
  k4: {}
accounts:
  vault:
    critical: true
    login: [password + key:k1, password + key:k2, password + key:k3, password + key:k4]
  loop-a: {login: [email:loop-b], critical: true}
  loop-b: {login: [email:loop-a]}
""")
    rows = by_id(resilience(G))
    assert rows["vault"].k is None and rows["vault"].examples == () and rows["vault"].label == "more than 3"
    assert rows["loop-a"].k == 0 and rows["loop-a"].examples == ()
    assert by_id(resilience(G, max_k=4))["vault"].k == 4
    assert by_id(resilience(G, max_k=4))["vault"].examples == (("k1", "k2", "k3", "k4"),)
    # Memory is not a candidate: a password alone is never "lost".
    assert by_id(resilience(graph("accounts:\n  m: {critical: true}\n")))["m"].k is None


def test_killing_sets_are_minimal_and_come_in_file_order():
    rows = by_id(resilience(graph(SPOF)))
    index = {tid: i for i, tid in enumerate(load_text("version: 1\n" + SPOF).things)}
    for row in rows.values():
        for s in row.examples:
            assert list(s) == sorted(s, key=index.get)
        assert list(row.examples) == sorted(row.examples, key=lambda s: [index[i] for i in s])


def test_raises_tells_when_a_change_removes_a_single_point_of_failure():
    before = graph(SPOF)
    after = graph(SPOF.replace("copies: [cloud]", "copies: [cloud, safe]"))
    assert raises(before, after, "photos") == (1, 2)
    assert improves(1, 2) and improves(2, None) and not improves(None, 3) and not improves(2, 2)
    assert thing_resilience(before, "cloud").k == 1  # works for things that are not critical too
    with pytest.raises(KeyError):
        thing_resilience(before, "nope")


def test_json_and_text_outputs():
    rows = resilience(graph(SPOF))
    data = resilience_json(rows)
    json.dumps(data)
    first = data[0]
    assert first == {"id": "mail", "name": "mail", "kind": "account", "k": 1, "max_k": 3, "label": "1",
                     "count": 2, "examples": [["phone"], ["mobile"]]}
    text = resilience_text(rows)
    assert "mail" in text and "phone; mobile" in text and "laptop + safe" in text
    assert "critical" in resilience_text([])
    many = Row("x", "x", "data", 1, tuple((f"a{i}",) for i in range(8)))
    assert "and 3 more" in resilience_text([many])


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.randoms(use_true_random=False), st.integers(1, 3), st.integers(1, 3))
def test_resilience_equals_brute_force_on_random_inventories(rng, max_k, max_terms):
    # Fewer terms per method means more OR-redundancy, hence more k = 2 and 3.
    G = build_graph(load_text(dump_spec(random_spec(rng, max_accounts=5, max_terms=max_terms))))
    inv = inventory_of(G)
    rows = resilience(G, max_k=max_k)
    assert [r.id for r in sorted(rows, key=lambda r: list(inv.things).index(r.id))] == \
        [t.id for t in inv if t.critical]
    for row in rows:
        k, killers = brute_force(G, row.id, max_k)
        assert row.k == k, row.id
        assert {frozenset(s) for s in row.examples} == killers, row.id
        assert row.count == len(killers)


def without_method(inv, owner: str, node: str):
    """The inventory with the method whose graph node is `node` removed."""
    _, role, k = parse_method_node(node)
    thing = inv[owner]
    kept = tuple(m for i, m in enumerate(getattr(thing, role)) if i != k)
    return dataclasses.replace(inv, things={**inv.things, owner: dataclasses.replace(thing, **{role: kept})})


def drawn_way_in(inv, data, scenarios: int):
    """(the compiled form of inv, a method drawn among the accounts' logins
    and recoveries, its owner, the graph rebuilt without it, the scenario
    losing nothing and `scenarios` drawn ones), None when there is no such
    method. Taking away a device's last unlock or a data item's last copy
    would change what the thing is, not just a way in."""
    c = engine.compiled(build_graph(inv))
    ways_in = [m for m, node in enumerate(c.m_node) if c.things[c.m_owner[m]].kind == "account"
               and parse_method_node(node)[1] in ("login", "recovery")]
    if not ways_in:
        return None
    m = data.draw(st.sampled_from(ways_in))
    owner = c.ids[c.m_owner[m]]
    drawn = [data.draw(st.lists(st.sampled_from(list(inv.things)), max_size=3, unique=True)) for _ in range(scenarios)]
    return c, m, owner, build_graph(without_method(inv, owner, c.m_node[m])), [[], *drawn]


def test_a_skipped_method_is_never_the_derivation_a_search_branches_on():
    # The SMS recovery is the cheapest derivation of bank (two losses against
    # three); with it taken away, every term of the login is a single point of failure.
    G = graph("devices:\n  k: {}\n  k2: {}\n  ph: {}\nphones:\n  mobile: {device: ph}\n"
              "accounts:\n  mail: {login: [password]}\n"
              "  bank: {login: [email:mail + key:k + totp:k2], recovery: [sms:mobile], critical: true}\n")
    c = engine.compiled(G)
    sms = [m for m in c.methods_of[c.index["bank"]] if c.m_node[m] == "bank#recovery0"]
    row = compiled_resilience(c, "bank", skip=sms)
    assert (row.k, row.examples) == (1, (("k",), ("k2",), ("mail",)))
    assert thing_resilience(G, "bank").k == 2


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.randoms(use_true_random=False), st.integers(1, 3), st.data())
def test_skipping_a_method_equals_removing_it(rng, max_terms, data):
    """compiled_resilience and available_in with a method skipped agree with
    the graph rebuilt without it (what the hardening items rely on)."""
    inv = load_text(dump_spec(random_spec(rng, max_accounts=5, max_terms=max_terms)))
    drawn = drawn_way_in(inv, data, 4)
    if drawn is None:
        return
    c, m, owner, H, scenarios = drawn
    for t in {owner, *(t.id for t in inv if t.critical)}:
        assert compiled_resilience(c, t, skip=[m]) == thing_resilience(H, t), t
        assert available_in(c, t, scenarios, [m]) == [t in fixed_point(H, s) for s in scenarios], t


def test_household_example_resilience_is_exact_and_fast():
    G = build_graph(load_file(EXAMPLES / "household.yaml"))
    start = time.perf_counter()
    rows = by_id(resilience(G))
    assert time.perf_counter() - start < 1.0
    # The household is built so that no single loss takes a critical thing.
    assert all(r.k is None or r.k >= 2 for r in rows.values())
    assert rows["mail-anna"].k == 2 and rows["mail-anna"].examples == (("anna-phone", "bitwarden"),)
    assert rows["bank-joint"].examples == (("id-card-anna", "id-card-ben", "bitwarden"),)
    assert rows["bitwarden"].k is None


def test_cli_resilience_text_and_json():
    out = subprocess.run([sys.executable, "-m", "identity_map.cli", "resilience", str(EXAMPLES / "malik.yaml"),
                          "--format", "json"], capture_output=True, text=True, check=True).stdout
    rows = {r["id"]: r for r in json.loads(out)}
    assert rows["microsoft"]["k"] == 2 and rows["microsoft"]["examples"] == [["laptop", "mobile"]]
    assert rows["bitlocker-key"]["examples"] == [["microsoft"]]
    text = subprocess.run([sys.executable, "-m", "identity_map.cli", "resilience", str(EXAMPLES / "malik.yaml")],
                          capture_output=True, text=True, check=True).stdout
    assert "laptop + mobile" in text
