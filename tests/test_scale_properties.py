"""Properties of the engine on generated inventories, cycles included.

The fast engine (`impact`: delete-and-rederive from the baseline; `rank`:
the single-loss sweep) must give exactly the statuses computed naively from
two plain least fixed points, whatever the inventory and the scenario.
"""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from identity_map.analysis import engine
from identity_map.analysis.engine import DEGRADED, LOST, OK, RECOVERABLE, UNREACHABLE, fixed_point, impact, rank
from identity_map.format.generate import dump_spec, generate_inventory, random_spec
from identity_map.analysis.graph import build_graph, inventory_of
from identity_map.format.load import load_text
from identity_map.analysis.resilience import resilience

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FEWER = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def graph_of(spec: dict):
    return build_graph(load_text(dump_spec(spec)))


def naive_statuses(G, lost) -> dict[str, str]:
    """The contract (second edition), computed the slow and obvious way from
    four plain fixed points: A and I (login alone), baseline and scenario."""
    base = fixed_point(G)
    now = fixed_point(G, lost)
    base_login = fixed_point(G, login_alone=True)
    now_login = fixed_point(G, lost, login_alone=True)

    def works(method, avail) -> bool:
        return all(t in avail for t in method.targets)

    out = {}
    for t in inventory_of(G):
        if t.id not in base:
            out[t.id] = UNREACHABLE
        elif t.id not in now:
            out[t.id] = LOST
        elif t.id in base_login and t.id not in now_login:
            out[t.id] = RECOVERABLE
        elif any(works(m, base) and not works(m, now) for m in t.login + t.unlock + t.recovery):
            out[t.id] = DEGRADED
        else:
            out[t.id] = OK
    return out


@st.composite
def scenarios(draw, max_lost: int = 4):
    """(spec, G, lost ids) for a random small inventory and a random scenario."""
    spec = random_spec(draw(st.randoms(use_true_random=False)))
    G = graph_of(spec)
    ids = list(inventory_of(G).things)
    lost = draw(st.lists(st.sampled_from(ids), max_size=max_lost, unique=True))
    return spec, G, lost


def shuffled(spec: dict, rng: random.Random) -> dict:
    """The same inventory written in another order: sections, ids, fields,
    methods, the terms inside each method and the copies of data."""

    def mix(items):
        items = list(items)
        rng.shuffle(items)
        return items

    def mix_method(text: str) -> str:
        return " + ".join(mix(text.split(" + ")))

    out = {}
    for section, members in mix(spec.items()):
        new_members = {}
        for tid, fields in mix(members.items()):
            new_fields = {}
            for key, value in mix(fields.items()):
                if key in ("login", "recovery", "unlock", "legacy"):
                    value = [mix_method(m) for m in mix(value)]
                elif key == "needs":
                    value = mix_method(value)
                elif key == "copies":
                    value = mix(value)
                new_fields[key] = value
            new_members[tid] = new_fields
        out[section] = new_members
    return out


# -- impact == the plain fixed point ----------------------------------------


@SETTINGS
@given(scenarios())
def test_impact_statuses_equal_the_plain_fixed_point(case):
    _, G, lost = case
    result = impact(G, lost)
    assert result.statuses == naive_statuses(G, lost)
    assert {i for i, s in result.statuses.items() if s not in (LOST, UNREACHABLE)} == fixed_point(G, lost)


@SETTINGS
@given(st.randoms(use_true_random=False))
def test_rank_is_the_single_loss_sweep_of_the_plain_fixed_point(rng):
    G = graph_of(random_spec(rng))
    for row in rank(G):
        naive = naive_statuses(G, [row.id])
        counted = {s: sum(1 for i, v in naive.items() if v == s and i != row.id) for s in (LOST, RECOVERABLE, DEGRADED)}
        assert (row.lost, row.recoverable, row.degraded) == (counted[LOST], counted[RECOVERABLE], counted[DEGRADED])
        inv = inventory_of(G)
        assert set(row.critical_lost) == {i for i, v in naive.items() if v == LOST and inv[i].critical}


@settings(max_examples=12, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 4), st.randoms(use_true_random=False))
def test_impact_on_realistic_generated_inventories(seed, hubs, rng):
    G = build_graph(load_text(generate_inventory(accounts=120, hubs=hubs, seed=seed)))
    candidates = engine.candidates(G)
    for lost in ([], [rng.choice(candidates)], rng.sample(candidates, 2), rng.sample(candidates, 3)):
        assert impact(G, lost).statuses == naive_statuses(G, lost)


# -- monotonicity, the empty scenario ----------------------------------------


@SETTINGS
@given(scenarios(max_lost=5), st.data())
def test_losing_more_never_loses_less(case, data):
    _, G, lost = case
    ids = list(inventory_of(G).things)
    more = set(lost) | set(data.draw(st.lists(st.sampled_from(ids), max_size=3)))
    small, big = impact(G, lost), impact(G, more)
    assert small.lost <= big.lost
    assert fixed_point(G, more) <= fixed_point(G, lost)


@SETTINGS
@given(st.randoms(use_true_random=False))
def test_the_empty_scenario_is_the_baseline(rng):
    G = graph_of(random_spec(rng))
    result = impact(G, [])
    assert result.lost == result.recoverable == result.degraded == frozenset()
    assert set(result.statuses.values()) <= {OK, UNREACHABLE}
    assert {i for i, s in result.statuses.items() if s == OK} == fixed_point(G)
    assert result.summary.critical_lost == () and result.summary.money_lost == {}


# -- the order of the file never matters -------------------------------------


@FEWER
@given(scenarios(), st.randoms(use_true_random=False))
def test_order_in_the_file_never_changes_a_result(case, rng):
    spec, G, lost = case
    H = graph_of(shuffled(spec, rng))
    assert impact(H, lost).statuses == impact(G, lost).statuses  # dict equality ignores order
    assert fixed_point(H, lost) == fixed_point(G, lost)

    def ranked(graph):
        return {r.id: (r.lost, r.recoverable, r.degraded, r.money_lost, frozenset(r.critical_lost)) for r in rank(graph)}

    assert ranked(H) == ranked(G)

    def resilient(graph):
        return {r.id: (r.k, frozenset(frozenset(s) for s in r.examples)) for r in resilience(graph, max_k=2)}

    assert resilient(H) == resilient(G)


# -- circular support grants nothing -----------------------------------------


def test_two_accounts_that_open_only_each_other_are_both_unreachable():
    G = build_graph(load_text("version: 1\naccounts:\n  a: {login: [email:b]}\n  b: {login: [sso:a], recovery: [a]}\n"
                              "  c: {login: [password + account:a]}\n"))
    assert fixed_point(G) == {"memory"}
    statuses = impact(G, []).statuses
    assert statuses["a"] == statuses["b"] == statuses["c"] == UNREACHABLE
    assert impact(G, ["memory"]).statuses["a"] == UNREACHABLE


@FEWER
@given(st.randoms(use_true_random=False), st.integers(2, 4), st.data())
def test_a_cycle_without_outside_support_stays_unreachable(rng, size, data):
    """Add accounts c0..cN whose methods name only each other (any AND/OR
    shape) to a random inventory, and things that lean on them: nothing in
    the cycle is ever available, in the baseline or in any scenario."""
    spec = random_spec(rng)
    cycle = [f"c{i}" for i in range(size)]
    accounts = spec.setdefault("accounts", {})
    for tid in cycle:
        def method():
            return " + ".join(data.draw(st.lists(st.sampled_from(cycle), min_size=1, max_size=2)))
        accounts[tid] = {"login": [method() for _ in range(data.draw(st.integers(1, 2)))]}
        if data.draw(st.booleans()):
            accounts[tid]["recovery"] = [f"email:{data.draw(st.sampled_from(cycle))}"]
    # Something else may depend on the cycle (AND with memory: still unreachable).
    accounts["leaner"] = {"login": [f"password + sso:{cycle[0]}"]}
    G = graph_of(spec)
    ids = list(inventory_of(G).things)
    lost = data.draw(st.lists(st.sampled_from(ids), max_size=3, unique=True))
    for scenario in ([], lost):
        available = fixed_point(G, scenario)
        assert not (set(cycle) | {"leaner"}) & available
        statuses = impact(G, scenario).statuses
        assert all(statuses[c] == UNREACHABLE for c in cycle + ["leaner"])
