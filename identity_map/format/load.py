"""Read inventory text into an `Inventory`, or report every problem with its place.

Safety first, because the file is hand-written and may come from anywhere:
- the size is capped before parsing;
- the YAML is parsed to events (libyaml's C parser where installed) and
  composed here, iteratively: aliases are refused where they stand (an alias
  bomb is refused in microseconds), nesting depth is bounded (deep flow
  nesting would otherwise overflow libyaml's recursive composer), duplicate
  keys are refused (PyYAML silently keeps the last), and tags are refused,
  never constructed, so `!!python/...` can never execute;
- values are never constructed by YAML 1.1 rules where the format expects
  text: `no`, `on`, `012` are read back exactly as typed.

Every problem is a `Problem` carrying FILE:LINE:COL; all are collected.

`load_text` first tries `fastload.read_fast`, which reads a file with
nothing to report into Things without building nodes (from its blocks of
lines when it is written plainly, else from the same parser's events:
about 2.8 and 2.1 times as fast); on anything it would have to report, it
gives up and the composer and reader below run, exactly as `load_plain`.
"""

from __future__ import annotations

import bisect
import gc
import re
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import yaml

from identity_map.format.files import FileRefused, read_limited
from identity_map.format.model import (
    ACCOUNT_KINDS, COMMON_FIELDS, COPY_KINDS, CURRENCY_PATTERN, DEFAULT_CURRENCY,
    DEVICE_KINDS, FIELDS, FORMAT_VERSION, ID_MAX, ID_PATTERN, MEMORY, METHOD_FIELDS, REQUIRED,
    SECTIONS, SELF, TERM_KINDS, TOP_LEVEL, Inventory, Mark, Method, Term, Thing, memory_thing, self_thing,
)

MAX_BYTES = 16 * 1024 * 1024  # a 50,000-login vault imports to about 12 MB; 30,000 accounts are 5.2 MB
MAX_DEPTH = 12  # the format needs 6 levels; anything deeper is a mistake or an attack
MAX_PRICE = 1e12  # a trillion: any sum over a file of MAX_BYTES stays far from float overflow
_DECIMAL = re.compile(r"(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9][0-9_]*)(?:[eE][-+]?[0-9]{1,3})?")

_Parser = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_RESOLVER = yaml.resolver.Resolver()
_STR = "tag:yaml.org,2002:str"
_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_NULL = "tag:yaml.org,2002:null"
_TRUE_WORDS = {"yes", "y", "true", "on"}


@dataclass(frozen=True, slots=True)
class Problem:
    """One error or warning, printable as `FILE:LINE:COL: message`."""

    file: str
    line: int
    col: int
    message: str
    severity: str = "error"  # or "warning"

    def __str__(self) -> str:
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{self.file}:{self.line}:{self.col}: {prefix}{self.message}"


class InventoryError(Exception):
    """The inventory is invalid; `problems` lists every error found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


# -- A minimal node tree, composed iteratively from parser events ----------


@dataclass(slots=True)
class Scalar:
    value: str
    tag: str  # the YAML 1.1 tag the value would resolve to
    plain: bool  # unquoted
    mark: Mark
    start: int = -1  # the source text's character offsets of the scalar as written
    end: int = -1


@dataclass(slots=True)
class Seq:
    items: list
    mark: Mark


@dataclass(slots=True)
class Map:
    pairs: list  # [(Scalar key, node)]
    mark: Mark


def _mark(m) -> Mark:
    return Mark(m.line + 1, m.column + 1)


class _Composer:
    def __init__(self, filename: str):
        self.filename = filename
        self.problems: list[Problem] = []

    def error(self, mark: Mark, message: str) -> None:
        self.problems.append(Problem(self.filename, mark.line, mark.col, message))

    def compose(self, text: str):
        """The document's root node, or None when the file holds no document.

        The loop is the hot path of loading a big file (one pass per parser
        event), hence the local names, the dispatch on the exact event class
        and the per-call cache of resolved plain scalars."""
        loader = _Parser(text)
        root = None
        documents = 0
        stack: list = []  # open collections; a Map holds a pending key in slot 2
        check_event, get_event = loader.check_event, loader.get_event
        resolve, scalar_node = _RESOLVER.resolve, yaml.ScalarNode
        resolved: dict = {}  # (value, implicit) -> tag: resolve() is a pure function of both
        ScalarEvent, SequenceStartEvent = yaml.ScalarEvent, yaml.SequenceStartEvent
        ends = (yaml.SequenceEndEvent, yaml.MappingEndEvent)
        passive = (yaml.StreamStartEvent, yaml.StreamEndEvent, yaml.DocumentEndEvent)
        try:
            while check_event():
                event = get_event()
                cls = event.__class__
                if cls is ScalarEvent:
                    start = event.start_mark
                    mark = Mark(start.line + 1, start.column + 1)
                    if event.anchor is not None:
                        return self._refuse_anchor(mark, event.anchor)
                    tag = event.tag
                    if tag is not None and tag != "!" and tag != _STR:
                        return self._refuse_tag(mark, tag)
                    value = event.value
                    plain = not event.style
                    if plain and (tag is None or tag == "!"):
                        key = (value, event.implicit)
                        resolved_tag = resolved.get(key)
                        if resolved_tag is None:
                            resolved_tag = resolved[key] = resolve(scalar_node, value, event.implicit)
                    else:
                        resolved_tag = _STR
                    node = Scalar(value, resolved_tag, plain, mark, start.index, event.end_mark.index)
                    if not stack:
                        root = node
                        continue
                    top = stack[-1]
                    parent = top[0]
                    if parent.__class__ is Seq:
                        parent.items.append(node)
                    elif top[1] is None:
                        top[1] = node
                    else:
                        parent.pairs.append((top[1], node))
                        top[1] = None
                    continue
                if cls in passive:
                    continue
                if cls in ends:
                    node = stack.pop()[0]
                    if node.__class__ is Map:
                        self._check_duplicates(node)
                    if not stack:
                        root = node
                    else:
                        self._attach(stack, node)
                    continue
                if isinstance(event, yaml.DocumentStartEvent):
                    documents += 1
                    if documents == 2:
                        self.error(_mark(event.start_mark),
                                   "only one YAML document is allowed: remove the '---' and what follows, "
                                   "or merge it into the first")
                        return root
                    continue
                if isinstance(event, yaml.AliasEvent):
                    self.error(_mark(event.start_mark),
                               f"aliases are not allowed (*{event.anchor}): anchors and aliases can expand "
                               "a small file into a huge one; write the value out instead")
                    return None
                if not isinstance(event, yaml.NodeEvent):
                    continue
                # A collection starts.
                mark = _mark(event.start_mark)
                if event.anchor is not None:
                    return self._refuse_anchor(mark, event.anchor)
                if event.tag not in (None, "!", _STR):
                    return self._refuse_tag(mark, event.tag)
                if len(stack) >= MAX_DEPTH:
                    self.error(mark, f"nesting deeper than {MAX_DEPTH} levels: the format never needs that")
                    return None
                node = Seq([], mark) if cls is SequenceStartEvent else Map([], mark)
                stack.append([node, None])
        except yaml.MarkedYAMLError as exc:
            m = exc.problem_mark or exc.context_mark
            where = _mark(m) if m else Mark(1, 1)
            self.error(where, _yaml_message(exc, text, m))
            return None
        except yaml.YAMLError as exc:
            self.error(Mark(1, 1), f"malformed YAML: {exc}")
            return None
        return root

    def _refuse_anchor(self, mark: Mark, anchor: str) -> None:
        """Anchors go with aliases, which are refused; an anchor alone is refused too, as documented."""
        self.error(mark, f"anchors are not allowed (&{anchor}): anchors and aliases can expand a small file "
                         "into a huge one; remove the '&' name and write each value out")

    def _refuse_tag(self, mark: Mark, tag: str) -> None:
        """Tags are never constructed (so `!!python/...` cannot run); say so."""
        self.error(mark, f"YAML tags are not allowed ({tag}): remove it; "
                         "the format needs only plain text, numbers, lists and mappings")

    def _attach(self, stack: list, node) -> None:
        top = stack[-1]
        parent = top[0]
        if isinstance(parent, Seq):
            parent.items.append(node)
        elif top[1] is None:
            if not isinstance(node, Scalar):
                self.error(node.mark, "a key must be plain text, not a list or mapping")
                node = Scalar("?", _STR, False, node.mark)
            top[1] = node
        else:
            parent.pairs.append((top[1], node))
            top[1] = None

    def _check_duplicates(self, node: Map) -> None:
        seen: dict[str, Mark] = {}
        for key, _ in node.pairs:
            first = seen.get(key.value)
            if first is not None:
                self.error(key.mark, f"duplicate key '{key.value}' (first at line {first.line}): YAML would "
                                     "silently keep only the last one; merge the two or rename one")
            else:
                seen[key.value] = key.mark


def _yaml_message(exc: yaml.MarkedYAMLError, text: str, mark) -> str:
    """PyYAML's complaint, in the words of the mistake people actually make."""
    what = exc.problem or "malformed YAML"
    lines = text.splitlines()
    line = lines[mark.line] if mark is not None and mark.line < len(lines) else ""
    col = mark.column if mark is not None else 0
    indent = line[: len(line) - len(line.lstrip(" \t"))]
    if "\t" in indent or ("cannot start any token" in what and line[col:col + 1] == "\t"):
        return ("a tab in the indentation: YAML indents with spaces only; replace the tab with spaces "
                "(most editors can convert tabs to spaces)")
    if "maximum nesting depth" in what:  # PyYAML >= 6.0.3 counts flow depth itself
        return f"nesting deeper than {MAX_DEPTH} levels: the format never needs that"
    term = _SPACED_TERM.search(line[:col + 1] + line[col + 1:].split(",")[0])
    if "mapping values are not allowed" in what and term:
        return (f"'{term[1]}: {term[2]}' has a space after the colon, so YAML reads a mapping: "
                f"write the term '{term[1]}:{term[2]}' without the space")
    return (f"malformed YAML: {what}" + (f" ({exc.context})" if exc.context else "")
            + "; check the indentation and quoting on this line or the line before")


_SPACED_TERM = re.compile(r"\b([a-z]+): +([a-z0-9][a-z0-9._-]*)\s*\]?\s*$")


# -- Interpretation of the node tree --------------------------------------


def _closest(word: str, choices) -> str | None:
    """The choice `word` most likely meant: the same up to case, else the
    closest by difflib (None when nothing is close)."""
    choices = list(choices)
    folded = word.casefold()
    for choice in choices:
        if choice.casefold() == folded:
            return choice
    import difflib  # only a mistake needs it: a valid file loads without

    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return close[0] if close else None


def _suggest(word: str, choices) -> str:
    close = _closest(word, choices)
    return f"; did you mean '{close}'?" if close else ""


class _Nearby:
    """Did-you-mean over many ids in bounded work: only the ids next to the
    word in sorted order, forwards and backwards, are compared (a one-place
    typo keeps the part before it, or after it, as a shared prefix), and
    only the first MAX_ASKED unknown ids of a file get a suggestion (5,000
    unknown references are one systematic mistake, not 5,000 typos)."""

    NEAR = 8  # ids compared on each side, in each order
    MAX_ASKED = 200

    def __init__(self, ids):
        self.forward = sorted(ids)
        self.backward = sorted(i[::-1] for i in self.forward)
        self.folded = {i.casefold(): i for i in self.forward}

    def candidates(self, word: str) -> list[str]:
        near = []
        for ordered, key, turn in ((self.forward, word, False), (self.backward, word[::-1], True)):
            at = bisect.bisect_left(ordered, key)
            near += [w[::-1] if turn else w for w in ordered[max(0, at - self.NEAR):at + self.NEAR]]
        return list(dict.fromkeys(near))

    def suggest(self, word: str, asked: list[int]) -> str:
        """'; did you mean ...?' or ""; `asked` counts the questions of the whole file."""
        same = self.folded.get(word.casefold())
        if same:
            return f"; did you mean '{same}'?"
        asked[0] += 1
        return _suggest(word, self.candidates(word)) if asked[0] <= self.MAX_ASKED else ""


def _spaced_term(node: Map, what: str) -> str | None:
    """The message for `sms: mobile` (a space after the colon made YAML read a
    mapping where a term was meant), or None when the mapping is not one."""
    if len(node.pairs) != 1 or not all(isinstance(n, Scalar) for n in node.pairs[0]):
        return None
    key, value = node.pairs[0]
    meant = f"{key.value}:{value.value}"
    return (f"{what}: '{key.value}: {value.value}' has a space after the colon, so YAML reads a mapping: "
            f"write the term '{meant}' without the space")


def _describe(node) -> str:
    if isinstance(node, Map):
        return "a mapping"
    if isinstance(node, Seq):
        return "a list"
    return f"'{node.value}'"


class _Reader:
    """Turns the node tree into Things, collecting every problem."""

    def __init__(self, filename: str, problems: list[Problem], source: str = ""):
        self.filename = filename
        self.problems = problems
        self.source = source  # for the places of terms in multi-line scalars
        self._search_from: dict[int, int] = {}
        self.where: dict[str, Mark] = {}  # id -> where it is defined
        self.kinds: dict[str, str] = {MEMORY: "memory", SELF: "self"}
        # (term or reference, mark, allowed kinds, context) checked once every id is known
        self.references: list[tuple[str, Mark, tuple[str, ...], str]] = []
        self.part_of: dict[str, tuple[str, Mark]] = {}  # part -> (whole, where it is written)

    def error(self, mark: Mark, message: str) -> None:
        self.problems.append(Problem(self.filename, mark.line, mark.col, message))

    # scalars ---------------------------------------------------------

    def text(self, node, what: str) -> str | None:
        """The text as typed. YAML 1.1 would turn plain `no` into False or
        `012` into 10; the format wants the characters the person wrote."""
        if not isinstance(node, Scalar):
            self.error(node.mark, f"{what} must be text, not {_describe(node)}")
            return None
        if node.plain and node.tag == _NULL:
            self.error(node.mark, f"{what} is empty: write a value or remove the line")
            return None
        return node.value

    def ident(self, node, what: str) -> str | None:
        value = self.text(node, what)
        if value is None:
            return None
        if not _is_id(value):
            self.error(node.mark, f"invalid id '{value}' ({what}): an id is lowercase letters, digits, '.', '_' "
                                  f"or '-', starting with a letter or digit, at most {ID_MAX} characters"
                                  + (f"; try '{_slug(value)}'" if _slug(value) else ""))
            return None
        return value

    def boolean(self, node, what: str) -> bool | None:
        if isinstance(node, Scalar) and node.plain and node.tag == _BOOL:
            return node.value.lower() in _TRUE_WORDS
        self.error(node.mark, f"{what} must be true or false (unquoted), not {_describe(node)}")
        return None

    def number(self, node, what: str) -> float | None:
        # Decimal digits as typed: YAML 1.1 would read 012 as octal 10 and 0x10 as 16, and int()
        # of a long 0x... overflows a float. Bounded, so sums of prices stay finite.
        if isinstance(node, Scalar) and node.plain and (value := _price(node.value)) is not None:
            return value
        self.error(node.mark, f"{what} must be a decimal number from 0 to {MAX_PRICE:,.0f} such as 400 or 19.99, "
                              f"not {_describe(node)}")
        return None

    # structure ---------------------------------------------------------

    def mapping(self, node, what: str) -> list:
        if isinstance(node, Map):
            return node.pairs
        if isinstance(node, Scalar) and node.plain and node.tag == _NULL:
            return []
        self.error(node.mark, f"{what} must be a mapping (key: value lines), not {_describe(node)}")
        return []

    def read(self, root) -> tuple[dict[str, Thing], str]:
        owner = ""
        version_seen = False
        things: dict[str, Thing] = {MEMORY: memory_thing()}
        for key, value in self.mapping(root, "the top level"):
            name = key.value
            if name == "version":
                version_seen = True
                if not (isinstance(value, Scalar) and value.plain and value.tag == _INT
                        and value.value == str(FORMAT_VERSION)):
                    self.error(value.mark, f"version must be {FORMAT_VERSION} (the only version so far), "
                                           f"not {_describe(value)}")
            elif name == "owner":
                owner = self.text(value, "owner") or ""
            elif name in SECTIONS:
                for id_node, body in self.mapping(value, f"section '{name}'"):
                    thing = self.thing(name, id_node, body)
                    if thing is not None and thing.id not in things:
                        things[thing.id] = thing
            else:
                self.error(key.mark, f"unknown section '{name}'{_suggest(name, TOP_LEVEL)} "
                                     f"(valid: {', '.join(TOP_LEVEL)})")
        if not version_seen and isinstance(root, Map):
            self.error(root.mark, f"'version: {FORMAT_VERSION}' is missing: add it as the first line")
        self.check_references()
        self.check_part_of_cycles()
        if any(target == SELF for target, *_ in self.references):
            # Only an inventory that names `self` gets the thing, so first-edition
            # files keep exactly their ids.
            things[SELF] = self_thing()
        return things, owner

    def thing(self, section: str, id_node, body) -> Thing | None:
        kind = SECTIONS[section]
        thing_id = self.ident(id_node, f"an id in '{section}'")
        if thing_id is None:
            return None
        if thing_id == MEMORY:
            self.error(id_node.mark, "'memory' is reserved for what the owner remembers "
                                     "(a bare 'password' term uses it); choose another id")
            return None
        if thing_id == SELF:
            self.error(id_node.mark, "'self' is reserved for you in person (a bare 'self' term: your face, "
                                     "signature or ID card); choose another id")
            return None
        if thing_id in self.where:
            first = self.where[thing_id]
            self.error(id_node.mark, f"id '{thing_id}' is already used at line {first.line}: ids share one "
                                     "namespace across all sections; rename one")
            return None
        self.where[thing_id] = id_node.mark
        self.kinds[thing_id] = kind
        allowed = COMMON_FIELDS + FIELDS[section]
        fields: dict[str, object] = {}
        given = set()
        for key, value in self.mapping(body, f"'{thing_id}'"):
            field = key.value
            given.add(field)
            if field not in allowed:
                self.error(key.mark, f"unknown field '{field}' in {kind} '{thing_id}'{_suggest(field, allowed)} "
                                     f"(valid: {', '.join(allowed)})")
                continue
            parsed = self.field(kind, thing_id, field, value)
            if parsed is not None:
                fields[field] = parsed
        for field in REQUIRED.get(section, ()):
            if field not in given:
                self.error(id_node.mark, f"{kind} '{thing_id}' needs '{field}'"
                                         + (" (one or more accounts, devices or places holding a copy)"
                                            if field == "copies" else " (the account it is tied to)"))
        return _build(kind, thing_id, fields, id_node.mark)

    def field(self, kind: str, thing_id: str, field: str, node):
        what = f"'{field}' of {kind} '{thing_id}'"
        if field == "critical":
            return self.boolean(node, what)
        if field == "price":
            return self.number(node, what)
        if field in METHOD_FIELDS:
            return self.methods(node, what)
        if field == "site":
            # A label, not a thing: nothing refers to it but a `site:` selector.
            return self.ident(node, what)
        if field == "part_of":
            whole = self.ident(node, what)
            if whole is not None:
                self.references.append((whole, node.mark, ("account",), what))
                if whole == thing_id:
                    self.error(node.mark, f"{what}: an account cannot be part of itself; name the account "
                                          "it belongs to (e.g. part_of: google for gmail)")
                    return None
                self.part_of[thing_id] = (whole, node.mark)
            return whole
        if field == "needs":
            return self.method(node, what, allow_list=True)
        if field == "copies":
            return self.references_list(node, what, COPY_KINDS)
        if field in ("device", "account"):
            target = self.ident(node, what)
            if target is not None:
                self.references.append((target, node.mark, ("device",) if field == "device" else ("account",), what))
            return target
        value = self.text(node, what)
        if value is None:
            return None
        if field == "kind" and kind == "device" and value not in DEVICE_KINDS:
            self.error(node.mark, f"{what} is '{value}'{_suggest(value, DEVICE_KINDS)} "
                                  f"(valid: {', '.join(DEVICE_KINDS)})")
            return None
        if field == "kind" and kind == "account" and value not in ACCOUNT_KINDS:
            close = _suggest(value, ACCOUNT_KINDS)
            if close:  # a typo of a known kind; other kinds are the user's own words
                self.error(node.mark, f"{what} is '{value}'{close} (known: {', '.join(ACCOUNT_KINDS)})")
                return None
        if field == "currency" and not CURRENCY_PATTERN.fullmatch(value):
            self.error(node.mark, f"{what} must be an ISO 4217 code of three capital letters such as EUR or USD, "
                                  f"not '{value}'")
            return None
        return value

    def references_list(self, node, what: str, kinds: tuple[str, ...]) -> tuple[str, ...] | None:
        items = node.items if isinstance(node, Seq) else [node]
        if not items:
            self.error(node.mark, f"{what} is empty: name at least one id")
            return None
        out = []
        for item in items:
            target = self.ident(item, what)
            if target is not None:
                self.references.append((target, item.mark, kinds, what))
                out.append(target)
        return tuple(out)

    def methods(self, node, what: str) -> tuple[Method, ...] | None:
        if isinstance(node, Scalar):
            method = self.method(node, what, allow_list=False)
            return None if method is None else (method,)
        if isinstance(node, Map):
            self.error(node.mark, _spaced_term(node, what) or f"{what} must be a list of methods such as "
                                                              "[password + sms:mobile, passkey:iphone], not a mapping")
            return None
        if not node.items:
            self.error(node.mark, f"{what} is an empty list: give at least one method, or remove the line "
                                  "to use the default")
            return None
        parsed = [self.method(item, what, allow_list=True) for item in node.items]
        return None if any(m is None for m in parsed) else tuple(parsed)

    def method(self, node, what: str, allow_list: bool) -> Method | None:
        """One method: 'a + b', or (where allowed) a list of terms, each maybe 'a + b'."""
        if isinstance(node, Seq) and allow_list:
            if not node.items:
                self.error(node.mark, f"{what} has an empty method []: give at least one term")
                return None
            terms: list[Term] = []
            for item in node.items:
                part = self.method(item, what, allow_list=False)
                if part is None:
                    return None
                terms.extend(part.terms)
            return Method(_unique(terms), node.mark)
        if isinstance(node, Map) and (hint := _spaced_term(node, what)):
            self.error(node.mark, hint)
            return None
        text = self.text(node, what)
        if text is None:
            return None
        terms = []
        offset = 0
        written = self.source[node.start:node.end] if node.start >= 0 else ""
        # The value equals the source on one line; a scalar folded over lines or with escapes is searched.
        folded = written if "\n" in written or "\\" in written else None
        for raw in text.split("+"):
            gap = len(raw) - len(raw.lstrip())
            mark = (Mark(node.mark.line, node.mark.col + offset + gap + (0 if node.plain else 1)) if folded is None
                    else self.term_mark(node, folded, raw.strip()))
            offset += len(raw) + 1
            term = self.term(raw.strip(), mark, what, text)
            if term is None:
                return None
            terms.append(term)
        return Method(_unique(terms), node.mark)

    def term_mark(self, node: Scalar, written: str, term: str) -> Mark:
        """Where `term` stands in the file, for a scalar written over several
        lines (or with escapes): the next place it occurs in `written`, the
        scalar's source text; the scalar's own place when not found."""
        found = written.find(term, self._search_from.get(node.start, 0)) if term else -1
        if found < 0:
            return node.mark
        self._search_from[node.start] = found + len(term)
        before = written[:found]
        line = node.mark.line + before.count("\n")
        col = (found - before.rfind("\n")) if "\n" in before else node.mark.col + found
        return Mark(line, col)

    def term(self, raw: str, mark: Mark, what: str, method_text: str) -> Term | None:
        read = read_term(raw, what, method_text)
        if isinstance(read, str):
            self.error(mark, read)
            return None
        term, allowed = read
        if allowed:
            self.references.append((term.target, mark, allowed, f"{what}, term '{raw}'"))
        return term

    def check_part_of_cycles(self) -> None:
        """A `part_of` chain that comes back to where it started is one error,
        at the first part of the cycle in the file. Cost: O(accounts)."""
        for cycle in part_of_cycles({part: whole for part, (whole, _) in self.part_of.items()}):
            first = min(cycle, key=lambda part: (self.part_of[part][1].line, self.part_of[part][1].col))
            chain = " -> ".join([*cycle, cycle[0]])
            self.error(self.part_of[first][1], f"'part_of' of account '{first}' is circular ({chain}): "
                                               "a part belongs to a whole that is not itself one of its parts")

    def check_references(self) -> None:
        nearby: dict[tuple[str, ...], _Nearby] = {}  # one index per set of allowed kinds
        asked = [0]
        for target, mark, allowed, what in self.references:
            actual = self.kinds.get(target)
            if actual is None:
                if allowed not in nearby:
                    nearby[allowed] = _Nearby([i for i, k in self.kinds.items() if k in allowed] or self.kinds)
                self.error(mark, f"{what}: unknown id '{target}'{nearby[allowed].suggest(target, asked)}")
            elif actual not in allowed:
                self.error(mark, f"{what}: '{target}' is {_a(actual)}, but this needs "
                                 f"{' or '.join(_a(a) for a in allowed)}")


def _is_id(value: str) -> bool:
    """Whether `value` is a valid id (the format's one rule for ids).

    >>> _is_id("anna-phone"), _is_id("Anna"), _is_id("a" * 65)
    (True, False, False)
    """
    return len(value) <= ID_MAX and ID_PATTERN.fullmatch(value) is not None


def _price(value: str) -> float | None:
    """The price written as `value` (decimal digits as typed, at most
    MAX_PRICE), or None. YAML 1.1 would read 012 as octal 10 and 0x10 as 16,
    and int() of a long 0x... overflows a float; bounded, so sums of prices
    stay finite.

    >>> _price("19.99"), _price("1_000"), _price("0x10"), _price("1e13")
    (19.99, 1000.0, None, None)
    """
    if not _DECIMAL.fullmatch(value):
        return None
    price = float(value.replace("_", ""))
    return price if price <= MAX_PRICE else None


def read_term(raw: str, what: str, method_text: str) -> tuple[Term, tuple[str, ...]] | str:
    """(the term `raw` names, the kinds of thing its id may name; () for the
    bare `password`, which names nothing to look up), or the message saying
    why `raw` is no term (`what` and `method_text` say where, in it). The
    format's one reading of a term, for the plain and the fast loader.

    >>> read_term("sms:mobile", "x", "x")
    (Term(kind='sms', target='mobile'), ('phone',))
    >>> read_term("password", "x", "x")[1], read_term("smss:m", "login", "smss:m")[:32]
    ((), "login: unknown term kind 'smss:'")
    """
    if not raw:
        return f"{what}: empty term in method '{method_text}': terms are joined by ' + ', e.g. 'password + sms:mobile'"
    kind, colon, target = raw.partition(":")
    if not colon:
        if raw == "password":
            return Term("password", MEMORY), ()
        kind, target = "", raw
    elif kind not in TERM_KINDS or not kind:
        return (f"{what}: unknown term kind '{kind}:'{_suggest(kind, [k for k in TERM_KINDS if k])} "
                f"(valid: {', '.join(k + ':' for k in TERM_KINDS if k)} or a bare id)")
    target = target.strip()
    if not _is_id(target):
        slug = _slug(target)
        hint = f"; did you mean '{kind}:{slug}'?" if kind and slug else ""
        return (f"{what}: '{raw}' does not name a valid id after '{kind}:'{hint} (ids are lowercase)" if kind else
                f"{what}: '{raw}' is not a term: write 'KIND:ID' (e.g. sms:mobile) or a bare id")
    return Term(kind, target), TERM_KINDS[kind][1]


def part_of_cycles(whole_of: dict[str, str]) -> list[list[str]]:
    """Every cycle of `part_of` (part -> whole), each as its parts in chain
    order from the first part met in `whole_of`'s order. Cost: O(parts).

    >>> part_of_cycles({"a": "b", "b": "a", "c": "a", "d": "e"})
    [['a', 'b']]
    """
    cycles = []
    done: set[str] = set()
    for start in whole_of:
        path: list[str] = []
        on_path: set[str] = set()
        node = start
        while node in whole_of and node not in done and node not in on_path:
            path.append(node)
            on_path.add(node)
            node = whole_of[node]
        if node in on_path:
            cycles.append(path[path.index(node):])
        done.update(path)
    return cycles


def _a(noun: str) -> str:
    return f"an {noun}" if noun[0] in "aeiou" else f"a {noun}"


def _unique(terms: list[Term]) -> tuple[Term, ...]:
    return tuple(dict.fromkeys(terms))


_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss", "ẞ": "SS",
                          "ø": "o", "Ø": "O", "æ": "ae", "Æ": "Ae", "œ": "oe", "Œ": "Oe", "ł": "l", "Ł": "L", "đ": "d"})


def _slug(value: str) -> str:
    """An id made from a name: umlauts spelled out, other accents dropped.

    >>> _slug("Müller & Søn Café"), _slug("Straße")
    ('mueller-son-cafe', 'strasse')
    """
    ascii_text = unicodedata.normalize("NFKD", value.translate(_GERMAN)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9._-]+", "-", ascii_text.lower()).strip("-._")[:ID_MAX]


def _build(kind: str, thing_id: str, f: dict, mark: Mark) -> Thing:
    """Apply the format's defaults, so the engine sees only explicit methods."""
    login: tuple[Method, ...] = ()
    recovery = f.get("recovery") or ()
    legacy = f.get("legacy") or ()
    needs = f.get("needs")
    if kind == "account" and f.get("part_of"):
        # A part is reached only through its whole: its whole is a term of each of its methods.
        whole = Term("account", f["part_of"])
        login, recovery, legacy = (tuple(Method(_unique([*m.terms, whole]), m.mark) for m in methods)
                                   for methods in (f.get("login") or (Method(()),), recovery, legacy))
    elif kind == "account":
        login = f.get("login") or (Method((Term("password", MEMORY),)),)
    elif kind == "phone" and f.get("device"):
        login = (Method((Term("device", f["device"]),)),)
    elif kind == "data":
        extra = needs.terms if needs else ()
        login = tuple(Method(_unique([Term("", copy), *extra])) for copy in f.get("copies") or ())
    elif kind == "purchase" and f.get("account"):
        login = (Method((Term("account", f["account"]),)),)
    get = f.get  # positional, in the model's field order: this runs once per thing of every file
    return Thing(
        thing_id, kind, get("name") or thing_id, login, recovery, bool(get("critical")), get("notes") or "",
        get("kind") or "", get("provider") or "", get("user") or "", get("url") or "", get("number") or "",
        get("device") or "", get("copies") or (), needs, get("account") or "", get("price") or 0.0,
        get("currency") or (DEFAULT_CURRENCY if kind == "purchase" else ""), mark, get("unlock") or (),
        get("site") or "", get("part_of") or "", legacy, get("relation") or "",
    )


# -- Entry points ----------------------------------------------------------


def _too_big(filename: str) -> InventoryError:
    return InventoryError([Problem(filename, 1, 1, f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB: "
                                                   "an inventory is far smaller; is this the right file?")])


@contextmanager
def paused_gc():
    """Runs its block with the cyclic garbage collector paused (as it was
    after). Loading and compiling allocate many small acyclic objects that
    all stay alive; the collector would rescan them again and again (a
    third of the time on a big file, and more the bigger the heap already
    is) while finding nothing to free. For blocks of bounded size only.

    >>> with paused_gc():
    ...     gc.isenabled()
    False
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def load_text(text: str, filename: str = "<inventory>") -> Inventory:
    """Parse inventory text. Returns the Inventory; raises InventoryError
    listing every problem. Cost: linear in the size of the text. An
    inventory with nothing to report is read by the fast path
    (`fastload.read_fast`); any other by the plain composer and reader,
    which locate every problem.

    >>> inv = load_text("version: 1\\naccounts:\\n  mail: {}\\n")
    >>> str(inv["mail"].login[0])
    'password'
    """
    from identity_map.format.fastload import read_fast  # it reads this module's helpers

    if len(text) > MAX_BYTES:
        raise _too_big(filename)
    with paused_gc():  # input size is capped above
        inventory = read_fast(text, filename)
        return inventory if inventory is not None else load_plain(text, filename)


def load_plain(text: str, filename: str = "<inventory>") -> Inventory:
    """`load_text` by the plain composer and reader alone: the Inventory, or
    InventoryError with every problem located. Cost: linear in the text,
    two to three times the fast path's.

    >>> load_plain("version: 1\\naccounts:\\n  mail: {}\\n") == load_text("version: 1\\naccounts:\\n  mail: {}\\n")
    True
    """
    if len(text) > MAX_BYTES:
        raise _too_big(filename)
    with paused_gc():  # input size is capped above
        composer = _Composer(filename)
        root = composer.compose(text)
        problems = composer.problems
        if root is None and not problems:
            problems.append(Problem(filename, 1, 1, f"the file is empty: an inventory starts with "
                                                    f"'version: {FORMAT_VERSION}'"))
        if problems:
            raise InventoryError(problems)
        reader = _Reader(filename, problems, text)
        things, owner = reader.read(root)
    if problems:
        problems.sort(key=lambda p: (p.line, p.col))
        raise InventoryError(problems)
    return Inventory(things=things, owner=owner, source=filename)


def load_bytes(data: bytes, filename: str = "<inventory>") -> Inventory:
    """Decode UTF-8 (a BOM is allowed) and parse; see `load_text`."""
    if len(data) > MAX_BYTES:
        raise _too_big(filename)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InventoryError([Problem(filename, line, col, "the file is not UTF-8 text: save it as UTF-8 "
                                                           "(most editors offer this under 'Save with encoding')")])
    return load_text(text, filename)


def load_file(path: str | Path) -> Inventory:
    """Read and parse a file; unreadable files raise InventoryError too, and
    a FIFO, device or oversized file is refused before it is read (see
    `files.read_limited`)."""
    return load_bytes(read_inventory_bytes(path), str(path))


def read_inventory_bytes(path: str | Path) -> bytes:
    """The file's bytes, at most MAX_BYTES; InventoryError (at 1:1) for what
    cannot or should not be read. Cost: at most MAX_BYTES + 1 bytes read."""
    try:
        return read_limited(path, MAX_BYTES)
    except FileRefused as exc:
        raise InventoryError([Problem(str(path), 1, 1, f"cannot read the file: {exc}; "
                                                       "an inventory is a YAML text file")]) from None
    except OSError as exc:
        raise InventoryError([Problem(str(path), 1, 1, f"cannot read the file: {exc.strerror or exc}")]) from None
