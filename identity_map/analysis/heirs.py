"""What your people can reach after you die, and how, in plain words.

For one person, the after-death scenario (`engine.impact(..., after_death=True)`)
with every *other* person of `people:` lost too: what that person alone
reaches. For "everyone together", no person is lost. Each thing then is
- reached *directly* (status ok or degraded: a login works, e.g. the vault
  password on the emergency sheet in the safe);
- reached *through a procedure* (recoverable: a recovery or a legacy method
  has to run first, "Apple: Anna, your partner and legacy contact, asks Apple
  with the recovery codes in Home safe and a death certificate");
- *out of reach* (lost, or unreachable even while you live).
Lists put critical things first, then the money tied to them, then file order.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass

from identity_map.analysis.engine import DEGRADED, LOST, OK, RECOVERABLE, Graph, Impact
from identity_map.analysis.explain import MethodState, method_states
from identity_map.analysis.graph import inventory_of
from identity_map.analysis.selectors import scenario_impact
from identity_map.format.model import MEMORY, SELF, Inventory, Method, Term, Thing

DIRECT, PROCEDURE, OUT = "direct", "procedure", "out of reach"
GROUPS = (DIRECT, PROCEDURE, OUT)
HEADINGS = {DIRECT: "Reached directly", PROCEDURE: "Reached through a recovery or legacy procedure",
            OUT: "Out of reach"}
# Not listed: what the owner was (memory, self), the people themselves, and
# purchases (their money is shown on the account they are tied to).
_UNLISTED = ("memory", "self", "person", "purchase")
MAX_CHAIN = 3  # how many "once X is recovered" steps a chain spells out


class HeirsError(ValueError):
    """An unknown person; the message says which ids would do."""


@dataclass(frozen=True)
class Entry:
    """One thing as a person finds it after your death."""

    id: str
    name: str
    kind: str
    group: str  # DIRECT, PROCEDURE or OUT
    how: str  # plain words: how they get in, or why they cannot
    money: dict[str, float]  # purchases tied to it (currency -> amount)
    critical: bool


@dataclass(frozen=True)
class Reach:
    """What one person (or everyone listed, `person` == "") reaches."""

    person: str
    title: str  # "Anna (partner)", or "Your people together"
    impact: Impact
    entries: tuple[Entry, ...]  # critical first, then money, then file order

    @property
    def subject(self) -> str:
        """Who reaches, for a sentence: "Anna (partner)" or "your people together"."""
        return self.title if self.person else "your people together"

    def group(self, group: str) -> tuple[Entry, ...]:
        return tuple(e for e in self.entries if e.group == group)

    def money(self, *groups: str) -> dict[str, float]:
        """Money tied to the things of `groups`, per currency."""
        out: dict[str, float] = {}
        for e in (e for e in self.entries if e.group in groups):
            for cur, value in e.money.items():
                out[cur] = out.get(cur, 0.0) + value
        return dict(sorted(out.items()))


def person_title(thing: Thing) -> str:
    """'Anna (partner)', or the name alone. Cost: O(1).

    >>> person_title(Thing(id="anna", kind="person", name="Anna", relation="partner"))
    'Anna (partner)'
    """
    return f"{thing.name} ({thing.relation})" if thing.relation else thing.name


def heirs(G: Graph, person: str | None = None, lose: Sequence[str] = ()) -> list[Reach]:
    """One `Reach` per person of the inventory (only `person` when given),
    or one for "your people together" when it lists nobody; `lose` adds
    selectors lost as well. Raises HeirsError for an unknown person and
    `selectors.SelectorError` for a selector that matches nothing.
    Cost: one after-death impact per person, plus O(terms) per thing listed.

    >>> from identity_map.format.load import load_text
    >>> from identity_map.analysis.graph import build_graph
    >>> G = build_graph(load_text("version: 1\\npeople:\\n  anna: {relation: partner}\\n"
    ...                           "accounts:\\n  apple: {provider: Apple, legacy: [person:anna]}\\n"))
    >>> [(e.id, e.group, e.how) for e in heirs(G)[0].entries]
    [('apple', 'procedure', 'anna (partner), your legacy contact, asks Apple with a death certificate')]
    """
    inv = inventory_of(G)
    people = [t.id for t in inv.of_kind("person")]
    if person is not None and person not in people:
        close = difflib.get_close_matches(person, people, n=1)
        raise HeirsError(f"--person: '{person}' is not in people:" + (f"; did you mean '{close[0]}'?" if close else "")
                         + (f" (people: {', '.join(people)})" if people else " (the inventory lists no people yet)"))
    chosen = [person] if person is not None else people
    if not chosen:
        return [reach(G, None, lose)]
    return [reach(G, p, lose) for p in chosen]


def reach(G: Graph, person: str | None, lose: Sequence[str] = ()) -> Reach:
    """What `person` alone reaches after your death (every other person lost
    too), or everyone together when `person` is None. Cost: one after-death
    impact plus O(terms) per thing listed.

    >>> from identity_map.format.load import load_text
    >>> from identity_map.analysis.graph import build_graph
    >>> G = build_graph(load_text("version: 1\\nplaces:\\n  safe: {}\\naccounts:\\n  vault: {login: [password:safe]}\\n"))
    >>> [(e.id, e.group) for e in reach(G, None).entries]
    [('safe', 'direct'), ('vault', 'direct')]
    """
    inv = inventory_of(G)
    others = [t.id for t in inv.of_kind("person") if person is not None and t.id != person]
    result = scenario_impact(G, [*lose, *others], after_death=True)
    words = _Words(result)
    entries = [words.entry(t) for t in inv if t.kind not in _UNLISTED]
    order = {t.id: i for i, t in enumerate(inv)}
    entries.sort(key=lambda e: (not e.critical, -sum(e.money.values()), order[e.id]))
    title = person_title(inv[person]) if person is not None else "Your people together"
    return Reach(person or "", title, result, tuple(entries))


def money_of(inv: Inventory) -> dict[str, dict[str, float]]:
    """Account id -> the money of the purchases tied to it, per currency. Cost: O(things).

    >>> from identity_map.format.load import load_text
    >>> money_of(load_text("version: 1\\naccounts:\\n  a: {}\\npurchases:\\n  p: {account: a, price: 5}\\n"))
    {'a': {'EUR': 5.0}}
    """
    out: dict[str, dict[str, float]] = {}
    for p in inv.of_kind("purchase"):
        cur = out.setdefault(p.account, {})
        cur[p.currency] = cur.get(p.currency, 0.0) + p.price
    return out


class _Words:
    """Plain-word descriptions of the methods of one after-death impact."""

    def __init__(self, result: Impact):
        self.result = result
        self.inv = result.compiled.inventory
        self.money = money_of(self.inv)

    def entry(self, thing: Thing) -> Entry:
        status = self.result.status(thing.id)
        if status in (OK, DEGRADED):
            group, how = DIRECT, self.direct(thing)
        elif status == RECOVERABLE:
            group, how = PROCEDURE, self.procedure(thing.id, 0, {thing.id})
        else:
            group, how = OUT, self.out(thing, status)
        return Entry(thing.id, thing.name, thing.kind, group, how, self.money.get(thing.id, {}), thing.critical)

    def name(self, tid: str) -> str:
        if tid == MEMORY:
            return "what you knew by heart"
        if tid == SELF:
            return "you in person"
        t = self.inv[tid]
        return person_title(t) if t.kind == "person" else t.name

    def term(self, term: Term) -> str:
        n = self.name(term.target)
        return {
            "password": "the password you knew" if term.target == MEMORY else f"the password kept in {n}",
            "email": f"a code mailed to {n}", "sso": f"the login of {n}", "account": f"access to {n}",
            "sms": f"a text to {n}", "totp": f"codes from {n}", "push": f"an approval in {n}",
            "passkey": f"the passkey in {n}", "key": f"the security key {n}", "device": n,
            "codes": f"the recovery codes in {n}", "person": n,
        }.get(term.kind, n)

    def terms(self, method: Method, skip: str | None = None) -> str:
        parts = list(dict.fromkeys(self.term(t) for t in method.terms if t.kind != skip))
        return " and ".join(parts)

    def _method(self, thing: Thing, state: MethodState) -> Method:
        methods = dict(thing.roles)[state.role if state.role != "copy" else "login"]
        return next(m for m in methods if str(m) == state.text)

    def direct(self, thing: Thing) -> str:
        if not any(methods for _, methods in thing.roles):
            if thing.site == "carried":
                return "among what you carried"
            return f"at {thing.site}" if thing.site else "there as it is"
        states = [s for s in method_states(self.result, thing.id) if s.works and not s.is_procedure]
        if not states:
            return "through its recovery, which works as it did while you lived"
        s = states[0]
        if thing.kind == "phone":
            return f"the SIM in {self.terms(self._method(thing, s))}"
        verb = {"copy": "a copy:", "unlock": "unlock it with", "login": "sign in with"}[s.role]
        return f"{verb} {self.terms(self._method(thing, s))}"

    def procedure(self, tid: str, depth: int, seen: set[str]) -> str:
        """How a recoverable thing comes back: its own legacy method first,
        then its own recovery, else the login it waits for and how what that
        waits for comes back (up to MAX_CHAIN steps)."""
        thing = self.inv[tid]
        states = method_states(self.result, tid)
        for role in ("legacy", "recovery"):
            s = next((s for s in states if s.works and s.role == role), None)
            if s is not None:
                return self.run(thing, s)
        login = next((s for s in states if s.works and not s.is_procedure), None)
        if login is None:
            return "a recovery has to run first"
        pending = [t for t in login.targets if self.result.status(t) == RECOVERABLE and t not in seen]
        text = f"sign in with {self.terms(self._method(thing, login))}"
        if not pending:
            return text
        seen.update(pending)
        names = " and ".join(self.name(t) for t in pending)
        if depth + 1 >= MAX_CHAIN:
            return f"{text}, once {names} {'is' if len(pending) == 1 else 'are'} recovered"
        if len(pending) == 1:
            return f"{text}, once that is recovered ({self.procedure(pending[0], depth + 1, seen)})"
        steps = "; ".join(f"{self.name(t)}: {self.procedure(t, depth + 1, seen)}" for t in pending)
        return f"{text}, once {names} are recovered ({steps})"

    def run(self, thing: Thing, state: MethodState) -> str:
        method = self._method(thing, state)
        if state.role == "recovery":
            return f"recovery with {self.terms(method)}"
        who = [self.name(t.target) for t in method.terms if t.kind == "person"]
        rest = self.terms(method, skip="person")
        provider = thing.provider or thing.name
        with_what = f"{rest} and a death certificate" if rest else "a death certificate"
        if not who:
            return f"the legacy procedure with {with_what}"
        contact = "your legacy contact" if len(who) == 1 else "your legacy contacts"
        return f"{' and '.join(who)}, {contact}, {'asks' if len(who) == 1 else 'ask'} {provider} with {with_what}"

    def out(self, thing: Thing, status: str) -> str:
        if status != LOST:
            return "out of reach even while you live"
        if thing.id in self.result.scenario:
            return "gone in this scenario"
        states = [s for s in method_states(self.result, thing.id) if s.worked_in_baseline]
        gone = list(dict.fromkeys(t for s in states for t in s.gone))
        return ("its ways in need what is gone: " + ", ".join(self.name(t) for t in gone)) if gone else "no way in works"
