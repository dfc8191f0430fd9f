"""The font every generated document uses: DejaVu Sans, which covers all Vietnamese letters.

It comes from the ``rinoh-typeface-dejavusans`` wheel (installed with ``--no-deps``, see
requirements-nodeps.txt). The package is located, never imported: importing it would pull in rinohtype.
Debian's copy is the fallback for machines that installed fonts-dejavu instead.
"""
from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path

_DEBIAN = Path("/usr/share/fonts/truetype/dejavu")


@cache
def dejavu(style: str = "") -> Path:
    """Path of DejaVuSans{style}.ttf, style "" or "-Bold"; FileNotFoundError says how to install it."""
    name = f"DejaVuSans{style}.ttf"
    spec = importlib.util.find_spec("rinoh_typeface_dejavusans")
    folders = [Path(p) for p in (spec.submodule_search_locations or [])] if spec else []
    for folder in [*folders, _DEBIAN]:
        if (folder / name).is_file():
            return folder / name
    raise FileNotFoundError(f"{name} not found: run `make install` (rinoh-typeface-dejavusans, --no-deps)")


def register_reportlab_fonts() -> tuple[str, str]:
    """Registers DejaVu regular and bold with reportlab once; returns their names."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if "DejaVuSans" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DejaVuSans", str(dejavu())))
        pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(dejavu("-Bold"))))
        pdfmetrics.registerFontFamily("DejaVuSans", normal="DejaVuSans", bold="DejaVuSans-Bold")
    return "DejaVuSans", "DejaVuSans-Bold"
