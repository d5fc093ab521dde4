"""The loader's fast path (`fastload.read_fast`, Things straight from the
parser's events) against the plain composer and reader (`load.load_plain`):
whatever the input, `load_text` gives what the plain loader gives, the same
Inventory (every thing, method and mark, in the file's order) or the same
located messages; the fast path reads every valid inventory the project
writes and gives up on every input with something to report."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from identity_map.format.fastload import read_fast
from identity_map.format.generate import dump_spec, generate_inventory, random_spec
from identity_map.format.load import InventoryError, load_plain, load_text

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


def check_same(text: str) -> None:
    """The fast path returns an Inventory only when the plain loader reads
    an equal one, and load_text always answers as the plain loader does."""
    plain = outcome(load_plain, text)
    fast = read_fast(text, "inv.yaml")
    if fast is not None:
        assert plain == ("ok", list(fast.things.items()), fast.owner, fast.source)
    assert outcome(load_text, text) == plain


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_every_example_takes_the_fast_path_and_reads_the_same(path):
    text = path.read_text(encoding="utf-8")
    assert read_fast(text, "inv.yaml") is not None
    check_same(text)


@pytest.mark.parametrize("accounts,hubs,seed", [(50, 1, 0), (300, 5, 0), (400, 3, 7)])
def test_generated_inventories_take_the_fast_path_and_read_the_same(accounts, hubs, seed):
    text = generate_inventory(accounts, hubs, seed)
    assert read_fast(text, "inv.yaml") is not None
    check_same(text)


@SETTINGS
@given(st.randoms(use_true_random=False))
def test_random_inventories_take_the_fast_path_and_read_the_same(rng):
    text = dump_spec(random_spec(rng))
    assert read_fast(text, "inv.yaml") is not None
    check_same(text)


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
    check_same(text)


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
    from identity_map.format.model import COMMON_FIELDS, FIELDS, Mark

    fields = {field for section in FIELDS.values() for field in section} | set(COMMON_FIELDS)
    fields -= {"login", "critical"}  # computed from others / a flag
    written = {field: f"value of {field}" for field in fields}
    thing = _build("place", "p", written, Mark(7, 3))
    for field, value in written.items():
        assert getattr(thing, "subkind" if field == "kind" else field) == value, field
    assert (thing.id, thing.kind, thing.mark, thing.login) == ("p", "place", Mark(7, 3), ())
