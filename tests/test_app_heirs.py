"""The app's "After I die" page: the library's heirs figures, per person,
user text only as plain text, and the emergency sheet as a download."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from app_support import APP
from identity_map.analysis.graph import build_graph
from identity_map.analysis.heirs import DIRECT, OUT, PROCEDURE, reach
from identity_map.app import view as appview
from identity_map.format.load import load_text
from identity_map.output.report import money
from test_heirs import FAMILY, PLANTED, SECRETS


@pytest.fixture
def family(tmp_path, monkeypatch):
    folder = tmp_path / "inventories"
    folder.mkdir()
    path = folder / "family.yaml"
    path.write_text(FAMILY)
    monkeypatch.setenv("IDENTITY_MAP_INVENTORIES", str(folder))
    monkeypatch.setenv("IDENTITY_MAP_INVENTORY", str(path))
    return path


def run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def open_heirs(at: AppTest) -> AppTest:
    """The app on its "After I die" page (only the open page is drawn)."""
    run(at)
    at.radio(key="page").set_value("After I die")
    return run(at)


def heirs_metrics(at: AppTest) -> dict[str, str]:
    labels = {m.label for m in appview.heirs_metrics(reach(build_graph(load_text(FAMILY)), None))}
    return {m.label: m.value for m in at.metric if m.label in labels}


def test_the_tab_shows_the_library_figures_per_person(family):
    at = open_heirs(AppTest.from_file(str(APP), default_timeout=30))
    G = build_graph(load_text(FAMILY))
    together = reach(G, None)
    assert heirs_metrics(at) == {"Directly": str(len(together.group(DIRECT))),
                                 "By procedure": str(len(together.group(PROCEDURE))),
                                 "Out of reach": str(len(together.group(OUT))),
                                 "Money reachable": money(together.money(DIRECT, PROCEDURE)),
                                 "Money out of reach": money(together.money(OUT))}
    at.selectbox(key="heirs_person").set_value("anna")
    run(at)
    anna = reach(G, "anna")
    assert heirs_metrics(at)["Money out of reach"] == money(anna.money(OUT)) == "EUR 300.00"
    cells = [str(v) for df in at.dataframe for v in df.value.to_numpy().ravel()]
    apple = next(e for e in anna.entries if e.id == "apple")
    assert apple.group == PROCEDURE and apple.how in cells  # the legacy chain, as plain text


def test_secrets_never_reach_the_tab(tmp_path, monkeypatch):
    monkeypatch.setenv("IDENTITY_MAP_INVENTORY", str(PLANTED))
    monkeypatch.setenv("IDENTITY_MAP_INVENTORIES", str(tmp_path))
    at = open_heirs(AppTest.from_file(str(APP), default_timeout=30))
    heirs_cells = " ".join(str(v) for df in at.dataframe for v in df.value.to_numpy().ravel())
    assert "Anna" in heirs_cells or "Apple ID" in heirs_cells
    for secret in SECRETS:
        assert secret not in heirs_cells


def test_the_downloads_are_the_sheet_and_the_report(family):
    G = build_graph(load_text(FAMILY))
    sheet, report_md, _ = appview_downloads(G)
    assert sheet.build().startswith("<!DOCTYPE html>") and "@page { size: A4" in sheet.build()
    assert "## Anna (partner)" in report_md.build()


def appview_downloads(G):
    from identity_map.app.exports import heirs_downloads

    return heirs_downloads(G, None, "family")


def test_the_after_death_preset_shows_the_after_death_checklist(tmp_path, monkeypatch):
    from app_support import EXAMPLES

    monkeypatch.setenv("IDENTITY_MAP_INVENTORY", str(EXAMPLES / "household.yaml"))
    monkeypatch.setenv("IDENTITY_MAP_INVENTORIES", str(tmp_path))
    at = run(AppTest.from_file(str(APP), default_timeout=60))
    at.radio(key="page").set_value("Blast radius")
    run(at)
    at.selectbox(key="scenario_mode").set_value("death")
    run(at)
    captions = " ".join(c.value for c in at.caption)
    assert "Covers what your people can reach after your death" in captions
    assert "Verified: After your death: 17 things lost instead of 24" in captions
    assert any(t.key == "whatif-unlock-sheet-anna-phone" for t in at.toggle)
    at.toggle(key="whatif-unlock-sheet-anna-phone").set_value(True)
    run(at)
    assert {m.label: m.value for m in at.metric}["Lost"] == "17"
