"""The graph page: offline, coloured, and user text never becomes markup."""

import json
import re
from pathlib import Path

from identity_map.analysis.engine import impact
from identity_map.analysis.graph import build_graph
from identity_map.format.load import load_text
from identity_map.analysis.engine import compiled
from identity_map.analysis.takeover import takeover
from identity_map.output.render import (
    CELL_H, CELL_W, COLORS, GAINED_COLOR, PATH_COLOR, SCENARIO_COLOR, TAKEOVER_COLORS, bands, graph_data, layout,
    render_html, script_json, takeover_html, visible_ids,
)

ROOT = Path(__file__).resolve().parent.parent
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
    assert "physics: {enabled: false}" in page
    pos = layout(G)
    assert pos["memory"][0] == 0 and pos["shop"][0] > pos["mail"][0]


def test_layout_bands_what_you_hold_then_accounts_then_data_and_purchases():
    G = build_graph(load_text(
        "version: 1\ndevices:\n  phone: {}\nphones:\n  num: {device: phone}\n"
        "accounts:\n  mail: {login: [password + sms:num]}\n  shop: {login: [email:mail]}\n"
        "data:\n  pics: {copies: [phone]}\n  key: {copies: [mail]}\n"
        "purchases:\n  game: {account: shop}\n"))
    band = dict(zip(compiled(G).ids, bands(G)))
    assert band["memory"] == band["phone"] == 0
    accounts = max(band[t] for t in ("num", "mail", "shop"))
    # data held only by a device still goes after every account
    assert min(band[t] for t in ("pics", "key", "game")) > accounts
    assert band["shop"] > band["mail"] > band["num"] > 0


def test_tall_layers_wrap_towards_the_shape_of_the_view():
    text = "version: 1\naccounts:\n" + "".join(f"  a{i}: {{}}\n" for i in range(60))
    pos = layout(build_graph(load_text(text)))
    xs = sorted({x for x, _ in pos.values()})
    ys = {y for _, y in pos.values()}
    width, height = (max(xs) - min(xs)) + CELL_W, (max(ys) - min(ys)) + CELL_H
    assert len(xs) > 2, "sixty accounts in one column would be a strip"
    assert 0.8 < width / height < 3.2


def test_script_json_cannot_close_the_script():
    text = script_json({"label": PAYLOAD + "\u2028&"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == {"label": PAYLOAD + "\u2028&"}


def test_the_payload_is_only_in_the_data_document():
    G = evil_graph()
    page = render_html(G, impact(G, ["mail"]))
    data = json.loads(re.search(r"const DATA = (.*);\n", page).group(1))
    assert PAYLOAD in {n["label"] for n in data["nodes"]}
    assert "onerror=alert" not in page.replace(script_json(data), "")


def test_graph_data_is_one_pass_per_term():
    # 2,000 accounts each naming the hub: one edge per term, ids synthetic.
    text = "version: 1\naccounts:\n  hub: {}\n" + "".join(f"  a{i}: {{login: [email:hub]}}\n" for i in range(2000))
    G = build_graph(load_text(text))
    data = graph_data(G, impact(G, ["hub"]))
    assert len(data.nodes) == 2002 and len(data.edges) == 2001
    assert all(e["fallen"] for e in data.edges if e["from"] == "n1")
    assert {n["id"] for n in data.nodes} == {f"n{i}" for i in range(2002)}


def test_focus_shows_the_blast_radius_and_neighbours():
    G = build_graph(load_text("version: 1\naccounts:\n  a: {}\n  b: {login: [email:a]}\n  c: {}\n"))
    assert set(visible_ids(impact(G, ["a"]), focus=True)) == {"a", "b", "memory"}
    assert set(visible_ids(impact(G, ["a"]), focus=False)) == {"a", "b", "c", "memory"}


def test_the_takeover_page_is_the_same_renderer_with_the_attackers_path():
    # A chain of resets: shop recovers through mail, notes only through shop.
    G = build_graph(load_text(
        "version: 1\n"
        "accounts:\n"
        f"  mail: {{name: '{PAYLOAD}'}}\n"
        "  shop: {login: [password], recovery: [email:mail]}\n"
        "  notes: {login: [password:shop]}\n"
        "  safe: {login: [password]}\n"
    ))
    page = takeover_html(G, takeover(G, ["mail"]))
    data = json.loads(re.search(r"const DATA = (.*);\n", page).group(1))
    ids = {n["label"]: n["id"] for n in data["nodes"]}
    by_id = {n["id"]: n for n in data["nodes"]}
    assert by_id[ids[PAYLOAD]]["color"] == GAINED_COLOR
    assert by_id[ids["shop"]]["color"] == by_id[ids["notes"]]["color"] == TAKEOVER_COLORS["taken"]
    assert by_id[ids["safe"]]["color"] == TAKEOVER_COLORS["safe"] and not by_id[ids["safe"]]["strong"]
    thick = {(e["from"], e["to"]) for e in data["edges"] if e["fallen"]}
    assert thick == {(ids[PAYLOAD], ids["shop"]), (ids["shop"], ids["notes"])}
    assert all(e["color"] == PATH_COLOR for e in data["edges"])
    # the lockout page's safety: no pyvis template, user text only inside the data document
    assert "onerror=alert" not in page.replace(script_json(data), "") and "tooltip_link" not in page
    assert "taken by the attacker" in page and "thick purple edge" in page


def test_the_apps_copy_of_vis_network_is_pyviss_and_its_pages_load_it_from_loopback_only():
    from importlib import resources

    from identity_map.output.render import APP_VIS_SRC, _vis_bundle

    shipped = (resources.files("pyvis") / "lib" / "vis-9.1.2" / "vis-network.min.js").read_text("utf-8")
    assert (ROOT / "static" / Path(APP_VIS_SRC).name).read_text("utf-8") == shipped
    G = build_graph(load_text("version: 1\naccounts:\n  mail: {}\n"))
    inline, served = render_html(G), render_html(G, vis_src=APP_VIS_SRC)
    vis_js = _vis_bundle()[0]
    assert vis_js in inline and vis_js not in served
    assert f'<script src="{APP_VIS_SRC}"></script>' in served
    csp = re.search(r'Content-Security-Policy" content="([^"]*)"', served).group(1)
    sources = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert sources["script-src"].split() == ["'unsafe-inline'", "http://127.0.0.1:*", "http://localhost:*"]
    assert sources["default-src"] == "'none'"
    assert "http" not in re.search(r'Content-Security-Policy" content="([^"]*)"', inline).group(1)


def test_the_page_keeps_only_the_tooltips_css():
    from identity_map.output.render import _vis_bundle

    css = _vis_bundle()[1]
    assert "div.vis-tooltip{" in css and "visibility:hidden" in css
    assert len(css) < 2000 and "base64" not in css
