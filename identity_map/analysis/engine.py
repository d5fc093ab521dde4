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

Changed inventories that only add things and methods (every checklist
change, see `fixes`) need no new graph: availability is monotone in the
methods, so `extend` grows the compiled form and its baseline from the
original's by forward chaining through what was added, and `lost_after`
grows a scenario's fixed point the same way from its impact before the
change. Both share the fixed point's loop (`_chain`) with `_derive`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from itertools import chain, compress
from math import fsum
from operator import attrgetter, is_not, not_

from typing import TYPE_CHECKING, Union

from identity_map.analysis.graph import (Dependencies, build_graph, inventory_of, method_lists, method_node,
                                         method_targets, methods)
from identity_map.format.load import paused_gc
from identity_map.format.model import LOSABLE_KINDS, MEMORY, SELF, Edits, Inventory, Thing, is_root, login_role

LOST, RECOVERABLE, DEGRADED, OK, UNREACHABLE = "lost", "recoverable", "degraded", "ok", "unreachable"
STATUSES = (LOST, RECOVERABLE, DEGRADED, OK, UNREACHABLE)
# The roles of methods that count while the owner lives (legacy ones only after death).
LIVING_ROLES = ("login", "unlock", "recovery")
_LIVING = attrgetter(*LIVING_ROLES)
# What an after-death scenario always loses: what the owner knows, and the owner in person.
DEATH_LOSES = (MEMORY, SELF)

if TYPE_CHECKING:
    import networkx as nx

# What every analysis here takes: the drawn graph or the undrawn one (they share their caches).
Graph = Union["nx.DiGraph", Dependencies]


class Compiled:
    """The graph flattened into integer arrays for the fixed point: its
    method nodes of the living roles, in the graph's order, each with its
    owner and the indices of `graph.method_targets` (the edges into it).

    Built once per graph (`compiled(G)` caches it) straight from the
    inventory, without the networkx graph; holds the baseline.
    """

    @paused_gc()  # every list and tuple made here lives as long as the form
    def __init__(self, inventory: Inventory):
        self.inventory = inventory
        self.ids: list[str] = list(inventory.things)
        index = self.index = {tid: i for i, tid in enumerate(self.ids)}
        self.things: list[Thing] = list(inventory.things.values())
        # Methods, numbered: owner, whether login, distinct targets.
        self.m_owner: list[int] = []
        self.m_login: list[bool] = []
        self.m_targets: list[tuple[int, ...]] = []
        # The loader gives equal methods one tuple of terms (most accounts
        # log in alike), so their targets are looked up once; the key is
        # the tuple's id, which lives as long as the inventory held here.
        targets_of: dict[int, tuple[int, ...]] = {}
        known = targets_of.get
        for thing, role, listed in method_lists(inventory):
            if listed and role in LIVING_ROLES:
                for method in listed:
                    terms = method.terms
                    ts = known(id(terms))
                    if ts is None:
                        ts = targets_of[id(terms)] = tuple(map(index.__getitem__, method_targets(method)))
                    self.m_targets.append(ts)
                self.m_owner += [index[thing.id]] * len(listed)
                self.m_login += [login_role(role)] * len(listed)
        self._read_things()
        self._settle_all()

    def __getattr__(self, name: str):
        """`supports` and `support_count`, settled on first use: the
        well-founded supports (working methods whose terms were all derived
        before their owner) that delete-and-rederive reads; the ranking
        reads neither. Made whole before they are set: another thread may
        read them meanwhile."""
        if name not in SUPPORTS or "base_works" not in self.__dict__:
            raise AttributeError(name)
        supports, support_count = [False] * len(self.m_owner), [0] * len(self.ids)
        _support(self, supports, support_count, range(len(self.m_owner)), range(len(self.ids)))
        self.support_count, self.supports = support_count, supports
        return self.__dict__[name]

    def _read_things(self) -> None:
        self.is_root = [is_root(t) for t in self.things]
        self.is_critical = [t.critical for t in self.things]
        self.is_purchase = [t.kind == "purchase" for t in self.things]

    @cached_property
    def m_node(self) -> list[str]:
        """Every method's node in the graph (`graph.method_node`), numbered
        like the other method lists. Built on first use: the ranking never
        names a method. Cost: O(methods).

        >>> from identity_map.format.load import load_text
        >>> c = compiled(build_graph(load_text("version: 1\\naccounts:\\n  a: {recovery: [email:a]}\\n")))
        >>> c.m_node[-2:], c.login_only.m_node == c.m_node  # login_only numbers its methods alike
        (['a#login0', 'a#recovery0'], True)
        """
        return [method_node(thing.id, role, k) for thing, role, k, _ in methods(self.inventory)
                if role in LIVING_ROLES]

    # The methods its fixed point counts (None: all): `login_only` shares
    # its parent's method lists and counts only the login methods.
    counted: list[bool] | None = None

    @paused_gc()
    def _settle_all(self) -> None:
        """Indexes the methods and computes the baseline from the lists above."""
        self.methods_of: list[list[int]] = [[] for _ in self.ids]
        self.users: list[list[int]] = [[] for _ in self.ids]  # target -> methods naming it
        methods_of, users = self.methods_of, self.users
        for m, (owner, targets) in enumerate(zip(self.m_owner, self.m_targets)):
            methods_of[owner].append(m)
            for t in targets:
                users[t].append(m)
        self._settle_baseline()

    @paused_gc()
    def _settle_baseline(self) -> None:
        """The baseline, from the indexed methods."""
        self.base_avail, self.order = _derive(self, frozenset())
        n_methods = len(self.m_owner)
        self.base_works = [False] * n_methods
        _works(self, range(n_methods))
        # For output-sensitive summaries: constant parts computed once.
        self.unreachable_count = self.base_avail.count(False)
        self.extension: Extension | None = None  # set by `extend`

    def _sharing(self) -> Compiled:
        """A new form over the same things, its methods for the caller to
        set and settle (its flags shared when they are plain lists)."""
        x = Compiled.__new__(Compiled)
        x.inventory, x.ids, x.index, x.things = self.inventory, self.ids, self.index, self.things
        if type(self.is_root) is list:
            x.is_root, x.is_critical, x.is_purchase = self.is_root, self.is_critical, self.is_purchase
        else:  # an extension's layers: plain lists read faster in the fixed point
            x._read_things()
        return x

    @cached_property
    def login_only(self) -> Compiled:
        """The same things and methods, but only the login (and unlock)
        methods count (`counted`; the others never work): its fixed point is
        I, "reachable by login alone". Built on first use, sharing the
        method lists. Cost: O(things + terms)."""
        x = self._sharing()
        x.counted = self.m_login
        if type(self.m_owner) is list:  # the same methods, numbered alike: shared, not copied
            x.m_owner, x.m_login, x.m_targets = self.m_owner, self.m_login, self.m_targets
            x.methods_of, x.users = self.methods_of, self.users
            x._settle_baseline()
        else:  # an extension's layers, copied once: the fixed point reads plain lists faster
            x.m_owner, x.m_login, x.m_targets = list(self.m_owner), list(self.m_login), list(self.m_targets)
            x.m_node = self.m_node  # numbered as the extension's (new methods last), not as the file
            x._settle_all()
        return x

    @cached_property
    def after_death(self) -> Compiled:
        """The same things with their `legacy` methods added as recovery
        methods (after death they are how your people get in): its fixed
        point is A after death. Its own baseline is larger than the living
        one, which stays the baseline of every status (`impact_of`). Built
        on first use; works on a `Compiled` made by `extend` too (it reads
        the things, not the graph). Cost: O(things + terms)."""
        x = self._sharing()
        x.m_owner, x.m_login = self.m_owner.copy(), self.m_login.copy()
        x.m_targets, x.m_node = self.m_targets.copy(), self.m_node.copy()
        for i, thing in enumerate(self.things):
            for k, method in enumerate(thing.legacy):
                x.m_owner.append(i)
                x.m_login.append(False)
                x.m_targets.append(tuple(self.index[t] for t in method_targets(method)))
                x.m_node.append(method_node(thing.id, "legacy", k))
        x._settle_all()
        return x

    def death_losses(self) -> frozenset[str]:
        """The ids an after-death scenario loses besides its own: `memory`,
        and `self` when the inventory names it. Cost: O(1).

        >>> from identity_map.format.load import load_text
        >>> sorted(compiled(build_graph(load_text("version: 1\\naccounts:\\n  a: {login: [self]}\\n"))).death_losses())
        ['memory', 'self']
        """
        return frozenset(i for i in DEATH_LOSES if i in self.index)

    @cached_property
    def working(self) -> list[list[int]]:
        """For every thing, its methods that work in the baseline."""
        base_works = self.base_works
        return [[m for m in ms if base_works[m]] for ms in self.methods_of]

    def ids_of(self, indices) -> frozenset[str]:
        return frozenset(self.ids[i] for i in indices)


def _settle(c: Compiled, methods, owners) -> None:
    """Sets base_works and supports of `methods`, then support_count of
    `owners` (every owner of those methods among them), from c.base_avail
    and c.order."""
    _works(c, methods)
    _support(c, c.supports, c.support_count, methods, owners)


def _works(c: Compiled, methods) -> None:
    """Sets c.base_works of `methods`: whether every target is available
    (and the form counts the method: `Compiled.counted`)."""
    available, base_works, m_targets, counted = c.base_avail.__getitem__, c.base_works, c.m_targets, c.counted
    for m in methods:
        base_works[m] = all(map(available, m_targets[m])) and (counted is None or counted[m])


def _support(c: Compiled, supports, support_count, methods, owners) -> None:
    """Sets `supports` of `methods` (working, every target derived before
    the owner), then `support_count` of `owners`, from c.base_works and
    c.order."""
    order, m_targets, m_owner, base_works, methods_of = c.order, c.m_targets, c.m_owner, c.base_works, c.methods_of
    ordered = order.__getitem__
    for m in methods:
        supports[m] = base_works[m] and max(map(ordered, m_targets[m]), default=-1) < order[m_owner[m]]
    counted = supports.__getitem__
    for o in owners:
        support_count[o] = sum(map(counted, methods_of[o]))


def compiled(G: Graph) -> Compiled:
    """The cached `Compiled` form of G, a networkx graph of `build_graph`
    or its `Dependencies` (G must not be mutated afterwards). Cost: once
    O(things + terms), then O(1)."""
    c = G.graph.get("_compiled")
    if c is None:
        c = G.graph["_compiled"] = Compiled(inventory_of(G))
    return c


@dataclass(frozen=True)
class Extension:
    """How a `Compiled` made by `extend` differs from the one it extends:
    the indices of its new methods and new roots, and of the things that are
    available in its baseline but were not in the parent's."""

    parent: Compiled
    methods: tuple[int, ...]
    roots: tuple[int, ...]
    gained: tuple[int, ...]
    by_owner: dict[int, list[int]] = field(default_factory=dict)  # old thing available in the parent -> its new methods
    others: tuple[int, ...] = ()  # the new methods of the other things (new ones, unavailable in the parent)


class _Layer:
    """A list that reads through to a parent list, holding only the
    entries set since (`over`) and those appended (`tail`): an extended
    compiled form's arrays, without copying its parent's (which is never
    modified). Reads cost a Python call; the forms made by `extend` are
    read only around what a change touches."""

    __slots__ = ("base", "n", "over", "tail")

    def __init__(self, base, tail=None):
        self.base, self.n, self.over, self.tail = base, len(base), {}, [] if tail is None else tail

    def __len__(self) -> int:
        return self.n + len(self.tail)

    def __getitem__(self, i):
        if type(i) is not int:
            return [self[k] for k in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if i >= self.n:
            return self.tail[i - self.n]
        over = self.over
        return over[i] if i in over else self.base[i]

    def __setitem__(self, i: int, value) -> None:
        if i < 0:
            i += len(self)
        if i >= self.n:
            self.tail[i - self.n] = value
        elif 0 <= i:
            self.over[i] = value
        else:
            raise IndexError(i)

    def append(self, value) -> None:
        self.tail.append(value)

    def __iter__(self):
        over = self.over
        for i, value in enumerate(self.base):
            yield over[i] if i in over else value
        yield from self.tail

    def flat(self) -> list:
        """`list(self)`, copied at C speed but for the entries set since.

        >>> layer = _Layer([1, 2, 3], [4])
        >>> layer[1] = 20
        >>> layer.flat(), list(layer)
        ([1, 20, 3, 4], [1, 20, 3, 4])
        """
        out = list(self.base)
        for i, value in self.over.items():
            out[i] = value
        out += self.tail
        return out

    def copy(self) -> _Layer:
        """Another layer over the same parent: O(entries set and appended)."""
        twin = _Layer(self.base, list(self.tail))
        twin.over = dict(self.over)
        return twin

    def count(self, value) -> int:
        return list(self).count(value)

    def __add__(self, other) -> list:
        return list(self) + list(other)

    def __eq__(self, other) -> bool:
        return list(self) == list(other)

    __hash__ = None


class _Grown:
    """A parent's list and the entries appended since, read as one list
    (iteration at C speed) without copying the parent's, which is never
    modified: an extended compiled form's `users` of an old thing.

    >>> base = [1, 2]
    >>> grown = _Grown(base)
    >>> grown.append(3)
    >>> list(grown), len(grown), base, grown == [1, 2, 3]
    ([1, 2, 3], 3, [1, 2], True)
    """

    __slots__ = ("base", "tail")

    def __init__(self, base):
        self.base, self.tail = base, []

    def append(self, value) -> None:
        self.tail.append(value)

    def __iter__(self):
        return chain(self.base, self.tail)

    def __len__(self) -> int:
        return len(self.base) + len(self.tail)

    def __eq__(self, other) -> bool:
        return list(self) == list(other)

    def __repr__(self) -> str:
        return repr(list(self))

    __hash__ = None


class _Names(Mapping):
    """A parent's id -> index map plus the ids an extension adds (the only
    ones stored)."""

    __slots__ = ("base", "new")

    def __init__(self, base: Mapping[str, int], new: dict[str, int]):
        self.base, self.new = base, new

    def __getitem__(self, tid: str) -> int:
        i = self.new.get(tid)
        return self.base[tid] if i is None else i

    def __contains__(self, tid) -> bool:
        return tid in self.new or tid in self.base

    def __iter__(self):
        yield from self.base
        yield from self.new

    def __len__(self) -> int:
        return len(self.base) + len(self.new)


class _Flags:
    """A list of flags read through to `base` (False past its end) but for
    the entries set since: a scenario's availability as the few places it
    differs from the baseline, without copying the baseline."""

    __slots__ = ("base", "n", "changes", "off")

    def __init__(self, base: list[bool], changes: dict[int, bool], off: frozenset[int] = frozenset()):
        # `off`: entries read as False unless set since (a scenario's losses, shared, never copied)
        self.base, self.n, self.changes, self.off = base, len(base), changes, off

    def __getitem__(self, i: int) -> bool:
        v = self.changes.get(i)
        if v is None:
            return i < self.n and i not in self.off and self.base[i]
        return v

    def __setitem__(self, i: int, v: bool) -> None:
        self.changes[i] = v

    def copy(self) -> _Flags:
        return _Flags(self.base, dict(self.changes), self.off)


def extend(c: Compiled, inventory: Inventory) -> Compiled:
    """The `Compiled` form of `inventory`, which must only add to
    c.inventory: new things after the old ones, and new login or recovery
    methods after a thing's old ones (what every change in `fixes` does);
    anything else raises ValueError. The same figures as
    `compiled(build_graph(inventory))` (the tests compare them), without
    the graph: old things keep their indices, new methods get new numbers,
    and the baseline grows from c's by forward chaining through what was
    added (`_grow`; availability is monotone in the methods). Its
    `extension` records what was added, for `lost_after`.
    Cost: the terms of the new methods and the methods of what they make
    available, plus, unless the inventory's things are `Edits` of c's
    (`fixes.edited`), its ids and things as lists and one comparison per
    thing (C speed): its arrays are layers over c's (`_Layer`), holding
    only what differs, so c is never copied nor modified. Has no graph: give it to `impact_of`,
    `lost_after` or `resilience.compiled_resilience`."""
    n = len(c.ids)
    things = inventory.things
    x = _Extended.__new__(_Extended)
    x.inventory = inventory
    if isinstance(things, Edits) and things.base is c.inventory.things:
        # The edits say what differs: nothing else is read.
        added = [things[t] for t in things.added]
        x.ids = _Layer(c.ids, list(things.added)) if added else c.ids
        x.things = _Layer(c.things, added)
        replaced = things.replaced
        changed = [c.index[t] for t in replaced] if len(replaced) == 1 else sorted(c.index[t] for t in replaced)
        for i in changed:
            x.things.over[i] = replaced[c.ids[i]]
    else:
        x.ids = list(things)
        if x.ids[:n] != c.ids:
            raise ValueError("not an extension: the inventory drops or reorders things")
        x.things = list(things.values())
        changed = list(compress(range(n), map(is_not, c.things, x.things)))  # at C speed: it is every candidate's
        added = x.things[n:]
    ids = x.ids
    grown = len(ids) > n
    # With no thing added (most changes), what is fixed per thing is the parent's own lists, read
    # without a call (never modified: only `over` and `tail` of a layer are written).
    if grown:
        x.index = _Names(c.index, {ids[i]: i for i in range(n, len(ids))})
        x.is_root = _Layer(c.is_root, [is_root(t) for t in added])
        x.is_critical = _Layer(c.is_critical, [t.critical for t in added])
        x.is_purchase = _Layer(c.is_purchase, [t.kind == "purchase" for t in added])
    else:
        x.index, x.is_root, x.is_critical, x.is_purchase = c.index, c.is_root, c.is_critical, c.is_purchase
    x.m_owner, x.m_login = _Layer(c.m_owner), _Layer(c.m_login)
    x.m_targets, x.m_node = _Layer(c.m_targets), _Layer(c.m_node)
    x.methods_of = _Layer(c.methods_of, [[] for _ in added])  # inner lists copied when they change
    x.users = _Layer(c.users, [[] for _ in added])
    first_method = len(c.m_owner)
    # Appends go straight to the layers' tails, and an old thing's lists, copied once it changes,
    # to their entries set (`over`): what the layers' own methods do, without a call per step.
    owners, logins, m_targets, nodes = x.m_owner.tail, x.m_login.tail, x.m_targets.tail, x.m_node.tail
    own_over, own_tail, users_over, users_tail = x.methods_of.over, x.methods_of.tail, x.users.over, x.users.tail
    lookup = x.index.__getitem__ if grown else c.index.__getitem__  # a dict's at C speed when nothing is added
    new_things = x.things.tail if isinstance(x.things, _Layer) else added
    now_of = x.things.over.__getitem__ if isinstance(x.things, _Layer) else x.things.__getitem__
    # Old things whose methods changed (in file order), then the new things.
    for i in [*changed, *range(n, len(ids))]:
        if i < n:
            new, old = now_of(i), c.things[i]
            if new.kind != old.kind or is_root(new) != is_root(old) or new.legacy[:len(old.legacy)] != old.legacy:
                raise ValueError(f"not an extension: '{new.id}' changes its kind or its methods")
            if new.critical != old.critical:
                if not isinstance(x.is_critical, _Layer):
                    x.is_critical = _Layer(c.is_critical)
                x.is_critical.over[i] = new.critical
            if i not in own_over:  # copied once: an old thing's list is its parent's
                own_over[i] = list(c.methods_of[i])
            mine = own_over[i]
            had = _LIVING(old)
        else:
            new = new_things[i - n]
            mine = own_tail[i - n]
            had = ((), (), ())
        for role, listed, was in zip(LIVING_ROLES, _LIVING(new), had):  # in the order the graph numbers them
            if listed is was:  # unchanged (the most common case: a change adds to one role)
                continue
            if listed[:len(was)] != was:
                raise ValueError(f"not an extension: '{new.id}' changes its kind or its methods")
            login = login_role(role)
            for k in range(len(was), len(listed)):
                m = first_method + len(owners)
                targets = tuple(map(lookup, method_targets(listed[k])))
                owners.append(i)
                logins.append(login)
                m_targets.append(targets)
                nodes.append(method_node(new.id, role, k))
                mine.append(m)
                for t in targets:
                    if t >= n:
                        users_tail[t - n].append(m)
                    else:
                        if t not in users_over:  # users grow without a copy: `memory` or a hub mailbox is named by most methods
                            users_over[t] = _Grown(c.users[t])
                        users_over[t].append(m)
    new_methods = tuple(range(first_method, first_method + len(owners)))
    base_avail = c.base_avail
    if grown:
        roots = tuple(i for i in range(n, len(ids)) if x.is_root[i])
        x.base_avail = _Layer(base_avail, [False] * len(added))
        x.order = _Layer(c.order, [-1] * len(added))
        gained = _grow(x, x.base_avail, x.order, frozenset(), new_methods, roots, n - c.unreachable_count)
    elif all(map(base_avail.__getitem__, owners)):  # every new method's owner works already: nothing to grow
        roots, gained, x.base_avail, x.order = (), [], base_avail, c.order
    else:
        roots = ()
        x.base_avail, x.order = _Layer(base_avail), _Layer(c.order)
        gained = _grow(x, x.base_avail, x.order, frozenset(), new_methods, roots, n - c.unreachable_count)
        if not gained:  # the baseline is the parent's, as its lists
            x.base_avail, x.order = base_avail, c.order
    x.unreachable_count = c.unreachable_count + len(added) - len(gained)
    by_owner: dict[int, list[int]] = {}
    others = []
    for m, o in zip(new_methods, owners):
        if o < n and base_avail[o]:
            by_owner.setdefault(o, []).append(m)
        else:
            others.append(m)
    x.extension = Extension(c, new_methods, roots, tuple(gained), by_owner, tuple(others))
    return x


class _Extended(Compiled):
    """A `Compiled` made by `extend`. Its baseline's supports (`base_works`,
    `supports`, `support_count`: what delete-and-rederive reads) are
    settled on first use: verifying one checklist change (`changes_after`,
    resilience, takeover) reads none of them, and settling was a third of
    `extend`'s cost there."""

    def __getattr__(self, name: str):
        if name not in SETTLED or "extension" not in self.__dict__:
            raise AttributeError(name)
        self._settle_extension()
        return self.__dict__[name]

    def _settle_extension(self) -> None:
        # A method can start to work only if it is new or names something
        # gained (an old one whose targets were all available worked already);
        # only those and their owners are settled again.
        ext = self.extension
        c = ext.parent
        self.base_works = _Layer(c.base_works, [False] * len(ext.methods))
        self.supports = _Layer(c.supports, [False] * len(ext.methods))
        self.support_count = _Layer(c.support_count, [0] * (len(self.ids) - len(c.ids)))
        methods = set(ext.methods)
        for g in ext.gained:
            methods.update(self.users[g])
        _settle(self, methods, {self.m_owner[m] for m in methods})


SETTLED = ("base_works", "supports", "support_count")
SUPPORTS = SETTLED[1:]  # what a `Compiled` settles on first use
LAYERED = ("ids", "things", "is_root", "is_critical", "is_purchase", "m_owner", "m_login", "m_targets", "m_node",
           "methods_of", "users", "base_avail", "order", "base_works", "supports", "support_count")


def flattened(x: Compiled) -> Compiled:
    """x (from `extend`) with its layers made plain lists, in place, and
    returned: for a form that many scenarios grow far through (the
    checklist's check of every fix at once), where reading through layers
    would cost a Python call per step. Cost: O(things + methods), once.

    >>> from identity_map.format.load import load_text
    >>> c = compiled(build_graph(load_text("version: 1\\naccounts:\\n  a: {}\\n")))
    >>> x = extend(c, c.inventory)
    >>> type(x.users).__name__, type(flattened(x).users).__name__, x.users == c.users
    ('_Layer', 'list', True)
    """
    for name in LAYERED:
        value = getattr(x, name)
        if isinstance(value, _Layer):
            setattr(x, name, value.flat())
    return x


def _derive(c: Compiled, lost: frozenset[int]) -> tuple[list[bool], list[int]]:
    """Least fixed point with `lost` forced unavailable: (available, order)."""
    n = len(c.ids)
    avail = [False] * n
    order = [-1] * n
    queue = [i for i in range(n) if c.is_root[i] and i not in lost]
    for i in queue:
        avail[i] = True
    missing = list(map(len, c.m_targets))
    if c.counted is not None:
        for m in compress(range(len(missing)), map(not_, c.counted)):
            missing[m] = -1  # never counted down to 0: the method never opens its owner
    _chain(c, avail, order, queue, missing, lost, 0)
    return avail, order


def _chain(c: Compiled, avail, order, queue: list[int], missing, lost, first: int) -> None:
    """The loop of the least fixed point, shared by `_derive` and `_grow`:
    takes the things of `queue` in turn (already marked in `avail`), numbers
    each `first`, `first`+1, ... in `order`, and marks and queues the owner
    of every method whose last missing target it was, unless in `lost`.
    `missing[m]` counts m's targets not taken from the queue yet (a list, or
    a mapping that counts on first use). Mutates its arguments; cost: the
    methods naming the things taken."""
    users, m_owner = c.users, c.m_owner
    # A for loop over a list visits what is appended meanwhile (the
    # language reference's "internal counter"): the queue, without a head.
    for head, x in enumerate(queue, first):
        order[x] = head
        for m in users[x]:
            missing[m] -= 1
            if missing[m] == 0:
                o = m_owner[m]
                if not avail[o] and o not in lost:
                    avail[o] = True
                    queue.append(o)


class _Unavailable(dict):
    """method -> its targets unavailable in `avail` (a snapshot), counted on first use."""

    def __init__(self, c: Compiled, avail: list[bool]):
        super().__init__()
        self.m_targets, self.avail = c.m_targets, avail

    def __missing__(self, m: int) -> int:
        avail = self.avail
        return sum(1 for t in self.m_targets[m] if not avail[t])


def _grow(c: Compiled, avail: list[bool], order, lost, methods, roots, first: int) -> list[int]:
    """Forward chaining from a fixed point of fewer methods and things:
    `avail` is closed under every method of c but `methods` (the new ones)
    and lacks the new `roots`; marks what they make available too (monotone:
    nothing is ever taken away) and returns those indices in derivation
    order, numbered from `first` in `order`. Cost: the methods of what
    becomes available, not the graph."""
    missing = _Unavailable(c, avail.copy())
    queue = []
    for x in roots:
        if not avail[x] and x not in lost:
            avail[x] = True
            queue.append(x)
    for m in methods:
        o = c.m_owner[m]
        if not avail[o] and o not in lost and missing[m] == 0:  # counting last: most owners are available
            avail[o] = True
            queue.append(o)
    _chain(c, avail, order, queue, missing, lost, first)
    return queue


def fixed_point(G: Graph, lost=(), login_alone: bool = False, after_death: bool = False) -> frozenset[str]:
    """The ids available when `lost` are lost, by the plain least fixed point
    (A; with `login_alone`, I: only login and unlock methods count; with
    `after_death`, legacy methods count as recovery too: it loses nothing
    by itself, `lost` must name memory and self).
    Cost: O(nodes + terms). The reference `impact` is checked against.

    >>> from identity_map.format.load import load_text
    >>> G = build_graph(load_text("version: 1\\naccounts:\\n  a: {login: [email:b]}\\n  b: {login: [email:a]}\\n"))
    >>> sorted(fixed_point(G))   # circular support counts for nothing
    ['memory']
    """
    c = compiled(G)
    c = c.login_only if login_alone else c.after_death if after_death else c
    avail, _ = _derive(c, frozenset(c.index[i] for i in lost))
    return c.ids_of(i for i, a in enumerate(avail) if a)


@dataclass(frozen=True)
class Impact:
    """The outcome of one scenario. Statuses of ids not in `lost`,
    `recoverable` or `degraded` are ok, or unreachable when unavailable in
    the baseline. `lost` includes the scenario's own ids (if they were
    available at all). `recoverable` and `degraded` are computed on first
    use (`impact_of` says how): a checklist reads only `lost` of the
    thousands of scenarios in its scope."""

    scenario: frozenset[str]
    lost: frozenset[str]
    compiled: Compiled
    selectors: tuple[str, ...] = ()  # what the scenario was asked as (see `selectors.scenario_impact`)
    after_death: bool = False  # legacy methods counted; `scenario` includes memory (and self)

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
    def already_unreachable(self) -> tuple[str, ...]:
        """The scenario's ids that were unavailable even with nothing lost
        (file order): losing them changes nothing, which a person should be
        told rather than see "0 lost"."""
        c = self.compiled
        return tuple(c.ids[i] for i in sorted(c.index[t] for t in self.scenario) if not c.base_avail[i])

    @cached_property
    def lost_indices(self) -> frozenset[int]:
        """`lost` as indices of `compiled`."""
        return frozenset(map(self.compiled.index.__getitem__, self.lost))

    @cached_property
    def scenario_indices(self) -> frozenset[int]:
        """`scenario` as indices of `compiled` (each checklist change verified
        in this scenario reads them)."""
        return frozenset(map(self.compiled.index.__getitem__, self.scenario))

    @cached_property
    def recoverable(self) -> frozenset[str]:
        """Available, reachable by login alone in the baseline, but not now:
        the I fixed point (`c.login_only`) by delete-and-rederive."""
        c = self.compiled
        return c.ids_of(_rederive(c.login_only, {c.index[i] for i in self.scenario}) - self.lost_indices)

    @cached_property
    def degraded(self) -> frozenset[str]:
        """Neither lost nor recoverable, with a method that worked in the
        baseline and names something lost."""
        c = self.compiled
        gone = self.lost_indices
        touched = {c.m_owner[m] for x in gone for m in c.users[x] if c.base_works[m]}
        return c.ids_of(touched - gone - set(map(c.index.__getitem__, self.recoverable)))

    @cached_property
    def statuses(self) -> dict[str, str]:
        """Every id of the inventory, in file order, with its status."""
        return {tid: self.status(tid) for tid in self.compiled.ids}

    @cached_property
    def summary(self) -> Summary:
        return summarize(self)


def impact(G: Graph, lost=(), after_death: bool = False) -> Impact:
    """Statuses when the ids in `lost` are lost (unknown ids raise KeyError).
    Cost: proportional to the edges around what the loss reaches, not to the
    graph (see the module docstring).

    >>> from identity_map.format.load import load_text
    >>> G = build_graph(load_text("version: 1\\naccounts:\\n  mail: {}\\n  shop: {login: [email:mail]}\\n"))
    >>> sorted(impact(G, ["mail"]).lost)
    ['mail', 'shop']

    `after_death`: what your people can reach (see `impact_of`).

    >>> G = build_graph(load_text("version: 1\\npeople:\\n  anna: {}\\naccounts:\\n  apple: {legacy: [person:anna]}\\n"))
    >>> impact(G, after_death=True).status("apple")
    'recoverable'
    """
    return impact_of(compiled(G), lost, after_death)


def impact_of(c: Compiled, lost=(), after_death: bool = False) -> Impact:
    """`impact` on a compiled form: c may come from `compiled(G)` or from
    `extend` (no graph needed). Same contract and cost as `impact`.

    Two fixed points, both by delete-and-rederive from their baselines: A
    (login and recovery) gives `lost`; I (login alone, `c.login_only`)
    gives `recoverable` (on first use): available, reachable by login alone
    in the baseline, but not now. `degraded`: neither, with a method that
    worked in the baseline and no longer does.

    `after_death` also loses memory and self, and counts `legacy` methods as
    recovery (`c.after_death`, A_d), against the living baseline A(∅), I(∅).
    A_d(∅) contains A(∅) (more methods), so lost = A(∅) minus A_d(L) is
    the rederivation from A_d's baseline cut to A(∅); legacy methods are no
    login, so I is the living one, and a method that stopped working names
    something lost: the living `recoverable` and `degraded` rules apply."""
    scenario = frozenset(lost) | (c.death_losses() if after_death else frozenset())
    lost_idx = {c.index[i] for i in scenario}
    if after_death:
        gone = {x for x in _rederive(c.after_death, lost_idx) if c.base_avail[x]}
    else:
        gone = _rederive(c, lost_idx)
    return Impact(scenario, c.ids_of(gone), c, after_death=after_death)


def lost_after(x: Compiled, before: Impact, also_lost=()) -> frozenset[str]:
    """The ids lost in `before`'s scenario once the additions of x are made:
    exactly `impact_of(x, before.scenario | also_lost).lost`, for x =
    `extend(c, ...)`, `before` an impact on c, and `also_lost` ids of things
    x adds that the scenario takes too (a backup disk added at the site that
    burns: see `selectors`). Availability only grows with methods, so the
    scenario's fixed point grows from before's by forward chaining through
    what x adds (`_grow`); lost = before's lost, plus what x gains in its
    baseline, minus what the scenario gains.
    Only a new method whose owner is unavailable can make anything
    available, so the methods looked at are those of the things the
    scenario loses and of the things unavailable before the change.
    Cost: O(lost) plus the methods of what the additions make available:
    independent of the size of the inventory and of how much the scenario
    loses beyond that, unlike a fresh `impact`."""
    saved = _regrown(x, before, also_lost)
    return x.ids_of(before.lost_indices.union(x.extension.gained).difference(saved))


def changes_after(x: Compiled, before: Impact, also_lost=()) -> tuple[frozenset[str], frozenset[str]]:
    """How `before`'s scenario fares once the additions of x are made, as
    (saved, worse): the ids it loses before and not after, and the ids of
    things that were there before the change (not added by it) that it
    loses after and not before. Exactly `before.lost - L` and `L & old ids
    - before.lost` for L = `lost_after(x, before, also_lost)`, at the cost
    of what changes: O(saved + what the additions make available), not
    O(lost).

    >>> from identity_map.format.load import load_text
    >>> from identity_map.checklist.fixes import AddMethod, apply_change
    >>> from identity_map.format.model import Method, Term
    >>> G = build_graph(load_text("version: 1\\naccounts:\\n  a: {}\\n  b: {}\\n  c: {login: [email:a]}\\n"))
    >>> change = (AddMethod("c", "recovery", Method((Term("email", "b"),))),)
    >>> changes_after(extend(compiled(G), apply_change(inventory_of(G), change)), impact(G, ["a"]))
    (frozenset({'c'}), frozenset())
    """
    saved = _regrown(x, before, also_lost)
    c = x.extension.parent
    n = len(c.ids)
    lost_idx = before.lost_indices
    return (c.ids_of(i for i in saved if i in lost_idx),
            c.ids_of(i for i in x.extension.gained if i < n and i not in saved))


def changes_rederived(x: Compiled, before: Impact, also_lost=()) -> tuple[frozenset[str], frozenset[str]]:
    """`changes_after(x, before, also_lost)`, the same pair, computed the
    other way: the scenario's losses on x by delete-and-rederive from x's
    own baseline (`impact_of(x, ...).lost`, living methods only), compared
    with before's. Cost: what the scenario reaches in x, however much x
    adds; `changes_after` instead regrows every addition the scenario does
    not lose (a new place and every method naming it) in each scenario. For
    one form that adds much and is checked against many scenarios (the
    checklist's check of every fix at once, on a `flattened` form).
    Only O(lost) when x's baseline gains no old thing and no thing the
    scenario loses (but its own) has a new method: then it saves nothing
    and loses nothing more (see `_may_differ`), which is most scenarios of
    the check of every fix at once.

    A new mailbox saves c when a is lost, unless the scenario takes it too:

    >>> from identity_map.format.load import load_text
    >>> from identity_map.checklist.fixes import AddMethod, AddThing, apply_change
    >>> from identity_map.format.model import Method, Term, Thing
    >>> G = build_graph(load_text("version: 1\\naccounts:\\n  a: {}\\n  c: {login: [email:a]}\\n"))
    >>> box = Thing(id="box", kind="account", name="Box", login=(Method((Term("password", "memory"),)),))
    >>> x = extend(compiled(G), apply_change(inventory_of(G), (AddThing(box), AddMethod("c", "recovery",
    ...                                                           Method((Term("email", "box"),))))))
    >>> changes_rederived(x, impact(G, ["a"])), changes_rederived(x, impact(G, ["a"]), ["box"])
    ((frozenset({'c'}), frozenset()), (frozenset(), frozenset()))
    """
    ext = x.extension
    if ext is None or ext.parent is not before.compiled:
        raise ValueError("x must extend the compiled form of `before`")
    n = len(ext.parent.ids)
    extra = {x.index[i] for i in also_lost}
    if any(i < n for i in extra):
        raise ValueError("also_lost must name only things that x adds")
    forced = before.scenario_indices  # old things keep their indices in x
    lost_idx = before.lost_indices
    if not _may_differ(ext, lost_idx, forced):
        return frozenset(), frozenset()
    lost_now = _rederive(x, forced | extra)
    return (x.ids_of(i for i in lost_idx if i not in lost_now),
            x.ids_of(i for i in lost_now if i < n and i not in lost_idx))


def _lost_owners(ext: Extension, lost_idx: frozenset[int]) -> list[int]:
    """The things of `ext.by_owner` (old, available before, with new
    methods) among `lost_idx`. Cost: O(the fewer of the two)."""
    by_owner = ext.by_owner
    if len(lost_idx) < len(by_owner):
        return [o for o in lost_idx if o in by_owner]
    return [o for o in by_owner if o in lost_idx]


def _may_differ(ext: Extension, lost_idx: frozenset[int], forced: frozenset[int]) -> bool:
    """Whether a scenario that loses `lost_idx` (indices of ext.parent),
    `forced` among them, can fare differently with ext's additions. Of
    the old things available in the scenario after the change and not
    before, take the first in its derivation order: the method deriving it
    is new (an old one names only old things, derived before it, so
    available before the change too), so it is a thing of `ext.by_owner`
    that the scenario lost without forcing it, or an old thing that only
    the change made available (in `ext.gained`). And only such a gained
    thing can be lost after and not before: an old thing the scenario
    kept keeps its old methods. Cost: O(lost), or O(owners of new
    methods) when fewer, plus O(gained)."""
    n = len(ext.parent.ids)
    if any(i < n for i in ext.gained):
        return True
    return any(o not in forced for o in _lost_owners(ext, lost_idx))


def _regrown(x: Compiled, before: Impact, also_lost) -> set[int]:
    """The indices that `before`'s scenario loses (or that x's baseline
    gains) which the additions of x make available in it (`lost_after`)."""
    ext = x.extension
    if ext is None or ext.parent is not before.compiled:
        raise ValueError("x must extend the compiled form of `before`")
    c = ext.parent
    forced = before.scenario_indices
    if also_lost:
        extra = frozenset(x.index[i] for i in also_lost)
        if any(i < len(c.ids) for i in extra):
            raise ValueError("also_lost must name only things that x adds")
        forced = forced | extra
    lost_idx = before.lost_indices
    avail = _Flags(c.base_avail, {}, lost_idx)
    by_owner = ext.by_owner
    methods = [m for o in _lost_owners(ext, lost_idx) for m in by_owner[o]] + list(ext.others)
    return set(_grow(x, avail, {}, forced, methods, ext.roots, 0))


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


def summarize(result: Impact) -> Summary:
    """Counts per status, money lost per currency (exactly rounded sums,
    whatever the order: `rank` adds the same prices another way), critical
    things lost. Cost: O(lost things), not O(things)."""
    c = result.compiled
    counts = dict.fromkeys(STATUSES, 0)
    counts[LOST] = len(result.lost)
    counts[RECOVERABLE] = len(result.recoverable)
    counts[DEGRADED] = len(result.degraded)
    counts[UNREACHABLE] = c.unreachable_count
    counts[OK] = len(c.ids) - sum(counts.values())
    money, critical = tally(c, map(c.index.__getitem__, result.lost))
    return Summary(counts, money, critical)


def tally(c: Compiled, indices) -> tuple[dict[str, float], tuple[str, ...]]:
    """(money per currency, sorted by currency; critical ids in file order)
    of the things at `indices`: what a lockout loses or a takeover takes.
    Each currency is summed with math.fsum, so any order of the same prices
    gives the same total to the bit (rank's sums equal impact's).
    Cost: O(k) for k indices, and the sort of the critical ones.

    >>> from identity_map.format.load import load_text
    >>> c = compiled(build_graph(load_text("version: 1\\naccounts:\\n  a: {critical: true}\\n  b: {critical: true}\\n"
    ...     "purchases:\\n  p: {account: a, price: 2.5}\\n")))
    >>> tally(c, [c.index["p"], c.index["b"], c.index["a"]])
    ({'EUR': 2.5}, ('a', 'b'))
    """
    is_purchase, is_critical, things = c.is_purchase, c.is_critical, c.things
    prices: dict[str, list[float]] = {}
    critical = []
    for i in indices:
        if is_purchase[i]:
            thing = things[i]
            prices.setdefault(thing.currency, []).append(thing.price)  # fsum: the order does not matter
        if is_critical[i]:
            critical.append(i)
    if not (prices or critical):  # most single gains and losses: nothing to add up or sort
        return {}, ()
    critical.sort()  # file order
    ids = c.ids
    return {cur: fsum(p) for cur, p in sorted(prices.items())}, tuple([ids[i] for i in critical])


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


def severity(critical: tuple[str, ...], money: dict[str, float], count: int) -> tuple[float, ...]:
    """The sort key of "worst first": most critical things, then most money
    (all currencies added), then most things. O(currencies).

    >>> severity(("photos",), {"EUR": 5.0}, 3) < severity((), {"EUR": 900.0}, 30)
    True
    """
    return -len(critical), -sum(money.values()), -count


def candidates(G: Graph) -> list[str]:
    """Ids whose loss alone the ranking weighs: accounts, devices, phones, places."""
    return [t.id for t in inventory_of(G) if t.kind in LOSABLE_KINDS]


def rank(G: Graph) -> list[RankRow]:
    """The impact of losing each candidate alone, worst first: most critical
    things lost, then most money (all currencies added), then most things
    lost; ties keep the file order. Exactly the rows of `impact(G, [id])`
    for every candidate (the tests compare them), without computing any
    blast radius: the counts come from the necessity masks of A and I
    (`necessity`) of the candidates that can take more than themselves
    (`takers`), CHUNK at a time, added up column by column
    (`_column_sums`). Cost: for each chunk, the terms downstream of its
    candidates (every term, for the first), in operations on masks as wide
    as the chunk: near-linear on realistic inventories; a login chain of n
    accounts is n^2/(2 CHUNK) thing visits instead of the n^2/2 of the
    sweep.
    Once per graph: validation, the app and the checklist all rank the
    same graph, so the rows are cached on it (a fresh list each time).

    >>> from identity_map.format.load import load_text
    >>> G = build_graph(load_text("version: 1\\naccounts:\\n  mail: {}\\n  shop: {login: [email:mail]}\\n"))
    >>> [(r.id, r.lost) for r in rank(G)]
    [('mail', 1), ('shop', 0)]
    """
    cached = G.graph.get("_rank")
    if cached is None:
        cached = G.graph["_rank"] = _ranked(G)
    return list(cached)


# The sort's key tuples (one per row) would set off collections that rescan
# every object the compiling and the masks just made (all alive, acyclic).
@paused_gc()
def _ranked(G: Graph) -> tuple[RankRow, ...]:
    rows = _rank_rows(compiled(G), candidates(G))
    rows.sort(key=lambda r: severity(r.critical_lost, r.money_lost, r.lost))  # stable: ties stay in file order
    return tuple(rows)


CHUNK = 8192  # candidates ranked together: the width of the masks, in bits (wider: fewer rereads, longer ints)


def _rank_rows(c: Compiled, ids: list[str]) -> list[RankRow]:
    """One RankRow per id of `ids` (in that order), from necessity masks,
    CHUNK candidates at a time (in derivation order, so that one chunk
    holds the mailboxes and devices everything leans on, and the others
    reach little), each over the things downstream of its candidates but
    the first, over every available thing (nearly all of them are
    downstream of it, and finding which cost more than the masks)."""
    login = c.login_only
    wanted = [c.index[t] for t in ids]
    base_avail = c.base_avail
    columns = takers(c, wanted)
    found: dict[int, RankRow] = {}
    for start in range(0, len(columns), CHUNK):
        _rank_chunk(c, login, columns[start:start + CHUNK], found, whole=start == 0)
    out = []
    for x in wanted:
        row = found.get(x)
        if row is None:  # losing it takes itself at most (nothing if unavailable already)
            thing = c.things[x]
            money, critical = tally(c, (x,)) if base_avail[x] else ({}, ())
            row = RankRow(thing.id, thing.name, thing.kind, 0, 0, 0, money, critical)
        out.append(row)
    return out


def single_losses(G: Graph) -> list[tuple[str, frozenset[str], tuple[str, ...]]]:
    """(id, lost, critical lost) of each candidate whose loss alone takes
    more than itself or something critical, worst first: the rows of
    `rank` with `lost` or `critical_lost`, in rank's order, with what
    `impact(G, [id])` loses (the id included) and its critical things in
    file order (the tests compare them), for the checklist's scope. From
    the necessity masks of A alone, CHUNK `takers` at a time as `rank`
    reads them; no fixed point of login alone (rank's recoverable) and no
    degraded count. Cost: the masks, plus the things the losses take in
    all (each mask's bits read once for the things that share it). Once
    per graph, cached on it like `rank` (a fresh list each time).

    >>> from identity_map.format.load import load_text
    >>> G = build_graph(load_text("version: 1\\naccounts:\\n  mail: {}\\n  shop: {login: [email:mail]}\\n"
    ...                           "  bank: {critical: true}\\n"))
    >>> [(i, sorted(lost), critical) for i, lost, critical in single_losses(G)]
    [('bank', ['bank'], ('bank',)), ('mail', ['mail', 'shop'], ())]
    """
    cached = G.graph.get("_single_losses")
    if cached is None:
        cached = G.graph["_single_losses"] = _single_losses(G)
    return list(cached)


@paused_gc()  # the lost lists and sets: many small objects, all kept
def _single_losses(G: Graph) -> tuple[tuple[str, frozenset[str], tuple[str, ...]], ...]:
    c = compiled(G)
    wanted = [c.index[t] for t in candidates(G)]
    columns = takers(c, wanted)
    taken: dict[int, list[int]] = {}  # taker -> the indices its loss takes, itself included
    for start in range(0, len(columns), CHUNK):
        members = columns[start:start + CHUNK]
        bit = {x: 1 << k for k, x in enumerate(members)}
        within = None if start == 0 else downstream(c, members)  # the first chunk: see `_rank_rows`
        nec = necessity(c, bit, within)
        sharing: dict[int, list[int]] = {}  # mask -> the things that need exactly those members
        for v, mask in enumerate(nec) if within is None else ((v, nec[v]) for v in within):
            if mask > 0:  # -1: unavailable
                sharing.setdefault(mask, []).append(v)
        found: list[list[int]] = [[] for _ in members]
        for mask, things in sharing.items():
            for k in bits_of(mask):
                found[k] += things
        taken.update(zip(members, found))
    rows = []
    base_avail, is_critical = c.base_avail, c.is_critical
    for x in wanted:
        lost = taken.get(x)
        if lost is None or len(lost) == 1:  # it takes itself at most: a row only when that is critical
            if not (base_avail[x] and is_critical[x]):
                continue
            lost = [x]
        money, critical = tally(c, lost)
        rows.append((severity(critical, money, len(lost) - 1), c.ids[x], c.ids_of(lost), critical))
    rows.sort(key=lambda row: row[0])  # stable: ties stay in file order
    return tuple(row[1:] for row in rows)


def takers(c: Compiled, indices) -> list[int]:
    """Those of `indices` whose loss alone can take anything but
    themselves, in derivation order: the available things that a method
    working in the baseline names. Losing any other thing takes itself at
    most; most accounts are named by nothing, so the necessity masks of a
    sweep need bits for these alone (about a quarter of the candidates of
    a generated inventory). Cost: O(len(indices)) plus, per thing, its
    users up to the first working one.

    >>> from identity_map.format.load import load_text
    >>> c = compiled(build_graph(load_text("version: 1\\naccounts:\\n  mail: {}\\n  shop: {login: [email:mail]}\\n")))
    >>> [c.ids[x] for x in takers(c, [c.index["shop"], c.index["mail"]])]
    ['mail']
    """
    base_avail, works = c.base_avail, c.base_works.__getitem__
    return sorted((x for x in indices if base_avail[x] and any(map(works, c.users[x]))), key=c.order.__getitem__)


def _rank_chunk(c: Compiled, login: Compiled, members: list[int], found: dict[int, RankRow], whole: bool) -> None:
    """The rows of `members` (available candidates), into `found`; `whole`:
    every available thing is looked at, not only those downstream of them
    (the first chunk, which holds what everything leans on).

    Member k is bit k. For each thing v downstream of them, with D = its
    necessity mask in A, DI in I (0 unless reachable by login alone), F =
    the union of the masks of every term of every method of v that works
    in the baseline: losing x loses v iff x is in D; makes it recoverable
    iff x is in DI but not in D; degrades it iff x is in F but in neither
    (a method that worked has a lost term). Counts are column sums."""
    bit = {x: 1 << k for k, x in enumerate(members)}
    things, m_targets, m_owner, login_avail = c.things, c.m_targets, c.m_owner, login.base_avail
    methods_of, base_works = c.methods_of, c.base_works
    if whole:
        nec_a, nec_i = necessity(c, bit, None), necessity(login, bit, None)
        rows = compress(range(len(things)), c.base_avail)  # file order, for critical_lost
    else:
        reach_a, reach_i = downstream(c, members), downstream(login, members)
        nec_a, nec_i = necessity(c, bit, reach_a), necessity(login, bit, reach_i)
        picked = reach_a | reach_i  # and what a lost term degrades:
        picked.update(m_owner[m] for x in reach_a for m in c.users[x] if c.base_works[m])
        rows = sorted(picked)
    lost_rows, recoverable_rows, degraded_rows = [], [], []
    critical: dict[int, list[int]] = {}
    money_rows: dict[str, list[tuple[int, int]]] = {}
    is_critical, is_purchase = c.is_critical, c.is_purchase
    for v in rows:
        d = nec_a[v]
        di = nec_i[v] if login_avail[v] else 0
        broken = 0
        if len(methods_of[v]) > 1:  # the terms of v's only method are all in d already
            for m in methods_of[v]:
                if base_works[m]:
                    for t in m_targets[m]:
                        broken |= nec_a[t]
        if d:
            lost_rows.append(d)
            if is_critical[v]:
                for k in bits_of(d):
                    critical.setdefault(k, []).append(v)
            if is_purchase[v]:
                money_rows.setdefault(things[v].currency, []).append((d, v))
        if di & ~d:
            recoverable_rows.append(di & ~d)
        if broken & ~d & ~di:
            degraded_rows.append(broken & ~d & ~di)
    width = len(members)
    lost, recoverable, degraded = (_column_sums(r, width) for r in (lost_rows, recoverable_rows, degraded_rows))
    money = {cur: _money_columns(rows, things, width) for cur, rows in sorted(money_rows.items())}
    for k, x in enumerate(members):
        thing = things[x]
        spent = {cur: sums[k] for cur, sums in money.items() if sums[k] is not None}
        found[x] = RankRow(thing.id, thing.name, thing.kind, lost[k] - 1, recoverable[k], degraded[k], spent,
                           tuple(c.ids[v] for v in critical.get(k, ())))


def downstream(c: Compiled, members) -> set[int]:
    """`members` and every thing that losing one of them alone could take:
    things with a method that works in the baseline and names one of them,
    transitively, less those with a working method that names none of
    these (that method survives whichever member is lost). A superset of
    what any member's loss takes. Cost: the methods naming the things
    downstream of `members` through working methods."""
    members = set(members)
    seen = set(members)
    stack = list(seen)
    users, m_owner, m_targets, base_works, working = c.users, c.m_owner, c.m_targets, c.base_works, c.working
    while stack:
        for m in users[stack.pop()]:
            if base_works[m]:
                o = m_owner[m]
                if o not in seen:
                    seen.add(o)
                    stack.append(o)
    named = {}  # working method -> its targets still kept
    for v in seen - members:
        for m in working[v]:
            named[m] = sum(1 for t in m_targets[m] if t in seen)
    stack = [v for v in seen - members if any(named[m] == 0 for m in working[v])]
    seen.difference_update(stack)
    while stack:
        for m in users[stack.pop()]:
            if m in named:
                named[m] -= 1
                o = m_owner[m]
                if named[m] == 0 and o in seen and o not in members:
                    seen.discard(o)
                    stack.append(o)
    return seen


def necessity(c: Compiled, bit: dict[int, int], within: set[int] | None) -> list[int]:
    """For every thing, the mask of the things of `bit` (thing index -> its
    bit) whose loss ALONE makes it unavailable, itself included: -1 (every
    bit) for a thing unavailable in the baseline, 0 for an available thing
    not in `within`, which must hold every thing the loss of one of `bit`
    alone can take (`downstream(c, bit)` does; None: every available thing).

    A greatest fixed point: nec(root) = its bit; for an available thing v,
    nec(v) = its bit | the intersection, over v's methods that work in the
    baseline, of the union of their terms' nec. Losing x loses v exactly
    when x is in nec(v): were x not needed, some method would have every
    term derivable without x, which is how the least fixed point derives v.
    Computed downward from -1 in one pass in derivation order, so a term
    derived earlier is final when it is read unless a cycle runs through
    it; only the things on cycles come back (a worklist). Cost: about the
    terms of the methods of `within`, in operations on masks as wide as
    `bit`.

    >>> from identity_map.format.load import load_text
    >>> G = build_graph(load_text("version: 1\\naccounts:\\n  a: {}\\n  b: {login: [email:a]}\\n"
    ...                           "  c: {login: [email:b, email:a + sso:b]}\\n"))
    >>> c = compiled(G)
    >>> bit = {i: 1 << i for i in range(len(c.ids))}
    >>> nec = necessity(c, bit, downstream(c, bit))
    >>> sorted(c.ids[i] for i in bit if nec[c.index["c"]] & bit[i])
    ['a', 'b', 'c', 'memory']
    """
    is_root, base_works, order = c.is_root, c.base_works, c.order
    m_targets, m_owner, users, methods_of = c.m_targets, c.m_owner, c.users, c.methods_of
    everything = within is None
    if everything:  # every available thing, in derivation order
        nec = [-1] * len(order)
        ahead = [-1] * (len(order) - c.unreachable_count)
        for x, k in enumerate(order):
            if k >= 0:
                ahead[k] = x
    else:
        nec = [0 if ok else -1 for ok in c.base_avail]
        ahead = sorted(within, key=order.__getitem__)
        for x in ahead:
            nec[x] = -1
    own = [0] * len(order)
    for x, b in bit.items():
        own[x] = b
    # One pass in derivation order first: a term derived earlier is final
    # by then (for this pass) unless a cycle runs through it, a later one
    # still -1 (a value no available thing ends with). So after the pass
    # only the things with a working method that named a -1 can be wrong
    # (those whose need reached 0 are least already); they come next, and
    # every owner whose term changes after them (a worklist).
    queue, queued, first = ahead, set(), len(ahead)
    head = 0
    while head < len(queue):
        x = queue[head]
        head += 1
        if is_root[x]:
            nec[x] = own[x]
            continue
        need, cyclic = -1, False
        for m in methods_of[x]:
            if not base_works[m]:
                continue
            union = 0
            for t in m_targets[m]:
                union |= nec[t]
            cyclic |= union == -1
            need &= union
            if not need:
                break
        need |= own[x]
        if head <= first:
            nec[x] = need
            if cyclic and need != own[x]:
                queued.add(x)
                queue.append(x)
            continue
        queued.discard(x)
        if need != nec[x]:
            nec[x] = need
            for m in users[x]:
                o = m_owner[m]
                if base_works[m] and (everything or o in within) and not is_root[o] and o not in queued:
                    queued.add(o)
                    queue.append(o)
    return nec


def bits_of(mask: int):
    """The positions of the set bits of a non-negative mask, lowest first;
    one step per set bit, plus O(width) in C for a mask of many bits.

    >>> list(bits_of(0b10110)), list(bits_of(2**70 - 1)) == list(range(70))
    ([1, 2, 4], True)
    """
    if mask.bit_count() <= SPARSE:
        while mask:
            low = mask & -mask
            yield low.bit_length() - 1
            mask ^= low
        return
    text = bin(mask)[:1:-1]
    p = text.find("1")
    while p >= 0:
        yield p
        p = text.find("1", p + 1)


SPARSE = 8  # set bits below which `bits_of` strips them one by one (each a few operations on the mask)


def _column_sums(rows, width: int) -> list[int]:
    """How many of `rows` (masks) have each bit 0..width-1 set. Equal
    masks are counted first (things that lean on the same candidates share
    one: most need a mailbox and nothing else), then each is added with its
    count (`_weighted_sums`). Cost: the distinct masks, each a few
    whole-mask operations, not one per bit.

    >>> _column_sums([0b101, 0b001, 0b101], 3)
    [3, 0, 2]
    """
    return _weighted_sums(Counter(rows), width)


def _weighted_sums(weights: dict[int, int], width: int) -> list[int]:
    """For each column 0..width-1, the sum of the weights (non-negative
    integers) of the masks of `weights` that have that bit: straight into
    the columns for a mask of fewer bits than its weight, else into a
    bit-sliced binary counter (level k holds bit k of every column's sum)
    once per bit of the weight, so a wide mask costs a few whole-mask
    operations, not one per column.

    >>> _weighted_sums({0b11: 5, 0b10: 1}, 3)
    [5, 6, 0]
    """
    levels: list[int] = []
    direct = [0] * width
    for mask, weight in weights.items():
        if mask.bit_count() <= weight.bit_count():
            for p in bits_of(mask):
                direct[p] += weight
        else:
            for k in bits_of(weight):
                _add(levels, mask, k)
    for k, level in enumerate(levels):
        weight = 1 << k
        for p in bits_of(level):
            direct[p] += weight
    return direct


def _add(levels: list[int], row: int, k: int) -> None:
    """Adds `row` (one count per set bit) times 2**k into a bit-sliced counter."""
    if k > len(levels):
        levels.extend([0] * (k - len(levels)))
    while row:
        if k == len(levels):
            levels.append(row)
            return
        level = levels[k]
        levels[k] = level ^ row
        row &= level
        k += 1


def _money_columns(rows: list[tuple[int, int]], things: list[Thing], width: int) -> list[float | None]:
    """For each column, the price of the purchases in `rows` ((mask, thing
    index), one currency) whose mask has that bit, or None when there is
    none. Prices become integers over one power of two (exact for every
    float) and are added per mask (purchases of one account share it) by
    `_weighted_sums`; each total is rounded once, so it equals
    `summarize`'s exactly rounded sum."""
    ratios = [things[v].price.as_integer_ratio() for _, v in rows]  # exact; denominators are powers of two
    scale = max(d for _, d in ratios)
    weights: dict[int, int] = {}
    present = 0
    for (mask, _), (numerator, denominator) in zip(rows, ratios):
        weights[mask] = weights.get(mask, 0) + numerator * (scale // denominator)
        present |= mask
    totals = _weighted_sums(weights, width)
    out: list[float | None] = [None] * width
    for p in bits_of(present):
        out[p] = totals[p] / scale  # int / int: rounded once, correctly
    return out


def analyze(inventory: Inventory, lost=()) -> Impact:
    """Convenience: build the graph and compute one scenario."""
    return impact(build_graph(inventory), lost)
