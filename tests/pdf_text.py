"""What a PDF shows: its text (pypdf) and the fonts it embeds."""

from __future__ import annotations

import io
from typing import Any

from pypdf import PdfReader


def text_of(content: bytes) -> str:
    # pypdf reads the two-byte codes of a CFF font with its own encoding CMap (fpdf2's way for the
    # CJK OpenType fonts) one byte at a time, so a NUL comes before each character: not in the PDF.
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).replace("\x00", "")


def fonts_of(content: bytes) -> set[str]:
    reader = PdfReader(io.BytesIO(content))
    found: set[str] = set()
    for page in reader.pages:
        resources: Any = page["/Resources"]
        for font in resources["/Font"].values():
            found.add(str(font.get_object()["/BaseFont"]))
    return found


def sizes_of(content: bytes) -> dict[str, float]:
    """Each piece of text on the first page and the font size it is drawn in."""
    sizes: dict[str, float] = {}

    def seen(text: str, _cm: Any, _tm: Any, _font: Any, size: float) -> None:
        if text.strip():
            sizes[text.strip()] = size

    PdfReader(io.BytesIO(content)).pages[0].extract_text(visitor_text=seen)
    return sizes
