"""identity_map.appview: what the app shows, as plain functions."""

from __future__ import annotations

import html

import pytest

from app_support import EXAMPLES, XSS, unescape, unescaped_markup
from identity_map.app import view as appview
from identity_map.checklist import apply, build_checklist
from identity_map.analysis.engine import impact, rank
from identity_map.analysis.graph import build_graph
from identity_map.format.load import Problem
from identity_map.output.render import COLORS
from identity_map.output.report import money
from identity_map.analysis.resilience import resilience

MALIK = (EXAMPLES / "malik.yaml").read_text()


@pytest.fixture(scope="module")
def malik():
    return appview.analyse(MALIK, "malik.yaml")


@pytest.fixture(scope="module")
def xss():
    return appview.analyse(XSS.read_text(), "xss.yaml")


def test_analyse_ranks_a_valid_text(malik):
    assert malik.ok
    assert [r.id for r in malik.ranking] == [r.id for r in rank(malik.graph)]
    assert malik.inventory.owner == "Malik"


def test_analyse_keeps_errors_of_an_invalid_text():
    analysis = appview.analyse("version: 1\naccounts:\n  a: {login: [email:nobody]}\n", "bad.yaml")
    assert not analysis.ok
    assert analysis.ranking == ()
    assert analysis.validation.errors[0].line == 3


def test_scenario_ignores_ids_the_text_no_longer_has(malik):
    assert appview.scenario(malik, ["microsoft", "gone-after-an-edit"]).scenario == {"microsoft"}


def test_labels_name_and_id(malik):
    inv = malik.inventory
    assert appview.label(inv, "microsoft") == "Microsoft account (microsoft)"
    result = appview.scenario(malik, ["microsoft"])
    assert appview.status_label(result, "github") == "GitHub (github) - lost"


def test_label_is_the_id_alone_when_unnamed():
    analysis = appview.analyse("version: 1\naccounts:\n  mail: {}\n", "a.yaml")
    assert appview.label(analysis.inventory, "mail") == "mail"


def test_lose_options_are_losable_things_then_memory_then_sites_and_providers(malik):
    options = appview.lose_options(malik.inventory)
    assert options[options.index("memory"):] == ["memory", "site:carried", "site:home", "provider:Microsoft"]
    assert {"microsoft", "iphone", "mobile"} <= set(options)
    assert not {"photos", "xbox-library"} & set(options)
    assert appview.label(malik.inventory, "site:home") == "everything at home (site:home)"


def test_metrics_are_the_summary(malik):
    result = appview.scenario(malik, ["microsoft"])
    shown = {m.label: m.value for m in appview.metrics(result)}
    counts = result.summary.counts
    assert shown == {"Lost": str(counts["lost"]), "Recoverable": str(counts["recoverable"]),
                     "Degraded": str(counts["degraded"]), "Money lost": "EUR 1,400.00",
                     "Critical lost": str(len(result.summary.critical_lost))}


def test_scenario_and_critical_lines(malik):
    result = appview.scenario(malik, ["microsoft"])
    assert unescape(appview.scenario_md(result)) == "Losing: Microsoft account (microsoft)"
    assert "13 years of photos (photos)" in unescape(appview.critical_lost_md(result))
    baseline = appview.scenario(malik, [])
    assert "nothing" in appview.scenario_md(baseline)
    assert appview.critical_lost_md(baseline) == ""


def test_default_explained_prefers_a_critical_casualty(malik):
    result = appview.scenario(malik, ["microsoft"])
    chosen = appview.default_explained(result)
    assert chosen in result.lost - result.scenario
    assert malik.inventory[chosen].critical
    # Nothing falls beyond the scenario: explain the lost thing itself.
    alone = appview.scenario(malik, ["carrier"])
    assert appview.default_explained(alone) == "carrier"


def test_explanation_says_the_status_then_why(malik):
    result = appview.scenario(malik, ["microsoft"])
    text = unescape(appview.explanation_md(result, "github"))
    assert text.startswith("GitHub (github) is lost.")
    assert "ms-authenticator is lost" in text
    assert unescape(appview.explanation_md(result, "iphone")) == "iPhone 13 (iphone) is not affected."


def test_method_rows(malik):
    result = appview.scenario(malik, ["microsoft"])
    assert appview.method_rows(result, "github") == [
        {"role": "login", "method": "password + totp:ms-authenticator", "worked before": True,
         "works now": False, "missing now": "ms-authenticator"}]
    assert appview.method_rows(result, "iphone") == [  # its passcode (second edition: unlock)
        {"role": "unlock", "method": "password", "worked before": True, "works now": True, "missing now": ""}]


def test_problem_rows_carry_the_line_text():
    text = "version: 1\naccounts:\n  a: {login: [email:nobody]}\n"
    rows = appview.problem_rows([Problem("f", 3, 5, "unknown id 'nobody'"), Problem("f", 9, 1, "beyond")], text)
    assert rows[0] == {"line": 3, "column": 5, "message": "unknown id 'nobody'", "text": "a: {login: [email:nobody]}"}
    assert rows[1]["text"] == ""


def test_ranking_rows_and_chart(malik):
    rows = appview.ranking_rows(malik.ranking)
    assert rows[0]["id"] == "microsoft" and rows[0]["money lost"] == "EUR 1,400.00"
    chart = appview.ranking_chart(malik.ranking, top=3)
    assert chart["thing"] == ["microsoft", "onedrive", "outlook"]
    assert set(chart) == {"thing", *appview.CHART_SERIES}
    full = appview.ranking_chart(malik.ranking)
    assert all(sum(chart_row) for chart_row in zip(full["also lost"], full["recoverable"], full["degraded"]))
    assert appview.CHART_SERIES["also lost"] == COLORS["lost"]


def devices(n: int) -> str:
    return "version: 1\ndevices:\n" + "".join(f"  d{i}: {{}}\n" for i in range(n))


def test_large_inventories_focus_by_default():
    # memory counts: n devices are n + 1 things
    at_limit = appview.analyse(devices(appview.FOCUS_ABOVE - 1), "a.yaml").inventory
    above = appview.analyse(devices(appview.FOCUS_ABOVE), "b.yaml").inventory
    assert not appview.focus_by_default(at_limit)
    assert appview.focus_by_default(above)


def test_graph_page_focus_draws_fewer_things(malik):
    whole = html.unescape(appview.graph_page(malik, ["carrier"], focus=False))
    focused = html.unescape(appview.graph_page(malik, ["carrier"], focus=True))
    assert f"{appview.GRAPH_HEIGHT}px" in whole
    assert whole.count('"shape"') > focused.count('"shape"') > 0


def test_markdown_helpers_escape_user_text(xss):
    result = appview.scenario(xss, ["mail"])
    bodies = [appview.scenario_md(result), appview.critical_lost_md(result)]
    bodies += [appview.explanation_md(result, tid) for tid in xss.inventory.things]
    for body in bodies:
        assert not unescaped_markup(body), body
    assert "<img src=x onerror=alert('mail')>" in unescape(appview.scenario_md(result))


def test_scenario_is_the_engines(malik):
    assert appview.scenario(malik, ["iphone"]).statuses == impact(malik.graph, ["iphone"]).statuses


# -- Metrics against a baseline (the what-if) ------------------------------------------


def test_metrics_say_how_the_changes_moved_each_figure(malik):
    before = appview.scenario(malik, ["microsoft"])
    after = appview.scenario(malik, ["carrier"])
    shown = {m.label: m for m in appview.metrics(after, before)}
    b, a = before.summary, after.summary
    assert shown["Lost"].delta == f"{a.counts['lost'] - b.counts['lost']:+d}"
    assert shown["Lost"].delta_color == "inverse"
    assert shown["Money lost"].delta == "-EUR 1,400.00"
    assert shown["Critical lost"].delta == f"{len(a.critical_lost) - len(b.critical_lost):+d}"
    assert all(m.delta is None for m in appview.metrics(before, before))
    assert all(m.delta is None for m in appview.metrics(before))


@pytest.mark.parametrize("after, before, delta", [
    ({"EUR": 10.0}, {"EUR": 10.0}, None),
    ({}, {"EUR": 10.0, "USD": 5.0}, "-EUR 10.00 + USD 5.00"),
    ({"EUR": 12.0}, {"EUR": 10.0}, "+EUR 2.00"),
    ({"EUR": 12.0}, {"USD": 10.0}, "was USD 10.00"),
])
def test_money_delta(after, before, delta):
    if delta and "USD 5" in delta:
        delta = "-" + money({"EUR": 10.0, "USD": 5.0})
    assert appview._money_delta(after, before) == delta


# -- The checklist beside the graph -------------------------------------------------------


def test_checklist_is_scoped_to_the_scenario_or_the_whole_inventory(malik):
    scoped = appview.checklist(malik, ["microsoft", "gone-after-an-edit"])
    assert not scoped.whole and scoped.scenarios == (("microsoft",),)
    assert [i.id for i in scoped] == [i.id for i in build_checklist(malik.graph, ["microsoft"])]
    whole = appview.checklist(malik, ["microsoft"], whole=True)
    assert whole.whole and [i.id for i in whole] == [i.id for i in build_checklist(malik.graph, None)]
    assert appview.checklist(malik, []).whole, "nothing lost: every single point of failure"


def test_checklist_groups_follow_the_checklist_order(malik):
    items = appview.checklist(malik, ["microsoft"])
    groups = appview.checklist_groups(items, malik.inventory)
    entries = [e for _, es in groups for e in es]
    assert [e.id for e in entries] == [i.id for i in items]
    assert unescape(groups[0][0]) == "Do these 5 first" and len(groups[0][1]) == items.first == 5
    assert unescape(groups[-1][0]) == "General advice"
    photos = next(e for e in entries if e.id == "backup-onedrive")
    assert photos.can_try and photos.kind == "fix"
    assert unescape(photos.action_md) == "Back up OneDrive to Backup disk at home (offline copy)"
    assert unescape(photos.verified_md).startswith("Verified: If you lose Microsoft account: 14 things lost instead of 18.")
    assert photos.change == tuple(next(i for i in items if i.id == "backup-onedrive").change_text())
    stake = next(e for e in entries if e.id == "stake-microsoft")
    assert not stake.can_try and stake.action_md.endswith("_(to know)_")
    assert len([e for _, es in appview.checklist_groups(items, malik.inventory, limit=3) for e in es]) == 3


def test_checklist_scope_line(malik):
    scoped = appview.checklist(malik, ["microsoft"])
    line = unescape(appview.checklist_scope_md(scoped, malik.inventory))
    fixes = sum(1 for i in scoped if i.kind == "fix")
    assert line.startswith(f"Covers losing Microsoft account (microsoft): {len(scoped)} items, {fixes} of them")
    v = scoped.combined[0]
    assert f"{v.lost_after} things lost instead of {v.lost_before}" in line
    assert "every single point of failure" in appview.checklist_scope_md(appview.checklist(malik, []), malik.inventory)


def test_gains_line_names_things_made_harder_to_lose(malik):
    from collections import namedtuple
    from types import SimpleNamespace

    gain = namedtuple("Gain", "id before after")
    item = SimpleNamespace(resilience_gains=(gain("photos", 1, 2), gain("github", 1, None)))
    assert unescape(appview.gains_md(item, malik.inventory)) == (
        "Harder to lose (fewest losses that take it, before → after): 13 years of photos (photos) (1 → 2), "
        "GitHub (github) (1 → more than 3).")
    assert appview.gains_md(SimpleNamespace(), malik.inventory) == ""


def test_checklist_text_stays_escaped(xss):
    for lost in (["mail"], []):
        items = appview.checklist(xss, lost)
        assert items, "the hostile inventory has things to fix"
        bodies = [appview.checklist_scope_md(items, xss.inventory)]
        for heading, entries in appview.checklist_groups(items, xss.inventory):
            bodies.append(heading)
            bodies += [b for e in entries for b in (e.action_md, e.detail_md, e.verified_md, e.gains_md)]
        for body in bodies:
            assert not unescaped_markup(body), body


def test_what_if_is_the_engine_on_the_changed_inventory(malik):
    items = appview.checklist(malik, ["microsoft"])
    chosen = [i for i in items if i.id in ("backup-onedrive", "second-factor-github", "stake-microsoft")]
    what = appview.what_if(malik, ["microsoft"], chosen)
    assert [i.id for i in what.items] == ["backup-onedrive", "second-factor-github"], "info items change nothing"
    expected = impact(build_graph(apply(malik.inventory, chosen)), ["microsoft"])
    assert what.result.statuses == expected.statuses
    assert what.result.summary.counts["lost"] == appview.scenario(malik, ["microsoft"]).summary.counts["lost"] - 5
    assert {"photos", "study-work", "job-documents", "vault-documents", "github"}.isdisjoint(what.result.lost)
    assert "backup-disk" in what.inventory.things and "backup-disk" not in malik.inventory.things
    assert appview.what_if(malik, ["microsoft"], [i for i in items if not i.change]) is None
    assert "not saved" in unescape(appview.what_if_md(what))


def test_what_if_graph_page_draws_the_changed_inventory(malik):
    items = [i for i in appview.checklist(malik, ["microsoft"]) if i.id == "backup-onedrive"]
    what = appview.what_if(malik, ["microsoft"], items)
    page = html.unescape(appview.graph_page_of(what.graph, what.result, focus=False))
    before = html.unescape(appview.graph_page(malik, ["microsoft"], focus=False))
    assert page.count('"shape"') == before.count('"shape"') + 1


# -- Resilience ---------------------------------------------------------------------


def test_resilience_rows_are_the_library_rows():
    household = appview.analyse((EXAMPLES / "household.yaml").read_text(), "household.yaml")
    rows = resilience(household.graph)
    table = appview.resilience_rows(rows, household.inventory)
    assert [r["thing"] for r in table] == [appview.label(household.inventory, r.id) for r in rows]
    assert [r["losses to lose it"] for r in table] == [r.label for r in rows]
    assert [r["sets"] for r in table] == [r.count for r in rows]
    first = rows[0]
    assert table[0]["for example"].split("; ")[0] == " + ".join(first.examples[0])
    assert "with the changes" not in table[0]


def test_resilience_rows_cut_long_lists_and_compare_with_the_changes(malik):
    rows = resilience(malik.graph)
    many = next(r for r in rows if r.count > 1)
    cell = next(t for t in appview.resilience_rows(rows, malik.inventory, shown=1)
                if t["thing"] == appview.label(malik.inventory, many.id))["for example"]
    assert cell == " + ".join(many.examples[0]) + f"; and {many.count - 1} more"
    items = [i for i in appview.checklist(malik, ["microsoft"]) if i.id == "backup-onedrive"]
    what = appview.what_if(malik, ["microsoft"], items)
    table = appview.resilience_rows(rows, malik.inventory, resilience(what.graph))
    photos = next(t for t in table if t["thing"].endswith("(photos)"))
    assert (photos["losses to lose it"], photos["with the changes"]) == ("1", "2")


# -- Import -------------------------------------------------------------------------


def test_import_notes_are_an_escaped_list():
    body = appview.import_notes_md(["Read 2 logins from <img src=x>.csv.", "Delete [it](javascript:x) now."])
    assert not unescaped_markup(body)
    assert unescape(body) == "- Read 2 logins from <img src=x>.csv.\n- Delete [it](javascript:x) now."
