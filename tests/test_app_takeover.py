"""The Takeover view beside Lockout on the Blast radius page: presets,
figures from the library, the graph coloured by what is taken with the
attacker's path, the exposure ranking, and the takeover column of the
Resilience page."""

from __future__ import annotations

from app_support import EXAMPLES, unescape
from identity_map.analysis.graph import build_graph
from identity_map.analysis.takeover import exposure, takeover
from identity_map.format.load import load_file
from identity_map.output.render import GAINED_COLOR, PATH_COLOR
from identity_map.output.report import money
from test_app import TAKEOVER_METRICS, folder, goto, metrics, rerun, start, table  # noqa: F401


def takeover_metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric if m.label in TAKEOVER_METRICS}


def start_takeover():
    """The app on the Blast radius page's Takeover view (one view is drawn at a time)."""
    at = start()
    at.radio(key="blast_view").set_value("Takeover")
    return rerun(at)


def expected(gained) -> dict[str, str]:
    G = build_graph(load_file(EXAMPLES / "malik.yaml"))
    s = takeover(G, gained).summary
    return {"Taken": str(s.counts["taken"]), "Safe": str(s.counts["safe"]),
            "Money taken": money(s.money_taken), "Critical taken": str(len(s.critical_taken))}


def test_takeover_opens_on_the_most_exposed_thing_and_shows_the_library_figures(folder):
    at = start_takeover()
    worst = exposure(build_graph(load_file(EXAMPLES / "malik.yaml")))[0].id
    assert at.multiselect(key="gain").value == [worst]
    assert takeover_metrics(at) == expected([worst])
    assert metrics(at) == {}  # the Lockout view is not drawn beside it
    (page,) = (f.proto.srcdoc for f in at.get("iframe"))
    assert PATH_COLOR in page and GAINED_COLOR in page and "taken by the attacker" in page
    # the same renderer and sandbox as the lockout graph: no pyvis template, an opaque origin
    assert 'sandbox="allow-scripts"' in page and "vis.Network" in page
    rows = table(at, "also taken")
    assert list(rows["id"])[0] == worst


def test_the_sim_swap_preset_explains_the_sms_recovery(folder):
    at = start_takeover()
    at.selectbox(key="attack_mode").set_value("sim-swap")
    rerun(at)
    assert at.selectbox(key="pick_sim-swap").value == "mobile"
    assert takeover_metrics(at) == expected(["mobile"])
    at.selectbox(key="taken_explain").set_value("microsoft")
    rerun(at)
    text = " ".join(unescape(m.value) for m in at.markdown)
    assert 'recovery "sms:mobile" works for the attacker: mobile is taken (SIM swap)' in text


def test_the_reused_password_preset_needs_no_pick(folder):
    at = start_takeover()
    at.selectbox(key="attack_mode").set_value("reused-password")
    rerun(at)
    assert takeover_metrics(at) == expected(["memory"])


def test_the_resilience_page_shows_the_gains_beside_the_losses(folder):
    at = goto(start(), "Resilience")
    rows = table(at, "gains to take it")
    assert "losses to lose it" in rows.columns and "for example, gaining" in rows.columns
    assert set(rows["gains to take it"]) <= {"1", "2", "3", "more than 3"}


def test_the_view_and_the_attack_are_kept_across_pages(folder):
    at = start_takeover()
    at.selectbox(key="attack_mode").set_value("reused-password")
    rerun(at)
    goto(at, "Ranking")
    assert not at.get("iframe")
    goto(at, "Blast radius")
    assert at.radio(key="blast_view").value == "Takeover"
    assert takeover_metrics(at) == expected(["memory"])
    at.radio(key="blast_view").set_value("Lockout")
    rerun(at)
    assert takeover_metrics(at) == {} and metrics(at)
