"""The app's flows, driven headless with streamlit.testing.v1.AppTest.

Each test runs app.py against files in a temporary folder (through the
app's own settings: IDENTITY_MAP_INVENTORY, IDENTITY_MAP_INVENTORIES, or the
argument after `--`), so nothing in the repository is ever written.
"""

from __future__ import annotations

import html
import re
import shutil
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app_support import APP, EXAMPLES, XSS, opened, unescape, unescaped_markup
from identity_map.analysis import scenarios
from identity_map.analysis.selectors import scenario_impact
from identity_map.analysis.engine import LOST, impact, rank
from identity_map.analysis.explain import why
from identity_map.format.generate import generate_inventory
from identity_map.format.load import load_text
from identity_map.output.report import money
from identity_map.analysis.validate import validate_text



@pytest.fixture
def folder(tmp_path, monkeypatch):
    """An empty inventories folder; the app opens its default unless told otherwise."""
    inventories = tmp_path / "inventories"
    inventories.mkdir()
    monkeypatch.setenv("IDENTITY_MAP_INVENTORIES", str(inventories))
    monkeypatch.delenv("IDENTITY_MAP_INVENTORY", raising=False)
    return inventories


def start(monkeypatch=None, inventory: Path | None = None) -> AppTest:
    if inventory is not None:
        monkeypatch.setenv("IDENTITY_MAP_INVENTORY", str(inventory))
    at = AppTest.from_file(str(APP), default_timeout=30).run()
    assert not at.exception, [e.message for e in at.exception]
    return opened(at)


def rerun(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def goto(at: AppTest, page: str) -> AppTest:
    """Open one of the app's pages (only the open page is drawn)."""
    at.radio(key="page").set_value(page)
    return rerun(at)


def editor(at: AppTest):
    """The YAML editor, on the Edit page."""
    if at.radio(key="page").value != "Edit":
        goto(at, "Edit")
    return at.text_area(key="editor")


TAKEOVER_METRICS = ("Taken", "Safe", "Money taken", "Critical taken")
BLAST_RADIUS = ("Lost", "Recoverable", "Degraded", "Money lost", "Critical lost")


def metrics(at: AppTest) -> dict[str, str]:
    """The lockout view's figures (the takeover view and the After I die page have their own)."""
    return {m.label: m.value for m in at.metric if m.label in BLAST_RADIUS}


def expected_metrics(path: Path, lost, after_death: bool = False) -> dict[str, str]:
    """The figures the library gives for the same scenario."""
    checked = validate_text(path.read_text(), str(path))
    s = scenario_impact(checked.graph, list(lost), after_death).summary
    return {"Lost": str(s.counts[LOST]), "Recoverable": str(s.counts["recoverable"]),
            "Degraded": str(s.counts["degraded"]), "Money lost": money(s.money_lost),
            "Critical lost": str(len(s.critical_lost))}


def texts(at: AppTest, kind: str) -> list[str]:
    """The Markdown bodies of one kind of element, as written (escaped)."""
    return [e.value for e in getattr(at, kind)]


def shown(at: AppTest, kind: str) -> list[str]:
    """The same bodies as a reader sees them."""
    return [unescape(body) for body in texts(at, kind)]


def caption(at: AppTest) -> str:
    return shown(at, "caption")[0]


def table(at: AppTest, column: str):
    """The first dataframe with that column."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def copy_example(name: str, folder: Path) -> Path:
    path = folder / name
    shutil.copyfile(EXAMPLES / name, path)
    return path


def button(at: AppTest, key: str):
    return at.button(key=key)


# -- Opening -----------------------------------------------------------------


def test_default_load_opens_malik_on_its_worst_single_point_of_failure(folder):
    at = start()
    assert caption(at).startswith("examples/malik")
    assert at.radio(key="page").value == "Blast radius"
    assert at.multiselect(key="lose").value == ["microsoft"]
    assert metrics(at) == expected_metrics(EXAMPLES / "malik.yaml", ["microsoft"])
    assert metrics(at)["Money lost"] == "EUR 1,400.00"
    [graph] = at.get("iframe")  # one view of the page drawn at a time: Lockout
    wrapper = graph.proto.srcdoc
    # the graph runs in an opaque origin; the wrapper around it has no script of its own
    assert 'sandbox="allow-scripts"' in wrapper and "<script" not in re.sub(r'srcdoc="[^"]*"', "", wrapper)
    page = html.unescape(wrapper)
    assert "vis-network" in page or "vis.Network" in page
    # Offline: no script, style or image is loaded from anywhere (the browser test watches the wire).
    assert not re.search(r"<(script|link|img)\b[^>]*\b(src|href)=[\"']?(https?:)?//", page, re.IGNORECASE)
    assert editor(at).value == (EXAMPLES / "malik.yaml").read_text()


def test_environment_picks_the_file(folder, monkeypatch):
    at = start(monkeypatch, EXAMPLES / "google-father.yaml")
    assert "google-father" in caption(at)
    assert at.multiselect(key="lose").value == ["google"]


def test_argument_after_double_dash_picks_the_file(folder, monkeypatch):
    # `streamlit run app.py -- FILE` makes sys.argv [app.py, FILE]; it wins over the environment.
    monkeypatch.setenv("IDENTITY_MAP_INVENTORY", str(EXAMPLES / "malik.yaml"))
    monkeypatch.setattr(sys, "argv", [str(APP), str(EXAMPLES / "google-father.yaml")])
    at = start()
    assert "google-father" in caption(at)


def test_missing_file_opens_empty_with_a_warning(folder, monkeypatch):
    at = start(monkeypatch, folder / "new.yaml")
    assert any("does not exist yet" in w for w in shown(at, "warning"))
    assert editor(at).value == ""
    assert at.error, "an empty text is not a valid inventory"


def test_sidebar_lists_own_inventories_then_examples(folder):
    (folder / "me.yaml").write_text("version: 1\n")
    at = start()
    options = at.selectbox(key="open").options
    assert options[0].endswith("me.yaml")
    assert any(o.endswith("examples/household.yaml") for o in options)


# -- Exploring ---------------------------------------------------------------


def test_picking_a_loss_changes_the_metrics(folder):
    at = start()
    before = metrics(at)
    at.multiselect(key="lose").set_value(["iphone"])
    rerun(at)
    assert metrics(at) == expected_metrics(EXAMPLES / "malik.yaml", ["iphone"])
    assert metrics(at) != before


@pytest.mark.parametrize("mode", list(scenarios.BY_KEY))
def test_preset_scenarios_show_the_library_figures(folder, monkeypatch, mode):
    path = EXAMPLES / "household.yaml"
    at = start(monkeypatch, path)
    at.selectbox(key="scenario_mode").set_value(mode)
    rerun(at)
    preset = scenarios.BY_KEY[mode]
    checked = validate_text(path.read_text(), str(path))
    pick = None
    if preset.choices:
        pick = at.selectbox(key=f"pick_{mode}").value
        assert pick == scenarios.default_pick(preset, checked.inventory, rank(checked.graph))
    lost = scenarios.selectors(preset, checked.inventory, pick)
    assert lost
    assert metrics(at) == expected_metrics(path, lost, preset.after_death)


def test_banned_account_can_be_picked(folder):
    at = start()
    at.selectbox(key="scenario_mode").set_value("banned")
    rerun(at)
    assert at.selectbox(key="pick_banned").value == "microsoft"
    at.selectbox(key="pick_banned").set_value("outlook")
    rerun(at)
    assert metrics(at) == expected_metrics(EXAMPLES / "malik.yaml", ["outlook"])


def test_explaining_a_thing_shows_why_and_its_methods(folder):
    at = start()
    at.selectbox(key="explain").set_value("github")
    rerun(at)
    body = " ".join(shown(at, "markdown"))
    checked = validate_text((EXAMPLES / "malik.yaml").read_text(), "malik.yaml")
    assert "GitHub (github) is lost." in body
    assert why(impact(checked.graph, ["microsoft"]), "github") in body
    methods = table(at, "method")
    assert list(methods["method"]) == ["password + totp:ms-authenticator"]
    assert list(methods["works now"]) == [False]


def test_first_paint_is_the_graph_and_its_figures_then_the_rest_in_place(folder, monkeypatch):
    """The first run of a session leaves the sidebar's widgets and all below the graph to the run
    the page's timer asks for; that run keeps the graph as it was (the browser keeps it drawn)."""
    monkeypatch.setenv("IDENTITY_MAP_INVENTORY", str(EXAMPLES / "household.yaml"))
    at = AppTest.from_file(str(APP), default_timeout=30).run()
    assert not at.exception
    [graph] = at.get("iframe")
    first = graph.proto.srcdoc
    assert at.radio(key="page").value == "Blast radius" and at.multiselect(key="lose").value
    assert metrics(at) == expected_metrics(EXAMPLES / "household.yaml", at.multiselect(key="lose").value)
    assert [c.value for c in at.sidebar.caption] == ["Loading..."]
    keys = {w.key for w in [*at.selectbox, *at.toggle, *at.button]}
    assert not keys & {"open", "save", "explain", "checklist_whole"}, keys
    at.run()
    assert not at.exception
    assert "Loading..." not in [c.value for c in at.sidebar.caption]
    assert {"open", "explain", "checklist_whole"} <= {w.key for w in [*at.selectbox, *at.toggle]}
    assert any(t.key.startswith("whatif-") for t in at.toggle)  # the checklist
    [graph] = at.get("iframe")
    assert graph.proto.srcdoc == first


def test_other_pages_and_later_runs_are_drawn_whole_at_once(folder, monkeypatch):
    at = start(monkeypatch, copy_example("household.yaml", folder))
    assert "Loading..." not in [c.value for c in at.sidebar.caption]
    goto(at, "Ranking")
    goto(at, "Blast radius")
    assert any(t.key.startswith("whatif-") for t in at.toggle)
    assert at.selectbox(key="open").value


def test_whole_graph_is_off_by_default_only_for_large_inventories(folder, monkeypatch):
    assert start().toggle(key="whole_graph").value is True
    big = folder / "big.yaml"
    big.write_text(generate_inventory(accounts=260))
    assert len(load_text(big.read_text(), "big.yaml")) > 300
    at = start(monkeypatch, big)
    assert at.toggle(key="whole_graph").value is False


def test_ranking_and_exports_are_offered(folder):
    at = start()
    ranking = table(goto(at, "Ranking"), "also lost")
    assert ranking["id"].iloc[0] == "microsoft"
    goto(at, "Export")
    labels = [b.label for b in at.get("download_button")]
    assert "Impact report (Markdown)" in labels and "Impact report (JSON)" in labels
    assert any(label.startswith("Graph") for label in labels)


# -- Uploading, editing, saving --------------------------------------------------


def test_upload_goes_to_the_editor_and_nowhere_else(folder):
    at = start()
    data = (EXAMPLES / "google-father.yaml").read_bytes()
    at.file_uploader(key="upload").set_value(("dad.yaml", data, "application/x-yaml"))
    rerun(at)
    assert editor(at).value == data.decode()
    assert goto(at, "Blast radius").multiselect(key="lose").value == ["google"]
    assert button(at, "save").disabled, "an upload has no file to save to"
    assert list(folder.iterdir()) == []
    at.text_input(key="save_as_name").set_value("dad")
    button(at, "save_as").click()
    rerun(at)
    assert (folder / "dad.yaml").read_bytes() == data
    assert not button(at, "save").disabled
    assert any("Saved" in s for s in shown(at, "success"))


def test_bundled_examples_are_saved_only_under_another_name(folder):
    at = start()
    assert button(at, "save").disabled
    at.text_input(key="save_as_name").set_value("malik-mine.yaml")
    button(at, "save_as").click()
    rerun(at)
    assert (folder / "malik-mine.yaml").read_text() == (EXAMPLES / "malik.yaml").read_text()
    assert caption(at).endswith("malik-mine.yaml")
    assert not button(at, "save").disabled


def test_save_as_refuses_a_path_outside_the_folder(folder):
    at = start()
    at.text_input(key="save_as_name").set_value("../escape.yaml")
    button(at, "save_as").click()
    rerun(at)
    assert any("Not saved" in e for e in shown(at, "error"))
    assert not (folder.parent / "escape.yaml").exists()


ADDED = "\n  backup-mail:\n    name: Backup mailbox\n"


def with_account(text: str) -> str:
    """`text` with one more account appended to its accounts section."""
    return text.replace("\naccounts:\n", "\naccounts:" + ADDED, 1)


def test_edit_updates_the_view_and_save_keeps_a_backup(folder, monkeypatch):
    path = copy_example("malik.yaml", folder)
    original = path.read_text()
    at = start(monkeypatch, path)
    edited = with_account(original)
    editor(at).set_value(edited)
    rerun(at)
    assert "Backup mailbox (backup-mail)" in goto(at, "Blast radius").multiselect(key="lose").options
    assert "unsaved edits" in caption(at)
    button(at, "save").click()
    rerun(at)
    assert path.read_text() == edited
    assert (folder / "malik.yaml.bak").read_text() == original
    assert "unsaved edits" not in caption(at)
    assert editor(at).value == edited


def test_invalid_edit_is_shown_with_its_line_and_never_saved(folder, monkeypatch):
    path = copy_example("malik.yaml", folder)
    original = path.read_text()
    at = start(monkeypatch, path)
    broken = original.replace("login: [device:iphone + sso:microsoft]", "login: [sso:nosuchaccount]", 1)
    line = broken.splitlines().index("    login: [sso:nosuchaccount]") + 1
    editor(at).set_value(broken)
    rerun(at)
    # The person stays on the Edit page, with the error beside the text.
    assert at.radio(key="page").value == "Edit" and at.text_area(key="editor").value == broken
    assert at.error
    problems = table(at, "message")
    assert line in list(problems["line"])
    assert "nosuchaccount" in " ".join(problems["message"])
    assert not at.get("iframe")
    goto(at, "Blast radius")
    assert any("fix them on the Edit page" in e for e in shown(at, "error"))
    assert at.get("iframe"), "the last valid version stays on screen"
    button(at, "save").click()
    rerun(at)
    assert any("Not saved" in e for e in shown(at, "error"))
    assert path.read_text() == original
    assert not (folder / "malik.yaml.bak").exists()
    assert editor(at).value == broken, "the editor keeps the text"


def test_outside_change_is_picked_up_on_the_next_interaction(folder, monkeypatch):
    path = copy_example("malik.yaml", folder)
    at = start(monkeypatch, path)
    changed = with_account(path.read_text())
    path.write_text(changed)
    rerun(at)
    assert any("changed on disk" in i for i in shown(at, "info"))
    assert "Backup mailbox (backup-mail)" in at.multiselect(key="lose").options
    assert editor(at).value == changed


def test_outside_change_never_overwrites_unsaved_edits(folder, monkeypatch):
    path = copy_example("malik.yaml", folder)
    at = start(monkeypatch, path)
    mine = path.read_text().replace("owner: Malik", "owner: Malik K.")
    editor(at).set_value(mine)
    rerun(at)
    path.write_text(with_account(path.read_text()))
    rerun(at)
    assert editor(at).value == mine
    assert any("unsaved edits" in w for w in shown(at, "warning"))
    button(at, "revert").click()
    rerun(at)
    assert editor(at).value == path.read_text()


def test_switching_files_keeps_unsaved_edits_as_a_draft(folder, monkeypatch):
    path = copy_example("malik.yaml", folder)
    at = start(monkeypatch, path)
    mine = path.read_text().replace("owner: Malik", "owner: Malik K.")
    editor(at).set_value(mine)
    rerun(at)
    household = next(o for o in at.selectbox(key="open").options if o.endswith("household.yaml"))
    at.selectbox(key="open").set_value(household)
    rerun(at)
    assert editor(at).value == (EXAMPLES / "household.yaml").read_text()
    mine_option = next(o for o in at.selectbox(key="open").options if o.endswith("malik.yaml") and "examples" not in o)
    at.selectbox(key="open").set_value(mine_option)
    rerun(at)
    assert editor(at).value == mine
    assert any("Restored your unsaved edits" in i for i in shown(at, "info"))
    assert path.read_text() != mine, "a draft is not saved"


# -- User text stays text ----------------------------------------------------------

MARKDOWN_KINDS = ("markdown", "caption", "error", "warning", "info", "success", "title", "header", "subheader")


def assert_text_only(at: AppTest) -> None:
    for kind in MARKDOWN_KINDS:
        for body in texts(at, kind):
            assert not unescaped_markup(body), (kind, body)


def test_names_full_of_markup_stay_text(folder, monkeypatch):
    at = start(monkeypatch, XSS)
    assert at.multiselect(key="lose").value == ["mail"]
    assert_text_only(at)
    # ... and is still shown, as text.
    assert "</script><img src=x onerror=alert('mail')> (mail)" in " ".join(shown(at, "markdown"))
    for thing in ("mail", "photos", "drawer", "shop", "game", "carrier"):
        at.selectbox(key="explain").set_value(thing)
        rerun(at)
        assert_text_only(at)
    page = html.unescape(at.get("iframe")[0].proto.srcdoc)
    assert "<img" not in page and "<svg" not in page and "<marquee" not in page


def test_a_hostile_upload_name_stays_text(folder):
    at = start()
    data = XSS.read_bytes()
    at.file_uploader(key="upload").set_value(("<img src=x onerror=alert(1)>[x](javascript:y).yaml", data, "text/yaml"))
    rerun(at)
    assert editor(at).value == data.decode()
    assert_text_only(at)
