"""identity_map.exports: the app's downloads, built as plain functions."""

from __future__ import annotations

import importlib.util
import json
import re

import pytest

from app_support import EXAMPLES
from identity_map import exports, report
from identity_map.engine import impact
from identity_map.validate import validate_text


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


def test_no_checklist_downloads_without_the_checklist_module(malik, monkeypatch):
    G, result = malik
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "identity_map.checklist" else real(name, *a))
    assert exports.checklist_downloads(G, result, G.graph["inventory"], "m") == []
    assert len(exports.downloads(G, result, source="m.yaml")) == 3


@pytest.mark.skipif(importlib.util.find_spec("identity_map.checklist") is None,
                    reason="identity_map.checklist is not written yet")
def test_checklist_downloads_scope_to_the_scenario(malik):
    from identity_map.checklist import build_checklist, export

    G, result = malik
    items = by_name(exports.checklist_downloads(G, result, G.graph["inventory"], "m"))
    assert sorted(items) == ["m-checklist.csv", "m-checklist.html", "m-checklist.json", "m-checklist.md"]
    expected = export(build_checklist(G, ["microsoft"]), "md", G.graph["inventory"])
    assert items["m-checklist.md"].build() == expected
