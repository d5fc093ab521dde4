"""The interactive graph page: vis-network, offline, with user text kept as text.

The page is written here directly (no pyvis template): the nodes and edges
are one JSON document built in a single pass, so drawing n things costs
O(n + terms) in Python (pyvis's add_node/add_edge scan lists: quadratic).
vis-network itself is the copy bundled with pyvis, inlined, so the page
makes no request at all.

Safety rules this module enforces:
- node ids are synthetic (`n0`, `n1`...), never the inventory's ids;
- user text reaches the page only inside the JSON document, with `<`, `>`
  and `&` written as \\u escapes (no `</script>` can end the script), and
  the page's script puts it on screen only as canvas labels, plain-text
  tooltips (vis-network sets a string title as text) and `textContent`.

Readability: positions come from a layered layout computed once here
(what you hold -> phone numbers and accounts by dependency depth -> data and
purchases), tall layers wrap into sub-columns so the picture keeps the
shape of the view, physics is off, and the page fits the graph to the view
at first paint. The page draws the labels itself, never under 12 px on
screen and never over another label or a mark in full colour: the most
telling first (what the scenario takes, the lost part, critical things),
each below, above, right or left of its mark, wherever it fits; the rest
show as you zoom in, and every name is whole in the tooltip and the side
panel. A click highlights what the thing needs and what needs it.
"""

from __future__ import annotations

import html
import json
import math
import re
from dataclasses import dataclass
from importlib import resources

import networkx as nx

from identity_map.analysis.engine import DEGRADED, LOST, OK, RECOVERABLE, UNREACHABLE, Impact, compiled, impact
from identity_map.analysis.explain import why
from identity_map.analysis.takeover import SAFE, TAKEN, Takeover
from identity_map.analysis.takeover import why as takeover_why
from identity_map.format.model import MEMORY, login_role

COLORS = {
    LOST: "#d62728",
    RECOVERABLE: "#ff9f1c",
    DEGRADED: "#f2d024",
    OK: "#2ca02c",
    UNREACHABLE: "#9e9e9e",
}
SCENARIO_COLOR = "#7f0000"  # the ids the scenario loses, darker than their cascade
# Takeover mode: what the attacker holds is purple, the rest a quiet grey-blue.
TAKEOVER_COLORS = {TAKEN: "#7b1fa2", SAFE: "#b0bec5"}
GAINED_COLOR = "#38006b"  # what the attacker gained, darker than what it gives them
FALLEN_COLOR = "#b71c1c"  # the edges along which a lockout spreads
PATH_COLOR = "#d500f9"  # the edges of the attacker's path, brighter than the things
TAKEOVER_LABELS = {TAKEN: "taken by the attacker", SAFE: "safe"}
LABELS = {
    LOST: "lost",
    RECOVERABLE: "recoverable (only through recovery)",
    DEGRADED: "degraded (fewer ways in)",
    OK: "ok",
    UNREACHABLE: "unreachable even with nothing lost",
}
# Only shapes that draw the label below them: "box" or "database" grow with
# their label, and a long name would cover the neighbours.
SHAPES = {"memory": "star", "device": "hexagon", "place": "triangleDown", "phone": "diamond",
          "account": "dot", "data": "square", "purchase": "triangle", "person": "hexagon", "self": "star"}
# One cell per thing, in canvas units: a 16-letter label at 14 px. Small
# cells are what lets a household's hundred things fit a laptop's view with
# labels still 12 px on screen (longer names are shortened, never clipped).
CELL_W, CELL_H = 150, 52
LABEL_PX = 14  # canvas font size at scale 1
MIN_LABEL_PX = 12  # on screen, after fitting; the page's script keeps to it
MAX_LABEL_CHARS = 28  # a longer name is shortened on the canvas (the tooltip and the side panel hold it whole)
# The view's shape (width / height) the layout wraps towards.
ASPECT = 1.5
HOLD_KINDS = ("memory", "device", "place", "person", "self")  # the first band: what you hold
LAST_KINDS = ("data", "purchase")  # the last band: what the accounts hold


def node_id(index: int) -> str:
    return f"n{index}"


def _depths(G: nx.DiGraph) -> list[int]:
    """Dependency depth of each thing (roots 0) along its baseline support;
    unreachable things one past the deepest."""
    c = compiled(G)
    n = len(c.ids)
    depth = [0] * n
    # The baseline derivation order is a topological order of the support.
    for i in sorted((i for i in range(n) if c.base_avail[i]), key=lambda i: c.order[i]):
        if not c.is_root[i]:
            deps = [t for m in c.methods_of[i] if c.supports[m] for t in c.m_targets[m]]
            depth[i] = 1 + max((depth[t] for t in deps), default=-1)
    deepest = max(depth, default=0)
    return [d if c.base_avail[i] else deepest + 1 for i, d in enumerate(depth)]


def bands(G: nx.DiGraph) -> list[int]:
    """The column group of each thing: 0 for what you hold, then phone numbers
    and accounts by depth, then data and purchases together after all of
    them (one band: they are mostly leaves, and a band per depth would waste
    a column on one thing). Cost O(terms log terms).

    >>> from identity_map.format.load import load_text
    >>> from identity_map.analysis.graph import build_graph
    >>> G = build_graph(load_text("version: 1\\naccounts:\\n  a: {}\\ndata:\\n  d: {copies: [a]}\\n"))
    >>> bands(G)   # memory, a, d
    [0, 1, 2]
    """
    c = compiled(G)
    depth = _depths(G)
    kinds = [t.kind for t in c.things]
    last = max((d for d, k in zip(depth, kinds) if k not in HOLD_KINDS and k not in LAST_KINDS), default=0) + 1
    return [0 if k in HOLD_KINDS else last if k in LAST_KINDS else max(1, d) for d, k in zip(depth, kinds)]


def _rows_for(sizes: list[int]) -> int:
    """Rows per sub-column so the whole layout is closest to ASPECT: the row
    count maximising the scale at which it fits a view of that shape."""
    best, best_scale = 1, -1.0
    for rows in range(1, max(sizes, default=1) + 1):
        cols = sum(math.ceil(s / rows) for s in sizes if s)
        scale = min(ASPECT / (cols * CELL_W), 1 / (rows * CELL_H))
        if scale > best_scale:
            best, best_scale = rows, scale
    return best


def layout(G: nx.DiGraph) -> dict[str, tuple[float, float]]:
    """Positions for every thing, in canvas units: columns by band (see
    `bands`), each band wrapped into sub-columns of the same row count, and
    within a band sorted by the mean row of what it depends on, so edges
    mostly run left to right without crossing much. Deterministic; cost
    O(terms log terms) (the row count search is O(bands x tallest band)).
    Cached on the graph."""
    cached = G.graph.get("_layout")
    if cached is not None:
        return cached
    c = compiled(G)
    band = bands(G)
    members: dict[int, list[int]] = {}
    for i, b in enumerate(band):
        members.setdefault(b, []).append(i)
    rows = _rows_for([len(members[b]) for b in sorted(members)])
    row = [0.0] * len(c.ids)
    pos: dict[str, tuple[float, float]] = {}
    col0 = 0
    for b in sorted(members):
        group = members[b]
        if b > 0:
            def pull(i: int) -> float:
                deps = [t for m in c.methods_of[i] for t in c.m_targets[m] if band[t] < b]
                return sum(row[t] for t in deps) / len(deps) if deps else 0.0
            group.sort(key=pull)
        height = min(rows, len(group))
        for k, i in enumerate(group):
            col, r = divmod(k, rows)
            row[i] = r - (height - 1) / 2
            pos[c.ids[i]] = ((col0 + col) * CELL_W, row[i] * CELL_H)
        col0 += math.ceil(len(group) / rows)
    G.graph["_layout"] = pos
    return pos


def tooltip(result: Impact, thing_id: str) -> str:
    """The plain-text hover text of a thing: name, kind, status, why."""
    thing = result.compiled.inventory[thing_id]
    lines = [thing.name, f"{thing.kind}{' (critical)' if thing.critical else ''} - {result.status(thing_id)}"]
    explanation = why(result, thing_id)
    if explanation:
        lines.append(explanation)
    return "\n".join(lines)


def visible_ids(result: Impact, focus: bool) -> list[str]:
    """All ids, or with `focus` the blast radius (every thing not ok) and its
    direct neighbours; everything when nothing is affected."""
    hit = {tid for tid, s in result.statuses.items() if s not in (OK,)} - {"memory"}
    return _around(result.compiled, hit) if focus else list(result.compiled.ids)


def _around(c, hit: set[str]) -> list[str]:
    """`hit` and its direct neighbours in file order; everything when `hit` is empty."""
    if not hit:
        return list(c.ids)
    keep = set(hit)
    for tid in hit:
        i = c.index[tid]
        keep.update(c.ids[c.m_owner[m]] for m in c.users[i])
        keep.update(c.ids[t] for m in c.methods_of[i] for t in c.m_targets[m])
    return [tid for tid in c.ids if tid in keep]


@dataclass(frozen=True)
class GraphData:
    """What the page draws, ready for JSON: vis-network nodes and edges."""

    nodes: list[dict]
    edges: list[dict]


def graph_data(G: nx.DiGraph, result: Impact, focus: bool = False) -> GraphData:
    """The vis-network nodes and edges of the drawn things, built in one
    pass: O(drawn things + their terms).

    >>> from identity_map.format.load import load_text
    >>> from identity_map.analysis.graph import build_graph
    >>> G = build_graph(load_text("version: 1\\naccounts:\\n  mail: {}\\n  shop: {login: [email:mail]}\\n"))
    >>> d = graph_data(G, impact(G, ["mail"]))
    >>> [(n["id"], n["status"]) for n in d.nodes], [(e["from"], e["to"]) for e in d.edges]
    ([('n0', 'ok'), ('n1', 'lost'), ('n2', 'lost')], [('n0', 'n1'), ('n1', 'n2')])
    """
    c = compiled(G)

    def node_look(tid: str) -> dict:
        status = result.status(tid)
        return {"title": tooltip(result, tid), "status": status, "strong": status in (LOST, RECOVERABLE),
                "first": tid in result.scenario, "color": SCENARIO_COLOR if tid in result.scenario else COLORS[status]}

    def fallen(term: str, tid: str) -> bool:
        return result.status(term) == LOST and result.status(tid) in (LOST, RECOVERABLE)

    return _graph_data(G, visible_ids(result, focus), node_look, fallen, FALLEN_COLOR)


def _graph_data(G: nx.DiGraph, shown: list[str], node_look, thick, thick_color: str) -> GraphData:
    """The nodes of `shown` (laid out by `layout`, each with the title,
    status, strong and color of `node_look(id)`) and the edges between them,
    an edge drawn thick in `thick_color` when `thick(from_id, to_id)`.
    The one pass both the lockout and the takeover page draw from."""
    c = compiled(G)
    pos = layout(G)
    shown_set = set(shown)
    nodes, edges = [], []
    for tid in shown:
        thing = c.inventory[tid]
        x, y = pos[tid]
        nodes.append({"id": node_id(c.index[tid]), "label": thing.name, "x": x, "y": y,
                      "shape": SHAPES.get(thing.kind, "dot"), "critical": thing.critical, "kind": thing.kind,
                      **node_look(tid)})
        for role, methods in thing.roles:
            for method in methods:
                for term in dict.fromkeys(t.target for t in method.terms):
                    if term in shown_set and term != tid:
                        edges.append({"from": node_id(c.index[term]), "to": node_id(c.index[tid]),
                                      "dashes": not login_role(role), "title": f"{role}: {method}",
                                      "fallen": thick(term, tid), "color": thick_color})
    return GraphData(nodes, edges)


def script_json(value) -> str:
    """JSON safe inside a <script> element: `<`, `>`, `&` and the two JS line
    separators written as escapes, so no text can close the element.

    >>> script_json({"a": "</script>"})
    '{"a": "\\\\u003c/script\\\\u003e"}'
    """
    text = json.dumps(value, ensure_ascii=False)
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return text


# vis-network's stylesheet is 220 KB, nearly all of it images for the navigation buttons, the
# editing toolbar and the configurator, none of which the page shows; it keeps the rest (the tooltip).
_UNUSED_CSS = re.compile(r"navigation|manipulation|edit-mode|vis-close|configuration|color-picker")


def used_css(css: str) -> str:
    """The rules of vis-network's stylesheet `css` the page can use (its
    tooltip and overlays): every rule whose selector names none of the
    parts the page never shows. The stylesheet has no @-rules. Linear.

    >>> used_css("div.vis-tooltip{color:#000}div.vis-network div.vis-navigation{top:0}")
    'div.vis-tooltip{color:#000}'
    """
    return "".join(f"{selector}{{{body}}}" for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css)
                   if not _UNUSED_CSS.search(selector))


def _vis_bundle() -> tuple[str, str]:
    """vis-network's script and the stylesheet rules the page uses, as
    shipped inside pyvis (read once)."""
    global _BUNDLE
    if _BUNDLE is None:
        folder = resources.files("pyvis") / "lib" / "vis-9.1.2"
        _BUNDLE = ((folder / "vis-network.min.js").read_text("utf-8"),
                   used_css((folder / "vis-network.css").read_text("utf-8")))
    return _BUNDLE


_BUNDLE: tuple[str, str] | None = None

# The page's own script. `network` is global: the browser tests read it.
# What a framed graph page posts to the top window once it is drawn and fitted: nothing else.
GRAPH_DRAWN = "identity-map:graph-drawn"
_PAGE_JS = """
const DATA = %(data)s;
const CONF = %(conf)s;
const full = new Map(DATA.nodes.map(n => [n.id, n]));
const ins = new Map(), outs = new Map();
for (const e of DATA.edges) {
  if (!outs.has(e.from)) outs.set(e.from, []); outs.get(e.from).push(e.to);
  if (!ins.has(e.to)) ins.set(e.to, []); ins.get(e.to).push(e.from);
}
function strong(n) { return n.strong; }
function fade(hex) {
  const v = parseInt(hex.slice(1), 16);
  return 'rgba(' + (v >> 16) + ',' + ((v >> 8) & 255) + ',' + (v & 255) + ',0.35)';
}
// A mark's radius in canvas units, for labels of canvas size px: the fitted view's
// px (see `markPx`) keeps marks visible however far the fit zooms out; the lost part is larger.
function markSize(n, px) {
  return (strong(n) ? 1.25 : 1) * (n.critical ? 13 : 10) * Math.sqrt(px / CONF.labelPx);
}
function pale(n) { return CONF.anyLost && !strong(n) && n.status !== 'degraded'; }
// vis draws the marks and edges; the page draws the labels itself (see `placeLabels`).
function look(n, px, dim) {
  const fill = dim || pale(n) ? fade(n.color) : n.color;
  return {id: n.id, title: n.title, x: n.x, y: n.y, shape: n.shape, fixed: true,
          color: {background: fill, border: n.critical ? '#111111' : fill,
                  highlight: {background: n.color, border: '#000000'}, hover: {background: n.color, border: '#000000'}},
          borderWidth: n.critical ? 4 : 1, size: markSize(n, px)};
}
function edgeLook(e, i, dim) {
  return {id: 'e' + i, from: e.from, to: e.to, dashes: e.dashes, title: e.title,
          color: {color: e.fallen ? e.color : '#8a8a8a', opacity: dim ? 0.12 : (e.fallen ? 0.95 : 0.55)},
          width: e.fallen ? 2.5 : 1};
}
// Which labels are drawn, and where: the most telling first (what the scenario
// takes, then the lost part, critical things, then the file's order), each at
// CONF.minPx + 1.2 px on screen (larger when zoomed in), whole up to
// CONF.maxChars, below, above, right or left of its mark: the first of those
// that lies inside the view and covers no other label and no mark in full
// colour (labels may cover edges and the pale marks of what the scenario
// spares; what the scenario takes is labelled over any mark). The rest show
// on zoom, on hover (the tooltip) and on click (the side panel). A greedy
// pass over a grid of screen cells: O(drawn things) per zoom. `LABELS` holds
// the result (the browser tests read it): id, text, screen box, font px.
const ORDER = DATA.nodes.map((n, i) => [(n.first ? 0 : 8) + (strong(n) ? 0 : 4) +
  (n.critical ? 0 : 2) + (n.status === 'lost' ? 0 : 1), i, n]).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map(x => x[2]);
const measure = document.createElement('canvas').getContext('2d');
const FONT = 'px arial';
function shortName(label) {
  return label.length > CONF.maxChars ? label.slice(0, CONF.maxChars - 1) + '\u2026' : label;
}
function overlaps(q, r) { return q[0] < r[2] && r[0] < q[2] && q[1] < r[3] && r[1] < q[3]; }
var LABELS = [];
function placeLabels(scale) {
  const px = Math.max(CONF.labelPx, (CONF.minPx + 1.2) / scale), screenPx = px * scale;  // px: in canvas units
  const view = container.getBoundingClientRect(), cell = 64, grid = new Map();
  const keys = r => {
    const out = [];
    for (let gx = Math.floor(r[0] / cell); gx <= Math.floor(r[2] / cell); gx++)
      for (let gy = Math.floor(r[1] / cell); gy <= Math.floor(r[3] / cell); gy++) out.push(gx + ',' + gy);
    return out;
  };
  const add = r => { for (const k of keys(r)) { if (!grid.has(k)) grid.set(k, []); grid.get(k).push(r); } };
  const free = r => keys(r).every(k => (grid.get(k) || []).every(q => !overlaps(q, r)));
  const placed = [], pos = network.getPositions(), at = new Map();
  for (const n of DATA.nodes) {  // each mark's centre and radius on screen
    const p = network.canvasToDOM(pos[n.id]), r = markSize(n, markPx) * scale;
    at.set(n.id, [p, r]);
    if (!pale(n)) add([p.x - r - 2, p.y - r - 2, p.x + r + 2, p.y + r + 2]);
  }
  measure.font = screenPx + FONT;
  const h = Math.ceil(screenPx * 1.25) + 2;
  for (const n of ORDER) {
    const [p, radius] = at.get(n.id), text = shortName(n.label), m = radius + 3;
    if (p.x < 0 || p.y < 0 || p.x > view.width || p.y > view.height) continue;
    const w = Math.ceil(measure.measureText(text).width) + 6;
    for (const r of [[p.x - w / 2, p.y + m, p.x + w / 2, p.y + m + h], [p.x - w / 2, p.y - m - h, p.x + w / 2, p.y - m],
                     [p.x + m, p.y - h / 2, p.x + m + w, p.y + h / 2], [p.x - m - w, p.y - h / 2, p.x - m, p.y + h / 2]]) {
      if (r[0] < 0 || r[1] < 0 || r[2] > view.width || r[3] > view.height) continue;
      if (n.first ? placed.some(q => overlaps(q.box, r)) : !free(r)) continue;
      add(r);
      placed.push({id: n.id, text: text, box: r, px: screenPx});
      break;
    }
  }
  return placed;
}
const nodes = new vis.DataSet(DATA.nodes.map(n => look(n, CONF.labelPx, false)));
const edges = new vis.DataSet(DATA.edges.map((e, i) => edgeLook(e, i, false)));
const container = document.getElementById('mynetwork');
var network = new vis.Network(container, {nodes: nodes, edges: edges}, {
  physics: {enabled: false}, layout: {improvedLayout: false},
  interaction: {hover: true, tooltipDelay: 150, zoomView: true, dragView: true, dragNodes: false},
  edges: {arrows: {to: {enabled: true, scaleFactor: 0.5}}, smooth: false}
});
// Marks keep the size the fitted view gave them (a zoom redraws only the labels: updating
// thousands of vis nodes per zoom step would take seconds).
let markPx = CONF.labelPx, picked = null, near = null, placedFor = '';
// The labels are placed again whenever the view moved, just before vis draws the frame.
function restyle() {
  const at = network.getViewPosition(), view = network.getScale() + ',' + at.x + ',' + at.y;
  if (view !== placedFor) { LABELS = placeLabels(network.getScale()); placedFor = view; }
}
function relook() {
  near = picked ? reach(picked) : null;
  nodes.update(DATA.nodes.map(n => look(n, markPx, near !== null && !near.has(n.id))));
}
network.on('beforeDrawing', restyle);
// The labels, drawn over the graph in canvas units, each in the middle of its box, with a white halo.
network.on('afterDrawing', ctx => {
  const s = network.getScale();
  ctx.save();
  ctx.textAlign = 'center'; ctx.textBaseline = 'middle'; ctx.lineJoin = 'round';
  ctx.lineWidth = 4 / s; ctx.strokeStyle = '#ffffff';
  for (const label of LABELS) {
    const b = label.box, c = network.DOMtoCanvas({x: (b[0] + b[2]) / 2, y: (b[1] + b[3]) / 2});
    ctx.font = (label.px / s) + FONT;
    ctx.fillStyle = near !== null && !near.has(label.id) ? '#444444' : '#111111';
    ctx.strokeText(label.text, c.x, c.y);
    ctx.fillText(label.text, c.x, c.y);
  }
  ctx.restore();
});
function reach(id) {
  const seen = new Set([id]);
  for (const adj of [ins, outs]) {
    const todo = [id], here = new Set([id]);
    while (todo.length) for (const next of adj.get(todo.pop()) || []) if (!here.has(next)) {
      here.add(next); seen.add(next); todo.push(next);
    }
  }
  return seen;
}
function show(id) {
  const panel = document.getElementById('info');
  picked = id;
  relook();
  edges.update(DATA.edges.map((e, i) => edgeLook(e, i, near !== null && !(near.has(e.from) && near.has(e.to)))));
  if (!id) { panel.style.display = 'none'; return; }
  panel.textContent = full.get(id).title + '\\n\\n(highlighted: what it needs and what needs it; click the background to clear)';
  panel.style.display = 'block';
}
network.on('click', p => show(p.nodes.length ? p.nodes[0] : null));
network.once('afterDrawing', () => {
  network.fit({animation: false});
  markPx = Math.max(CONF.labelPx, (CONF.minPx + 1.2) / network.getScale());
  relook();
  restyle();
  network.redraw();
  document.body.dataset.fitted = '1';
  performance.mark(%(drawn)s);  // when the graph as the person sees it was drawn (benchmarks/bench_app.py)
  if (window.top !== window) window.top.postMessage(%(drawn)s, '*');  // for the launcher's first graph (server/prepaint.py)
});
"""

_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'%(script_hosts)s; style-src 'unsafe-inline'; img-src data: blob:">
<title>identity-map graph</title>
<style>%(css)s
html, body {margin: 0; padding: 0; font-family: sans-serif; background: #ffffff; color: #111111;}
#mynetwork {position: relative; width: 100%%; height: %(height)s; border-top: 1px solid #dddddd;}
#info {display: none; position: absolute; left: 8px; bottom: 8px; max-width: 46%%; max-height: 45%%; overflow: auto;
  white-space: pre-wrap; font: 13px/1.35 sans-serif; color: #111111; background: rgba(255,255,255,0.95);
  border: 1px solid #999999; border-radius: 4px; padding: 6px 8px; z-index: 5;}
div.vis-tooltip {white-space: pre-wrap; max-width: 420px; font: 13px sans-serif; color: #111111;}
</style></head>
<body>
%(legend)s
<div style="position: relative"><div id="mynetwork"></div><div id="info" role="status"></div></div>
%(vis)s
<script>%(js)s</script>
</body></html>
"""


# The app's own copy of vis-network (app.py's folder static/, served by Streamlit on loopback and
# cached by the browser): the app's pages load it by this path instead of holding it inline.
APP_VIS_SRC = "/app/static/vis-network.min.js"
# Where the app's page may load it from: the Streamlit server, on this machine only.
LOOPBACK_SCRIPTS = " http://127.0.0.1:* http://localhost:*"


def render_html(G: nx.DiGraph, result: Impact | None = None, *, focus: bool = False,
                height: str = "720px", vis_src: str | None = None) -> str:
    """A standalone HTML page of the graph coloured by `result`'s statuses
    (the baseline when None). Makes no network request; with `vis_src` (the
    app: APP_VIS_SRC) vis-network is loaded from that path on the loopback
    server instead of inline, a page 470 KB lighter. Cost: linear in the
    drawn things and terms (plus the layout, computed once per graph).

    >>> from identity_map.format.load import load_text
    >>> from identity_map.analysis.graph import build_graph
    >>> page = render_html(build_graph(load_text("version: 1\\naccounts:\\n  mail: {}\\n")))
    >>> any(f'{attr}="http' in page for attr in ("src", "href"))   # no CDN link
    False
    """
    result = result if result is not None else impact(G)
    return _page(graph_data(G, result, focus), bool(result.lost), height, legend_html(), vis_src)


def _page(data: GraphData, any_hit: bool, height: str, legend: str, vis_src: str | None = None) -> str:
    """The standalone page drawing `data`; with `any_hit`, what is not
    strong is faded; with `vis_src`, vis-network comes from that loopback path."""
    vis_js, vis_css = _vis_bundle()
    conf = {"labelPx": LABEL_PX, "minPx": MIN_LABEL_PX, "maxChars": MAX_LABEL_CHARS, "anyLost": any_hit}
    js = _PAGE_JS % {"data": script_json({"nodes": data.nodes, "edges": data.edges}), "conf": script_json(conf),
                     "drawn": script_json(GRAPH_DRAWN)}
    vis = f'<script src="{html.escape(vis_src)}"></script>' if vis_src else f"<script>{vis_js}</script>"
    return _PAGE % {"css": vis_css, "height": html.escape(height), "legend": legend, "vis": vis, "js": js,
                    "script_hosts": LOOPBACK_SCRIPTS if vis_src else ""}


def legend_html(entries: list[tuple[str, str]] | None = None, edges: str = "") -> str:
    """The colour legend (the lockout statuses unless `entries`, a list of
    (label, colour)); fixed text, no user input."""
    entries = entries if entries is not None else \
        [(LABELS[s].split(" (")[0], COLORS[s]) for s in COLORS] + [("lost in the scenario", SCENARIO_COLOR)]
    items = "".join(
        f'<span style="display:inline-block;margin-right:10px"><span style="display:inline-block;width:11px;'
        f'height:11px;border-radius:6px;background:{color};margin-right:3px;vertical-align:-1px"></span>'
        f'{html.escape(label)}</span>'
        for label, color in entries
    )
    return (f'<div id="legend" style="font:12px sans-serif;color:#222;padding:3px 6px">{items}'
            f'<span style="color:#333">dashed: recovery · thick border: critical{html.escape(edges)} · '
            'what you hold → accounts → data and purchases · click a thing for its path</span></div>')


def takeover_html(G: nx.DiGraph, result: Takeover, *, focus: bool = False, height: str = "720px",
                  vis_src: str | None = None) -> str:
    """The graph page of a takeover: the same graph, layout and script as the
    lockout page, taken things in purple (the gained ones darker), and the
    attacker's path (each taken thing's way in) drawn as thick purple edges.
    With `focus`, only what is taken and its neighbours. Makes no network
    request (`vis_src`: as in `render_html`). Cost: linear in the drawn things and terms.

    >>> from identity_map.format.load import load_text
    >>> from identity_map.analysis.graph import build_graph
    >>> from identity_map.analysis.takeover import takeover
    >>> G = build_graph(load_text("version: 1\\naccounts:\\n  mail: {}\\n  shop: {login: [email:mail]}\\n"))
    >>> page = takeover_html(G, takeover(G, ["mail"]))
    >>> PATH_COLOR in page, any(f'{attr}="http' in page for attr in ("src", "href"))
    (True, False)
    """
    c = compiled(G)
    shown = _around(c, set(result.taken) - {MEMORY}) if focus else list(c.ids)
    path = {(target, owner) for owner, node in result.path.items() for target in G.predecessors(node)}

    def node_look(tid: str) -> dict:
        thing, status = c.inventory[tid], result.status(tid)
        lines = [thing.name, f"{thing.kind}{' (critical)' if thing.critical else ''} - {status}"]
        if status == TAKEN:
            lines.append(takeover_why(result, tid))
        return {"title": "\n".join(lines), "status": status, "strong": status == TAKEN,
                "first": tid in result.gained, "color": GAINED_COLOR if tid in result.gained else TAKEOVER_COLORS[status]}

    data = _graph_data(G, shown, node_look, lambda target, tid: (target, tid) in path, PATH_COLOR)
    legend = legend_html([(TAKEOVER_LABELS[TAKEN], TAKEOVER_COLORS[TAKEN]), ("gained by the attacker", GAINED_COLOR),
                          (TAKEOVER_LABELS[SAFE], TAKEOVER_COLORS[SAFE])], " · thick purple edge: the attacker's path")
    return _page(data, bool(result.taken), height, legend, vis_src)


def sandboxed(page: str) -> str:
    """`page` inside an iframe of its own with `sandbox="allow-scripts"`:
    the graph's scripts run, but in an opaque origin, so they can never
    reach the page that embeds it. The app needs this because Streamlit's
    `st.iframe` always grants `allow-same-origin` to HTML it embeds, which
    would give the graph's scripts the app's origin (its DOM, its editor).
    The wrapper itself holds no script. Cost: one escape of the page.

    >>> wrapper = sandboxed("<p title='x'>&</p>")
    >>> 'sandbox="allow-scripts"' in wrapper and "<script" not in wrapper
    True
    """
    return ('<!doctype html><html><head><meta charset="utf-8"><style>'
            "html,body{margin:0;padding:0;height:100%;overflow:hidden}"
            "iframe{border:0;width:100%;height:100%;display:block}</style></head><body>"
            # inside a double-quoted attribute only & and " need escaping (a smaller page to parse)
            f'<iframe sandbox="allow-scripts" title="graph" srcdoc="{page.replace("&", "&amp;").replace(chr(34), "&quot;")}"></iframe>'
            "</body></html>")
