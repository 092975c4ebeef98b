"""Everything held about a child (the subject access export) as a readable PDF: each section as headed lines,
the child's words exactly as stored, transcripts as who said what. Made with fpdf2 (font: ``pdf_fonts.py``)."""

from __future__ import annotations

from typing import Any

from fpdf import FPDF

from bot.web.review.pdf_fonts import font_for, safe_text

TITLES = {
    "child": "About you",
    "conversations": "Conversations linked to you",
    "advocacy_referrals": "Asking for an advocate",
    "wishes_statements": "Your wishes and feelings",
    "visitor_requests": "Asking for a visitor or mentor",
    "visitor_matches": "Visitors or mentors suggested to you",
    "safeguarding_alerts": "When you told us you were not safe",
    "safeguarding_concerns": "Messages a person checked to keep you safe",
    "sign_in_codes": "Sign-in codes",
    "legal_holds": "Legal holds on your records",
    "audit_events": "Who looked at or changed your records",
    "transcripts": "Your chats with Heard",
    "other_records": "Other records",
}


def _lines(value: Any, indent: str = "") -> list[str]:
    """A value as readable lines: a mapping as 'key: value', a list item by item."""
    if isinstance(value, dict):
        out = []
        for key, item in value.items():
            if isinstance(item, (dict, list)):
                out += [f"{indent}{key.replace('_', ' ')}:", *_lines(item, indent + "    ")]
            else:
                out.append(f"{indent}{key.replace('_', ' ')}: {'' if item is None else item}")
        return out
    if isinstance(value, list):
        if not value:
            return [f"{indent}(none)"]
        out = []
        for item in value:
            out += _lines(item, indent) + [""]
        return out
    return [f"{indent}{value}"]


def export_pdf(data: dict[str, Any]) -> bytes:
    """PDF bytes of ``bot.usecases.subject_access.export_child_record``'s data."""
    pdf = FPDF(format="A4")
    pdf.set_title("Everything Heard holds about you")
    pdf.set_author("Heard")
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(True, margin=16)
    pdf.add_page()
    font = font_for(pdf)
    width = pdf.w - pdf.l_margin - pdf.r_margin

    def line(text: str, size: float, style: str = "", gap: float = 0.8) -> None:
        pdf.set_font(font, style, size)
        pdf.multi_cell(width, size * 0.5, safe_text(text, font) or " ", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(gap)

    line("Everything Heard holds about you", 18, "B", 2)
    line(f"Made on {data.get('exported_at', '')}. Your words are exactly as you wrote them.", 10, "", 4)
    for key, title in TITLES.items():
        if key not in data:
            continue
        line(title, 13, "B", 1.5)
        for text in _lines(data[key]):
            line(text, 10)
        pdf.ln(3)
    return bytes(pdf.output())
