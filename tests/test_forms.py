"""Form editing: valid choices only, comments and order kept, every change validated."""

from pathlib import Path

import pytest

from identity_map.app import forms
from identity_map.format.load import load_text
from identity_map.format.model import FIELDS, SECTIONS
from identity_map.importers.yamldoc import guess_layout, load

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml")) + [ROOT / "inventories" / "template.yaml"]
MALIK = (ROOT / "examples" / "malik.yaml").read_text()


def doc_of(text):
    return load(text, guess_layout(text))


def comments(text):
    return [line.strip() for line in text.splitlines() if line.strip().startswith("#")]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_applying_a_things_own_values_changes_nothing(path):
    text = path.read_text()
    doc = doc_of(text)
    # Every section, a dozen things at most per file (each apply is one ruamel load and two dumps).
    for section in SECTIONS:
        for tid in list(doc.get(section) or {})[:2]:
            change = forms.apply_thing(text, section, tid, forms.values(doc, section, tid), check=False)
            assert change.text == text, (section, tid)


def test_every_field_of_the_format_has_a_form_field():
    for section in SECTIONS:
        names = [f.name for f in forms.fields(section)]
        assert set(FIELDS[section]) <= set(names) and names[0] == "name"


def test_every_offered_term_is_valid_in_a_login():
    cat = forms.catalog(doc_of(MALIK))
    options = forms.term_options(cat, own="newbie")
    assert {o.partition(":")[0] for o in options if ":" in o} >= {"password", "email", "sms", "totp", "passkey", "codes"}
    # One method per term, in one validation: any invalid term is an error naming it.
    change = forms.apply_thing(MALIK, "accounts", "newbie", {"login": [[term] for term in options]}, new=True)
    assert change.ok, [p.message for p in change.problems]
    assert len(load_text(change.text)["newbie"].login) == len(options)


def test_a_thing_never_offers_itself():
    cat = forms.catalog(doc_of(MALIK))
    assert not [t for t in forms.term_options(cat, own="outlook") if t.endswith(":outlook")]
    assert "iphone" not in forms.choices(forms.FieldSpec("device", forms.ONE_ID, ""), "phones", cat, own="iphone")


def test_editing_a_field_keeps_every_comment_and_the_order():
    doc = doc_of(MALIK)
    form = forms.values(doc, "accounts", "github")
    form["recovery"] = form.get("recovery", []) + [["email:outlook"]]
    form["notes"] = "Work: yes"
    change = forms.apply_thing(MALIK, "accounts", "github", form)
    assert change.ok, change.problems
    assert comments(change.text) == comments(MALIK)
    inv = load_text(change.text)
    assert [str(m) for m in inv["github"].recovery][-1] == "email:outlook"
    assert inv["github"].notes == "Work: yes"  # quoted: `Work: yes` would not read back as text
    assert list(inv.things) == list(load_text(MALIK).things)


def test_adding_a_thing_of_every_section():
    text = forms.new_inventory("Anna")
    steps = [("devices", "phone", {"name": "Pixel", "kind": "phone", "critical": True}),
             ("places", "safe", {"name": "Home safe"}),
             ("phones", "mobile", {"number": "+49 170 1", "device": "phone"}),
             ("accounts", "mail", {"name": "Mail", "kind": "email", "login": [["password", "sms:mobile"], ["key:phone"]],
                                   "recovery": [["codes:safe"]]}),
             ("data", "photos", {"copies": ["mail", "phone"], "critical": True}),
             ("purchases", "film", {"account": "mail", "price": 9.5, "currency": "EUR"})]
    for section, tid, form in steps:
        change = forms.apply_thing(text, section, tid, form, new=True)
        assert change.ok, (section, [p.message for p in change.problems])
        text = change.text
    inv = load_text(text)
    assert inv.owner == "Anna" and inv["film"].price == 9.5 and inv["photos"].copies == ("mail", "phone")
    assert [str(m) for m in inv["mail"].login] == ["password + sms:mobile", "key:phone"]
    assert text.startswith("# My identity map")


def test_an_empty_value_removes_the_field_and_keeps_the_next_sections_comment():
    text = "version: 1\naccounts:\n  mail:\n    name: Mail\n    notes: old\n# the data\ndata:\n  d: {copies: [mail]}\n"
    change = forms.apply_thing(text, "accounts", "mail", {"notes": ""})
    assert change.ok
    assert change.text == "version: 1\naccounts:\n  mail:\n    name: Mail\n# the data\ndata:\n  d: {copies: [mail]}\n"


def test_removing_a_thing_others_need_is_refused_with_the_reason():
    assert forms.users_of(doc_of(MALIK), "outlook")
    change = forms.remove_thing(MALIK, "accounts", "outlook")
    assert not change.ok and any("outlook" in p.message for p in change.problems)
    unused = forms.remove_thing(MALIK, "purchases", "xbox-library")
    assert unused.ok and "xbox-library" not in load_text(unused.text).things
    assert comments(unused.text) == [c for c in comments(MALIK) if c in comments(unused.text)]


@pytest.mark.parametrize("tid, words", [("Bad Id", "not a valid id"), ("outlook", "already used"), ("memory", "already used")])
def test_bad_new_ids_are_refused(tid, words):
    change = forms.apply_thing(MALIK, "accounts", tid, {}, new=True)
    assert not change.ok and words in change.problems[0].message and change.text == MALIK


def test_unreadable_yaml_is_refused_with_its_place():
    text = "version: 1\naccounts:\n  mail: {name: [\n"
    change = forms.apply_thing(text, "accounts", "mail", {"name": "x"})
    assert not change.ok and change.text == text
    assert "fix it in the text editor" in change.problems[0].message and change.problems[0].line >= 3


def test_a_thing_removed_meanwhile_is_reported():
    change = forms.apply_thing(MALIK, "accounts", "nope", {"name": "x"})
    assert not change.ok and "no 'nope'" in change.problems[0].message


def test_suggested_ids_are_valid_and_free():
    cat = forms.catalog(doc_of(MALIK))
    for name in ["Gmail", "  ", "Über Konto!", "---", "x" * 200]:
        tid = forms.suggest_id(name, cat)
        assert tid not in cat.kinds
        assert forms.apply_thing(MALIK, "accounts", tid, {}, new=True).ok, tid


def test_labels_name_the_thing():
    cat = forms.catalog(doc_of(MALIK))
    assert forms.term_label(cat, "email:outlook").startswith("email:outlook - a code or link sent to that mailbox")
    assert cat.label("iphone") == "iPhone 13 (iphone)"


def test_odd_shapes_give_problems_not_tracebacks():
    for text in ["- a\n- b\n", "version: 1\naccounts: [a, b]\n", "version: 1\naccounts:\n  a: [x]\n", "42\n"]:
        doc = doc_of(text)
        assert forms.values(doc, "accounts", "a") == {}
        assert forms.users_of(doc, "a") == []
        assert isinstance(forms.catalog(doc).kinds, dict)
        for change in (forms.apply_thing(text, "accounts", "b", {"name": "B"}, new=True),
                       forms.apply_thing(text, "accounts", "a", {"name": "A"})):
            assert not change.ok, "an edit of a broken text is never offered for writing"
