"""The graph page: offline, coloured, and user text never becomes markup."""

import re

from identity_map.analysis.engine import impact
from identity_map.analysis.graph import build_graph
from identity_map.format.load import load_text
from identity_map.output.render import COLORS, SCENARIO_COLOR, layout, render_html, visible_ids

PAYLOAD = "</script><img src=x onerror=alert(1)>"


def evil_graph():
    return build_graph(load_text(
        "version: 1\n"
        f"owner: '{PAYLOAD}'\n"
        "accounts:\n"
        f"  mail: {{name: '{PAYLOAD}', notes: '<a href=\"javascript:alert(2)\">x</a>'}}\n"
        f"  shop: {{name: 'href <b>bold</b>', login: [email:mail]}}\n"
    ))


def test_no_request_leaves_the_page():
    page = render_html(evil_graph())
    tags = re.findall(r"<(?:script|link|img|iframe)\b[^>]*>", page, re.IGNORECASE)
    assert all("http" not in t for t in tags), [t for t in tags if "http" in t]


def test_user_text_is_never_markup():
    G = evil_graph()
    page = render_html(G, impact(G, ["mail"]))
    assert "<img src=x" not in page
    assert "<b>bold</b>" not in page
    # the only way pyvis turns tooltips into HTML is a title containing "href"
    assert "tooltip_link" not in page and "popup.innerHTML" not in page
    # ids in the page are synthetic
    assert '"id": "mail"' not in page and '"id": "n1"' in page


def test_colours_follow_statuses():
    G = evil_graph()
    page = render_html(G, impact(G, ["mail"]))
    assert SCENARIO_COLOR in page and COLORS["lost"] in page  # mail, then shop
    assert 'id="legend"' in page


def test_physics_off_and_positions_given():
    G = evil_graph()
    page = render_html(G)
    assert '"physics": {"enabled": false}' in page
    pos = layout(G)
    assert pos["memory"][0] == 0 and pos["shop"][0] > pos["mail"][0]


def test_focus_shows_the_blast_radius_and_neighbours():
    G = build_graph(load_text("version: 1\naccounts:\n  a: {}\n  b: {login: [email:a]}\n  c: {}\n"))
    assert set(visible_ids(impact(G, ["a"]), focus=True)) == {"a", "b", "memory"}
    assert set(visible_ids(impact(G, ["a"]), focus=False)) == {"a", "b", "c", "memory"}
