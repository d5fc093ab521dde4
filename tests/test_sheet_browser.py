"""The emergency sheet in a real browser: Debian's chromium prints it to an
A4 PDF, which must be at most two pages for the household example, show the
user's text as text, and hold no secret planted in the notes."""

from __future__ import annotations

import io
import unicodedata
from pathlib import Path

import pytest

from browser_support import ROOT, Traffic, chromium_browser, watched_page
from identity_map.analysis.graph import build_graph
from identity_map.format.load import load_text
from identity_map.output.sheet import emergency_sheet
from test_heirs import PLANTED, SECRETS

HOUSEHOLD = ROOT / "examples" / "household.yaml"
# The printed PDFs are kept here to look at (git-ignored), as the app's screenshot is.
OUT_DIR = ROOT / "artifacts"


@pytest.fixture(scope="module")
def browser():
    yield from chromium_browser()


def printed(browser, path: Path) -> tuple[bytes, str, Traffic]:
    """(the A4 PDF, the page's visible text, what it asked for) of the sheet of `path`."""
    traffic = Traffic()
    page = watched_page(browser, traffic)
    page.set_content(emergency_sheet(build_graph(load_text(path.read_text(), str(path)))))
    seen = page.inner_text("body")
    pdf = page.pdf(format="A4", print_background=True)
    page.context.close()
    OUT_DIR.mkdir(exist_ok=True)
    (OUT_DIR / f"{path.stem}-sheet.pdf").write_bytes(pdf)
    return pdf, seen, traffic


def pages(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def pdf_text(pdf: bytes) -> str:
    from pypdf import PdfReader

    # NFKC undoes the ligatures the PDF's fonts use ("ﬁ" -> "fi").
    return unicodedata.normalize("NFKC", "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))


def test_the_household_sheet_prints_on_at_most_two_a4_pages(browser):
    pdf, seen, traffic = printed(browser, HOUSEHOLD)
    assert 1 <= pages(pdf) <= 2, pages(pdf)
    text = pdf_text(pdf)
    for heading in ("People to contact", "Where things are", "Where the secrets are kept", "Reach these first",
                    "Time-critical", "Purchases at stake"):
        assert heading in seen and heading in text
    assert not traffic.outside and not traffic.dialogs


def test_planted_secrets_never_reach_the_printed_sheet_and_user_text_stays_text(browser):
    pdf, seen, traffic = printed(browser, PLANTED)
    text = pdf_text(pdf)
    for secret in SECRETS:
        assert secret not in seen and secret not in text, secret
    # The names are shown as typed: markup in them was never run or parsed.
    assert "Anna <script>alert(1)</script>" in seen
    assert "Home safe <img src=x onerror=alert(2)>" in seen
    assert not traffic.dialogs, traffic.dialogs
    assert not traffic.outside, traffic.outside


def test_a_large_generated_inventory_still_fits_two_pages(browser, tmp_path):
    from identity_map.format.generate import generate_inventory

    path = tmp_path / "generated.yaml"
    path.write_text(generate_inventory(1000))
    pdf, seen, _ = printed(browser, path)
    assert 1 <= pages(pdf) <= 2, pages(pdf)
    assert "more: see the heirs report" in seen
