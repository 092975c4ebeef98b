"""The font for PDFs made with fpdf2 (the subject access export): DejaVu Sans from Debian's
``fonts-dejavu-core`` (Latin, Greek, Cyrillic and many symbols), Helvetica when it is missing."""

from __future__ import annotations

import logging
from pathlib import Path

from fpdf import FPDF

logging.getLogger("fontTools").setLevel(logging.ERROR)
logging.getLogger("fpdf").setLevel(logging.ERROR)
FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))


def font_for(pdf: FPDF) -> str:
    """Add DejaVu Sans (regular and bold) to ``pdf`` when installed; the font family to use."""
    for folder in FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.exists() and bold.exists():
            pdf.add_font("DejaVu", "", str(regular))
            pdf.add_font("DejaVu", "B", str(bold))
            return "DejaVu"
    return "helvetica"


def safe_text(text: str, font: str) -> str:
    """``text`` as ``font`` can draw it: unchanged with DejaVu; Latin-1 with a ? for the rest in Helvetica."""
    if font != "helvetica":
        return text
    return text.encode("latin-1", "replace").decode("latin-1")  # only without DejaVu installed
