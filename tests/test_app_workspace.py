"""identity_map.workspace: opening, saving, outside edits, drafts."""

from __future__ import annotations

from pathlib import Path

import pytest

from app_support import EXAMPLES
from identity_map.app import workspace
from identity_map.app.workspace import Document, Workspace, open_path, open_upload, save_as_target

VALID = "version: 1\naccounts:\n  mail: {}\n"
VALID_2 = "version: 1\naccounts:\n  mail: {}\n  shop: {login: [email:mail]}\n"
INVALID = "version: 1\naccounts:\n  shop: {login: [email:nobody]}\n"
SCRIPT = Path("/repo/app.py")
DEFAULT = Path("/repo/examples/malik.yaml")


@pytest.fixture
def opened(tmp_path):
    path = tmp_path / "me.yaml"
    path.write_text(VALID)
    return path, Workspace(open_path(path).doc)


# -- Which file --------------------------------------------------------------------


def test_initial_path_prefers_the_argument_then_the_environment():
    env = {workspace.ENV_INVENTORY: "/env.yaml"}
    assert workspace.initial_path([str(SCRIPT), "/arg.yaml"], env, SCRIPT, DEFAULT) == Path("/arg.yaml")
    assert workspace.initial_path([str(SCRIPT)], env, SCRIPT, DEFAULT) == Path("/env.yaml")
    assert workspace.initial_path([str(SCRIPT)], {}, SCRIPT, DEFAULT) == DEFAULT
    assert workspace.initial_path([], {}, SCRIPT, DEFAULT) == DEFAULT


def test_initial_path_ignores_another_programs_arguments():
    # Under a test runner sys.argv is the runner's: not a file to open.
    assert workspace.initial_path(["/usr/bin/pytest", "-q"], {}, SCRIPT, DEFAULT) == DEFAULT


def test_inventories_folder(tmp_path):
    assert workspace.inventories_folder({}, Path("/repo")) == Path("/repo/inventories")
    assert workspace.inventories_folder({workspace.ENV_FOLDER: str(tmp_path)}, Path("/repo")) == tmp_path


def test_inventory_files_lists_yaml_folder_by_folder(tmp_path):
    own, other = tmp_path / "own", tmp_path / "other"
    own.mkdir(), other.mkdir()
    for name in ("b.yaml", "a.yml", "a.yaml.bak", "notes.txt"):
        (own / name).write_text("x")
    (own / "sub.yaml").mkdir()
    (other / "0.yaml").write_text("x")
    found = workspace.inventory_files([own, other, tmp_path / "missing"])
    assert [p.relative_to(tmp_path).as_posix() for p in found] == ["own/a.yml", "own/b.yaml", "other/0.yaml"]


def test_display_name_is_relative_to_the_working_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert workspace.display_name(tmp_path / "inventories" / "me.yaml") == "inventories/me.yaml"
    assert workspace.display_name(EXAMPLES / "malik.yaml") == str((EXAMPLES / "malik.yaml").resolve())


# -- Opening -----------------------------------------------------------------------


def test_open_path_reads_the_file(opened):
    path, ws = opened
    assert ws.doc.path == path and ws.doc.disk == VALID
    assert not ws.doc.dirty(VALID)


def test_open_missing_file_is_empty_and_can_be_created(tmp_path):
    result = open_path(tmp_path / "new.yaml")
    assert result.text == "" and result.doc.path == tmp_path / "new.yaml" and result.doc.disk is None
    assert result.notice.level == "warning"
    ws = Workspace(result.doc)
    assert ws.save(VALID).level == "success"
    assert (tmp_path / "new.yaml").read_text() == VALID


@pytest.mark.parametrize("data, reason", [(b"\xff\xfe\x00bad", "not UTF-8"), (b"x" * 64, "too big")])
def test_unreadable_file_opens_without_a_path(tmp_path, monkeypatch, data, reason):
    monkeypatch.setattr(workspace, "MAX_BYTES", 32)
    path = tmp_path / "bad.yaml"
    path.write_bytes(data)
    result = open_path(path)
    assert result.notice.level == "error" and reason in result.notice.text
    assert result.doc.path is None, "Save must not overwrite what could not be read"


def test_open_upload_goes_to_the_editor_only():
    result = open_upload("dad.yaml", b"\xef\xbb\xbf" + VALID.encode())
    assert result.text == VALID
    assert result.doc.path is None and result.doc.name == "uploaded dad.yaml"
    assert result.doc.dirty(VALID), "an upload is unsaved"
    with pytest.raises(ValueError, match="not UTF-8"):
        open_upload("x.yaml", b"\xff\xfe")


# -- Saving ------------------------------------------------------------------------


def test_save_writes_and_keeps_the_previous_version(opened):
    path, ws = opened
    notice = ws.save(VALID_2)
    assert notice.level == "success" and ".bak" in notice.text
    assert path.read_text() == VALID_2
    assert workspace.backup_path(path).read_text() == VALID
    assert ws.doc.disk == VALID_2 and not ws.doc.dirty(VALID_2)
    assert sorted(p.name for p in path.parent.iterdir()) == ["me.yaml", "me.yaml.bak"], "no temporary file left"


def test_saving_the_same_text_keeps_the_older_backup(opened):
    path, ws = opened
    ws.save(VALID_2)
    ws.save(VALID_2)
    assert workspace.backup_path(path).read_text() == VALID


def test_save_refuses_an_invalid_text(opened):
    path, ws = opened
    notice = ws.save(INVALID)
    assert notice.level == "error" and "line 3" in notice.text
    assert path.read_text() == VALID
    assert not workspace.backup_path(path).exists()
    assert ws.doc.disk == VALID


def test_save_without_a_path_asks_for_a_name():
    ws = Workspace(open_upload("x.yaml", VALID.encode()).doc)
    assert ws.save(VALID).level == "error"


def test_save_as_moves_the_document(opened, tmp_path):
    _, ws = opened
    target = tmp_path / "copy.yaml"
    assert ws.save(VALID_2, target).level == "success"
    assert target.read_text() == VALID_2 and ws.doc.path == target


def test_save_failure_keeps_the_document(opened, tmp_path):
    _, ws = opened
    before = ws.doc
    notice = ws.save(VALID_2, tmp_path / "no-such-folder" / "x.yaml")
    assert notice.level == "error" and ws.doc == before


@pytest.mark.parametrize("name", ["me", "me.yaml", "Me_2.yml", "a.b-c"])
def test_save_as_target_accepts_plain_names(name, tmp_path):
    target = save_as_target(name, tmp_path)
    assert target.parent == tmp_path and target.suffix in (".yaml", ".yml")


@pytest.mark.parametrize("name", ["", "  ", "../x", "a/b.yaml", ".hidden", "x" * 120, "c:\\x.yaml", "~/x"])
def test_save_as_target_refuses_anything_else(name, tmp_path):
    with pytest.raises(ValueError):
        save_as_target(name, tmp_path)


# -- Outside edits, drafts ---------------------------------------------------------------


def test_sync_without_change_keeps_everything(opened):
    _, ws = opened
    result = ws.sync("edited")
    assert result.text == "edited" and result.notice is None


def test_sync_reloads_a_clean_editor(opened):
    path, ws = opened
    path.write_text(VALID_2)
    result = ws.sync(VALID)
    assert result.text == VALID_2 and result.notice.level == "info"
    assert ws.doc.disk == VALID_2
    assert ws.sync(VALID_2).notice is None, "reported once"


def test_sync_never_overwrites_unsaved_edits(opened):
    path, ws = opened
    path.write_text(VALID_2)
    result = ws.sync("my edits")
    assert result.text == "my edits" and result.notice.level == "warning"
    assert ws.revert().text == VALID_2


def test_sync_notices_a_deleted_file_and_save_writes_it_again(opened):
    path, ws = opened
    path.unlink()
    result = ws.sync(VALID)
    assert result.text == VALID and "deleted" in result.notice.text
    assert ws.save(VALID).level == "success" and path.read_text() == VALID


def test_sync_of_an_upload_does_nothing():
    ws = Workspace(open_upload("x.yaml", VALID.encode()).doc)
    assert ws.sync("abc").text == "abc"


def test_switching_keeps_unsaved_edits_as_drafts(opened, tmp_path):
    path, ws = opened
    other = tmp_path / "other.yaml"
    other.write_text(VALID_2)
    shown = ws.switch("my edits", open_path(other))
    assert shown.text == VALID_2 and ws.doc.path == other
    back = ws.switch(VALID_2, open_path(path))
    assert back.text == "my edits" and "Restored" in back.notice.text
    assert ws.drafts == {}


def test_switching_from_a_clean_document_keeps_no_draft(opened, tmp_path):
    _, ws = opened
    ws.switch(VALID, open_upload("x.yaml", VALID_2.encode()))
    assert ws.drafts == {}


def test_saving_drops_the_draft(opened):
    path, ws = opened
    ws.drafts[Document("x", path).key] = "stale"
    ws.save(VALID_2)
    assert ws.drafts == {}


# -- Saving a file that is not the open one (an import's draft) ------------------------


def test_save_file_writes_a_new_file_privately(tmp_path):
    target = tmp_path / "new.yaml"
    notice = workspace.save_file(VALID, target)
    assert notice.level == "success" and ".bak" not in notice.text
    assert target.read_text() == VALID
    assert target.stat().st_mode & 0o077 == 0, "an inventory is private to its owner"
    assert [p.name for p in tmp_path.iterdir()] == ["new.yaml"]


def test_save_file_keeps_what_it_replaces(tmp_path):
    target = tmp_path / "me.yaml"
    target.write_text(VALID)
    assert ".bak" in workspace.save_file(VALID_2, target).text
    assert target.read_text() == VALID_2 and workspace.backup_path(target).read_text() == VALID


def test_save_file_refuses_an_invalid_text(tmp_path):
    target = tmp_path / "me.yaml"
    target.write_text(VALID)
    notice = workspace.save_file(INVALID, target)
    assert notice.level == "error" and "not touched" in notice.text
    assert target.read_text() == VALID and not workspace.backup_path(target).exists()


# -- Importing an export -------------------------------------------------------------

IMPORTS = Path(__file__).resolve().parent / "fixtures" / "importers"


def test_import_export_makes_a_valid_draft_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    draft = workspace.import_export("auto", (IMPORTS / "bitwarden.json").read_bytes(), "bitwarden.json")
    assert draft.errors == 0 and not draft.merged
    assert "bitwarden:" in draft.text and draft.source == "bitwarden.json"
    assert any("Delete the plaintext export" in n for n in draft.notes)
    assert draft.file_name == "bitwarden.yaml"
    assert list(tmp_path.iterdir()) == []


def test_import_export_merges_into_the_open_text():
    existing = (EXAMPLES / "malik.yaml").read_text()
    draft = workspace.import_export("bitwarden-json", (IMPORTS / "bitwarden.json").read_bytes(), "b.json", existing)
    assert draft.merged and draft.errors == 0
    assert draft.text.startswith(existing.split("\n", 1)[0]), "the open inventory, comments kept"
    assert "microsoft:" in draft.text and "bbc:" in draft.text


def test_import_export_failure_is_an_import_failure():
    from identity_map.importers import ImportFailure

    with pytest.raises(ImportFailure, match="encrypted"):
        workspace.import_export("auto", (IMPORTS / "bitwarden-encrypted.json").read_bytes(), "vault.json")


@pytest.mark.parametrize("source, name", [
    ("bitwarden.json", "bitwarden.yaml"), ("C:\\Users\\me\\Export 2024.csv", "Export-2024.yaml"),
    ("../../etc/passwd", "passwd.yaml"), ("<img src=x>.1pux", "img-src-x.yaml"), ("...", "imported.yaml"),
    ("_x.csv", "x.yaml"), ("y" * 300 + ".csv", "y" * 90 + ".yaml"),
])
def test_draft_file_name_is_a_plain_name_save_as_accepts(source, name, tmp_path):
    draft = workspace.ImportDraft("", (), source, False, 0)
    assert draft.file_name == name
    assert save_as_target(draft.file_name, tmp_path).parent == tmp_path


def test_open_draft_is_an_unsaved_document():
    draft = workspace.ImportDraft(VALID, ("note",), "bitwarden.json", False, 0)
    opened = workspace.open_draft(draft)
    assert opened.text == VALID and opened.doc.path is None and opened.doc.dirty(VALID)
    assert "bitwarden.json" in opened.doc.name and opened.notice.level == "info"
