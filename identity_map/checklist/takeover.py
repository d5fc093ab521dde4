"""Checklist changes checked the other way round: what they hand to an attacker.

A fix that makes an account easier to recover can make it easier to steal
(an SMS recovery saves you when the authenticator dies and hands the
account to whoever swaps your SIM). For every change the checklist
verifies, `TakeoverCheck.added` re-runs each takeover preset, with each of
its choices in the inventory (every phone number swapped, every phone
stolen, every mailbox breached, every vault leaked, the reused password),
on the changed compiled form, and lists what the attacker takes that they
could not take before.
"""

from __future__ import annotations

from dataclasses import dataclass

from identity_map.analysis.engine import Compiled
from identity_map.analysis.scenarios import TAKEOVER_BY_KEY, TAKEOVER_PRESETS, choices, lost_ids
from identity_map.analysis.takeover import takeover_of
from identity_map.checklist.model import T, Text, U, join, shortlist
from identity_map.format.model import Inventory

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


class TakeoverCheck:
    """The takeover presets of one inventory, and what each takes before any change."""

    def __init__(self, c: Compiled, inventory: Inventory):
        self.c = c
        attacks = [(p.key, lost_ids(p, inventory, pick)) for p in TAKEOVER_PRESETS
                   for pick in (choices(p, inventory) if p.choices else [None])]
        self.attacks = [(key, gained) for key, gained in attacks if gained]
        self.before = {gained: takeover_of(c, gained).taken for _, gained in self.attacks}

    def added(self, changed: Compiled) -> tuple[Opened, ...]:
        """Each attack that takes more on `changed` (from `engine.extend` of
        this inventory), with what it newly takes. Cost: per attack, O(things)
        plus the methods around what it takes.

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
        out = []
        for key, gained in self.attacks:
            after = takeover_of(changed, gained).taken
            new = after - self.before[gained]
            if new:
                out.append(Opened(key, gained, tuple(tid for tid in changed.ids if tid in new)))
        return tuple(out)


def takeover_text(opened: tuple[Opened, ...], checked: bool, inventory: Inventory | None = None) -> Text:
    """The item's takeover figure in a sentence: what the change lets an
    attacker take, or that no attack takes more ('' when not checked: info
    and advice items change nothing)."""
    if not checked:
        return T()
    if not opened:
        return T("Takeover: checked against every attack preset; none takes more.")

    def name(tid: str) -> U:
        return U(inventory[tid].name if inventory is not None and tid in inventory.things else tid)

    parts = [T(f"{WHO.get(o.preset, TAKEOVER_BY_KEY[o.preset].label)} (", join([name(g) for g in o.gained]), ") into ",
               join(shortlist([name(t) for t in o.added], SHOWN))) for o in opened]
    return T("Takeover: also lets ", join(parts, "; and "), ".")
