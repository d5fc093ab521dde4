"""What stays available, what is lost: the engine's contract, exactly.

Availability is the least fixed point from the roots (memory, devices,
places): a thing is available when one of its methods has every term
available; circular support counts for nothing. A scenario loses some ids;
each thing then gets a status against the baseline (see `STATUSES`).

Two ways compute a scenario and must always agree (the tests compare them):
- `fixed_point`: the plain least fixed point, O(terms) per scenario;
- `impact`: delete-and-rederive from the baseline, which touches only what
  the loss can reach, so a sweep over every single loss (`rank`) costs about
  the sum of the blast radii instead of candidates x graph.

Over-deletion uses *well-founded support*: in the baseline derivation every
available thing got an order number; a method whose terms all came earlier
supports its owner without any cycle. A thing is tentatively deleted only
when every such supporting method has a deleted term; everything else is
provably still available (by induction on the order), and the deleted things
are re-derived by a fixed point restricted to them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import networkx as nx

from .graph import build_graph, inventory_of
from .model import LOSABLE_KINDS, ROOT_KINDS, Inventory, Thing

LOST, RECOVERABLE, DEGRADED, OK, UNREACHABLE = "lost", "recoverable", "degraded", "ok", "unreachable"
STATUSES = (LOST, RECOVERABLE, DEGRADED, OK, UNREACHABLE)


class Compiled:
    """The graph flattened into integer arrays for the fixed point.

    Built once per graph (`compiled(G)` caches it); holds the baseline.
    """

    def __init__(self, G: nx.DiGraph):
        inventory: Inventory = inventory_of(G)
        self.inventory = inventory
        self.ids: list[str] = list(inventory.things)
        self.index: dict[str, int] = {tid: i for i, tid in enumerate(self.ids)}
        self.things: list[Thing] = list(inventory.things.values())
        self.is_root = [t.kind in ROOT_KINDS for t in self.things]
        # Methods, numbered: owner, whether login, distinct targets.
        self.m_owner: list[int] = []
        self.m_login: list[bool] = []
        self.m_targets: list[tuple[int, ...]] = []
        self.m_node: list[str] = []
        self.methods_of: list[list[int]] = [[] for _ in self.ids]
        self.users: list[list[int]] = [[] for _ in self.ids]  # target -> methods naming it
        for node, data in G.nodes(data=True):
            if data["type"] != "method":
                continue
            m = len(self.m_owner)
            owner = self.index[data["owner"]]
            targets = tuple(self.index[t] for t in dict.fromkeys(G.predecessors(node)))
            self.m_owner.append(owner)
            self.m_login.append(data["role"] == "login")
            self.m_targets.append(targets)
            self.m_node.append(node)
            self.methods_of[owner].append(m)
            for t in targets:
                self.users[t].append(m)
        self.base_avail, self.order = _derive(self, frozenset())
        order = self.order
        self.base_works = [all(self.base_avail[t] for t in ts) for ts in self.m_targets]
        # Well-founded supports: working methods whose terms were all derived earlier.
        self.supports = [
            self.base_works[m] and all(order[t] < order[self.m_owner[m]] for t in self.m_targets[m])
            for m in range(len(self.m_owner))
        ]
        self.support_count = [0] * len(self.ids)
        for m, ok in enumerate(self.supports):
            if ok:
                self.support_count[self.m_owner[m]] += 1
        self.base_login = [any(self.base_works[m] and self.m_login[m] for m in ms) for ms in self.methods_of]
        # For output-sensitive summaries: constant parts computed once.
        self.unreachable_count = self.base_avail.count(False)
        self.is_critical = [t.critical for t in self.things]
        self.is_purchase = [t.kind == "purchase" for t in self.things]

    def ids_of(self, indices) -> frozenset[str]:
        return frozenset(self.ids[i] for i in indices)


def compiled(G: nx.DiGraph) -> Compiled:
    """The cached `Compiled` form of G (G must not be mutated afterwards)."""
    c = G.graph.get("_compiled")
    if c is None:
        c = G.graph["_compiled"] = Compiled(G)
    return c


def _derive(c: Compiled, lost: frozenset[int]) -> tuple[list[bool], list[int]]:
    """Least fixed point with `lost` forced unavailable: (available, order)."""
    n = len(c.ids)
    avail = [False] * n
    order = [-1] * n
    missing = [len(ts) for ts in c.m_targets]
    queue = [i for i in range(n) if c.is_root[i] and i not in lost]
    for i in queue:
        avail[i] = True
    head = 0
    while head < len(queue):
        x = queue[head]
        order[x] = head
        head += 1
        for m in c.users[x]:
            missing[m] -= 1
            if missing[m] == 0:
                o = c.m_owner[m]
                if not avail[o] and o not in lost:
                    avail[o] = True
                    queue.append(o)
    return avail, order


def fixed_point(G: nx.DiGraph, lost=()) -> frozenset[str]:
    """The ids available when `lost` are lost, by the plain least fixed point.
    Cost: O(nodes + terms). The reference `impact` is checked against.

    >>> from identity_map.load import load_text
    >>> G = build_graph(load_text("version: 1\\naccounts:\\n  a: {login: [email:b]}\\n  b: {login: [email:a]}\\n"))
    >>> sorted(fixed_point(G))   # circular support counts for nothing
    ['memory']
    """
    c = compiled(G)
    avail, _ = _derive(c, frozenset(c.index[i] for i in lost))
    return c.ids_of(i for i, a in enumerate(avail) if a)


@dataclass(frozen=True)
class Impact:
    """The outcome of one scenario. Statuses of ids not in `lost`,
    `recoverable` or `degraded` are ok, or unreachable when unavailable in
    the baseline. `lost` includes the scenario's own ids (if they were
    available at all)."""

    scenario: frozenset[str]
    lost: frozenset[str]
    recoverable: frozenset[str]
    degraded: frozenset[str]
    compiled: Compiled

    def status(self, thing_id: str) -> str:
        if thing_id in self.lost:
            return LOST
        if thing_id in self.recoverable:
            return RECOVERABLE
        if thing_id in self.degraded:
            return DEGRADED
        return OK if self.compiled.base_avail[self.compiled.index[thing_id]] else UNREACHABLE

    def available(self, thing_id: str) -> bool:
        return self.compiled.base_avail[self.compiled.index[thing_id]] and thing_id not in self.lost

    @cached_property
    def statuses(self) -> dict[str, str]:
        """Every id of the inventory, in file order, with its status."""
        return {tid: self.status(tid) for tid in self.compiled.ids}

    @cached_property
    def summary(self) -> Summary:
        return summarize(self)


def impact(G: nx.DiGraph, lost=()) -> Impact:
    """Statuses when the ids in `lost` are lost (unknown ids raise KeyError).
    Cost: proportional to the edges around what the loss reaches, not to the
    graph (see the module docstring).

    >>> from identity_map.load import load_text
    >>> G = build_graph(load_text("version: 1\\naccounts:\\n  mail: {}\\n  shop: {login: [email:mail]}\\n"))
    >>> sorted(impact(G, ["mail"]).lost)
    ['mail', 'shop']
    """
    c = compiled(G)
    scenario = frozenset(lost)
    lost_idx = {c.index[i] for i in scenario}
    gone = _rederive(c, lost_idx)
    recoverable, degraded = set(), set()
    touched = {c.m_owner[m] for x in gone for m in c.users[x] if c.base_works[m]}
    for o in touched - gone:
        if c.base_login[o] and not any(
            c.m_login[m] and c.base_works[m] and not any(t in gone for t in c.m_targets[m])
            for m in c.methods_of[o]
        ):
            recoverable.add(o)
        else:
            degraded.add(o)
    return Impact(scenario, c.ids_of(gone), c.ids_of(recoverable), c.ids_of(degraded), c)


def _rederive(c: Compiled, lost: set[int]) -> set[int]:
    """The indices available in the baseline but not in the scenario."""
    avail = c.base_avail
    deleted = {x for x in lost if avail[x]}
    stack = list(deleted)
    broken: set[int] = set()
    remaining: dict[int, int] = {}
    while stack:
        x = stack.pop()
        for m in c.users[x]:
            if c.supports[m] and m not in broken:
                broken.add(m)
                o = c.m_owner[m]
                left = remaining.get(o, c.support_count[o]) - 1
                remaining[o] = left
                if left == 0 and o not in deleted:
                    deleted.add(o)
                    stack.append(o)
    # Re-derive inside the over-deleted set, from what is certainly available.
    candidates = deleted - lost
    missing: dict[int, int] = {}
    queue = []
    for o in candidates:
        for m in c.methods_of[o]:
            if c.base_works[m]:
                k = sum(1 for t in c.m_targets[m] if t in deleted)
                missing[m] = k
                if k == 0:
                    queue.append(o)
    back = set()
    while queue:
        x = queue.pop()
        if x in back:
            continue
        back.add(x)
        for m in c.users[x]:
            o = c.m_owner[m]
            if m in missing and o not in back:
                missing[m] -= 1
                if missing[m] == 0:
                    queue.append(o)
    return deleted - back


# -- Summaries and ranking -------------------------------------------------


@dataclass(frozen=True)
class Summary:
    counts: dict[str, int]
    money_lost: dict[str, float]  # currency -> amount
    critical_lost: tuple[str, ...]  # in file order

    @property
    def money_total(self) -> float:
        """All currencies added up: a tie-breaker for ranking, not a figure to show."""
        return sum(self.money_lost.values())


def summarize(result: Impact) -> Summary:
    """Counts per status, money lost per currency, critical things lost.
    Cost: O(lost things), not O(things): a sweep stays output-sensitive."""
    c = result.compiled
    counts = dict.fromkeys(STATUSES, 0)
    counts[LOST] = len(result.lost)
    counts[RECOVERABLE] = len(result.recoverable)
    counts[DEGRADED] = len(result.degraded)
    counts[UNREACHABLE] = c.unreachable_count
    counts[OK] = len(c.ids) - sum(counts.values())
    index, things = c.index, c.things
    lost = sorted(index[tid] for tid in result.lost)  # file order: prices add up in a fixed order
    money: dict[str, float] = {}
    for i in lost:
        if c.is_purchase[i]:
            thing = things[i]
            money[thing.currency] = money.get(thing.currency, 0.0) + thing.price
    critical = tuple(c.ids[i] for i in lost if c.is_critical[i])
    return Summary(counts, dict(sorted(money.items())), critical)


@dataclass(frozen=True)
class RankRow:
    id: str
    name: str
    kind: str
    lost: int  # OTHER things lost
    recoverable: int
    degraded: int
    money_lost: dict[str, float]
    critical_lost: tuple[str, ...]


def candidates(G: nx.DiGraph) -> list[str]:
    """Ids whose loss alone the ranking weighs: accounts, devices, phones, places."""
    return [t.id for t in inventory_of(G) if t.kind in LOSABLE_KINDS]


def rank(G: nx.DiGraph) -> list[RankRow]:
    """The impact of losing each candidate alone, worst first: most critical
    things lost, then most money (all currencies added), then most things
    lost; ties keep the file order. Cost: about the sum of the blast radii.

    >>> from identity_map.load import load_text
    >>> G = build_graph(load_text("version: 1\\naccounts:\\n  mail: {}\\n  shop: {login: [email:mail]}\\n"))
    >>> [(r.id, r.lost) for r in rank(G)]
    [('mail', 1), ('shop', 0)]
    """
    rows = []
    for tid in candidates(G):
        result = impact(G, [tid])
        s = result.summary
        thing = result.compiled.things[result.compiled.index[tid]]
        rows.append(RankRow(tid, thing.name, thing.kind, len(result.lost - {tid}), len(result.recoverable),
                            len(result.degraded), s.money_lost, s.critical_lost))
    order = {tid: i for i, tid in enumerate(candidates(G))}
    rows.sort(key=lambda r: (-len(r.critical_lost), -sum(r.money_lost.values()), -r.lost, order[r.id]))
    return rows


def analyze(inventory: Inventory, lost=()) -> Impact:
    """Convenience: build the graph and compute one scenario."""
    return impact(build_graph(inventory), lost)
