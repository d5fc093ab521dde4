"""Every checklist fix carries both figures (lockout saved, takeover added),
each checked here by applying the item and re-running the engines afresh."""

from __future__ import annotations

import json

import pytest

from app_support import EXAMPLES
from identity_map.analysis.engine import fixed_point, impact
from identity_map.analysis.graph import build_graph
from identity_map.analysis.resilience import improves, thing_resilience
from identity_map.analysis.scenarios import TAKEOVER_PRESETS, choices, selectors
from identity_map.analysis.takeover import plain_taken
from identity_map.checklist import CHANGES, apply, build_checklist, export
from identity_map.checklist.takeover import takeover_text
from identity_map.format.load import load_file, load_text


@pytest.fixture(scope="module", params=["household.yaml", "malik.yaml", "honan.yaml"])
def case(request):
    inv = load_file(EXAMPLES / request.param)
    G = build_graph(inv)
    return inv, G, build_checklist(G, None)


def attacks(inv):
    out = [(p.key, selectors(p, inv, pick)) for p in TAKEOVER_PRESETS for pick in (choices(p, inv) if p.choices else [None])]
    return [(key, gained) for key, gained in out if gained]


def test_each_fix_carries_both_figures_as_the_engines_compute_them(case):
    inv, G, items = case
    fixes = [i for i in items if i.kind in CHANGES]
    assert fixes
    for item in fixes:
        after = apply(inv, [item])
        H = build_graph(after)
        v = item.verification
        if v is not None:  # hardening items save no lockout: test_hardening checks them
            assert len(impact(H, v.scenario).lost) == v.lost_after  # the lockout figure
        added, saved = [], []
        for key, gained in attacks(inv):
            now, before = plain_taken(after, gained), plain_taken(inv, gained)
            if now - before:
                added.append((key, gained, now - before))
            if before - now:
                saved.append((key, gained, before - now))
        assert [(o.preset, o.gained, set(o.added)) for o in item.takeover_added] == added
        assert [(o.preset, o.gained, set(o.added)) for o in item.takeover_saved] == saved


def test_hardening_items_take_doors_away_without_a_lockout():
    inv = load_file(EXAMPLES / "malik.yaml")
    G = build_graph(inv)
    items = build_checklist(G, None)
    drop = next(i for i in items if i.id == "drop-sms-recovery-microsoft")
    after = apply(inv, [drop])
    H = build_graph(after)
    assert fixed_point(H) == fixed_point(G)  # nothing becomes unreachable
    for s in items.scenarios:
        assert ("microsoft" in impact(H, s).lost) == ("microsoft" in impact(G, s).lost)
    assert "microsoft" in plain_taken(inv, ["mobile"]) and "microsoft" not in plain_taken(after, ["mobile"])
    assert "Takeover: stops someone who swaps your SIM (Mobile number) getting into Microsoft account" in \
        export([drop], "md", inv).replace("\\", "")
    # The PIN item is proposed until the number's notes mention the PIN, then it is done.
    pin = next(i for i in items if i.id == "port-out-pin-mobile")
    done = apply(inv, [pin])
    assert "PIN" in done["mobile"].notes and apply(done, [pin]) == done
    assert not any(i.id == "port-out-pin-mobile" for i in build_checklist(build_graph(done), None))


def test_dropping_an_sms_recovery_never_makes_the_account_easier_to_lose(case):
    # Household's Netflix recovers by mail or by SMS: without the SMS two losses take it, not three.
    inv, G, items = case
    drops = [i for i in items if i.rule == "drop-sms-recovery"]
    for item in drops:
        after = build_graph(apply(inv, [item]))
        assert not improves(thing_resilience(after, item.group).k, thing_resilience(G, item.group).k), item.id
    assert "drop-sms-recovery-netflix" not in {i.id for i in drops}


def test_a_recovery_address_that_opens_a_door_says_so():
    inv = load_file(EXAMPLES / "household.yaml")
    items = build_checklist(build_graph(inv), None)
    loop = next(i for i in items if i.rule == "recovery-loop" or "recovery loop" in str(i.action))
    assert any(o.preset == "breached-mailbox" for o in loop.takeover_added)
    md = export([loop], "md", inv)
    assert "Takeover: also lets someone who reads your mailbox" in md


@pytest.mark.parametrize("name", ["household.yaml", "malik.yaml", "honan.yaml", "google-father.yaml"])
def test_a_safer_way_comes_first_and_the_engines_agree(name):
    """A fix that opens a door gets, where one exists, a safer way listed
    ahead of it; both are re-checked here from scratch: the safer way saves
    all the fix saves in its scenario, and no attack takes more with it."""
    inv = load_file(EXAMPLES / name)
    items = build_checklist(build_graph(inv), None)
    at = {item.id: n for n, item in enumerate(items)}
    assert any(item.safer for item in items) == (name != "honan.yaml")  # Honan's fixes open no door
    for item in items:
        if not item.safer:
            continue
        way = items[at[item.safer]]
        assert at[way.id] < at[item.id] and way.safer_than in at and items[at[way.safer_than]].safer == way.id
        assert item.takeover_added and not way.takeover_added
        v = item.verification
        lost = impact(build_graph(apply(inv, [way])), v.scenario).lost
        assert not lost & set(v.saved)
        door = apply(inv, [item])
        assert any(plain_taken(door, gained) - plain_taken(inv, gained) for _, gained in attacks(inv))
        assert not any(plain_taken(apply(inv, [way]), gained) - plain_taken(inv, gained) for _, gained in attacks(inv))
        row = {r["id"]: r for r in json.loads(export(items, "json", inv))}[item.id]
        assert row["safer"] == way.id and "A safer way to the same end is listed first" in row["detail"]


def test_pointing_a_recovery_at_another_mailbox_comes_after_printed_codes():
    text = ("version: 1\nplaces:\n  drawer: {name: Drawer}\naccounts:\n"
            "  mail-a: {name: Mail A, kind: email}\n  mail-b: {name: Mail B, kind: email}\n"
            "  shop: {name: GitHub, login: [password + totp:app], recovery: [email:mail-a]}\n"
            "devices:\n  app: {name: Authenticator, kind: phone}\n")
    inv = load_text(text)
    items = build_checklist(build_graph(inv), ["mail-a", "app"])
    ids = [i.id for i in items]
    door = next(i for i in items if i.rule == "recovery-elsewhere")
    assert door.safer == "recovery-codes-shop" and ids.index("recovery-codes-shop") < ids.index(door.id)
    assert [o.preset for o in door.takeover_added] == ["breached-mailbox"]
    assert "someone who reads your mailbox (Mail B) into GitHub" in str(takeover_text(door, inv))


def test_every_format_carries_the_takeover_figure(case):
    inv, _, items = case
    fixes = [i for i in items if i.kind in CHANGES]
    doc = json.loads(export(items, "json", inv))
    rows = doc["items"] if isinstance(doc, dict) else doc
    by_id = {r["id"]: r for r in rows}
    for item in fixes:
        assert by_id[item.id]["takeover"].startswith("Takeover: ")
        assert by_id[item.id]["takeover_added"] == [o.as_json() for o in item.takeover_added]
    for fmt in ("md", "csv", "html"):
        assert export(items, fmt, inv).count("Takeover: ") >= len(fixes)
