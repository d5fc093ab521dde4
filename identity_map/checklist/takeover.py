"""Checklist changes checked the other way round: what they hand to an attacker.

A fix that makes an account easier to recover can make it easier to steal
(an SMS recovery saves you when the authenticator dies and hands the
account to whoever swaps your SIM). For every change the checklist
verifies, `TakeoverCheck.added` re-runs each takeover preset, with each of
its choices in the inventory (every phone number swapped, every phone
stolen, every mailbox breached, every vault leaked, the reused password),
on the changed compiled form, and lists what the attacker takes that they
could not take before. `hardening` proposes the fixes that only take doors
away (a carrier PIN, dropping an SMS recovery where another way in works),
each checked by the takeover engine and checked not to lock you out.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass

from identity_map.analysis.engine import Compiled, Graph, Impact, _chain, _Flags, _grow, bits_of, compiled
from identity_map.analysis.resilience import Without
from identity_map.analysis.scenarios import TAKEOVER_BY_KEY, TAKEOVER_PRESETS, each_choice
from identity_map.analysis.selectors import select
from identity_map.analysis.takeover import _NEVER, _take, attacker, takeover_of, takeover_orders
from identity_map.checklist.fixes import AddThing, apply_change
from identity_map.checklist.model import CHANGES, HARDEN, Item, T, Text, U, Verification, join, shortlist
from identity_map.format.model import MEMORY, ROOT_KINDS, Inventory, Method, Thing

SHOWN = 4  # things named per attack in the sentence; the JSON has them all

# How each preset's attacker is said in a sentence ("also lets someone who swaps your SIM into PayPal").
WHO = {"sim-swap": "someone who swaps your SIM", "stolen-phone": "someone who steals your unlocked phone",
       "breached-mailbox": "someone who reads your mailbox", "leaked-vault": "someone who gets your vault's passwords",
       "reused-password": "someone who knows a password you reused"}


@dataclass(frozen=True)
class Opened:
    """One attack that takes more after a change: the preset, what it gains,
    and the things it newly takes (file order)."""

    preset: str
    gained: tuple[str, ...]
    added: tuple[str, ...]

    def as_json(self) -> dict:
        return {"preset": self.preset, "gained": list(self.gained), "added": list(self.added)}


class _Left(dict):
    """method -> its terms not taken in `taken` (a snapshot), counted on
    first use; _NEVER for a method the attacker cannot use (`start`)."""

    def __init__(self, c: Compiled, taken: bytes, start: list[int]):
        super().__init__()
        self.m_targets, self.taken, self.start = c.m_targets, taken, start

    def __missing__(self, m: int) -> int:
        if self.start[m] == _NEVER:
            return _NEVER
        taken = self.taken
        return sum(1 for t in self.m_targets[m] if not taken[t])


class _Ids(Mapping):
    """gained -> the ids of what its attack takes (`TakeoverCheck.orders`),
    each made on first use: the checklist reads a few of thousands."""

    def __init__(self, c: Compiled, orders: dict[tuple[str, ...], dict[int, int]]):
        self.c, self.orders, self.made = c, orders, {}

    def __getitem__(self, gained: tuple[str, ...]) -> frozenset[str]:
        ids = self.made.get(gained)
        if ids is None:
            ids = self.made[gained] = self.c.ids_of(self.orders[gained])
        return ids

    def __contains__(self, gained) -> bool:
        return gained in self.orders

    def __iter__(self):
        return iter(self.orders)

    def __len__(self) -> int:
        return len(self.orders)


class TakeoverCheck:
    """The takeover presets of one inventory, and what each takes before any
    change (`orders`: by index, in a derivation order; `before`: the ids).
    `takers[i]` is the bit mask of the attacks (bit k: `attacks[k]`)
    that take thing i, so that a change is checked only against the attacks
    its new methods can open. Cost: `takeover.takeover_orders` of every
    attack, and a bit per thing each takes."""

    def __init__(self, c: Compiled, inventory: Inventory):
        self.c = c
        attacks = [(p.key, sels) for p in TAKEOVER_PRESETS for sels in each_choice(p, inventory)]
        self.attacks = [(key, tuple(sorted(select(inventory, sels)))) for key, sels in attacks if sels]
        # gained -> a derivation order of what it takes, by index
        self.orders = takeover_orders(c, (gained for _, gained in self.attacks))
        self.before = _Ids(c, self.orders)
        takers = self.takers = [0] * len(c.ids)
        for k, (_, gained) in enumerate(self.attacks):
            bit = 1 << k
            for i in self.orders[gained]:
                takers[i] |= bit
        self.held = attacker(c).held
        self._flags: dict[tuple[str, ...], bytearray] = {}

    def added(self, changed: Compiled) -> tuple[Opened, ...]:
        """Each attack that takes more on `changed` (from `engine.extend` of
        this inventory), with what it newly takes. A change only adds
        methods and things, and T only grows with methods, so each attack's
        takeover grows from its takeover before by forward chaining through
        the new methods (`engine._grow`; new devices and places are not the
        attacker's), and it grows at all only if one new method has every
        term taken by the attack and an owner it does not take: the attacks
        of `takers` that pass this test are the only ones run (none, when
        the change is one method and no method names its owner: those
        attacks take the owner alone). Cost: per new method, its terms; per
        attack it passes, what it takes plus the methods of what the change
        newly gives away. A `changed` that
        does not extend this one (a graph built afresh) gets each takeover
        afresh.

        >>> from identity_map.format.load import load_text
        >>> from identity_map.analysis.engine import compiled, extend
        >>> from identity_map.analysis.graph import build_graph
        >>> from identity_map.checklist.fixes import AddMethod, apply_change
        >>> from identity_map.format.model import Method, Term
        >>> inv = load_text("version: 1\\nphones:\\n  mobile: {}\\ndevices:\\n  k: {}\\n"
        ...                 "accounts:\\n  bank: {login: [password + key:k]}\\n")
        >>> check = TakeoverCheck(compiled(build_graph(inv)), inv)
        >>> change = (AddMethod("bank", "recovery", Method((Term("sms", "mobile"),))),)
        >>> check.added(extend(check.c, apply_change(inv, change)))
        (Opened(preset='sim-swap', gained=('mobile',), added=('bank',)),)
        """
        ext = changed.extension
        if ext is None or ext.parent is not self.c:  # a compiled form of its own (a rebuilt graph)
            return self._afresh(changed)
        n = len(self.c.ids)
        new_held = {i for i in range(n, len(changed.ids)) if changed.things[i].kind in ROOT_KINDS}
        takers = self.takers
        opening = 0  # the attacks some new method opens at once
        for m in ext.methods:
            o = changed.m_owner[m]
            if o in self.held or o in new_held:
                continue
            mask = ~takers[o] if o < n else -1
            for t in changed.m_targets[m]:
                mask &= takers[t] if t < n else 0
            opening |= mask
        opening &= (1 << len(self.attacks)) - 1
        if not opening:
            return ()
        if len(ext.methods) == 1:
            o = changed.m_owner[ext.methods[0]]
            if o < n and not changed.users[o]:  # each attack it opens takes the owner, which opens nothing
                return tuple(Opened(*self.attacks[k], (changed.ids[o],)) for k in bits_of(opening))
        out = []
        held = self.held.union(new_held)
        for k in bits_of(opening):
            key, gained = self.attacks[k]
            flags = _Flags(self._taken(gained), {})
            new = _grow(changed, flags, {}, held, ext.methods, (), 0)
            if new:
                out.append(Opened(key, gained, tuple(changed.ids[i] for i in sorted(new))))
        return tuple(out)

    def taking(self, i: int) -> list[tuple[str, tuple[str, ...]]]:
        """The attacks (preset key, gained ids) that take thing i, in the
        order of `attacks`. Cost: O(attacks) bit tests in C, plus one step
        per attack that takes it."""
        mask = self.takers[i]
        return [self.attacks[k] for k in bits_of(mask)]

    def without(self, gained: tuple[str, ...], owner: int, removed: list[int]) -> frozenset[str]:
        """What the attack that gains `gained` no longer takes once the
        methods `removed` (all of thing `owner`) are gone. Nothing, without
        a takeover, when the owner is not taken or has another usable
        method whose terms were all taken before it: everything taken
        before the owner is taken without its methods (by induction on the
        derivation order), so the owner and then all the rest are too.
        Otherwise by delete and rederive: only what the owner opens (its
        descendants among the taken) can fall; the rest stays taken, and
        forward chaining from it, without `removed`, takes back what still
        falls to the attacker; when those descendants are most of the
        takeover, a takeover afresh without `removed` instead. Cost: the
        owner's terms, or the methods around its taken descendants, or,
        when they are most of it, around what it takes without `removed`.

        >>> from identity_map.format.load import load_text
        >>> from identity_map.analysis.graph import build_graph
        >>> inv = load_text("version: 1\\nphones:\\n  mobile: {}\\naccounts:\\n"
        ...                 "  bank: {login: [password], recovery: [sms:mobile]}\\n  shop: {login: [email:bank]}\\n")
        >>> check = TakeoverCheck(compiled(build_graph(inv)), inv)
        >>> bank = check.c.index["bank"]
        >>> check.taking(bank)
        [('sim-swap', ('mobile',)), ('breached-mailbox', ('bank',)), ('reused-password', ('memory',))]
        >>> sorted(check.without(("mobile",), bank, check.c.methods_of[bank][1:]))  # drop the SMS recovery
        ['bank', 'shop']
        >>> check.without(("memory",), bank, check.c.methods_of[bank][1:])  # the password still opens it
        frozenset()
        """
        taken = self.orders[gained]
        rank = taken.get(owner)
        if rank is None or self.c.ids[owner] in gained:
            return frozenset()
        c, a = self.c, attacker(self.c)
        if any(a.usable(m) and all(taken.get(t, rank) < rank for t in c.m_targets[m])
               for m in c.methods_of[owner] if m not in removed):
            return frozenset()
        doubt = {owner}  # the taken things that a method naming one of them may have opened
        stack = [owner]
        while stack:
            for m in c.users[stack.pop()]:
                o = c.m_owner[m]
                if o in taken and o not in doubt and a.usable(m) and c.ids[o] not in gained:
                    doubt.add(o)
                    stack.append(o)
        if 2 * len(doubt) > len(taken):  # most of it in doubt: a takeover afresh is cheaper, as it takes less
            flags = bytearray(len(c.ids))
            _take(c, map(c.index.__getitem__, gained), flags, removed)
            return c.ids_of(o for o in doubt if not flags[o])
        # Flags as bytes, copied at C speed: read a term at a time, they cost no Python call.
        flags = bytearray(self._taken(gained))
        for o in doubt:
            flags[o] = False
        missing = _Left(c, bytes(flags), a.start)
        for m in removed:
            missing[m] = _NEVER
        queue = []
        for o in doubt:
            if any(missing[m] == 0 for m in c.methods_of[o]):
                flags[o] = True
                queue.append(o)
        _chain(c, flags, {}, queue, missing, a.held, 0)
        return c.ids_of(o for o in doubt if not flags[o])

    def _taken(self, gained: tuple[str, ...]) -> bytearray:
        """The attack's takeover as flags by index (made on first use: few
        attacks are ever grown or rederived, and each costs O(things))."""
        flags = self._flags.get(gained)
        if flags is None:
            flags = self._flags[gained] = bytearray(len(self.c.ids))
            for i in self.orders[gained]:
                flags[i] = 1
        return flags

    def _afresh(self, changed: Compiled) -> tuple[Opened, ...]:
        """`added` by one takeover per attack on `changed`: the reference the
        grown takeovers equal (the tests compare them)."""
        out = []
        for key, gained in self.attacks:
            new = takeover_of(changed, gained).taken - self.before[gained]
            if new:
                out.append(Opened(key, gained, tuple(t for t in changed.ids if t in new)))
        return tuple(out)


def takeover_text(item: Item, inventory: Inventory | None = None) -> Text:
    """The item's takeover figure in a sentence: what its change stops an
    attacker taking, what it lets one take, or that no attack takes more
    ('' for info and advice items, which change nothing)."""
    if item.kind not in CHANGES:
        return T()

    added = {op.thing.id: op.thing for op in item.change if isinstance(op, AddThing)}  # what the change creates

    def name(tid: str) -> U:
        thing = inventory.things.get(tid) if inventory is not None else None
        thing = thing or added.get(tid)
        return U(thing.name if thing is not None else tid)

    def who(o: Opened) -> Text:
        said = T(WHO.get(o.preset, TAKEOVER_BY_KEY[o.preset].label))
        # What the owner remembers is said by the attack's words already ("a password you reused").
        return said if o.gained == (MEMORY,) else said + T(" (", join([name(g) for g in o.gained]), ")")

    def attacks(opened: tuple[Opened, ...], into: str) -> Text:
        return join([who(o) + T(into, join(shortlist([name(t) for t in o.added], SHOWN))) for o in opened], "; and ")

    if item.takeover_added:
        return T("Takeover: also lets ", attacks(item.takeover_added, " into "), ".")
    if item.takeover_saved:
        return T("Takeover: stops ", attacks(item.takeover_saved, " getting into "), "; no attack preset takes more.")
    return T("Takeover: checked against every attack preset; none takes more.")


# -- Items that only harden ------------------------------------------------------------

# A phone's notes that already mention a carrier PIN: the item is done.
PIN_NOTE = re.compile(r"\b(port[- ]?out|sim)[- ]pin\b|\bpin\b", re.IGNORECASE)
PIN_TEXT = "SIM PIN and carrier port-out PIN set"


@dataclass(frozen=True)
class RemoveMethod:
    """Drop one login or recovery method (a no-op when it is not there).
    Unlike the operations of `fixes` it takes something away, so it is
    verified on a graph built afresh, never by `engine.extend`."""

    owner: str
    role: str  # "login" or "recovery"
    method: Method

    def apply(self, inventory: Inventory) -> Inventory:
        return apply_change(inventory, (self,))

    def put(self, things: dict[str, Thing]) -> None:
        thing = things[self.owner]
        kept = tuple(m for m in getattr(thing, self.role) if m.terms != self.method.terms)
        things[self.owner] = dataclasses.replace(thing, **{self.role: kept})

    def describe(self) -> str:
        return f"{self.owner}: remove {self.role} \"{self.method}\""

    def as_json(self) -> dict:
        return {"op": "remove-method", "id": self.owner, "role": self.role, "method": str(self.method)}


@dataclass(frozen=True)
class AddNote:
    """Append a sentence to a thing's `notes` (a no-op when it is there)."""

    thing: str
    note: str

    def apply(self, inventory: Inventory) -> Inventory:
        return apply_change(inventory, (self,))

    def put(self, things: dict[str, Thing]) -> None:
        thing = things[self.thing]
        if self.note not in thing.notes:
            notes = f"{thing.notes.rstrip()} {self.note}." if thing.notes else f"{self.note}."
            things[self.thing] = dataclasses.replace(thing, notes=notes)

    def describe(self) -> str:
        return f"{self.thing}: add to notes \"{self.note}.\""

    def as_json(self) -> dict:
        return {"op": "add-note", "id": self.thing, "note": self.note}


def _names(inventory: Inventory, ids) -> list:
    return [U(inventory[t].name) for t in ids]


# Descendants `_Kept` walks to tell that a thing is on no cycle; a mailbox that many accounts
# recover by has most of the inventory below it, and the search over its ancestors is cheaper.
DESCENDANTS_WALKED = 256


class _Kept:
    """Whether a thing stays available, with some of its methods taken away,
    in every scenario of `base` where it was, read off the scenarios'
    losses, no fixed point: when the thing is not its own ancestor, its
    terms' availability does not depend on its methods, so it stays
    available in a scenario exactly when one of its other methods that
    work has no term the scenario loses (a method that does not work with
    nothing lost works in no scenario). Only scenarios that lose a term of
    each such method can lose it, and those are found by the index of the
    scenarios that lose each thing."""

    def __init__(self, c: Compiled, base: Mapping[tuple[str, ...], Impact]):
        self.c = c
        # After death the scenarios' losses count legacy methods, which the living search does not.
        self.exact = not any(impact.after_death for impact in base.values())
        self.losing: dict[str, list[frozenset[str]]] = {}  # id -> the `lost` of each scenario that loses it
        for impact in base.values():
            for x in impact.lost:
                self.losing.setdefault(x, []).append(impact.lost)

    def __call__(self, i: int, removed: list[int]) -> bool | None:
        """True when thing i, without the methods `removed` (some of its
        own; another of them works), is available in every scenario where
        it was; False when one loses it; None when this cannot tell (i may
        be its own ancestor, or the scenarios are after death), for the
        search to answer. Cost: a walk of i's descendants (at most
        DESCENDANTS_WALKED), then the scenarios that lose a term of its
        cheapest other method, each a look-up per term of its other methods."""
        c = self.c
        ways = [c.m_targets[m] for m in c.methods_of[i] if m not in removed and c.base_works[m]]
        if not self.exact or not ways or self._own_ancestor(i, {t for ts in ways for t in ts}):
            return None
        ids, losing = c.ids, self.losing
        ways = [[ids[t] for t in ts] for ts in ways]
        tid = ids[i]
        cheapest = min(ways, key=lambda ts: sum(len(losing.get(t, ())) for t in ts))
        for t in cheapest:
            for lost in losing.get(t, ()):
                if tid not in lost and all(any(x in lost for x in ts) for ts in ways):
                    return False
        return True

    def shape(self, i: int, removed: list[int]) -> tuple[frozenset, frozenset] | None:
        """The sets of terms of i's methods that work, those kept and those
        `removed`; None when i may be its own ancestor. On no cycle, i's
        availability with some things lost is whether all terms of one
        kept method are available, theirs does not depend on i, and a method
        that does not work with nothing lost works in no scenario: so i's
        resilience, with and without `removed`, is a function of this
        alone (the search's answer, every minimal set, is). Cost: as
        `__call__`'s walk, and the terms of i's methods."""
        c = self.c
        working = [m for m in c.methods_of[i] if c.base_works[m]]
        if self._own_ancestor(i, {t for m in working for t in c.m_targets[m]}):
            return None
        return (frozenset(frozenset(c.m_targets[m]) for m in working if m not in removed),
                frozenset(frozenset(c.m_targets[m]) for m in working if m in removed))

    def _own_ancestor(self, i: int, terms: set[int]) -> bool:
        """Whether one of `terms` may lean on i (is one of its descendants);
        True too when i has more than DESCENDANTS_WALKED descendants."""
        if i in terms:
            return True
        users, m_owner = self.c.users, self.c.m_owner
        seen = {i}
        stack = [i]
        while stack:
            for m in users[stack.pop()]:
                o = m_owner[m]
                if o not in seen:
                    if o in terms or len(seen) > DESCENDANTS_WALKED:
                        return True
                    seen.add(o)
                    stack.append(o)
        return False


def _recovery_at(t: Thing) -> int:
    """Where t's recovery methods start among its methods in a compiled
    form: the living roles of `Thing.roles` in turn, without naming a
    method node (the names are made for every method on first use)."""
    return len(t.login) + len(t.unlock)


def hardening(G: Graph, base: Mapping[tuple[str, ...], Impact], check: TakeoverCheck | None = None
              ) -> list[Item]:
    """Fixes that only take doors away from an attacker, each checked by the
    engines: for every phone number a SIM swap would take accounts with, a
    carrier PIN (`port-out-pin`, done once its notes mention a PIN); for
    every SMS recovery that a SIM swap uses while another way in works, its
    removal (`drop-sms-recovery`), kept only when the takeover engine finds
    that some attack takes less and no lockout follows: with nothing lost
    the account stays available, and so does it in every scenario of
    `base` (scenario -> its impact) where it was, and its k-loss resilience does not drop. Only
    the account's methods change, and while the account stays available
    nothing else changes, so each check is the account's own availability:
    read off the scenarios' losses when the account is on no cycle
    (`_Kept`), else a fixed point over its ancestors
    (`resilience.available_in`) in the scenarios that lose a thing of one
    derivation of it. Each item
    carries the lockout figure of the first scenario in scope (as much lost
    as before). Cost: per SMS recovery, look-ups in the scenarios that lose
    a term of it or searches over the account's ancestors, then for those
    without a lockout the resilience search (once per `_Kept.shape` of the
    accounts on no cycle) and at most one takeover per attack preset that
    takes the account (`TakeoverCheck.without`), no graph. `check`: the
    presets' takeovers of G, when the caller has them already."""
    c = compiled(G)
    inv = c.inventory
    check = check if check is not None and check.c is c else TakeoverCheck(c, inv)
    # The lockout figure of every hardening item: the first scenario in scope loses as much as before.
    first = next(iter(base.items()), None)
    same = Verification(first[0], len(first[1].lost), len(first[1].lost)) if first else None
    scenarios_with: dict[str, list[tuple[str, ...]]] = {}  # id -> the scenarios of `base` that lose it
    for s, impact in base.items():
        for x in impact.scenario:
            scenarios_with.setdefault(x, []).append(s)
    kept = _Kept(c, base)
    dropping: dict[tuple, bool] = {}  # `_Kept.shape` -> whether its removal makes an account easier to lose
    items: list[Item] = []
    for phone in inv.of_kind("phone"):
        swap = check.orders.get((phone.id,), {})
        accounts = [c.ids[i] for i in sorted(swap) if c.things[i].kind == "account"]  # file order
        if accounts and not PIN_NOTE.search(phone.notes):
            items.append(Item(
                f"port-out-pin-{phone.id}", HARDEN, "port-out-pin", phone.id, phone.name,
                T("Ask your carrier for a port-out PIN and set a SIM PIN for ", U(phone.name)),
                T("Today someone who talks your carrier into moving the number gets into ",
                  join(shortlist(_names(inv, accounts), SHOWN)), " (the takeover engine's figure). A port-out "
                  "PIN makes the carrier refuse the move without it; a SIM PIN stops a stolen SIM. The map "
                  "cannot see a PIN: note it in the number's notes, and this item is done."),
                (AddNote(phone.id, PIN_TEXT),), same))
    for t in inv.of_kind("account"):
        for k, method in enumerate(t.recovery):
            phones = [x.target for x in method.terms if x.kind == "sms"]
            if not phones:
                continue
            i = c.index[t.id]
            number_takers = 0
            for p in phones:
                number_takers |= check.takers[c.index[p]]
            if not check.takers[i] & number_takers:
                continue  # no attack gets the number and the account: the recovery hands nothing over
            mine = c.methods_of[i]
            removed = [mine[_recovery_at(t) + k]]
            if not any(c.base_works[m] for m in mine if m not in removed):
                continue  # no other way in works: removing it would lock you out
            spared = kept(i, removed)  # True: reachable too, by another method that leans on nothing of it
            if spared is False:
                continue  # a lockout: lost in a scenario where it was not
            shape = kept.shape(i, removed) if spared else None
            drops = dropping.get(shape) if shape is not None else None
            if drops is None:
                after = Without(c, t.id, removed)  # one walk of its ancestors for the checks left
                if spared is None:
                    used = after.derivation()
                    if used is None:
                        continue  # unreachable without it
                    # Only a scenario that loses part of one derivation can lose the account.
                    suspects = dict.fromkeys(s for x in used for s in scenarios_with.get(x, ()))
                    if not all(after.available_in([base[s].scenario for s in suspects if t.id not in base[s].lost])):
                        continue  # a lockout
                drops = after.drops(after.row())
                if shape is not None:
                    dropping[shape] = drops
            if drops:
                continue  # the resilience would drop
            change = (RemoveMethod(t.id, "recovery", method),)
            saved = []
            for key, gained in check.taking(i):
                fewer = check.without(gained, i, removed)
                if fewer:
                    saved.append(Opened(key, gained, tuple(sorted(fewer, key=c.index.__getitem__))))
            if not saved:
                continue
            items.append(Item(
                f"drop-sms-recovery-{t.id}", HARDEN, "drop-sms-recovery", t.id, t.name,
                T("Remove the SMS recovery of ", U(t.name)),
                T("Its recovery \"", U(str(method)), "\" hands it to whoever swaps ",
                  join(_names(inv, dict.fromkeys(phones))), ", and it has other ways in: the engine checked "
                  "that with it gone nothing becomes unreachable, no loss in scope locks you out of it, and it "
                  "is no easier to lose."),
                change, same, takeover_saved=tuple(saved)))
    return items
