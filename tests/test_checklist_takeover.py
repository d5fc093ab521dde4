"""Every checklist fix carries both figures (lockout saved, takeover added),
each checked here by applying the item and re-running the engines afresh."""

from __future__ import annotations

import json

import pytest

from app_support import EXAMPLES
from identity_map.analysis.engine import impact
from identity_map.analysis.graph import build_graph
from identity_map.analysis.scenarios import TAKEOVER_PRESETS, choices, lost_ids
from identity_map.analysis.takeover import plain_taken
from identity_map.checklist import FIX, apply, build_checklist, export
from identity_map.format.load import load_file


@pytest.fixture(scope="module", params=["household.yaml", "malik.yaml", "honan.yaml"])
def case(request):
    inv = load_file(EXAMPLES / request.param)
    G = build_graph(inv)
    return inv, G, build_checklist(G, None)


def attacks(inv):
    out = [(p.key, lost_ids(p, inv, pick)) for p in TAKEOVER_PRESETS for pick in (choices(p, inv) if p.choices else [None])]
    return [(key, gained) for key, gained in out if gained]


def test_each_fix_carries_both_figures_as_the_engines_compute_them(case):
    inv, G, items = case
    fixes = [i for i in items if i.kind == FIX]
    assert fixes
    for item in fixes:
        after = apply(inv, [item])
        H = build_graph(after)
        v = item.verification
        assert len(impact(H, v.scenario).lost) == v.lost_after  # the lockout figure
        expected = []
        for key, gained in attacks(inv):
            new = plain_taken(after, gained) - plain_taken(inv, gained)
            if new:
                expected.append((key, gained, {t for t in new}))
        assert [(o.preset, o.gained, set(o.added)) for o in item.takeover_added] == expected


def test_a_recovery_address_that_opens_a_door_says_so():
    inv = load_file(EXAMPLES / "household.yaml")
    items = build_checklist(build_graph(inv), None)
    loop = next(i for i in items if i.rule == "recovery-loop" or "recovery loop" in str(i.action))
    assert any(o.preset == "breached-mailbox" for o in loop.takeover_added)
    md = export([loop], "md", inv)
    assert "Takeover: also lets someone who reads your mailbox" in md


def test_every_format_carries_the_takeover_figure(case):
    inv, _, items = case
    fixes = [i for i in items if i.kind == FIX]
    doc = json.loads(export(items, "json", inv))
    rows = doc["items"] if isinstance(doc, dict) else doc
    by_id = {r["id"]: r for r in rows}
    for item in fixes:
        assert by_id[item.id]["takeover"].startswith("Takeover: ")
        assert by_id[item.id]["takeover_added"] == [o.as_json() for o in item.takeover_added]
    for fmt in ("md", "csv", "html"):
        assert export(items, fmt, inv).count("Takeover: ") >= len(fixes)
