"""The app in a real browser (Debian's chromium driven by Playwright).

Skipped, with the reason, only when /usr/bin/chromium is absent; with
IDENTITY_MAP_REQUIRE_BROWSER=1 (CI sets it) that is a failure instead.
Every wait is on a condition with a timeout; the server is always stopped.

The screenshot goes to artifacts/screenshot.png (git-ignored); with
IDENTITY_MAP_UPDATE_SCREENSHOT=1 it replaces docs/screenshot.png, the README's.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from app_support import ROOT, XSS
from browser_support import (
    CHROMIUM, Traffic, graph_frame, launch, metric_values, serve_app, wait_graph_drawn, watched_page,
)

ENV_UPDATE_SCREENSHOT = "IDENTITY_MAP_UPDATE_SCREENSHOT"


def screenshot_path(env=os.environ) -> Path:
    """Where the screenshot goes: the README's image only when asked to update it."""
    if env.get(ENV_UPDATE_SCREENSHOT) == "1":
        return ROOT / "docs" / "screenshot.png"
    return ROOT / "artifacts" / "screenshot.png"


DRAW_TIMEOUT_MS = 30_000


def _require_browser() -> None:
    if CHROMIUM.exists():
        return
    reason = f"{CHROMIUM} is not installed (Debian: apt-get install chromium); the real-browser tests need it"
    if os.environ.get("IDENTITY_MAP_REQUIRE_BROWSER") == "1":
        pytest.fail(f"IDENTITY_MAP_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    _require_browser()
    from playwright.sync_api import sync_playwright  # a test dependency: missing it is an error, not a skip

    with sync_playwright() as p:
        chromium = launch(p)
        try:
            yield chromium
        finally:
            chromium.close()


def assert_stayed_local(traffic: Traffic) -> None:
    assert traffic.requests, "no request recorded: the recorder is broken"
    assert not traffic.outside, f"requests left the machine: {traffic.outside}"
    assert not traffic.dialogs, f"a dialog opened (script ran from user text?): {traffic.dialogs}"


METRICS_CHANGED_JS = """(before) => {
    const now = Array.from(document.querySelectorAll('[data-testid="stMetricValue"]'))
        .filter(e => e.checkVisibility()).map(e => e.innerText).join('|');
    return now && now !== before;
}"""


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
        screenshot.parent.mkdir(exist_ok=True)
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
            handle = frame.wait_for_function(TOOLTIP_JS, arg=node, timeout=5_000)
            tooltips.append(handle.json_value())
        assert len(tooltips) >= 6, tooltips
        assert all(t["elements"] == [] for t in tooltips), f"a tooltip holds elements, not text: {tooltips}"
        assert any("<img src=x onerror=alert('photos')>" in t["text"] for t in tooltips)
        page.context.close()
    assert_stayed_local(traffic)


def test_missing_chromium_skips_with_a_reason_unless_required(monkeypatch, tmp_path):
    monkeypatch.setattr(sys.modules[__name__], "CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.delenv("IDENTITY_MAP_REQUIRE_BROWSER", raising=False)
    with pytest.raises(pytest.skip.Exception, match="not installed"):
        _require_browser()
    monkeypatch.setenv("IDENTITY_MAP_REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception, match="IDENTITY_MAP_REQUIRE_BROWSER=1"):
        _require_browser()


def test_screenshot_goes_to_artifacts_unless_asked_to_update_the_readme_image():
    assert screenshot_path({}) == ROOT / "artifacts" / "screenshot.png"
    assert screenshot_path({ENV_UPDATE_SCREENSHOT: "0"}) == ROOT / "artifacts" / "screenshot.png"
    assert screenshot_path({ENV_UPDATE_SCREENSHOT: "1"}) == ROOT / "docs" / "screenshot.png"
