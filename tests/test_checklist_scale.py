"""The shortcuts that keep the checklist linear equal the plain ways they replace.

- `graph.ancestors` (the checklist's critical things downstream of a change)
  against `networkx.ancestors` on the drawn graph, legacy methods included;
- `resilience.Without` (one ancestor walk shared by a hardening item's
  derivation, lockout and resilience checks) against each question asked
  alone on the graph rebuilt without the methods;
- hardening's resilience check searched only as far as k without the
  recovery, against both k searched to MAX_K and compared;
- the whole checklist given the undrawn graph (`Dependencies`, as the CLI
  now does) against the drawn one.

The check of every fix at once (`engine.changes_rederived`) is compared
with `changes_after` and a rebuilt graph in `test_checklist_fast`.
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from identity_map.analysis.engine import compiled, fixed_point
from identity_map.analysis.graph import Dependencies, ancestors, build_graph, parse_method_node
from identity_map.analysis.resilience import MAX_K, Without, compiled_resilience, improves, thing_resilience
from identity_map.analysis.scenarios import HOUSE_FIRE, default_pick, selectors
from identity_map.checklist import build_checklist
from identity_map.format.generate import dump_spec, generate_inventory, random_spec
from identity_map.format.load import load_file, load_text
from test_checklist_fast import snapshot
from test_resilience import drawn_way_in

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted((ROOT / "examples").glob("*.yaml")) + sorted((ROOT / "tests" / "fixtures" / "checklist").glob("*.yaml"))
SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def inventories():
    """Random inventories, generated ones (hubs, phones, vaults) and the examples (legacy contacts)."""
    return st.one_of(
        st.randoms(use_true_random=False).map(lambda rng: load_text(dump_spec(random_spec(rng)))),
        st.tuples(st.integers(0, 10_000), st.integers(1, 3)).map(
            lambda a: load_text(generate_inventory(accounts=30, hubs=a[1], seed=a[0]))),
        st.sampled_from(FILES).map(load_file))


@SETTINGS
@given(inventories())
def test_ancestors_are_the_thing_nodes_networkx_finds(inv):
    G = build_graph(inv)
    for tid in inv.things:
        assert ancestors(inv, tid) == {x for x in nx.ancestors(G, tid) if G.nodes[x]["type"] == "thing"}, tid


@SETTINGS
@given(inventories(), st.data())
def test_one_search_without_a_method_answers_as_the_rebuilt_graph(inv, data):
    drawn = drawn_way_in(inv, data, 3)
    if drawn is None:
        return
    c, m, owner, H, scenarios = drawn
    after = Without(c, owner, [m])
    # Asked in the order hardening asks, each answer reusing what the ones before computed.
    used = after.derivation()
    assert (used is None) == (owner not in fixed_point(H))
    if used is not None:  # one derivation: losing everything else leaves it standing
        assert owner in used and owner in fixed_point(H, [x for x in inv.things if x not in used])
    assert after.available_in(scenarios) == [owner in fixed_point(H, s) for s in scenarios]
    assert after.row() == thing_resilience(H, owner) == compiled_resilience(c, owner, skip=[m])


@SETTINGS
@given(inventories(), st.data())
def test_hardenings_resilience_check_equals_both_searches_to_max_k(inv, data):
    c = compiled(build_graph(inv))
    recoveries = [m for m, node in enumerate(c.m_node) if parse_method_node(node)[1] == "recovery"]
    if not recoveries:
        return
    m = data.draw(st.sampled_from(recoveries))
    owner = c.ids[c.m_owner[m]]
    after = Without(c, owner, [m])
    if after.derivation() is None:
        return  # hardening asks only when the account stays reachable without it (k >= 1)
    k = after.row().k
    drops = improves(compiled_resilience(c, owner, skip=[m]).k, compiled_resilience(c, owner).k)
    assert drops == (k is not None and compiled_resilience(c, owner, k).k is None)
    assert k == compiled_resilience(c, owner, MAX_K, skip=[m]).k


def scopes(inv) -> list:
    fire = list(selectors(HOUSE_FIRE, inv, default_pick(HOUSE_FIRE, inv, [])))
    return [None, *([fire] if fire else [])]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_the_checklist_of_the_undrawn_graph_is_the_drawn_ones(path):
    inv = load_file(path)
    for lost in scopes(inv):
        assert snapshot(build_checklist(Dependencies(inv), lost), inv) == \
            snapshot(build_checklist(build_graph(inv), lost), inv)
    after = build_checklist(Dependencies(inv), [], after_death=True)
    assert snapshot(after, inv) == snapshot(build_checklist(build_graph(inv), [], after_death=True), inv)


@settings(max_examples=4, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 5))
def test_the_checklist_of_the_undrawn_graph_is_the_drawn_ones_on_generated_inventories(seed, hubs):
    inv = load_text(generate_inventory(accounts=150, hubs=hubs, seed=seed))
    for lost in scopes(inv):
        assert snapshot(build_checklist(Dependencies(inv), lost), inv) == \
            snapshot(build_checklist(build_graph(inv), lost), inv)
