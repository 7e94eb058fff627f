"""Fonts for the invoice PDF, so any name or product prints in its own script.

The PDF core fonts know Latin-1 only (a Polish or Russian product name became '?'). Noto Sans
(Latin, Greek, Cyrillic, Vietnamese) is always embedded; Arabic, Hebrew and Thai fonts come with
the package too (fontpkg wheels from PyPI), and join only when the text needs them, as each costs
time to subset. Chinese, Japanese and Korean fonts are too large to ship in a wheel: the system's
are used (fontconfig: Debian's fonts-noto-cjk, which the Docker image installs); without one,
those characters are left out of the PDF and a warning is logged.

The variable fonts are used at their default instance (regular weight): fpdf2 instancing a
variable font takes seconds, so emphasis is drawn (stroke) rather than read from a bold face.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from dataclasses import dataclass
from functools import cache

import fontpkg

log = logging.getLogger("portal.pdf")

BASE = "Noto Sans"


@dataclass(frozen=True)
class Fallback:
    family: str  # as fontpkg names it, or "system:<lang>" for a fontconfig lookup
    ranges: tuple[tuple[int, int], ...]  # the code points it is added for
    shaped: bool  # needs HarfBuzz shaping (joining, marks) and the bidi algorithm


FALLBACKS = (
    Fallback("Noto Sans Arabic", ((0x0600, 0x06FF), (0x0750, 0x077F), (0x08A0, 0x08FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF)), True),
    Fallback("Heebo", ((0x0590, 0x05FF), (0xFB1D, 0xFB4F)), True),
    Fallback("Noto Sans Thai", ((0x0E00, 0x0E7F),), True),
    Fallback(
        "system:ja",
        ((0x1100, 0x11FF), (0x2E80, 0x2FDF), (0x3000, 0x9FFF), (0xAC00, 0xD7AF), (0xF900, 0xFAFF), (0xFF00, 0xFFEF)),
        False,
    ),
)  # fmt: skip


@dataclass(frozen=True)
class FontFile:
    path: str
    index: int = 0  # the face in a collection (.ttc)


@cache
def base() -> FontFile:
    return FontFile(str(fontpkg.path(BASE)))


@cache
def _system(lang: str) -> FontFile | None:
    """fontconfig's best font for a language, if it really covers it (fc-match always answers
    something; `:lang=` with `%{lang}` tells whether the answer has the language)."""
    if shutil.which("fc-match") is None:
        log.warning("no fontconfig (fc-match): %s characters are left out of invoice PDFs", lang)
        return None
    try:
        found = subprocess.run(
            ["fc-match", "-f", "%{file}|%{index}|%{lang}", f":lang={lang}"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    path, _, rest = found.partition("|")
    index, _, langs = rest.partition("|")
    if not path or lang not in langs.split("|"):
        # Said once a process (this lookup is cached), not on every PDF.
        log.warning("no system font for %s: its characters are left out of invoice PDFs", lang)
        return None
    return FontFile(path, int(index or 0))


def font_file(fallback: Fallback) -> FontFile | None:
    if fallback.family.startswith("system:"):
        return _system(fallback.family.removeprefix("system:"))
    return FontFile(str(fontpkg.path(fallback.family)))


def needed(text: str) -> list[Fallback]:
    """The fallbacks the text needs, in FALLBACKS' order."""
    points = {ord(c) for c in text if ord(c) > 0x024F}
    return [f for f in FALLBACKS if any(lo <= p <= hi for p in points for lo, hi in f.ranges)]
