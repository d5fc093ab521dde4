"""The loader on the heirs constructs: `people:`, `relation`, `person:ID`,
the reserved `self`, `legacy:` methods. Located errors with a suggestion,
and the schema knows every field."""

import pytest

from identity_map.format.load import InventoryError, load_text
from identity_map.format.model import SELF, Term
from identity_map.format.schema import json_schema


def one(text: str) -> str:
    with pytest.raises(InventoryError) as info:
        load_text("version: 1\n" + text, "inv.yaml")
    found = [str(p) for p in info.value.problems]
    assert len(found) == 1, found
    return found[0]


def test_people_legacy_and_self_load():
    inv = load_text("version: 1\npeople:\n  anna: {name: Anna, relation: partner}\n"
                    "accounts:\n  apple: {legacy: [person:anna + codes:safe], recovery: [self]}\n"
                    "places:\n  safe: {}\n")
    assert inv["anna"].kind == "person" and inv["anna"].relation == "partner"
    assert [str(m) for m in inv["apple"].legacy] == ["person:anna + codes:safe"]
    assert inv["apple"].recovery[0].terms == (Term("", SELF),)
    assert SELF in inv.things and inv[SELF].kind == "self"


def test_self_exists_only_when_named():
    assert SELF not in load_text("version: 1\naccounts:\n  a: {}\n").things


@pytest.mark.parametrize("text, expected", [
    ("people:\n  anna: {relaton: partner}\n", "inv.yaml:3:10: unknown field 'relaton' in person 'anna'; "
                                              "did you mean 'relation'?"),
    ("people:\n  anna: {}\naccounts:\n  a: {legacy: [person:ana]}\n",
     "inv.yaml:5:16: 'legacy' of account 'a', term 'person:ana': unknown id 'ana'; did you mean 'anna'?"),
    ("accounts:\n  a: {legacy: [person:a]}\n", "'a' is an account, but this needs a person"),
    ("accounts:\n  a: {legacy: persn:x}\n", "unknown term kind 'persn:'; did you mean 'person'?"),
    ("accounts:\n  self: {}\n", "inv.yaml:3:3: 'self' is reserved"),
    ("people:\n  anna: {relation: [1]}\n", "'relation' of person 'anna' must be text, not a list"),
    ("peeple:\n  anna: {}\n", "unknown section 'peeple'; did you mean 'people'?"),
    ("accounts:\n  a: {login: [slf]}\n", "did you mean 'self'?"),
    ("accounts:\n  a: {legacy: []}\n", "'legacy' of account 'a' is an empty list"),
    ("people:\n  anna: {login: [password]}\n", "unknown field 'login' in person 'anna'"),
    ("devices:\n  d: {legacy: [password]}\n", "unknown field 'legacy' in device 'd'"),
])
def test_located_errors_say_what_would_be_valid(text, expected):
    assert expected in one(text)


def test_yaml_booleans_in_relation_are_read_as_typed():
    assert load_text("version: 1\npeople:\n  anna: {relation: no}\n")["anna"].relation == "no"


def test_schema_knows_people_and_legacy():
    s = json_schema()["properties"]
    assert set(s["people"]["additionalProperties"]["properties"]) == {"name", "notes", "critical", "relation"}
    assert "legacy" in s["accounts"]["additionalProperties"]["properties"]
