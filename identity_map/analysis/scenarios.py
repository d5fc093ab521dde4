"""Preset scenarios: the losses people actually fear, as lists of ids to lose.

A preset only says WHAT is lost; the engine decides what follows. Two
presets need the person to pick one thing (which account is banned, which
phone is gone); the others follow from the inventory alone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from identity_map.analysis.engine import RankRow
from identity_map.format.model import MEMORY, Inventory


def _accounts(inv: Inventory) -> list[str]:
    return [t.id for t in inv.of_kind("account")]


def _phones(inv: Inventory) -> list[str]:
    # A device of kind phone, not a phone *number*: losing the handset takes
    # the SIM, the authenticator apps and the passkeys with it.
    return [t.id for t in inv.of_kind("device") if t.subkind == "phone"]


def _devices_and_places(inv: Inventory, _pick: str | None) -> tuple[str, ...]:
    return tuple(t.id for t in inv.of_kind("device", "place"))


def _memory(_inv: Inventory, _pick: str | None) -> tuple[str, ...]:
    # Heirs have the devices and the places, but not what the owner remembered.
    return (MEMORY,)


def _the_pick(_inv: Inventory, pick: str | None) -> tuple[str, ...]:
    return (pick,) if pick else ()


@dataclass(frozen=True)
class Preset:
    key: str
    label: str
    help: str
    # What the person picks one of (None: nothing to pick).
    choices: Callable[[Inventory], list[str]] | None
    lose: Callable[[Inventory, str | None], tuple[str, ...]]
    pick_label: str = ""
    after_death: bool = False  # computed as after death (`engine.impact`): legacy methods count


BANNED = Preset("banned", "Banned by the provider",
                "The provider disables one account for good: no recovery helps.",
                _accounts, _the_pick, "Account")
PHONE_LOST = Preset("phone", "Phone lost or stolen",
                    "One phone is gone, with its SIM, apps and passkeys.",
                    _phones, _the_pick, "Phone")
HOUSE_FIRE = Preset("fire", "House fire",
                    "Every device and every offline place is gone at once.",
                    None, _devices_and_places)
AFTER_DEATH = Preset("death", "My family after I die",
                     "What you remember and you in person are gone; legacy contacts and emergency access "
                     "start to work: what can your people reach with your devices and places?",
                     None, _memory, after_death=True)
PRESETS: tuple[Preset, ...] = (BANNED, PHONE_LOST, HOUSE_FIRE, AFTER_DEATH)
BY_KEY = {p.key: p for p in PRESETS}


def choices(preset: Preset, inv: Inventory) -> list[str]:
    return preset.choices(inv) if preset.choices else []


def default_pick(preset: Preset, inv: Inventory, ranking: Sequence[RankRow]) -> str | None:
    """The choice whose loss alone hurts most (by the ranking), else the first.

    >>> from identity_map.format.load import load_text
    >>> inv = load_text("version: 1\\naccounts:\\n  a: {}\\n  b: {}\\n  c: {login: [email:b]}\\n")
    >>> from identity_map.analysis.engine import rank
    >>> from identity_map.analysis.graph import build_graph
    >>> default_pick(BANNED, inv, rank(build_graph(inv)))
    'b'
    """
    options = choices(preset, inv)
    if not options:
        return None
    allowed = set(options)
    return next((r.id for r in ranking if r.id in allowed), options[0])


def lost_ids(preset: Preset, inv: Inventory, pick: str | None = None) -> tuple[str, ...]:
    """The ids the preset loses; empty when it needs a pick it did not get."""
    if preset.choices and pick not in preset.choices(inv):
        return ()
    return preset.lose(inv, pick)


def worst(ranking: Sequence[RankRow]) -> list[str]:
    """The default scenario: the worst single point of failure (nothing when
    the inventory has nothing to lose)."""
    return [ranking[0].id] if ranking else []
