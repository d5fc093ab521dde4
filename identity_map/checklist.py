"""The mitigation checklist: concrete actions, each one verified by the engine.

Every action is a change to the inventory (see `fixes.py`): add an
independent copy of a data item, keep a key offline, add a second 2FA method,
give an account its own password, point a recovery address elsewhere. The
checklist is built in three steps:

1. the scenarios in scope: one given scenario, or every single point of
   failure of the ranking (`engine.rank`, the candidates whose loss takes
   anything else with it);
2. the rules look at what each scenario loses and propose changes, each with
   a stable id (`copy-photos`, `second-factor-github`, ...);
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
if I do this" toggle. `export(items, fmt, inventory)` writes md, json, csv or
a printable offline html page; user text is always escaped.
"""

from __future__ import annotations

import csv
import html
import io
import json
from dataclasses import dataclass, field
from functools import cached_property

import networkx as nx

from .engine import Impact, impact, rank
from .fixes import AddCopy, AddMethod, AddThing, apply_change, describe, fresh_id
from .graph import build_graph, inventory_of
from .model import MEMORY, Inventory, Method, Term, Thing
from .report import md

FIX, INFO, ADVICE = "fix", "info", "advice"
KINDS = (FIX, INFO, ADVICE)
FORMATS = ("md", "json", "csv", "html")
ADVICE_GROUP = ""  # the group of general advice: no thing has an empty id
TWO_FACTOR = ("totp", "push", "sms", "key")  # term kinds that are a second factor
ORGANISATION_KINDS = ("work", "government")  # their login is the organisation's choice, not the owner's

# Names of the things the checklist may add (ids are made fresh if taken).
BACKUP_DISK = ("backup-disk", "Backup disk at home (offline copy)")
SAFE_PLACE = ("home-safe", "Safe place at home (printed recovery codes and keys)")
AUTHENTICATOR = ("second-authenticator",
                 "Second authenticator (a security key, or an app whose seeds you keep yourself)")
MAILBOX = ("second-mailbox", "Second mailbox at an independent provider")


# -- Text with user parts ----------------------------------------------------


class U(str):
    """A piece of user text (a name): escaped by each format."""


@dataclass(frozen=True)
class Text:
    """A sentence made of our own words and user text; `str()` is plain text,
    `render(escape)` escapes only the user parts (Markdown)."""

    parts: tuple[tuple[str, bool], ...]

    def __str__(self) -> str:
        return "".join(p for p, _ in self.parts)

    def render(self, escape) -> str:
        return "".join(escape(p) if user else p for p, user in self.parts)

    def __add__(self, other: Text) -> Text:
        return Text(self.parts + other.parts)


def T(*parts) -> Text:
    """T("Copy ", U(name), " now"): `U` marks user text."""
    out = []
    for p in parts:
        if isinstance(p, Text):
            out.extend(p.parts)
        elif p:
            out.append((str(p), isinstance(p, U)))
    return Text(tuple(out))


def _join(parts: list, last: str = " and ") -> Text:
    """'A, B and C' with each name kept as user text."""
    out: list = []
    for i, p in enumerate(parts):
        if i:
            out.append(last if i == len(parts) - 1 else ", ")
        out.append(p)
    return T(*out)


def money_text(amounts: dict[str, float]) -> str:
    """'EUR 1,400' (cents only when there are any); currencies joined by ' + '."""
    return " + ".join(f"{cur} {v:,.0f}" if float(v).is_integer() else f"{cur} {v:,.2f}"
                      for cur, v in amounts.items()) or "nothing"


# -- Items -----------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    """One scenario re-run with an item's change applied. Counts include the
    scenario's own ids, as in the impact report."""

    scenario: tuple[str, ...]
    lost_before: int
    lost_after: int
    saved: tuple[str, ...] = ()  # file order
    critical_saved: tuple[str, ...] = ()
    money_saved: dict[str, float] = field(default_factory=dict)
    money_at_stake: dict[str, float] = field(default_factory=dict)  # info items

    def __hash__(self) -> int:  # the money dicts are not hashable; these fields decide equality anyway
        return hash((self.scenario, self.lost_before, self.lost_after, self.saved))

    def as_json(self) -> dict:
        return {"scenario": list(self.scenario), "lost_before": self.lost_before, "lost_after": self.lost_after,
                "saved": list(self.saved), "critical_saved": list(self.critical_saved),
                "money_saved": self.money_saved, "money_at_stake": self.money_at_stake}


@dataclass(frozen=True)
class Item:
    """One checklist entry. `change` is a tuple of operations from `fixes`
    (empty for info and advice); `verification` is the scenario it helps
    most in, `also` the other scenarios in scope it helps in."""

    id: str  # stable slug, e.g. "copy-photos"
    kind: str  # fix, info or advice
    rule: str
    group: str  # the id of the account, device or place it concerns ("" for advice)
    group_name: str
    action: Text
    detail: Text
    change: tuple = ()
    verification: Verification | None = None
    also: tuple[Verification, ...] = ()

    @property
    def saved(self) -> tuple[str, ...]:
        return self.verification.saved if self.verification else ()

    @property
    def critical_saved(self) -> tuple[str, ...]:
        return self.verification.critical_saved if self.verification else ()

    def change_text(self) -> list[str]:
        return describe(self.change)


class Checklist(list):
    """The items in order, plus what was in scope: `scenarios` (tuples of ids)
    and `combined` (each scenario re-run with every fix applied at once)."""

    def __init__(self, items=(), scenarios=(), combined=(), whole=True):
        super().__init__(items)
        self.scenarios: tuple[tuple[str, ...], ...] = tuple(scenarios)
        self.combined: tuple[Verification, ...] = tuple(combined)
        self.whole = whole  # True: every single point of failure; False: one scenario


def apply(inventory: Inventory, items) -> Inventory:
    """`inventory` with the changes of `items` applied (the "what if I do this"
    toggle); info and advice items change nothing. Applying twice is harmless."""
    for item in items:
        inventory = apply_change(inventory, item.change)
    return inventory


# -- The rules -------------------------------------------------------------


@dataclass
class _Candidate:
    id: str
    kind: str
    rule: str
    group: str
    action: Text
    detail: Text
    change: tuple = ()
    money_at_stake: dict = field(default_factory=dict)
    scenarios: list = field(default_factory=list)


class _Context:
    """The inventory and what the rules look up in it, computed once."""

    def __init__(self, G: nx.DiGraph):
        self.G = G
        self.inv: Inventory = inventory_of(G)
        self.order = {tid: i for i, tid in enumerate(self.inv.things)}
        self.added: dict[str, Thing] = {}  # things the rules propose to create, by id
        self.referenced: dict[str, list[str]] = {}  # id -> things whose methods name it
        for t in self.inv:
            for m in t.methods:
                for term in m.terms:
                    users = self.referenced.setdefault(term.target, [])
                    if t.id not in users:
                        users.append(t.id)

    def name(self, tid: str) -> U:
        thing = self.inv.things.get(tid) or self.added[tid]
        return U(thing.name)

    def _new(self, base: tuple[str, str], kind: str, **fields) -> tuple[str, tuple]:
        tid = fresh_id(self.inv, base[0])
        thing = self.added[tid] = Thing(id=tid, kind=kind, name=base[1], **fields)
        return tid, (AddThing(thing),)

    @cached_property
    def safe_place(self) -> tuple[str, tuple]:
        """Where printed codes and keys go: a place that already holds printed
        codes, else a new one."""
        for t in self.inv:
            for m in t.methods:
                for term in m.terms:
                    if term.kind == "codes" and self.inv[term.target].kind == "place":
                        return term.target, ()
        return self._new(SAFE_PLACE, "place")

    def backup_place(self, data: Thing) -> tuple[str, tuple]:
        """Where an independent copy goes: the place that already holds the
        most copies of other data (not one of this item's own), else a new one."""
        counts: dict[str, int] = {}
        for t in self.inv.of_kind("data"):
            for c in t.copies:
                if self.inv[c].kind == "place" and c not in data.copies:
                    counts[c] = counts.get(c, 0) + 1
        if counts:
            return max(counts, key=lambda c: (counts[c], -self.order[c])), ()
        return self._new(BACKUP_DISK, "place")

    @cached_property
    def authenticator(self) -> tuple[str, tuple]:
        return self._new(AUTHENTICATOR, "device", subkind="other")

    @cached_property
    def password_term(self) -> Term:
        """How this owner keeps passwords: the most common password term of
        the accounts' logins (a remembered one when tied)."""
        counts: dict[Term, int] = {Term("password", MEMORY): 0}
        for t in self.inv.of_kind("account"):
            for m in t.login:
                for term in m.terms:
                    if term.kind == "password":
                        counts[term] = counts.get(term, 0) + 1
        return max(counts, key=lambda k: (counts[k], k.target == MEMORY))

    @cached_property
    def mailboxes(self) -> list[str]:
        """Accounts that are mailboxes: kind email, or named by an email: term."""
        named = {term.target for t in self.inv for m in t.methods for term in m.terms if term.kind == "email"}
        return [t.id for t in self.inv.of_kind("account") if t.subkind == "email" or t.id in named]

    def other_mailbox(self, owner: Thing, exclude: set[str], lost: frozenset[str]) -> tuple[str, tuple]:
        """A mailbox of the owner's that this scenario does not take: one that
        shares a word of the account's id (anna, ben) first, then critical
        ones (kept with care), then file order; a new one if there is none."""
        words = set(owner.id.split("-"))
        choices = [m for m in self.mailboxes if m not in exclude and m not in lost]
        if choices:
            return min(choices, key=lambda m: (not (words & set(m.split("-"))), not self.inv[m].critical,
                                               self.order[m])), ()
        return self._new(MAILBOX, "account", subkind="email", login=(Method((Term("password", MEMORY),)),))

    def vault_export(self, vault: str) -> str | None:
        """A data item that looks like an offline export of the vault: its name
        or id names the vault's provider (or id), and the vault holds no copy."""
        v = self.inv[vault]
        words = {w.casefold() for w in (v.provider, v.id) if w}
        for t in self.inv.of_kind("data"):
            text = f"{t.name} {t.id}".casefold()
            if vault not in t.copies and any(w in text for w in words) and \
                    any(self.inv[c].kind in ("place", "device") for c in t.copies):
                return t.id
        return None

    def vault_change(self, vault: str, source: Term) -> tuple:
        """For every method that needs a password kept only in `vault`, the same
        method with the password taken from `source` (an offline copy)."""
        old = Term("password", vault)
        ops = []
        for t in self.inv:
            for role in ("login", "recovery"):
                for m in getattr(t, role):
                    if old in m.terms:
                        ops.append(AddMethod(t.id, role, _replace(m, old, source)))
        return tuple(ops)


def _replace(method: Method, old: Term, new: Term) -> Method:
    return Method(tuple(dict.fromkeys(new if t == old else t for t in method.terms)))


def _rules(ctx: _Context, scenario: tuple[str, ...], result: Impact):
    """The candidate changes for one scenario, in file order of what they save."""
    inv = ctx.inv
    lost = result.lost
    gone = set(scenario)
    for tid in inv.things:
        if tid not in lost or tid in gone:
            continue
        t = inv[tid]
        if t.kind == "data":
            yield from _data_rules(ctx, t, lost)
        elif t.kind == "account":
            yield from _account_rules(ctx, t, scenario, lost)
        elif t.kind == "purchase":
            tied = [p for p in inv.of_kind("purchase") if p.account == t.account]
            stake: dict[str, float] = {}
            for p in tied:
                stake[p.currency] = stake.get(p.currency, 0.0) + p.price
            stake = dict(sorted(stake.items()))
            yield _Candidate(
                f"stake-{t.account}", INFO, "purchases-at-stake", t.account,
                T(f"Know what is at stake: {money_text(stake)} in purchases tied to ", ctx.name(t.account)),
                T("Bought with it: ", _join([ctx.name(p.id) for p in tied]),
                  ". No change to the inventory can save bought content: it stays with the account. "
                  "Keep the receipts outside the account; they support a claim."),
                money_at_stake=stake)


def _data_rules(ctx: _Context, t: Thing, lost: frozenset[str]):
    holders = t.copies
    if not holders or not all(h in lost for h in holders):
        return  # lost through its `needs`: the needed item gets its own rule
    where = (T("Its only copy is in ", ctx.name(holders[0]), ".") if len(holders) == 1
             else T("Its copies are all in ", _join([ctx.name(h) for h in holders]), ", which can be lost together."))
    group = next(h for h in holders if h in lost)
    needed_by = [u for u in ctx.referenced.get(t.id, []) if u != t.id]
    offline = all(ctx.inv[h].kind == "place" for h in holders)
    if needed_by and not offline:
        place, new = ctx.safe_place
        yield _Candidate(
            f"key-offline-{t.id}", FIX, "key-offline", group,
            T("Keep '", ctx.name(t.id), "' offline too (printed, or on a USB stick in a safe place)"),
            where + T(" ", _join([ctx.name(u) for u in needed_by]),
                      " needs it" if len(needed_by) == 1 else " need it", ". Where to keep it: ", ctx.name(place), "."),
            new + (AddCopy(t.id, place),))
    else:
        place, new = ctx.backup_place(t)
        yield _Candidate(
            f"copy-{t.id}", FIX, "independent-copy", group,
            T("Make an independent copy of '", ctx.name(t.id), "'"),
            where + T(" Where to keep the copy: ", ctx.name(place), ". Refresh it now and then."),
            new + (AddCopy(t.id, place),))


def _account_rules(ctx: _Context, t: Thing, scenario: tuple[str, ...], lost: frozenset[str]):
    inv = ctx.inv
    # A password kept only in a vault that is lost: an offline export of the vault.
    for m in t.methods:
        vaults = [x.target for x in m.terms if x.kind == "password" and x.target in lost
                  and inv[x.target].kind == "account"]
        if vaults:
            vault = vaults[0]
            users = [u for u in ctx.referenced.get(vault, [])
                     if any(Term("password", vault) in mm.terms for mm in inv[u].methods)]
            count = f"{len(users)} account{'s' if len(users) != 1 else ''}"
            export = ctx.vault_export(vault)
            if export:
                yield _Candidate(
                    f"vault-offline-{vault}", FIX, "vault-offline", vault,
                    T("Make sure '", ctx.name(export), "' can stand in for ", ctx.name(vault)),
                    T(f"{count} sign in with a password kept only in ", ctx.name(vault),
                      ". Keep the export current, and note in the inventory that those passwords can come from it."),
                    ctx.vault_change(vault, Term("", export)))
            else:
                place, new = ctx.safe_place
                yield _Candidate(
                    f"vault-offline-{vault}", FIX, "vault-offline", vault,
                    T("Keep an offline copy of the passwords in ", ctx.name(vault)),
                    T(f"{count} sign in with a password kept only there. Keep an encrypted export or an "
                      "emergency sheet, and update it now and then. Where to keep it: ", ctx.name(place), "."),
                    new + ctx.vault_change(vault, Term("password", place)))
            break

    # A second factor that hangs on something lost: a second, independent one.
    base = next((m for m in t.login if any(x.kind in TWO_FACTOR for x in m.terms)), None)
    if base is not None:
        factors = [x.target for x in base.terms if x.kind in TWO_FACTOR]
        if any(f in lost for f in factors):
            rest = tuple(x for x in base.terms if x.kind not in TWO_FACTOR)
            device, new_device = ctx.authenticator
            place, new_place = ctx.safe_place
            yield _Candidate(
                f"second-factor-{t.id}", FIX, "second-factor", t.id,
                T("Add a second 2FA method to ", ctx.name(t.id), " that does not depend on ",
                  _join([ctx.name(f) for f in dict.fromkeys(factors)], " or "), ", and print its recovery codes"),
                T("For example a security key, or an authenticator app whose seeds you keep yourself. "
                  "Where to keep the printed codes: ", ctx.name(place), "."),
                new_device + (AddMethod(t.id, "login", Method(rest + (Term("totp", device),))),)
                + new_place + (AddMethod(t.id, "recovery", Method(rest + (Term("codes", place),))),))

    # Login only through "Sign in with X": its own password.
    if t.subkind not in ORGANISATION_KINDS and t.login and all(any(x.kind == "sso" for x in m.terms)
                                                               for m in t.login):
        via = [x.target for m in t.login for x in m.terms if x.kind == "sso" and x.target in lost]
        if via:
            x = inv[via[0]]
            same = (t.provider and x.provider and t.provider.casefold() == x.provider.casefold()) or (
                t.user and t.user == x.user)
            if not same:  # the same provider's own services cannot get a separate login
                pw = ctx.password_term
                kept = "" if pw.target == MEMORY else "kept in "
                yield _Candidate(
                    f"own-login-{t.id}", FIX, "own-login", t.id,
                    T("Give ", ctx.name(t.id), " its own password or passkey"),
                    T("Today it opens only with \"Sign in with ", ctx.name(x.id), "\". Add a password",
                      T(" ", kept, ctx.name(pw.target)) if kept else T(""),
                      " (and a second factor) in its account settings."),
                    (AddMethod(t.id, "login", Method((pw,))),))

    # Recovery through a mailbox that is lost: point it elsewhere (or break a loop).
    for m in t.recovery:
        boxes = [x.target for x in m.terms if x.kind == "email" and x.target in lost and x.target != t.id]
        if not boxes:
            continue
        box = boxes[0]
        loop = box not in scenario and any(t.id in mm.targets for mm in inv[box].recovery)
        if loop and ctx.order[box] < ctx.order[t.id]:
            break  # the partner, earlier in the file, carries the item
        other, new = ctx.other_mailbox(t, {t.id, box}, lost)
        ops = tuple(AddMethod(t.id, "recovery", _replace(mm, Term("email", box), Term("email", other)))
                    for mm in t.recovery if Term("email", box) in mm.terms)
        if loop:
            yield _Candidate(
                f"loop-{t.id}-{box}", FIX, "recovery-loop", t.id,
                T("Break the recovery loop between ", ctx.name(t.id), " and ", ctx.name(box)),
                T(ctx.name(t.id), " recovers only through ", ctx.name(box), " and ", ctx.name(box),
                  " only through ", ctx.name(t.id), ": when both logins fail, neither rescues the other. "
                  "Point the recovery address of ", ctx.name(t.id), " at ", ctx.name(other), "."),
                new + ops)
        else:
            yield _Candidate(
                f"recovery-{t.id}", FIX, "recovery-elsewhere", t.id,
                T("Point the recovery address of ", ctx.name(t.id), " elsewhere"),
                T("Today it is ", ctx.name(box), ". Use ", ctx.name(other), " instead, or as well."),
                new + ops)
        break


def _advice(ctx: _Context, rows: list[tuple[str, tuple[str, ...]]]) -> list[Item]:
    """The story's general advice, when losing one account takes something
    critical. `rows`: (account id, critical ids its loss takes), worst first."""
    if not rows:
        return []
    providers = list(dict.fromkeys(ctx.inv[a].provider or ctx.inv[a].name for a, _ in rows))
    names = [U(p) for p in providers[:4]]
    if len(providers) > 4:
        names.append(f"{len(providers) - 4} more")
    top, crit = rows[0]
    data = [d for d in crit if ctx.inv[d].kind == "data"]
    shown = [ctx.name(d) for d in data[:4]] + (["more"] if len(data) > 4 else [])
    held = T(" What matters most here: ", _join(shown), ".") if data else T("")

    def item(slug: str, action: Text, detail: Text) -> Item:
        return Item(f"advice-{slug}", ADVICE, slug, ADVICE_GROUP, "General advice", action, detail)

    return [
        item("paid-support", T("Consider a paid plan with real support at ", _join(names)),
             T("Direct support is often for paying customers only, and fast support matters when a login is "
               "lost. Losing ", ctx.name(top), f" alone takes {len(crit)} critical thing"
               f"{'s' if len(crit) != 1 else ''}.")),
        item("privacy", T("Prefer services that encrypt your data and respect your privacy"),
             T("Automated scans err, and a provider may block a whole account at once, on mere suspicion, "
               "and rarely reverses it.") + held),
        item("lockout-plan", T("Have a lockout plan: contest a block at once and in writing"),
             T("If ", ctx.name(top), " is blocked, contest the block immediately and in writing, and send the "
               "service a formal warning. In Germany, lawyers point out that an injunction against the block "
               "can be sought if the service does not answer as asked (a breach can cost it up to EUR 250,000).")),
    ]


# -- Building and verifying --------------------------------------------------


def _verify(before: Impact, after: Impact) -> Verification | None:
    """What the change saved in this scenario; None if it made anything worse."""
    c = before.compiled
    if after.lost - before.lost:
        return None
    saved = tuple(tid for tid in c.ids if tid in before.lost and tid not in after.lost)
    money: dict[str, float] = {}
    critical = []
    for tid in saved:
        thing = c.things[c.index[tid]]
        if thing.kind == "purchase":
            money[thing.currency] = money.get(thing.currency, 0.0) + thing.price
        if thing.critical:
            critical.append(tid)
    return Verification(tuple(sorted(before.scenario, key=c.index.__getitem__)), len(before.lost),
                        len(after.lost), saved, tuple(critical), dict(sorted(money.items())))


def _strength(v: Verification) -> tuple:
    return (len(v.critical_saved), len(v.saved), sum(v.money_saved.values()))


def build_checklist(G: nx.DiGraph, lost=None) -> Checklist:
    """The verified checklist for the inventory of G: every single point of
    failure of the ranking when `lost` is None, else that one scenario (a
    list of ids; unknown ids raise KeyError).
    Cost: one graph rebuild per proposed change plus one `impact` per
    scenario it addresses; the proposals are bounded by the things lost."""
    ctx = _Context(G)
    whole = lost is None
    if whole:
        rows = rank(G)
        scenarios = [(r.id,) for r in rows if r.lost > 0]
        advice_rows = [(r.id, r.critical_lost) for r in rows if r.kind == "account" and r.critical_lost]
    else:
        scenarios = [tuple(dict.fromkeys(lost))]
    base = {s: impact(G, s) for s in scenarios}
    if not whole:
        s = scenarios[0]
        crit = base[s].summary.critical_lost
        advice_rows = ([(next(i for i in s if ctx.inv[i].kind == "account"), crit)]
                       if crit and any(ctx.inv[i].kind == "account" for i in s) else [])

    candidates: dict[str, _Candidate] = {}
    for s in scenarios:
        for cand in _rules(ctx, s, base[s]):
            known = candidates.setdefault(cand.id, cand)
            if s not in known.scenarios:
                known.scenarios.append(s)

    items: list[tuple[tuple, Item]] = []
    fixes: list[Item] = []
    for n, cand in enumerate(candidates.values()):
        group_name = ctx.inv[cand.group].name
        if cand.kind == INFO:
            s = cand.scenarios[0]
            v = Verification(s, len(base[s].lost), len(base[s].lost), money_at_stake=cand.money_at_stake)
            item = Item(cand.id, INFO, cand.rule, cand.group, group_name, cand.action, cand.detail, (), v)
            items.append(((1, 0, 0, -sum(cand.money_at_stake.values()), n), item))
            continue
        G2 = build_graph(apply_change(ctx.inv, cand.change))
        checks = [v for s in cand.scenarios if (v := _verify(base[s], impact(G2, s))) and v.saved]
        if not checks:
            continue  # fixes nothing: not listed
        best = max(checks, key=_strength)  # the first of equals: the worst scenario
        item = Item(cand.id, FIX, cand.rule, cand.group, group_name, cand.action, cand.detail, cand.change, best,
                    tuple(v for v in checks if v is not best))
        c, k, m = _strength(best)
        items.append(((0, -c, -k, -m, n), item))
        fixes.append(item)

    items.sort(key=lambda pair: pair[0])
    groups: dict[str, list[tuple[tuple, Item]]] = {}
    for pair in items:
        groups.setdefault(pair[1].group, []).append(pair)

    def group_key(pairs):  # the best item first, then the most saved by the whole group
        return (pairs[0][0][0], pairs[0][0][1], sum(k[1] for k, _ in pairs), pairs[0][0][2],
                sum(k[2] for k, _ in pairs), pairs[0][0][3:])

    ordered = [item for pairs in sorted(groups.values(), key=group_key) for _, item in pairs]
    ordered += _advice(ctx, advice_rows)

    combined = []
    if fixes:
        G_all = build_graph(apply(ctx.inv, fixes))
        for s in scenarios:
            v = _verify(base[s], impact(G_all, s))
            if v and v.saved:
                combined.append(v)
    return Checklist(ordered, scenarios, combined, whole)


# -- Export ----------------------------------------------------------------


def _namer(inventory: Inventory | None):
    def name(tid: str) -> U:
        if inventory is not None and tid in inventory.things:
            return U(inventory[tid].name)
        return U(tid)
    return name


def verification_text(v: Verification | None, inventory: Inventory | None = None) -> Text:
    """The figures in words: 'If you lose X: 16 things lost instead of 18. Saved: ...'."""
    if v is None:
        return T("")
    name = _namer(inventory)
    crit = set(v.critical_saved)
    scen = _join([name(i) for i in v.scenario])
    if v.money_at_stake and not v.saved:
        return T("If you lose ", scen, f": {money_text(v.money_at_stake)} of purchases are lost with it "
                 "(this item saves nothing by itself).")
    saved = [T(name(i), " (critical)" if i in crit else "") for i in v.saved]
    out = T("If you lose ", scen, f": {v.lost_after} thing{'s' if v.lost_after != 1 else ''} lost instead of "
            f"{v.lost_before}. Saved: ", _join(saved), ".")
    if v.money_saved:
        out += T(f" Money kept: {money_text(v.money_saved)}.")
    return out


def _also_text(item: Item, inventory: Inventory | None) -> Text:
    if not item.also:
        return T("")
    name = _namer(inventory)
    return T("Also helps if you lose ", _join([T(_join([name(i) for i in v.scenario]), f" ({len(v.saved)} saved)")
                                                for v in item.also], " or "), ".")


def item_json(item: Item, inventory: Inventory | None = None) -> dict:
    return {
        "id": item.id, "kind": item.kind, "rule": item.rule, "group": item.group, "group_name": item.group_name,
        "action": str(item.action), "detail": str(item.detail),
        "verified": str(verification_text(item.verification, inventory)),
        "verification": item.verification.as_json() if item.verification else None,
        "also": [v.as_json() for v in item.also],
        "change": [op.as_json() for op in item.change],
        "change_text": item.change_text(),
    }


def _title(inventory: Inventory | None) -> str:
    owner = inventory.owner if inventory is not None else ""
    return "Mitigation checklist" + (f" — {owner}" if owner else "")


def _scope(items, inventory: Inventory | None) -> list[Text]:
    """Lines saying what was checked and what doing everything achieves."""
    name = _namer(inventory)
    scenarios = getattr(items, "scenarios", None)
    lines = []
    if scenarios is not None:
        if getattr(items, "whole", True):
            shown = [name(s[0]) for s in scenarios[:8]] + ([f"{len(scenarios) - 8} more"] if len(scenarios) > 8 else [])
            lines.append(T(f"Scope: every single point of failure, {len(scenarios)} of them: ", _join(shown), ".")
                         if scenarios else T("Scope: every single point of failure; there are none."))
        elif scenarios:
            lines.append(T("Scope: the scenario of losing ", _join([name(i) for i in scenarios[0]]), "."))
    lines.append(T("Each action is a change to the inventory; the engine re-ran the scenario with the "
                   "change applied and the figures below are its result. Actions that save nothing are not listed."))
    for v in list(getattr(items, "combined", ()))[:3]:
        lines.append(T("With every action done: if you lose ", _join([name(i) for i in v.scenario]),
                       f", {v.lost_after} thing{'s' if v.lost_after != 1 else ''} lost instead of {v.lost_before}."))
    if not items:
        lines.append(T("Nothing to do: no action would save anything in the scenarios checked."))
    return lines


def _grouped(items) -> list[tuple[str, str, list[Item]]]:
    groups: dict[str, tuple[str, list[Item]]] = {}
    for item in items:
        groups.setdefault(item.group, (item.group_name, []))[1].append(item)
    return [(g, n, its) for g, (n, its) in groups.items()]


def _markdown(items, inventory: Inventory | None) -> str:
    owner = inventory.owner if inventory is not None else ""
    lines = ["# Mitigation checklist" + (f" — {md(owner)}" if owner else ""), ""]
    lines += [line.render(md) for line in _scope(items, inventory)]
    for group, group_name, its in _grouped(items):
        lines += ["", f"## {md(group_name)}" + (f" (`{group}`)" if group and group_name != group else ""), ""]
        for item in its:
            tag = {INFO: " _(to know)_", ADVICE: " _(advice)_"}.get(item.kind, "")
            lines.append(f"- [ ] **{item.action.render(md)}**{tag}")
            if item.detail.parts:
                lines.append(f"  - {item.detail.render(md)}")
            if item.verification is not None:
                prefix = "Verified: " if item.kind == FIX else ""
                lines.append(f"  - {prefix}{verification_text(item.verification, inventory).render(md)}")
            if item.also:
                lines.append(f"  - {_also_text(item, inventory).render(md)}")
            if item.change:
                lines.append("  - Change to the inventory: " + "; ".join(_code_safe(item)))
    return "\n".join(lines) + "\n"


SHOWN_CHANGES = 6  # change lines shown in md and html; JSON and CSV carry all


def _shown_changes(item: Item) -> tuple[list[str], int]:
    lines = item.change_text()
    return lines[:SHOWN_CHANGES], max(0, len(lines) - SHOWN_CHANGES)


def _code_safe(item: Item) -> list[str]:
    """The change lines for Markdown code spans (names may hold backticks;
    they become quotes), the rest counted."""
    lines, more = _shown_changes(item)
    return [f"`{line.replace('`', chr(39))}`" for line in lines] + ([f"and {more} more like these"] if more else [])


_CSV_FIELDS = ("id", "kind", "rule", "group", "group_name", "action", "detail", "verified", "scenario",
               "lost_before", "lost_after", "saved", "critical_saved", "money_saved", "money_at_stake", "change")


def _cell(value) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv(items, inventory: Inventory | None) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(_CSV_FIELDS)
    for item in items:
        v = item.verification
        writer.writerow([_cell(x) for x in (
            item.id, item.kind, item.rule, item.group, item.group_name, item.action, item.detail,
            verification_text(v, inventory), " ".join(v.scenario) if v else "",
            v.lost_before if v else "", v.lost_after if v else "", " ".join(item.saved), " ".join(item.critical_saved),
            money_text(v.money_saved) if v and v.money_saved else "",
            money_text(v.money_at_stake) if v and v.money_at_stake else "",
            "; ".join(item.change_text()))])
    return out.getvalue()


_STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; max-width: 50em; margin: 2em auto; padding: 0 1em; color: #111; }
h1 { font-size: 1.5em; } h2 { font-size: 1.15em; margin-top: 1.6em; border-bottom: 1px solid #ccc; }
ul.items { list-style: none; padding-left: 0; }
li.item { margin: 0.8em 0; padding-left: 1.8em; position: relative; break-inside: avoid; }
span.box { position: absolute; left: 0; top: -0.1em; font-size: 1.3em; }
p { margin: 0.2em 0; } .verified { color: #05612b; } .info .verified { color: #8a4b00; }
.change, .also, .scope { color: #555; font-size: 0.9em; } code { font-size: 0.95em; }
.tag { color: #666; font-style: italic; font-weight: normal; }
@media print { body { margin: 0; max-width: none; } }
"""


def _html(items, inventory: Inventory | None) -> str:
    e = html.escape
    title = _title(inventory)
    out = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
           f"<title>{e(title)}</title>", f"<style>{_STYLE}</style>", "</head>", "<body>", f"<h1>{e(title)}</h1>"]
    out += [f'<p class="scope">{e(str(line))}</p>' for line in _scope(items, inventory)]
    for group, group_name, its in _grouped(items):
        label = e(group_name) + (f" <code>{e(group)}</code>" if group and group != group_name else "")
        out += ["<section>", f"<h2>{label}</h2>", '<ul class="items">']
        for item in its:
            tag = {INFO: "to know", ADVICE: "advice"}.get(item.kind)
            out.append(f'<li class="item {e(item.kind)}"><span class="box">&#9744;</span>'
                       f"<p><strong>{e(str(item.action))}</strong>"
                       + (f' <span class="tag">({tag})</span>' if tag else "") + "</p>")
            if item.detail.parts:
                out.append(f"<p>{e(str(item.detail))}</p>")
            if item.verification is not None:
                prefix = "Verified: " if item.kind == FIX else ""
                out.append(f'<p class="verified">{prefix}{e(str(verification_text(item.verification, inventory)))}</p>')
            if item.also:
                out.append(f'<p class="also">{e(str(_also_text(item, inventory)))}</p>')
            if item.change:
                shown, more = _shown_changes(item)
                out.append('<p class="change">Change to the inventory: '
                           + "; ".join([f"<code>{e(c)}</code>" for c in shown]
                                       + ([f"and {more} more like these"] if more else [])) + "</p>")
            out.append("</li>")
        out += ["</ul>", "</section>"]
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"


def export(items, fmt: str, inventory: Inventory | None = None) -> str:
    """The checklist as text: "md" (task boxes), "json" (a list of items with
    their verification figures), "csv" (a header and one row per item) or
    "html" (a printable standalone page, no network)."""
    if fmt == "md":
        return _markdown(items, inventory)
    if fmt == "json":
        return json.dumps([item_json(i, inventory) for i in items], indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        return _csv(items, inventory)
    if fmt == "html":
        return _html(items, inventory)
    raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
