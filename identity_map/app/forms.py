"""Form editing of an inventory: which fields a thing has, which values are
valid for each, and applying a form's values to the YAML text.

Everything is read from the format's own tables (`format.model`: SECTIONS,
COMMON_FIELDS, FIELDS, TERM_KINDS, ...), so a field the format gains appears
in the forms by itself; `WIDGETS` only says how a known field is entered
(an unknown one is plain text). Terms are never typed: a method is a set of
terms picked from `term_options`, each naming an id of a kind the term
allows. Edits go through ruamel's round-trip (see `importers.yamldoc`), so
the person's comments, order and flow/block style stay, and every result is
validated before anyone writes it. No Streamlit here.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from identity_map.analysis.validate import validate_text
from identity_map.format import model
from identity_map.format.load import Problem
from identity_map.format.model import (
    COMMON_FIELDS, COPY_KINDS, FIELDS, FORMAT_VERSION, ID_MAX, ID_PATTERN, MEMORY, REQUIRED, SECTIONS, TERM_KINDS,
)
from identity_map.importers.yamldoc import add_key, block, dump, guess_layout, is_flow, load, remove_key, scalar

TEXT, FLAG, CHOICE, ONE_ID, IDS, METHODS, METHOD, NUMBER = (
    "text", "flag", "choice", "id", "ids", "methods", "method", "number")
# How each known field is entered; any other field of model.FIELDS is text.
WIDGETS: dict[str, str] = {
    "critical": FLAG, "kind": CHOICE, "price": NUMBER, "needs": METHOD,
    "copies": IDS, "device": ONE_ID, "account": ONE_ID, "part_of": ONE_ID,
    **{name: METHODS for name in model.METHOD_FIELDS},
}
# The kinds of thing an id field may name (copies: COPY_KINDS, plus memory when the format allows it).
ID_KINDS: dict[str, tuple[str, ...]] = {"device": ("device",), "account": ("account",), "part_of": ("account",)}
# Field -> plain words for the label.
LABELS: dict[str, str] = {
    "name": "Name", "notes": "Notes", "critical": "Critical (it matters most)", "kind": "Kind",
    "provider": "Provider", "user": "User name or address (never a password)", "url": "Web address",
    "login": "Ways to log in (any one works; each needs all its parts)",
    "recovery": "Ways to recover it when no login works",
    "unlock": "Ways to unlock it (any one)", "legacy": "Ways your people get in after your death",
    "number": "Phone number", "device": "The device holding its SIM", "copies": "Where its copies are",
    "needs": "What every copy also needs", "account": "The account it is tied to", "price": "Price",
    "currency": "Currency (3 letters)", "site": "Where it lives (a short label: home, office, parents)",
    "part_of": "Part of (the account it belongs to)", "relation": "Relation",
}
SINGULAR = dict(SECTIONS)
_SLUG = re.compile(r"[^a-z0-9._-]+")


@dataclass(frozen=True)
class FieldSpec:
    """One field of a thing's form."""

    name: str
    widget: str  # one of TEXT, FLAG, CHOICE, ONE_ID, IDS, METHODS, METHOD, NUMBER
    label: str
    required: bool = False


def fields(section: str) -> tuple[FieldSpec, ...]:
    """The fields of a thing in `section`, the common ones first, as the
    format's tables list them. Cost: O(fields).

    >>> [f.name for f in fields("purchases")][-3:]
    ['account', 'price', 'currency']
    >>> fields("accounts")[0]
    FieldSpec(name='name', widget='text', label='Name', required=False)
    """
    required = REQUIRED.get(section, ())
    return tuple(FieldSpec(name, WIDGETS.get(name, TEXT), LABELS.get(name, name.replace("_", " ").capitalize()),
                           name in required)
                 for name in (*COMMON_FIELDS, *FIELDS[section]))


# -- What ids there are -------------------------------------------------------


@dataclass(frozen=True)
class Catalog:
    """The ids of a document by kind, read from the YAML tree (so it works
    while the text still has errors the loader reports)."""

    kinds: dict[str, str]  # id -> kind (device, account, ..., memory), in file order
    names: dict[str, str] = field(default_factory=dict)  # id -> name, where written
    sites: tuple[str, ...] = ()

    def of(self, *kinds: str) -> list[str]:
        return [tid for tid, kind in self.kinds.items() if kind in kinds]

    def label(self, thing_id: str) -> str:
        """Plain text: 'Name (id)', or the id."""
        name = self.names.get(thing_id, thing_id)
        return thing_id if name == thing_id else f"{name} ({thing_id})"


def reserved() -> dict[str, str]:
    """The reserved ids of the format -> their kind (each is its own kind)."""
    return {tid: tid for tid in model.RESERVED}


def catalog(doc: Any) -> Catalog:
    """The Catalog of a round-trip document (or None for an empty text)."""
    kinds, names, sites = {}, {}, {}
    for section, kind in SECTIONS.items():
        things = doc.get(section) if isinstance(doc, Mapping) else None
        if not isinstance(things, Mapping):
            continue
        for tid, body in things.items():
            kinds[str(tid)] = kind
            if isinstance(body, Mapping):
                if isinstance(body.get("name"), str):
                    names[str(tid)] = body["name"]
                if isinstance(body.get("site"), str):
                    sites[body["site"]] = None
    kinds.update(reserved())
    names.setdefault(MEMORY, "what you remember")
    return Catalog(kinds, names, tuple(sites))


# -- Valid values of a field -----------------------------------------------


def term_options(cat: Catalog, own: str | None = None) -> list[str]:
    """Every term a method of `own` may use, in the order of TERM_KINDS:
    `password`, then `KIND:ID` for each id of a kind the term allows, then
    bare ids (data items, people, `self`). A thing never names itself.
    Cost: O(term kinds x ids).

    >>> cat = Catalog({"mail": "account", "mobile": "phone", "memory": "memory"})
    >>> term_options(cat, own="mail")
    ['password', 'sms:mobile']
    >>> term_options(cat, own="shop")[:6]
    ['password', 'password:mail', 'email:mail', 'sso:mail', 'account:mail', 'sms:mobile']
    """
    out = ["password"]
    bare = []
    for kind, (_, allowed) in TERM_KINDS.items():
        ids = [tid for tid in cat.of(*allowed) if tid != own and tid != MEMORY]
        if kind:
            out += [f"{kind}:{tid}" for tid in ids]
        else:
            # Bare ids only where no named term says it better: data (a key), people, the owner in person.
            bare = [tid for tid in ids if cat.kinds[tid] not in ("account", "device", "place", "phone", "purchase")]
    return out + bare


def term_label(cat: Catalog, term: str) -> str:
    """Plain text for a term in a drop-down: the term, what it means, and the
    name of the thing it names.

    >>> term_label(Catalog({"mobile": "phone"}, {"mobile": "Anna's number"}), "sms:mobile")
    "sms:mobile - a text or call to that number (Anna's number)"
    """
    if term == "password":
        return "password - one you remember"
    kind, _, target = term.rpartition(":")
    meaning = TERM_KINDS.get(kind, ("",))[0]
    name = cat.names.get(target)
    return f"{term} - {meaning}" + (f" ({name})" if name and name != target else "")


def choices(spec: FieldSpec, section: str, cat: Catalog, own: str | None = None) -> list[str]:
    """The valid values of a CHOICE, ONE_ID or IDS field (the terms of a
    METHOD(S) field: `term_options`); [] for free fields."""
    if spec.widget == CHOICE:
        return list(model.DEVICE_KINDS if section == "devices" else model.ACCOUNT_KINDS
                    if section == "accounts" else ())
    if spec.widget == ONE_ID:
        return [t for t in cat.of(*ID_KINDS.get(spec.name, ())) if t != own]
    if spec.widget == IDS:
        return cat.of(*COPY_KINDS)
    if spec.widget in (METHODS, METHOD):
        return term_options(cat, own)
    return []


# -- Reading a thing's current values ------------------------------------------


def _terms(method: Any) -> list[str]:
    """A written method (string `a + b`, or a list of such) as its terms."""
    parts = method if isinstance(method, list) else [method]
    return [t.strip() for p in parts for t in str(p).split("+") if t.strip()]


def values(doc: Any, section: str, thing_id: str) -> dict[str, Any]:
    """The form values of one thing as written: text, bool, number, a list
    of ids, a list of terms (METHOD), or a list of methods each a list of
    terms (METHODS). Missing fields are absent."""
    things = doc.get(section) if isinstance(doc, Mapping) else None
    body = things.get(thing_id) if isinstance(things, Mapping) else None
    if not isinstance(body, Mapping):
        return {}
    out: dict[str, Any] = {}
    for spec in fields(section):
        if spec.name not in body or body[spec.name] is None:
            continue
        raw = body[spec.name]
        if spec.widget == METHODS:
            out[spec.name] = [_terms(m) for m in (raw if isinstance(raw, list) else [raw])]
        elif spec.widget == METHOD:
            out[spec.name] = _terms(raw)
        elif spec.widget == IDS:
            out[spec.name] = [str(x) for x in (raw if isinstance(raw, list) else [raw])]
        elif spec.widget in (FLAG, NUMBER):
            out[spec.name] = raw
        else:
            out[spec.name] = str(raw)
    return out


def suggest_id(name: str, cat: Catalog) -> str:
    """An unused id made from a name: lower case, other characters as '-',
    a number added when taken.

    >>> suggest_id("Anna's Pixel 8", Catalog({"anna-s-pixel-8": "device"}))
    'anna-s-pixel-8-2'
    """
    base = _SLUG.sub("-", name.lower()).strip("-._")[:ID_MAX - 4] or "thing"
    if not base[0].isalnum():
        base = "x" + base
    candidate, n = base, 1
    while candidate in cat.kinds:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


# -- Applying a form -------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """The text after a form's edit, and what is wrong with it ([] = valid:
    it may be written)."""

    text: str
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def _refused(text: str, message: str, line: int = 1, col: int = 1) -> Change:
    return Change(text, (Problem("form", line, col, message),))


def _parse(text: str):
    """(layout, document); the document is a fresh `version: 1` map for an empty text."""
    layout = guess_layout(text)
    doc = load(text, layout) if text.strip() else None
    if doc is None:
        doc = CommentedMap()
        doc["version"] = FORMAT_VERSION
    return layout, doc


def _yaml_value(spec: FieldSpec, value: Any, flow: bool) -> Any:
    """A form value as the YAML node to write (None: remove the field)."""
    if spec.widget == FLAG:
        return True if value else None
    if spec.widget == NUMBER:
        return None if value is None else (int(value) if float(value).is_integer() else float(value))
    if spec.widget in (METHODS, METHOD, IDS):
        items = [scalar(" + ".join(m) if spec.widget == METHODS else str(m)) for m in value if m]
        if not items:
            return None
        seq = CommentedSeq(items)
        if flow:
            seq.fa.set_flow_style()
        return seq
    text = str(value or "").strip()
    return scalar(text) if text else None


def _same(old: Any, new: Any) -> bool:
    if isinstance(old, list) or isinstance(new, list):
        return old is not None and new is not None and [str(x) for x in old] == [str(x) for x in new]
    return old == new


def apply_thing(text: str, section: str, thing_id: str, form: Mapping[str, Any], *, new: bool = False,
                check: bool = True) -> Change:
    """The text with one thing set to the form's values (see `values` for
    their shapes; an empty value removes the field), added at the end of its
    section when `new`. Fields the form does not mention, and fields whose
    value did not change, are left exactly as written, comments included.
    With `check`, the result is validated (a validation costs what
    `identity-map validate` costs). Never raises.

    >>> text = "version: 1\\naccounts:\\n  mail: {}   # my mail\\n"
    >>> print(apply_thing(text, "accounts", "shop", {"login": [["email:mail"]]}, new=True).text, end="")
    version: 1
    accounts:
      mail: {}   # my mail
      shop:
        login: [email:mail]
    """
    try:
        layout, doc = _parse(text)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return _refused(text, f"the YAML cannot be read ({getattr(exc, 'problem', None) or exc}): fix it in "
                              "the text editor first", *((mark.line + 1, mark.column + 1) if mark else ()))
    if not isinstance(doc, CommentedMap):
        return _refused(text, "the text is not a mapping of sections: fix it in the text editor first")
    if section not in SECTIONS:
        return _refused(text, f"unknown section '{section}': one of {', '.join(SECTIONS)}")
    base = dump(doc, layout)
    things = doc.get(section)
    if new:
        if not ID_PATTERN.fullmatch(thing_id) or len(thing_id) > ID_MAX:
            return _refused(text, f"'{thing_id}' is not a valid id: lower-case letters, digits, '.', '_' or "
                                  f"'-', starting with a letter or digit, at most {ID_MAX} characters")
        if thing_id in catalog(doc).kinds:
            return _refused(text, f"the id '{thing_id}' is already used: pick another")
        if things is not None and not isinstance(things, CommentedMap):
            return _refused(text, f"'{section}' is not a mapping of ids: fix it in the text editor first")
        if things is None:
            things = CommentedMap()
            if section in doc:
                doc[section] = things
            else:
                add_key(doc, section, things)
        sibling_flow = bool(things) and all(is_flow(v) for v in things.values())
        body = CommentedMap()
        if sibling_flow:
            body.fa.set_flow_style()
        add_key(block(things) if not sibling_flow else things, thing_id, body)
    else:
        if not isinstance(things, CommentedMap) or thing_id not in things:
            return _refused(text, f"there is no '{thing_id}' in {section} any more (was it removed in the text?)")
        body = things[thing_id]
        if body is None:  # `carrier:` with nothing after it
            body = things[thing_id] = CommentedMap()
        elif not isinstance(body, CommentedMap):
            return _refused(text, f"'{thing_id}' is not a mapping of fields: fix it in the text editor first")
    before = values(doc, section, thing_id)
    for spec in fields(section):
        if spec.name not in form or _same(before.get(spec.name), form[spec.name] or None):
            continue
        old = body.get(spec.name)
        # New lists are written [flow]; a list the person wrote as a block stays one.
        node = _yaml_value(spec, form[spec.name], not (isinstance(old, CommentedSeq) and not is_flow(old)))
        if node is None:
            if spec.name in body:
                remove_key(body, spec.name)
        elif spec.name in body:
            body[spec.name] = node
        else:
            add_key(body, spec.name, node)
    return _checked(_keep_untouched(text, base, dump(doc, layout)), check)


def remove_thing(text: str, section: str, thing_id: str, *, check: bool = True) -> Change:
    """The text without one thing (its comments that introduce what follows
    stay). The check then reports every term that still names it."""
    try:
        layout, doc = _parse(text)
    except YAMLError:
        return _refused(text, "the YAML cannot be read: fix it in the text editor first")
    things = doc.get(section) if isinstance(doc, CommentedMap) else None
    if not isinstance(things, CommentedMap) or thing_id not in things:
        return _refused(text, f"there is no '{thing_id}' in {section}")
    base = dump(doc, layout)
    remove_key(things, thing_id)
    return _checked(_keep_untouched(text, base, dump(doc, layout)), check)


def users_of(doc: Any, thing_id: str) -> list[str]:
    """The ids whose written fields name `thing_id` (what removing it would
    break), in a round-trip document (see `load_doc`). Cost: one walk of it."""
    pattern = re.compile(rf"(^|[:+\s]){re.escape(thing_id)}($|[\s+])")
    out = []
    for section in SECTIONS:
        things = doc.get(section) if isinstance(doc, Mapping) else None
        for tid, body in (things.items() if isinstance(things, Mapping) else ()):
            if tid != thing_id and isinstance(body, Mapping) and any(
                    pattern.search(str(v)) for k, v in body.items() if WIDGETS.get(k) in (METHODS, METHOD, IDS, ONE_ID)
                    for v in (v if isinstance(v, list) else [v])):
                out.append(str(tid))
    return out


def _keep_untouched(text: str, base: str, new: str) -> str:
    """`new` with every line the edit did not touch as the person wrote it.

    ruamel re-spaces some lines it round-trips (`a:    {x: 1}` loses its
    alignment, a flow map over two lines becomes one); `base` is its dump of
    the unedited text. Each line of base is mapped back to the lines of
    `text` it stands for, and the lines an edit left alone (equal between
    base and new) are written as they were. Cost: two line diffs.
    """
    if base == text:
        return new
    original, before, after = text.splitlines(True), base.splitlines(True), new.splitlines(True)
    source: list[list[str]] = [[line] for line in before]  # base line -> the original lines it stands for
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, original, before, autojunk=False).get_opcodes():
        if op == "equal" or (op == "replace" and i2 - i1 == j2 - j1):
            for k in range(j2 - j1):
                source[j1 + k] = [original[i1 + k]]
        elif op == "replace":
            source[j1] = original[i1:i2]
            for k in range(j1 + 1, j2):
                source[k] = []
        elif op == "delete" and before:  # lines ruamel dropped go with a neighbour
            if j1 > 0:
                source[j1 - 1] = source[j1 - 1] + original[i1:i2]
            else:
                source[0] = original[i1:i2] + source[0]
    out: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes():
        if op == "equal":
            for k in range(i1, i2):
                out += source[k]
        else:
            out += after[j1:j2]
    return "".join(out)


def _checked(text: str, check: bool) -> Change:
    if not check:
        return Change(text, ())
    return Change(text, tuple(validate_text(text, "form").errors))


def set_owner(text: str, owner: str) -> Change:
    """The text with `owner:` set (added after `version:`), validated."""
    try:
        layout, doc = _parse(text)
    except YAMLError:
        return _refused(text, "the YAML cannot be read: fix it in the text editor first")
    base = dump(doc, layout)
    if "owner" in doc:
        doc["owner"] = scalar(owner)
    else:
        add_key(doc, "owner", scalar(owner), position=1 if "version" in doc else 0)
    return _checked(_keep_untouched(text, base, dump(doc, layout)), True)


def new_inventory(owner: str) -> str:
    """The text a guided start begins with: the header comment, version, owner.

    >>> print(new_inventory("Anna"), end="")
    # My identity map, started with "Start my map" in the identity-map app.
    # Edit it in the app (forms or text) or in any editor; see docs/inventory-format.md.
    version: 1
    owner: Anna
    """
    head = ('# My identity map, started with "Start my map" in the identity-map app.\n'
            "# Edit it in the app (forms or text) or in any editor; see docs/inventory-format.md.\n"
            f"version: {FORMAT_VERSION}\n")
    return set_owner(head, owner).text if owner.strip() else head


def method_slots(written: Sequence[Sequence[str]]) -> list[list[str]]:
    """The method rows a form shows: each written method, then one empty row
    for another way in."""
    return [list(m) for m in written] + [[]]


def load_doc(text: str) -> Any:
    """The round-trip document of a text (`version: 1` for an empty one);
    raises YAMLError when it cannot be read."""
    return _parse(text)[1]


def catalog_of(text: str) -> Catalog:
    """The Catalog of a text; only the reserved ids when it cannot be read."""
    try:
        return catalog(_parse(text)[1])
    except YAMLError:
        return catalog(None)
