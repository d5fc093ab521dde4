"""The app's checklist beside the graph (with its "what if I do this"
toggles) and its resilience panel, driven headless with AppTest. Figures
are compared with the library's, computed here."""

from __future__ import annotations

import html
import time

import pytest

from app_support import EXAMPLES, XSS, unescape
from identity_map.analysis import scenarios
from identity_map.analysis.selectors import scenario_impact
from identity_map.app import view as appview
from identity_map.checklist import apply, build_checklist
from identity_map.analysis.engine import LOST, impact
from identity_map.analysis.graph import build_graph
from identity_map.output.report import money
from identity_map.analysis.resilience import resilience
from identity_map.analysis.validate import validate_text
from test_app import editor, goto, assert_text_only, copy_example, folder, metrics, rerun, shown, start, table  # noqa: F401

MALIK = EXAMPLES / "malik.yaml"
HOUSEHOLD = EXAMPLES / "household.yaml"


def checked(path):
    return validate_text(path.read_text(), str(path))


def figures(result) -> dict[str, str]:
    s = result.summary
    return {"Lost": str(s.counts[LOST]), "Recoverable": str(s.counts["recoverable"]),
            "Degraded": str(s.counts["degraded"]), "Money lost": money(s.money_lost),
            "Critical lost": str(len(s.critical_lost))}


def what_if_toggles(at) -> list[str]:
    return [t.key.removeprefix("whatif-") for t in at.toggle if t.key and t.key.startswith("whatif-")]


def deltas(at) -> dict[str, str]:
    return {m.label: m.proto.delta for m in at.metric}


# -- The checklist -----------------------------------------------------------------------


def test_checklist_of_the_scenario_is_shown_beside_the_graph(folder):
    at = start()
    items = build_checklist(checked(MALIK).graph, ["microsoft"])
    assert at.toggle(key="checklist_whole").value is False
    assert what_if_toggles(at) == [i.id for i in items if i.change]
    body = " ".join(shown(at, "markdown"))
    for item in items:
        assert str(item.action) in body
    assert any(c.startswith("Covers losing Microsoft account (microsoft)") for c in shown(at, "caption"))
    assert "Verified: If you lose Microsoft account: 14 things lost instead of 18. Saved: 13 years of photos" \
        in " ".join(shown(at, "caption"))
    assert at.get("iframe"), "the graph is still there"


def test_what_if_toggles_apply_the_changes_and_redraw(folder, monkeypatch):
    path = copy_example("malik.yaml", folder)
    original = path.read_text()
    at = start(monkeypatch, path)
    before = metrics(at)
    page_before = html.unescape(at.get("iframe")[0].proto.srcdoc)  # the graph page inside the sandbox
    at.toggle(key="whatif-backup-onedrive").set_value(True)
    at.toggle(key="whatif-second-factor-github").set_value(True)
    rerun(at)

    G = checked(path).graph
    chosen = [i for i in build_checklist(G, ["microsoft"]) if i.id in ("backup-onedrive", "second-factor-github")]
    expected = impact(build_graph(apply(G.graph["inventory"], chosen)), ["microsoft"])
    assert metrics(at) == figures(expected)
    assert metrics(at) != before
    assert int(metrics(at)["Lost"]) == int(before["Lost"]) - 5
    assert deltas(at)["Lost"] == "-5" and deltas(at)["Critical lost"] == "-4"
    assert any("not saved" in i for i in shown(at, "info"))
    page = html.unescape(at.get("iframe")[0].proto.srcdoc)
    changed = apply(G.graph["inventory"], chosen)
    assert page_before.count('"shape"') == len(G.graph["inventory"])
    assert page.count('"shape"') == len(changed) > len(G.graph["inventory"]), "the things the changes add are drawn"
    # The explanation follows the changed inventory too.
    at.selectbox(key="explain").set_value("github")
    rerun(at)
    assert "GitHub (github) is still reachable" in " ".join(shown(at, "markdown"))
    # Nothing was written: the file and the editor are as they were.
    assert path.read_text() == original and editor(at).value == original
    assert sorted(p.name for p in folder.iterdir()) == ["malik.yaml"]

    goto(at, "Blast radius")  # the what-if toggles are kept while another page is open
    assert metrics(at) != before
    at.button(key="clear_what_if").click()
    rerun(at)
    assert metrics(at) == before
    assert not any(t.value for t in at.toggle if t.key.startswith("whatif-"))
    assert all(d == "" for d in deltas(at).values())


def test_whole_inventory_checklist_and_a_preset(folder, monkeypatch):
    at = start(monkeypatch, HOUSEHOLD)
    at.toggle(key="checklist_whole").set_value(True)
    rerun(at)
    G = checked(HOUSEHOLD).graph
    whole = build_checklist(G, None)
    assert what_if_toggles(at) == [i.id for i in whole[:appview.CHECKLIST_SHOWN] if i.change]
    assert any(c.startswith("Covers every single point of failure") for c in shown(at, "caption"))
    # The what-if of a whole-inventory item is shown on the scenario picked above.
    at.selectbox(key="scenario_mode").set_value("fire")
    rerun(at)
    item = whole[0]
    at.toggle(key=f"whatif-{item.id}").set_value(True)
    rerun(at)
    changed = apply(G.graph["inventory"], [item])
    fire = scenarios.selectors(scenarios.HOUSE_FIRE, changed, "site:home")  # applied to the changed inventory
    assert metrics(at) == figures(scenario_impact(build_graph(changed), fire))


def test_checklist_downloads_are_offered_beside_the_graph_and_in_export(folder):
    at = start()
    by_key = {b.key: b.label for b in at.get("download_button")}
    for fmt, label in (("md", "Markdown"), ("html", "HTML"), ("csv", "CSV"), ("json", "JSON")):
        assert by_key[f"checklist-malik-checklist.{fmt}"] == label
    goto(at, "Export")
    by_key = {b.key: b.label for b in at.get("download_button")}
    for fmt, label in (("md", "Markdown"), ("html", "HTML"), ("csv", "CSV"), ("json", "JSON")):
        assert by_key[f"download-malik-checklist.{fmt}"] == f"Mitigation checklist ({label})"


def test_large_inventories_build_the_checklist_only_when_asked(folder, monkeypatch):
    monkeypatch.setattr(appview, "CHECKLIST_AUTO_MAX", 10)
    at = start()
    assert what_if_toggles(at) == []
    at.toggle(key="checklist_build").set_value(True)
    rerun(at)
    assert "backup-onedrive" in what_if_toggles(at)


def test_opening_another_file_drops_the_what_if(folder):
    at = start()
    at.toggle(key="whatif-backup-onedrive").set_value(True)
    rerun(at)
    household = next(o for o in at.selectbox(key="open").options if o.endswith("household.yaml"))
    at.selectbox(key="open").set_value(household)
    rerun(at)
    assert not any("not saved" in i for i in shown(at, "info"))
    assert not any(t.value for t in at.toggle if t.key.startswith("whatif-"))


def test_checklist_of_hostile_names_stays_text(folder, monkeypatch):
    at = start(monkeypatch, XSS)
    assert what_if_toggles(at), "the hostile inventory has fixes"
    for key in what_if_toggles(at):
        at.toggle(key=f"whatif-{key}").set_value(True)
    rerun(at)
    assert_text_only(at)
    at.toggle(key="checklist_whole").set_value(True)
    rerun(at)
    assert_text_only(at)


# -- Resilience ----------------------------------------------------------------------------


def resilience_table(at):
    return table(goto(at, "Resilience"), "losses to lose it")


def test_resilience_panel_shows_the_library_rows_fast(folder, monkeypatch):
    G = checked(HOUSEHOLD).graph
    started = time.perf_counter()
    rows = resilience(G)
    assert time.perf_counter() - started < 1.0, "the panel must show in under a second"
    at = start(monkeypatch, HOUSEHOLD)
    shown_table = resilience_table(at)
    inv = G.graph["inventory"]
    assert list(shown_table["thing"]) == [appview.label(inv, r.id) for r in rows]
    assert list(shown_table["losses to lose it"]) == [r.label for r in rows]
    assert list(shown_table["sets"]) == [r.count for r in rows]
    assert "with the changes" not in shown_table.columns


def test_resilience_panel_compares_with_the_what_if(folder):
    at = start()
    at.toggle(key="whatif-backup-onedrive").set_value(True)
    rerun(at)
    shown_table = resilience_table(at)
    photos = shown_table[shown_table["thing"] == "13 years of photos (photos)"].iloc[0]
    assert (photos["losses to lose it"], photos["with the changes"]) == ("1", "2")


def test_no_critical_things_says_so(folder):
    path = folder / "plain.yaml"
    path.write_text("version: 1\naccounts:\n  mail: {}\n  shop: {login: [email:mail]}\n")
    at = goto(start(pytest.MonkeyPatch(), path), "Resilience")
    assert any("No critical things" in i for i in shown(at, "info"))
