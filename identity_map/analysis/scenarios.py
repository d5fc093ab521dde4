"""Preset scenarios: the losses people actually fear, as selectors.

A preset only says WHAT is lost, as selectors (see `selectors`) that are
applied to whatever inventory the scenario is run on; the engine decides
what follows. Three presets need the person to pick one thing (which
account or provider is banned, which phone is gone, which site burns); the
last follows from the inventory alone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from identity_map.analysis.engine import RankRow
from identity_map.analysis.selectors import sites
from identity_map.format.model import MEMORY, SELF, Inventory

# What people carry: a fire at home with no sites written spares these.
CARRIED_KINDS = ("phone", "security-key")


def _banned_choices(inv: Inventory) -> list[str]:
    providers = dict.fromkeys(t.provider for t in inv.of_kind("account") if t.provider)
    return [t.id for t in inv.of_kind("account")] + [f"provider:{p}" for p in providers]


def _phones(inv: Inventory) -> list[str]:
    # A device of kind phone, not a phone *number*: losing the handset takes
    # the SIM, the authenticator apps and the passkeys with it.
    return [t.id for t in inv.of_kind("device") if t.subkind == "phone"]


def _sites(inv: Inventory) -> list[str]:
    """Sites by the number of things there, most first (file order on ties),
    never `carried`: what you have on you leaves the burning house with you."""
    by_site = sites(inv)
    ranked = sorted((s for s in by_site if s != "carried"), key=lambda s: -len(by_site[s]))
    return [f"site:{s}" for s in ranked]


def _fire(inv: Inventory, pick: str | None) -> tuple[str, ...]:
    if pick:
        return (pick,)
    # No sites written: every device and place but what people carry.
    return tuple(t.id for t in inv.of_kind("device", "place") if t.subkind not in CARRIED_KINDS)


def _after_death(inv: Inventory, _pick: str | None) -> tuple[str, ...]:
    # Heirs have the devices and the places, but not what the owner
    # remembered, nor the owner in person.
    return (MEMORY, SELF) if SELF in inv.things else (MEMORY,)


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
    # Whether the preset works without a pick (the house fire with no sites written).
    optional_pick: bool = False


BANNED = Preset("banned", "Banned by the provider",
                "The provider disables one account, or every account it runs, for good: no recovery helps.",
                _banned_choices, _the_pick, "Account or provider")
PHONE_LOST = Preset("phone", "Phone lost or stolen",
                    "One phone is gone, with its SIM, apps and passkeys.",
                    _phones, _the_pick, "Phone")
HOUSE_FIRE = Preset("fire", "House fire",
                    "Everything at one site is gone at once; what you carry and what is kept elsewhere "
                    "survives. With no sites written: every device and place but phones and keys.",
                    _sites, _fire, "Site", optional_pick=True)
AFTER_DEATH = Preset("death", "My family after I die",
                     "What you remember is gone: what can your family reach with your devices and places?",
                     None, _after_death)
PRESETS: tuple[Preset, ...] = (BANNED, PHONE_LOST, HOUSE_FIRE, AFTER_DEATH)
BY_KEY = {p.key: p for p in PRESETS}


def choices(preset: Preset, inv: Inventory) -> list[str]:
    return preset.choices(inv) if preset.choices else []


def default_pick(preset: Preset, inv: Inventory, ranking: Sequence[RankRow]) -> str | None:
    """The choice whose loss alone hurts most (by the ranking), else the
    first (for the fire: the site holding the most things).

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


def selectors(preset: Preset, inv: Inventory, pick: str | None = None) -> tuple[str, ...]:
    """The selectors the preset loses; empty when it needs a pick it did
    not get (or got one that is not among its choices).

    >>> from identity_map.format.load import load_text
    >>> inv = load_text("version: 1\\ndevices:\\n  phone: {kind: phone, site: carried}\\n"
    ...                 "  pc: {site: home}\\nplaces:\\n  safe: {site: parents}\\n")
    >>> selectors(HOUSE_FIRE, inv, default_pick(HOUSE_FIRE, inv, []))
    ('site:home',)
    """
    options = preset.choices(inv) if preset.choices else []
    if options and pick in options:
        return preset.lose(inv, pick)
    if preset.choices and not (preset.optional_pick and not options):
        return ()
    return preset.lose(inv, None)


def worst(ranking: Sequence[RankRow]) -> list[str]:
    """The default scenario: the worst single point of failure (nothing when
    the inventory has nothing to lose)."""
    return [ranking[0].id] if ranking else []
