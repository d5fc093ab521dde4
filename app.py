"""identity-map, the app: `streamlit run app.py [-- INVENTORY.yaml]`.

Layout only. What to show is computed in identity_map.app.view (labels,
tables, metrics, the cascade, the checklist and its what-if, resilience
rows), identity_map.app.forms (the fields of a thing, their valid choices,
applying a form to the YAML text), identity_map.app.guide (the steps of
"Start my map"), identity_map.analysis.scenarios (presets),
identity_map.app.exports (downloads) and identity_map.app.workspace (open,
save, outside edits, import); the analysis itself is the library's. User
text reaches the page only through plain-text elements (dataframes, select
options, the editor) or escaped with `md` for Markdown.
"""

from __future__ import annotations

import os
import sys
from functools import partial
from pathlib import Path

import streamlit as st

from identity_map.app import view as appview
from identity_map.app import exports, forms, guide
from identity_map.analysis import scenarios
from identity_map.importers import FORMATS as IMPORT_FORMATS
from identity_map.importers import ImportFailure
from identity_map.format.load import MAX_BYTES
from identity_map.importers.textio import MAX_BYTES as IMPORT_MAX_BYTES
from identity_map.output.render import APP_VIS_SRC
from identity_map.output.report import md
from identity_map.analysis.resilience import resilience
from identity_map.analysis.takeover import exposure
from identity_map.analysis.takeover_resilience import takeover_resilience
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
NEW_THING = ""  # the form editor's "add a new one" choice
MODES = (CUSTOM, *scenarios.BY_KEY)
ATTACKS = (CUSTOM, *scenarios.TAKEOVER_BY_KEY)
# Per-document view state, dropped when another document opens so it starts on its own default.
VIEW_KEYS = ("scenario_mode", "lose", "explain", "explained_for", "whole_graph", "checklist_whole",
             "checklist_build", "form_section", "form_thing", "heirs_person", "factors_of", *(f"pick_{key}" for key in scenarios.BY_KEY),
             "attack_mode", "gain", "taken_explain", "taken_explained_for",
             *(f"pick_{key}" for key in scenarios.TAKEOVER_BY_KEY))
# Pages, drawn one at a time: a radio held in session_state (st.tabs would
# redraw every page and forget the open one when the text turns invalid).
START, EXPLORE, EDIT, RANKING, RESILIENCE, SECOND, AFTER_ME, EXPORT, IMPORT = PAGES = (
    "Start my map", "Blast radius", "Edit", "Ranking", "Resilience", "Second factors", "After I die", "Export",
    "Import")
# Widget state Streamlit would drop while its page is not drawn: kept across pages.
KEPT = ("editor", "scenario_mode", "lose", "explain", "whole_graph", "checklist_whole", "checklist_build",
        "form_section", "form_thing", "guide_step", "heirs_person", *(f"pick_{key}" for key in scenarios.BY_KEY),
        "blast_view", "attack_mode", "gain", "taken_explain", *(f"pick_{key}" for key in scenarios.TAKEOVER_BY_KEY))
# The Blast radius page's two views of the same graph, one drawn at a time like the pages.
LOCKOUT, TAKEOVER = BLAST_VIEWS = ("Lockout", "Takeover")
FORM = "form-"  # key prefix of the form widgets
TEMPLATE = ROOT / "inventories" / "template.yaml"
WHAT_IF = "whatif-"  # key prefix of the checklist's "what if I do this" toggles
AUTO = "auto"
MAX_EXPORT_MB = IMPORT_MAX_BYTES // 2 ** 20  # the importer's own limit, also the server's (.streamlit/config.toml)
MAX_INVENTORY_MB = MAX_BYTES // 2 ** 20  # the loader's
# The graph pages load vis-network from static/ when the server serves that folder (the project's
# .streamlit/config.toml and `identity-map app` turn it on); otherwise they hold it inline.
VIS_SRC = APP_VIS_SRC if st.get_option("server.enableStaticServing") else None

# YAML is edited in a fixed-width font (Streamlit ships Source Code Pro; nothing is fetched); the
# page starts near the top so the graph fits a 1280x800 screen.
PAGE_CSS = ('<style>[data-testid="stTextArea"] textarea {font-family: "Source Code Pro", monospace;}'
            '.block-container {padding-top: 2.2rem; padding-bottom: 1rem;}'
            '[data-testid="stMetricValue"] {font-size: 1.6rem;}</style>')

st.set_page_config(page_title="identity-map", layout="wide")  # no page_icon: a :material: icon is fetched from Google

# Cached per text, so a new scenario or another click never parses or ranks again.
analyse = st.cache_resource(max_entries=16, show_spinner=False)(appview.analyse)


@st.cache_resource(max_entries=16, show_spinner="Verifying each checklist item with the engine...")
def checklist(text: str, filename: str, lost: tuple[str, ...], whole: bool, after_death: bool = False):
    return appview.checklist(analyse(text, filename), lost, whole, after_death)


@st.cache_resource(max_entries=16, show_spinner=False)
def what_if(text: str, filename: str, lost: tuple[str, ...], whole: bool, chosen: tuple[str, ...],
            after_death: bool = False):
    items = [item for item in checklist(text, filename, lost if not whole else (), whole, after_death)
             if item.id in chosen]
    return appview.what_if(analyse(text, filename), lost, items, after_death)


@st.cache_resource(max_entries=16, show_spinner=False)
def resilience_rows(text: str, filename: str, lost: tuple[str, ...] = (), whole: bool = False,
                    chosen: tuple[str, ...] = ()):
    """The file's rows; with `chosen` what-if items, and what they make of each."""
    analysis = analyse(text, filename)
    after = what_if(text, filename, lost, whole, chosen) if chosen else None
    return appview.resilience_rows(resilience(analysis.graph), analysis.inventory,
                                   resilience(after.graph) if after is not None else None,
                                   takeover_rows=takeover_resilience(analysis.graph))


@st.cache_data(max_entries=32, show_spinner=False)
def graph_page(text: str, filename: str, lost: tuple[str, ...], focus: bool, whole: bool = False,
               chosen: tuple[str, ...] = (), after_death: bool = False) -> str:
    what = what_if(text, filename, lost, whole, chosen, after_death) if chosen else None
    if what is None:
        return appview.graph_page(analyse(text, filename), lost, focus, after_death, VIS_SRC)
    return appview.graph_page_of(what.graph, what.result, focus, VIS_SRC)


@st.cache_resource(max_entries=16, show_spinner=False)
def heirs_reach(text: str, filename: str, person: str):
    return appview.heirs_reach(analyse(text, filename), person)


@st.cache_data(max_entries=32, show_spinner=False)
def takeover_graph_page(text: str, filename: str, gained: tuple[str, ...], focus: bool) -> str:
    return appview.takeover_graph_page(analyse(text, filename), gained, focus, VIS_SRC)


@st.cache_resource(max_entries=16, show_spinner=False)
def factors(text: str, filename: str):
    return factor_rows(analyse(text, filename).graph)


ss = st.session_state
# Seconds from the first paint reaching the page to the run that draws the rest: the graph takes
# about 1 s to draw on a quiet 2-core machine (benchmarks/bench_app.py).
REST_AFTER_S = 2.0
LOADING = "Loading..."  # the sidebar and the cascade until then


def draw_the_rest() -> None:
    """Asks the page for a full rerun REST_AFTER_S from now (a timed
    fragment: the browser's clock starts when the first paint reached it);
    that run draws what the first paint left out. A stale timer (another
    run came first) is dropped by Streamlit."""
    asked = []

    @st.fragment(run_every=REST_AFTER_S)
    def rerun_later() -> None:
        if asked:  # the page's timer, not this first call
            st.rerun()
        asked.append(True)

    rerun_later()


def explain_pick(key: str, for_key: str, scenario, inv, default, label) -> str:
    """The "Explain" pick under `key`: a new scenario (remembered under
    `for_key`) starts on its own most telling thing, `default()`; a pick
    stays while the scenario does."""
    if ss.get(for_key) != scenario or ss.get(key) not in inv.things:
        ss[key] = default()
        ss[for_key] = scenario
    return st.selectbox("Explain", list(inv.things), key=key, format_func=label)


def preset_ids(preset: scenarios.Preset, inv, column, ranking) -> tuple[str, ...]:
    """The preset's selectors, after its pick (if it needs one) in `column`
    (None: not drawn, the pick kept in state), defaulting to the worst
    choice of `ranking`."""
    pick = None
    if preset.choices:
        options = scenarios.choices(preset, inv)
        key = f"pick_{preset.key}"
        if not options and preset.optional_pick:
            if column is not None:
                column.caption(preset.help)
        elif not options:
            if column is not None:
                column.info(f"The inventory has no {preset.pick_label.lower()} to pick.")
        else:
            if ss.get(key) not in options:
                ss[key] = scenarios.default_pick(preset, inv, ranking)
            pick = ss[key]
            if column is not None:
                column.selectbox(preset.pick_label, options, key=key, help=preset.help,
                                 format_func=lambda t: appview.label(inv, t))
    elif column is not None:
        column.caption(preset.help)
    return scenarios.selectors(preset, inv, pick)


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
    if protected(target):
        note(Notice("error", f"Not saved: {display_name(target)} is bundled with identity-map; pick another name."))
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


# -- Forms: the Edit page's form editor and the guided start ---------------------


def protected(path: Path | None) -> bool:
    """Bundled examples and the template are saved only under another name."""
    return path is not None and (path.resolve().parent == EXAMPLES.resolve() or path.resolve() == TEMPLATE.resolve())


def form_key(prefix: str, name: str, slot: int | str | None = None) -> str:
    # The round changes after every applied change, so the widgets start on the new values.
    return f"{FORM}{ss.get('form_round', 0)}-{prefix}-{name}" + ("" if slot is None else f"-{slot}")


def entered(prefix: str, specs) -> dict:
    """The form's values as forms.apply_thing takes them."""
    out = {}
    for spec in specs:
        if spec.widget == forms.METHODS:
            out[spec.name] = [ss.get(form_key(prefix, spec.name, i)) or []
                              for i in range(ss.get(form_key(prefix, spec.name, "n"), 0))]
        else:
            out[spec.name] = ss.get(form_key(prefix, spec.name))
    return out


def write_change(change: forms.Change, prefix: str, done: str) -> bool:
    """A validated change goes into the editor and, when the file may be
    written, to disk (atomic, .bak); an invalid one is refused beside its form."""
    if not change.ok:
        ss.form_problems = (prefix, [p.message for p in change.problems])
        return False
    ss.form_problems = None
    ss.editor = change.text
    if ss.ws.doc.path is None or protected(ss.ws.doc.path):
        note(Notice("info", f"{done} It is in the editor, not saved yet: use Save as to keep it."))
    else:
        saved = ss.ws.save(change.text)
        note(Notice(saved.level, f"{done} {saved.text}"))
    ss.form_round = ss.get("form_round", 0) + 1
    return True


def form_prefix(section: str, thing_id: str | None) -> str:
    # Per thing: widgets of another thing's form never lend it their values.
    return f"{section}.{thing_id or ''}"


def on_form_save(section: str, thing_id: str | None) -> None:
    prefix = form_prefix(section, thing_id)
    values = entered(prefix, forms.fields(section))
    tid = thing_id or ((ss.get(form_key(prefix, "id")) or "").strip()
                       or forms.suggest_id(values.get("name") or forms.SINGULAR[section], forms.catalog_of(ss.editor)))
    if write_change(forms.apply_thing(ss.editor, section, tid, values, new=thing_id is None), prefix,
                    f"{'Changed' if thing_id else 'Added'} {tid}.") and thing_id is None:
        ss.form_thing = tid


def on_form_remove(section: str, thing_id: str) -> None:
    if write_change(forms.remove_thing(ss.editor, section, thing_id), form_prefix(section, thing_id),
                    f"Removed {thing_id}."):
        ss.form_thing = NEW_THING


def on_guide_start() -> None:
    target = target_in_folder(ss.get("guide_file") or "")
    if target is None:
        return
    if target.exists():
        note(Notice("error", f"{display_name(target)} exists already: pick another name, or open it in the sidebar."))
        return
    notice = save_file(forms.new_inventory(ss.get("guide_owner") or ""), target)
    note(notice)
    if notice.level == "success":
        switch_to(open_path(target))
        ss.guide_step = 1


def on_guide_add(step_key: str, index: int) -> None:
    form = guide.BY_KEY[step_key].forms[index]
    prefix = f"g-{step_key}-{index}"
    values = guide.form_values(form, entered(prefix, form.specs()))
    if not values.get("name"):
        ss.form_problems = (prefix, ["Give it a name first."])
        return
    tid = forms.suggest_id(values["name"], forms.catalog_of(ss.editor))
    write_change(forms.apply_thing(ss.editor, form.section, tid, values, new=True), prefix, f"Added {tid}.")


def on_guide_move(step: int) -> None:
    ss.guide_step = max(0, min(len(guide.STEPS) + 1, step))


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
        ss.page = EXPLORE


def on_import_open() -> None:
    draft: ImportDraft = ss.import_draft
    if draft.merged:
        ss.editor = draft.text
        note(Notice("info", f"The open inventory with {draft.source} merged in is in the editor, not saved yet: "
                            "Save keeps the previous version as .bak."))
    else:
        switch_to(open_draft(draft))
    done_importing(draft)
    ss.page = EDIT


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
    ss.page = START if not first.text.strip() else EXPLORE
else:
    show(ss.ws.sync(ss.editor))
for kept in [*KEPT, *(k for k in ss if str(k).startswith(WHAT_IF))]:  # widgets of pages not drawn this run
    if kept in ss:
        ss[kept] = ss[kept]
doc = ss.ws.doc
dirty = doc.dirty(ss.editor)
# The first run of a session on Blast radius sends the graph first, then the head, the pickers and
# the figures above it; the cascade, the sidebar's widgets and all below the graph follow in a
# second run the page asks for (`draw_the_rest`), so the browser draws the graph without them.
first_paint = ss.page == EXPLORE and "painted" not in ss and analyse(ss.editor, doc.name).ok
ss.painted = True

# -- Sidebar: files ---------------------------------------------------------


def draw_sidebar() -> None:
    """The files: open, upload, save, revert, save as."""
    files = [display_name(p) for p in inventory_files([FOLDER, EXAMPLES])]
    current = display_name(doc.path) if doc.path else None
    if current is not None and current not in files:
        files.insert(0, current)
    ss.open = current
    st.selectbox("Open a file", files, key="open", on_change=on_open, placeholder="(an uploaded file)")
    st.file_uploader("Or upload one", type=["yaml", "yml"], key="upload", on_change=on_upload,
                     max_upload_size=MAX_INVENTORY_MB, help="It goes into the editor only; nothing is saved until you save it.")
    st.divider()
    # The bundled examples and the template stay as shipped: edits are saved under your own name.
    bundled = protected(doc.path)
    st.button("Save", key="save", on_click=on_save, disabled=doc.path is None or bundled, type="primary",
              width="stretch", help="Only a valid inventory is saved; the replaced version is kept as FILE.bak.")
    if bundled:
        st.caption("Bundled with identity-map: use Save as to keep your version.")
    st.button("Revert to the file on disk", key="revert", on_click=on_revert,
              disabled=not dirty or doc.disk is None, width="stretch")
    st.text_input("Save as (a file name)", key="save_as_name", placeholder="me.yaml")
    st.caption("Saved in " + md(display_name(FOLDER)))
    st.button("Save as", key="save_as", on_click=on_save_as, width="stretch")


with st.sidebar:
    st.header("Inventory")
    if first_paint:
        st.caption(LOADING)  # the sidebar keeps its width, so the graph keeps its size
    else:
        draw_sidebar()

# -- Header, messages, validation --------------------------------------------

st.html(PAGE_CSS)
head_box = st.container()
page = ss.page  # the radio's value: drawn in draw_head, after the graph at the first paint


def draw_head() -> None:
    """The file's name, the pages and the notices, in their place at the top."""
    with head_box:
        head, nav = st.columns([1, 4], vertical_alignment="center")
        head.caption(md(doc.name) + (" · **unsaved edits**" if dirty else ""))
        nav.radio("Page", PAGES, key="page", horizontal=True, label_visibility="collapsed")
        for notice in ss.notices:
            getattr(st, notice.level)(md(notice.text))
    if not first_paint:  # shown again by the run that draws the rest
        ss.notices = []


if not first_paint:
    draw_head()

text, name = ss.editor, doc.name
analysis = analyse(text, name)
problems_table = None
if analysis.ok:
    ss.last_good = (doc.key, text, name)
else:
    errors = analysis.validation.errors
    problems_table = appview.problem_rows(errors, ss.editor)
    if page != EDIT:
        st.error(f"The inventory has {len(errors)} error(s): fix them on the Edit page. "
                 "Nothing is saved while there are errors.")
        st.dataframe(problems_table, hide_index=True)
    kept = ss.get("last_good")
    if kept is not None and kept[0] == doc.key:
        _, text, name = kept
        analysis = analyse(text, name)
        if page != EDIT:
            st.info("Below: the last valid version of this text.")
    else:
        analysis = None


def draw_warnings() -> None:
    if analysis is not None and analysis.validation.warnings:
        # At the first paint the closed expander only holds its place: the graph below stays put.
        with st.expander(f"{len(analysis.validation.warnings)} warning(s)"):
            if not first_paint:
                st.dataframe(appview.problem_rows(analysis.validation.warnings, text), hide_index=True)


if page == EXPLORE:
    draw_warnings()


def draw_fields(prefix: str, section: str, specs, current: dict, cat: forms.Catalog, own: str | None) -> None:
    """One widget per field, built only from valid choices (terms never typed)."""
    for spec in specs:
        key, value = form_key(prefix, spec.name), current.get(spec.name)
        label = spec.label + (" (required)" if spec.required else "")
        if spec.widget == forms.FLAG:
            st.checkbox(label, value=bool(value), key=key)
        elif spec.widget == forms.NUMBER:
            st.number_input(label, value=None if value is None else float(value), min_value=0.0, key=key)
        elif spec.widget in (forms.CHOICE, forms.ONE_ID):
            options = ["", *forms.choices(spec, section, cat, own)]
            if value and value not in options:
                options.append(value)
            st.selectbox(label, options, index=options.index(value or ""), key=key,
                         format_func=lambda t, ids=spec.widget == forms.ONE_ID: (cat.label(t) if ids else t) if t else "(none)")
        elif spec.widget in (forms.IDS, forms.METHOD):
            written = list(value or [])
            options = forms.choices(spec, section, cat, own)
            options += [t for t in written if t not in options]
            st.multiselect(label, options, default=written, key=key,
                           format_func=cat.label if spec.widget == forms.IDS else partial(forms.term_label, cat))
        elif spec.widget == forms.METHODS:
            terms = forms.term_options(cat, own)
            slots = forms.method_slots(value or [])
            ss[form_key(prefix, spec.name, "n")] = len(slots)
            for i, method in enumerate(slots):
                st.multiselect(label if i == 0 else f"{label}: way {i + 1}", [*terms, *(t for t in method if t not in terms)],
                               default=method, key=form_key(prefix, spec.name, i),
                               label_visibility="visible" if i == 0 else "collapsed",
                               placeholder="Another way: pick all its parts" if not method else "Pick its parts",
                               format_func=partial(forms.term_label, cat))
        else:
            st.text_input(label, value=value or "", key=key)


def draw_problems(prefix: str) -> None:
    refused = ss.get("form_problems")
    if refused and refused[0] == prefix:
        st.error("Not changed: " + md("; ".join(refused[1])))


# -- Start my map (the guided start) ----------------------------------------------------

if page == START:
    step = ss.get("guide_step", 0)
    st.progress(step / (len(guide.STEPS) + 1),
                text=f"Step {step + 1} of {len(guide.STEPS) + 2}" if step <= len(guide.STEPS) else "Done")
    if step == 0:
        st.subheader("Start my map")
        st.markdown("A few minutes, in small steps: your mailboxes, phones, password manager, other accounts, "
                    "devices, data and purchases. Every step saves a valid map you can keep editing on the Edit "
                    "page; nothing leaves this computer, and no password or code is ever asked for.")
        st.text_input("Your name (shown in the titles)", key="guide_owner", placeholder="Anna")
        st.text_input("File name for your map", key="guide_file", value="me.yaml",
                      help="Saved in " + md(display_name(FOLDER)) + "; an existing file is never replaced here.")
        left, right = st.columns(2)
        left.button("Start a new map", key="guide_start", type="primary", on_click=on_guide_start)
        right.button("Continue with the open file", key="guide_continue", on_click=on_guide_move, args=(1,),
                     disabled=doc.path is None or protected(doc.path),
                     help="Add to the inventory that is open now." if not protected(doc.path)
                     else "A bundled file: start a new map, or Save as first.")
    elif step <= len(guide.STEPS):
        current = guide.STEPS[step - 1]
        st.subheader(current.title)
        st.markdown(current.explain)
        cat = forms.catalog_of(ss.editor)
        for index, form in enumerate(current.forms):
            prefix = f"g-{current.key}-{index}"
            have = [cat.label(t) for t in cat.of(forms.SINGULAR[form.section])]
            st.caption(f"{form.section.capitalize()} so far: " + (md(", ".join(have)) if have else "none yet"))
            with st.form(prefix, clear_on_submit=False, border=True):
                draw_fields(prefix, form.section, form.specs(), dict(form.preset), cat, None)
                st.form_submit_button(form.title, on_click=on_guide_add, args=(current.key, index), type="primary",
                                      key=f"submit-{prefix}")
            draw_problems(prefix)
        back, ahead = st.columns(2)
        back.button("Back", key="guide_back", on_click=on_guide_move, args=(step - 1,))
        ahead.button("Next step" if step < len(guide.STEPS) else "Finish", key="guide_next",
                     on_click=on_guide_move, args=(step + 1,), type="primary")
    else:
        st.subheader("Your map is ready")
        st.markdown("Open **Blast radius** to see what a loss would take, and the checklist of what to do about "
                    "it; **Edit** changes any thing by form or as text. You can come back here to add more.")
        st.button("Add more", key="guide_again", on_click=on_guide_move, args=(1,))

# -- Edit: forms beside the YAML ---------------------------------------------------

if page == EDIT:
    form_box, text_box = st.columns([1, 1], gap="medium")
    with text_box:
        st.html(PAGE_CSS)
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
        if problems_table is not None:
            st.error(f"{len(problems_table)} error(s), nothing is saved until they are fixed:")
            st.dataframe(problems_table, hide_index=True)
        draw_warnings()
    with form_box:
        try:
            tree = forms.load_doc(ss.editor)  # parsed once for the whole form
        except forms.YAMLError:
            tree = None
        cat = forms.catalog(tree)
        pick_section, pick_thing = st.columns(2)
        section = pick_section.selectbox("Section", list(forms.SINGULAR), key="form_section")
        things = [NEW_THING, *cat.of(forms.SINGULAR[section])]
        if ss.get("form_thing") not in things:
            ss.form_thing = NEW_THING
        thing = pick_thing.selectbox("Thing", things, key="form_thing",
                                     format_func=lambda t: cat.label(t) if t else f"(add a new {forms.SINGULAR[section]})")
        current = None if tree is None else forms.values(tree, section, thing) if thing else {}
        if current is None:
            st.info("The text cannot be read as YAML: fix it on the right (see the error), then the forms come back.")
        else:
            prefix = form_prefix(section, thing)
            with st.form(f"form-{section}", border=True):
                if not thing:
                    st.text_input("Id (optional: made from the name)", key=form_key(prefix, "id"),
                                  help="Lower-case letters, digits, '.', '_' and '-'; terms name things by it.")
                draw_fields(prefix, section, forms.fields(section), current, cat, thing or None)
                st.form_submit_button("Save this change" if thing else f"Add this {forms.SINGULAR[section]}",
                                      type="primary", on_click=on_form_save, args=(section, thing or None),
                                      key=f"submit-{section}")
            draw_problems(prefix)
            if thing:
                used = [cat.label(t) for t in forms.users_of(tree, thing)]
                st.button(f"Remove {thing}", key="form_remove", on_click=on_form_remove, args=(section, thing),
                          help=("Named by " + ", ".join(used) + ": remove those terms first.") if used
                          else "The previous version of the file is kept as .bak.")
            st.caption("Every change is checked before it is written; comments and order in the file stay. "
                       + ("It is saved at once (the previous version as .bak)." if doc.path and not protected(doc.path)
                          else "This file is not saved over: Save as keeps your version."))

# -- Import ----------------------------------------------------------------------

if page == IMPORT:
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
    if page in (EXPLORE, RANKING, RESILIENCE, SECOND, AFTER_ME, EXPORT):
        st.info("Nothing to show until the inventory is valid: fix the errors on the Edit page, or begin with "
                "Start my map.")
    st.stop()

inv = analysis.inventory

# -- The scenario: drawn on Blast radius, read from session state elsewhere ------------


def scenario_lost(draw) -> tuple[str, ...]:
    """The ids the chosen scenario loses. `draw` is the row of columns to
    draw the pickers in, or None on the other pages (their state is kept)."""
    mode = ss.get("scenario_mode", CUSTOM)
    if draw is not None:
        mode = draw[0].selectbox("Scenario", MODES, key="scenario_mode",
                                 format_func=lambda m: "Pick what to lose" if m == CUSTOM else scenarios.BY_KEY[m].label)
    if mode == CUSTOM:
        options = appview.lose_options(inv)
        ss.lose = [t for t in ss.lose if t in options] if "lose" in ss else list(appview.opening_lost(analysis))
        if draw is not None:
            draw[1].multiselect("Lose", options, key="lose", format_func=lambda t: appview.label(inv, t),
                                help="Starts on the worst single point of failure of the ranking.")
        return tuple(ss.lose)
    column = draw[1] if draw is not None else None
    return preset_ids(scenarios.BY_KEY[mode], inv, column, analysis.ranking)


def draw_row(row) -> tuple[str, tuple[str, ...], bool]:
    """Blast radius's row of pickers: the view switch, the scenario and the
    whole-graph switch; returns (view, lost ids, whole). With `row` None
    nothing is drawn and the values are those kept in session state."""
    view = (row[0].radio("View", BLAST_VIEWS, key="blast_view", label_visibility="collapsed",
                         help="Lockout: what you lose. Takeover: what an attacker gets.")
            if row else ss.get("blast_view", LOCKOUT))
    pickers = row[1:] if row and view == LOCKOUT else None
    lost = scenario_lost(pickers)
    if "whole_graph" not in ss:
        ss.whole_graph = not appview.focus_by_default(inv)
    whole = (pickers[2].toggle("Whole graph", key="whole_graph",
                               help="Off: only the things the loss touches and their neighbours.")
             if pickers else ss.whole_graph)
    return view, lost, whole


# The view switch heads the pickers' row: the graph stays on a 1280x800 screen.
row = st.columns([1.1, 1.9, 3.6, 1.6], vertical_alignment="bottom") if page == EXPLORE else None
view, lost, whole = draw_row(None if first_paint else row)
mode = ss.get("scenario_mode", CUSTOM)
after_death = mode != CUSTOM and scenarios.BY_KEY[mode].after_death
base = appview.scenario(analysis, lost, after_death)
lost_key = base.selectors
whole_list = ss.get("checklist_whole", False)
items = None
chosen: tuple[str, ...] = tuple(sorted(str(k)[len(WHAT_IF):] for k in ss if str(k).startswith(WHAT_IF) and ss[k]))

# -- Blast radius --------------------------------------------------------------

if page == EXPLORE and view == LOCKOUT:
    # The graph and the figures come first: the checklist below takes longest to build, and its
    # what-if toggles (kept in session state) already say what the graph shows.
    what = what_if(text, name, lost_key, whole_list, chosen, after_death) if chosen else None
    result = what.result if what is not None else base
    shown_inv = result.compiled.inventory
    # The graph is sent first, the figures above it and the cascade beside it after it: the browser
    # starts drawing the graph while it builds the rest (at the first paint, the head and the row too).
    figures = st.container()
    graph_box, cascade_box = st.columns([3, 1], gap="small")
    with graph_box:
        st.iframe(graph_page(text, name, lost_key, not whole, whole_list, chosen, after_death),
                  height=appview.GRAPH_HEIGHT + appview.LEGEND_HEIGHT, alt="Dependency graph")
    if first_paint:
        draw_head()
        draw_row(row)
    with figures:
        # Money gets the widest column: amounts in several currencies are long.
        for column, metric in zip(st.columns([1, 1, 1, 2, 1]),
                                  appview.metrics(result, base if what is not None else None)):
            column.metric(metric.label, metric.value, metric.delta, metric.delta_color, help=metric.help)
        if what is not None:
            st.info(appview.what_if_md(what))
            st.button("Clear the what-if changes", key="clear_what_if", on_click=on_clear_what_if)
    with cascade_box:
        st.markdown("**What falls because of what**")
        # A box of fixed height: the tree can follow the first paint without moving anything.
        with st.container(height=appview.GRAPH_HEIGHT + appview.LEGEND_HEIGHT - 40, border=False):
            st.markdown(appview.cascade_md(result) if not first_paint else LOADING)
    if first_paint:
        draw_the_rest()
if page == EXPLORE and view == LOCKOUT and not first_paint:
    st.markdown(appview.scenario_md(result))
    if critical := appview.critical_lost_md(result):
        st.markdown(critical)

    explained = explain_pick("explain", "explained_for", result.scenario, shown_inv,
                             lambda: appview.default_explained(result), lambda t: appview.status_label(result, t))
    st.markdown(appview.explanation_md(result, explained))
    if rows := appview.method_rows(result, explained):
        st.dataframe(rows, hide_index=True)

    st.subheader("Checklist")
    whole_list = st.toggle("Whole inventory", key="checklist_whole",
                           help="Off: what to do about the scenario above. On: about every single point of failure.")
    if appview.checklist_by_default(inv) or st.toggle(
            "Build the checklist", key="checklist_build", help="It takes a while on an inventory this "
            "large: every proposed change is verified by re-running the scenarios."):
        items = checklist(text, name, lost_key if not whole_list else (), whole_list, after_death)
    if items is not None and not items:
        st.info(appview.empty_checklist_md(base, whole_list))
    elif items is not None:
        st.caption(appview.checklist_scope_md(items, inv))
        with st.container(horizontal=True, gap="small"):
            for item in exports.checklist_downloads(analysis.graph, base, inv, exports.file_stem(name),
                                                    whole=whole_list, items=items):
                st.download_button(item.short, data=item.build, file_name=item.file_name, mime=item.mime,
                                   on_click="ignore", key=f"checklist-{item.file_name}", icon=":material/download:")
        with st.container(height=appview.GRAPH_HEIGHT):
            for heading, entries in appview.checklist_groups(items, inv):
                st.markdown(heading)
                for entry in entries:
                    st.markdown(entry.action_md)
                    if entry.can_try:
                        st.toggle("What if I do this", key=WHAT_IF + entry.id,
                                  help="Applies this change in memory and redraws the blast radius. "
                                       "The file is not changed.")
                    for line in (entry.verified_md, entry.gains_md, entry.takeover_md):
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

# -- Takeover: what an attacker gets, on the same graph ---------------------------------

if page == EXPLORE and view == TAKEOVER:
    exposed = exposure(analysis.graph)
    pick_attack, pick_gain, pick_view = row[1:]
    attack = pick_attack.selectbox("Attack", ATTACKS, key="attack_mode",
                                   format_func=lambda m: "Pick what the attacker gains" if m == CUSTOM
                                   else scenarios.TAKEOVER_BY_KEY[m].label)
    if attack == CUSTOM:
        options = appview.gain_options(inv)
        ss.gain = [t for t in ss.gain if t in options] if "gain" in ss else [r.id for r in exposed[:1]]
        gained = pick_gain.multiselect("The attacker gains", options, key="gain",
                                       format_func=lambda t: appview.label(inv, t),
                                       help="Starts on the thing whose compromise gives away most. "
                                            "memory: the attacker knows your passwords.")
    else:
        gained = preset_ids(scenarios.TAKEOVER_BY_KEY[attack], inv, pick_gain, exposed)
    whole = pick_view.toggle("Whole graph", key="whole_graph",
                             help="Off: only what is taken and its neighbours.")
    attacked = appview.takeover_scenario(analysis, gained)
    for column, metric in zip(st.columns([1, 1, 2, 1]), appview.takeover_metrics(attacked)):
        column.metric(metric.label, metric.value, help=metric.help)
    st.iframe(takeover_graph_page(text, name, tuple(sorted(attacked.gained)), not whole),
              height=appview.GRAPH_HEIGHT + appview.LEGEND_HEIGHT, alt="Takeover graph")
    st.markdown(appview.gained_md(attacked))
    explained = explain_pick("taken_explain", "taken_explained_for", attacked.gained, inv,
                             lambda: appview.default_taken_explained(attacked),
                             lambda t: appview.takeover_status_label(attacked, t))
    st.markdown(appview.takeover_explanation_md(attacked, explained))
    st.subheader("Each thing gained alone: what it gives away")
    st.caption("Worst first: critical things taken, then money, then things.")
    st.dataframe(appview.exposure_rows(exposed), hide_index=True)

# -- Ranking -------------------------------------------------------------------

if page == RANKING:
    st.caption("What each account, device, phone number or place takes with it when it alone is lost; "
               "worst first (critical things, then money, then things).")
    st.dataframe(appview.ranking_rows(analysis.ranking), hide_index=True)
    chart = appview.ranking_chart(analysis.ranking)
    if chart["thing"]:
        st.bar_chart(chart, x="thing", y=list(appview.CHART_SERIES), color=list(appview.CHART_SERIES.values()),
                     horizontal=True, sort=False, x_label="", y_label="other things affected")
    else:
        st.info("No single loss affects anything else yet: add the accounts, phones and devices your logins "
                "depend on (Start my map, or the forms on the Edit page).")

# -- Resilience --------------------------------------------------------------------

if page == RESILIENCE:
    st.caption("For each critical thing: the fewest accounts, devices, phone numbers or places lost together "
               "that take it (1 = a single point of failure), up to 3, with the sets that do; beside it, the "
               "fewest things an attacker must gain to take it. Exact, not sampled."
               + (" The last column: with the what-if changes from the checklist." if chosen else ""))
    table = resilience_rows(text, name, *((lost_key, whole_list, chosen) if chosen else ()))
    if table:
        st.dataframe(table, hide_index=True)
    else:
        st.info("No critical things: tick *Critical* on the things that matter (Edit page, the form of each "
                "thing), then this page says how many losses it takes to lose each.")

# -- What your people can reach --------------------------------------------------

if page == AFTER_ME:
    st.caption("After your death what you knew by heart and you in person are gone; legacy contacts, "
               "inactive account managers and emergency access start to work. For one person, everyone "
               "else of your people is counted as absent.")
    people = appview.heirs_choices(inv)
    if ss.get("heirs_person") not in people:
        ss.heirs_person = ""
    person = st.selectbox("Who", people, key="heirs_person", format_func=lambda p: appview.heirs_label(inv, p))
    heirs_view = heirs_reach(text, name, person)
    for column, metric in zip(st.columns([1, 1, 1, 2, 2]), appview.heirs_metrics(heirs_view)):
        column.metric(metric.label, metric.value, help=metric.help)
    with st.container(horizontal=True, gap="small"):
        for item in exports.heirs_downloads(analysis.graph, person or None, exports.file_stem(name)):
            st.download_button(item.short, data=item.build, file_name=item.file_name, mime=item.mime,
                               on_click="ignore", key=f"heirs-{item.file_name}", icon=":material/download:")
    for group, heading in appview.HEIRS_GROUPS:
        st.subheader(heading)
        if rows := appview.heirs_rows(heirs_view, group):
            st.dataframe(rows, hide_index=True)
        else:
            st.caption("Nothing.")

# -- Second factors ----------------------------------------------------------------

if page == SECOND:
    st.caption("Per account: the second factors its site offers (from the bundled 2fa.directory and "
               "passkeys.directory data) against those your inventory uses; critical and most depended-on "
               "accounts first. Nothing is looked up online.")
    rows = factors(text, name)
    st.dataframe(appview.factor_table(rows), hide_index=True)
    by_id = {r.id: r for r in rows}
    if rows:
        if ss.get("factors_of") not in by_id:
            ss.factors_of = rows[0].id
        picked = st.selectbox("Details of", list(by_id), key="factors_of",
                              format_func=lambda t: appview.label(inv, t))
        st.markdown(appview.factor_findings_md(by_id[picked]))

# -- Export --------------------------------------------------------------------

if page == EXPORT:
    st.caption("For the scenario chosen on Blast radius, as the file stands (without what-if changes). "
               "Built when you click.")
    for item in exports.downloads(analysis.graph, base, source=name, focus=not whole,
                                  whole_checklist=whole_list, checklist=items):
        st.download_button(item.label, data=item.build, file_name=item.file_name, mime=item.mime,
                           on_click="ignore", key=f"download-{item.file_name}")
