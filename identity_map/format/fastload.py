"""The fast path of loading: Things read straight from the parser's events.

The plain loader (`load._Composer`, then `load._Reader`) builds a node per
scalar, with its place, so that any problem can be said where it stands.
An inventory with nothing to report needs the places of its things and
methods only. `read_fast` walks libyaml's events once, in the one shape the
format has (top level -> sections -> things -> fields -> methods), checks
every rule of the plain reader as it goes (through the same helpers) and
builds the Things on the way: no node tree, no place of any other scalar,
each distinct method text read once.

The moment it meets anything the plain loader would report, or anything it
does not read itself (an anchor, an alias, a tag, a second document, a YAML
error, a shape the format does not use), it gives up and returns None;
`load.load_text` then runs the plain loader, which says what and where.
So it returns an Inventory exactly when the plain loader does, and an equal
one (tests/test_load_fast.py cross-checks both on examples, generated and
hypothesis inventories, and damaged ones).
"""

from __future__ import annotations

import yaml

from identity_map.format.load import (
    _BOOL, _INT, _NULL, _RESOLVER, _TRUE_WORDS, _Parser, _build, _closest, _is_id, _price, _unique,
    part_of_cycles, read_term,
)
from identity_map.format.model import (
    ACCOUNT_KINDS, COMMON_FIELDS, COPY_KINDS, CURRENCY_PATTERN, DEVICE_KINDS, FIELDS, FORMAT_VERSION, MEMORY,
    METHOD_FIELDS, REQUIRED, SECTIONS, SELF, Inventory, Mark, Method, Term, Thing, memory_thing, self_thing,
)

_SCALAR, _SEQ, _MAP = yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent
_SEQ_END, _MAP_END = yaml.SequenceEndEvent, yaml.MappingEndEvent
_AFTER = (yaml.DocumentEndEvent, yaml.StreamEndEvent)  # what may follow the top-level mapping
_ACCOUNT, _DEVICE = ("account",), ("device",)


class _GiveUp(Exception):
    """The plain loader reads this input: it has something to report or to describe."""


def read_fast(text: str, filename: str) -> Inventory | None:
    """The Inventory of `text`, equal to what `load.load_text` reads, or None
    when the text has anything the plain loader would report (or anything
    unusual); the caller then runs the plain loader. Cost: one pass over
    the parser's events, linear in the text.

    >>> read_fast("version: 1\\naccounts:\\n  mail: {login: [password + sms:m]}\\nphones:\\n  m: {}\\n", "x")["mail"]\\
    ...     .login[0].mark
    Mark(line=3, col=18)
    >>> read_fast("version: 1\\naccounts:\\n  mail: {login: [sms:nowhere]}\\n", "x") is None
    True
    """
    try:
        return _Events(text).read(filename)
    except (_GiveUp, yaml.YAMLError):
        return None


def _mark(event) -> Mark:
    start = event.start_mark
    return Mark(start.line + 1, start.column + 1)


class _Rules:
    """The format's rules over scalar events, and what one read has seen so
    far; gives up (raises _GiveUp) at the first thing the plain loader would
    say anything about. The two walkers below feed it: `_Events` from the
    parser, `_Lines` from the lines of a plainly written file."""

    next: object  # () -> the next event of the collection being read

    def __init__(self) -> None:
        self.tags: dict = {}  # (value, implicit) -> YAML 1.1 tag: a pure function of both, per load
        self.kinds: dict[str, str] = {MEMORY: "memory", SELF: "self"}
        self.references: set[tuple[str, tuple[str, ...]]] = set()  # (id, the kinds it may name)
        self.whole_of: dict[str, str] = {}
        self.terms_of: dict[str, tuple[Term, ...]] = {}  # method text -> its terms, read once

    # scalars ---------------------------------------------------------

    def scalar(self, event):
        """`event` when it is a scalar without anchor or tag."""
        if event.__class__ is not _SCALAR or event.anchor is not None or event.tag is not None:
            raise _GiveUp
        return event

    def tag(self, event) -> str:
        """The YAML 1.1 tag of a plain scalar, as the plain composer resolves it."""
        key = (event.value, event.implicit)
        tag = self.tags.get(key)
        if tag is None:
            tag = self.tags[key] = _RESOLVER.resolve(yaml.ScalarNode, event.value, event.implicit)
        return tag

    def text(self, event) -> str:
        event = self.scalar(event)
        if not event.style and self.tag(event) == _NULL:
            raise _GiveUp
        return event.value

    def ident(self, event) -> str:
        value = self.text(event)
        if not _is_id(value):
            raise _GiveUp
        return value

    def empty(self, event) -> bool:
        """Whether `event` is a plain empty value (a mapping left empty);
        False when it starts a mapping; gives up on anything else."""
        if event.__class__ is _SCALAR:
            if self.scalar(event).style or self.tag(event) != _NULL:
                raise _GiveUp
            return True
        self.start(event, _MAP)
        return False

    def start(self, event, cls) -> None:
        """`event` starts a collection of class `cls`, without anchor or tag."""
        if event.__class__ is not cls or event.anchor is not None or event.tag is not None:
            raise _GiveUp

    # what both walkers share ---------------------------------------------

    def top(self, key, seen: set) -> str:
        """The name of a top-level key, once each."""
        name = self.scalar(key).value
        if name in seen:
            raise _GiveUp
        seen.add(name)
        if name != "version" and name != "owner" and name not in SECTIONS:
            raise _GiveUp
        return name

    def version(self, event) -> None:
        value = self.scalar(event)
        if value.style or self.tag(value) != _INT or value.value != str(FORMAT_VERSION):
            raise _GiveUp

    def thing_id(self, key, kind: str) -> str:
        """The id `key` names, new in the file, now of `kind`."""
        thing_id = self.ident(key)
        if thing_id in self.kinds:  # reserved, or already used in some section
            raise _GiveUp
        self.kinds[thing_id] = kind
        return thing_id

    def field(self, key, readers: dict, fields: dict):
        """How to read the value of field `key`, new in its thing."""
        field = self.scalar(key).value
        read = readers.get(field)
        if read is None or field in fields:
            raise _GiveUp
        return field, read

    def build(self, section: str, thing_id: str, fields: dict, mark: Mark) -> Thing:
        if any(field not in fields for field in REQUIRED.get(section, ())):
            raise _GiveUp
        return _build(SECTIONS[section], thing_id, fields, mark)

    def finish(self, things: dict, owner: str, seen: set, filename: str) -> Inventory:
        """The Inventory, once every reference and part is known to hold."""
        if "version" not in seen:
            raise _GiveUp
        kinds = self.kinds
        for target, allowed in self.references:
            if kinds.get(target) not in allowed:
                raise _GiveUp
        if part_of_cycles(self.whole_of):
            raise _GiveUp
        if any(target == SELF for target, _ in self.references):
            things[SELF] = self_thing()
        return Inventory(things=things, owner=owner, source=filename)

    def readers(self, section: str) -> dict:
        """Field -> how to read its value (event, thing id): the fields of
        `section` as the plain reader's `_Reader.field` reads them."""
        special = {"critical": self.critical, "price": self.price, "site": self.site, "part_of": self.part_of,
                   "needs": self.needs, "copies": self.copies, "device": self.device, "account": self.account,
                   "currency": self.currency, **dict.fromkeys(METHOD_FIELDS, self.methods),
                   "kind": self.device_kind if section == "devices" else self.account_kind}
        return {field: special.get(field, self.text_field) for field in COMMON_FIELDS + FIELDS[section]}

    def text_field(self, event, thing_id: str) -> str:
        return self.text(event)

    def critical(self, event, thing_id: str) -> bool:
        event = self.scalar(event)
        if event.style or self.tag(event) != _BOOL:
            raise _GiveUp
        return event.value.lower() in _TRUE_WORDS

    def price(self, event, thing_id: str) -> float:
        price = None if self.scalar(event).style else _price(event.value)
        if price is None:
            raise _GiveUp
        return price

    def site(self, event, thing_id: str) -> str:
        return self.ident(event)  # a label, not a thing: nothing refers to it but a `site:` selector

    def part_of(self, event, thing_id: str) -> str:
        whole = self.ident(event)
        if whole == thing_id:
            raise _GiveUp
        self.references.add((whole, _ACCOUNT))
        self.whole_of[thing_id] = whole
        return whole

    def needs(self, event, thing_id: str) -> Method:
        return self.method(event)

    def device(self, event, thing_id: str) -> str:
        target = self.ident(event)
        self.references.add((target, _DEVICE))
        return target

    def account(self, event, thing_id: str) -> str:
        target = self.ident(event)
        self.references.add((target, _ACCOUNT))
        return target

    def device_kind(self, event, thing_id: str) -> str:
        value = self.text(event)
        if value not in DEVICE_KINDS:
            raise _GiveUp
        return value

    def account_kind(self, event, thing_id: str) -> str:
        value = self.text(event)
        if value not in ACCOUNT_KINDS and _closest(value, ACCOUNT_KINDS):
            raise _GiveUp  # a typo of a known kind; other kinds are the user's own words
        return value

    def currency(self, event, thing_id: str) -> str:
        value = self.text(event)
        if not CURRENCY_PATTERN.fullmatch(value):
            raise _GiveUp
        return value

    def items(self, event, read) -> list:
        """`read` of each item of a non-empty list, or of `event` alone when
        it is a scalar (where the format takes one value or a list)."""
        if event.__class__ is _SCALAR:
            return [read(event)]
        self.start(event, _SEQ)
        out = []
        while (item := self.next()).__class__ is not _SEQ_END:
            out.append(read(item))
        if not out:
            raise _GiveUp
        return out

    def copies(self, event, thing_id: str) -> tuple[str, ...]:
        targets = self.items(event, self.ident)
        self.references.update((target, COPY_KINDS) for target in targets)
        return tuple(targets)

    def methods(self, event, thing_id: str) -> tuple[Method, ...]:
        """Methods, any one of which works: one method text, or a list of methods."""
        return tuple(self.items(event, self.method))

    def method(self, event) -> Method:
        """One method: a method text, or a list of them (all needed)."""
        if event.__class__ is _SCALAR:
            return self.method_text(event)
        mark = _mark(event)
        parts = self.items(event, self.method_text)
        return Method(_unique([term for part in parts for term in part.terms]), mark)

    def method_text(self, event) -> Method:
        """'a + b': each distinct text is read (and its ids noted) once."""
        text = self.text(event)
        terms = self.terms_of.get(text)
        if terms is None:
            read = []
            for raw in text.split("+"):
                term = read_term(raw.strip(), "", text)
                if isinstance(term, str):
                    raise _GiveUp
                read.append(term[0])
                if term[1]:
                    self.references.add((term[0].target, term[1]))
            terms = self.terms_of[text] = _unique(read)
        return Method(terms, _mark(event))


class _Events(_Rules):
    """The walk over the parser's events: any YAML the format allows."""

    def __init__(self, text: str):
        super().__init__()
        self.next = _Parser(text).get_event

    def read(self, filename: str) -> Inventory:
        nxt = self.next
        nxt()  # the stream starts
        if nxt().__class__ is not yaml.DocumentStartEvent:
            raise _GiveUp  # an empty file
        self.start(nxt(), _MAP)
        things = {MEMORY: memory_thing()}
        owner, seen = "", set()
        while (key := nxt()).__class__ is not _MAP_END:
            name = self.top(key, seen)
            if name == "version":
                self.version(nxt())
            elif name == "owner":
                owner = self.text(nxt())
            else:
                self.section(name, things)
        while (event := nxt()) is not None:  # a second document, or a YAML error after the first
            if event.__class__ not in _AFTER:
                raise _GiveUp
        return self.finish(things, owner, seen, filename)

    def section(self, section: str, things: dict) -> None:
        nxt = self.next
        if self.empty(nxt()):
            return
        kind = SECTIONS[section]
        readers = self.readers(section)
        while (key := nxt()).__class__ is not _MAP_END:
            thing_id = self.thing_id(key, kind)
            mark = _mark(key)
            fields: dict[str, object] = {}
            if not self.empty(nxt()):
                while (key := nxt()).__class__ is not _MAP_END:
                    field, read = self.field(key, readers, fields)
                    fields[field] = read(nxt(), thing_id)
            things[thing_id] = self.build(section, thing_id, fields, mark)
