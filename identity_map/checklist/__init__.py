"""The mitigation checklist: concrete actions, each one verified by the engine.

Every action is a change to the inventory (see `fixes.py`): add an
independent copy of a data item, keep a key offline, add a second 2FA method,
print recovery codes, give an account its own password, point a recovery
address elsewhere (`checklist_rules` has them all). The checklist is built
in three steps:

1. the scenarios in scope: one given scenario, or every single point of
   failure of the ranking (the candidates whose loss takes anything else
   with it, in `engine.rank`'s order, with their losses from the same
   masks: `engine.single_losses`);
2. the rules (`checklist_rules`) look at what each scenario loses and
   propose changes, each with a stable id (`copy-photos`,
   `second-factor-github`, ...);
3. each change is applied to a copy of the inventory and the scenarios it
   addresses are re-run on it, with the figures: "if you lose Microsoft
   account: 16 things lost instead of 18; saved: ...". The k-loss resilience (`resilience`) of the critical
   things downstream of the change is computed again too: "raises '13
   years of photos' from 1 to 2 losses" (`Item.resilience_gains`).
   Every change only adds things and methods, so no graph is rebuilt: the
   changed inventory's compiled form grows from the original's
   (`engine.extend`) and each scenario's losses from its impact before the
   change (`engine.changes_after`, `lost_after`), which the tests check against a rebuilt
   graph and `engine.impact`.

An item is listed only when the engine shows that it helps in scope: it
saves something in a scenario that proposed it, or it makes a critical
thing that such a scenario loses harder to lose (a scenario of two losses
may still take it, but no longer either loss alone). Actions that fix
nothing are not listed.

Two kinds of item fix nothing by themselves and say so: `info` (money tied to
an account: know what is at stake) and `advice` (the general lessons of the
story, shown only when losing one account takes something critical).

Order: first a head of the (at most 5) fixes that save the most: critical
things, then money, then things saved ("do these first"). Then the rest:
critical things saved first, then critical things made harder to
lose, then most things saved, then most money (items that save nothing in
scope but add resilience come after those that save, information after
both); items are grouped by the account, device or place they concern (the
group of the best item first), advice last. A fix that lets a takeover
preset take more comes after its safer way, when the rule knows one that the
engines find saves as much and opens no door (`Item.safer`, `_safer_ways`);
in the head, the safer way takes its place. Once the owner has done an
item (or the change is applied), building the checklist again no longer
lists it.

`apply(inventory, items)` applies chosen items' changes, for the app's "what
if I do this" toggle. `export(items, fmt, inventory)` (`checklist_export`)
writes md, json, csv or a printable offline html page; user text is always
escaped.
"""

from __future__ import annotations

import dataclasses
from itertools import chain

from identity_map.checklist.takeover import TakeoverCheck, hardening
from identity_map.checklist.formats import FORMATS, export, gains_text, item_json, verification_text
from identity_map.checklist.model import (ADVICE, CHANGES, FIX, HARDEN, INFO, KINDS, Checklist, Gain, Item, T, Text, U, Verification, add_money,
                              money_text)
from identity_map.checklist.rules import ADVICE_GROUP, Candidate, Context, advice, heirs_rules, rules, stake
from identity_map.analysis.engine import (Compiled, Graph, Impact, changes_after, changes_rederived, compiled, extend, flattened,
                                          impact_of, single_losses, tally)
from identity_map.analysis.graph import ancestors
from identity_map.analysis.selectors import matches_among, scenario_impact, select
from identity_map.checklist.fixes import apply_change, edited, touched
from identity_map.format.load import paused_gc
from identity_map.format.model import Inventory
from identity_map.analysis.resilience import Row, compiled_resilience, improves, raised

__all__ = ["ADVICE", "ADVICE_GROUP", "CHANGES", "FIX", "HARDEN", "FORMATS", "INFO", "KINDS", "Checklist", "Gain", "Item", "Text", "U",
           "Verification", "apply", "build_checklist", "export", "gains_text", "item_json", "money_text",
           "verification_text"]


def apply(inventory: Inventory, items) -> Inventory:
    """`inventory` with the changes of `items` applied (the "what if I do this"
    toggle); info and advice items change nothing. Applying twice is harmless."""
    return apply_change(inventory, [op for item in items for op in item.change])


# -- Scope -------------------------------------------------------------------------


def _scope(ctx: Context, G: Graph, lost, after_death: bool = False
           ) -> tuple[dict[tuple[str, ...], Impact], list[tuple[str, tuple[str, ...]]]]:
    """The scenarios in scope with their impacts, and the rows the general
    advice is drawn from: (account id, critical ids its loss takes), worst
    first. After death: the one after-death scenario (with `lost` too),
    without the advice, which is about providers that lock you out.
    Cost: the whole inventory's, `engine.single_losses` (no fixed point per
    scenario); one scenario's, `select` and `impact`."""
    if after_death:
        scenario = tuple(dict.fromkeys(lost or ()))
        return {scenario: scenario_impact(G, scenario, True)}, []
    if lost is None:
        # What `rank` orders, without its counts, and each loss as `scenario_impact` gives it (an id
        # selects itself), from the same masks: the tests compare both with the plain ways.
        c = compiled(G)
        rows = single_losses(G)
        return ({(i,): Impact(frozenset((i,)), taken, c, selectors=(i,)) for i, taken, _ in rows if len(taken) > 1},
                [(i, critical) for i, _, critical in rows if critical and ctx.inv[i].kind == "account"])
    scenario = tuple(dict.fromkeys(lost))
    impact = scenario_impact(G, scenario)
    crit = tally(impact.compiled, impact.lost_indices)[1]  # the summary's, without its fixed point of login alone
    account = next((i for i in sorted(select(ctx.inv, scenario), key=ctx.order.__getitem__)
                    if ctx.inv[i].kind == "account"), None)
    return {scenario: impact}, ([(account, crit)] if crit and account else [])


# -- Verifying ---------------------------------------------------------------------


def _changes_with(changed: Compiled, before: Impact, rederive: bool = False) -> tuple[frozenset[str], frozenset[str]]:
    """How `before`'s scenario fares once the change is made, its selectors
    applied again to the changed inventory (a backup disk added at the site
    that burns is lost with it): (saved, worse) as `engine.changes_after`
    gives them, the ids it no longer loses and those of the things that were
    there before that it now loses. `rederive`: by `engine.changes_rederived`,
    for a change that adds much (every fix at once)."""
    n = len(before.compiled.ids)
    added = matches_among(changed.inventory, before.selectors, changed.things[n:]) if len(changed.ids) > n else frozenset()
    if before.after_death:
        # Legacy methods are outside the living fixed point `changes_after` grows: run it afresh.
        c = before.compiled
        lost_now = frozenset(t for t in impact_of(changed, before.scenario | added, after_death=True).lost
                             if t in c.index)
        return before.lost - lost_now, lost_now - before.lost
    return (changes_rederived if rederive else changes_after)(changed, before, added)


def _verify(before: Impact, changes: tuple[frozenset[str], frozenset[str]]) -> Verification | None:
    """What the change saved in this scenario (`changes`: what
    `_changes_with` gives); None if it made anything worse."""
    c = before.compiled
    gone, worse = changes
    if worse:
        return None
    index, things = c.index, c.things
    saved = sorted(map(index.__getitem__, gone))
    money: dict[str, float] = {}
    critical = []
    for i in saved:
        thing = things[i]
        if thing.kind == "purchase":
            add_money(money, thing.currency, thing.price)
        if thing.critical:
            critical.append(thing.id)
    return Verification(tuple(sorted(before.scenario, key=index.__getitem__)), len(before.lost),
                        len(before.lost) - len(saved), tuple(map(c.ids.__getitem__, saved)), tuple(critical),
                        dict(sorted(money.items())), {}, before.selectors, before.after_death)


class _Resilience:
    """The k-loss resilience of the critical things, before and after a
    change. A change alters only the methods of the things it touches, so
    only critical things downstream of those (or those themselves) are
    computed again; each is a test of its minimal sets before the change
    (`resilience.raised`), and a search only when none of them kills it any
    more."""

    def __init__(self, G: Graph, inv: Inventory):
        self.c = compiled(G)
        self.critical = [t.id for t in inv if t.critical]  # file order
        self.position = {t: k for k, t in enumerate(self.critical)}
        self.downstream: dict[str, list[str]] = {}  # id -> the critical things it is upstream of (or is)
        for t in self.critical:
            for x in ancestors(inv, t) | {t}:
                self.downstream.setdefault(x, []).append(t)
        self.before: dict[str, Row] = {}

    def gains(self, changed: Compiled, change) -> tuple[Gain, ...]:
        """The critical things the change makes harder to lose, file order
        (`changed`: the compiled form with the change, from `engine.extend`).
        Cost: the critical things downstream of what it touches, for each
        a fixed point per minimal set before (`resilience.raised`), a search
        only for those it makes harder to lose."""
        out = []
        below = {t for x in touched(change) for t in self.downstream.get(x, ())}
        for t in sorted(below, key=self.position.__getitem__):
            if t not in self.before:
                self.before[t] = compiled_resilience(self.c, t)
            after = raised(changed, t, self.before[t])
            if after is not None:
                out.append(Gain(t, self.before[t].k, after.k))
        return tuple(out)


def _one_stake(ctx: Context, candidates: dict[str, Candidate]) -> dict[str, Candidate]:
    """The purchases at stake of every account in scope as one item, so a
    household with eight shops reads one "keep the receipts" item, not eight."""
    stakes = [c for c in candidates.values() if c.rule == "purchases-at-stake"]
    if len(stakes) < 2:
        return candidates
    merged = stake(ctx, sorted((c.group for c in stakes), key=ctx.order.__getitem__))
    merged.scenarios = [s for c in stakes for s in c.scenarios]
    kept = {cid: c for cid, c in candidates.items() if c.rule != "purchases-at-stake"}
    return {**kept, merged.id: merged}


def _strength(v: Verification, gains: tuple[Gain, ...]) -> tuple:
    return (len(v.critical_saved), len(gains), len(v.saved), sum(v.money_saved.values()))


def _checked(ctx: Context, res: _Resilience, attacks: TakeoverCheck, cand: Candidate,
             base: dict[tuple, Impact]) -> tuple[tuple, Item] | None:
    """The item for a candidate with its sort key (0: it saves something,
    1: it only adds resilience, 2: information; then minus each figure of
    `_strength`), or None when the engine finds that it helps in
    none of the scenarios that proposed it: it saves nothing there, and no
    critical thing they lose gets harder to lose."""
    group_name = ctx.inv[cand.group].name
    if cand.kind == INFO:  # what is at stake if every scenario that proposed it happened
        s = cand.scenarios[0]
        ids = tuple(sorted({i for x in cand.scenarios for i in base[x].scenario}, key=ctx.order.__getitem__))
        v = Verification(ids, len(base[s].lost), len(base[s].lost), money_at_stake=cand.money_at_stake,
                         selectors=s if len(cand.scenarios) == 1 else ids, after_death=base[s].after_death)
        return ((2, 0, 0, 0, -sum(cand.money_at_stake.values())),
                Item(cand.id, INFO, cand.rule, cand.group, group_name, cand.action, cand.detail, (), v))
    changed = extend(res.c, edited(ctx.inv, cand.change))
    verified = [v for s in cand.scenarios if (v := _verify(base[s], _changes_with(changed, base[s])))]
    gains = res.gains(changed, cand.change)
    checks = [v for v in verified if v.saved]
    if len(checks) == 1:  # most candidates: one scenario proposed it
        best, also = checks[0], ()
    elif checks:
        best = max(checks, key=lambda v: _strength(v, gains))  # the first of equals: the worst scenario
        also = tuple(v for v in checks if v is not best)
    else:
        at_stake = {t for s in cand.scenarios for t in base[s].lost.difference(s) if ctx.inv[t].critical}
        if not verified or not any(g.id in at_stake for g in gains):
            return None
        best, also = verified[0], ()  # saves nothing there: its worth is the resilience it adds
    critical, raised, saved, money = _strength(best, gains)
    key = (0 if best.saved else 1, -critical, -raised, -saved, -money)
    return key, Item(cand.id, FIX, cand.rule, cand.group, group_name, cand.action, cand.detail, cand.change,
                     best, also, gains, attacks.added(changed))


FIRST = 5  # fixes in the checklist's head: "do these first"


def _first(keyed: list[tuple[tuple, Item]]) -> list[Item]:
    """The fixes that save the most, at most `FIRST`: critical things saved,
    then money kept, then things saved, then critical things made harder to
    lose (ties keep the order of `_ordered`'s keys)."""
    fixes = [item for key, item in sorted(keyed, key=lambda pair: pair[0]) if item.kind == FIX and
             item.verification is not None and item.verification.saved]

    def worth(item: Item) -> tuple:
        v = item.verification
        return (-len(v.critical_saved), -sum(v.money_saved.values()), -len(v.saved), -len(item.resilience_gains))

    return sorted(fixes, key=worth)[:FIRST]


def _ordered(keyed: list[tuple[tuple, Item]]) -> list[Item]:
    """Strongest first (see `_checked` for the keys), grouped by what
    they concern: the group of the best item first, then the group that does
    most in all; ties keep the order the rules proposed them in."""
    keyed = sorted(keyed, key=lambda pair: pair[0])  # stable
    groups: dict[str, list[tuple[tuple, Item]]] = {}
    for pair in keyed:
        groups.setdefault(pair[1].group, []).append(pair)

    def group_key(pairs):  # per figure but money: the best item's, then the group's total
        best = pairs[0][0]
        out = [best[0]]
        for i in (1, 2, 3):
            out += [best[i], sum(k[i] for k, _ in pairs)]
        return (*out, best[4])

    return [item for pairs in sorted(groups.values(), key=group_key) for _, item in pairs]


def _safer_ways(ctx: Context, res: _Resilience, attacks: TakeoverCheck, candidates: dict[str, Candidate],
                keyed: list[tuple[tuple, Item]], base: dict[tuple, Impact]) -> dict[str, Item]:
    """For each fix that opens a door (a takeover preset takes more once it
    is done), the first of its candidate's `safer` ways that the engines
    find opens no door and saves everything the fix saves in the fix's
    scenario, checked over the scenarios of both. `keyed` gets the safer
    items (replacing one the rules proposed anyway, now checked over more
    scenarios), and both items of a pair say so. Returns door-opening id
    -> the safer item. Cost: one `_checked` per safer way tried, and only
    door-opening fixes try."""
    at = {item.id: n for n, (_, item) in enumerate(keyed)}
    pairs: dict[str, Item] = {}
    for n, (key, item) in enumerate(list(keyed)):
        if item.kind != FIX or not item.takeover_added or item.id not in candidates:
            continue
        cand = candidates[item.id]
        for way in cand.safer:
            known = candidates.get(way.id, way)
            trial = dataclasses.replace(known, scenarios=list(dict.fromkeys([*known.scenarios, *cand.scenarios])))
            checked = _checked(ctx, res, attacks, trial, base)
            if checked is not None and _does_as_much(checked[1], item):
                break
        else:
            continue
        safer_key, safer = checked
        safer = dataclasses.replace(safer, safer_than=item.id, detail=safer.detail + T(
            " Safer than \"", item.action, "\": this way, the takeover engine finds, no attack preset takes "
            "more, and it saves as much."))
        keyed[n] = key, dataclasses.replace(item, safer=safer.id, detail=item.detail + T(
            " A safer way to the same end is listed first: \"", safer.action, "\"."))
        if safer.id in at:
            keyed[at[safer.id]] = safer_key, safer
        else:
            at[safer.id] = len(keyed)
            keyed.append((safer_key, safer))
        pairs[item.id] = safer
    return {door: keyed[at[way.id]][1] for door, way in pairs.items()}  # a way safer for two: its last text


def _does_as_much(way: Item, item: Item) -> bool:
    """Whether `way` opens no door, saves all that `item` saves in `item`'s
    scenario, and makes each critical thing at least as hard to lose."""
    want = item.verification
    after = {g.id: g.after for g in way.resilience_gains}
    return not way.takeover_added and any(
        v.scenario == want.scenario and set(v.saved) >= set(want.saved)
        for v in (way.verification, *way.also) if v is not None) and all(
        g.id in after and not improves(after[g.id], g.after) for g in item.resilience_gains)


def _safer_ahead(items: list[Item], pairs: dict[str, Item]) -> list[Item]:
    """`items` with each door-opening fix's safer way just before it (unless
    the safer way comes earlier anyway)."""
    out: list[Item] = []
    placed: set[str] = set()
    for item in items:
        way = pairs.get(item.id)
        if way is not None and way.id not in placed:
            out.append(way)
            placed.add(way.id)
        if item.id not in placed:
            out.append(item)
            placed.add(item.id)
    return out


def _grouped_in(items: list[Item], extra: list[Item]) -> list[Item]:
    """`items` with each of `extra` after the last item of its group (groups
    stay together), or at the end when its group has none."""
    last = {i.group: n for n, i in enumerate(items)}
    joining: dict[str, list[Item]] = {}  # group -> its extra items, the groups in order of first mention
    for item in extra:
        joining.setdefault(item.group, []).append(item)
    out = []
    for n, i in enumerate(items):
        out.append(i)
        if last[i.group] == n:
            out += joining.pop(i.group, ())
    for items_of_group in joining.values():  # groups without items: at the end, each kept together
        out += items_of_group
    return out


# -- Building ----------------------------------------------------------------------


# What the checklist allocates (candidates, texts, layers, searches) holds no cycles and is
# bounded by the inventory: the collector's rescans of a big heap found nothing to free and
# took about a seventh of the time at 30,000 accounts.
@paused_gc()
def build_checklist(G: Graph, lost=None, after_death: bool = False) -> Checklist:
    """The verified checklist for the inventory of G: every single point of
    failure of the ranking when `lost` is None, else that one scenario (a
    list of selectors: ids, site:S, provider:P, kind:K; one that matches
    nothing raises `selectors.SelectorError`); with `after_death`, the
    after-death scenario (`lost` lost too), where the heirs rules propose
    as well. Every change is verified on
    the changed inventory with the scenario's selectors applied again.
    Cost: the whole inventory's scope, one sweep of necessity masks
    (`engine.single_losses`, no fixed point per scenario); per proposed change, one `engine.extend` (layers over the compiled form, no
    graph) and one `engine.changes_after` per scenario it addresses (what the
    change saves, not what the scenario loses), plus the resilience test of
    each critical thing downstream of it (`_Resilience.gains`); each
    candidate's words are made once, by the first scenario that proposes
    it (`Context.propose`); the proposals are bounded by the things lost."""
    ctx = Context(G)
    base, advice_rows = _scope(ctx, G, lost, after_death)
    scenarios = list(base)

    candidates = ctx.proposed  # the rules of later scenarios look their candidates up in it
    for s in scenarios:
        for cand in chain(rules(ctx, base[s]), heirs_rules(ctx, base[s])):  # each added before the next is made
            known = candidates.setdefault(cand.id, cand)
            if s not in known.scenarios:
                known.scenarios.append(s)

    candidates = _one_stake(ctx, candidates)
    res = _Resilience(G, ctx.inv)
    attacks = TakeoverCheck(res.c, ctx.inv)
    keyed = [checked for cand in candidates.values() if (checked := _checked(ctx, res, attacks, cand, base))]
    pairs = _safer_ways(ctx, res, attacks, candidates, keyed, base)
    fixes = [item for _, item in keyed if item.kind == FIX]
    # A door-opening fix in the head gives its place to its safer way.
    first = list({i.id: i for i in (pairs.get(item.id, item) for item in _first(keyed))}.values())
    head = {item.id for item in first}
    rest = _safer_ahead(_grouped_in(_ordered(keyed), hardening(G, base, attacks)), pairs)
    ordered = first + [item for item in rest if item.id not in head] + advice(ctx, advice_rows)

    combined, combined_gains = [], ()
    if fixes:
        # Every scenario that a new method can change is rederived on this one form (the others
        # save nothing: `changes_rederived`): plain lists read faster than layers. Growing each from
        # before would regrow every fix's additions (a new safe place and the methods naming it) in
        # every scenario.
        every = tuple(op for item in fixes for op in item.change)
        changed = flattened(extend(res.c, edited(ctx.inv, every)))
        for s in scenarios:
            saved, worse = changes = _changes_with(changed, base[s], rederive=True)
            if saved and not worse:  # what `_verify` would list: most scenarios save nothing
                combined.append(_verify(base[s], changes))
        combined_gains = res.gains(changed, every)
    return Checklist(ordered, scenarios, combined, lost is None and not after_death, combined_gains, after_death,
                     len(first))
