"""The checklist's fast path equals the slow one it replaced.

The checklist verifies each proposed change without rebuilding the graph:
`engine.extend` grows the compiled form of the changed inventory from the
original's, `engine.lost_after` grows each scenario's fixed point from its
impact before the change, and `resilience.compiled_resilience` searches the
extended form. Here every one of them is compared with the rebuild path
(`build_graph(apply_change(...))` then `impact` / `thing_resilience`), on
random inventories with random additive changes and on generated ones with
the changes the rules propose; and `build_checklist` itself, run with the
rebuild path patched in, gives exactly the same checklist on every example
and fixture.
"""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path

import pytest

from identity_map.analysis.selectors import select
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from identity_map import checklist as checklist_module
from identity_map.checklist import build_checklist, export
from identity_map.checklist.rules import Context, rules
from identity_map.analysis.engine import changes_after, changes_rederived, compiled, extend, impact, impact_of, lost_after, rank
from identity_map.checklist.fixes import AddCopy, AddMethod, AddThing, apply_change, edited
from identity_map.format.generate import dump_spec, generate_inventory, random_spec
from identity_map.analysis.graph import build_graph, inventory_of
from identity_map.format.load import load_file, load_text
from identity_map.format.model import LOSABLE_KINDS, ROOT_KINDS, TERM_KINDS, Method, Term, Thing
from identity_map.analysis.resilience import compiled_resilience, improves, thing_resilience
from identity_map.analysis.scenarios import HOUSE_FIRE, default_pick, selectors

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted((ROOT / "examples").glob("*.yaml")) + sorted((ROOT / "tests" / "fixtures" / "checklist").glob("*.yaml"))

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FEWER = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# -- What the slow path computes, and the comparison ------------------------


def same_compiled(fast, slow) -> None:
    """`fast` (from extend) and `slow` (from a rebuilt graph) hold the same
    inventory and baseline. Method numbers may differ (extend appends new
    methods), so methods are compared by their node names; the derivation
    order may differ too, so it is checked for being well-founded."""
    assert fast.ids == slow.ids and fast.index == slow.index and fast.things == slow.things
    assert fast.inventory.things == slow.inventory.things
    for name in ("is_root", "is_critical", "is_purchase", "base_avail", "unreachable_count"):
        assert getattr(fast, name) == getattr(slow, name), name
    assert fast.login_only.base_avail == slow.login_only.base_avail

    def methods(c):
        return {c.m_node[m]: (c.m_owner[m], c.m_login[m], c.m_targets[m], c.base_works[m])
                for m in range(len(c.m_owner))}

    assert methods(fast) == methods(slow)
    for c in (fast, slow):
        assert len(c.m_node) == len(set(c.m_node)) == len(c.m_owner) == len(c.m_targets) == len(c.supports)
        assert [sorted(c.m_node[m] for m in ms) for ms in c.users] == \
            [sorted(c.m_node[m] for m in range(len(c.m_owner)) if t in c.m_targets[m]) for t in range(len(c.ids))]
        assert [sorted(ms) for ms in c.methods_of] == \
            [[m for m in range(len(c.m_owner)) if c.m_owner[m] == o] for o in range(len(c.ids))]
        available = [i for i, a in enumerate(c.base_avail) if a]
        assert sorted(c.order[i] for i in available) == list(range(len(available)))
        assert all(c.order[i] == -1 for i, a in enumerate(c.base_avail) if not a)
        for m, ok in enumerate(c.supports):
            assert ok == (c.base_works[m] and all(c.order[t] < c.order[c.m_owner[m]] for t in c.m_targets[m]))
        assert c.support_count == [sum(c.supports[m] for m in ms) for ms in c.methods_of]
        assert all(c.support_count[i] > 0 for i in available if not c.is_root[i])


def check_change(G, change, scenarios) -> None:
    """The fast path on `change` equals the rebuild path, for the compiled
    form, every scenario and the resilience of every critical thing."""
    inv2 = apply_change(inventory_of(G), change)
    G2 = build_graph(inv2)
    fast = extend(compiled(G), inv2)
    same_compiled(fast, compiled(G2))
    # What the checklist verifies with: the edits over the inventory, read without comparing every thing.
    same_compiled(extend(compiled(G), edited(inventory_of(G), change)), compiled(G2))
    for s in scenarios:
        slow = impact(G2, s)
        assert impact_of(fast, s).statuses == slow.statuses
        assert lost_after(fast, impact(G, s)) == slow.lost
        old = {t for t in slow.lost if t in inventory_of(G).things}
        assert changes_after(fast, impact(G, s)) == (impact(G, s).lost - old, old - impact(G, s).lost)
        assert changes_rederived(fast, impact(G, s)) == changes_after(fast, impact(G, s))
        # The scenario takes the new things too (a backup disk added at the site that burns).
        added = [t for t in inv2.things if t not in inventory_of(G).things]
        old = {t for t in impact(G2, [*s, *added]).lost if t in inventory_of(G).things}
        expected = (impact(G, s).lost - old, old - impact(G, s).lost)
        assert changes_rederived(fast, impact(G, s), added) == changes_after(fast, impact(G, s), added) == expected
    for t in inv2:
        if t.critical:
            assert compiled_resilience(fast, t.id, 2) == thing_resilience(G2, t.id, 2)


# -- Random additive changes --------------------------------------------------


@st.composite
def additive_changes(draw, inv, prefix: str = "new"):
    """A change of 1..5 operations of every kind `fixes` has: new places,
    devices and accounts (with methods, possibly naming each other), copies
    of data items, login and recovery methods naming old and new things."""
    pool = list(inv.things)
    kind_of = {t.id: t.kind for t in inv}

    def method():
        targets = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=3))
        return Method(tuple(dict.fromkeys(
            Term(draw(st.sampled_from([k for k, (_, kinds) in TERM_KINDS.items() if kind_of[t] in kinds])), t)
            for t in targets)))

    ops = []
    for n in range(draw(st.integers(1, 5))):
        op = draw(st.sampled_from(["thing", "copy", "method"]))
        if op == "thing":
            kind = draw(st.sampled_from(["place", "device", "account"]))
            tid = f"{prefix}{n}"
            pool.append(tid)
            kind_of[tid] = kind
            login = tuple(method() for _ in range(draw(st.integers(0, 2)))) if kind == "account" else ()
            recovery = tuple(method() for _ in range(draw(st.integers(0, 1)))) if kind == "account" else ()
            ops.append(AddThing(Thing(id=tid, kind=kind, name=f"New {kind}", login=login, recovery=recovery,
                                      critical=draw(st.booleans()))))
        elif op == "copy" and [t for t in pool if kind_of[t] == "data"]:
            data = draw(st.sampled_from([t for t in pool if kind_of[t] == "data"]))
            holder = draw(st.sampled_from([t for t in pool if kind_of[t] in ("account", "device", "place")]))
            ops.append(AddCopy(data, holder))
        else:
            owners = [t for t in pool if kind_of[t] not in ROOT_KINDS]
            ops.append(AddMethod(draw(st.sampled_from(owners)), draw(st.sampled_from(["login", "recovery"])),
                                 method()))
    return tuple(ops)


@SETTINGS
@given(st.randoms(use_true_random=False), st.data())
def test_extend_and_lost_after_equal_a_rebuild_on_random_inventories(rng, data):
    G = build_graph(load_text(dump_spec(random_spec(rng))))
    inv = inventory_of(G)
    change = data.draw(additive_changes(inv))
    ids = list(inv.things)
    scenarios = [[], *(data.draw(st.lists(st.sampled_from(ids), max_size=4, unique=True)) for _ in range(3))]
    check_change(G, change, scenarios)


@FEWER
@given(st.randoms(use_true_random=False), st.data())
def test_an_extension_of_an_extension_equals_a_rebuild(rng, data):
    G = build_graph(load_text(dump_spec(random_spec(rng))))
    inv = inventory_of(G)
    first = apply_change(inv, data.draw(additive_changes(inv)))
    second = apply_change(first, data.draw(additive_changes(first, "more")))
    c1 = extend(compiled(G), first)
    c2 = extend(c1, second)
    G2 = build_graph(second)
    same_compiled(c2, compiled(G2))
    ids = list(inv.things)
    for s in ([], data.draw(st.lists(st.sampled_from(ids), max_size=3, unique=True))):
        assert lost_after(c2, impact_of(c1, s)) == impact(G2, s).lost


@settings(max_examples=6, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 4), st.data())
def test_the_rules_changes_on_generated_inventories(seed, hubs, data):
    """Every change the rules propose for the single losses of a realistic
    inventory, and random additive ones, against the rebuild path."""
    G = build_graph(load_text(generate_inventory(accounts=120, hubs=hubs, seed=seed)))
    inv = inventory_of(G)
    ctx = Context(G)
    losable = [t.id for t in inv if t.kind in LOSABLE_KINDS]
    rows = [r for r in rank(G) if r.lost]
    proposed = {}
    for row in rows[:12]:
        for cand in rules(ctx, impact(G, [row.id])):
            if cand.change:
                proposed.setdefault(cand.id, (cand.change, []))[1].append((row.id,))
    fire = list(selectors(HOUSE_FIRE, inv, default_pick(HOUSE_FIRE, inv, [])))
    rng = random.Random(seed)
    for change, scenarios in list(proposed.values())[:10]:
        check_change(G, change, [*scenarios, fire, rng.sample(losable, 2)])
    check_change(G, data.draw(additive_changes(inv)), [fire, rng.sample(losable, 3)])


def test_extend_follows_a_thing_made_critical():
    """extend keeps the parent's critical flags unless a thing changes its
    own (with no thing added, it shares the parent's list)."""
    G = build_graph(load_text("version: 1\naccounts:\n  a: {login: [password]}\n  b: {login: [email:a]}\n"))
    inv = inventory_of(G)
    c = compiled(G)
    b = inv["b"]
    more = dataclasses.replace(b, critical=True, recovery=(Method((Term("", "memory"),)),))
    changed = dataclasses.replace(inv, things={**inv.things, "b": more})
    x = extend(c, changed)
    same_compiled(x, compiled(build_graph(changed)))
    assert list(x.is_critical) == [False, False, True] and c.is_critical == [False, False, False]
    assert extend(c, edited(inv, (AddMethod("b", "recovery", Method((Term("", "memory"),))),))).is_critical is c.is_critical


def test_extend_refuses_what_is_not_an_addition():
    G = build_graph(load_text("version: 1\naccounts:\n  a: {login: [password]}\n  b: {login: [email:a]}\n"))
    inv = inventory_of(G)
    c = compiled(G)
    fewer = dataclasses.replace(inv, things={k: v for k, v in inv.things.items() if k != "a"})
    with pytest.raises(ValueError):
        extend(c, fewer)
    b = inv["b"]
    other = dataclasses.replace(b, login=(Method((Term("", "memory"),)),))
    replaced = dataclasses.replace(inv, things={**inv.things, "b": other})
    with pytest.raises(ValueError):
        extend(c, replaced)
    with pytest.raises(ValueError):  # lost_after needs an extension of the impact's compiled form
        lost_after(c, impact(G, ["a"]))
    # The parent is never modified.
    before = (list(c.base_avail), [list(u) for u in c.users], [list(m) for m in c.methods_of], list(c.supports))
    box = Thing(id="box", kind="account", name="Box", login=(Method((Term("password", "memory"),)),))
    more = apply_change(inv, (AddThing(box), AddMethod("b", "recovery", Method((Term("email", "box"),)))))
    x = extend(c, more)
    assert (list(c.base_avail), [list(u) for u in c.users], [list(m) for m in c.methods_of], list(c.supports)) == before
    assert lost_after(x, impact(G, ["a"])) == {"a"}  # b recovers through the new mailbox
    assert impact(G, ["a"]).lost == {"a", "b"}


# -- The whole checklist: fast == the rebuild path ----------------------------


def slow_path(monkeypatch) -> None:
    """Make build_checklist verify as it did before the fast path: rebuild
    the graph of each changed inventory, `impact` on it, `thing_resilience`
    on it."""

    def rebuilt(c, inventory):
        G2 = build_graph(inventory)
        c2 = compiled(G2)
        c2.graph = G2
        return c2

    def changes(x, before, _added):
        # The scenario's selectors applied afresh to the whole changed inventory.
        lost = impact(x.graph, select(x.inventory, before.selectors or tuple(before.scenario))).lost
        old = {t for t in lost if t in before.compiled.index}
        return before.lost - old, old - before.lost

    plain = compiled_resilience

    def resilience_of(c, thing_id, max_k=None):
        return thing_resilience(c.graph, thing_id) if hasattr(c, "graph") else plain(c, thing_id)

    monkeypatch.setattr(checklist_module, "extend", rebuilt)
    monkeypatch.setattr(checklist_module, "changes_after", changes)
    monkeypatch.setattr(checklist_module, "changes_rederived", changes)
    monkeypatch.setattr(checklist_module, "compiled_resilience", resilience_of)

    def searched(c_after, thing_id, before):  # both searches, as the gains were found before `raised`
        after = resilience_of(c_after, thing_id)
        return after if improves(before.k, after.k) else None

    monkeypatch.setattr(checklist_module, "raised", searched)


def snapshot(items, inv) -> tuple:
    return (list(items), items.scenarios, items.combined, items.combined_gains, items.whole,
            export(items, "json", inv), export(items, "md", inv))


def scopes(inv, G) -> list:
    """The whole inventory, the worst single loss, the house fire."""
    out = [None]
    rows = rank(G)
    if rows:
        out.append([rows[0].id])
    fire = list(selectors(HOUSE_FIRE, inv, default_pick(HOUSE_FIRE, inv, [])))
    if fire:
        out.append(fire)
    return out


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_checklist_is_the_same_as_with_rebuilt_graphs(path, monkeypatch):
    inv = load_file(path)
    fast = [snapshot(build_checklist(build_graph(inv), lost), inv) for lost in scopes(inv, build_graph(inv))]
    with monkeypatch.context() as m:
        slow_path(m)
        slow = [snapshot(build_checklist(build_graph(inv), lost), inv) for lost in scopes(inv, build_graph(inv))]
    assert fast == slow
    assert any(s[0] for s in fast) or path.name == "quiet.yaml"


@settings(max_examples=3, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 4))
def test_checklist_is_the_same_as_with_rebuilt_graphs_on_generated_inventories(seed, hubs):
    inv = load_text(generate_inventory(accounts=80, hubs=hubs, seed=seed))
    G = build_graph(inv)
    fast = [snapshot(build_checklist(build_graph(inv), lost), inv) for lost in scopes(inv, G)]
    with pytest.MonkeyPatch.context() as m:
        slow_path(m)
        slow = [snapshot(build_checklist(build_graph(inv), lost), inv) for lost in scopes(inv, G)]
    assert fast == slow


@FEWER
@given(st.randoms(use_true_random=False), st.data())
def test_checklist_is_the_same_as_with_rebuilt_graphs_on_random_inventories(rng, data):
    inv = load_text(dump_spec(random_spec(rng)))
    G = build_graph(inv)
    lost = data.draw(st.lists(st.sampled_from(list(inv.things)), max_size=3, unique=True))
    fast = [snapshot(build_checklist(build_graph(inv), s), inv) for s in (None, lost)]
    with pytest.MonkeyPatch.context() as m:
        slow_path(m)
        slow = [snapshot(build_checklist(build_graph(inv), s), inv) for s in (None, lost)]
    assert fast == slow
