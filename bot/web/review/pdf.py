"""The one-page "My wishes and feelings" as a PDF, made in pure Python with fpdf2 (no browser, no network).

The child's words are written exactly as stored. DejaVu Sans (Debian ``fonts-dejavu-core``) covers Latin,
Greek, Cyrillic and many symbols; characters it has no glyph for (e.g. colour emoji) cannot be drawn in a
PDF without another font, so the printable HTML page stays the reference copy.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from fpdf import FPDF

from bot.vocabulary import audiences_list
from bot.web.review.common import fmt_date, fmt_datetime

logging.getLogger("fontTools").setLevel(logging.ERROR)
logging.getLogger("fpdf").setLevel(logging.ERROR)
FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))


def _font(pdf: FPDF) -> str:
    for folder in FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.exists() and bold.exists():
            pdf.add_font("DejaVu", "", str(regular))
            pdf.add_font("DejaVu", "B", str(bold))
            return "DejaVu"
    return "helvetica"


def _safe(text: str, font: str) -> str:
    if font != "helvetica":
        return text
    return text.encode("latin-1", "replace").decode("latin-1")  # only without DejaVu installed


def statement_pdf(data: dict[str, Any], printed_by: str) -> bytes:
    """PDF bytes for ``{"child": ..., "statement": ...}`` as returned by
    ``bot.usecases.review_child_record.statement_to_print``."""
    child, st = data["child"], data["statement"]
    pdf = FPDF(format="A4")
    pdf.set_title("My wishes and feelings")
    pdf.set_author("Heard")
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(True, margin=16)
    pdf.add_page()
    font = _font(pdf)
    width = pdf.w - pdf.l_margin - pdf.r_margin

    def line(text: str, size: float, style: str = "", gap: float = 1.5) -> None:
        pdf.set_font(font, style, size)
        pdf.multi_cell(width, size * 0.5, _safe(text, font), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(gap)

    line("My wishes and feelings", 20, "B", 2)
    review = st["review_label"] or (fmt_date(st["review_date"]) if st["review_date"] else "my next review")
    line(f"{child['chosen_name']}, for {review}", 13, "", 1)
    line(f"Sent {fmt_datetime(st['sent_at'])}", 10, "", 4)
    if st.get("withdrawn_at"):
        line(f"Withdrawn by {child['chosen_name']} on {fmt_date(st['withdrawn_at'])}: they changed their mind. "
             "Kept for the record.", 12, "B")
    if not st["visible"]:
        line(f"{child['chosen_name']} chose not to share these answers with you.", 12, "B")
    for answer in st["answers"]:
        line(answer["question"], 11, "B", 0.5)
        line(answer["answer"], 12, "", 4)
    shared = audiences_list(st["share_with"], "statement") or "nobody"
    line(f"I want this shared with: {shared}.", 10, "", 4)
    pdf.set_draw_color(120, 120, 120)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(2)
    line(
        f"Confidential. Printed by {printed_by}. Child reference {child['id']}. "
        "These are the child's own words, exactly as they were written.",
        8,
    )
    return bytes(pdf.output())
