"""identity-map, the app: `streamlit run app.py [-- INVENTORY.yaml]`.

Layout only. What to show is computed in identity_map.appview (labels,
tables, metrics), identity_map.scenarios (presets), identity_map.exports
(downloads) and identity_map.workspace (open, save, outside edits); the
analysis itself is the library's. User text reaches the page only through
plain-text elements (dataframes, select options, the editor) or escaped
with `md` for Markdown.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import streamlit as st

from identity_map import appview, exports, scenarios
from identity_map.report import md
from identity_map.workspace import (
    Notice, Opened, Workspace, display_name, initial_path, inventories_folder, inventory_files,
    open_path, open_upload, save_as_target,
)

ROOT = Path(__file__).resolve().parent
EXAMPLES = ROOT / "examples"
FOLDER = inventories_folder(os.environ, ROOT)
CUSTOM = "custom"
MODES = (CUSTOM, *scenarios.BY_KEY)
# Per-document view state, dropped when another document opens so it starts on its own default.
VIEW_KEYS = ("scenario_mode", "lose", "explain", "explained_for", "whole_graph",
             *(f"pick_{key}" for key in scenarios.BY_KEY))

# YAML is edited in a fixed-width font (Streamlit ships Source Code Pro; nothing is fetched).
EDITOR_CSS = '<style>[data-testid="stTextArea"] textarea {font-family: "Source Code Pro", monospace;}</style>'

st.set_page_config(page_title="identity-map", layout="wide")  # no page_icon: a :material: icon is fetched from Google

# Cached per text, so a new scenario or another click never parses or ranks again.
analyse = st.cache_resource(max_entries=16, show_spinner=False)(appview.analyse)


@st.cache_data(max_entries=32, show_spinner=False)
def graph_page(text: str, filename: str, lost: tuple[str, ...], focus: bool) -> str:
    return appview.graph_page(analyse(text, filename), lost, focus)


ss = st.session_state


def note(notice: Notice | None) -> None:
    if notice is not None:
        ss.notices.append(notice)


def show(opened: Opened) -> None:
    ss.editor = opened.text
    note(opened.notice)


def switch_to(opened: Opened) -> None:
    show(ss.ws.switch(ss.editor, opened))
    for key in VIEW_KEYS:
        ss.pop(key, None)


def on_open() -> None:
    if ss.open is not None and Path(ss.open).resolve() != (ss.ws.doc.path or Path()).resolve():
        switch_to(open_path(Path(ss.open)))


def on_upload() -> None:
    if ss.upload is None:
        return
    try:
        switch_to(open_upload(ss.upload.name, ss.upload.getvalue()))
    except ValueError as exc:
        note(Notice("error", f"Not opened: {exc}."))


def on_save() -> None:
    note(ss.ws.save(ss.editor))


def on_save_as() -> None:
    try:
        target = save_as_target(ss.save_as_name, FOLDER)
        FOLDER.mkdir(parents=True, exist_ok=True)
    except (ValueError, OSError) as exc:
        note(Notice("error", f"Not saved: {exc}."))
        return
    note(ss.ws.save(ss.editor, target))


def on_revert() -> None:
    show(ss.ws.revert())


# -- Session: open the first file, or pick up outside edits ---------------

if "ws" not in ss:
    ss.notices = []
    first = open_path(initial_path(sys.argv, os.environ, Path(__file__), EXAMPLES / "malik.yaml"))
    ss.ws = Workspace(first.doc)
    show(first)
else:
    show(ss.ws.sync(ss.editor))
doc = ss.ws.doc
dirty = doc.dirty(ss.editor)

# -- Sidebar: files ---------------------------------------------------------

with st.sidebar:
    st.header("Inventory")
    files = [display_name(p) for p in inventory_files([FOLDER, EXAMPLES])]
    current = display_name(doc.path) if doc.path else None
    if current is not None and current not in files:
        files.insert(0, current)
    ss.open = current
    st.selectbox("Open a file", files, key="open", on_change=on_open, placeholder="(an uploaded file)")
    st.file_uploader("Or upload one", type=["yaml", "yml"], key="upload", on_change=on_upload,
                     max_upload_size=4, help="It goes into the editor only; nothing is saved until you save it.")
    st.divider()
    # The bundled examples are the story's cases: keep them as shipped, save edits under your own name.
    bundled = doc.path is not None and doc.path.resolve().parent == EXAMPLES
    st.button("Save", key="save", on_click=on_save, disabled=doc.path is None or bundled, type="primary",
              width="stretch", help="Only a valid inventory is saved; the replaced version is kept as FILE.bak.")
    if bundled:
        st.caption("A bundled example: use Save as to keep your version.")
    st.button("Revert to the file on disk", key="revert", on_click=on_revert,
              disabled=not dirty or doc.disk is None, width="stretch")
    st.text_input("Save as (a file name)", key="save_as_name", placeholder="me.yaml")
    st.caption("Saved in " + md(display_name(FOLDER)))
    st.button("Save as", key="save_as", on_click=on_save_as, width="stretch")

# -- Header, messages, validation --------------------------------------------

st.title("identity-map")
st.caption(md(doc.name) + (" · **unsaved edits**" if dirty else ""))
for notice in ss.notices:
    getattr(st, notice.level)(md(notice.text))
ss.notices = []

text, name = ss.editor, doc.name
analysis = analyse(text, name)
if analysis.ok:
    ss.last_good = (doc.key, text, name)
else:
    errors = analysis.validation.errors
    st.error(f"The inventory has {len(errors)} error(s): fix them in the Edit tab. "
             "Nothing is saved while there are errors.")
    st.dataframe(appview.problem_rows(errors, ss.editor), hide_index=True)
    kept = ss.get("last_good")
    if kept is not None and kept[0] == doc.key:
        _, text, name = kept
        analysis = analyse(text, name)
        st.info("Below: the last valid version of this text.")
    else:
        analysis = None
if analysis is not None and analysis.validation.warnings:
    with st.expander(f"{len(analysis.validation.warnings)} warning(s)"):
        st.dataframe(appview.problem_rows(analysis.validation.warnings, text), hide_index=True)

explore, edit, ranking, export = st.tabs(["Blast radius", "Edit", "Ranking", "Export"])

with edit:
    st.html(EDITOR_CSS)
    st.text_area("Inventory (YAML)", key="editor", height=560,
                 help="Checked when you leave the box or press Ctrl+Enter. Format: docs/inventory-format.md")

if analysis is None:
    for tab in (explore, ranking, export):
        tab.info("Nothing to show until the inventory is valid.")
    st.stop()

inv = analysis.inventory

# -- Blast radius --------------------------------------------------------------

with explore:
    pick_mode, pick_loss, pick_view = st.columns([2, 4, 1.4], vertical_alignment="bottom")
    mode = pick_mode.selectbox("Scenario", MODES, key="scenario_mode",
                               format_func=lambda m: "Pick what to lose" if m == CUSTOM else scenarios.BY_KEY[m].label)
    if mode == CUSTOM:
        options = appview.lose_options(inv)
        ss.lose = ([t for t in ss.lose if t in options] if "lose" in ss
                   else scenarios.worst(analysis.ranking))
        lost = pick_loss.multiselect("Lose", options, key="lose", format_func=lambda t: appview.label(inv, t),
                                     help="Starts on the worst single point of failure of the ranking.")
    else:
        preset = scenarios.BY_KEY[mode]
        pick = None
        if preset.choices:
            options = scenarios.choices(preset, inv)
            key = f"pick_{preset.key}"
            if not options:
                pick_loss.info(f"The inventory has no {preset.pick_label.lower()} to pick.")
            else:
                if ss.get(key) not in options:
                    ss[key] = scenarios.default_pick(preset, inv, analysis.ranking)
                pick = pick_loss.selectbox(preset.pick_label, options, key=key, help=preset.help,
                                           format_func=lambda t: appview.label(inv, t))
        else:
            pick_loss.caption(preset.help)
        lost = scenarios.lost_ids(preset, inv, pick)

    whole = pick_view.toggle("Whole graph", key="whole_graph", value=not appview.focus_by_default(inv),
                             help="Off: only the things the loss touches and their neighbours.")

    result = appview.scenario(analysis, lost)
    # Money gets the widest column: amounts in several currencies are long.
    for column, metric in zip(st.columns([1, 1, 1, 2, 1]), appview.metrics(result)):
        column.metric(metric.label, metric.value, help=metric.help)
    st.iframe(graph_page(text, name, tuple(sorted(result.scenario)), not whole),
              height=appview.GRAPH_HEIGHT + 80, alt="Dependency graph")
    st.markdown(appview.scenario_md(result))
    if critical := appview.critical_lost_md(result):
        st.markdown(critical)

    # A new scenario starts on its own most telling thing; a pick stays while the scenario does.
    if ss.get("explained_for") != result.scenario or ss.get("explain") not in inv.things:
        ss.explain = appview.default_explained(result)
        ss.explained_for = result.scenario
    chosen = st.selectbox("Explain", list(inv.things), key="explain",
                          format_func=lambda t: appview.status_label(result, t))
    st.markdown(appview.explanation_md(result, chosen))
    if rows := appview.method_rows(result, chosen):
        st.dataframe(rows, hide_index=True)

# -- Ranking -------------------------------------------------------------------

with ranking:
    st.caption("What each account, device, phone number or place takes with it when it alone is lost; "
               "worst first (critical things, then money, then things).")
    st.dataframe(appview.ranking_rows(analysis.ranking), hide_index=True)
    chart = appview.ranking_chart(analysis.ranking)
    if chart["thing"]:
        st.bar_chart(chart, x="thing", y=list(appview.CHART_SERIES), color=list(appview.CHART_SERIES.values()),
                     horizontal=True, sort=False, x_label="", y_label="other things affected")

# -- Export --------------------------------------------------------------------

with export:
    st.caption("For the scenario above. Built when you click.")
    for item in exports.downloads(analysis.graph, result, source=name, focus=not whole):
        st.download_button(item.label, data=item.build, file_name=item.file_name, mime=item.mime,
                           on_click="ignore", key=f"download-{item.file_name}")
