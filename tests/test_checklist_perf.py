"""The checklist's shortcuts equal the plain computations they replaced.

`TakeoverCheck.added` runs only the attacks a change's new methods can
open, `TakeoverCheck.without` shortcuts or rederives a takeover with a
method removed, `Context.held_only_in` and `_grouped_in` read indexes:
each is compared here with the plain way (a takeover afresh per attack, a
scan of the inventory) on random and generated inventories. The whole
checklist against rebuilt graphs is `test_checklist_fast`.
"""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from identity_map.analysis.engine import compiled, extend
from identity_map.analysis.graph import build_graph, inventory_of
from identity_map.analysis.takeover import takeover_of
from identity_map.checklist import _grouped_in
from identity_map.checklist.fixes import apply_change
from identity_map.checklist.model import FIX, Item, T
from identity_map.checklist.rules import Context
from identity_map.checklist.takeover import TakeoverCheck
from identity_map.format.generate import dump_spec, generate_inventory, random_spec
from identity_map.format.load import load_text
from test_checklist_fast import additive_changes

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def inventories():
    """Random inventories, and small generated ones (mail hubs, phones, vaults)."""
    return st.one_of(
        st.randoms(use_true_random=False).map(lambda rng: load_text(dump_spec(random_spec(rng)))),
        st.tuples(st.integers(0, 10_000), st.integers(1, 3)).map(
            lambda a: load_text(generate_inventory(accounts=25, hubs=a[1], seed=a[0]))))


@SETTINGS
@given(inventories(), st.data())
def test_only_the_attacks_a_change_can_open_are_run_and_they_agree_with_afresh(inv, data):
    check = TakeoverCheck(compiled(build_graph(inv)), inv)
    change = data.draw(additive_changes(inv))
    changed = apply_change(inv, change)
    grown = check.added(extend(check.c, changed))
    assert grown == check._afresh(compiled(build_graph(changed)))
    # the reference itself: every attack afresh on the rebuilt graph
    rebuilt = compiled(build_graph(changed))
    plain = []
    for key, gained in check.attacks:
        new = takeover_of(rebuilt, gained).taken - takeover_of(check.c, gained).taken
        if new:
            plain.append((key, gained, tuple(t for t in changed.things if t in new)))
    assert [(o.preset, o.gained, o.added) for o in grown] == plain


@SETTINGS
@given(inventories(), st.data())
def test_a_takeover_without_a_method_equals_one_afresh(inv, data):
    c = compiled(build_graph(inv))
    check = TakeoverCheck(c, inv)
    owners = [i for i, ms in enumerate(c.methods_of) if ms]
    if not owners or not check.attacks:
        return
    owner = data.draw(st.sampled_from(owners))
    removed = data.draw(st.lists(st.sampled_from(c.methods_of[owner]), min_size=1, unique=True))
    for key, gained in check.attacks:
        expected = check.before[gained] - takeover_of(c, gained, unusable=removed).taken
        assert check.without(gained, owner, removed) == expected, (key, gained, c.ids[owner])
    assert [a for a in check.attacks if c.ids[owner] in check.before[a[1]]] == check.taking(owner)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 4))
def test_held_only_in_equals_the_scan(seed, hubs):
    inv = load_text(generate_inventory(accounts=60, hubs=hubs, seed=seed))
    ctx = Context(build_graph(inv))
    holder_sets = {tuple(d.copies) for d in inv.of_kind("data")} | {("nothing-holds-this",)}
    for holders in holder_sets:
        want = set(holders)
        plain = [d.id for d in inv.of_kind("data") if set(d.copies) == want
                 and not [u for u in ctx.referenced.get(d.id, []) if u != d.id]]
        assert ctx.held_only_in(holders) == plain
        assert ctx.held_only_in(tuple(reversed(holders))) == plain


def plain_grouped_in(items, extra):
    out = list(items)
    for item in extra:
        at = max((n for n, i in enumerate(out) if i.group == item.group), default=len(out) - 1)
        out.insert(at + 1, item)
    return out


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from("abcd"), max_size=8), st.lists(st.sampled_from("abcdef"), max_size=6))
def test_grouped_in_equals_inserting_one_by_one(groups, extra_groups):
    def item(n, group):
        return Item(f"i{n}", FIX, "r", group, group, T("x"), T("y"))

    items = [item(n, g) for n, g in enumerate(groups)]
    extra = [item(100 + n, g) for n, g in enumerate(extra_groups)]
    assert _grouped_in(items, extra) == plain_grouped_in(items, extra)
    random.Random(len(groups)).shuffle(items)
    assert _grouped_in(items, extra) == plain_grouped_in(items, extra)
