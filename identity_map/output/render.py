"""The interactive graph page: pyvis, offline, with user text kept as text.

Safety rules this module enforces (pyvis 0.3.2 is unmaintained and trusts
its input):
- node ids are synthetic (`n0`, `n1`...): pyvis writes ids raw into menus;
- `heading` stays empty: pyvis writes it raw into the page;
- user text goes only into labels (drawn on the canvas) and plain-text
  titles; a title containing "href" would switch pyvis to innerHTML
  tooltips for every node, so that word is broken with a zero-width space;
- `cdn_resources="in_line"` embeds vis-network, and the Bootstrap links the
  template still adds are stripped, so the page makes no request at all.

Big graphs: positions come from a layered layout computed here in linear
time (roots left, what depends on them to the right) and physics is off, so
the browser draws at once instead of simulating for minutes.
"""

from __future__ import annotations

import html
import json
import re

import networkx as nx
from pyvis.network import Network

from identity_map.analysis.engine import DEGRADED, LOST, OK, RECOVERABLE, UNREACHABLE, Impact, compiled, impact
from identity_map.analysis.explain import why

COLORS = {
    LOST: "#d62728",
    RECOVERABLE: "#ff9f1c",
    DEGRADED: "#f2d024",
    OK: "#2ca02c",
    UNREACHABLE: "#9e9e9e",
}
SCENARIO_COLOR = "#7f0000"  # the ids the scenario loses, darker than their cascade
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
          "account": "dot", "data": "square", "purchase": "triangle"}
_CDN = re.compile(r"<(link|script)\b[^>]*\bhttps?://[^>]*>(\s*</script>)?", re.IGNORECASE)
X_GAP, Y_GAP = 260, 70


def node_id(index: int) -> str:
    return f"n{index}"


def layout(G: nx.DiGraph) -> dict[str, tuple[float, float]]:
    """Positions for every thing: x by dependency layer (roots at 0), y by
    order within the layer, sorted by the mean y of what it depends on.
    Deterministic; cost O(terms log terms). Cached on the graph."""
    cached = G.graph.get("_layout")
    if cached is not None:
        return cached
    c = compiled(G)
    n = len(c.ids)
    layer = [0] * n
    # The baseline derivation order is a topological order of the support;
    # unreachable things go one layer past the deepest.
    avail_order = sorted((i for i in range(n) if c.base_avail[i]), key=lambda i: c.order[i])
    for i in avail_order:
        deps = [t for m in c.methods_of[i] if c.supports[m] for t in c.m_targets[m]]
        layer[i] = 1 + max((layer[t] for t in deps), default=-1) if not c.is_root[i] else 0
    deepest = max(layer, default=0)
    for i in range(n):
        if not c.base_avail[i]:
            layer[i] = deepest + 1
    by_layer: dict[int, list[int]] = {}
    for i in range(n):
        by_layer.setdefault(layer[i], []).append(i)
    y = [0.0] * n
    pos: dict[str, tuple[float, float]] = {}
    for L in sorted(by_layer):
        members = by_layer[L]
        if L > 0:
            def pull(i: int) -> float:
                deps = [t for m in c.methods_of[i] for t in c.m_targets[m] if layer[t] < L]
                return sum(y[t] for t in deps) / len(deps) if deps else 0.0
            members.sort(key=pull)
        offset = (len(members) - 1) / 2
        for k, i in enumerate(members):
            y[i] = (k - offset) * Y_GAP
            pos[c.ids[i]] = (L * X_GAP, y[i])
    G.graph["_layout"] = pos
    return pos


def _plain(text: str) -> str:
    return text.replace("href", "hre\u200bf")


def tooltip(result: Impact, thing_id: str) -> str:
    """The plain-text hover text of a thing: name, kind, status, why."""
    thing = result.compiled.inventory[thing_id]
    status = result.status(thing_id)
    lines = [thing.name, f"{thing.kind}{' (critical)' if thing.critical else ''} - {status}"]
    explanation = why(result, thing_id)
    if explanation:
        lines.append(explanation)
    return _plain("\n".join(lines))


def visible_ids(result: Impact, focus: bool) -> list[str]:
    """All ids, or with `focus` the blast radius (every thing not ok) and its
    direct neighbours; everything when nothing is affected."""
    c = result.compiled
    if not focus:
        return list(c.ids)
    hit = {tid for tid, s in result.statuses.items() if s not in (OK,)} - {"memory"}
    if not hit:
        return list(c.ids)
    keep = set(hit)
    for tid in hit:
        i = c.index[tid]
        keep.update(c.ids[c.m_owner[m]] for m in c.users[i])
        keep.update(c.ids[t] for m in c.methods_of[i] for t in c.m_targets[m])
    return [tid for tid in c.ids if tid in keep]


def render_html(G: nx.DiGraph, result: Impact | None = None, *, focus: bool = False,
                height: str = "720px") -> str:
    """A standalone HTML page of the graph coloured by `result`'s statuses
    (the baseline when None). Makes no network request. Cost: linear in the
    drawn things and terms.

    >>> from identity_map.format.load import load_text
    >>> from identity_map.analysis.graph import build_graph
    >>> page = render_html(build_graph(load_text("version: 1\\naccounts:\\n  mail: {}\\n")))
    >>> any(f'{attr}="http' in page for attr in ("src", "href"))   # no CDN link
    False
    """
    result = result if result is not None else impact(G)
    c = compiled(G)
    pos = layout(G)
    shown = visible_ids(result, focus)
    shown_set = set(shown)
    net = Network(height=height, width="100%", directed=True, cdn_resources="in_line", heading="")
    for tid in shown:
        thing = c.inventory[tid]
        status = result.status(tid)
        color = SCENARIO_COLOR if tid in result.scenario else COLORS[status]
        x, y = pos[tid]
        net.add_node(node_id(c.index[tid]), label=thing.name, title=tooltip(result, tid),
                     color=color, shape=SHAPES.get(thing.kind, "dot"), x=x, y=y,
                     borderWidth=4 if thing.critical else 1, size=18 if thing.critical else 12)
    for tid in shown:
        thing = c.inventory[tid]
        for role, methods in (("login", thing.login), ("recovery", thing.recovery)):
            for method in methods:
                for term in method.terms:
                    if term.target in shown_set and term.target != tid:
                        net.add_edge(node_id(c.index[term.target]), node_id(c.index[tid]),
                                     label=term.kind or "", dashes=role == "recovery",
                                     color="#888888", title=_plain(f"{role}: {method}"))
    net.set_options(json.dumps({
        "physics": {"enabled": False},
        "layout": {"improvedLayout": False},
        "interaction": {"hover": True, "tooltipDelay": 150},
        "edges": {"arrows": {"to": {"enabled": True, "scaleFactor": 0.5}}, "smooth": False,
                  "font": {"size": 10, "align": "middle"}},
        "nodes": {"font": {"size": 14}},
    }))
    page = _CDN.sub("", net.generate_html())
    return page.replace("<body>", "<body>\n" + legend_html(), 1)


def legend_html() -> str:
    """The colour legend; fixed text, no user input."""
    items = "".join(
        f'<span style="display:inline-block;margin-right:14px"><span style="display:inline-block;width:12px;'
        f'height:12px;border-radius:6px;background:{color};margin-right:4px"></span>{html.escape(label)}</span>'
        for label, color in [(LABELS[s], COLORS[s]) for s in COLORS] + [("lost in the scenario", SCENARIO_COLOR)]
    )
    return (f'<div id="legend" style="font:13px sans-serif;padding:6px 8px">{items}'
            '<span style="color:#666">dashed edge: recovery; thick border: critical</span></div>')


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
