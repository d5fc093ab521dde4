"""The fast path of loading: Things read without the plain loader's nodes.

The plain loader (`load._Composer`, then `load._Reader`) builds a node per
scalar, with its place, so that any problem can be said where it stands.
An inventory with nothing to report needs the places of its things and
methods only. `read_fast` reads it in the one shape the format has (top
level -> sections -> things -> fields -> methods), checks every rule of
the plain reader as it goes (`_Rules`, through the same helpers) and builds
the Things on the way: no node tree, no place of any other scalar, each
distinct method text read once. Two walks feed the rules:

- `_Blocks`, for a file written plainly (one field a line, as the project's
  writers write): regular expressions over whole blocks of lines, the
  rules only for what they must see; the faster by far on large files;
- `_Events`, for any other: libyaml's events, once.

The moment a walk meets anything the plain loader would report, or anything
it does not read itself (an anchor, an alias, a tag, a second document, a
YAML error, a shape the format does not use, for `_Blocks` also a line of
any other shape), it gives up: the block walk to the event walk, that one
to `load.load_text`'s plain loader, which says what and where; a value the
shared rules refuse goes to the plain loader at once. So
`read_fast` returns an Inventory exactly when the plain loader does, and
an equal one (tests/test_load_fast.py cross-checks each walk on examples,
generated and hypothesis inventories, and damaged and edited ones).
"""

from __future__ import annotations

import re

import yaml

from identity_map.format.load import (
    _BOOL, _INT, _NULL, _RESOLVER, _STR, _TRUE_WORDS, _Parser, _build, _closest, _is_id, _price, _unique,
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
# The first characters of every implicit tag (PyYAML keys its resolvers so;
# it has none for any character, which tests/test_load_fast.py checks).
_RESOLVED_FIRST = frozenset(_RESOLVER.yaml_implicit_resolvers)


class _GiveUp(Exception):
    """This walk does not read this input: another walk, or the plain loader, does."""


class _Refused(_GiveUp):
    """A rule refused a value: every walk shows the rules the same values in
    the same order, so the other would refuse it too; the plain loader
    reads it, or says what is wrong with it."""


def read_fast(text: str, filename: str) -> Inventory | None:
    """The Inventory of `text`, equal to what `load.load_text` reads, or None
    when the text has anything the plain loader would report (or anything
    unusual); the caller then runs the plain loader. Cost: linear in the
    text: a pass over its blocks of lines, and when that gives up one over
    the parser's events.

    >>> read_fast("version: 1\\naccounts:\\n  mail: {login: [password + sms:m]}\\nphones:\\n  m: {}\\n", "x")["mail"]\\
    ...     .login[0].mark
    Mark(line=3, col=18)
    >>> read_fast("version: 1\\naccounts:\\n  mail: {login: [sms:nowhere]}\\n", "x") is None
    True
    """
    for walk in (_Blocks, _Events):
        try:
            return walk(text).read(filename)
        except _Refused:
            return None
        except (_GiveUp, yaml.YAMLError):
            pass
    return None


def _mark(event) -> Mark:
    start = event.start_mark
    return Mark(start.line + 1, start.column + 1)


class _Rules:
    """The format's rules over scalar events, and what one read has seen so
    far; refuses (raises _Refused) the first thing the plain loader would
    say anything about. The two walkers below feed it: `_Events` from the
    parser, `_Blocks` from the blocks of a plainly written file."""

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
        if event.__class__ not in _SCALARS or event.anchor is not None or event.tag is not None:
            raise _Refused
        return event

    def tag(self, event) -> str:
        """The YAML 1.1 tag of a plain scalar, as the plain composer resolves it."""
        value = event.value
        if value and value[0] not in _RESOLVED_FIRST:
            return _STR  # the resolver's own first look: no implicit tag starts with this character
        key = (value, event.implicit)
        tag = self.tags.get(key)
        if tag is None:
            tag = self.tags[key] = _RESOLVER.resolve(yaml.ScalarNode, value, event.implicit)
        return tag

    def text(self, event) -> str:
        event = self.scalar(event)
        if not event.style and self.tag(event) == _NULL:
            raise _Refused
        return event.value

    def ident(self, event) -> str:
        value = self.text(event)
        if not _is_id(value):
            raise _Refused
        return value

    def empty(self, event) -> bool:
        """Whether `event` is a plain empty value (a mapping left empty);
        False when it starts a mapping; gives up on anything else."""
        if event.__class__ in _SCALARS:
            if self.scalar(event).style or self.tag(event) != _NULL:
                raise _Refused
            return True
        self.start(event, _MAP)
        return False

    def start(self, event, cls) -> None:
        """`event` starts a collection of class `cls`, without anchor or tag."""
        if event.__class__ is not cls or event.anchor is not None or event.tag is not None:
            raise _Refused

    # what both walkers share ---------------------------------------------

    def top(self, name: str, seen: set) -> str:
        """`name`, of a top-level key, once each."""
        if name in seen:
            raise _Refused
        seen.add(name)
        if name != "version" and name != "owner" and name not in SECTIONS:
            raise _Refused
        return name

    def version(self, event) -> None:
        value = self.scalar(event)
        if value.style or self.tag(value) != _INT or value.value != str(FORMAT_VERSION):
            raise _Refused

    def thing_id(self, key, kind: str) -> str:
        """The id `key` names, new in the file, now of `kind`."""
        thing_id = self.ident(key)
        if thing_id in self.kinds:  # reserved, or already used in some section
            raise _Refused
        self.kinds[thing_id] = kind
        return thing_id

    @staticmethod
    def field(field: str, readers: dict, fields: dict):
        """How to read the value of `field`, new in its thing."""
        read = readers.get(field)
        if read is None or field in fields:
            raise _Refused
        return read

    def build(self, section: str, thing_id: str, fields: dict, mark: Mark) -> Thing:
        if any(field not in fields for field in REQUIRED.get(section, ())):
            raise _Refused
        return _build(SECTIONS[section], thing_id, fields, mark)

    def finish(self, things: dict, owner: str, seen: set, filename: str) -> Inventory:
        """The Inventory, once every reference and part is known to hold."""
        if "version" not in seen:
            raise _Refused
        kinds = self.kinds
        for target, allowed in self.references:
            if kinds.get(target) not in allowed:
                raise _Refused
        if part_of_cycles(self.whole_of):
            raise _Refused
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
            raise _Refused
        return event.value.lower() in _TRUE_WORDS

    def price(self, event, thing_id: str) -> float:
        price = None if self.scalar(event).style else _price(event.value)
        if price is None:
            raise _Refused
        return price

    def site(self, event, thing_id: str) -> str:
        return self.ident(event)  # a label, not a thing: nothing refers to it but a `site:` selector

    def part_of(self, event, thing_id: str) -> str:
        whole = self.ident(event)
        if whole == thing_id:
            raise _Refused
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
            raise _Refused
        return value

    def account_kind(self, event, thing_id: str) -> str:
        value = self.text(event)
        if value not in ACCOUNT_KINDS and _closest(value, ACCOUNT_KINDS):
            raise _Refused  # a typo of a known kind; other kinds are the user's own words
        return value

    def currency(self, event, thing_id: str) -> str:
        value = self.text(event)
        if not CURRENCY_PATTERN.fullmatch(value):
            raise _Refused
        return value

    def items(self, event, read) -> list:
        """`read` of each item of a non-empty list, or of `event` alone when
        it is a scalar (where the format takes one value or a list)."""
        if event.__class__ in _SCALARS:
            return [read(event)]
        self.start(event, _SEQ)
        out = []
        while (item := self.next()).__class__ is not _SEQ_END:
            out.append(read(item))
        if not out:
            raise _Refused
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
        if event.__class__ in _SCALARS:
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
                    raise _Refused
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
            name = self.top(self.scalar(key).value, seen)
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
                    field = self.scalar(key).value
                    fields[field] = self.field(field, readers, fields)(nxt(), thing_id)
            things[thing_id] = self.build(section, thing_id, fields, mark)


# The walk over blocks reads a file written plainly, as the project's
# writers and most people write one: keys at column 1, each section's
# things one indent in, their fields one more, each field on one line with
# a plain or quoted scalar or a flow list of plain scalars, blank lines and
# comments between things. It gives up (to `_Events`) on anything else.
_KEY = r"([A-Za-z0-9_][A-Za-z0-9_.-]*):"
# A value: a double-quoted text without escapes, a flow list of plain
# items, or anything else on the line (read by `_Blocks.value`); then
# perhaps a comment.
_VALUE = r"""(?:("[^"\\\n]*")|\[([^\[\]{}#'"\n]*)\]|(.*?))(?: +#.*)? *$"""
_TOP = re.compile(rf"^{_KEY}(?:( +){_VALUE}| *$)", re.M)
_FIELD = re.compile(rf"^( +){_KEY}( +){_VALUE}", re.M)
_FIRST_KEY = re.compile(r"^( +)[A-Za-z0-9_]", re.M)
_BLANKS = re.compile(r"(?: *(?:#.*)?\n)*")
_DOUBLE = re.compile(r'"([^"\\]*)"')
_SINGLE = re.compile(r"'((?:[^']|'')*)'")
_FLOW = re.compile(r"\[([^\[\]{}#'\"]*)\]")
_EMPTY_MAP = re.compile(r"\{\}(?: +#.*)?")
_ITEM = re.compile(r" *([^-?:,\[\]{}#&*!|>'\"%@` ][^,]*?) *")
_INDICATORS = "-?:,[]{}#&*!|>%@`"
# In ASCII, what YAML counts otherwise than str.count("\n") and str
# indices do (other line breaks, tabs), or refuses.
_CONTROL = re.compile(r"[^\n\x20-\x7e]")
_PLAIN, _QUOTED = (True, False), (False, True)  # the `implicit` of a plain and of a quoted scalar event
# The fields whose reading depends on where the value stands (the marks of
# methods) or on whose it is (a part's whole). Any other field reads the
# same value the same way wherever it stands, and what its reader notes
# (references) it notes again each time: the block walker reads each of
# its values once per section (tests/test_load_fast.py checks this of
# every reader).
_PLACED = frozenset({"needs", "part_of", *METHOD_FIELDS})


class _Token:
    """A scalar as the block walker reads it: what the rules read of a
    scalar event, and where it starts (0-based, as the parser counts)."""

    __slots__ = ("value", "style", "implicit", "line", "column")
    anchor = tag = None

    def __init__(self, value: str, style: str, implicit: tuple, line: int, column: int):
        self.value, self.style, self.implicit, self.line, self.column = value, style, implicit, line, column

    @property
    def start_mark(self):
        return self


_SCALARS = frozenset({_SCALAR, _Token})
_END_OF_LIST = _SEQ_END()


class _Blocks(_Rules):
    """The walk over the blocks of a plainly written file: regular
    expressions find its top-level keys, each section's things with the
    lines of their fields, and each thing's fields at once; the text
    between them must be blank lines and comments. The rules see each value
    as the parser's events would show it, except two they would return
    unread: a double-quoted text, and a list item already read as a method
    in a list. Cost: linear in the text; on the project's generated
    inventories about four fifths of the event walk's time (benchmarks/
    bench_scale.py part a prints both)."""

    def __init__(self, text: str):
        super().__init__()
        if not (_CONTROL.search(text) is None if text.isascii() else text.replace("\n", " ").isprintable()):
            raise _GiveUp  # beyond ASCII, str.isprintable refuses what YAML refuses or counts otherwise, and more
        self.source = text if text.endswith("\n") else text + "\n"
        self.items_of: dict[str, tuple[Term, ...]] = {}  # list item -> its terms, once read as a method
        self.things: dict = {MEMORY: memory_thing()}

    def read(self, filename: str) -> Inventory:
        text = self.source
        owner, seen = "", set()
        tops = list(_TOP.finditer(text))
        pos = line = 0
        for k, top in enumerate(tops):
            line += self.blank(pos, top.start())
            key, gap, quoted, flow, other = top.groups()
            name = self.top(key, seen)
            column = len(key) + 1 + len(gap or "")
            rest = _rest(quoted, flow, other)
            pos = top.end() + 1
            if name == "version":
                self.version(self.value(rest, line, column))
            elif name == "owner":
                owner = self.text(self.value(rest, line, column))
            elif self.opens(rest):
                end = tops[k + 1].start() if k + 1 < len(tops) else len(text)
                pos, line = self.section(name, pos, end, line + 1)
                continue
            line += 1
        self.blank(pos, len(text))
        return self.finish(self.things, owner, seen, filename)

    def blank(self, start: int, end: int) -> int:
        """The number of lines from `start` to `end`, all blank or comments."""
        if start == end:
            return 0
        if _BLANKS.fullmatch(self.source, start, end) is None:
            raise _GiveUp
        return self.source.count("\n", start, end)

    def section(self, section: str, pos: int, end: int, line: int) -> tuple[int, int]:
        """Reads the things of `section` from `pos` (at `line`) to `end`;
        returns where it stopped (the position and line)."""
        text, things = self.source, self.things
        first = _FIRST_KEY.search(text, pos, end)
        if first is None:
            return pos, line
        indent = len(first[1])
        thing_re = re.compile(rf"^ {{{indent}}}{_KEY}(?:( +)(.*?))? *\n((?: {{{indent}}} +\S.*\n)*)", re.M)
        kind, readers = SECTIONS[section], self.readers(section)
        texts = {field for field, reader in readers.items() if reader == self.text_field}
        lists = {field for field, reader in readers.items() if reader == self.methods}
        values: dict = {}  # (field, value as written) -> as read, for the fields not _PLACED
        for thing in thing_re.finditer(text, pos, end):
            if thing.start() != pos:
                line += self.blank(pos, thing.start())
            pos = thing.end()
            key, _, rest, body = thing.groups()
            thing_id = self.thing_id(_Token(key, "", _PLAIN, line, indent), kind)
            mark = Mark(line + 1, indent + 1)
            fields: dict[str, object] = {}
            if rest and not self.opens(rest) and body:
                raise _GiveUp  # a field under an empty mapping
            found = _FIELD.findall(body)
            if len(found) != body.count("\n"):
                raise _GiveUp  # a line that is no field of this shape
            indent_of_fields = found[0][0] if found else ""
            for spaces, key, gap, quoted, flow, other in found:
                line += 1
                if spaces != indent_of_fields:
                    raise _GiveUp
                read = self.field(key, readers, fields)
                if quoted and key in texts:
                    fields[key] = quoted[1:-1]
                    continue
                column = len(spaces) + len(key) + 1 + len(gap)
                if flow and key in lists:
                    fields[key] = self.method_list(flow, line, column, read, thing_id)
                elif key in _PLACED:
                    fields[key] = read(self.value(_rest(quoted, flow, other), line, column), thing_id)
                else:
                    rest = _rest(quoted, flow, other)
                    value = values.get((key, rest), values)
                    if value is values:
                        value = values[key, rest] = read(self.value(rest, line, column), thing_id)
                    fields[key] = value
            things[thing_id] = self.build(section, thing_id, fields, mark)
            line += 1
        return pos, line

    @staticmethod
    def opens(rest: str | None) -> bool:
        """Whether a key whose value is `rest` opens a mapping on the next
        lines (True; it may stay empty) or holds an empty one (False)."""
        if not rest or rest[0] == "#":
            return True
        if _EMPTY_MAP.fullmatch(rest):
            return False
        raise _GiveUp

    def method_list(self, inner: str, line: int, column: int, read, thing_id: str) -> tuple[Method, ...]:
        """The methods of the flow list `[inner]` at `column` of `line`:
        each item already read as a method is that method again, at its
        place; the rules read the list otherwise."""
        known = self.items_of
        out = []
        number, offset = line + 1, column + 2  # 1-based, after the bracket
        for raw in inner.split(","):
            item = raw.strip(" ")
            terms = known.get(item)
            if terms is None:
                break
            out.append(Method(terms, Mark(number, offset + raw.index(item))))
            offset += len(raw) + 1
        else:
            return tuple(out)
        methods = read(self.value(f"[{inner}]", line, column), thing_id)
        for raw, method in zip(inner.split(","), methods):
            known[raw.strip(" ")] = method.terms
        return methods

    def value(self, rest: str | None, line: int, column: int):
        """The event that starts the value `rest` (at `column` of `line`,
        0-based; no comment after it); a list's items follow it in `self.next`."""
        if not rest or rest[0] == "#":
            raise _GiveUp  # nothing, or a value on the next lines
        first = rest[0]
        if first == '"':
            match = _DOUBLE.fullmatch(rest)
            if match is None:
                raise _GiveUp
            return _Token(match[1], '"', _QUOTED, line, column)
        if first == "'":
            match = _SINGLE.fullmatch(rest)
            if match is None:
                raise _GiveUp
            return _Token(match[1].replace("''", "'"), "'", _QUOTED, line, column)
        if first == "[":
            match = _FLOW.fullmatch(rest)
            if match is None:
                raise _GiveUp
            events = []
            offset = column + 1
            for raw in match[1].split(","):
                item = _ITEM.fullmatch(raw)
                if item is None or not _plain(item[1]):
                    raise _GiveUp
                events.append(_Token(item[1], "", _PLAIN, line, offset + item.start(1)))
                offset += len(raw) + 1
            events.append(_END_OF_LIST)
            self.next = iter(events).__next__
            return _SEQ(None, None, True, _Token("", "", _PLAIN, line, column))
        if first in _INDICATORS or not _plain(rest):
            raise _GiveUp
        return _Token(rest, "", _PLAIN, line, column)


def _rest(quoted: str | None, flow: str | None, other: str | None) -> str:
    """The value the groups of `_VALUE` matched, without its comment."""
    return quoted or (f"[{flow}]" if flow is not None and flow != "" else other) or ""


def _plain(value: str) -> bool:
    """Whether `value` reads as one plain scalar, in a block or in a flow
    list (the walker gives up on the brackets and braces plain YAML allows).

    >>> _plain("password + sms:mobile"), _plain("a: b"), _plain("a #b"), _plain("a]")
    (True, False, False, False)
    """
    return not (": " in value or value.endswith(":") or " #" in value or "[" in value or "]" in value
                or "{" in value or "}" in value)
