"""Preset scenarios: the losses people actually fear, as lists of ids to lose,
and the takeovers they fear, as lists of ids an attacker gains.

A preset only says WHAT is lost (or gained); the engine decides what
follows. Most presets need the person to pick one thing (which account is
banned, which phone is gone, which number is swapped); the others follow
from the inventory alone.
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
    # Heirs have the devices and the places, but not what the owner
    # remembered; an attacker who phished a password has only what was remembered.
    return (MEMORY,)


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


def _the_pick(_inv: Inventory, pick: str | None) -> tuple[str, ...]:
    return (pick,) if pick else ()


@dataclass(frozen=True)
class Preset:
    """A named scenario; `lose` gives its ids (for a takeover preset: the ids gained)."""

    key: str
    label: str
    help: str
    # What the person picks one of (None: nothing to pick).
    choices: Callable[[Inventory], list[str]] | None
    lose: Callable[[Inventory, str | None], tuple[str, ...]]
    pick_label: str = ""


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
                     "What you remember is gone: what can your family reach with your devices and places?",
                     None, _memory)
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
    """The ids the preset loses (a takeover preset: gains); empty when it
    needs a pick it did not get.

    >>> from identity_map.format.load import load_text
    >>> inv = load_text("version: 1\\nphones:\\n  mobile: {}\\naccounts:\\n  bank: {recovery: [sms:mobile]}\\n")
    >>> lost_ids(SIM_SWAP, inv, "mobile"), lost_ids(SIM_SWAP, inv, "bank"), lost_ids(REUSED_PASSWORD, inv)
    (('mobile',), (), ('memory',))
    """
    if preset.choices and pick not in preset.choices(inv):
        return ()
    return preset.lose(inv, pick)


def worst(ranking: Sequence[RankRow]) -> list[str]:
    """The default scenario: the worst single point of failure (nothing when
    the inventory has nothing to lose)."""
    return [ranking[0].id] if ranking else []
