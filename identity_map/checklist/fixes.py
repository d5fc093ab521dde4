"""Changes to an inventory: what a checklist item asks the owner to do.

A change is a tuple of small operations, each a pure function
Inventory -> Inventory that builds new frozen `Thing`s (the inventory given
is never modified; `put` does the same edit on a dict of things, so that a
change of many operations copies the inventory once). Every operation is idempotent, so the changes of several
checklist items can be applied together in any order ("what if I do all of
these"), and applying one twice changes nothing. Every operation only adds: new
things after the old ones, new methods after a thing's old ones; the
checklist relies on it to verify a change without rebuilding the graph
(`engine.extend`), and `extend` refuses anything else.

- `AddThing`: add a place, device or account the owner would create (a
  backup disk, a safe place for printed codes, a second authenticator);
  a no-op when the id already exists.
- `AddCopy`: one more copy of a data item (its `needs` apply to the new copy
  too, as the format says).
- `AddMethod`: one more login or recovery method (a no-op when an equal one
  is already there).

`describe(op)` says each operation as the edit a person would make to the
YAML file.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from operator import attrgetter

from identity_map.format.model import ID_MAX, METHOD_FIELDS, SECTIONS, Edits, Inventory, Method, Term, Thing

SECTION_OF = {kind: section for section, kind in SECTIONS.items()}
_FIELDS = tuple(f.name for f in dataclasses.fields(Thing))
_VALUES = attrgetter(*_FIELDS)
_AT = {name: k for k, name in enumerate(_FIELDS)}
# The slots' own setters: a frozen dataclass's __init__ sets each field through object.__setattr__.
_SETTERS = tuple(getattr(Thing, name).__set__ for name in _FIELDS)


def _with(thing: Thing, **changes) -> Thing:
    """`dataclasses.replace(thing, **changes)` at a third of its cost (the
    fields read at C speed, written straight to the slots; a `Thing`
    validates nothing when made): a vault's offline copy replaces every
    account that uses it, in each change verified.

    >>> t = Thing(id="a", kind="data", name="A")
    >>> _with(t, copies=("b",)) == dataclasses.replace(t, copies=("b",))
    True
    """
    values = list(_VALUES(thing))
    for name, value in changes.items():
        values[_AT[name]] = value
    new = object.__new__(Thing)
    for put, value in zip(_SETTERS, values):
        put(new, value)
    return new


@dataclass(frozen=True)
class AddThing:
    thing: Thing

    def apply(self, inventory: Inventory) -> Inventory:
        return apply_change(inventory, (self,))

    def put(self, things: dict[str, Thing]) -> None:
        if self.thing.id in things:
            existing = things[self.thing.id]
            if existing.kind != self.thing.kind:
                raise ValueError(f"cannot add {self.thing.kind} '{self.thing.id}': "
                                 f"the id already names {existing.kind}")
            return
        things[self.thing.id] = self.thing

    def describe(self) -> str:
        t = self.thing
        fields = [f"name: {t.name}"]
        if t.subkind:
            fields.append(f"kind: {t.subkind}")
        if t.site:
            fields.append(f"site: {t.site}")
        if t.kind == "account":
            fields.append("login: [" + ", ".join(str(m) for m in t.login) + "]")
        return f"{SECTION_OF[t.kind]}: add {t.id} ({'; '.join(fields)})"

    def as_json(self) -> dict:
        t = self.thing
        out = {"op": "add", "section": SECTION_OF[t.kind], "id": t.id, "name": t.name}
        if t.subkind:
            out["kind"] = t.subkind
        if t.site:
            out["site"] = t.site
        if t.kind == "account":
            out["login"] = [str(m) for m in t.login]
        return out


@dataclass(frozen=True)
class AddCopy:
    data: str
    copy: str

    def apply(self, inventory: Inventory) -> Inventory:
        return apply_change(inventory, (self,))

    def put(self, things: dict[str, Thing]) -> None:
        thing = things[self.data]
        if thing.kind != "data":
            raise ValueError(f"'{self.data}' is {thing.kind}, not a data item")
        if self.copy not in things:
            raise KeyError(self.copy)
        if self.copy in thing.copies:
            return
        extra = thing.needs.terms if thing.needs else ()
        method = Method(tuple(dict.fromkeys((Term("", self.copy), *extra))))
        things[self.data] = _with(thing, copies=thing.copies + (self.copy,), login=thing.login + (method,))

    def describe(self) -> str:
        return f"{self.data}: add {self.copy} to copies"

    def as_json(self) -> dict:
        return {"op": "add-copy", "id": self.data, "copy": self.copy}


@dataclass(frozen=True)
class AddMethod:
    owner: str
    role: str  # "login", "recovery", "unlock" (a device that has one already) or "legacy"
    method: Method

    def apply(self, inventory: Inventory) -> Inventory:
        return apply_change(inventory, (self,))

    def put(self, things: dict[str, Thing]) -> None:
        if self.role not in METHOD_FIELDS:
            raise ValueError(f"role must be one of {', '.join(METHOD_FIELDS)}, not {self.role!r}")
        thing = things[self.owner]
        terms = self.method.terms
        for term in terms:
            if term.target not in things:
                raise KeyError(term.target)
        methods = getattr(thing, self.role)
        for m in methods:
            if m.terms == terms:
                return
        things[self.owner] = _with(thing, **{self.role: methods + (self.method,)})

    def describe(self) -> str:
        return f"{self.owner}: add {self.role} \"{self.method}\""

    def as_json(self) -> dict:
        return {"op": "add-method", "id": self.owner, "role": self.role, "method": str(self.method)}


Op = AddThing | AddCopy | AddMethod
Change = tuple  # tuple[Op, ...]


def apply_change(inventory: Inventory, change) -> Inventory:
    """`inventory` with every operation of `change` applied, in order.
    Cost: one copy of the things' dict, however many operations (a vault's
    offline copy adds a method to every account that uses it)."""
    things = dict(inventory.things)
    for op in change:
        op.put(things)
    return dataclasses.replace(inventory, things=things)


def edited(inventory: Inventory, change) -> Inventory:
    """`apply_change(inventory, change)` without copying the things: they
    are an `Edits` over the inventory's, so the result costs O(change) and
    says what the change replaced and added (`engine.extend` reads that
    instead of comparing every thing). For verifying many changes of one
    inventory; `apply_change` for an inventory to keep.

    >>> from identity_map.format.load import load_text
    >>> inv = load_text("version: 1\\naccounts:\\n  a: {}\\n  b: {}\\n")
    >>> change = (AddMethod("b", "recovery", Method((Term("email", "a"),))),)
    >>> after = edited(inv, change)
    >>> dict(after.things) == apply_change(inv, change).things, list(after.things.replaced)
    (True, ['b'])
    """
    things = Edits(inventory.things)
    for op in change:
        op.put(things)
    return dataclasses.replace(inventory, things=things)


def touched(change) -> set[str]:
    """The ids of the existing things whose login, recovery or copies the
    change alters (an added thing is new, so it is not among them): only
    these and what depends on them can fare differently afterwards."""
    return {op.owner if isinstance(op, AddMethod) else op.data for op in change if not isinstance(op, AddThing)}


def describe(change) -> list[str]:
    """The change as edits to the YAML file, one line per operation."""
    return [op.describe() for op in change]


def fresh_id(inventory: Inventory, base: str) -> str:
    """`base`, or `base-2`, `base-3`, ... : the first that the inventory does not use."""
    if base not in inventory.things:
        return base
    n = 2
    while f"{base}-{n}"[:ID_MAX] in inventory.things:
        n += 1
    return f"{base}-{n}"[:ID_MAX]
