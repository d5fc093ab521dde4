"""What an attacker gets: the takeover fixed point T(G), its explanations and its sweep.

The spec's "What an attacker gets (takeover)": T(G) is the least fixed
point from the gained set G alone (the owner's roots are not the
attacker's). A thing is taken when one of its login *or recovery* methods
has every term taken (attackers use reset flows); devices, places,
people, the owner in person and the owner's memory are taken only when
gained (a gained device counts as unlocked: the pessimistic case), so their
own methods (a device's `unlock`) never count; a phone
number falls with its device through its login, or by itself when gained
(SIM swap); data, purchases and parts of accounts follow from their methods
(the loader writes a part's whole into them); `legacy` methods never count.

Both the one-scenario `takeover` and the sweep `exposure` run the engine's
own fixed-point loop (`engine._chain`) over the compiled arrays, starting
from nothing but the gained ids and counting each method's terms on first
use, so their cost is the methods around what is taken, never the graph:
the sweep over every single gain costs about the sum of the takeover radii.
`takeover_orders` makes the checklist's thousands of attacks at once, each
started from the biggest kept takeover of a thing it takes.
`plain_taken` is an independent Kleene iteration over the inventory itself,
the reference the property tests compare both against.
"""

from __future__ import annotations

import sys
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

from identity_map.analysis.engine import Graph, Compiled, _chain, compiled, severity, tally
from identity_map.analysis.graph import parse_method_node
from identity_map.format.model import LOSABLE_KINDS, MEMORY, ROOT_KINDS, Inventory, Method

TAKEN, SAFE = "taken", "safe"
TAKEOVER_STATUSES = (TAKEN, SAFE)
# What an attacker can gain on its own: the lockout candidates, "knows your
# passwords", and a person you trust (a recovery contact tricked or turned).
ATTACKER_KINDS = (*LOSABLE_KINDS, "memory", "person")
MAX_DEPTH = 3  # deeper causes are named, not expanded: each has its own explanation
# How a gained thing is in the attacker's hands, by kind (said in every explanation that reaches it).
GAINED_HOW = {"phone": "SIM swap", "device": "stolen, unlocked", "place": "broken into",
              "memory": "the attacker knows your passwords"}
GAINED = "gained by the attacker"
_NEVER = sys.maxsize  # a method's count of missing terms that never reaches 0


class Attacker:
    """What T needs of one compiled form, computed once (`attacker(c)`):
    `held`, the things taken only when gained, and `start`, each method's
    number of terms, or _NEVER for a method the attacker cannot use: every
    method of a held thing. The attacker uses login and recovery methods;
    the compiled form holds the living roles only (no `legacy`: that needs
    a death certificate), and the third of them, `unlock`, is a device's
    (the format has it nowhere else), so held owners are the whole rule."""

    def __init__(self, c: Compiled):
        self.held = frozenset(i for i, t in enumerate(c.things) if t.kind in ROOT_KINDS)
        held = self.held
        self.start = [_NEVER if owner in held else len(ts) for owner, ts in zip(c.m_owner, c.m_targets)]


    def usable(self, m: int) -> bool:
        return self.start[m] != _NEVER


_ATTACKERS: weakref.WeakKeyDictionary[Compiled, Attacker] = weakref.WeakKeyDictionary()


def attacker(c: Compiled) -> Attacker:
    """The cached `Attacker` of c; O(methods) the first time."""
    a = _ATTACKERS.get(c)
    if a is None:
        a = _ATTACKERS[c] = Attacker(c)
    return a


class _Missing(dict):
    """method -> its terms not taken yet, counted on first use (from nothing taken)."""

    def __init__(self, start: list[int]):
        super().__init__()
        self.start = start

    def __missing__(self, m: int) -> int:
        return self.start[m]


def _take(c: Compiled, gained: Iterable[int], taken: list[bool] | bytearray, unusable: Iterable[int] = ()) -> tuple[list[int], dict[int, int]]:
    """Marks T(gained) in `taken` (all False on entry) and returns its
    indices in derivation order (the gained first) with each one's order
    number; the methods `unusable` never count (a change that removes them).
    Cost: the methods naming what is taken."""
    a = attacker(c)
    missing = _Missing(a.start)
    for m in unusable:
        missing[m] = _NEVER
    queue = []
    for g in gained:
        if not taken[g]:
            taken[g] = True
            queue.append(g)
    order: dict[int, int] = {}
    _chain(c, taken, order, queue, missing, a.held, 0)
    return queue, order


@dataclass(frozen=True)
class TakeoverSummary:
    counts: dict[str, int]  # taken, safe
    money_taken: dict[str, float]  # currency -> amount of purchases taken
    critical_taken: tuple[str, ...]  # in file order


@dataclass(frozen=True)
class Takeover:
    """One takeover scenario: what the attacker gained and what that gives
    them (`taken` includes the gained ids). `order` numbers each taken
    index in derivation order; `selectors` are what the person asked for."""

    gained: frozenset[str]
    taken: frozenset[str]
    compiled: Compiled
    order: dict[int, int]
    selectors: tuple[str, ...] = ()

    def status(self, thing_id: str) -> str:
        return TAKEN if thing_id in self.taken else SAFE

    @cached_property
    def statuses(self) -> dict[str, str]:
        """Every id of the inventory, in file order, with taken or safe."""
        return {tid: self.status(tid) for tid in self.compiled.ids}

    @cached_property
    def summary(self) -> TakeoverSummary:
        """Counts, money and critical things taken. Cost: O(taken log taken)."""
        money, critical = tally(self.compiled, self.order)
        n = len(self.taken)
        return TakeoverSummary({TAKEN: n, SAFE: len(self.compiled.ids) - n}, money, critical)

    def way_in(self, thing_id: str) -> int | None:
        """The method (an index of `compiled`) by which the attacker takes
        `thing_id`: the first usable one whose terms were all taken before
        it. None when it is gained or safe. Cost: O(terms of the thing)."""
        c = self.compiled
        i = c.index[thing_id]
        if thing_id in self.gained or i not in self.order:
            return None
        a, rank_i = attacker(c), self.order[i]
        return next(m for m in sorted(c.methods_of[i]) if a.usable(m)
                    and all(self.order.get(t, rank_i) < rank_i for t in c.m_targets[m]))

    @cached_property
    def path(self) -> dict[str, str]:
        """The attacker's path: each taken thing that was not gained -> the
        method node of its way in (for drawing). Cost: the terms of what is taken."""
        c = self.compiled
        out = {}
        for i in self.order:
            m = self.way_in(c.ids[i])
            if m is not None:
                out[c.ids[i]] = c.m_node[m]
        return out


def takeover_of(c: Compiled, gained: Iterable[str], selectors: Sequence[str] = (),
                unusable: Iterable[int] = ()) -> Takeover:
    """`takeover` on a compiled form (from `compiled(G)` or `engine.extend`);
    the methods `unusable` (indices of c) never count, as if removed.
    Unknown ids raise KeyError. Same cost as `takeover`."""
    gained_ids = frozenset(gained)
    # Flags as bytes: zeroed at C speed, where a list costs O(things) in Python objects (the
    # checklist's afresh takeovers and `takeover_orders` make thousands, most taking a few things).
    taken = bytearray(len(c.ids))
    queue, order = _take(c, map(c.index.__getitem__, sorted(gained_ids)), taken, unusable)
    return Takeover(gained_ids, c.ids_of(queue), c, order, tuple(selectors))


# A takeover this big is kept while the others are made, for those that take its gained thing
# to start from (its counts, O(what it touches) of memory each, freed at the end).
SHARED = 256


def takeover_orders(c: Compiled, gains: Iterable[tuple[str, ...]]) -> dict[tuple[str, ...], dict[int, int]]:
    """gained -> the derivation order, by index, of T(gained), for many
    attacks at once (the checklist's every preset and choice): the set
    `takeover_of` takes, numbered in one valid derivation order (each
    thing not gained has a usable method whose terms are all numbered
    before it; `Takeover.order`'s may differ). Attacks on one inventory
    often take one another's gained thing (a stolen phone, its mailbox; a
    mailbox, the mailboxes that recover by it), and T(x) is in T(g) once
    g's attacker takes x: each takeover of one thing that takes at least
    SHARED is kept, and a later attack chains only up to the first such
    thing it takes (the chain stops at them), starts over from the biggest
    one's flags and counts, its order after the prefix (a derivation of
    that thing and then of its takeover: the prefix is numbered below it,
    so numbers may be negative), and chains on through what the prefix
    took besides. Correct in any order; attacks that gain accounts
    come first, as they hold the mailboxes that stolen phones and swapped
    numbers lead to, never a device. Cost: per attack, the methods around
    what it takes outside the kept takeover it reaches, plus O(that
    takeover) to copy it.

    >>> from identity_map.format.load import load_text
    >>> from identity_map.analysis.graph import build_graph
    >>> c = compiled(build_graph(load_text("version: 1\\ndevices:\\n  phone: {}\\naccounts:\\n"
    ...     "  mail: {login: [passkey:phone]}\\n  shop: {login: [email:mail]}\\n")))
    >>> {g: sorted(c.ids[i] for i in o) for g, o in takeover_orders(c, [("phone",), ("mail",)]).items()}
    {('phone',): ['mail', 'phone', 'shop'], ('mail',): ['mail', 'shop']}
    """
    a = attacker(c)
    index, n, m_owner = c.index, len(c.ids), c.m_owner
    gains = list(dict.fromkeys(gains))
    out: dict[tuple[str, ...], dict[int, int]] = {}
    # x -> T({x})'s counts and the bounds of its order's numbers (low, high); its flags are remade
    # from the order (a pass over it, as the order's copy is): kept, they would cost O(things) each.
    shared: dict[int, tuple[dict[int, int], int, int]] = {}
    watched: set[int] = set()  # the methods of the things of `shared`
    stops = set(a.held)  # the held things and those of `shared`
    for gained in sorted(gains, key=lambda g: not all(c.things[index[x]].kind == "account" for x in g)):
        taken = bytearray(n)
        missing = _Missing(a.start)
        queue: list[int] = []
        for x in sorted(map(index.__getitem__, gained)):
            if not taken[x]:
                taken[x] = True
                queue.append(x)
        order: dict[int, int] = {}
        _chain(c, taken, order, queue, missing, stops, 0)
        low, high = 0, len(queue)
        # The kept takeovers of what it gained, and of what a method with every term taken opens.
        reached = [x for x in queue if x in shared]
        reached += [m_owner[m] for m in watched.intersection(missing) if missing[m] == 0]
        if reached:
            x = max(reached, key=lambda x: len(out[(c.ids[x],)]))
            counts, low, after = shared[x]
            taken = bytearray(n)
            for y in out[(c.ids[x],)]:
                taken[y] = True
            missing = _Missing(a.start)
            missing.update(counts)
            rest = [y for y in queue if not taken[y]]
            for y in rest:
                taken[y] = True
            # The prefix first (numbered below x's takeover), then x's takeover, then what the rest opens.
            prefix = {y: k + low - high for y, k in order.items()}
            low -= high
            order = dict(out[(c.ids[x],)])
            order.update(prefix)
            done = len(rest)
            _chain(c, taken, {}, rest, missing, a.held, 0)
            high = after
            for y in rest[done:]:
                order[y] = high
                high += 1
        out[gained] = order
        if len(gained) == 1 and len(order) >= SHARED:
            x = index[gained[0]]
            shared[x] = missing, low, high
            watched.update(c.methods_of[x])
            stops.add(x)
    return {g: out[g] for g in gains}


def takeover(G: Graph, gained: Iterable[str], selectors: Sequence[str] = ()) -> Takeover:
    """What an attacker who gains the ids in `gained` takes: T(gained).
    Cost: O(things) for the result's flags plus the methods around what is
    taken.

    >>> from identity_map.format.load import load_text
    >>> from identity_map.analysis.graph import build_graph
    >>> G = build_graph(load_text("version: 1\\ndevices:\\n  phone: {}\\nphones:\\n  mobile: {device: phone}\\n"
    ...     "accounts:\\n  bank: {login: [password + totp:phone], recovery: [sms:mobile]}\\n"))
    >>> sorted(takeover(G, ["mobile"]).taken)   # SIM swap: the SMS recovery opens the bank
    ['bank', 'mobile']
    >>> sorted(takeover(G, ["memory"]).taken)   # the password alone is not enough
    ['memory']
    """
    return takeover_of(compiled(G), gained, selectors)


def plain_taken(inventory: Inventory, gained: Iterable[str]) -> frozenset[str]:
    """T(gained) by the plain Kleene iteration over the inventory (no
    compiled form): the reference `takeover` and `exposure` are tested
    against. Cost: O(rounds x terms), up to O(things x terms).

    >>> from identity_map.format.load import load_text
    >>> inv = load_text("version: 1\\naccounts:\\n  a: {login: [email:b]}\\n  b: {login: [email:a]}\\n")
    >>> sorted(plain_taken(inv, ["memory"]))   # circular support counts for nothing
    ['memory']
    """
    taken = set(gained)
    grew = True
    while grew:
        grew = False
        for thing in inventory:
            if thing.id not in taken and thing.kind not in ROOT_KINDS and any(
                    all(t in taken for t in m.targets) for m in (*thing.login, *thing.recovery)):
                taken.add(thing.id)
                grew = True
    return frozenset(taken)


# -- Explanations ----------------------------------------------------------


def _method(c: Compiled, m: int) -> tuple[str, Method]:
    """(role as said to a person, the Method) of method index m."""
    owner, role, index = parse_method_node(c.m_node[m])
    thing = c.inventory[owner]
    said = "copy" if thing.kind == "data" and role == "login" else role
    return said, getattr(thing, role)[index]


def _gained_how(c: Compiled, thing_id: str) -> str:
    return GAINED_HOW.get(c.inventory[thing_id].kind, GAINED)


def why(result: Takeover, thing_id: str) -> str:
    """How the attacker takes `thing_id` ("" when safe), back to the gained ids.

    >>> from identity_map.format.load import load_text
    >>> from identity_map.analysis.graph import build_graph
    >>> G = build_graph(load_text("version: 1\\nphones:\\n  mobile: {}\\n"
    ...     "accounts:\\n  bank: {login: [password + key:k], recovery: [sms:mobile]}\\ndevices:\\n  k: {}\\n"))
    >>> why(takeover(G, ["mobile"]), "bank")
    'recovery "sms:mobile" works for the attacker: mobile is taken (SIM swap)'
    """
    if thing_id not in result.taken:
        return ""
    if thing_id in result.gained:
        how = _gained_how(result.compiled, thing_id)
        return how if how == GAINED or thing_id == MEMORY else f"{GAINED} ({how})"
    return _explain(result, thing_id, 0, {thing_id})


def _explain(result: Takeover, thing_id: str, depth: int, seen: set[str]) -> str:
    c = result.compiled
    role, method = _method(c, result.way_in(thing_id))
    targets = dict.fromkeys(t.target for t in method.terms)
    return f'{role} "{method}" works for the attacker: ' + ", ".join(
        _term(result, t, depth, seen) for t in targets)


def _term(result: Takeover, target: str, depth: int, seen: set[str]) -> str:
    if target in result.gained:
        return f"{target} is taken ({_gained_how(result.compiled, target)})"
    if target in seen or depth >= MAX_DEPTH:
        return f"{target} is taken"
    seen.add(target)
    return f"{target} is taken ({_explain(result, target, depth + 1, seen)})"


def explanations(result: Takeover) -> dict[str, str]:
    """`why` for every taken thing. Cost: the terms of what is taken, times MAX_DEPTH at most."""
    return {tid: why(result, tid) for tid in result.compiled.ids if tid in result.taken}


# -- The sweep: each thing gained alone --------------------------------------


class ExposureRow(NamedTuple):
    """What gaining one thing alone gives away; `taken` counts the OTHER
    things taken. A named tuple: the sweep makes one per candidate, and a
    frozen dataclass's fields cost a call each."""

    id: str
    name: str
    kind: str
    taken: int
    money_taken: dict[str, float]
    critical_taken: tuple[str, ...]


def attack_candidates(inventory: Inventory) -> list[str]:
    """What the exposure ranking and the takeover resilience gain alone: every
    account, device, phone number, place and person, and `memory` (a reused
    or phished password), in file order."""
    return [t.id for t in inventory if t.kind in ATTACKER_KINDS]


def exposure_of(c: Compiled) -> list[ExposureRow]:
    """`exposure` on a compiled form (no graph, no cache). Same order and cost."""
    a = attacker(c)
    start, users = a.start, c.users
    taken = [False] * len(c.ids)
    missing = start.copy()  # each method's terms not taken yet, from nothing taken
    rows = []
    numbered: dict[int, int] = {}  # the derivation order _chain notes, unread here: one dict, overwritten
    for tid in attack_candidates(c.inventory):  # in file order: the stable sort below keeps it for ties
        g = c.index[tid]
        taken[g] = True
        queue = [g]
        _chain(c, taken, numbered, queue, missing, a.held, 0)
        money, critical = tally(c, queue)
        thing = c.things[g]
        rows.append(ExposureRow(tid, thing.name, thing.kind, len(queue) - 1, money, critical))
        for i in queue:  # reset only what this gain took and counted: the sweep stays output-sensitive
            taken[i] = False
            for m in users[i]:
                missing[m] = start[m]
    rows.sort(key=lambda r: severity(r.critical_taken, r.money_taken, r.taken))
    return rows


def exposure(G: Graph) -> list[ExposureRow]:
    """Each attack candidate gained alone, what it gives away, worst first
    (most critical things taken, then money, then things; ties in file
    order). Cost: about the sum of the takeover radii (each gain chains
    only through what it takes), once per graph: cached on it, a fresh
    list each time.

    >>> from identity_map.format.load import load_text
    >>> from identity_map.analysis.graph import build_graph
    >>> G = build_graph(load_text("version: 1\\naccounts:\\n  mail: {login: [password + key:k]}\\n"
    ...     "  shop: {login: [password + key:k], recovery: [email:mail]}\\ndevices:\\n  k: {}\\n"))
    >>> [(r.id, r.taken) for r in exposure(G)]
    [('mail', 1), ('memory', 0), ('shop', 0), ('k', 0)]
    """
    cached = G.graph.get("_exposure")
    if cached is None:
        cached = G.graph["_exposure"] = tuple(exposure_of(compiled(G)))
    return list(cached)
