"""Validation: the loader's errors plus the warnings that need the engine.

Warnings (the inventory is valid, exit 0, but the owner should know):
- a thing unreachable even with nothing lost;
- a critical thing that a single loss (one account, device, phone or place)
  takes down: a single point of failure for something that matters.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx

from identity_map.analysis.engine import compiled, impact
from identity_map.analysis.explain import why
from identity_map.analysis.graph import build_graph
from identity_map.analysis.resilience import single_points
from identity_map.format.load import InventoryError, Problem, load_bytes
from identity_map.format.model import Inventory, Mark, Method


@dataclass
class Validation:
    """What `validate` found; `inventory` and `graph` are None when invalid."""

    errors: list[Problem]
    warnings: list[Problem] = field(default_factory=list)
    inventory: Inventory | None = None
    graph: nx.DiGraph | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


def warnings_for(G: nx.DiGraph) -> list[Problem]:
    """The warnings of a valid inventory's graph, in file order.
    Cost: the baseline and `resilience.single_points` of the critical
    things, never the single-loss sweep (quadratic on a login chain)."""
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
    for tid, points in spofs.items():
        if not points:
            continue
        causes = [f"{inventory[p].kind} '{p}'" for p in points[:6]]
        warn(tid, f"critical '{tid}' hangs on a single point of failure: losing {' or '.join(causes[:5])}"
                  f"{' or others' if len(causes) > 5 else ''} alone loses it; add an independent copy or way in")
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


def validate_bytes(data: bytes, filename: str) -> Validation:
    """Load and check; never raises for bad input."""
    try:
        inventory = load_bytes(data, filename)
    except InventoryError as exc:
        return Validation(errors=exc.problems)
    G = build_graph(inventory)
    return Validation(errors=[], warnings=warnings_for(G), inventory=inventory, graph=G)


def validate_text(text: str, filename: str) -> Validation:
    return validate_bytes(text.encode("utf-8"), filename)
