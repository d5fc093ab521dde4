"""identity_map.exports: the app's downloads, built as plain functions."""

from __future__ import annotations

import json
import re

import pytest

from app_support import EXAMPLES
from identity_map.app import exports
from identity_map.output import report
from identity_map.checklist import build_checklist, export
from identity_map.analysis.engine import impact
from identity_map.analysis.validate import validate_text


@pytest.fixture(scope="module")
def malik():
    checked = validate_text((EXAMPLES / "malik.yaml").read_text(), "examples/malik.yaml")
    return checked.graph, impact(checked.graph, ["microsoft"])


def by_name(items):
    return {d.file_name: d for d in items}


@pytest.mark.parametrize("source, stem", [
    ("examples/malik.yaml", "malik"), ("C:\\inv\\Me.YML", "Me"), ("uploaded a b/../c.yaml", "c"),
    ("<img src=x>.yaml", "img-src-x"), ("", "inventory"), ("...", "inventory"),
])
def test_file_stem(source, stem):
    assert exports.file_stem(source) == stem


def test_impact_reports_are_the_cli_reports(malik):
    G, result = malik
    items = by_name(exports.downloads(G, result, source="examples/malik.yaml"))
    assert items["malik-impact.md"].build() == report.impact_markdown(result, "Malik")
    assert items["malik-impact.md"].mime == "text/markdown"
    assert json.loads(items["malik-impact.json"].build()) == report.impact_json(result)


def test_graph_page_is_standalone_and_offline(malik):
    G, result = malik
    page = by_name(exports.downloads(G, result, source="malik.yaml"))["malik-graph.html"].build()
    assert page.startswith("<html>") or "<!DOCTYPE" in page[:200] or "<html" in page[:200]
    assert not re.search(r"<(script|link|img)\b[^>]*\b(src|href)=[\"']?(https?:)?//", page, re.IGNORECASE)


def test_focus_follows_the_view(malik):
    G, result = malik
    whole = by_name(exports.downloads(G, result, source="m.yaml"))["m-graph.html"].build()
    focused = by_name(exports.downloads(G, result, source="m.yaml", focus=True))["m-graph.html"].build()
    assert len(focused) <= len(whole)


def test_downloads_are_built_only_when_asked(malik, monkeypatch):
    G, result = malik

    def boom(*_args, **_kwargs):
        raise AssertionError("built too early")

    monkeypatch.setattr(report, "impact_markdown", boom)
    monkeypatch.setattr(report, "impact_json", boom)
    items = exports.downloads(G, result, source="m.yaml")
    assert [d.label for d in items][:3] == ["Impact report (Markdown)", "Impact report (JSON)",
                                            "Graph (standalone HTML page, works offline)"]


def test_checklist_downloads_scope_to_the_scenario(malik):
    G, result = malik
    items = by_name(exports.checklist_downloads(G, result, G.graph["inventory"], "m"))
    assert sorted(items) == ["m-checklist.csv", "m-checklist.html", "m-checklist.json", "m-checklist.md"]
    assert [d.short for d in items.values()] == ["Markdown", "HTML", "CSV", "JSON"]
    expected = export(build_checklist(G, ["microsoft"]), "md", G.graph["inventory"])
    assert items["m-checklist.md"].build() == expected


def test_checklist_downloads_of_the_whole_inventory(malik):
    G, result = malik
    items = by_name(exports.checklist_downloads(G, result, G.graph["inventory"], "m", whole=True))
    assert json.loads(items["m-checklist.json"].build()) == json.loads(
        export(build_checklist(G, None), "json", G.graph["inventory"]))
    # Nothing lost: the scenario scope is the whole inventory too.
    assert exports.checklist_scope(impact(G, []), whole=False) is None
    assert exports.checklist_scope(result, whole=False) == ["microsoft"]
    assert exports.checklist_scope(result, whole=True) is None


def test_checklist_downloads_reuse_the_checklist_the_app_shows(malik, monkeypatch):
    import identity_map.app.exports as module

    G, result = malik
    shown = build_checklist(G, ["microsoft"])
    monkeypatch.setattr(module, "build_checklist", lambda *a: (_ for _ in ()).throw(AssertionError("rebuilt")))
    items = by_name(exports.downloads(G, result, source="m.yaml", checklist=shown))
    assert items["m-checklist.csv"].build() == export(shown, "csv", G.graph["inventory"])
    assert len(items) == 11  # impact 2, graph 1, checklist 4, second factors 4


def test_factors_downloads_are_the_cli_report(malik):
    from identity_map.providers.factors import factor_rows
    from identity_map.providers.report import export_factors

    G, result = malik
    items = by_name(exports.factors_downloads(G, "m"))
    assert sorted(items) == ["m-factors.csv", "m-factors.json", "m-factors.md", "m-factors.txt"]
    assert items["m-factors.md"].build() == export_factors(factor_rows(G), "md", G.graph["inventory"].owner)
