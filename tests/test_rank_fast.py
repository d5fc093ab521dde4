"""`rank` (necessity masks, chunked) against the plain single-loss sweep.

The sweep is what `rank` computed before: `impact` for every candidate, one
at a time. Both must give the same rows, field by field (money to the last
bit, critical things in file order), on chains, diamonds, AND-fans and
random inventories, with chunks of every width (a chunk boundary must never
change an answer); the statuses themselves are checked against four plain
fixed points in test_scale_properties.
"""

from __future__ import annotations

from contextlib import contextmanager

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from identity_map.analysis import engine
from identity_map.analysis.engine import RankRow, candidates, impact, rank
from identity_map.analysis.graph import build_graph
from identity_map.format.generate import dump_spec, generate_inventory, random_spec
from identity_map.format.load import load_text

from test_scale_properties import naive_statuses

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def sweep(G) -> list[RankRow]:
    """The rows the slow way: one `impact` per candidate, sorted like `rank`."""
    rows = []
    ids = candidates(G)
    for tid in ids:
        result = impact(G, [tid])
        s = result.summary
        thing = result.compiled.things[result.compiled.index[tid]]
        rows.append(RankRow(tid, thing.name, thing.kind, len(result.lost - {tid}), len(result.recoverable),
                            len(result.degraded), s.money_lost, s.critical_lost))
    order = {tid: i for i, tid in enumerate(ids)}
    rows.sort(key=lambda r: (-len(r.critical_lost), -sum(r.money_lost.values()), -r.lost, order[r.id]))
    return rows


@contextmanager
def chunk(width: int):
    saved = engine.CHUNK
    engine.CHUNK = width
    try:
        yield
    finally:
        engine.CHUNK = saved


def assert_rank_is_the_sweep(text: str, width: int) -> None:
    expected = sweep(build_graph(load_text(text)))
    with chunk(width):
        G = build_graph(load_text(text))  # a fresh graph: nothing cached
        got = rank(G)
    assert got == expected
    for row in got[:5]:  # and the sweep is the plain fixed point
        naive = naive_statuses(G, [row.id])
        assert row.lost == sum(1 for i, s in naive.items() if s == engine.LOST and i != row.id)
        assert row.recoverable == sum(1 for s in naive.values() if s == engine.RECOVERABLE)
        assert row.degraded == sum(1 for s in naive.values() if s == engine.DEGRADED)


widths = st.sampled_from([1, 2, 3, 7, 2048])
prices = st.sampled_from([0, 0.1, 0.2, 0.3, 9.99, 1e-3, 12345.67, 400])


@st.composite
def chains(draw) -> str:
    """A login chain a0 <- a1 <- ... with recoveries now and then (to an
    earlier link, a later one: cycles, or a place), critical links and
    purchases with awkward prices."""
    n = draw(st.integers(2, 25))
    lines = ["version: 1", "places:", "  safe: {}", "accounts:", "  a0: {}"]
    for i in range(1, n):
        fields = [f"login: [{draw(st.sampled_from(['email', 'sso', 'account']))}:a{i - 1}]"]
        r = draw(st.integers(0, 5))
        if r == 0:
            fields.append(f"recovery: [email:a{draw(st.integers(0, n - 1))}]")
        elif r == 1:
            fields.append("recovery: [codes:safe]")
        if draw(st.booleans()):
            fields.append("critical: true")
        lines.append(f"  a{i}: {{{', '.join(fields)}}}")
    k = draw(st.integers(0, 4))
    if k:
        lines.append("purchases:")
        for j in range(k):
            lines.append(f"  u{j}: {{account: a{draw(st.integers(0, n - 1))}, price: {draw(prices)}, "
                         f"currency: {draw(st.sampled_from(['EUR', 'USD']))}}}")
    return "\n".join(lines) + "\n"


@st.composite
def diamonds(draw) -> str:
    """Stacked diamonds: b_i and c_i both lean on a_i, and a_(i+1) needs
    either of them (OR) or both (AND); devices and recoveries on the side."""
    n = draw(st.integers(1, 8))
    lines = ["version: 1", "devices:", "  d: {}", "accounts:", "  a0: {}"]
    for i in range(n):
        lines.append(f"  b{i}: {{login: [email:a{i}]}}")
        lines.append(f"  c{i}: {{login: [sso:a{i}{draw(st.sampled_from(['', ', device:d', ' + device:d']))}]}}")
        login = draw(st.sampled_from([f"[email:b{i}, email:c{i}]", f"[email:b{i} + email:c{i}]"]))
        extra = draw(st.sampled_from(["", ", recovery: [device:d]", ", critical: true"]))
        lines.append(f"  a{i + 1}: {{login: {login}{extra}}}")
    return "\n".join(lines) + "\n"


@st.composite
def and_fans(draw) -> str:
    """Things that need many others at once (AND), which lean on shared
    roots: an AND-fan, and data with several copies (OR) over them."""
    n = draw(st.integers(1, 10))
    lines = ["version: 1", "devices:", "  p: {}", "  q: {}", "accounts:"]
    for i in range(n):
        lines.append(f"  f{i}: {{login: [{draw(st.sampled_from(['password', 'passkey:p', 'key:q', 'password + device:p']))}]}}")
    terms = " + ".join(f"account:f{i}" for i in draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=n)))
    lines.append(f"  fan: {{login: [{terms}], critical: true}}")
    lines.append("data:")
    copies = sorted({f"f{i}" for i in draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=3))})
    lines.append(f"  x: {{copies: [{', '.join(copies)}], needs: [fan], critical: true}}")
    return "\n".join(lines) + "\n"


@SETTINGS
@given(chains(), widths)
def test_rank_on_chains_is_the_sweep(text, width):
    assert_rank_is_the_sweep(text, width)


@SETTINGS
@given(diamonds(), widths)
def test_rank_on_diamonds_is_the_sweep(text, width):
    assert_rank_is_the_sweep(text, width)


@SETTINGS
@given(and_fans(), widths)
def test_rank_on_and_fans_is_the_sweep(text, width):
    assert_rank_is_the_sweep(text, width)


@SETTINGS
@given(st.randoms(use_true_random=False), widths)
def test_rank_on_random_inventories_is_the_sweep(rng, width):
    assert_rank_is_the_sweep(dump_spec(random_spec(rng)), width)


@settings(max_examples=4, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from([16, 64]))
def test_rank_on_generated_inventories_is_the_sweep(seed, width):
    assert_rank_is_the_sweep(generate_inventory(accounts=150, hubs=3, seed=seed), width)


def test_money_is_exact_whatever_the_order():
    text = ("version: 1\naccounts:\n  s: {}\n  t: {login: [email:s]}\npurchases:\n"
            "  a: {account: s, price: 0.1}\n  b: {account: t, price: 0.2}\n  c: {account: t, price: 0.3}\n")
    row = next(r for r in rank(build_graph(load_text(text))) if r.id == "s")
    assert row.money_lost == {"EUR": 0.6}  # the exact sum rounded once; 0.1 + 0.2 + 0.3 gives 0.6000000000000001
    assert impact(build_graph(load_text(text)), ["s"]).summary.money_lost == row.money_lost


def test_a_long_chain_ranks_its_head_first():
    n = 3000
    text = "version: 1\naccounts:\n  a0: {}\n" + "".join(f"  a{i}: {{login: [email:a{i - 1}]}}\n" for i in range(1, n))
    rows = rank(build_graph(load_text(text)))
    assert [(r.id, r.lost) for r in rows[:3]] == [("a0", n - 1), ("a1", n - 2), ("a2", n - 3)]
    assert sum(r.lost for r in rows) == n * (n - 1) // 2
