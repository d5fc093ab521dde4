"""The inventory generator used by the property tests and the benchmark."""

from __future__ import annotations

import random

from identity_map.format.model import RESERVED

import networkx as nx
import pytest

from identity_map.analysis import engine
from identity_map.format.generate import dump_spec, generate_inventory, random_spec
from identity_map.analysis.graph import build_graph
from identity_map.format.load import load_text
from identity_map.analysis.validate import validate_text


def test_deterministic_by_seed():
    assert generate_inventory(accounts=200, hubs=3, seed=7) == generate_inventory(accounts=200, hubs=3, seed=7)
    assert generate_inventory(accounts=200, hubs=3, seed=7) != generate_inventory(accounts=200, hubs=3, seed=8)
    assert dump_spec(random_spec(random.Random(3))) == dump_spec(random_spec(random.Random(3)))


@pytest.mark.parametrize("accounts,hubs", [(1, 1), (12, 1), (60, 2), (400, 4), (1600, 10)])
def test_valid_with_the_asked_number_of_accounts(accounts, hubs):
    text = generate_inventory(accounts=accounts, hubs=hubs, seed=accounts)
    checked = validate_text(text, "generated.yaml")
    assert checked.errors == []
    inv = checked.inventory
    # Small requests still get the infrastructure every account leans on.
    n = len(inv.of_kind("account"))
    assert n == accounts if accounts >= 12 else n >= accounts
    for kind in ("device", "place", "phone", "data", "purchase"):
        assert inv.of_kind(kind), kind
    assert sum(t.critical for t in inv) >= hubs


def test_the_default_shape():
    inv = load_text(generate_inventory())
    accounts = inv.of_kind("account")
    assert len(accounts) == 3000
    hubs = [t for t in accounts if t.subkind == "email" and t.critical]
    assert len(hubs) == 5
    hub_ids = {t.id for t in hubs}
    leaning = [t for t in accounts if t.id not in hub_ids and any(m.targets & hub_ids for m in t.methods)]
    assert len(leaning) > 0.5 * len(accounts)  # most others sign in with or recover through a hub
    assert len(inv.of_kind("data")) >= 300 and len(inv.of_kind("purchase")) >= 300
    assert any(t.needs for t in inv.of_kind("data"))


def test_cycles_live_and_dead():
    G = build_graph(load_text(generate_inventory(accounts=1500, hubs=3, seed=1)))
    things = nx.DiGraph()
    for node, data in G.nodes(data=True):
        if data["type"] == "method":
            for target in G.predecessors(node):
                things.add_edge(target, data["owner"])
    cycles = [c for c in nx.strongly_connected_components(things) if len(c) > 1]
    assert cycles  # the hubs recover through each other, pairs of accounts too
    available = engine.fixed_point(G)
    assert any(c <= available for c in cycles)  # harmless loops
    assert {"old-forum-0-a", "old-forum-0-b"}.isdisjoint(available)  # a dead loop, as in real life


def test_random_specs_load_in_any_size():
    for seed in range(200):
        spec = random_spec(random.Random(seed), max_accounts=8)
        inv = load_text(dump_spec(spec))
        assert [t.id for t in inv if t.id not in RESERVED] == [tid for members in spec.values() for tid in members]
