"""Validation: the loader's errors plus the warnings that need the engine.

Warnings (the inventory is valid, exit 0, but the owner should know):
- a thing unreachable even with nothing lost;
- a critical thing that a single loss (one account, device, phone or place)
  takes down: a single point of failure for something that matters;
- a recovery method that needs the thing it recovers (it can never help);
- a phone or computer without `unlock` (heirs and thieves cannot use a
  locked phone, so every answer about it would be too optimistic);
- a critical account whose login list reads as two halves of one method
  (`[password, sms:mobile]` means either alone).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from identity_map.analysis.engine import Graph, compiled, impact
from identity_map.analysis.graph import Dependencies
from identity_map.format.load import InventoryError, Problem, load_bytes
from identity_map.format.model import Inventory, Mark, Method

if TYPE_CHECKING:
    import networkx as nx

# Devices whose `unlock` decides what a finder, a thief or an heir can do with them.
UNLOCKED_KINDS = ("phone", "computer", "tablet")


@dataclass
class Validation:
    """What `validate` found; `inventory` and `deps` are None when invalid.
    `deps` serves every analysis that needs no drawing (rank, impact,
    takeover, resilience) without networkx; `graph` is the DiGraph for the
    rest, built on first use and sharing the caches of `deps`."""

    errors: list[Problem]
    inventory: Inventory | None = None
    deps: Dependencies | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    @cached_property
    def warnings(self) -> list[Problem]:
        """`warnings_for` the inventory ([] when invalid), computed on first
        use: a command that prints none (rank, impact) never pays for the
        single points of failure."""
        return [] if self.deps is None else warnings_for(self.deps)

    @property
    def graph(self) -> nx.DiGraph | None:
        """The networkx graph (`Dependencies.networkx`): built once, then O(1)."""
        return None if self.deps is None else self.deps.networkx()


def warnings_for(G: Graph) -> list[Problem]:
    """The warnings of a valid inventory's graph, in file order.
    Cost: the baseline and `resilience.single_points` of the critical
    things, never the single-loss sweep (quadratic on a login chain)."""
    # Imported here: the commands that print no warnings (rank) start without them.
    from identity_map.analysis.explain import why
    from identity_map.analysis.resilience import single_points

    c = compiled(G)
    inventory = c.inventory
    out: list[Problem] = []

    def warn(thing_id: str, message: str) -> None:
        mark = inventory[thing_id].mark or Mark(1, 1)
        out.append(Problem(inventory.source, mark.line, mark.col, message, "warning"))

    baseline = impact(G)
    for tid, ok in zip(c.ids, c.base_avail):
        if not ok:
            warn(tid, f"'{tid}' is unreachable even with nothing lost ({why(baseline, tid)}): "
                      "add a method that works, or fix the terms")
    for thing in c.things:
        if thing.critical and thing.kind == "account":
            halves = split_halves(thing.login)
            if halves is not None:
                mark = halves[1].mark or thing.mark or Mark(1, 1)
                out.append(Problem(inventory.source, mark.line, mark.col,
                                   f"'{halves[0]}' and '{halves[1]}' of critical '{thing.id}' are two methods: "
                                   f"either ONE alone logs in; did you mean `{halves[0]} + {halves[1]}`?",
                                   "warning"))
    spofs = single_points(G, [t.id for t in c.things if t.critical])
    # Worst first, as in the ranking's first key: the losses that take the most critical things.
    takes: dict[str, int] = {}
    for points in spofs.values():
        for p in points:
            takes[p] = takes.get(p, 0) + 1
    for tid, points in spofs.items():
        if not points:
            continue
        worst = sorted(points, key=lambda p: -takes[p])  # stable: file order among equals
        causes = [f"{inventory[p].kind} '{p}'" for p in worst[:6]]
        warn(tid, f"critical '{tid}' hangs on a single point of failure: losing {' or '.join(causes[:5])}"
                  f"{' or others' if len(causes) > 5 else ''} alone loses it; add an independent copy or way in")
    for thing in inventory:
        for method in thing.recovery:
            if needs_itself(inventory, thing.id, method):
                mark = method.mark or thing.mark or Mark(1, 1)
                out.append(Problem(inventory.source, mark.line, mark.col,
                                   f"recovery \"{method}\" of '{thing.id}' needs '{thing.id}' itself, so it can never "
                                   "help: recover it through something that works without it", "warning"))
        if thing.kind == "device" and thing.subkind in UNLOCKED_KINDS and not thing.unlock:
            warn(thing.id, f"{thing.subkind} '{thing.id}' has no 'unlock': a locked {thing.subkind} is of no use "
                           "to a thief or to your heirs, so the answers are too optimistic; say what opens it, "
                           "e.g. 'unlock: [password]' for a passcode you remember")
    out.sort(key=lambda p: (p.line, p.col))
    return out


# Second factors: a term of these kinds alone is rarely a whole login, so beside a lone password
# it most likely is the other half of "password + ...".
SECOND_FACTORS = ("sms", "totp", "push")


def split_halves(login) -> tuple[Method, Method] | None:
    """(the lone password method, a lone second factor method) when a login
    list looks like one method written as two — `[password, sms:mobile]`
    means password OR SMS — else None. Cost: one look at each method.

    >>> from identity_map.format.load import load_text
    >>> [str(m) for m in split_halves(load_text("version: 1\\naccounts:\\n  a: {login: [password, totp:a]}\\n")["a"].login)]
    ['password', 'totp:a']
    """
    alone = [m for m in login if len(m.terms) == 1]
    password = next((m for m in alone if str(m) == "password"), None)
    second = next((m for m in alone if m.terms[0].kind in SECOND_FACTORS), None)
    return (password, second) if password is not None and second is not None else None


def needs_itself(inventory: Inventory, thing_id: str, method: Method) -> bool:
    """Whether `method` names `thing_id`, or names something whose every
    method names it (one level deep: what people write by mistake, such as
    a mailbox recovered through an account that only logs in by that
    mailbox). Cost: O(terms of the method and of the things it names).

    >>> from identity_map.format.load import load_text
    >>> inv = load_text("version: 1\\naccounts:\\n  mail: {recovery: [email:shop]}\\n"
    ...                 "  shop: {login: [email:mail]}\\n")
    >>> needs_itself(inv, "mail", inv["mail"].recovery[0])
    True
    """
    for target in method.targets:
        if target == thing_id:
            return True
        ways = inventory[target].login + inventory[target].unlock + inventory[target].recovery
        if ways and all(thing_id in m.targets for m in ways):
            return True
    return False


def validate_bytes(data: bytes, filename: str) -> Validation:
    """Load and check; never raises for bad input. Cost: loading; the
    warnings on first use of `Validation.warnings`."""
    try:
        inventory = load_bytes(data, filename)
    except InventoryError as exc:
        return Validation(errors=exc.problems)
    return Validation(errors=[], inventory=inventory, deps=Dependencies(inventory))


def validate_text(text: str, filename: str) -> Validation:
    return validate_bytes(text.encode("utf-8"), filename)
