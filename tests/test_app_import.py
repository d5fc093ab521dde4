"""The app's Import tab, driven headless with AppTest: upload an export,
preview the draft, save it or open it; bad exports give a message and
write nothing; no planted secret ever reaches the page or the session."""

from __future__ import annotations

import pytest
from streamlit.runtime.uploaded_file_manager import UploadedFile

from app_support import EXAMPLES
from identity_map.importers import FORMATS, run_import
from identity_map.analysis.validate import validate_text
from importers.conftest import ENCRYPTED, FIXTURES, SECRET_MARKERS, VARIANTS, export_bytes, export_name, find_secret, fixture_bytes
from test_app import assert_text_only, caption, copy_example, folder, rerun, shown, start  # noqa: F401


def uploader(at):
    """The Import tab's uploader (its key changes after every upload)."""
    [widget] = [u for u in at.file_uploader if u.key.startswith("import_upload_")]
    return widget


def upload(at, name: str, data: bytes, fmt: str = "auto", merge: bool = False):
    at.selectbox(key="import_format").set_value(fmt)
    at.toggle(key="import_merge").set_value(merge)
    uploader(at).set_value((name, data, "application/octet-stream"))
    return rerun(at)


def previews(at) -> list[str]:
    """The drafts shown (st.code drops the last newline)."""
    return [c.value for c in at.code if c.value.startswith("# yaml-language-server")]


def _walk(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def everything_shown(at) -> list[str]:
    """Every element of the page (its whole protobuf: text, tables, widget
    labels, values, options, help, the graph page) and every session value."""
    texts = [str(node.proto) for node in _walk(at._tree) if getattr(node, "proto", None) is not None]
    return texts + [repr(value) for value in at.session_state.values()]


def assert_no_secret_anywhere(at) -> None:
    for text in everything_shown(at):
        marker = find_secret(text)
        assert marker is None, f"planted secret {marker!r} reached the page or the session"
    for key in at.session_state.keys():
        value = at.session_state[key]
        held = value if isinstance(value, list) else [value]
        assert not any(isinstance(v, (bytes, bytearray, UploadedFile)) for v in held), f"{key} keeps the upload"


def test_the_secret_check_sees_what_the_page_shows(folder):
    # The check is only worth something if a secret on the page would be found.
    at = start()
    at.text_area(key="editor").set_value(at.text_area(key="editor").value + "\n# SECRET-IN-THE-EDITOR\n")
    rerun(at)
    with pytest.raises(AssertionError, match="planted secret"):
        assert_no_secret_anywhere(at)
    assert SECRET_MARKERS[0] == "SECRET"


def test_upload_preview_save(folder):
    at = start()
    data = (FIXTURES / "bitwarden.json").read_bytes()
    upload(at, "bitwarden.json", data)
    expected = run_import("auto", data, "bitwarden.json")
    assert previews(at) == [expected.text.rstrip("\n")]
    notes = " ".join(shown(at, "markdown"))
    assert all(note in notes for note in expected.notes)
    assert any("Delete the plaintext export bitwarden.json" in w for w in shown(at, "warning"))
    assert uploader(at).key == "import_upload_1", "a fresh, empty uploader"
    assert list(folder.iterdir()) == [], "nothing is written before Save"
    assert_no_secret_anywhere(at)

    assert at.text_input(key="import_name").value == "bitwarden.yaml"
    at.button(key="import_save").click()
    rerun(at)
    saved = folder / "bitwarden.yaml"
    assert saved.read_text() == expected.text
    assert validate_text(saved.read_text(), str(saved)).ok
    assert sorted(p.name for p in folder.iterdir()) == ["bitwarden.yaml"], "no temporary file, no export"
    assert caption(at).endswith("bitwarden.yaml"), "the saved draft is open"
    assert at.text_area(key="editor").value == expected.text
    assert any("Saved" in s for s in shown(at, "success"))
    assert previews(at) == [], "the preview is done"
    assert_no_secret_anywhere(at)


def test_saving_over_a_file_keeps_it_as_bak(folder):
    (folder / "bitwarden.yaml").write_text("version: 1\n")
    at = start()
    upload(at, "bitwarden.json", (FIXTURES / "bitwarden.json").read_bytes())
    at.button(key="import_save").click()
    rerun(at)
    assert (folder / "bitwarden.yaml.bak").read_text() == "version: 1\n"
    assert (folder / "bitwarden.yaml").read_text().startswith("# yaml-language-server")


def test_a_draft_can_go_to_the_editor_unsaved(folder):
    at = start()
    upload(at, "aegis.json", (FIXTURES / "aegis.json").read_bytes())
    at.button(key="import_open").click()
    rerun(at)
    assert "draft from aegis.json" in caption(at) and "unsaved edits" in caption(at)
    assert at.text_area(key="editor").value == run_import("auto", (FIXTURES / "aegis.json").read_bytes(),
                                                          "aegis.json").text
    assert list(folder.iterdir()) == []
    assert_no_secret_anywhere(at)


def test_merge_into_the_open_inventory(folder, monkeypatch):
    path = copy_example("malik.yaml", folder)
    original = path.read_text()
    at = start(monkeypatch, path)
    data = (FIXTURES / "bitwarden.csv").read_bytes()
    upload(at, "bitwarden.csv", data, fmt="bitwarden-csv", merge=True)
    merged = run_import("bitwarden-csv", data, "bitwarden.csv", original).text
    assert previews(at) == [merged.rstrip("\n")]
    at.button(key="import_open").click()
    rerun(at)
    assert at.text_area(key="editor").value == merged
    assert "unsaved edits" in caption(at) and path.read_text() == original, "not saved until Save"
    at.button(key="save").click()
    rerun(at)
    assert path.read_text() == merged and (folder / "malik.yaml.bak").read_text() == original
    assert_no_secret_anywhere(at)


@pytest.mark.parametrize("fmt, name", [("auto", "bitwarden-encrypted.json"), ("keepass-xml", "bitwarden.json"),
                                       ("auto", "empty.csv")])
def test_a_bad_upload_says_why_and_writes_nothing(folder, fmt, name):
    data = b"" if name == "empty.csv" else (FIXTURES / name).read_bytes()
    at = start()
    upload(at, name, data, fmt=fmt)
    [error] = [e for e in shown(at, "error") if "Nothing was written" in e]
    assert error.startswith(name + ": ")
    assert previews(at) == []
    assert list(folder.iterdir()) == []
    assert_no_secret_anywhere(at)


def test_no_planted_secret_from_any_export_reaches_the_page(folder):
    at = start()
    exports = [(export_name(fmt), export_bytes(fmt)) for fmt in FORMATS]
    exports += [(name, fixture_bytes(name)) for _, name in (*VARIANTS, *ENCRYPTED)]
    for name, data in exports:
        upload(at, name, data)
        drafts = previews(at)
        failed = [e for e in shown(at, "error") if "Nothing was written" in e]
        assert len(drafts) + len(failed) == 1, name
        assert_no_secret_anywhere(at)
    assert list(folder.iterdir()) == []


def test_a_hostile_export_name_stays_text(folder):
    at = start()
    upload(at, "<img src=x onerror=alert(1)>[x](javascript:y).json", (FIXTURES / "bitwarden.json").read_bytes())
    assert_text_only(at)
    upload(at, "<img src=x onerror=alert(1)>.json", (FIXTURES / "bitwarden-encrypted.json").read_bytes())
    assert_text_only(at)


def test_import_works_while_the_editor_text_is_invalid(folder, monkeypatch):
    at = start(monkeypatch, folder / "new.yaml")
    assert at.error, "an empty text is not an inventory"
    upload(at, "chrome.csv", (FIXTURES / "chrome.csv").read_bytes())
    at.text_input(key="import_name").set_value("new")
    at.button(key="import_save").click()
    rerun(at)
    assert validate_text((folder / "new.yaml").read_text(), "new.yaml").ok
    assert at.get("iframe"), "the saved draft is explored"


def test_discard_drops_the_draft(folder):
    at = start()
    upload(at, "firefox.csv", (FIXTURES / "firefox.csv").read_bytes())
    at.button(key="import_discard").click()
    rerun(at)
    assert at.session_state["import_draft"] is None
    assert previews(at) == []
    assert list(folder.iterdir()) == [] and caption(at).startswith("examples/malik")
    assert EXAMPLES.exists()


def test_the_upload_is_dropped_from_streamlit_memory_once_read(folder, monkeypatch):
    from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager

    removed = []
    real = MemoryUploadedFileManager.remove_file

    def remove_file(self, session_id, file_id):
        removed.append(file_id)
        real(self, session_id, file_id)
        assert not self.get_files(session_id, [file_id]), "still held"

    monkeypatch.setattr(MemoryUploadedFileManager, "remove_file", remove_file)
    at = start()
    upload(at, "chrome.csv", (FIXTURES / "chrome.csv").read_bytes())
    assert len(removed) == 1
    upload(at, "bitwarden-encrypted.json", (FIXTURES / "bitwarden-encrypted.json").read_bytes())
    assert len(removed) == 2, "a failed import drops it too"


def test_a_merge_is_dropped_when_another_file_opens(folder):
    at = start()
    upload(at, "chrome.csv", (FIXTURES / "chrome.csv").read_bytes(), merge=True)
    assert previews(at)
    household = next(o for o in at.selectbox(key="open").options if o.endswith("household.yaml"))
    at.selectbox(key="open").set_value(household)
    rerun(at)
    assert previews(at) == [], "the merge was made from the file switched away from"
