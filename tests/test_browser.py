"""The app in a real browser (Debian's chromium driven by Playwright).

Skipped, with the reason, only when /usr/bin/chromium is absent; with
IDENTITY_MAP_REQUIRE_BROWSER=1 (CI sets it) that is a failure instead.
Every wait is on a condition with a timeout; the server is always stopped.

The screenshot goes to artifacts/screenshot.png (git-ignored); with
IDENTITY_MAP_UPDATE_SCREENSHOT=1 it replaces docs/screenshot.png, the README's.
"""

from __future__ import annotations

import json
import os
from contextlib import contextmanager
from pathlib import Path

import pytest

import browser_support
from app_support import ROOT, XSS
from browser_support import (
    FIRST_GRAPH_FRAME, Traffic, chromium_browser, graph_frame, metric_values, pick_options, press,
    run_guided_start, serve_app, serve_launcher, wait_first_graph_drawn, wait_graph_drawn, wait_in, wait_rerun,
    watched_page, widget,
)

ENV_UPDATE_SCREENSHOT = "IDENTITY_MAP_UPDATE_SCREENSHOT"


def screenshot_path(env=os.environ, name: str = "screenshot.png") -> Path:
    """Where a screenshot goes: the README's images only when asked to update them."""
    folder = ROOT / ("docs" if env.get(ENV_UPDATE_SCREENSHOT) == "1" else "artifacts")
    folder.mkdir(exist_ok=True)
    return folder / name


DRAW_TIMEOUT_MS = 30_000


@pytest.fixture(scope="module")
def browser():
    yield from chromium_browser()


def assert_stayed_local(traffic: Traffic) -> None:
    assert traffic.requests, "no request recorded: the recorder is broken"
    assert not traffic.outside, f"requests left the machine: {traffic.outside}"
    assert not traffic.dialogs, f"a dialog opened (script ran from user text?): {traffic.dialogs}"


METRICS_CHANGED_JS = """(before) => {
    const now = Array.from(document.querySelectorAll('[data-testid="stMetricValue"]'))
        .filter(e => e.checkVisibility()).map(e => e.innerText).join('|');
    return now && now !== before;
}"""


@contextmanager
def drawn_app(browser, traffic: Traffic, args, viewport):
    """The app serving `args`, open in a watched page once its graph is drawn: (page, graph frame)."""
    with serve_app(args) as url:
        page = watched_page(browser, traffic, viewport=viewport)
        page.goto(url)
        wait_graph_drawn(page, DRAW_TIMEOUT_MS)
        yield page, graph_frame(page, DRAW_TIMEOUT_MS)
        page.context.close()


def test_malik_graph_draws_offline_and_a_loss_and_a_what_if_change_the_metrics(browser):
    traffic = Traffic()
    with serve_app(["examples/malik.yaml"]) as url:
        page = watched_page(browser, traffic, viewport=(1600, 1250))
        page.goto(url)
        painted = wait_graph_drawn(page, DRAW_TIMEOUT_MS)
        assert painted > 500
        frame = graph_frame(page, DRAW_TIMEOUT_MS)
        assert frame.evaluate("network.body.data.nodes.length") == 23  # 22 things and memory
        page.wait_for_selector('[data-testid="stMetricValue"]', timeout=DRAW_TIMEOUT_MS)
        before = metric_values(page)
        assert before == ["18", "0", "0", "EUR 1,400.00", "9"]
        page.get_by_text("What if I do this").first.wait_for(timeout=DRAW_TIMEOUT_MS)  # the checklist beside it
        screenshot = screenshot_path()
        page.screenshot(path=str(screenshot))

        # Lose the phone as well, the way a person does: type into the "Lose" box.
        box = page.locator('[data-testid="stMultiSelect"] input').first
        box.click()
        box.fill("iPhone 13")
        page.keyboard.press("Enter")
        page.wait_for_function(METRICS_CHANGED_JS, arg="|".join(before), timeout=DRAW_TIMEOUT_MS)
        after = metric_values(page)
        assert after != before and int(after[0]) > int(before[0])
        wait_graph_drawn(page, DRAW_TIMEOUT_MS)

        # "What if I do this" on the checklist's first fix: fewer things lost, the graph drawn again.
        page.get_by_text("What if I do this").first.click()
        page.wait_for_function(METRICS_CHANGED_JS, arg="|".join(after), timeout=DRAW_TIMEOUT_MS)
        assert int(metric_values(page)[0]) < int(after[0])
        page.get_by_text("not saved", exact=False).first.wait_for(timeout=DRAW_TIMEOUT_MS)
        wait_graph_drawn(page, DRAW_TIMEOUT_MS)
        page.context.close()
    assert_stayed_local(traffic)


# Elements the payloads would create: event-handler attributes, javascript: links, the tags they use.
INJECTED_JS = """() => Array.from(document.querySelectorAll('*')).filter(e =>
    Array.from(e.attributes).some(a => a.name.startsWith('on') || /^\\s*javascript:/i.test(a.value))
    || e.matches('img[src=x], marquee, svg[onload], iframe[src^=javascript]')).map(e => e.outerHTML.slice(0, 80))"""

# Hover a node so vis shows its tooltip; the tooltip must hold the node's title as text.
# Null when another node covers its centre (a box or database shape holds its label, so a long name makes it big).
HOVER_TOOLTIP_JS = """(id) => {
  const p = network.canvasToDOM(network.getPositions([id])[id]);
  if (network.getNodeAt(p) !== id) return null;
  const box = document.getElementById('mynetwork').getBoundingClientRect();
  return {x: box.left + p.x, y: box.top + p.y};
}"""
TOOLTIP_JS = """(id) => {
  const t = document.querySelector('div.vis-tooltip');
  const title = network.body.data.nodes.get(id).title.replace(/\\n/g, '');
  if (!t || t.style.visibility === 'hidden' || t.textContent !== title) return null;
  // Line breaks become <br>; any other element would be markup from the title.
  const elements = Array.from(t.querySelectorAll('*')).filter(e => e.tagName !== 'BR');
  return {elements: elements.map(e => e.tagName), text: t.textContent};
}"""


def test_markup_in_names_stays_text_in_the_browser(browser):
    traffic = Traffic()
    with serve_app([str(XSS)]) as url:
        page = watched_page(browser, traffic, viewport=(1400, 1600))  # the whole graph on screen, to hover
        page.goto(url)
        wait_graph_drawn(page, DRAW_TIMEOUT_MS)
        frame = graph_frame(page, DRAW_TIMEOUT_MS)
        # Nothing in the graph page or the app became an element.
        for doc in (frame, page):
            assert doc.evaluate(INJECTED_JS) == [], doc.url
        assert page.get_by_text("</script><img src=x onerror=alert('mail')> (mail)").first.is_visible()

        frame_box = page.locator('iframe[title="Dependency graph"]').bounding_box()
        tooltips = []
        for node in frame.evaluate("network.body.data.nodes.getIds()"):
            point = frame.evaluate(HOVER_TOOLTIP_JS, node)
            if point is None:
                continue
            x, y = frame_box["x"] + point["x"], frame_box["y"] + point["y"]
            page.mouse.move(x - 3, y - 3)
            page.mouse.move(x, y, steps=3)
            tooltips.append(wait_in(frame, TOOLTIP_JS, node, timeout_ms=5_000))
        assert len(tooltips) >= 6, tooltips
        assert all(t["elements"] == [] for t in tooltips), f"a tooltip holds elements, not text: {tooltips}"
        assert any("<img src=x onerror=alert('photos')>" in t["text"] for t in tooltips)
        page.context.close()
    assert_stayed_local(traffic)


NODES_JS = "() => DATA.nodes.map(n => [n.id, n.label])"
STARTED_JS = "() => document.querySelectorAll('script[type=module]').length"


def test_the_launcher_draws_the_opening_graph_first_then_the_app_takes_over(browser):
    # `identity-map app` (the README's way): the first graph is drawn before Streamlit's scripts
    # run, holds markup in names as text, and gives way to the app's own graph, the same one.
    traffic = Traffic()
    with serve_launcher([str(XSS)]) as url:
        page = watched_page(browser, traffic, viewport=(1280, 800))
        page.goto(url, wait_until="commit")
        wait_first_graph_drawn(page, DRAW_TIMEOUT_MS)
        first = graph_frame(page, DRAW_TIMEOUT_MS, FIRST_GRAPH_FRAME)
        assert first.evaluate(INJECTED_JS) == []
        first_nodes = first.evaluate(NODES_JS)
        assert any("<img src=x onerror=alert('mail')>" in label for _, label in first_nodes), first_nodes
        wait_graph_drawn(page, DRAW_TIMEOUT_MS)
        page.wait_for_selector("#identity-map-first", state="detached", timeout=DRAW_TIMEOUT_MS)
        assert page.evaluate(STARTED_JS) >= 1  # Streamlit's own scripts were started by the page
        assert graph_frame(page, DRAW_TIMEOUT_MS).evaluate(NODES_JS) == first_nodes
        assert page.evaluate(INJECTED_JS) == []
        assert metric_values(page), "the app's figures are not there"
        page.context.close()
    assert_stayed_local(traffic)


def test_without_its_graph_the_first_frame_gives_way_to_the_app_at_once(browser):
    # the file turned invalid between the page and its frame: the frame holds no graph, so it goes and
    # Streamlit starts without waiting (the app's graph frame is not there yet when it goes)
    traffic = Traffic()
    with serve_launcher([str(ROOT / "examples" / "malik.yaml")]) as url:
        page = watched_page(browser, traffic, viewport=(1280, 800))
        page.route("**/_identity_map/first-graph", lambda r: r.fulfill(status=404, body="no first graph"))
        page.goto(url, wait_until="commit")
        page.wait_for_selector("#identity-map-first", state="detached", timeout=DRAW_TIMEOUT_MS)
        assert page.query_selector(browser_support.GRAPH_FRAME) is None
        assert page.evaluate(STARTED_JS) >= 1
        wait_graph_drawn(page, DRAW_TIMEOUT_MS)
        page.context.close()
    assert_stayed_local(traffic)


def test_missing_chromium_skips_with_a_reason_unless_required(monkeypatch, tmp_path):
    monkeypatch.setattr(browser_support, "CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.delenv("IDENTITY_MAP_REQUIRE_BROWSER", raising=False)
    with pytest.raises(pytest.skip.Exception, match="not installed"):
        browser_support.require_browser()
    monkeypatch.setenv("IDENTITY_MAP_REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception, match="IDENTITY_MAP_REQUIRE_BROWSER=1"):
        browser_support.require_browser()


def test_screenshot_goes_to_artifacts_unless_asked_to_update_the_readme_image():
    assert screenshot_path({}) == ROOT / "artifacts" / "screenshot.png"
    assert screenshot_path({ENV_UPDATE_SCREENSHOT: "0"}) == ROOT / "artifacts" / "screenshot.png"
    assert screenshot_path({ENV_UPDATE_SCREENSHOT: "1"}, "graph.png") == ROOT / "docs" / "graph.png"


# -- Issue 12: the guided start, the form editor, a graph you can read ----------------------


def test_guided_start_reaches_a_valid_15_account_inventory(browser, tmp_path):
    traffic = Traffic()
    with serve_app([str(tmp_path / "empty.yaml")], env={"IDENTITY_MAP_INVENTORIES": str(tmp_path)}) as url:
        page = watched_page(browser, traffic, viewport=(1280, 800))
        run = run_guided_start(page, url, tmp_path)
        assert run.accounts == 15
        from identity_map.analysis.validate import validate_text

        checked = validate_text(run.path.read_text(), str(run.path))
        assert checked.ok, checked.errors
        inv = checked.inventory
        assert inv.owner == "Sam" and [str(m) for m in inv["bank"].login] == ["password:bitwarden + sms:my-number"]
        assert inv["photos"].copies == ("gmail", "laptop") and inv["laptop"].site == "home"
        page.screenshot(path=str(screenshot_path(name="start.png")))
        print(f"guided start to 15 accounts: {run.seconds:.1f} s")
        page.context.close()
    assert_stayed_local(traffic)


def test_edit_a_thing_by_form_keeps_comments_and_writes_a_backup(browser, tmp_path):
    path = tmp_path / "malik.yaml"
    original = (ROOT / "examples" / "malik.yaml").read_text()
    path.write_text(original)
    traffic = Traffic()
    with serve_app([str(path)], env={"IDENTITY_MAP_INVENTORIES": str(tmp_path)}) as url:
        page = watched_page(browser, traffic, viewport=(1280, 800))
        page.goto(url)
        page.get_by_text("Edit", exact=True).first.click()
        pick_options(page, "form_section", ["accounts"])
        wait_rerun(page)
        pick_options(page, "form_thing", ["GitHub (github)"])
        notes = widget(page, "form-0-accounts.github-notes").locator("input")
        notes.wait_for(timeout=DRAW_TIMEOUT_MS)
        notes.fill("Work account, 2FA on the phone")
        pick_options(page, "form-0-accounts.github-recovery-0", ["email:outlook"])
        page.screenshot(path=str(screenshot_path(name="form-editor.png")))
        press(page, "submit-accounts")
        page.get_by_text("Changed github", exact=False).first.wait_for(timeout=DRAW_TIMEOUT_MS)
        saved = path.read_text()
        from identity_map.format.load import load_text

        github = load_text(saved)["github"]
        assert github.notes == "Work account, 2FA on the phone"
        assert [str(m) for m in github.recovery] == ["email:outlook"]
        keep = [line for line in original.splitlines() if line.lstrip().startswith("#")]
        assert [line for line in saved.splitlines() if line.lstrip().startswith("#")] == keep
        assert (tmp_path / "malik.yaml.bak").read_text() == original
        # The YAML view shows the same file (once the rerun after the save has drawn it).
        page.wait_for_function(
            "(text) => { const e = document.querySelector('.st-key-editor textarea'); "
            "return e !== null && e.value.includes(text); }",
            arg="Work account, 2FA on the phone", timeout=DRAW_TIMEOUT_MS)
        page.context.close()
    assert_stayed_local(traffic)


# The page draws its labels itself (render.py's `placeLabels`, listed in `LABELS`): each is checked
# here against what vis draws: at >= 12 px on screen, inside the canvas, its box wide and tall
# enough for its text (measured here again), overlapping no other label and no mark in full
# colour (vis's own positions and sizes) but its own; what the scenario takes is labelled; every
# mark is inside the canvas.
LABELS_JS = """() => {
  const s = network.getScale(), view = document.getElementById('mynetwork').getBoundingClientRect();
  const ctx = document.createElement('canvas').getContext('2d'), pos = network.getPositions();
  const out = {scale: s, drawn: LABELS.length, small: [], outside: [], narrow: [], overlaps: [], covers: [],
               firstHidden: [], marksOutside: [], inView: 0};
  const hit = (q, r) => q[0] < r[2] && r[0] < q[2] && q[1] < r[3] && r[1] < q[3];
  const marks = network.body.data.nodes.getIds().map(id => {
    const p = network.canvasToDOM(pos[id]), r = network.body.nodes[id].options.size * s;
    return [id, [p.x - r, p.y - r, p.x + r, p.y + r]];
  });
  for (const [id, m] of marks)
    if (m[0] < 0 || m[1] < 0 || m[2] > view.width || m[3] > view.height) out.marksOutside.push(id); else out.inView++;
  const labelled = new Set(LABELS.map(l => l.id));
  for (const n of DATA.nodes) if (n.first && !labelled.has(n.id)) out.firstHidden.push(n.id);
  LABELS.forEach((l, i) => {
    const b = l.box;
    if (l.px < 12) out.small.push(l.id);
    if (b[0] < 0 || b[1] < 0 || b[2] > view.width || b[3] > view.height) out.outside.push(l.id);
    ctx.font = l.px + 'px arial';
    if (ctx.measureText(l.text).width > b[2] - b[0] || l.px > b[3] - b[1]) out.narrow.push(l.id);
    for (const k of LABELS.slice(i + 1)) if (hit(b, k.box)) out.overlaps.push([l.id, k.id]);
    if (!full.get(l.id).first)
      for (const [id, m] of marks) if (id !== l.id && !pale(full.get(id)) && hit(b, m)) out.covers.push([l.id, id]);
  });
  return out;
}"""


def test_graph_labels_are_readable_nothing_is_clipped_and_a_click_shows_the_path(browser):
    traffic = Traffic()
    with drawn_app(browser, traffic, ["examples/household.yaml"], (1280, 800)) as (page, frame):
        wait_in(frame, "() => document.body.dataset.fitted === '1'", timeout_ms=DRAW_TIMEOUT_MS)
        labels = frame.evaluate(LABELS_JS)
        for problem in ("small", "outside", "narrow", "overlaps", "covers", "firstHidden", "marksOutside"):
            assert labels[problem] == [], (problem, labels)
        assert labels["drawn"] >= 25, labels
        # Zoomed in, more of the names in view fit, under the same rules.
        frame.evaluate("network.moveTo({scale: network.getScale() * 2}); restyle()")
        zoomed = frame.evaluate(LABELS_JS)
        for problem in ("small", "outside", "narrow", "overlaps", "covers"):
            assert zoomed[problem] == [], (problem, zoomed)
        assert zoomed["drawn"] / zoomed["inView"] > labels["drawn"] / labels["inView"], (zoomed, labels)
        frame.evaluate("network.fit({animation: false}); restyle()")
        # The graph is on screen at 1280x800 without scrolling.
        box = page.locator('iframe[title="Dependency graph"]').bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= 800 and box["x"] + box["width"] <= 1280, box
        # Metric labels are not cut.
        for label in page.locator('[data-testid="stMetricLabel"]').all():
            assert label.evaluate("e => e.scrollWidth <= e.clientWidth + 1"), label.inner_text()
        page.screenshot(path=str(screenshot_path(name="graph.png")))
        # Click the lost thing: the side panel explains it and the rest of the graph dims.
        node = frame.evaluate("network.body.data.nodes.getIds().find(id => full.get(id).color === '#7f0000')")
        point = frame.evaluate("(id) => network.canvasToDOM(network.getPositions([id])[id])", node)
        page.mouse.click(box["x"] + point["x"], box["y"] + point["y"] + frame.evaluate(
            "document.getElementById('mynetwork').getBoundingClientRect().top"))
        wait_in(frame, "() => document.getElementById('info').style.display === 'block'", timeout_ms=10_000)
        assert "Bitwarden" in frame.evaluate("document.getElementById('info').textContent")
        # what is not on its path is drawn pale, its label grey: the page's own `near` leaves it out
        assert frame.evaluate("DATA.nodes.some(n => !near.has(n.id)) && near.has(%s)" % json.dumps(node))
        cascade = page.get_by_text("What falls because of what").first
        cascade.wait_for(timeout=DRAW_TIMEOUT_MS)
        page.locator('[data-testid="stColumn"]').filter(has=cascade).last.screenshot(
            path=str(screenshot_path(name="cascade.png")))
    assert_stayed_local(traffic)
