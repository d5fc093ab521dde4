"""The loader's fast path (`fastload.read_fast`: Things straight from the
blocks of a plainly written file, or else from the parser's events)
against the plain composer and reader (`load.load_plain`):
whatever the input, `load_text` gives what the plain loader gives, the same
Inventory (every thing, method and mark, in the file's order) or the same
located messages; the fast path reads every valid inventory the project
writes and gives up on every input with something to report."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from identity_map.format import fastload
from identity_map.format.fastload import read_fast
from identity_map.format.generate import dump_spec, generate_inventory, random_spec
from identity_map.format.load import InventoryError, load_plain, load_text
from identity_map.format.model import COMMON_FIELDS, FIELDS

ROOT = Path(__file__).resolve().parent.parent
VALID = sorted(ROOT.glob("examples/*.yaml")) + [ROOT / "tests" / "fixtures" / "spec.yaml"]
HOUSEHOLD = (ROOT / "examples" / "household.yaml").read_text(encoding="utf-8")
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Pieces of YAML and of the format that make the mistakes the plain loader names.
PIECES = st.sampled_from(
    list(":-[]{}&*!|>'\"#,?\n ") + ["\n  ", "\n    ", "version: 1\n", "version: 2\n", "accounts:\n", "devices:\n",
                                   "  a: ", "login: ", "recovery: ", "+ ", "sms:", "email:", "password", "yes", "no",
                                   "012", "~", "null", "!!str ", "&a ", "*a", "---\n", "...\n", "price: ", "0x10",
                                   "critical: ", "kind: ", "part_of: ", "copies: ", "memory", "self", "Mail",
                                   "currency: eur", "{}", "[]", "\t", "\r\n", "\ufeff", "\xe9", "%YAML 1.1\n",
                                   "--- ", "!", "? ", "\"\\n", "'multi\n  line'"])


def outcome(load, text: str):
    """What a loader makes of `text`: the things in order with the owner,
    or the list of located messages."""
    try:
        inventory = load(text, "inv.yaml")
    except InventoryError as exc:
        return "error", [str(p) for p in exc.problems]
    return "ok", list(inventory.things.items()), inventory.owner, inventory.source


def blocks(text: str):
    """What the block walk alone makes of `text`: an Inventory, or None when it gives up."""
    try:
        return fastload._Blocks(text).read("inv.yaml")
    except (fastload._GiveUp, yaml.YAMLError):
        return None


def check_same(text: str) -> None:
    """Each fast walk returns an Inventory only when the plain loader reads
    an equal one, and load_text always answers as the plain loader does."""
    plain = outcome(load_plain, text)
    for fast in (read_fast(text, "inv.yaml"), blocks(text)):
        if fast is not None:
            assert plain == ("ok", list(fast.things.items()), fast.owner, fast.source)
    assert outcome(load_text, text) == plain


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_every_example_takes_the_fast_path_and_reads_the_same(path):
    text = path.read_text(encoding="utf-8")
    assert read_fast(text, "inv.yaml") is not None
    check_same(text)


@pytest.mark.parametrize("accounts,hubs,seed", [(50, 1, 0), (300, 5, 0), (400, 3, 7)])
def test_generated_inventories_take_the_block_walk_and_read_the_same(accounts, hubs, seed):
    text = generate_inventory(accounts, hubs, seed)
    assert blocks(text) is not None
    check_same(text)


@SETTINGS
@given(st.randoms(use_true_random=False))
def test_random_inventories_take_the_block_walk_and_read_the_same(rng):
    text = dump_spec(random_spec(rng))
    assert blocks(text) is not None
    check_same(text)


def unflow(text: str) -> str:
    """`text` with each thing written `  id: {field: value, ...}` on one line
    written as a block instead, one field a line: the shape the block walk reads."""
    out = []
    for line in text.splitlines(keepends=True):
        head, sep, inner = line.rstrip("\n").partition(": {")
        if not (sep and line.startswith("  ") and not line.startswith("   ") and inner.endswith("}")):
            out.append(line)
            continue
        fields, depth, start = [], 0, 0
        inner = inner[:-1]
        for i, ch in enumerate(inner + ","):
            depth += (ch in "[{") - (ch in "]}")
            if ch == "," and depth == 0:
                fields.append(inner[start:i].strip())
                start = i + 1
        out.append(head + ":\n")
        out.extend(f"    {field}\n" for field in fields if field)
    return "".join(out)


# Edits of a valid block file: each keeps it valid or makes it something
# the plain loader reports or reads otherwise than the block walk could.
EDITS = st.sampled_from([
    "blank line", "comment line", "trailing comment", "trailing spaces", "indent more", "indent less",
    "wider gap", "double quotes", "single quotes", "junk", "no final newline", "duplicate line", "swap lines",
])
JUNK = st.sampled_from(["\t", "\r", "#", " #", "[", "]", "{", "}", "'", '"', ":", ": ", "&a ", "*a", "!", "|", ">",
                        "-", "? ", ",", "~", "null", "\\", "\ufeff", "\x85", "\u2028", "\xe9", "\U0001f600"])


@SETTINGS
@given(st.randoms(use_true_random=False), st.lists(st.tuples(EDITS, st.integers(0, 10**6), JUNK), max_size=4))
def test_an_edited_block_file_reads_as_the_plain_loader_reads_it(rng, edits):
    lines = dump_spec(random_spec(rng)).splitlines(keepends=True)
    for edit, where, junk in edits:
        at = where % len(lines)
        line = lines[at]
        body = line.rstrip("\n")
        if edit == "blank line":
            lines.insert(at, " " * (where % 7) + "\n")
        elif edit == "comment line":
            lines.insert(at, " " * (where % 7) + "# note\n")
        elif edit == "trailing comment":
            lines[at] = body + " # note\n"
        elif edit == "trailing spaces":
            lines[at] = body + "   \n"
        elif edit == "indent more":
            lines[at] = " " + line
        elif edit == "indent less":
            lines[at] = line[1:] if line.startswith(" ") else line
        elif edit == "wider gap":
            lines[at] = line.replace(": ", ":   ", 1)
        elif edit in ("double quotes", "single quotes"):
            quote = '"' if edit == "double quotes" else "'"
            key, sep, value = body.partition(": ")
            lines[at] = f"{key}{sep}{quote}{value}{quote}\n" if sep else line
        elif edit == "junk":
            col = where % (len(body) + 1)
            lines[at] = body[:col] + junk + body[col:] + "\n"
        elif edit == "no final newline":
            lines[-1] = lines[-1].rstrip("\n")
        elif edit == "duplicate line":
            lines.insert(at, line)
        elif edit == "swap lines" and at + 1 < len(lines):
            lines[at], lines[at + 1] = lines[at + 1], lines[at]
    check_same("".join(lines))


def test_every_field_not_placed_reads_the_same_wherever_it_stands():
    """The block walk reads each value of a field outside `fastload._PLACED`
    once per section: for every such field of every section, reading a
    value for another thing, at another place, gives the same value and
    notes nothing new."""
    samples = ["phone", "other", "email", "true", "no", "12.5", "EUR", "mail", "[mail, m]", '"Mail box"', "x y"]
    for section, fields in FIELDS.items():
        for field in (*COMMON_FIELDS, *fields):
            if field in fastload._PLACED:
                continue
            for sample in samples:
                walk = fastload._Blocks("version: 1\n")
                read = walk.readers(section)[field]
                try:
                    first = read(walk.value(sample, 3, 8), "a")
                except fastload._GiveUp:
                    continue
                noted = (set(walk.references), dict(walk.whole_of), dict(walk.kinds))
                assert read(walk.value(sample, 40, 2), "b") == first, (section, field, sample)
                assert (set(walk.references), dict(walk.whole_of), dict(walk.kinds)) == noted


@SETTINGS
@given(st.lists(PIECES, max_size=50).map("".join))
def test_yaml_like_text_reads_as_the_plain_loader_reads_it(text):
    check_same(text)


@SETTINGS
@given(st.integers(0, len(HOUSEHOLD)), st.integers(0, 30), st.lists(PIECES, max_size=3).map("".join))
def test_a_damaged_example_reads_as_the_plain_loader_reads_it(at, cut, junk):
    check_same(HOUSEHOLD[:at] + junk + HOUSEHOLD[at + cut:])


@SETTINGS
@given(st.randoms(use_true_random=False), st.data())
def test_a_damaged_random_inventory_reads_as_the_plain_loader_reads_it(rng, data):
    lines = dump_spec(random_spec(rng)).splitlines(keepends=True)
    at = data.draw(st.integers(0, len(lines) - 1))
    line = lines[at]
    col = data.draw(st.integers(0, len(line)))
    lines[at] = line[:col] + data.draw(PIECES) + line[col + data.draw(st.integers(0, 3)):]
    check_same("".join(lines))


BASE = "version: 1\nphones:\n  m: {}\naccounts:\n  mail: {login: [password + sms:m]}\n"
# One input per rule of the plain loader that the fast path leaves to it.
REPORTED = {
    "anchor": BASE + "  shop: &x {}\n",
    "alias": "version: 1\naccounts:\n  mail: {}\n  shop: {login: [*x]}\n",
    "tag": BASE + "  shop: {name: !!python/name:os.system x}\n",
    "a str tag, read by the plain loader": BASE + "  shop: {name: !!str yes}\n",
    "duplicate section": BASE + "accounts:\n  shop: {}\n",
    "duplicate id": BASE + "  mail: {}\n",
    "id in two sections": BASE + "devices:\n  mail: {}\n",
    "duplicate field": BASE + "  shop: {name: a, name: b}\n",
    "second document": BASE + "---\nversion: 1\n",
    "error after the document": BASE + "...\n]\n",
    "deep nesting": BASE + "  shop: {notes: " + "[" * 20 + "]" * 20 + "}\n",
    "unknown id": BASE + "  shop: {login: [email:mial]}\n",
    "wrong kind of id": BASE + "  shop: {login: [sms:mail]}\n",
    "cycle": BASE + "  a: {part_of: b}\n  b: {part_of: a}\n",
    "part of itself": BASE + "  a: {part_of: a}\n",
    "reserved id": BASE + "  memory: {}\n",
    "reserved self": BASE + "  self: {}\n",
    "missing copies": BASE + "data:\n  photos: {}\n",
    "device kind": BASE + "devices:\n  d: {kind: fone}\n",
    "account kind typo": BASE + "  shop: {kind: emial}\n",
    "currency": BASE + "purchases:\n  p: {account: mail, currency: eur}\n",
    "octal price": BASE + "purchases:\n  p: {account: mail, price: 0x10}\n",
    "quoted price": BASE + "purchases:\n  p: {account: mail, price: '10'}\n",
    "critical as text": BASE + "  shop: {critical: 'yes'}\n",
    "empty term": BASE + "  shop: {login: [password + ]}\n",
    "unknown term kind": BASE + "  shop: {login: [smss:m]}\n",
    "spaced term": BASE + "  shop: {login: [sms: m]}\n",
    "empty method list": BASE + "  shop: {login: []}\n",
    "empty nested method": BASE + "  shop: {login: [[]]}\n",
    "null text": BASE + "  shop: {name: ~}\n",
    "null id": BASE + "  ~: {}\n",
    "quoted empty body": BASE + "  shop: ''\n",
    "section as a list": "version: 1\naccounts: [a]\n",
    "unknown field": BASE + "  shop: {nmae: x}\n",
    "unknown section": BASE + "acounts: {}\n",
    "no version": "accounts:\n  mail: {}\n",
    "version 2": "version: 2\n",
    "quoted version": "version: '1'\n",
    "empty file": "# nothing\n",
    "top level list": "- version: 1\n",
    "top level null": "~\n",
    "complex key": BASE + "  ? [a]\n  : {}\n",
    "malformed": BASE + "  shop: {login: [password\n",
    "a tab": BASE + "\tshop: {}\n",
}


@pytest.mark.parametrize("text", REPORTED.values(), ids=REPORTED.keys())
def test_the_fast_path_leaves_every_reported_input_to_the_plain_loader(text):
    assert read_fast(text, "inv.yaml") is None
    assert read_fast(unflow(text), "inv.yaml") is None
    check_same(text)
    check_same(unflow(text))


def test_unflow_writes_blocks_the_block_walk_reads():
    assert blocks(BASE) is None and blocks(unflow(BASE)) is not None


def test_yaml_1_1_words_read_as_typed_on_the_fast_path():
    text = ("version: 1\nowner: no\naccounts:\n  mail:\n    critical: yes\n    provider: on\n    user: 012\n"
            "    notes: |\n      two\n      lines\npurchases:\n  p: {account: mail, price: 1_000.5}\n")
    fast = read_fast(text, "inv.yaml")
    assert fast is not None and fast.owner == "no"
    assert (fast["mail"].critical, fast["mail"].provider, fast["mail"].user, fast["mail"].notes) == \
        (True, "on", "012", "two\nlines\n")
    assert fast["p"].price == 1000.5
    check_same(text)


def test_a_multi_line_method_keeps_its_place_and_terms():
    text = "version: 1\nphones:\n  m: {}\naccounts:\n  mail:\n    login:\n      - \"password +\n        sms:m\"\n"
    fast = read_fast(text, "inv.yaml")
    assert fast is not None and str(fast["mail"].login[0]) == "password + sms:m"
    assert (fast["mail"].login[0].mark.line, fast["mail"].login[0].mark.col) == (7, 9)
    check_same(text)


def test_shared_method_texts_are_separate_methods_with_their_own_places():
    text = "version: 1\naccounts:\n  mail: {}\n  a: {login: email:mail}\n  b: {login: email:mail}\n"
    fast = read_fast(text, "inv.yaml")
    assert fast["a"].login[0].terms == fast["b"].login[0].terms
    assert fast["a"].login[0].mark.line == 4 and fast["b"].login[0].mark.line == 5
    check_same(text)


def test_a_large_generated_inventory_reads_the_same():
    check_same(generate_inventory(1000, 5, random.Random(3).randrange(100)))


def test_build_puts_every_field_where_the_model_names_it():
    """`_build` passes the Thing's fields by position (it runs once per
    thing of every file): each field read lands in the attribute of its name."""
    from identity_map.format.load import _build
    from identity_map.format.model import Mark

    fields = {field for section in FIELDS.values() for field in section} | set(COMMON_FIELDS)
    fields -= {"login", "critical"}  # computed from others / a flag
    written = {field: f"value of {field}" for field in fields}
    thing = _build("place", "p", written, Mark(7, 3))
    for field, value in written.items():
        assert getattr(thing, "subkind" if field == "kind" else field) == value, field
    assert (thing.id, thing.kind, thing.mark, thing.login) == ("p", "place", Mark(7, 3), ())


def test_every_implicit_tag_starts_with_a_known_character():
    """`fastload` resolves a plain scalar to a string at once when no
    implicit resolver is keyed by its first character: exact only while
    PyYAML keys none by None (which would apply to every character)."""
    from identity_map.format.load import _RESOLVER

    assert None not in _RESOLVER.yaml_implicit_resolvers
    assert {"y", "n", "~", "0", "-"} <= fastload._RESOLVED_FIRST


def test_the_block_walk_refuses_every_character_yaml_refuses_or_counts_otherwise():
    """Beyond ASCII the block walk reads a text only if str.isprintable
    holds for it (newlines aside): no character YAML refuses, no line break
    but the newline, no tab or byte order mark passes that test."""
    yaml_printable = lambda o: o in (0x85, 0xA0) or 0x20 <= o <= 0x7E or 0xA0 <= o <= 0xD7FF or \
        0xE000 <= o <= 0xFFFD or 0x10000 <= o <= 0x10FFFF
    passes = [o for o in range(0x110000) if chr(o).isprintable()]
    assert all(yaml_printable(o) for o in passes)
    assert not any(chr(o).isprintable() for o in (0x09, 0x0D, 0x85, 0x2028, 0x2029, 0xFEFF))
    for odd in "\t\r\x85\u2028\u2029\ufeff\x7f\x00":
        assert blocks(f"version: 1\nowner: a{odd}b\n") is None
        assert blocks(f"version: 1\nowner: \u00e9{odd}b\n") is None
    assert blocks("version: 1\nowner: M\u00fcller \U0001f600\n").owner == "M\u00fcller \U0001f600"


def test_a_value_the_rules_refuse_goes_to_the_plain_loader_at_once(monkeypatch):
    """The walks share the rules and show them the same values: when the
    block walk's rules refuse one, the event walk is not tried (it would
    refuse it too); when the block walk meets a shape it does not read, it is."""
    tried = []
    events = fastload._Events
    monkeypatch.setattr(fastload, "_Events", lambda text: tried.append(text) or events(text))
    mistaken = unflow(REPORTED["unknown id"])
    assert read_fast(mistaken, "inv.yaml") is None and tried == []
    check_same(mistaken)
    assert read_fast(BASE, "inv.yaml") is not None and tried == [BASE]
