"""The printable "My wishes and feelings" is an accessible HTML page that prints on A4 (issue 18): the PDF was
untagged (no structure, no language) and could not draw emoji, so it was dropped. The page has a language, one
title heading, one heading per question, the child's words exactly as stored, a print stylesheet, and every
print is audited as an export."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from tests.integration.test_review_support import *  # noqa: F403
from tests.integration.test_review_support import actor, audit_events, login

STATIC = Path(__file__).resolve().parents[2] / "bot" / "web" / "review" / "static"


class _Outline(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.lang: str | None = None
        self.headings: list[tuple[str, str]] = []
        self.stylesheets: list[dict[str, str | None]] = []
        self.title = ""
        self._open: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "html":
            self.lang = attributes.get("lang")
        elif tag == "link" and attributes.get("rel") == "stylesheet":
            self.stylesheets.append(attributes)
        elif tag in ("h1", "h2", "h3", "title"):
            self._open = tag

    def handle_endtag(self, tag):
        if tag == self._open:
            self._open = None

    def handle_data(self, data):
        if self._open == "title":
            self.title += data
        elif self._open:
            self.headings.append((self._open, data.strip()))


async def test_the_printable_statement_is_an_accessible_page(client, world, engine):
    await login(client, "sw.a")
    response = await client.get(f"/review/children/{world.ada}/statements/{world.shared}/print")
    assert response.status == 200 and response.content_type == "text/html"
    outline = _Outline()
    outline.feed(await response.text())
    assert outline.lang == "en-GB"
    assert outline.title.startswith("My wishes and feelings")
    levels = [level for level, _ in outline.headings]
    assert levels[0] == "h1" and levels.count("h1") == 1
    assert outline.headings[0][1] == "My wishes and feelings"
    questions = [text for level, text in outline.headings if level == "h2"]
    assert questions and all(questions)  # one heading per question, none empty
    sheets = [link["href"] for link in outline.stylesheets]
    assert "/review/static/print.css" in sheets
    css = (STATIC / "print.css").read_text()
    printing = css[css.index("@media print"):]
    assert re.search(r"\.no-print[^{]*\{[^}]*display:\s*none", printing)  # the back link is not printed
    assert "@page" in css and "A4" in css
    assert (await client.get("/review/static/print.css")).status == 200
    exports = audit_events(engine, actor=actor("sw.a"), action="export", entity_id=world.ada)
    assert [e.detail for e in exports] == [f'{{"format": "html", "statement": {world.shared}}}']


async def test_there_is_no_untagged_pdf_any_more(client, world):
    await login(client, "sw.a")
    record = await (await client.get(f"/review/children/{world.ada}")).text()
    assert f"/statements/{world.shared}/print" in record and "/pdf" not in record
    response = await client.get(f"/review/children/{world.ada}/statements/{world.shared}/pdf")
    assert response.status == 404
