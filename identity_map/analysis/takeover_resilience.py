"""Takeover resilience, the dual of `resilience`: for each critical thing, the
fewest things an attacker must gain together to take it (up to 3).

For a critical thing X, the smallest k (1..max_k) such that gaining some k
attack candidates together (`takeover.attack_candidates`: accounts,
devices, phone numbers, places, people, and `memory` for "knows your
passwords")
puts X in T(G), and every minimal such set. X itself is never counted
(gaining X trivially takes it), except for a device, place or person,
which an attacker takes only by gaining it: k = 1 with the set (X,). k = None means
more than max_k.

Exact, by minimal gain sets (what fault-tree analysis calls minimal cut
sets): each thing Y upstream of X gets the family F(Y) of minimal sets of at
most k candidates whose gain takes Y: {Y} when Y is a candidate, plus, for
each usable method, the unions of one set per term (at most k members),
minimised. The families are computed as a least fixed point (start empty,
recompute the owners of whatever grew, until nothing grows), so circular
support gives nothing, exactly as in T: a set S is in F(Y) if and only if Y
is in T(S) and no smaller set is. Only X's ancestors are visited, and k is
raised one at a time (1, then 2, then 3), so small answers stay cheap.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

from identity_map.analysis.engine import Graph, Compiled, compiled
from identity_map.analysis.resilience import MAX_K, Row
from identity_map.analysis.takeover import ATTACKER_KINDS, attacker

Family = frozenset[frozenset[int]]


def _minimal(sets: set[frozenset[int]]) -> Family:
    """The members of `sets` with no proper subset in `sets`."""
    by_size = sorted(sets, key=len)
    kept: list[frozenset[int]] = []
    for s in by_size:
        if not any(k < s for k in kept):
            kept.append(s)
    return frozenset(kept)


def _gain_sets(c: Compiled, target: int, k: int) -> Family:
    """Every minimal set of at most k candidates whose gain takes `target`
    (the target itself excluded). Cost: the methods of target's ancestors,
    times the products of their families."""
    a = attacker(c)
    ancestors = {target}
    stack = [target]
    while stack:
        x = stack.pop()
        if x in a.held:
            continue
        for m in c.methods_of[x]:
            if a.usable(m):
                for t in c.m_targets[m]:
                    if t not in ancestors:
                        ancestors.add(t)
                        stack.append(t)
    things = c.things
    family: dict[int, Family] = {
        x: frozenset({frozenset({x})}) if x != target and things[x].kind in ATTACKER_KINDS else frozenset()
        for x in ancestors}
    work = deque(x for x in ancestors if x not in a.held)
    queued = set(work)
    while work:
        y = work.popleft()
        queued.discard(y)
        grown = set(family[y])
        for m in c.methods_of[y]:
            if not a.usable(m):
                continue
            product: set[frozenset[int]] = {frozenset()}
            for t in c.m_targets[m]:
                product = {s | u for s in product for u in family[t] if len(s | u) <= k}
                if not product:
                    break
            grown |= product
        new = _minimal(grown)
        if new != family[y]:
            family[y] = new
            for m in c.users[y]:
                o = c.m_owner[m]
                if o in ancestors and o not in queued and o not in a.held:
                    queued.add(o)
                    work.append(o)
    return family[target]


def thing_takeover_resilience(c: Compiled, thing_id: str, max_k: int = MAX_K) -> Row:
    """The takeover resilience of one thing on a compiled form (from
    `compiled(G)` or `engine.extend`): k and every minimal set of k gains
    (ids in file order, sets in the file order of their members).
    Unknown ids raise KeyError.

    >>> from identity_map.format.load import load_text
    >>> from identity_map.analysis.graph import build_graph
    >>> G = build_graph(load_text("version: 1\\nphones:\\n  mobile: {}\\n"
    ...     "accounts:\\n  bank: {critical: true, login: [password + sms:mobile]}\\n"))
    >>> r = thing_takeover_resilience(compiled(G), "bank")
    >>> r.k, r.examples
    (2, (('memory', 'mobile'),))
    """
    if max_k < 1:
        raise ValueError("max_k must be at least 1")
    i = c.index[thing_id]
    thing = c.things[i]
    if i in attacker(c).held:
        return Row(thing.id, thing.name, thing.kind, 1, ((thing.id,),), max_k)
    for k in range(1, max_k + 1):
        sets = [s for s in _gain_sets(c, i, k) if len(s) == k]
        if sets:
            examples = sorted(tuple(sorted(s)) for s in sets)
            return Row(thing.id, thing.name, thing.kind, k, tuple(tuple(c.ids[j] for j in s) for s in examples), max_k)
    return Row(thing.id, thing.name, thing.kind, None, (), max_k)


def takeover_resilience(G: Graph, max_k: int = MAX_K) -> list[Row]:
    """One Row per critical thing, weakest first, ties in file order. Exact; see the module docstring. Cost: per critical thing, the fixed
    point of the minimal gain sets over its ancestors, for k = 1 up to its
    answer."""
    c = compiled(G)
    rows = [thing_takeover_resilience(c, t.id, max_k) for t in c.things if t.critical]
    position = {row.id: i for i, row in enumerate(rows)}
    rows.sort(key=lambda r: (max_k + 1 if r.k is None else r.k, position[r.id]))
    return rows


def beside(lockout: Sequence[Row], takeover: Sequence[Row]) -> list[tuple[Row, Row | None]]:
    """Each lockout row with the takeover row of the same thing (None when
    absent), in the lockout order. O(rows)."""
    by_id = {r.id: r for r in takeover}
    return [(r, by_id.get(r.id)) for r in lockout]
