"""The checklist's objects: sentences with user parts, items and their figures.

Shared by the rules (`checklist_rules`), the builder (`checklist`) and the
export formats (`checklist_export`); `identity_map.checklist` re-exports
what callers use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from identity_map.checklist.fixes import describe
from identity_map.analysis.resilience import MAX_K

FIX, INFO, ADVICE = "fix", "info", "advice"
HARDEN = "harden"  # a change that only takes doors away from an attacker (`checklist.takeover`)
KINDS = (FIX, INFO, ADVICE, HARDEN)
CHANGES = (FIX, HARDEN)  # the kinds that carry a change to the inventory


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

    def __bool__(self) -> bool:
        return bool(self.parts)

    def render(self, escape) -> str:
        return "".join(escape(p) if user else p for p, user in self.parts)

    def __add__(self, other: Text) -> Text:
        return Text(self.parts + other.parts)


def T(*parts) -> Text:
    """T("Copy ", U(name), " now"): `U` marks user text; empty parts are dropped."""
    out = []
    for p in parts:
        if isinstance(p, Text):
            out.extend(p.parts)
        elif p:
            out.append((str(p), isinstance(p, U)))
    return Text(tuple(out))


def join(parts: list, last: str = " and ") -> Text:
    """'A, B and C' with each name kept as user text."""
    out: list = []
    for i, p in enumerate(parts):
        if i:
            out.append(last if i == len(parts) - 1 else ", ")
        out.append(p)
    return T(*out)


def shortlist(parts: list, limit: int, more: str = "more") -> list:
    """The first `limit` parts, then "N more" for the rest (to `join`)."""
    return list(parts[:limit]) + ([f"{len(parts) - limit} {more}"] if len(parts) > limit else [])


def plural(n: int, word: str) -> str:
    """'1 thing', '2 things'."""
    return f"{n} {word}{'' if n == 1 else 's'}"


def money_text(amounts: dict[str, float]) -> str:
    """'EUR 1,400' (cents only when there are any); currencies joined by ' + '."""
    return " + ".join(f"{cur} {v:,.0f}" if float(v).is_integer() else f"{cur} {v:,.2f}"
                      for cur, v in amounts.items()) or "nothing"


def add_money(total: dict[str, float], currency: str, amount: float) -> None:
    total[currency] = total.get(currency, 0.0) + amount


# -- Items -----------------------------------------------------------------


class Gain(NamedTuple):
    """A critical thing whose resilience a change raises: the fewest
    simultaneous losses that lose it, before and after (None: more than
    `resilience.MAX_K`; 0: unavailable even with nothing lost)."""

    id: str
    before: int | None
    after: int | None


def losses_label(k: int | None) -> str:
    return f"more than {MAX_K}" if k is None else str(k)


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
    selectors: tuple[str, ...] = ()  # the scenario as asked (site:home ...); its ids are `scenario`
    after_death: bool = False  # the scenario is after your death (see `engine.impact`)

    def __hash__(self) -> int:  # the money dicts are not hashable; these fields decide equality anyway
        return hash((self.scenario, self.lost_before, self.lost_after, self.saved))

    def as_json(self) -> dict:
        return {"scenario": list(self.scenario), "selectors": list(self.selectors or self.scenario),
                "lost_before": self.lost_before, "lost_after": self.lost_after,
                "saved": list(self.saved), "critical_saved": list(self.critical_saved),
                "money_saved": self.money_saved, "money_at_stake": self.money_at_stake}


@dataclass(frozen=True)
class Item:
    """One checklist entry. `change` is a tuple of operations from `fixes`
    (empty for info and advice); `verification` is the scenario it helps
    most in, `also` the other scenarios in scope it helps in;
    `resilience_gains` the critical things the change makes harder to lose
    (file order), whatever the scenario; `takeover_added` the takeover
    presets that take more once the change is made, `takeover_saved` those
    that take less (`checklist.takeover`; every fix is checked, info and
    advice change nothing); `safer` and `safer_than` pair a fix that opens a
    door with the safer way listed ahead of it."""

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
    resilience_gains: tuple[Gain, ...] = ()
    takeover_added: tuple = ()
    takeover_saved: tuple = ()
    safer: str = ""  # the id of the item listed before this one that does as much and opens no door
    safer_than: str = ""  # the id of the door-opening item this one is listed ahead of

    @property
    def saved(self) -> tuple[str, ...]:
        return self.verification.saved if self.verification else ()

    @property
    def critical_saved(self) -> tuple[str, ...]:
        return self.verification.critical_saved if self.verification else ()

    def change_text(self) -> list[str]:
        return describe(self.change)


class Checklist(list):
    """The items in order, plus what was in scope: `scenarios` (tuples of selectors),
    `combined` (each scenario re-run with every fix applied at once) and
    `combined_gains` (the critical things every fix together makes harder to lose);
    the first `first` items are the head: the fixes to do first."""

    def __init__(self, items=(), scenarios=(), combined=(), whole=True, combined_gains=(), after_death=False,
                 first=0):
        super().__init__(items)
        self.after_death = after_death  # the one scenario is after your death
        self.first = first
        self.scenarios: tuple[tuple[str, ...], ...] = tuple(scenarios)
        self.combined: tuple[Verification, ...] = tuple(combined)
        self.whole = whole  # True: every single point of failure; False: one scenario
        self.combined_gains: tuple[Gain, ...] = tuple(combined_gains)
