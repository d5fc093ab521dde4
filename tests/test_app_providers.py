"""The app's second-factor page and its provider templates, driven headless."""

from __future__ import annotations

from identity_map.analysis.validate import validate_text
from identity_map.format.load import load_text
from identity_map.providers.factors import factor_rows
from identity_map.app import view as appview
from test_app import assert_text_only, copy_example, editor, folder, goto, rerun, shown, start, table  # noqa: F401


def test_second_factors_page_shows_the_library_rows(folder, monkeypatch):
    path = copy_example("malik.yaml", folder)
    at = goto(start(monkeypatch, path), "Second factors")
    shown_table = table(at, "site offers")
    rows = factor_rows(validate_text(path.read_text(), str(path)).graph)
    assert list(shown_table["account"]) == [r["account"] for r in appview.factor_table(rows)]
    assert shown_table["site"].iloc[0] == 'matched Microsoft (microsoft.com), by provider "Microsoft"'
    at.selectbox(key="factors_of").set_value("github")
    rerun(at)
    body = "\n".join(shown(at, "markdown"))
    assert "Security key possible but not registered" in body and "docs.github.com" in body


def test_adding_a_template_fills_the_editor_not_the_file(folder, monkeypatch):
    path = copy_example("malik.yaml", folder)
    before = path.read_text()
    at = goto(start(monkeypatch, path), "Edit")
    at.selectbox(key="template_key").set_value("google")
    at.text_input(key="template_user").input("malik@gmail.com")
    at.button(key="template_add").click()
    rerun(at)
    inventory = load_text(at.text_area(key="editor").value)
    assert inventory["gmail"].part_of == "google" and inventory["gmail"].user == "malik@gmail.com"
    assert path.read_text() == before  # saved only by Save
    assert any("Added google, gmail" in s for s in shown(at, "success"))


def test_a_template_is_refused_while_the_editor_is_invalid(folder, monkeypatch):
    path = copy_example("malik.yaml", folder)
    at = start(monkeypatch, path)
    editor(at).input("version: 1\naccounts:\n  a: {login: [sms:nowhere]}\n")
    rerun(at)
    at.button(key="template_add").click()
    rerun(at)
    assert any("Not added" in s for s in shown(at, "error"))
    assert "part_of" not in at.text_area(key="editor").value
