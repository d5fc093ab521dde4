"""identity_map.appview: what the app shows, as plain functions."""

from __future__ import annotations

import pytest

from app_support import EXAMPLES, XSS, unescape, unescaped_markup
from identity_map import appview
from identity_map.engine import impact, rank
from identity_map.load import Problem
from identity_map.render import COLORS

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


def test_lose_options_are_losable_things_then_memory(malik):
    options = appview.lose_options(malik.inventory)
    assert options[-1] == "memory"
    assert {"microsoft", "iphone", "mobile"} <= set(options)
    assert not {"photos", "xbox-library"} & set(options)


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
    assert appview.method_rows(result, "iphone") == []


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
    whole = appview.graph_page(malik, ["carrier"], focus=False)
    focused = appview.graph_page(malik, ["carrier"], focus=True)
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
