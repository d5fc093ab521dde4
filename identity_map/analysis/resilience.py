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
availability in the full fixed point, and walks only the methods of
those ancestors (not every user of a phone or of `memory`). Branching is the size of a
derivation (derivations with the fewest candidates are preferred), not
the number of candidates.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from identity_map.analysis.engine import Graph, bits_of, compiled, downstream, necessity, takers
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

    def __init__(self, c, target: int, skip=()):
        self.c = c
        self.target = target
        # Ancestors of T at thing level (T included), and their methods.
        # The methods of ancestors naming each ancestor (`users`): a proof walks
        # these, not every user (a phone or `memory` opens most of the inventory).
        # What the fixed points read of c is kept here (`owner`, `methods_of`,
        # `targets`): dicts read at C speed, where c's arrays may be layers
        # (`engine.extend`) that cost a call per read.
        methods_of, m_targets = c.methods_of, c.m_targets
        seen = {target}
        stack = [target]
        methods: list[int] = []
        missing: dict[int, int] = {}
        users: dict[int, list[int]] = {target: []}
        owner: dict[int, int] = {}
        own: dict[int, list[int]] = {}
        targets_of: dict[int, tuple[int, ...]] = {}
        while stack:
            x = stack.pop()
            own[x] = methods_of[x]
            for m in own[x]:
                methods.append(m)
                owner[m] = x
                targets = targets_of[m] = m_targets[m]
                missing[m] = len(targets)
                for t in targets:
                    if t in seen:
                        users[t].append(m)
                    else:
                        seen.add(t)
                        stack.append(t)
                        users[t] = [m]
        self.ancestors = seen
        self.methods = methods
        self.owner, self.methods_of, self.targets = owner, own, targets_of
        self.missing0 = missing
        self.users = users
        self.skip = frozenset(m for m in skip if m in self.missing0)
        for m in self.skip:  # methods taken away: they never work
            self.missing0[m] = len(c.ids) + 1
        self.roots = sorted(x for x in seen if c.is_root[x])
        self.is_root = frozenset(self.roots)
        self.losable = {x for x in seen if x != target and c.things[x].kind in LOSABLE_KINDS}
        self.memo: dict[frozenset[int], tuple[int, ...] | None] = {}
        self.reached: dict[frozenset[int], bool] = {}  # `available` without a proof

    def proof(self, lost: frozenset[int]) -> tuple[int, ...] | None:
        """None when T is unavailable with `lost` lost; otherwise the losable
        things of one derivation of T (few of them), in index order."""
        if lost in self.memo:
            return self.memo[lost]
        if lost:
            order = self._derivation(lost)
            result = None if order is None else tuple(sorted(self._cheapest(order)))
        else:
            result = None if self.standing is None else tuple(sorted(self.standing & self.losable))
        self.memo[lost] = result
        return result

    @cached_property
    def standing(self) -> set[int] | None:
        """The things of one derivation of T with nothing lost (`_chosen`),
        None when T is unavailable: computed once for `proof`, `derivation`
        and `available_in` alike."""
        order = self._derivation(frozenset())
        return None if order is None else self._chosen(order)

    def available(self, lost: frozenset[int]) -> bool:
        """Whether T is available with `lost` lost: `proof(lost) is not
        None`, without choosing a cheap derivation."""
        if lost in self.memo:
            return self.memo[lost] is not None
        if lost not in self.reached:
            self.reached[lost] = self._derivation(lost) is not None
        return self.reached[lost]

    def kills(self, sets) -> bool:
        """Whether losing one of `sets` (each ids of c) loses T. Cost: one
        fixed point over T's ancestors per set, until one does."""
        index = self.c.index
        return any(not self.available(frozenset(map(index.__getitem__, s))) for s in sets)

    def unskipped(self) -> _Search:
        """The same search with every method (none of `skip` taken away),
        sharing this one's walk of the ancestors: the ancestors do not
        depend on which methods work. Cost: O(ancestors' methods)."""
        twin = _Search.__new__(_Search)
        twin.__dict__.update({k: v for k, v in self.__dict__.items() if k != "standing"})
        twin.missing0 = {m: len(ts) for m, ts in self.targets.items()}
        twin.skip, twin.memo, twin.reached = frozenset(), {}, {}
        return twin

    def _derivation(self, lost: frozenset[int]) -> dict[int, int] | None:
        """The order numbers of the ancestors derived with `lost` lost, up
        to T; None when T is not derived."""
        target = self.target
        users, owner = self.users, self.owner
        missing = self.missing0.copy()
        order: dict[int, int] = {}
        queue = [x for x in self.roots if x not in lost]
        for x in queue:
            order[x] = len(order)
        if target in order:
            return order
        for x in queue:  # grows as it goes: breadth first
            for m in users.get(x, ()):
                k = missing[m]
                missing[m] = k - 1
                if k == 1:
                    o = owner[m]
                    if o not in order and o not in lost:
                        order[o] = len(order)
                        if o == target:
                            return order
                        queue.append(o)
        return None

    def _cheapest(self, order: dict[int, int]) -> set[int]:
        """The losable things of a derivation of T that uses few of them."""
        return self._chosen(order) & self.losable

    def _chosen(self, order: dict[int, int]) -> set[int]:
        """The things of a derivation of T that uses few losable things:
        each derived thing takes the working method (never one of `skip`),
        among those whose terms were all derived before it, with the
        smallest (summed) cost."""
        losable, skip = self.losable, self.skip
        is_root, methods_of, m_targets = self.is_root, self.methods_of, self.targets
        cost: dict[int, int] = {}
        choice: dict[int, int] = {}
        for x in order:  # in derivation order (the dict's): terms before the things they open
            own = 1 if x in losable else 0
            if x in is_root:
                cost[x] = own
                continue
            best = None
            for m in methods_of[x]:
                if m in skip:
                    continue
                s = 0
                for t in m_targets[m]:
                    k = cost.get(t)  # costed exactly when derived before x
                    if k is None:
                        break
                    s += k
                else:
                    if best is None or s < best:
                        best, choice[x] = s, m
            cost[x] = own + best
        seen = {self.target}
        stack = [self.target]
        while stack:
            m = choice.get(stack.pop())
            if m is None:
                continue
            for t in m_targets[m]:
                if t not in seen:
                    seen.add(t)
                    stack.append(t)
        return seen

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


def _row(c, index: int, max_k: int, skip=(), search: _Search | None = None) -> Row:
    k, killers = (search or _Search(c, index, skip)).run(max_k)
    examples = sorted(tuple(sorted(s)) for s in killers)
    thing = c.things[index]
    return Row(thing.id, thing.name, thing.kind, k,
               tuple(tuple(c.ids[i] for i in s) for s in examples), max_k)


def thing_resilience(G: Graph, thing_id: str, max_k: int = MAX_K) -> Row:
    """The resilience of one thing (critical or not); unknown ids raise KeyError."""
    return compiled_resilience(compiled(G), thing_id, max_k)


def compiled_resilience(c, thing_id: str, max_k: int = MAX_K, skip=()) -> Row:
    """`thing_resilience` on a compiled form: c from `engine.compiled(G)`,
    or from `engine.extend` (a changed inventory, no graph); with the
    methods `skip` (indices of c) taken away, as a change that removes them
    would. Same Row, same cost: a search over the thing's ancestors only."""
    if max_k < 1:
        raise ValueError("max_k must be at least 1")
    return _row(c, c.index[thing_id], max_k, skip)


def raised(c_after, thing_id: str, before: Row) -> Row | None:
    """The thing's Row on `c_after` when it is more resilient there than
    `before` (its Row on a form that `c_after` only adds things and methods
    to, e.g. from `engine.extend`), else None: `compiled_resilience` on both
    and `improves`, the same answer. Availability only grows with methods,
    so a set of losses that kills the thing after the change, less the
    things the change adds, killed it before, with no more members: the
    fewest losses grow exactly when none of before's minimal sets of k
    (`examples`, all of them) kills it any more, and only then is the
    search run. Cost: one walk of the ancestors and a fixed point per
    example, the search only when raised.

    >>> from identity_map.format.load import load_text
    >>> from identity_map.analysis.engine import compiled, extend
    >>> from identity_map.analysis.graph import build_graph
    >>> from identity_map.checklist.fixes import AddMethod, apply_change
    >>> from identity_map.format.model import Method, Term
    >>> inv = load_text("version: 1\\naccounts:\\n  a: {}\\n  b: {}\\n  d: {login: [email:a], critical: true}\\n")
    >>> c = compiled(build_graph(inv))
    >>> x = extend(c, apply_change(inv, (AddMethod("d", "recovery", Method((Term("email", "b"),))),)))
    >>> raised(x, "d", compiled_resilience(c, "d")).k, raised(x, "d", compiled_resilience(x, "d"))
    (2, None)
    """
    if before.k is None:  # more than max_k already: nothing is more
        return None
    search = _Search(c_after, c_after.index[thing_id])
    if search.kills(_killers(before)):
        return None
    after = _row(c_after, search.target, before.max_k, search=search)
    return after if improves(before.k, after.k) else None


def derivation(c, thing_id: str, skip=()) -> frozenset[str] | None:
    """The ids of one derivation of the thing (itself, and the things the
    methods it is derived by use, down to the roots) with the methods
    `skip` taken away, one that uses few losable things; None when it is
    unavailable. A scenario that loses none of them leaves it available.
    Cost: a fixed point over the thing's ancestors.

    >>> from identity_map.format.load import load_text
    >>> from identity_map.analysis.engine import compiled
    >>> from identity_map.analysis.graph import build_graph
    >>> c = compiled(build_graph(load_text("version: 1\\naccounts:\\n  a: {}\\n  b: {login: [email:a]}\\n")))
    >>> sorted(derivation(c, "b")), derivation(c, "b", skip=c.methods_of[c.index["b"]])
    (['a', 'b', 'memory'], None)
    """
    return Without(c, thing_id, skip).derivation()


def available_in(c, thing_id: str, scenarios, skip=()) -> list[bool]:
    """Whether the thing is available in each scenario (an iterable of ids
    lost), with the methods `skip` taken away. Each is a fixed point over the
    thing's ancestors only (as in the search), memoised across scenarios.

    >>> from identity_map.format.load import load_text
    >>> from identity_map.analysis.engine import compiled
    >>> from identity_map.analysis.graph import build_graph
    >>> c = compiled(build_graph(load_text("version: 1\\naccounts:\\n  a: {}\\n  b: {login: [email:a]}\\n")))
    >>> available_in(c, "b", [[], ["a"]])
    [True, False]
    """
    return Without(c, thing_id, skip).available_in(scenarios)


class Without:
    """One thing with the methods `skip` (indices of c) taken away, as a
    change that removes them would leave it: what `derivation`,
    `available_in` and `compiled_resilience` each give, from one walk of
    its ancestors and one derivation with nothing lost, shared (each of
    those functions alone makes both). Cost: building it, the walk; each
    question, as its function says, less that shared part.

    >>> from identity_map.format.load import load_text
    >>> from identity_map.analysis.engine import compiled
    >>> from identity_map.analysis.graph import build_graph
    >>> c = compiled(build_graph(load_text("version: 1\\naccounts:\\n  a: {}\\n  b: {login: [email:a]}\\n")))
    >>> b = Without(c, "b")
    >>> sorted(b.derivation()), b.available_in([[], ["a"]]), b.row().k
    (['a', 'b', 'memory'], [True, False], 1)
    """

    def __init__(self, c, thing_id: str, skip=()):
        self.c = c
        self.search = _Search(c, c.index[thing_id], skip)

    def derivation(self) -> frozenset[str] | None:
        """`derivation(c, thing_id, skip)`."""
        used = self.search.standing
        return None if used is None else self.c.ids_of(used)

    def available_in(self, scenarios) -> list[bool]:
        """`available_in(c, thing_id, scenarios, skip)`."""
        search = self.search
        used = search.standing
        if used is None:
            return [False for _ in scenarios]
        # A loss that misses one derivation leaves it standing; only losses
        # upstream of the thing matter: the rest share one memoised search.
        up, index = search.ancestors, self.c.index
        return [used.isdisjoint(map(index.__getitem__, lost))
                or search.available(frozenset(map(index.__getitem__, lost)).intersection(up)) for lost in scenarios]

    def row(self, max_k: int = MAX_K) -> Row:
        """`compiled_resilience(c, thing_id, max_k, skip)`."""
        if max_k < 1:
            raise ValueError("max_k must be at least 1")
        return _row(self.c, self.search.target, max_k, search=self.search)

    def drops(self, row: Row) -> bool:
        """Whether taking `skip` away makes the thing easier to lose, given
        `row`, its `row()`: whether `improves(row.k, compiled_resilience(c,
        thing_id).k)`, without that search (False when k is None). With
        every method there, a set that kills the thing kills it without
        `skip` too, so it has at least k members, and k exactly when it is
        one of `row`'s sets (all the minimal ones): the resilience stays
        exactly when one of them still kills it with `skip` back. Cost: a
        fixed point over the ancestors per set, until one kills; the walk is
        this one's.

        >>> from identity_map.format.load import load_text
        >>> from identity_map.analysis.engine import compiled
        >>> from identity_map.analysis.graph import build_graph
        >>> c = compiled(build_graph(load_text("version: 1\\naccounts:\\n  a: {}\\n  b: {}\\n"
        ...                                    "  d: {login: [email:a], recovery: [email:b]}\\n")))
        >>> d = Without(c, "d", c.methods_of[c.index["d"]][1:])
        >>> d.drops(d.row()), Without(c, "d").drops(Without(c, "d").row())
        (True, False)
        """
        return row.k is not None and not self.search.unskipped().kills(_killers(row))


def _killers(row: Row) -> tuple[tuple[str, ...], ...]:
    """Every minimal set of `row.k` losses that loses the thing: its
    examples, or losing nothing when k is 0."""
    return row.examples if row.k else ((),)


def resilience(G: Graph, max_k: int = MAX_K) -> list[Row]:
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


CHUNK = 8192  # candidates whose necessity is computed together (bits per mask), as wide as engine.CHUNK


def single_points(G: Graph, thing_ids) -> dict[str, tuple[str, ...]]:
    """For each id of `thing_ids` available with nothing lost, the
    candidates (accounts, devices, phones, places; not the thing itself)
    whose loss alone loses it, in file order: its single points of failure,
    the k = 1 answer of `resilience`, without a fixed point per candidate.

    Necessity is a greatest fixed point: nec(root) = {root}, and for an
    available thing x, nec(x) = {x} + the intersection, over x's working
    methods, of the union of its terms' nec. Losing y loses x exactly when
    y is in nec(x) (a derivation without y shows y is not needed; if every
    method of x has a term that needs y, x cannot be derived without y).
    Sets are bit masks over CHUNK candidates at a time (`engine.necessity`,
    which `engine.rank` uses too), over what they can reach. Cost: about
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
    # As in `engine.rank`: only the candidates a working method names can be
    # another thing's single point, in derivation order; the first chunk
    # holds what everything leans on (so it looks at every available
    # thing), the later ones reach little.
    losable = takers(c, (i for i, t in enumerate(c.things) if t.kind in LOSABLE_KINDS))
    for start in range(0, len(losable), CHUNK):
        members = losable[start:start + CHUNK]
        bit = {x: 1 << k for k, x in enumerate(members)}
        nec = necessity(c, bit, None if start == 0 else downstream(c, members))
        for i in wanted:
            # The set bits only: a scan of every member per thing would be critical things x candidates.
            found[i] += [members[k] for k in bits_of(nec[i] & ~bit.get(i, 0))]
    return {c.ids[i]: tuple(c.ids[x] for x in sorted(xs)) for i, xs in found.items()}


def raises(G_before: Graph, G_after: Graph, thing_id: str, max_k: int = MAX_K) -> tuple[int | None, int | None]:
    """(k before, k after) for one thing, e.g. to tell whether a change
    raises a critical thing from 1 (a single point of failure) to 2.
    None means more than max_k. Use `improves` to compare."""
    return thing_resilience(G_before, thing_id, max_k).k, thing_resilience(G_after, thing_id, max_k).k


def improves(k_before: int | None, k_after: int | None) -> bool:
    """Whether k_after is strictly more resilient than k_before (None = more than max_k)."""
    big = float("inf")
    return (big if k_after is None else k_after) > (big if k_before is None else k_before)


# -- Output ----------------------------------------------------------------


def _row_json(r: Row) -> dict:
    return {"k": r.k, "max_k": r.max_k, "label": r.label, "count": r.count, "examples": [list(s) for s in r.examples]}


def resilience_json(rows: list[Row], takeover: list[Row] | None = None) -> list[dict]:
    """JSON-ready rows: id, name, kind, k (null = more than max_k), max_k,
    count (number of minimal sets), examples (every minimal set, as id lists);
    with `takeover` (the dual's rows), each also gets "takeover": the same
    fields for the fewest gains that let an attacker take it."""
    dual = {r.id: r for r in takeover or ()}
    out = []
    for r in rows:
        row = {"id": r.id, "name": r.name, "kind": r.kind, **_row_json(r)}
        if r.id in dual:
            row["takeover"] = _row_json(dual[r.id])
        out.append(row)
    return out


def _sets_text(r: Row, loss: str, losses: str, survives: str) -> str:
    """One row's figure in words, e.g. "1: 2 single losses: a; b"."""
    if r.k is None:
        return f"{r.label}: {survives} {r.max_k} {losses} together"
    if r.k == 0:
        return f"{r.label}: unavailable even with nothing lost"
    shown = "; ".join(" + ".join(s) for s in r.examples[:TEXT_EXAMPLES])
    more = r.count - min(r.count, TEXT_EXAMPLES)
    what = (f"single {loss}" if r.count == 1 else f"single {losses}") if r.k == 1 else \
        (f"set of {r.k} {losses}" if r.count == 1 else f"sets of {r.k} {losses}")
    return f"{r.label}: {r.count} {what}: {shown}" + (f"; and {more} more" if more else "")


def resilience_text(rows: list[Row], takeover: list[Row] | None = None) -> str:
    """A plain-text report, weakest first, a few example sets per thing;
    with `takeover` (the dual's rows) a second line per thing says what an
    attacker must gain to take it."""
    if not rows:
        return "No critical things: mark the things that matter with 'critical: true'.\n"
    dual = {r.id: r for r in takeover or ()}
    head = "Losses needed to lose each critical thing (1 = single point of failure)"
    lines = [head + (";\nthen the gains an attacker needs to take it (1 = one stolen thing is enough):"
                     if dual else ":"), ""]
    width = max(len(r.id) for r in rows)
    for r in rows:
        lines.append(f"  {r.id:<{width}}  {_sets_text(r, 'loss', 'losses', 'survives any')}")
        if r.id in dual:
            lines.append(f"  {'':<{width}}  takeover {_sets_text(dual[r.id], 'gain', 'gains', 'safe from any')}")
    return "\n".join(lines) + "\n"
