"""The mitigation checklist: concrete actions, each one verified by the engine.

Every action is a change to the inventory (see `fixes.py`): add an
independent copy of a data item, keep a key offline, add a second 2FA method,
give an account its own password, point a recovery address elsewhere. The
checklist is built in three steps:

1. the scenarios in scope: one given scenario, or every single point of
   failure of the ranking (`engine.rank`, the candidates whose loss takes
   anything else with it);
2. the rules (`checklist_rules`) look at what each scenario loses and
   propose changes, each with a stable id (`copy-photos`,
   `second-factor-github`, ...);
3. each change is applied to a copy of the inventory, the graph is rebuilt
   and the scenarios it addresses are re-run with `engine.impact`. Only the
   changes that save something are listed, with the figures: "if you lose
   Microsoft account: 16 things lost instead of 18; saved: ...".

Two kinds of item fix nothing by themselves and say so: `info` (money tied to
an account: know what is at stake) and `advice` (the general lessons of the
story, shown only when losing one account takes something critical).

Order: critical things saved first, then most things saved, then most
money; items are grouped by the account, device or place they concern (the
group of the best item first), advice last. Once the owner has done an item
(or the change is applied), building the checklist again no longer lists it.

`apply(inventory, items)` applies chosen items' changes, for the app's "what
if I do this" toggle. `export(items, fmt, inventory)` (`checklist_export`)
writes md, json, csv or a printable offline html page; user text is always
escaped.
"""

from __future__ import annotations

import networkx as nx

from .checklist_export import FORMATS, export, item_json, verification_text
from .checklist_model import ADVICE, FIX, INFO, KINDS, Checklist, Item, Text, U, Verification, add_money, money_text
from .checklist_rules import ADVICE_GROUP, Candidate, Context, advice, rules
from .engine import Impact, impact, rank
from .fixes import apply_change
from .graph import build_graph
from .model import Inventory

__all__ = ["ADVICE", "ADVICE_GROUP", "FIX", "FORMATS", "INFO", "KINDS", "Checklist", "Item", "Text", "U",
           "Verification", "apply", "build_checklist", "export", "item_json", "money_text", "verification_text"]


def apply(inventory: Inventory, items) -> Inventory:
    """`inventory` with the changes of `items` applied (the "what if I do this"
    toggle); info and advice items change nothing. Applying twice is harmless."""
    for item in items:
        inventory = apply_change(inventory, item.change)
    return inventory


# -- Scope -------------------------------------------------------------------------


def _scope(ctx: Context, G: nx.DiGraph, lost) -> tuple[list[tuple[str, ...]], list[tuple[str, tuple[str, ...]]]]:
    """The scenarios in scope, and the rows the general advice is drawn from:
    (account id, critical ids its loss takes), worst first."""
    if lost is None:
        rows = rank(G)
        return ([(r.id,) for r in rows if r.lost > 0],
                [(r.id, r.critical_lost) for r in rows if r.kind == "account" and r.critical_lost])
    scenario = tuple(dict.fromkeys(lost))
    crit = impact(G, scenario).summary.critical_lost
    account = next((i for i in scenario if ctx.inv[i].kind == "account"), None)
    return [scenario], ([(account, crit)] if crit and account else [])


# -- Verifying ---------------------------------------------------------------------


def _verify(before: Impact, after: Impact) -> Verification | None:
    """What the change saved in this scenario; None if it made anything worse."""
    c = before.compiled
    if after.lost - before.lost:
        return None
    saved = tuple(tid for tid in c.ids if tid in before.lost and tid not in after.lost)
    money: dict[str, float] = {}
    for tid in saved:
        thing = c.things[c.index[tid]]
        if thing.kind == "purchase":
            add_money(money, thing.currency, thing.price)
    critical = tuple(tid for tid in saved if c.things[c.index[tid]].critical)
    return Verification(tuple(sorted(before.scenario, key=c.index.__getitem__)), len(before.lost),
                        len(after.lost), saved, critical, dict(sorted(money.items())))


def _strength(v: Verification) -> tuple:
    return (len(v.critical_saved), len(v.saved), sum(v.money_saved.values()))


def _checked(ctx: Context, cand: Candidate, base: dict[tuple, Impact]) -> tuple[tuple, Item] | None:
    """The item for a candidate with its sort key, or None when the engine
    finds that it saves nothing in the scenarios that proposed it."""
    group_name = ctx.inv[cand.group].name
    if cand.kind == INFO:
        s = cand.scenarios[0]
        v = Verification(s, len(base[s].lost), len(base[s].lost), money_at_stake=cand.money_at_stake)
        return ((1, 0, 0, -sum(cand.money_at_stake.values())),
                Item(cand.id, INFO, cand.rule, cand.group, group_name, cand.action, cand.detail, (), v))
    G2 = build_graph(apply_change(ctx.inv, cand.change))
    checks = [v for s in cand.scenarios if (v := _verify(base[s], impact(G2, s))) and v.saved]
    if not checks:
        return None
    best = max(checks, key=_strength)  # the first of equals: the worst scenario
    c, k, m = _strength(best)
    return ((0, -c, -k, -m), Item(cand.id, FIX, cand.rule, cand.group, group_name, cand.action, cand.detail,
                                  cand.change, best, tuple(v for v in checks if v is not best)))


def _ordered(keyed: list[tuple[tuple, Item]]) -> list[Item]:
    """Strongest first (keys: kind, then minus each figure), grouped by what
    they concern: the group of the best item first, then the group that saves
    most in all; ties keep the order the rules proposed them in."""
    keyed = sorted(keyed, key=lambda pair: pair[0])  # stable
    groups: dict[str, list[tuple[tuple, Item]]] = {}
    for pair in keyed:
        groups.setdefault(pair[1].group, []).append(pair)

    def group_key(pairs):
        best = pairs[0][0]
        total = [sum(k[i] for k, _ in pairs) for i in (1, 2)]
        return (best[0], best[1], total[0], best[2], total[1], best[3:])

    return [item for pairs in sorted(groups.values(), key=group_key) for _, item in pairs]


# -- Building ----------------------------------------------------------------------


def build_checklist(G: nx.DiGraph, lost=None) -> Checklist:
    """The verified checklist for the inventory of G: every single point of
    failure of the ranking when `lost` is None, else that one scenario (a
    list of ids; unknown ids raise KeyError).
    Cost: one graph rebuild per proposed change plus one `impact` per
    scenario it addresses; the proposals are bounded by the things lost."""
    ctx = Context(G)
    scenarios, advice_rows = _scope(ctx, G, lost)
    base = {s: impact(G, s) for s in scenarios}

    candidates: dict[str, Candidate] = {}
    for s in scenarios:
        for cand in rules(ctx, s, base[s]):
            known = candidates.setdefault(cand.id, cand)
            if s not in known.scenarios:
                known.scenarios.append(s)

    keyed = [checked for cand in candidates.values() if (checked := _checked(ctx, cand, base))]
    fixes = [item for _, item in keyed if item.kind == FIX]
    ordered = _ordered(keyed) + advice(ctx, advice_rows)

    combined = []
    if fixes:
        G_all = build_graph(apply(ctx.inv, fixes))
        for s in scenarios:
            v = _verify(base[s], impact(G_all, s))
            if v and v.saved:
                combined.append(v)
    return Checklist(ordered, scenarios, combined, lost is None)
