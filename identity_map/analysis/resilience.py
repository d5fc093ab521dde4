"""k-loss resilience: how many simultaneous losses it takes to lose each critical thing.

For every critical thing T, `resilience(G)` finds the smallest k (1..max_k)
such that losing some k candidates together (accounts, devices, phones and
places: `engine.candidates`) makes T unavailable, and every set of k
candidates that does so. k = 1 is a single point of failure. T itself is
never counted as one of the losses (losing T trivially loses it). A critical
thing unavailable with nothing lost gets k = 0; one that survives every set
of up to max_k losses gets k = None ("more than max_k").

Exact, not sampled, and without trying all subsets. The search is a
hitting-set tree over *proofs*: when T is still available after losing a
set S, take one derivation of T in that scenario (the things a well-founded
chain of working methods uses, from the roots up to T). Any larger set that
loses T must also lose one of the candidates in that derivation, or the
derivation would still stand. So the sets S + {x}, for x in the derivation,
are the only ones worth testing next. Every killing set of the smallest size
is reached this way (at every step some element of it lies in the current
derivation), and none of them contains a smaller killing set, so all are
minimal. Only things upstream of T (its ancestors) can matter, so each test
is a least fixed point over T's ancestors alone, which is exactly T's
availability in the full fixed point. Branching is the size of a
derivation (derivations with the fewest candidates are preferred), not
the number of candidates.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from identity_map.analysis.engine import compiled
from identity_map.format.model import LOSABLE_KINDS

MAX_K = 3
TEXT_EXAMPLES = 5  # sets shown per thing in the text report


@dataclass(frozen=True)
class Row:
    """The resilience of one critical thing.

    k: 0 when unavailable even with nothing lost, 1..max_k the fewest
    simultaneous losses that lose it, None when more than max_k are needed.
    examples: every minimal set of k losses that loses it (ids in file order;
    sets ordered by the file order of their members); () when k is 0 or None.
    """

    id: str
    name: str
    kind: str
    k: int | None
    examples: tuple[tuple[str, ...], ...]
    max_k: int = MAX_K

    @property
    def count(self) -> int:
        return len(self.examples)

    @property
    def label(self) -> str:
        if self.k is None:
            return f"more than {self.max_k}"
        if self.k == 0:
            return "0 (unreachable now)"
        return str(self.k)


class _Search:
    """The search for one thing T, over T's ancestors only."""

    def __init__(self, c, target: int):
        self.c = c
        self.target = target
        # Ancestors of T at thing level (T included), and their methods.
        seen = {target}
        stack = [target]
        methods: list[int] = []
        while stack:
            x = stack.pop()
            for m in c.methods_of[x]:
                methods.append(m)
                for t in c.m_targets[m]:
                    if t not in seen:
                        seen.add(t)
                        stack.append(t)
        self.ancestors = seen
        self.methods = methods
        self.missing0 = {m: len(c.m_targets[m]) for m in methods}
        self.roots = sorted(x for x in seen if c.is_root[x])
        self.losable = {x for x in seen if x != target and c.things[x].kind in LOSABLE_KINDS}
        self.memo: dict[frozenset[int], tuple[int, ...] | None] = {}

    def proof(self, lost: frozenset[int]) -> tuple[int, ...] | None:
        """None when T is unavailable with `lost` lost; otherwise the losable
        things of one derivation of T (few of them), in index order."""
        if lost in self.memo:
            return self.memo[lost]
        c = self.c
        target = self.target
        users, m_owner = c.users, c.m_owner
        missing = self.missing0.copy()
        order: dict[int, int] = {}
        queue = [x for x in self.roots if x not in lost]
        for x in queue:
            order[x] = len(order)
        head = 0
        found = target in order
        while head < len(queue) and not found:
            x = queue[head]
            head += 1
            for m in users[x]:
                k = missing.get(m)
                if k is None:
                    continue  # a method of a thing that is not an ancestor of T
                missing[m] = k - 1
                if k == 1:
                    o = m_owner[m]
                    if o not in order and o not in lost:
                        order[o] = len(order)
                        queue.append(o)
                        if o == target:
                            found = True
                            break
        if not found:
            self.memo[lost] = None
            return None
        result = tuple(sorted(self._cheapest(order)))
        self.memo[lost] = result
        return result

    def _cheapest(self, order: dict[int, int]) -> set[int]:
        """The losable things of a derivation of T that uses few of them:
        each derived thing takes the working method, among those whose terms
        were all derived before it, with the smallest (summed) cost."""
        c = self.c
        losable = self.losable
        cost: dict[int, int] = {}
        choice: dict[int, int] = {}
        for x in order:  # in derivation order: terms before the things they open
            own = 1 if x in losable else 0
            if c.is_root[x]:
                cost[x] = own
                continue
            best = None
            rank_x = order[x]
            for m in c.methods_of[x]:
                ts = c.m_targets[m]
                if all(t in order and order[t] < rank_x for t in ts):
                    s = sum(cost[t] for t in ts)
                    if best is None or s < best:
                        best, choice[x] = s, m
            cost[x] = own + best
        out: set[int] = set()
        seen = {self.target}
        stack = [self.target]
        while stack:
            x = stack.pop()
            if x in losable:
                out.add(x)
            m = choice.get(x)
            if m is None:
                continue
            for t in c.m_targets[m]:
                if t not in seen:
                    seen.add(t)
                    stack.append(t)
        return out

    def run(self, max_k: int) -> tuple[int | None, list[frozenset[int]]]:
        first = self.proof(frozenset())
        if first is None:
            return 0, []
        frontier: dict[frozenset[int], tuple[int, ...]] = {frozenset(): first}
        tested: set[frozenset[int]] = set()
        for size in range(1, max_k + 1):
            killers: list[frozenset[int]] = []
            nxt: dict[frozenset[int], tuple[int, ...]] = {}
            for lost, proof in frontier.items():
                for x in proof:
                    bigger = lost | {x}
                    if bigger in tested:
                        continue
                    tested.add(bigger)
                    p = self.proof(bigger)
                    if p is None:
                        killers.append(bigger)
                    elif size < max_k:
                        nxt[bigger] = p
            if killers:
                return size, killers
            frontier = nxt
        return None, []


def _row(c, index: int, max_k: int) -> Row:
    k, killers = _Search(c, index).run(max_k)
    examples = sorted(tuple(sorted(s)) for s in killers)
    thing = c.things[index]
    return Row(thing.id, thing.name, thing.kind, k,
               tuple(tuple(c.ids[i] for i in s) for s in examples), max_k)


def thing_resilience(G: nx.DiGraph, thing_id: str, max_k: int = MAX_K) -> Row:
    """The resilience of one thing (critical or not); unknown ids raise KeyError."""
    return compiled_resilience(compiled(G), thing_id, max_k)


def compiled_resilience(c, thing_id: str, max_k: int = MAX_K) -> Row:
    """`thing_resilience` on a compiled form: c from `engine.compiled(G)`,
    or from `engine.extend` (a changed inventory, no graph). Same Row, same
    cost: a search over the thing's ancestors only."""
    if max_k < 1:
        raise ValueError("max_k must be at least 1")
    return _row(c, c.index[thing_id], max_k)


def resilience(G: nx.DiGraph, max_k: int = MAX_K) -> list[Row]:
    """One Row per critical thing: weakest first (k = 0, 1, 2, ... then
    None), ties in file order. Exact; see the module docstring for why it
    is fast. Cost: per critical thing, at most (candidates in a derivation)
    ** max_k fixed points over its ancestors, usually far fewer."""
    if max_k < 1:
        raise ValueError("max_k must be at least 1")
    c = compiled(G)
    rows = [_row(c, i, max_k) for i, t in enumerate(c.things) if t.critical]
    position = {row.id: i for i, row in enumerate(rows)}
    rows.sort(key=lambda r: (max_k + 1 if r.k is None else r.k, position[r.id]))
    return rows


CHUNK = 4096  # candidates whose necessity is computed together (bits per mask)


def single_points(G: nx.DiGraph, thing_ids) -> dict[str, tuple[str, ...]]:
    """For each id of `thing_ids` available with nothing lost, the
    candidates (accounts, devices, phones, places; not the thing itself)
    whose loss alone loses it, in file order: its single points of failure,
    the k = 1 answer of `resilience`, without a fixed point per candidate.

    Necessity is a greatest fixed point: nec(root) = {root}, and for an
    available thing x, nec(x) = {x} + the intersection, over x's working
    methods, of the union of its terms' nec. Losing y loses x exactly when
    y is in nec(x) (a derivation without y shows y is not needed; if every
    method of x has a term that needs y, x cannot be derived without y).
    Sets are bit masks over CHUNK candidates at a time, lowered from "all"
    by a worklist in the baseline's derivation order. Cost: about
    (terms + things) x candidates / CHUNK mask operations of CHUNK bits,
    memory things x CHUNK bits: never the sum of the blast radii (a login
    chain of 10,000 accounts is one pass).

    >>> from identity_map.analysis.graph import build_graph
    >>> from identity_map.format.load import load_text
    >>> G = build_graph(load_text("version: 1\\naccounts:\\n  a: {}\\n  b: {login: [email:a]}\\n"
    ...                           "  c: {login: [email:b, email:a], critical: true}\\n"))
    >>> single_points(G, ["c"])
    {'c': ('a',)}
    """
    c = compiled(G)
    wanted = [c.index[t] for t in thing_ids if c.base_avail[c.index[t]]]
    found: dict[int, list[int]] = {i: [] for i in wanted}
    losable = [i for i, t in enumerate(c.things) if t.kind in LOSABLE_KINDS and c.base_avail[i]]
    for start in range(0, len(losable), CHUNK):
        bit = {x: 1 << k for k, x in enumerate(losable[start:start + CHUNK])}
        nec = _necessity(c, bit, (1 << len(bit)) - 1)
        for i in wanted:
            mask = nec[i] & ~bit.get(i, 0)
            found[i] += [x for x, b in bit.items() if mask & b]
    return {c.ids[i]: tuple(c.ids[x] for x in sorted(xs)) for i, xs in found.items()}


def _necessity(c, bit: dict[int, int], everything: int) -> list[int]:
    """nec(x) restricted to the candidates in `bit` (index -> its bit), for every available x."""
    avail, order = c.base_avail, c.order
    working = [[m for m in c.methods_of[x] if c.base_works[m]] for x in range(len(c.ids))]
    nec = [bit.get(x, 0) if c.is_root[x] else everything for x in range(len(c.ids))]
    queue = sorted((x for x in range(len(c.ids)) if avail[x] and not c.is_root[x]), key=order.__getitem__)
    queued = set(queue)
    m_targets, m_owner, users = c.m_targets, c.m_owner, c.users
    head = 0
    while head < len(queue):
        x = queue[head]
        head += 1
        queued.discard(x)
        need = everything
        for m in working[x]:
            union = 0
            for t in m_targets[m]:
                union |= nec[t]
            need &= union
            if not need:
                break
        need |= bit.get(x, 0)
        if need != nec[x]:
            nec[x] = need
            for m in users[x]:
                o = m_owner[m]
                if c.base_works[m] and not c.is_root[o] and o not in queued:
                    queued.add(o)
                    queue.append(o)
    return nec


def raises(G_before: nx.DiGraph, G_after: nx.DiGraph, thing_id: str, max_k: int = MAX_K) -> tuple[int | None, int | None]:
    """(k before, k after) for one thing, e.g. to tell whether a change
    raises a critical thing from 1 (a single point of failure) to 2.
    None means more than max_k. Use `improves` to compare."""
    return thing_resilience(G_before, thing_id, max_k).k, thing_resilience(G_after, thing_id, max_k).k


def improves(k_before: int | None, k_after: int | None) -> bool:
    """Whether k_after is strictly more resilient than k_before (None = more than max_k)."""
    big = float("inf")
    return (big if k_after is None else k_after) > (big if k_before is None else k_before)


# -- Output ----------------------------------------------------------------


def resilience_json(rows: list[Row]) -> list[dict]:
    """JSON-ready rows: id, name, kind, k (null = more than max_k), max_k,
    count (number of minimal sets), examples (every minimal set, as id lists)."""
    return [
        {"id": r.id, "name": r.name, "kind": r.kind, "k": r.k, "max_k": r.max_k,
         "label": r.label, "count": r.count, "examples": [list(s) for s in r.examples]}
        for r in rows
    ]


def resilience_text(rows: list[Row]) -> str:
    """A plain-text report, weakest first, a few example sets per thing."""
    if not rows:
        return "No critical things: mark the things that matter with 'critical: true'.\n"
    lines = ["Losses needed to lose each critical thing (1 = single point of failure):", ""]
    width = max(len(r.id) for r in rows)
    for r in rows:
        head = f"  {r.id:<{width}}  {r.label}"
        if r.k is None:
            lines.append(f"{head}: survives any {r.max_k} losses together")
        elif r.k == 0:
            lines.append(f"{head}: unavailable even with nothing lost")
        else:
            shown = "; ".join(" + ".join(s) for s in r.examples[:TEXT_EXAMPLES])
            more = r.count - min(r.count, TEXT_EXAMPLES)
            what = ("single loss" if r.count == 1 else "single losses") if r.k == 1 else \
                (f"set of {r.k} losses" if r.count == 1 else f"sets of {r.k} losses")
            lines.append(f"{head}: {r.count} {what}: {shown}" + (f"; and {more} more" if more else ""))
    return "\n".join(lines) + "\n"
