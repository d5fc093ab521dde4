"""Typed objects for an inventory, and the one table of what the format allows.

The loader (`format.load`) fills these objects; the JSON Schema (`format.schema`) and
the loader's checks both read the tables below, so a rule lives in one place.
"""

from __future__ import annotations

import re
from collections.abc import MutableMapping
from dataclasses import dataclass

MEMORY = "memory"  # the reserved id: what the owner remembers
SELF = "self"  # the reserved id: the owner in person (face, signature, ID card)
RESERVED = (MEMORY, SELF)
FORMAT_VERSION = 1

ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]*")
ID_MAX = 64

# Section name -> the singular "kind" of the things in it.
SECTIONS: dict[str, str] = {
    "devices": "device",
    "places": "place",
    "phones": "phone",
    "accounts": "account",
    "data": "data",
    "purchases": "purchase",
    "people": "person",
}
TOP_LEVEL = ("version", "owner", *SECTIONS)

COMMON_FIELDS = ("name", "notes", "critical")
# Section -> fields it allows besides the common ones.
FIELDS: dict[str, tuple[str, ...]] = {
    "devices": ("kind", "unlock", "site"),
    "places": ("site",),
    "phones": ("number", "device", "recovery"),
    "accounts": ("provider", "user", "url", "kind", "part_of", "login", "recovery", "legacy"),
    "data": ("copies", "needs"),
    "purchases": ("account", "price", "currency"),
    "people": ("relation",),
}
# Fields that hold lists of methods (any one works), and what each is called in messages.
METHOD_FIELDS = ("login", "recovery", "unlock", "legacy")
REQUIRED: dict[str, tuple[str, ...]] = {"data": ("copies",), "purchases": ("account",)}

DEVICE_KINDS = ("phone", "computer", "tablet", "security-key", "other")
ACCOUNT_KINDS = (
    "email", "identity", "authenticator", "password-manager", "bank", "shop",
    "cloud", "social", "gaming", "work", "government", "other",
)
CURRENCY_PATTERN = re.compile(r"[A-Z]{3}")
DEFAULT_CURRENCY = "EUR"

# Term kind -> (what it means, the kinds of thing its id may name).
# "" is the bare term `ID`, which may name anything.
TERM_KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "password": ("a password kept only in a vault or place", ("account", "place")),
    "email": ("a code or link sent to that mailbox", ("account",)),
    "sso": ('"Sign in with ..." that account', ("account",)),
    "account": ("access to that account, any other way", ("account",)),
    "sms": ("a text or call to that number", ("phone",)),
    "totp": ("one-time codes from that authenticator", ("account", "device")),
    "push": ("an approval prompt in that app", ("account", "device")),
    "passkey": ("a passkey on a device or in a syncing account", ("device", "account")),
    "key": ("a hardware security key", ("device",)),
    "device": ("a trusted or signed-in device", ("device",)),
    "codes": ("printed or saved recovery codes", ("place", "account")),
    "person": ("that person acts for you (approves, takes over, brings a death certificate)", ("person",)),
    "": ("that thing, whatever it is",
         ("device", "place", "phone", "account", "data", "purchase", "person", "memory", "self")),
}
# What `copies` of a data item may name (`memory`: a key known by heart).
COPY_KINDS = ("account", "device", "place", "memory")
# Things that are available by themselves unless lost: the roots of the fixed point
# (a device with `unlock` is no root: see `is_root`).
ROOT_KINDS = ("memory", "self", "device", "place", "person")
# What the ranking and resilience consider losing on its own.
LOSABLE_KINDS = ("account", "device", "phone", "place")


@dataclass(frozen=True, slots=True)
class Mark:
    """Where something was written: 1-based line and column."""

    line: int
    col: int


@dataclass(frozen=True, slots=True)
class Term:
    """One requirement: `kind:target`, or the bare `target` when kind is ""."""

    kind: str
    target: str

    def __str__(self) -> str:
        if self.kind == "password" and self.target == MEMORY:
            return "password"
        return f"{self.kind}:{self.target}" if self.kind else self.target


@dataclass(frozen=True, slots=True)
class Method:
    """A way in: every term is required (AND)."""

    terms: tuple[Term, ...]
    mark: Mark | None = None

    @property
    def targets(self) -> frozenset[str]:
        return frozenset(t.target for t in self.terms)

    def __str__(self) -> str:
        return " + ".join(str(t) for t in self.terms)


@dataclass(frozen=True, slots=True)
class Thing:
    """Anything the inventory names: an account, device, phone, place, data item,
    purchase, or the owner's memory. `login` and `recovery` are already expanded
    to the format's defaults, so the engine never needs to know them."""

    id: str
    kind: str  # device, place, phone, account, data, purchase or memory
    name: str
    login: tuple[Method, ...] = ()
    recovery: tuple[Method, ...] = ()
    critical: bool = False
    notes: str = ""
    subkind: str = ""  # device kind or account kind, as written
    provider: str = ""
    user: str = ""
    url: str = ""
    number: str = ""
    device: str = ""  # phone: the device holding the SIM
    copies: tuple[str, ...] = ()
    needs: Method | None = None
    account: str = ""  # purchase: the account it is tied to
    price: float = 0.0
    currency: str = ""
    mark: Mark | None = None
    # Second edition.
    unlock: tuple[Method, ...] = ()  # device: what it takes to use it once in hand
    site: str = ""  # device, place: where it is (home, carried, parents, ...)
    part_of: str = ""  # account: the account it is part of (already a term of every method)
    legacy: tuple[Method, ...] = ()  # account: methods that work only after the owner's death
    relation: str = ""  # person: partner, child, executor, ...

    @property
    def methods(self) -> tuple[Method, ...]:
        """Login and recovery methods (what counts while the owner lives)."""
        return self.login + self.recovery

    @property
    def roles(self) -> tuple[tuple[str, tuple[Method, ...]], ...]:
        """Every list of methods with its role, in the order the graph numbers them."""
        return (("login", self.login), ("unlock", self.unlock), ("recovery", self.recovery),
                ("legacy", self.legacy))


def is_root(thing: Thing) -> bool:
    """Available by itself unless lost: memory, self, people, places, and
    devices that need no unlocking."""
    return thing.kind in ROOT_KINDS and not thing.unlock


def login_role(role: str) -> bool:
    """Whether methods of `role` count in the login-alone fixed point: a
    device's unlock is how it is used, not a recovery."""
    return role in ("login", "unlock")


@dataclass(frozen=True)
class Inventory:
    """A loaded, valid inventory. `things` keeps the order of the file and
    always contains the reserved `memory`."""

    things: dict[str, Thing]
    owner: str = ""
    source: str = ""
    version: int = FORMAT_VERSION

    def __iter__(self):
        return iter(self.things.values())

    def __len__(self) -> int:
        return len(self.things)

    def __getitem__(self, thing_id: str) -> Thing:
        return self.things[thing_id]

    def of_kind(self, *kinds: str) -> list[Thing]:
        return [t for t in self.things.values() if t.kind in kinds]


class Edits(MutableMapping):
    """The things of an inventory with a few of them replaced and a few
    added, over the original's mapping (never modified): an edited
    inventory in O(edits), not a copy of every thing. Reads fall through
    to `base`; iteration keeps the file order, the added ones last (as a
    copied dict would). `replaced` and `added` say exactly what differs.

    >>> base = {"a": 1, "b": 2}
    >>> e = Edits(base)
    >>> e["b"], e["c"] = 20, 3
    >>> list(e.items()), e.replaced, e.added, base
    ([('a', 1), ('b', 20), ('c', 3)], {'b': 20}, ['c'], {'a': 1, 'b': 2})
    """

    __slots__ = ("base", "replaced", "new", "added")

    def __init__(self, base):
        self.base, self.replaced, self.new, self.added = base, {}, {}, []

    def __getitem__(self, tid: str):
        if tid in self.replaced:
            return self.replaced[tid]
        if tid in self.base:
            return self.base[tid]
        return self.new[tid]

    def __setitem__(self, tid: str, thing) -> None:
        if tid in self.base:
            self.replaced[tid] = thing
        else:
            if tid not in self.new:
                self.added.append(tid)
            self.new[tid] = thing

    def __delitem__(self, tid: str) -> None:
        raise TypeError("an edited inventory only replaces and adds things")

    def __contains__(self, tid) -> bool:
        return tid in self.base or tid in self.new

    def __iter__(self):
        yield from self.base
        yield from self.added

    def __reversed__(self):
        yield from reversed(self.added)
        yield from reversed(self.base)

    def __len__(self) -> int:
        return len(self.base) + len(self.added)


def memory_thing() -> Thing:
    return Thing(id=MEMORY, kind="memory", name="Memory (what the owner remembers)")


def self_thing() -> Thing:
    return Thing(id=SELF, kind="self", name="You in person (face, signature, ID card)")
