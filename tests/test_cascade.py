"""The cascade tree: every fallen thing once, under something that fell and that it needs."""

from hypothesis import given, settings, strategies as st

from identity_map.analysis.cascade import cascade
from identity_map.analysis.engine import compiled, impact
from identity_map.analysis.graph import build_graph
from identity_map.format.load import load_text
from identity_map.format.generate import generate_inventory


def walk(trees, parent=None):
    for t in trees:
        yield parent, t
        yield from walk(t.children, t)


def check(G, lost):
    result = impact(G, lost)
    pairs = list(walk(cascade(result)))
    ids = [t.id for _, t in pairs]
    assert len(ids) == len(set(ids)), "a thing appears twice"
    reachable_fallout = result.lost | result.recoverable
    assert set(ids) <= reachable_fallout
    c = result.compiled
    for parent, t in pairs:
        if parent is None:
            assert t.id in result.scenario
        else:
            # the parent is named by one of the child's methods
            assert parent.id in {c.ids[x] for m in c.methods_of[c.index[t.id]] for x in c.m_targets[m]}
        assert t.size == 1 + sum(k.size for k in t.children)
    return result, set(ids)


def test_malik_cascade_reaches_every_lost_thing():
    G = build_graph(load_text(open("examples/malik.yaml").read()))
    result, ids = check(G, ["microsoft"])
    assert ids == set(result.lost | result.recoverable)


def test_a_long_chain_needs_no_recursion():
    n = 5000
    text = "version: 1\naccounts:\n  a0: {}\n" + "".join(f"  a{i}: {{login: [email:a{i - 1}]}}\n" for i in range(1, n))
    G = build_graph(load_text(text))
    (tree,) = cascade(impact(G, ["a0"]))
    assert tree.size == n


@settings(max_examples=25, deadline=None)
@given(st.integers(5, 40), st.integers(0, 10_000), st.integers(1, 3))
def test_generated_inventories(accounts, seed, k):
    G = build_graph(load_text(generate_inventory(accounts=accounts, seed=seed)))
    c = compiled(G)
    lost = [t for t in c.ids if c.things[c.index[t]].kind == "account"][:k]
    check(G, lost)
