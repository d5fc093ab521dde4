"""Provider templates: the accounts, parts and data a big provider holds.

`identity-map add google me.yaml --user anna@gmail.com` adds the Google
account with its parts (`part_of`: Gmail, Google Photos, Google Drive,
YouTube), the data that usually lives there, the typical ways in and back as
commented choices, and what the provider offers against a ban as `notes`.
Every part hangs on its whole, so banning the whole takes them all, which is
the point of the story. The inventory is edited round-trip (comments and
layout kept) and validated before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from identity_map.analysis.validate import validate_bytes
from identity_map.format.load import Problem
from identity_map.importers.domains import user_slug
from identity_map.importers.yamldoc import add_key, block, dump, guess_layout, load, scalar

SECTIONS = ("version", "owner", "devices", "places", "phones", "people", "accounts", "data", "purchases")


@dataclass(frozen=True, slots=True)
class Part:
    """A service reached with the whole account (`part_of`). `mailbox`: the
    address given with --user is this part's user too."""

    key: str
    name: str
    kind: str
    mailbox: bool = False
    notes: str = ""


@dataclass(frozen=True, slots=True)
class Held:
    """Data that usually lives in the account: `copies` are keys of the
    template's accounts ("" is the whole)."""

    key: str
    name: str
    copies: tuple[str, ...]
    critical: bool = False
    notes: str = ""


@dataclass(frozen=True, slots=True)
class Template:
    """One provider's ecosystem. `login`, `recovery` and `legacy` are choices
    (a method in inventory terms, what it is), written as comments: PHONE,
    DEVICE, APP, KEY, MAILBOX, PLACE and PERSON are filled with the inventory's
    own ids where it has one."""

    key: str
    name: str
    provider: str
    parts: tuple[Part, ...]
    held: tuple[Held, ...]
    login: tuple[tuple[str, str], ...]
    recovery: tuple[tuple[str, str], ...]
    legacy: tuple[tuple[str, str], ...]
    against_ban: str
    kind: str


DATA = Path(__file__).with_name("data") / "templates.yaml"


def _choices_of(rows) -> tuple[tuple[str, str], ...]:
    return tuple((str(method), str(what)) for method, what in rows or ())


def _template(key: str, t: dict, common) -> Template:
    return Template(
        key, t["name"], t["provider"],
        parts=tuple(Part(p["key"], p["name"], p["kind"], p.get("mailbox", False), p.get("notes", ""))
                    for p in t["parts"]),
        held=tuple(Held(h["key"], h["name"], tuple(h["copies"]), h.get("critical", False), h.get("notes", ""))
                   for h in t["held"]),
        login=_choices_of(t.get("login")) + common, recovery=_choices_of(t.get("recovery")),
        legacy=_choices_of(t.get("legacy")), against_ban=t["against_ban"], kind=t["kind"])


def _load_templates() -> dict[str, Template]:
    """The bundled templates (data/templates.yaml), by key."""
    doc = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    common = _choices_of(doc["second_factors"])
    return {key: _template(key, t, common) for key, t in doc["templates"].items()}


TEMPLATES: dict[str, Template] = _load_templates()


@dataclass(frozen=True)
class Added:
    """The result of applying a template: the new text and the ids it added
    (`problems` when the result would not be a valid inventory)."""

    text: str
    ids: tuple[str, ...]
    problems: tuple[Problem, ...] = ()


def _ids(template: Template, user: str, taken: set[str]) -> dict[str, str]:
    """Template key -> id: the plain keys, else all with the user's name
    (`google-anna`), else numbered, so one template's ids stay together."""
    keys = [template.key, *(p.key for p in template.parts), *(h.key for h in template.held)]
    suffixes = ([f"-{user_slug(user)}"] if user_slug(user) else []) + [f"-{n}" for n in range(2, 100)]
    for suffix in ["", *suffixes]:
        ids = {k: f"{k}{suffix}"[:64] for k in keys}
        if not taken & set(ids.values()):
            return ids
    raise ValueError("no free ids for the template")  # 100 copies of one template: not a real inventory


def _fill(method: str, own: dict[str, str]) -> str:
    return " + ".join(_fill_term(t, own) for t in method.split(" + "))


def _fill_term(term: str, own: dict[str, str]) -> str:
    kind, _, slot = term.partition(":")
    return f"{kind}:{own.get(slot, slot)}" if slot else term


def _own_ids(doc) -> dict[str, str]:
    """The inventory's first phone, phone device, security key, mailbox,
    place and person, to fill a choice's placeholders with."""
    def first(section: str, kind: str = "") -> str:
        node = doc.get(section) or {}
        for tid, value in node.items() if isinstance(node, dict) else ():
            if not kind or (isinstance(value, dict) and value.get("kind") == kind):
                return str(tid)
        return ""
    found = {"PHONE": first("phones"), "APP": first("accounts", "authenticator"), "DEVICE": first("devices", "phone") or first("devices"),
             "KEY": first("devices", "security-key"), "MAILBOX": first("accounts", "email"),
             "PLACE": first("places"), "PERSON": first("people")}
    return {slot: tid for slot, tid in found.items() if tid}


def _choices(title: str, choices, own: dict[str, str]) -> str:
    width = max((len(_fill(m, own)) for m, _ in choices), default=0)
    return "\n".join([title] + [f"  - {_fill(m, own):<{width}}  ({what})" for m, what in choices])


def _flow(items: list[str]) -> CommentedSeq:
    seq = CommentedSeq(items)
    seq.fa.set_flow_style()  # `[a, b]`, as people write short lists
    return seq


def _section(doc: CommentedMap, name: str) -> CommentedMap:
    node = doc.get(name)
    if not isinstance(node, CommentedMap):
        later = [i for i, k in enumerate(doc) if k in SECTIONS and SECTIONS.index(k) > SECTIONS.index(name)]
        if name in doc:
            doc[name] = node = CommentedMap()
        else:
            node = CommentedMap()
            add_key(doc, name, node, position=min(later, default=len(doc)))
    return block(node)


def apply_template(text: str, key: str, user: str = "", filename: str = "<inventory>") -> Added:
    """Add template `key` to inventory `text` (comments and layout kept);
    `problems` says why the result is not valid (then nothing should be
    written). Cost: one round-trip parse and one validation of the file.

    >>> added = apply_template("version: 1\\n", "proton", "me@proton.me")
    >>> added.ids[:3], added.problems
    (('proton', 'proton-mail', 'proton-drive'), ())
    """
    template = TEMPLATES[key]
    before = validate_bytes(text.encode("utf-8"), filename)
    if before.errors:  # fix the file first: a template must not be blamed for its errors
        return Added(text, (), tuple(before.errors))
    layout = guess_layout(text)
    doc = load(text, layout)
    if not isinstance(doc, CommentedMap):
        doc = CommentedMap(version=1)
    taken = {str(k) for s in SECTIONS[2:] if isinstance(doc.get(s), dict) for k in doc[s]}
    ids = _ids(template, user, taken)
    own = _own_ids(doc)
    accounts, step = _section(doc, "accounts"), layout.mapping
    whole = CommentedMap()
    whole["name"] = scalar(f"{template.name} ({user})" if user else template.name)
    whole["provider"] = template.provider
    whole["kind"] = template.kind
    if user:
        whole["user"] = scalar(user)
    whole["critical"] = True
    whole["notes"] = scalar(template.against_ban)
    whole["login"] = _flow(["password"])
    help_lines = [_choices("Replace [password] with the ways you really sign in (any one works):", template.login, own),
                  _choices("Add `recovery:` with what the provider really has on file:", template.recovery, own)]
    if template.legacy:
        help_lines.append(_choices("Add `legacy:` for what works after your death:", template.legacy, own))
    whole.yaml_set_comment_before_after_key("login", before="\n".join(help_lines), indent=2 * step)
    add_key(accounts, ids[template.key], whole, indent=step,
            comment=f"{template.name}: added by `identity-map add {key}`; review every line")
    for part in template.parts:
        node = CommentedMap(name=part.name, kind=part.kind)
        node["part_of"] = ids[template.key]
        if part.mailbox and user:
            node["user"] = scalar(user)
        if part.notes:
            node["notes"] = scalar(part.notes)
        add_key(accounts, ids[part.key], node, indent=step)
    data = _section(doc, "data")
    for held in template.held:
        node = CommentedMap(name=held.name)
        node["copies"] = _flow([ids[c or template.key] for c in held.copies])
        if held.critical:
            node["critical"] = True
        if held.notes:
            node["notes"] = scalar(held.notes)
        add_key(data, ids[held.key], node, indent=step,
                comment=(f"Usually kept in the {template.provider} account: add every other copy you keep"
                         if held is template.held[0] else ""))
    out = dump(doc, layout)
    checked = validate_bytes(out.encode("utf-8"), filename)
    return Added(out, tuple(ids.values()), tuple(checked.errors))
