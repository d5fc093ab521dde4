"""The fast paths of `rank` against the plain ones.

- `necessity` over every available thing (`within=None`, rank's single
  chunk) must give the masks it gives over `downstream` (the chunked path),
  and both what the plain least fixed point gives when each candidate alone
  is lost, in A and in I (login alone), cycles included;
- `rank` gives a bit only to candidates that a working method names: the
  others' rows (themselves at most) must be `impact`'s;
- the compiled form's lazily settled supports must be those settled at once.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from identity_map.analysis import engine
from identity_map.analysis.engine import compiled, downstream, fixed_point, impact, necessity, rank
from identity_map.analysis.graph import build_graph
from identity_map.format.generate import dump_spec, generate_inventory, random_spec
from identity_map.format.load import load_text

from test_rank_fast import and_fans, chains, diamonds

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_masks_are_the_plain_fixed_points(text: str, data) -> None:
    G = build_graph(load_text(text))
    c = compiled(G)
    for form, login_alone in ((c, False), (c.login_only, True)):
        available = [i for i in range(len(c.ids)) if form.base_avail[i]]
        members = data.draw(st.lists(st.sampled_from(available), unique=True, max_size=12)) if available else []
        bit = {x: 1 << k for k, x in enumerate(members)}
        whole = necessity(form, bit, None)
        assert whole == necessity(form, bit, downstream(form, members))
        for x in members:
            kept = fixed_point(G, [c.ids[x]], login_alone=login_alone)
            taken = {i for i in available if c.ids[i] not in kept}
            assert {i for i in available if whole[i] & bit[x]} == taken
        assert all(whole[i] == -1 for i in range(len(c.ids)) if not form.base_avail[i])


@SETTINGS
@given(st.randoms(use_true_random=False), st.data())
def test_necessity_of_random_inventories_is_the_plain_fixed_point(rng, data):
    assert_masks_are_the_plain_fixed_points(dump_spec(random_spec(rng)), data)


@SETTINGS
@given(st.one_of(chains(), diamonds(), and_fans()), st.data())
def test_necessity_of_chains_diamonds_and_fans_is_the_plain_fixed_point(text, data):
    assert_masks_are_the_plain_fixed_points(text, data)


def test_necessity_comes_back_round_a_cycle():
    # b is derived (by its login) before c, which its recovery names: the
    # pass in derivation order reads c before c is computed, so b's first
    # mask (a and d, its login's) is too big; c needs only e and d.
    text = ("version: 1\ndevices:\n  d: {}\naccounts:\n  a: {}\n  e: {login: [device:d + password]}\n"
            "  b: {login: [email:a + device:d], recovery: [email:c]}\n  c: {login: [email:e]}\n")
    G = build_graph(load_text(text))
    c = compiled(G)
    assert c.order[c.index["b"]] < c.order[c.index["c"]]
    bit = {c.index["a"]: 1, c.index["d"]: 2, c.index["e"]: 4}
    nec = necessity(c, bit, None)
    assert (nec[c.index["b"]], nec[c.index["c"]]) == (2, 6)
    assert nec == necessity(c, bit, downstream(c, bit))
    lost = {r.id: r.lost for r in rank(G)}
    assert (lost["d"], lost["e"], lost["a"]) == (3, 1, 0)  # d: e, c and b; e: c; a: nothing (b recovers by c)


def test_candidates_no_method_names_rank_as_impact_says():
    text = ("version: 1\naccounts:\n  mail: {}\n  shop: {login: [email:mail], critical: true}\n"
            "  lone: {critical: true}\n  gone: {login: [email:loop]}\n  loop: {login: [email:gone]}\n")
    G = build_graph(load_text(text))
    rows = {r.id: r for r in rank(G)}
    for tid in ("shop", "lone", "gone"):
        result = impact(G, [tid])
        row = rows[tid]
        assert (row.lost, row.recoverable, row.degraded) == (len(result.lost - {tid}), len(result.recoverable),
                                                             len(result.degraded))
        assert (row.money_lost, row.critical_lost) == (result.summary.money_lost, result.summary.critical_lost)
    assert rows["lone"].critical_lost == ("lone",) and rows["shop"].critical_lost == ("shop",)


@settings(max_examples=6, deadline=None)
@given(st.integers(0, 10_000))
def test_lazily_settled_supports_are_the_eager_ones(seed):
    c = compiled(build_graph(load_text(generate_inventory(accounts=120, hubs=3, seed=seed))))
    supports, count = c.supports, c.support_count
    eager_supports, eager_count = [False] * len(c.m_owner), [0] * len(c.ids)
    c.supports, c.support_count = eager_supports, eager_count
    engine._settle(c, range(len(c.m_owner)), range(len(c.ids)))
    assert (supports, count) == (eager_supports, eager_count)
    assert supports == [c.base_works[m] and all(c.order[t] < c.order[c.m_owner[m]] for t in c.m_targets[m])
                        for m in range(len(c.m_owner))]
