"""The shortcuts that took the checklist at 30,000 accounts from 16.8 s toward 10 s equal the plain ways.

- `Context.propose`: a candidate an earlier scenario proposed is not built
  again; the checklist equals the one whose rules build every candidate
  in every scenario (the builder kept the first anyway);
- `resilience.raised` (a change's resilience gain, tested on the minimal
  sets before it, searched only when none of them kills any more) against
  both searches and `improves`;
- `resilience.Without.drops` (hardening's "no easier to lose") against the
  search to k with the method back;
- `fixes._with` against `dataclasses.replace`, `_Layer.flat` against `list`,
  `Context.pages` (once per site) and `users_of`/`replace_everywhere` (once
  per tuple of terms) against the plain ways;
- the whole inventory's scope from the necessity masks (`engine.single_losses`)
  against `rank` and one `scenario_impact` per row, with small chunks too,
  and one scenario's advice row (`engine.tally`) against its summary;
- the check of every fix at once, which skips the scenarios whose losses
  no new method can change (`engine._may_differ`), against `impact_of` on
  the changed form.

`test_checklist_fast` compares the whole checklist with rebuilt graphs and
plain searches (its slow path patches `raised` too).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from identity_map.analysis import engine
from identity_map.analysis.engine import (_Layer, _may_differ, changes_rederived, compiled, extend, flattened, impact,
                                          impact_of, rank, single_losses)
from identity_map.analysis.graph import Dependencies, build_graph
from identity_map.analysis.resilience import Without, compiled_resilience, improves, raised
from identity_map.analysis.selectors import scenario_impact
from identity_map.checklist import FIX, _scope, build_checklist
from identity_map.checklist.fixes import _with, apply_change, edited
from identity_map.checklist.fixes import AddMethod
from identity_map.checklist.rules import Context, replace
from identity_map.checklist.sites import pages_text
from identity_map.format.generate import dump_spec, generate_inventory, random_spec
from identity_map.format.load import load_file, load_text
from identity_map.format.model import Method, Term
from test_checklist_fast import additive_changes, scopes, snapshot

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted((ROOT / "examples").glob("*.yaml")) + sorted((ROOT / "tests" / "fixtures" / "checklist").glob("*.yaml"))
SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FEWER = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def inventories(accounts: int = 30):
    """Random inventories, small generated ones (hubs, phones, vaults) and the examples."""
    return st.one_of(
        st.randoms(use_true_random=False).map(lambda rng: load_text(dump_spec(random_spec(rng)))),
        st.tuples(st.integers(0, 10_000), st.integers(1, 3)).map(
            lambda a: load_text(generate_inventory(accounts=accounts, hubs=a[1], seed=a[0]))),
        st.sampled_from(FILES).map(load_file))


# -- Proposing once -------------------------------------------------------------------


def every_candidate_built(monkeypatch) -> None:
    """The rules as they were: every scenario builds each candidate it proposes."""
    monkeypatch.setattr(Context, "propose", lambda self, cid, make: make())


def both(inv, scopes_of) -> tuple[list, list]:
    once = [snapshot(build_checklist(Dependencies(inv), lost), inv) for lost in scopes_of]
    with pytest.MonkeyPatch.context() as m:
        every_candidate_built(m)
        every = [snapshot(build_checklist(Dependencies(inv), lost), inv) for lost in scopes_of]
    return once, every


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_proposing_once_gives_the_checklist_of_building_every_candidate(path):
    inv = load_file(path)
    once, every = both(inv, scopes(inv, build_graph(inv)))
    assert once == every
    death = [snapshot(build_checklist(Dependencies(inv), [], after_death=True), inv)]
    with pytest.MonkeyPatch.context() as m:
        every_candidate_built(m)
        assert death == [snapshot(build_checklist(Dependencies(inv), [], after_death=True), inv)]


@settings(max_examples=4, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 5))
def test_proposing_once_on_generated_inventories(seed, hubs):
    inv = load_text(generate_inventory(accounts=150, hubs=hubs, seed=seed))
    once, every = both(inv, scopes(inv, build_graph(inv)))
    assert once == every and once[0][0]  # the whole inventory's checklist has items


@FEWER
@given(st.randoms(use_true_random=False), st.data())
def test_proposing_once_on_random_inventories(rng, data):
    inv = load_text(dump_spec(random_spec(rng)))
    lost = data.draw(st.lists(st.sampled_from(list(inv.things)), max_size=3, unique=True))
    once, every = both(inv, [None, lost])
    assert once == every


def test_a_candidate_proposed_by_many_scenarios_is_built_once(monkeypatch):
    """The vault's offline copy, proposed by every account that signs in
    with the vault's password in every scenario that loses it, is built once."""
    inv = load_text(generate_inventory(accounts=120, hubs=3, seed=1))
    asked: list[str] = []
    built: list[str] = []
    plain = Context.propose

    def counting(self, cid, make):
        asked.append(cid)

        def made():
            built.append(cid)
            return make()
        return plain(self, cid, made)

    monkeypatch.setattr(Context, "propose", counting)
    items = build_checklist(Dependencies(inv), None)
    vault = [i.id for i in items if i.rule == "vault-offline"]
    assert vault and asked.count(vault[0]) > 5 and built.count(vault[0]) == 1
    assert len(built) < len(asked)


# -- Resilience shortcuts ---------------------------------------------------------------


@SETTINGS
@given(inventories(), st.data(), st.integers(1, 3))
def test_raised_equals_both_searches_and_improves(inv, data, max_k):
    c = compiled(build_graph(inv))
    x = extend(c, apply_change(inv, data.draw(additive_changes(inv))))
    for t in (t for t in inv if t.critical):
        before = compiled_resilience(c, t.id, max_k)
        after = compiled_resilience(x, t.id, max_k)
        assert raised(x, t.id, before) == (after if improves(before.k, after.k) else None), t.id


@SETTINGS
@given(inventories(), st.data())
def test_drops_equals_the_search_to_k_with_the_methods_back(inv, data):
    c = compiled(build_graph(inv))
    owners = [i for i, ms in enumerate(c.methods_of) if ms]
    if not owners:
        return
    i = data.draw(st.sampled_from(owners))
    removed = data.draw(st.lists(st.sampled_from(c.methods_of[i]), unique=True))
    after = Without(c, c.ids[i], removed)
    row = after.row()
    plain = row.k is not None and improves(row.k, compiled_resilience(c, c.ids[i]).k)
    assert after.drops(row) == plain
    if row.k:  # hardening's search to k, which `drops` replaced
        assert plain == (compiled_resilience(c, c.ids[i], row.k).k is None)


# -- Small pieces ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_with_equals_dataclasses_replace(path):
    extra = Method((Term("password", "memory"),))
    for t in load_file(path):
        for role in ("login", "recovery", "unlock", "legacy"):
            changes = {role: getattr(t, role) + (extra,), "copies": t.copies + ("x",)}
            assert _with(t, **changes) == dataclasses.replace(t, **changes)
            assert _with(t, **changes) != t


@pytest.mark.parametrize("inv", [load_file(p) for p in FILES] + [load_text(generate_inventory(accounts=200, hubs=3, seed=4))],
                         ids=[p.name for p in FILES] + ["generated"])
def test_the_rules_lookups_made_once_equal_the_plain_ones(inv):
    ctx = Context(Dependencies(inv))
    accounts = [t.id for t in inv.of_kind("account")]
    assert all(ctx.pages(ctx.support(a)) == pages_text(ctx.support(a)) for a in accounts)
    terms = {term for t in inv for m in t.methods for term in m.terms}
    for term in terms:
        assert ctx.users_of(term) == [t.id for t in inv if any(term in m.terms for m in t.methods)], term
        new = Term("password", "memory")
        assert ctx.replace_everywhere(term, new) == tuple(
            AddMethod(t.id, role, replace(m, term, new)) for t in inv if t.id in ctx.referenced.get(term.target, [])
            for role in ("login", "recovery") for m in getattr(t, role) if term in m.terms), term
    assert any(ctx.users_of(term) for term in terms)


@given(st.lists(st.integers()), st.lists(st.integers()), st.dictionaries(st.integers(0, 30), st.integers()))
def test_layer_flat_equals_reading_it_through(base, tail, sets):
    original = list(base)
    layer = _Layer(base, list(tail))
    for i, value in sets.items():
        if i < len(layer):
            layer[i] = value
    assert layer.flat() == list(layer) and base == original


# -- The scope from the masks ---------------------------------------------------------------


def plain_scope(G) -> tuple[dict, list]:
    """The whole inventory's scope as it was built: `rank`, then one `scenario_impact` per row."""
    rows = rank(G)
    return ({(r.id,): scenario_impact(G, (r.id,)) for r in rows if r.lost > 0},
            [(r.id, r.critical_lost) for r in rows if r.kind == "account" and r.critical_lost])


def check_scope(inv) -> None:
    G = Dependencies(inv)
    rows = [r for r in rank(G) if r.lost or r.critical_lost]
    losses = single_losses(G)
    assert [i for i, _, _ in losses] == [r.id for r in rows]
    for (i, lost, critical), r in zip(losses, rows):
        assert lost == impact(G, [i]).lost and len(lost) == r.lost + 1 and critical == r.critical_lost, i
    scope, advice_rows = _scope(Context(G), G, None)
    plain, plain_rows = plain_scope(G)
    assert list(scope) == list(plain) and advice_rows == plain_rows
    assert all(scope[s] == plain[s] for s in plain)  # scenario, lost, selectors, the same compiled form
    for lost in scopes(inv, G)[1:]:  # one scenario: its advice row names the critical things of its summary
        one, rows = _scope(Context(G), G, lost)
        (only,) = one.values()
        critical = only.summary.critical_lost
        assert [crit for _, crit in rows] == ([critical] if critical and any(
            inv[i].kind == "account" for i in only.scenario) else [])


@SETTINGS
@given(inventories(), st.integers(1, 3))
def test_the_scope_from_the_masks_is_rank_and_one_impact_per_row(inv, chunk):
    check_scope(inv)
    with pytest.MonkeyPatch.context() as m:  # many chunks: all but the first look downstream of theirs only
        m.setattr(engine, "CHUNK", chunk)
        check_scope(inv)


@pytest.mark.parametrize("seed", [0, 1])
def test_the_scope_from_the_masks_on_generated_inventories(seed):
    inv = load_text(generate_inventory(accounts=300, hubs=3, seed=seed))
    check_scope(inv)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(engine, "CHUNK", 16)
        check_scope(inv)
    assert len(plain_scope(Dependencies(inv))[0]) > 16


# -- The check of every fix at once -------------------------------------------------------------


def rederived_plainly(x, before) -> tuple[frozenset, frozenset]:
    """(saved, worse) of `before`'s scenario on the changed form x, by `impact_of` on x."""
    c = before.compiled
    old = frozenset(t for t in impact_of(x, before.scenario).lost if t in c.index)
    return before.lost - old, old - before.lost


@SETTINGS
@given(inventories(), st.data())
def test_a_scenario_no_new_method_can_change_fares_as_before(inv, data):
    G = build_graph(inv)
    c = compiled(G)
    x = extend(c, apply_change(inv, data.draw(additive_changes(inv))))
    for tid in inv.things:
        before = impact(G, [tid])
        plain = rederived_plainly(x, before)
        assert changes_rederived(x, before) == plain, tid
        if not _may_differ(x.extension, before.lost_indices, {c.index[tid]}):
            assert plain == (frozenset(), frozenset()), tid


def test_the_check_of_every_fix_at_once_skips_only_scenarios_it_cannot_change():
    inv = load_text(generate_inventory(accounts=150, hubs=3, seed=2))
    G = Dependencies(inv)
    items = build_checklist(G, None)
    every = tuple(op for item in items if item.kind == FIX for op in item.change)
    c = compiled(G)
    x = flattened(extend(c, edited(inv, every)))
    skipped = 0
    for s in items.scenarios:
        before = scenario_impact(G, s)
        assert changes_rederived(x, before) == rederived_plainly(x, before), s
        skipped += not _may_differ(x.extension, before.lost_indices, {c.index[i] for i in before.scenario})
    assert 0 < skipped < len(items.scenarios)
