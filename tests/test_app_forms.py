"""The form editor and the guided start, driven headless with AppTest.

Every form writes through the validated, atomic save with .bak; terms come
only from drop-downs of valid terms; comments in the file stay.
"""

from __future__ import annotations

import pytest

from app_support import EXAMPLES
from identity_map.app import forms, guide
from identity_map.format.load import load_text
from identity_map.format.model import SECTIONS
from test_app import caption, copy_example, editor, folder, goto, rerun, shown, start  # noqa: F401

def key(at, prefix: str, name: str, slot=None) -> str:
    """A form widget's key: prefix is SECTION.THING (SECTION. for a new one) or the guided form's."""
    if "." not in prefix and not prefix.startswith("g-"):
        prefix += "."
    return f"form-{at.session_state['form_round'] if 'form_round' in at.session_state else 0}-{prefix}-{name}" + (
        "" if slot is None else f"-{slot}")


def choose(widget, value: str):
    """Select by value in a select box whose options are shown as 'Name (id)'."""
    labels = widget.options
    return widget.select_index(next(i for i, label in enumerate(labels) if label == value or label.endswith(f"({value})")))


def pick(at, section: str, thing: str = "") -> None:
    at.selectbox(key="form_thing").select_index(0)  # "add a new one", which every section has
    at.selectbox(key="form_section").set_value(section)
    rerun(at)
    if thing:
        choose(at.selectbox(key="form_thing"), thing)
        rerun(at)


def comments(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip().startswith("#")]


@pytest.fixture
def malik(folder, monkeypatch):
    """A copy of the Malik example open on the Edit page: (path, its text, the app)."""
    path = copy_example("malik.yaml", folder)
    return path, path.read_text(), goto(start(monkeypatch, path), "Edit")


def test_add_an_account_by_form_saves_with_a_backup_and_keeps_comments(malik, folder):
    path, original, at = malik
    pick(at, "accounts")
    at.text_input(key=key(at, "accounts", "name")).set_value("Backup mail")
    login = at.multiselect(key=key(at, "accounts", "login", 0))
    cat = forms.catalog_of(original)
    assert login.options == [forms.term_label(cat, t) for t in forms.term_options(cat)], "only valid terms"
    login.set_value(["password", "sms:mobile"])
    at.multiselect(key=key(at, "accounts", "recovery", 0)).set_value(["email:outlook"])
    at.checkbox(key=key(at, "accounts", "critical")).check()
    at.button(key="submit-accounts").click()
    rerun(at)
    saved = path.read_text()
    assert (folder / "malik.yaml.bak").read_text() == original
    assert comments(saved) == comments(original)
    thing = load_text(saved)["backup-mail"]
    assert [str(m) for m in thing.login] == ["password + sms:mobile"] and thing.critical
    assert at.text_area(key="editor").value == saved, "the YAML view is in step"
    assert at.radio(key="page").value == "Edit"
    assert at.selectbox(key="form_thing").value == "backup-mail", "the new thing is open in the form"
    assert any("Saved" in s for s in shown(at, "success"))


def test_edit_a_field_changes_only_that_line(malik, folder):
    path, original, at = malik
    pick(at, "accounts", "github")
    at.text_input(key=key(at, "accounts.github", "notes")).set_value("Work account")
    at.button(key="submit-accounts").click()
    rerun(at)
    saved = path.read_text()
    added = [line for line in saved.splitlines() if line not in original.splitlines()]
    assert added == ["    notes: Work account"]
    assert len(saved.splitlines()) == len(original.splitlines()) + 1


def test_every_section_has_a_working_add_form(folder, monkeypatch):
    path = folder / "mine.yaml"
    path.write_text("# mine\nversion: 1\n")
    at = goto(start(monkeypatch, path), "Edit")
    values = {"devices": {"name": "Pixel"}, "places": {"name": "Safe"}, "phones": {"name": "Mobile"},
              "accounts": {"name": "Mail"}, "data": {"name": "Photos"}, "purchases": {"name": "Film"},
              "people": {"name": "Anna"}}
    for section in SECTIONS:
        pick(at, section)
        at.text_input(key=key(at, section, "name")).set_value(values[section]["name"])
        if section == "data":
            at.multiselect(key=key(at, section, "copies")).set_value(["pixel"])
        if section == "purchases":
            choose(at.selectbox(key=key(at, section, "account")), "mail")
            at.number_input(key=key(at, section, "price")).set_value(12.5)
        if section == "phones":
            choose(at.selectbox(key=key(at, section, "device")), "pixel")
        at.button(key=f"submit-{section}").click()
        rerun(at)
        assert not shown(at, "error"), (section, shown(at, "error"))
    inv = load_text(path.read_text())
    assert {t.kind for t in inv} >= set(SECTIONS.values())
    assert inv["film"].price == 12.5 and inv["mobile"].device == "pixel"
    assert path.read_text().startswith("# mine\n")


def test_a_required_field_left_empty_is_refused_beside_the_form(malik, folder):
    path, original, at = malik
    pick(at, "purchases")
    at.text_input(key=key(at, "purchases", "name")).set_value("No account")
    at.button(key="submit-purchases").click()
    rerun(at)
    assert any("Not changed" in e and "account" in e for e in shown(at, "error"))
    assert path.read_text() == original and not (folder / "malik.yaml.bak").exists()


def test_bad_or_taken_ids_are_refused(malik, folder):
    path, original, at = malik
    for bad in ("Not An Id", "outlook"):
        pick(at, "accounts")
        at.text_input(key=key(at, "accounts", "id")).set_value(bad)
        at.button(key="submit-accounts").click()
        rerun(at)
        assert any("Not changed" in e for e in shown(at, "error")), bad
    assert path.read_text() == original


def test_removing_a_thing_others_need_is_refused_and_an_unused_one_goes(malik, folder):
    path, original, at = malik
    pick(at, "accounts", "outlook")
    at.button(key="form_remove").click()
    rerun(at)
    assert any("Not changed" in e and "outlook" in e for e in shown(at, "error"))
    assert path.read_text() == original
    pick(at, "purchases", "xbox-library")
    at.button(key="form_remove").click()
    rerun(at)
    assert "xbox-library" not in load_text(path.read_text()).things
    assert (folder / "malik.yaml.bak").read_text() == original
    assert at.selectbox(key="form_thing").value == ""


def test_a_bundled_example_is_changed_in_the_editor_only(folder):
    at = goto(start(), "Edit")
    original = (EXAMPLES / "malik.yaml").read_text()
    pick(at, "accounts", "github")
    at.text_input(key=key(at, "accounts.github", "notes")).set_value("mine")
    at.button(key="submit-accounts").click()
    rerun(at)
    assert (EXAMPLES / "malik.yaml").read_text() == original
    assert "notes: mine" in at.text_area(key="editor").value
    assert any("Save as" in i for i in shown(at, "info"))


def test_unreadable_yaml_keeps_you_on_edit_and_the_forms_wait(malik):
    _, _, at = malik
    at.text_area(key="editor").set_value("version: 1\naccounts: {mail: [\n")
    rerun(at)
    assert at.radio(key="page").value == "Edit"
    assert any("cannot be read as YAML" in i for i in shown(at, "info"))
    assert at.error


def test_the_template_is_never_saved_over(folder, monkeypatch):
    template = EXAMPLES.parent / "inventories" / "template.yaml"
    original = template.read_text()
    at = start(monkeypatch, template)
    assert at.button(key="save").disabled
    monkeypatch.setenv("IDENTITY_MAP_INVENTORIES", str(template.parent))
    at = start(monkeypatch, template)
    at.text_input(key="save_as_name").set_value("template")
    at.button(key="save_as").click()
    rerun(at)
    assert any("bundled" in e for e in shown(at, "error"))
    assert template.read_text() == original


# -- The guided start ------------------------------------------------------------------


def add(at, step: str, index: int, values: dict) -> None:
    prefix = f"g-{step}-{index}"
    for name, value in values.items():
        spec = next(s for s in guide.BY_KEY[step].forms[index].specs() if s.name == name)
        widget_key = key(at, prefix, name, 0 if spec.widget == forms.METHODS else None)
        if spec.widget in (forms.METHODS, forms.METHOD, forms.IDS):
            at.multiselect(key=widget_key).set_value(value)
        elif spec.widget in (forms.CHOICE, forms.ONE_ID):
            choose(at.selectbox(key=widget_key), value)
        elif spec.widget == forms.FLAG:
            at.checkbox(key=widget_key).set_value(value)
        elif spec.widget == forms.NUMBER:
            at.number_input(key=widget_key).set_value(value)
        else:
            at.text_input(key=widget_key).set_value(value)
    at.button(key=f"submit-{prefix}").click()
    rerun(at)
    assert not shown(at, "error"), shown(at, "error")


def next_step(at) -> None:
    at.button(key="guide_next").click()
    rerun(at)


def test_guided_start_writes_a_valid_map_at_every_step(folder, monkeypatch):
    at = start(monkeypatch, folder / "nothing-yet.yaml")
    assert at.radio(key="page").value == "Start my map", "an empty file opens on the guided start"
    at.text_input(key="guide_owner").set_value("Anna")
    at.text_input(key="guide_file").set_value("anna")
    at.button(key="guide_start").click()
    rerun(at)
    path = folder / "anna.yaml"
    assert load_text(path.read_text()).owner == "Anna" and caption(at).endswith("anna.yaml")

    def valid():
        return load_text(path.read_text())

    add(at, "mail", 0, {"name": "Gmail", "provider": "Google", "login": ["password"], "critical": True})
    next_step(at)
    add(at, "phones", 0, {"name": "Pixel 8", "site": "carried"})
    add(at, "phones", 1, {"name": "My number", "number": "+49 170 1", "device": "pixel-8"})
    assert valid()["my-number"].device == "pixel-8"
    next_step(at)
    add(at, "apps", 0, {"name": "Bitwarden", "login": ["password", "sms:my-number"]})
    next_step(at)
    add(at, "accounts", 0, {"name": "Bank", "kind": "bank", "login": ["password:bitwarden", "sms:my-number"],
                            "recovery": ["email:gmail"]})
    next_step(at)
    add(at, "devices", 0, {"name": "Laptop", "site": "home"})
    add(at, "devices", 1, {"name": "Safe", "site": "home"})
    next_step(at)
    add(at, "data", 0, {"name": "Photos", "copies": ["gmail", "laptop"], "critical": True})
    next_step(at)
    add(at, "purchases", 0, {"name": "Films", "account": "gmail", "price": 50.0})
    next_step(at)
    inv = valid()
    assert [t.id for t in inv.of_kind("account")] == ["gmail", "bitwarden", "bank"]
    assert inv["gmail"].subkind == "email" and inv["bitwarden"].subkind == "password-manager"
    assert inv["laptop"].site == "home" and inv["photos"].copies == ("gmail", "laptop")
    assert (folder / "anna.yaml.bak").exists()
    assert any("ready" in s for s in shown(at, "subheader"))


def test_guided_start_never_replaces_a_file(folder, monkeypatch):
    (folder / "me.yaml").write_text("version: 1\n")
    at = goto(start(monkeypatch, folder / "other.yaml"), "Start my map")
    at.text_input(key="guide_file").set_value("me.yaml")
    at.button(key="guide_start").click()
    rerun(at)
    assert any("exists already" in e for e in shown(at, "error"))
    assert (folder / "me.yaml").read_text() == "version: 1\n"


def test_guided_step_without_a_name_says_so(folder, monkeypatch):
    path = folder / "x.yaml"
    path.write_text("version: 1\n")
    at = goto(start(monkeypatch, path), "Start my map")
    at.button(key="guide_continue").click()
    rerun(at)
    at.button(key="submit-g-mail-0").click()
    rerun(at)
    assert any("Give it a name" in e for e in shown(at, "error"))
    assert path.read_text() == "version: 1\n"


@pytest.mark.parametrize("step", guide.STEPS, ids=lambda s: s.key)
def test_every_step_form_asks_only_fields_the_format_has(step):
    for form in step.forms:
        names = {f.name for f in forms.fields(form.section)}
        assert {s.name for s in form.specs()} <= names and form.specs()[0].name == "name"
