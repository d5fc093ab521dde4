"""Changes to an inventory: what a checklist item asks the owner to do.

A change is a tuple of small operations, each a pure function
Inventory -> Inventory that builds new frozen `Thing`s (the inventory given
is never modified). Every operation is idempotent, so the changes of several
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

from identity_map.format.model import ID_MAX, SECTIONS, Inventory, Method, Term, Thing

SECTION_OF = {kind: section for section, kind in SECTIONS.items()}


@dataclass(frozen=True)
class AddThing:
    thing: Thing

    def apply(self, inventory: Inventory) -> Inventory:
        if self.thing.id in inventory.things:
            existing = inventory.things[self.thing.id]
            if existing.kind != self.thing.kind:
                raise ValueError(f"cannot add {self.thing.kind} '{self.thing.id}': "
                                 f"the id already names {existing.kind}")
            return inventory
        things = dict(inventory.things)
        things[self.thing.id] = self.thing
        return dataclasses.replace(inventory, things=things)

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
        thing = inventory[self.data]
        if thing.kind != "data":
            raise ValueError(f"'{self.data}' is {thing.kind}, not a data item")
        if self.copy not in inventory.things:
            raise KeyError(self.copy)
        if self.copy in thing.copies:
            return inventory
        extra = thing.needs.terms if thing.needs else ()
        method = Method(tuple(dict.fromkeys((Term("", self.copy), *extra))))
        return _put(inventory, dataclasses.replace(thing, copies=thing.copies + (self.copy,),
                                                   login=thing.login + (method,)))

    def describe(self) -> str:
        return f"{self.data}: add {self.copy} to copies"

    def as_json(self) -> dict:
        return {"op": "add-copy", "id": self.data, "copy": self.copy}


@dataclass(frozen=True)
class AddMethod:
    owner: str
    role: str  # "login" or "recovery"
    method: Method

    def apply(self, inventory: Inventory) -> Inventory:
        if self.role not in ("login", "recovery"):
            raise ValueError(f"role must be login or recovery, not {self.role!r}")
        thing = inventory[self.owner]
        for term in self.method.terms:
            if term.target not in inventory.things:
                raise KeyError(term.target)
        methods = getattr(thing, self.role)
        if any(m.terms == self.method.terms for m in methods):
            return inventory
        return _put(inventory, dataclasses.replace(thing, **{self.role: methods + (self.method,)}))

    def describe(self) -> str:
        return f"{self.owner}: add {self.role} \"{self.method}\""

    def as_json(self) -> dict:
        return {"op": "add-method", "id": self.owner, "role": self.role, "method": str(self.method)}


Op = AddThing | AddCopy | AddMethod
Change = tuple  # tuple[Op, ...]


def _put(inventory: Inventory, thing: Thing) -> Inventory:
    things = dict(inventory.things)
    things[thing.id] = thing
    return dataclasses.replace(inventory, things=things)


def apply_change(inventory: Inventory, change) -> Inventory:
    """`inventory` with every operation of `change` applied, in order."""
    for op in change:
        inventory = op.apply(inventory)
    return inventory


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
