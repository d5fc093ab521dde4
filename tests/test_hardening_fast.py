"""The takeover side of the checklist at 30,000 accounts: its shortcuts equal the plain ways.

- `takeover._Kept` (hardening's "no lockout", read off the scenarios'
  losses when the account is not its own ancestor) against the search over
  the account's ancestors in every scenario; `_Kept.shape` (accounts on no
  cycle with the same sets of terms have one resilience, searched once)
  against the search per account; the hardening items with both against
  those without;
- `takeover.takeover_orders` (every attack's takeover, each started from
  the biggest kept takeover of a thing it takes) against `takeover_of`,
  its order checked to be a derivation, and `TakeoverCheck.without` and
  `added` on such orders against takeovers afresh.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from identity_map.analysis import takeover as takeover_analysis
from identity_map.analysis.engine import compiled, extend
from identity_map.analysis.graph import Dependencies, method_node
from identity_map.analysis.resilience import Without
from identity_map.analysis.selectors import scenario_impact
from identity_map.analysis.takeover import attacker, takeover_of, takeover_orders
from identity_map.checklist import _scope
from identity_map.checklist import takeover as takeover_module
from identity_map.checklist.fixes import apply_change
from identity_map.checklist.rules import Context
from identity_map.checklist.takeover import TakeoverCheck, _Kept, _recovery_at, hardening
from identity_map.format.generate import dump_spec, generate_inventory, random_spec
from identity_map.format.load import load_file, load_text
from test_checklist_fast import additive_changes, scopes

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted((ROOT / "examples").glob("*.yaml")) + sorted((ROOT / "tests" / "fixtures" / "checklist").glob("*.yaml"))
SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FEWER = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


CYCLES = {
    # a recovers by its own mail: that method works with nothing lost, yet never opens a
    "self": "  a: {login: [password + key:k], recovery: [email:a]}\n",
    # a and b recover by each other: losing d takes b's login, and a, without its key, with it
    "pair": "  a: {login: [password + key:k], recovery: [email:b]}\n"
            "  b: {login: [password + device:d], recovery: [email:a]}\n",
    # the same through a third account that b recovers by
    "ring": "  a: {login: [password + key:k], recovery: [email:b]}\n"
            "  b: {login: [password + device:d], recovery: [email:c]}\n  c: {login: [email:a]}\n",
    # b leans on a alone: without its key, a never gets in, and a2, of the same terms, does through a
    "lean": "  a: {login: [key:k], recovery: [email:b]}\n  b: {login: [email:a]}\n"
            "  a2: {login: [key:k], recovery: [email:b]}\n",
}


def cycle(accounts: str):
    return load_text("version: 1\ndevices:\n  k: {kind: security-key}\n  d: {}\naccounts:\n" + accounts)


def inventories(accounts: int = 30):
    """Random inventories, small generated ones (hubs, phones, vaults), the examples and `CYCLES`."""
    return st.one_of(
        st.randoms(use_true_random=False).map(lambda rng: load_text(dump_spec(random_spec(rng)))),
        st.tuples(st.integers(0, 10_000), st.integers(1, 3)).map(
            lambda a: load_text(generate_inventory(accounts=accounts, hubs=a[1], seed=a[0]))),
        st.sampled_from(FILES).map(load_file),
        st.sampled_from(list(CYCLES.values())).map(cycle))


def bases(G) -> list[dict]:
    """The scenarios hardening is given: those of each scope of `scopes`, and after death."""
    ctx = Context(G)
    out = [_scope(ctx, G, lost)[0] for lost in scopes(ctx.inv, G)]
    return out + [_scope(ctx, G, [], after_death=True)[0]]


def plain_kept(c, base, i: int, removed: list[int]) -> bool:
    """The search over i's ancestors in every scenario where i was available."""
    tid = c.ids[i]
    return all(Without(c, tid, removed).available_in([b.scenario for b in base.values() if tid not in b.lost]))


@SETTINGS
@given(inventories(), st.data())
def test_kept_equals_the_search_in_every_scenario(inv, data):
    G = Dependencies(inv)
    c = compiled(G)
    ids = list(inv.things)
    picked = data.draw(st.lists(st.lists(st.sampled_from(ids), min_size=1, max_size=3), max_size=6))
    scenarios = {tuple(s): scenario_impact(G, s) for s in picked}
    owners = [i for i, ms in enumerate(c.methods_of) if ms]
    if not owners:
        return
    i = data.draw(st.sampled_from(owners))
    removed = data.draw(st.lists(st.sampled_from(c.methods_of[i]), unique=True))
    for base in (scenarios, *bases(G)):
        got = _Kept(c, base)(i, removed)
        if got is not None:
            assert got == plain_kept(c, base, i, removed), (c.ids[i], removed)


@pytest.mark.parametrize("name", CYCLES)
def test_kept_leaves_an_account_on_a_cycle_to_the_search(name):
    inv = cycle(CYCLES[name])
    G = Dependencies(inv)
    c = compiled(G)
    base = {(x,): scenario_impact(G, [x]) for x in ("k", "d")}
    a = c.index["a"]
    login = c.methods_of[a][:1]
    assert not plain_kept(c, base, a, login)  # without its login, a is lost with nothing or with d
    assert _Kept(c, base)(a, login) is None


@SETTINGS
@given(inventories(), st.data())
def test_accounts_of_one_shape_have_one_resilience(inv, data):
    c = compiled(Dependencies(inv))
    kept = _Kept(c, {})
    owners = [i for i, ms in enumerate(c.methods_of) if ms]
    if not owners:
        return
    by_shape: dict = {}
    drawn = [(i, data.draw(st.lists(st.sampled_from(c.methods_of[i]), unique=True)))
             for i in data.draw(st.lists(st.sampled_from(owners), max_size=6))]
    for i, removed in [(i, [m]) for i in owners for m in c.methods_of[i]] + drawn:
        shape = kept.shape(i, removed)
        if shape is not None:
            after = Without(c, c.ids[i], removed)
            row = after.row()
            by_shape.setdefault(shape, set()).add((row.k, row.examples, after.drops(row)))
    assert all(len(answers) == 1 for answers in by_shape.values()), by_shape


def test_an_account_on_a_cycle_has_no_shape():
    c = compiled(Dependencies(cycle(CYCLES["lean"])))
    kept = _Kept(c, {})
    a, a2 = c.index["a"], c.index["a2"]
    assert kept.shape(a, c.methods_of[a][:1]) is None
    assert kept.shape(a2, c.methods_of[a2][:1]) is not None
    assert Without(c, "a", c.methods_of[a][:1]).row().k == 0 and Without(c, "a2", c.methods_of[a2][:1]).row().k == 1


def test_many_sms_recoveries_share_a_shape():
    inv = load_text(generate_inventory(accounts=300, hubs=3, seed=1))
    c = compiled(Dependencies(inv))
    kept = _Kept(c, {})
    shapes = [kept.shape(c.index[t.id], [c.methods_of[c.index[t.id]][_recovery_at(t) + k]])
              for t in inv.of_kind("account") for k, m in enumerate(t.recovery)
              if any(x.kind == "sms" for x in m.terms)]
    assert shapes.count(None) < len(shapes) / 4
    assert len(set(shapes)) < 0.7 * len(shapes)  # the resilience searched once per shape, not per account


def test_kept_answers_most_sms_recoveries_of_a_generated_inventory():
    inv = load_text(generate_inventory(accounts=300, hubs=3, seed=1))
    G = Dependencies(inv)
    c = compiled(G)
    base = bases(G)[0]
    kept = _Kept(c, base)
    answers = []
    for t in inv.of_kind("account"):
        i = c.index[t.id]
        for k, method in enumerate(t.recovery):
            if any(x.kind == "sms" for x in method.terms):
                removed = [m for m in c.methods_of[i] if c.m_node[m] == f"{t.id}#recovery{k}"]
                got = kept(i, removed)
                if got is not None:
                    assert got == plain_kept(c, base, i, removed), t.id
                answers.append(got)
    assert answers.count(None) < len(answers) / 4
    assert True in answers and False in answers


def plain_hardening(monkeypatch) -> None:
    """Hardening as it was: every lockout check and every resilience by the search."""
    monkeypatch.setattr(takeover_module._Kept, "__call__", lambda self, i, removed: None)
    monkeypatch.setattr(takeover_module._Kept, "shape", lambda self, i, removed: None)


def both_hardenings(inv) -> tuple[list, list]:
    G = Dependencies(inv)
    fast = [hardening(G, base) for base in bases(G)]
    with pytest.MonkeyPatch.context() as m:
        plain_hardening(m)
        plain = [hardening(G, base) for base in bases(G)]
    return fast, plain


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_hardening_equals_the_plain_one_on_the_examples(path):
    fast, plain = both_hardenings(load_file(path))
    assert fast == plain


@FEWER
@given(st.integers(0, 10_000), st.integers(1, 4))
def test_hardening_equals_the_plain_one_on_generated_inventories(seed, hubs):
    fast, plain = both_hardenings(load_text(generate_inventory(accounts=120, hubs=hubs, seed=seed)))
    assert fast == plain
    assert any(fast)


@FEWER
@given(st.randoms(use_true_random=False))
def test_hardening_equals_the_plain_one_on_random_inventories(rng):
    fast, plain = both_hardenings(load_text(dump_spec(random_spec(rng))))
    assert fast == plain


# -- Takeovers that share ------------------------------------------------------------------


def assert_a_derivation(c, gained: tuple[str, ...], order: dict[int, int]) -> None:
    """`order` numbers T(gained) as `takeover_of` takes it, each thing not
    gained after the terms of a usable method of it."""
    a = attacker(c)
    assert set(order) == {c.index[t] for t in takeover_of(c, gained).taken}, gained
    assert len(set(order.values())) == len(order)
    for x, k in order.items():
        if c.ids[x] not in gained:
            assert any(a.usable(m) and all(order.get(t, k) < k for t in c.m_targets[m]) for m in c.methods_of[x]), \
                (gained, c.ids[x])


@SETTINGS
@given(inventories(), st.data(), st.sampled_from([1, 2, 256]))
def test_takeover_orders_are_the_takeovers_in_a_derivation_order(inv, data, shared):
    c = compiled(Dependencies(inv))
    check_gains = [g for _, g in TakeoverCheck(c, inv).attacks]
    ids = list(inv.things)
    drawn = data.draw(st.lists(st.lists(st.sampled_from(ids), min_size=1, max_size=3, unique=True).map(
        lambda g: tuple(sorted(g))), max_size=8))
    with pytest.MonkeyPatch.context() as m:
        m.setattr(takeover_analysis, "SHARED", shared)
        orders = takeover_orders(c, check_gains + drawn)
    assert list(orders) == list(dict.fromkeys(check_gains + drawn))
    for gained, order in orders.items():
        assert_a_derivation(c, gained, order)


@SETTINGS
@given(inventories(), st.data())
def test_a_check_on_shared_takeovers_rederives_and_grows_them_as_afresh(inv, data):
    with pytest.MonkeyPatch.context() as m:
        m.setattr(takeover_analysis, "SHARED", 1)  # every takeover of one thing shared, numbers below zero
        check = TakeoverCheck(compiled(Dependencies(inv)), inv)
    c = check.c
    owners = [i for i, ms in enumerate(c.methods_of) if ms]
    if owners:
        owner = data.draw(st.sampled_from(owners))
        removed = data.draw(st.lists(st.sampled_from(c.methods_of[owner]), min_size=1, unique=True))
        for _, gained in check.attacks:
            assert check.without(gained, owner, removed) == \
                check.before[gained] - takeover_of(c, gained, unusable=removed).taken, gained
    changed = apply_change(inv, data.draw(additive_changes(inv)))
    assert check.added(extend(c, changed)) == check._afresh(compiled(Dependencies(changed)))


def test_takeover_orders_share_the_mailboxes_of_a_generated_inventory(monkeypatch):
    inv = load_text(generate_inventory(accounts=400, hubs=3, seed=2))
    c = compiled(Dependencies(inv))
    gains = [g for _, g in TakeoverCheck(c, inv).attacks]
    chained = []
    real = takeover_analysis._chain
    monkeypatch.setattr(takeover_analysis, "_chain", lambda c, taken, order, queue, *rest: (
        real(c, taken, order, queue, *rest), chained.append(len(queue))))
    orders = takeover_orders(c, gains)
    # Far fewer things chained than taken: the mailboxes' takeover is chained once.
    assert sum(chained) < sum(map(len, orders.values())) / 2
    monkeypatch.undo()
    for gained in gains:
        assert_a_derivation(c, gained, orders[gained])


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_recovery_at_numbers_the_recoveries_as_the_method_nodes(path):
    inv = load_file(path)
    c = compiled(Dependencies(inv))
    for t in inv:
        mine = c.methods_of[c.index[t.id]]
        for k in range(len(t.recovery)):
            assert c.m_node[mine[_recovery_at(t) + k]] == method_node(t.id, "recovery", k)
