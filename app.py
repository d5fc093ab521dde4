"""identity-map, the app: `streamlit run app.py [-- INVENTORY.yaml]`.

Layout only. What to show is computed in identity_map.appview (labels,
tables, metrics, the checklist and its what-if, resilience rows),
identity_map.scenarios (presets), identity_map.exports (downloads) and
identity_map.workspace (open, save, outside edits, import); the analysis
itself is the library's (engine, checklist, resilience, importers). User text reaches the page only through
plain-text elements (dataframes, select options, the editor) or escaped
with `md` for Markdown.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import streamlit as st

from identity_map.app import view as appview
from identity_map.app import exports
from identity_map.analysis import scenarios
from identity_map.importers import FORMATS as IMPORT_FORMATS
from identity_map.importers import ImportFailure
from identity_map.format.load import MAX_BYTES
from identity_map.importers.textio import MAX_BYTES as IMPORT_MAX_BYTES
from identity_map.output.report import md
from identity_map.analysis.resilience import resilience
from identity_map.providers.factors import factor_rows
from identity_map.providers.templates import TEMPLATES, apply_template
from identity_map.app.workspace import (
    ImportDraft, Notice, Opened, Workspace, display_name, import_export, initial_path, inventories_folder,
    inventory_files, open_draft, open_path, open_upload, save_as_target, save_file,
)

ROOT = Path(__file__).resolve().parent
EXAMPLES = ROOT / "examples"
FOLDER = inventories_folder(os.environ, ROOT)
CUSTOM = "custom"
MODES = (CUSTOM, *scenarios.BY_KEY)
# Per-document view state, dropped when another document opens so it starts on its own default.
VIEW_KEYS = ("scenario_mode", "lose", "explain", "explained_for", "whole_graph", "checklist_whole",
             "checklist_build", *(f"pick_{key}" for key in scenarios.BY_KEY))
WHAT_IF = "whatif-"  # key prefix of the checklist's "what if I do this" toggles
AUTO = "auto"
MAX_EXPORT_MB = IMPORT_MAX_BYTES // 2 ** 20  # the importer's own limit, also the server's (.streamlit/config.toml)
MAX_INVENTORY_MB = MAX_BYTES // 2 ** 20  # the loader's

# YAML is edited in a fixed-width font (Streamlit ships Source Code Pro; nothing is fetched).
EDITOR_CSS = '<style>[data-testid="stTextArea"] textarea {font-family: "Source Code Pro", monospace;}</style>'

st.set_page_config(page_title="identity-map", layout="wide")  # no page_icon: a :material: icon is fetched from Google

# Cached per text, so a new scenario or another click never parses or ranks again.
analyse = st.cache_resource(max_entries=16, show_spinner=False)(appview.analyse)


@st.cache_resource(max_entries=16, show_spinner="Verifying each checklist item with the engine...")
def checklist(text: str, filename: str, lost: tuple[str, ...], whole: bool):
    return appview.checklist(analyse(text, filename), lost, whole)


@st.cache_resource(max_entries=16, show_spinner=False)
def what_if(text: str, filename: str, lost: tuple[str, ...], whole: bool, chosen: tuple[str, ...]):
    items = [item for item in checklist(text, filename, lost if not whole else (), whole) if item.id in chosen]
    return appview.what_if(analyse(text, filename), lost, items)


@st.cache_resource(max_entries=16, show_spinner=False)
def resilience_rows(text: str, filename: str, lost: tuple[str, ...] = (), whole: bool = False,
                    chosen: tuple[str, ...] = ()):
    """The file's rows; with `chosen` what-if items, and what they make of each."""
    analysis = analyse(text, filename)
    after = what_if(text, filename, lost, whole, chosen) if chosen else None
    return appview.resilience_rows(resilience(analysis.graph), analysis.inventory,
                                   resilience(after.graph) if after is not None else None)


@st.cache_data(max_entries=32, show_spinner=False)
def graph_page(text: str, filename: str, lost: tuple[str, ...], focus: bool, whole: bool = False,
               chosen: tuple[str, ...] = ()) -> str:
    what = what_if(text, filename, lost, whole, chosen) if chosen else None
    if what is None:
        return appview.graph_page(analyse(text, filename), lost, focus)
    return appview.graph_page_of(what.graph, what.result, focus)


@st.cache_resource(max_entries=16, show_spinner=False)
def factors(text: str, filename: str):
    return factor_rows(analyse(text, filename).graph)


ss = st.session_state


def note(notice: Notice | None) -> None:
    if notice is not None:
        ss.notices.append(notice)


def show(opened: Opened) -> None:
    ss.editor = opened.text
    note(opened.notice)


def switch_to(opened: Opened) -> None:
    show(ss.ws.switch(ss.editor, opened))
    for key in [*VIEW_KEYS, *(k for k in ss if str(k).startswith(WHAT_IF))]:
        ss.pop(key, None)
    if ss.get("import_draft") is not None and ss.import_draft.merged:
        ss.import_draft = None  # merged into the text just switched away from


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


def target_in_folder(name: str) -> Path | None:
    """The path Save as / import save would write, or None (with a notice)
    when the name is not a plain file name or the folder cannot be made."""
    try:
        target = save_as_target(name, FOLDER)
        FOLDER.mkdir(parents=True, exist_ok=True)
    except (ValueError, OSError) as exc:
        note(Notice("error", f"Not saved: {exc}."))
        return None
    return target


def on_save_as() -> None:
    target = target_in_folder(ss.save_as_name)
    if target is not None:
        note(ss.ws.save(ss.editor, target))


def on_add_template() -> None:
    added = apply_template(ss.editor, ss.template_key, ss.template_user.strip(), ss.ws.doc.name)
    if added.problems:
        note(Notice("error", f"Not added: {added.problems[0]} (fix the inventory first)."))
        return
    ss.editor = added.text
    note(Notice("success", f"Added {', '.join(added.ids)} to the editor, not saved yet: review the commented "
                           "choices of how you sign in, then Save."))


def on_revert() -> None:
    show(ss.ws.revert())


def on_clear_what_if() -> None:
    for key in [k for k in ss if str(k).startswith(WHAT_IF)]:
        ss[key] = False


# -- Import: the export is read once, in the callback, then dropped -----------------


def import_key() -> str:
    # A new key after each upload: the widget starts empty and the old one's file is let go.
    return f"import_upload_{ss.get('import_round', 0)}"


def forget_upload(upload) -> None:
    """Drop the bytes Streamlit keeps for an upload (in memory, for the session)."""
    upload.close()
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    remove = getattr(getattr(ctx, "uploaded_file_mgr", None), "remove_file", None)
    if remove is not None:
        remove(session_id=ctx.session_id, file_id=upload.file_id)


def on_import_upload() -> None:
    upload = ss.get(import_key())
    ss.import_round = ss.get("import_round", 0) + 1
    if upload is None:
        return
    ss.import_draft = ss.import_error = None
    try:
        ss.import_draft = import_export(ss.get("import_format", AUTO), upload.getvalue(), upload.name,
                                        ss.editor if ss.get("import_merge") else None)
        ss.import_name = ss.import_draft.file_name
    except ImportFailure as exc:
        ss.import_error = str(exc)
    finally:
        forget_upload(upload)


def on_import_save() -> None:
    draft: ImportDraft = ss.import_draft
    target = target_in_folder(ss.import_name)
    if target is None:
        return
    notice = save_file(draft.text, target)
    note(notice)
    if notice.level == "success":
        switch_to(open_path(target))
        done_importing(draft)


def on_import_open() -> None:
    draft: ImportDraft = ss.import_draft
    if draft.merged:
        ss.editor = draft.text
        note(Notice("info", f"The open inventory with {draft.source} merged in is in the editor, not saved yet: "
                            "Save keeps the previous version as .bak."))
    else:
        switch_to(open_draft(draft))
    done_importing(draft)


def done_importing(draft: ImportDraft) -> None:
    note(Notice("warning", f"Delete the plaintext export {draft.source} now (and empty the trash): "
                           "it holds your secrets in clear text."))
    on_import_discard()


def on_import_discard() -> None:
    ss.import_draft = ss.import_error = None


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
                     max_upload_size=MAX_INVENTORY_MB, help="It goes into the editor only; nothing is saved until you save it.")
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

explore, edit, ranking, resilient, second, export, importing = st.tabs(
    ["Blast radius", "Edit", "Ranking", "Resilience", "Second factors", "Export", "Import"])

with edit:
    st.html(EDITOR_CSS)
    st.text_area("Inventory (YAML)", key="editor", height=560,
                 help="Checked when you leave the box or press Ctrl+Enter. Format: docs/inventory-format.md")
    with st.expander("Add a provider's account (template)"):
        pick_template, pick_user, add_box = st.columns([2, 3, 1.2], vertical_alignment="bottom")
        pick_template.selectbox("Provider", sorted(TEMPLATES), key="template_key",
                                format_func=lambda k: TEMPLATES[k].name)
        pick_user.text_input("Your address or user name there", key="template_user")
        add_box.button("Add", key="template_add", on_click=on_add_template, width="stretch",
                       help="Adds the account, its parts and the data that usually lives there to the editor; "
                            "nothing is saved until you Save.")

# -- Import ----------------------------------------------------------------------

with importing:
    st.caption("Start an inventory from a password-manager or authenticator export. The file is read once, "
               "in memory, when it arrives, and dropped at once: it is never saved, and only the draft is kept, "
               "which holds no password, 2FA seed or note.")
    pick_format, pick_merge = st.columns([2, 3], vertical_alignment="bottom")
    pick_format.selectbox("Format", (AUTO, *IMPORT_FORMATS), key="import_format",
                          format_func=lambda f: "Recognise it" if f == AUTO else f)
    pick_merge.toggle("Merge into the open inventory", key="import_merge",
                      help="Adds the export's new accounts and inferred terms to the text in the editor, "
                           "keeping your comments. Off: a new draft.")
    st.file_uploader("Export file (choose the format and merge first)", key=import_key(),
                     on_change=on_import_upload, max_upload_size=MAX_EXPORT_MB)
    if ss.get("import_error"):
        st.error(md(ss.import_error) + " Nothing was written.")
    draft = ss.get("import_draft")
    if draft is not None:
        st.markdown(appview.import_notes_md(draft.notes))
        st.warning(f"Delete the plaintext export {md(draft.source)} once you are done: "
                   "it holds your secrets in clear text.")
        if draft.errors:
            st.error(f"The draft has {draft.errors} error(s); open it in the editor to see and fix them.")
        st.code(draft.text, language="yaml", height=420)
        name_box, save_box, open_box, drop_box = st.columns([2, 1.3, 1.3, 1], vertical_alignment="bottom")
        name_box.text_input("Save as (a file name)", key="import_name",
                            help="In " + md(display_name(FOLDER)) + "; a file of that name is kept as .bak.")
        save_box.button("Save the draft", key="import_save", on_click=on_import_save, type="primary",
                        disabled=bool(draft.errors), width="stretch")
        open_box.button("Put it in the editor" if draft.merged else "Open it in the editor", key="import_open",
                        on_click=on_import_open, width="stretch",
                        help="Replaces the editor's text (Save keeps the file's previous version as .bak)."
                        if draft.merged else "Unsaved until you save it under a name.")
        drop_box.button("Discard", key="import_discard", on_click=on_import_discard, width="stretch")

if analysis is None:
    for tab in (explore, ranking, resilient, second, export):
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
            if not options and preset.optional_pick:
                pick_loss.caption(preset.help)
            elif not options:
                pick_loss.info(f"The inventory has no {preset.pick_label.lower()} to pick.")
            else:
                if ss.get(key) not in options:
                    ss[key] = scenarios.default_pick(preset, inv, analysis.ranking)
                pick = pick_loss.selectbox(preset.pick_label, options, key=key, help=preset.help,
                                           format_func=lambda t: appview.label(inv, t))
        else:
            pick_loss.caption(preset.help)
        lost = scenarios.selectors(preset, inv, pick)

    whole = pick_view.toggle("Whole graph", key="whole_graph", value=not appview.focus_by_default(inv),
                             help="Off: only the things the loss touches and their neighbours.")

    base = appview.scenario(analysis, lost)
    lost_key = base.selectors
    summary = st.container()
    graph_box, list_box = st.columns([3, 2], gap="medium")

    # -- The checklist beside the graph; its toggles decide what the rest shows.
    with list_box:
        st.subheader("Checklist")
        whole_list = st.toggle("Whole inventory", key="checklist_whole",
                               help="Off: what to do about the scenario above. On: about every single "
                                    "point of failure.")
        items = None
        if appview.checklist_by_default(inv) or st.toggle(
                "Build the checklist", key="checklist_build", help="It takes a while on an inventory this "
                "large: every proposed change is verified by re-running the scenarios."):
            items = checklist(text, name, lost_key if not whole_list else (), whole_list)
        chosen: tuple[str, ...] = ()
        if items is not None:
            st.caption(appview.checklist_scope_md(items, inv))
            with st.container(horizontal=True, gap="small"):
                for item in exports.checklist_downloads(analysis.graph, base, inv, exports.file_stem(name),
                                                        whole=whole_list, items=items):
                    st.download_button(item.short, data=item.build, file_name=item.file_name, mime=item.mime,
                                       on_click="ignore", key=f"checklist-{item.file_name}", icon=":material/download:")
            with st.container(height=appview.GRAPH_HEIGHT - 40):
                for heading, entries in appview.checklist_groups(items, inv):
                    st.markdown(heading)
                    for entry in entries:
                        st.markdown(entry.action_md)
                        if entry.can_try:
                            st.toggle("What if I do this", key=WHAT_IF + entry.id,
                                      help="Applies this change in memory and redraws the blast radius. "
                                           "The file is not changed.")
                        for line in (entry.verified_md, entry.gains_md):
                            if line:
                                st.caption(line)
                        if entry.detail_md or entry.change:
                            with st.expander("Details and the change to make"):
                                if entry.detail_md:
                                    st.markdown(entry.detail_md)
                                if entry.change:
                                    st.caption("Change to the inventory:")
                                    st.code("\n".join(entry.change), language=None, wrap_lines=True)
                if len(items) > appview.CHECKLIST_SHOWN:
                    st.caption(f"The first {appview.CHECKLIST_SHOWN} of {len(items)} items; "
                               "the downloads hold them all.")
            chosen = tuple(i.id for i in items[:appview.CHECKLIST_SHOWN] if ss.get(WHAT_IF + i.id))

    what = what_if(text, name, lost_key, whole_list, chosen) if chosen else None
    result = what.result if what is not None else base
    shown_inv = result.compiled.inventory
    with summary:
        # Money gets the widest column: amounts in several currencies are long.
        for column, metric in zip(st.columns([1, 1, 1, 2, 1]),
                                  appview.metrics(result, base if what is not None else None)):
            column.metric(metric.label, metric.value, metric.delta, metric.delta_color, help=metric.help,
                          delta_description="with the changes" if metric.delta else None)
        if what is not None:
            st.info(appview.what_if_md(what))
            st.button("Clear the what-if changes", key="clear_what_if", on_click=on_clear_what_if)
    with graph_box:
        st.iframe(graph_page(text, name, lost_key, not whole, whole_list, chosen),
                  height=appview.GRAPH_HEIGHT + 80, alt="Dependency graph")
    st.markdown(appview.scenario_md(result))
    if critical := appview.critical_lost_md(result):
        st.markdown(critical)

    # A new scenario starts on its own most telling thing; a pick stays while the scenario does.
    if ss.get("explained_for") != result.scenario or ss.get("explain") not in shown_inv.things:
        ss.explain = appview.default_explained(result)
        ss.explained_for = result.scenario
    explained = st.selectbox("Explain", list(shown_inv.things), key="explain",
                             format_func=lambda t: appview.status_label(result, t))
    st.markdown(appview.explanation_md(result, explained))
    if rows := appview.method_rows(result, explained):
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

# -- Resilience --------------------------------------------------------------------

with resilient:
    st.caption("For each critical thing: the fewest accounts, devices, phone numbers or places lost together "
               "that take it (1 = a single point of failure), up to 3, with the sets that do. Exact, not sampled."
               + (" The last column: with the what-if changes from the checklist." if chosen else ""))
    table = resilience_rows(text, name, *((lost_key, whole_list, chosen) if chosen else ()))
    if table:
        st.dataframe(table, hide_index=True)
    else:
        st.info("No critical things: mark the things that matter with `critical: true` in the Edit tab.")

# -- Second factors ----------------------------------------------------------------

with second:
    st.caption("Per account: the second factors its site offers (from the bundled 2fa.directory and "
               "passkeys.directory data) against those your inventory uses; critical and most depended-on "
               "accounts first. Nothing is looked up online.")
    rows = factors(text, name)
    st.dataframe(appview.factor_table(rows), hide_index=True)
    by_id = {r.id: r for r in rows}
    if rows:
        picked = st.selectbox("Details of", list(by_id), key="factors_of",
                              format_func=lambda t: appview.label(inv, t))
        st.markdown(appview.factor_findings_md(by_id[picked]))

# -- Export --------------------------------------------------------------------

with export:
    st.caption("For the scenario above, as the file stands (without what-if changes). Built when you click.")
    for item in exports.downloads(analysis.graph, base, source=name, focus=not whole,
                                  whole_checklist=whole_list, checklist=items):
        st.download_button(item.label, data=item.build, file_name=item.file_name, mime=item.mime,
                           on_click="ignore", key=f"download-{item.file_name}")
