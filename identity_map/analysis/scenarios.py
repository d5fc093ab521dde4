"""Preset scenarios: the losses people actually fear, as selectors, and the
takeovers they fear, as what an attacker gains (`TAKEOVER_PRESETS`).

A preset only says WHAT is lost (or gained), as selectors (see `selectors`)
that are applied to whatever inventory the scenario is run on; the engine
decides what follows. Most presets need the person to pick one thing (which
account or provider is banned, which phone is gone, which site burns, which
number is swapped); the others follow from the inventory alone.
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


def _numbers(inv: Inventory) -> list[str]:
    return [t.id for t in inv.of_kind("phone")]


def _named_by(inv: Inventory, term_kind: str, account_kind: str) -> list[str]:
    # Accounts of that kind, and accounts some term of that kind names (a
    # mailbox that resets other accounts is a mailbox, whatever its `kind`).
    named = {term.target for t in inv for m in t.methods for term in m.terms if term.kind == term_kind}
    return [t.id for t in inv.of_kind("account") if t.subkind == account_kind or t.id in named]


def _mailboxes(inv: Inventory) -> list[str]:
    return _named_by(inv, "email", "email")


def _vaults(inv: Inventory) -> list[str]:
    return _named_by(inv, "password", "password-manager")


def _memory(_inv: Inventory, _pick: str | None) -> tuple[str, ...]:
    # An attacker who phished or found a reused password knows what you remember.
    return (MEMORY,)


def _the_pick(_inv: Inventory, pick: str | None) -> tuple[str, ...]:
    return (pick,) if pick else ()


@dataclass(frozen=True)
class Preset:
    """A named scenario; `lose` gives its selectors (for a takeover preset: what is gained)."""

    key: str
    label: str
    help: str
    # What the person picks one of (None: nothing to pick).
    choices: Callable[[Inventory], list[str]] | None
    lose: Callable[[Inventory, str | None], tuple[str, ...]]
    pick_label: str = ""
    after_death: bool = False  # computed as after death (`engine.impact`): legacy methods count
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
                     "What you remember and you in person are gone; legacy contacts and emergency access "
                     "start to work: what can your people reach with your devices and places?",
                     None, _after_death, after_death=True)
PRESETS: tuple[Preset, ...] = (BANNED, PHONE_LOST, HOUSE_FIRE, AFTER_DEATH)
BY_KEY = {p.key: p for p in PRESETS}

# Takeover presets: what an attacker gains (analysis.takeover computes what that gives them).
SIM_SWAP = Preset("sim-swap", "SIM swap",
                  "Someone talks your carrier into moving your number to their SIM: every text and call is theirs.",
                  _numbers, _the_pick, "Phone number")
STOLEN_PHONE = Preset("stolen-phone", "Stolen unlocked phone",
                      "A thief has the phone unlocked: its number, apps, passkeys and signed-in sessions.",
                      _phones, _the_pick, "Phone")
BREACHED_MAILBOX = Preset("breached-mailbox", "Breached mailbox",
                          "Someone reads one mailbox: every reset link sent there works for them.",
                          _mailboxes, _the_pick, "Mailbox")
LEAKED_VAULT = Preset("leaked-vault", "Leaked password vault",
                      "The password manager's contents leak: every password kept in it is known.",
                      _vaults, _the_pick, "Vault")
REUSED_PASSWORD = Preset("reused-password", "Reused password",
                         "A password you remember is phished or reused and leaked: the attacker knows it.",
                         None, _memory)
TAKEOVER_PRESETS: tuple[Preset, ...] = (SIM_SWAP, STOLEN_PHONE, BREACHED_MAILBOX, LEAKED_VAULT, REUSED_PASSWORD)
TAKEOVER_BY_KEY = {p.key: p for p in TAKEOVER_PRESETS}


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
    """The selectors the preset loses (a takeover preset: gains); empty when
    it needs a pick it did not get (or got one that is not among its choices).

    >>> from identity_map.format.load import load_text
    >>> inv = load_text("version: 1\\ndevices:\\n  phone: {kind: phone, site: carried}\\n"
    ...                 "  pc: {site: home}\\nplaces:\\n  safe: {site: parents}\\n")
    >>> selectors(HOUSE_FIRE, inv, default_pick(HOUSE_FIRE, inv, []))
    ('site:home',)
    >>> inv = load_text("version: 1\\nphones:\\n  mobile: {}\\naccounts:\\n  bank: {recovery: [sms:mobile]}\\n")
    >>> selectors(SIM_SWAP, inv, "mobile"), selectors(SIM_SWAP, inv, "bank"), selectors(REUSED_PASSWORD, inv)
    (('mobile',), (), ('memory',))
    """
    options = preset.choices(inv) if preset.choices else []
    if options and pick in options:
        return preset.lose(inv, pick)
    if preset.choices and not (preset.optional_pick and not options):
        return ()
    return preset.lose(inv, None)


def each_choice(preset: Preset, inv: Inventory) -> list[tuple[str, ...]]:
    """The selectors of every choice of the preset, in the order of its
    choices (one entry for a preset with nothing to pick): what
    `selectors(preset, inv, pick)` gives for each pick, with the choices
    computed once instead of once per pick. Cost: O(terms) plus each
    choice's selectors.

    >>> from identity_map.format.load import load_text
    >>> inv = load_text("version: 1\\naccounts:\\n  a: {}\\n  b: {recovery: [email:a]}\\n")
    >>> each_choice(BREACHED_MAILBOX, inv), each_choice(REUSED_PASSWORD, inv)
    ([('a',)], [('memory',)])
    """
    if not preset.choices:
        return [selectors(preset, inv)]
    return [preset.lose(inv, pick) for pick in preset.choices(inv)]


def worst(ranking: Sequence[RankRow]) -> list[str]:
    """The default scenario: the worst single point of failure (nothing when
    the inventory has nothing to lose)."""
    return [ranking[0].id] if ranking else []
