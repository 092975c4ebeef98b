"""The printable "My wishes and feelings" in real Chromium (issue 18): an accessible page (language, headings,
the child's words exactly), printed without the page's links, and saved by the browser as a tagged PDF
(structure tree, marked, language, title) - what staff get from Print > Save as PDF."""

from __future__ import annotations

import re
import zlib

import pytest

from tests.e2e.test_review_browser import ARGS, CHROMIUM, SHOTS, _sign_in, server  # noqa: F401 - a fixture
from tests.integration.test_review_support import *  # noqa: F403

pytestmark = pytest.mark.skipif(not CHROMIUM or not __import__("pathlib").Path(CHROMIUM).exists(),
                                reason="Debian's chromium is not installed (requirements/apt.txt)")


def _pdf_text(pdf: bytes) -> str:
    """The PDF's objects, with each Flate stream inflated (object streams hold the catalog in PDF 1.5+)."""
    out = [pdf.decode("latin-1")]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            out.append(zlib.decompress(match.group(1)).decode("latin-1"))
        except zlib.error:
            continue
    return "\n".join(out)


async def test_the_printable_statement_prints_and_saves_as_a_tagged_pdf(server, world):  # noqa: F811
    playwright_api = pytest.importorskip("playwright.async_api")
    base = str(server.make_url("")).rstrip("/")
    async with playwright_api.async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            page = await (await browser.new_context(viewport={"width": 900, "height": 1100})).new_page()
            await _sign_in(page, base, "sw.a")
            await page.goto(f"{base}/review/children/{world.ada}/statements/{world.shared}/print")
            assert await page.evaluate("document.documentElement.lang") == "en-GB"
            assert await page.get_by_role("heading", level=1).inner_text() == "My wishes and feelings"
            questions = await page.get_by_role("heading", level=2).all_inner_texts()
            assert questions and all(q.strip() for q in questions)
            SHOTS.mkdir(parents=True, exist_ok=True)
            await page.screenshot(path=str(SHOTS / "review-print-statement.png"), full_page=True)

            await page.emulate_media(media="print")
            assert await page.locator("nav.no-print").is_hidden()
            assert await page.locator(".skip-link").is_hidden()
            pdf = await page.pdf(format="A4", tagged=True)
            text = _pdf_text(pdf)
            assert "/StructTreeRoot" in text
            assert re.search(r"/MarkInfo\s*<<[^>]*/Marked\s+true", text)
            assert re.search(r"/DisplayDocTitle\s+true", text)  # the title is shown, not the file name
            assert re.search(r"/Lang\s*\((?:en-GB|en)\)", text)
            assert "/H1" in text and "/P" in text  # headings and paragraphs are tagged
            assert re.search(r"/Title\s*\(", text) or "/Title <" in text
        finally:
            await browser.close()
