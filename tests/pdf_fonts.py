"""The fonts a PDF uses, read with pypdf, and the fonts the app ships, read with fontTools.

The summary PDF must look the same on every machine, so every font in it has to be embedded and
be one of the app's own (``intake/static/fonts/``): a system font would mean the layout, and the
page count, depend on what the machine happens to have installed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pypdf
from fontTools.ttLib import TTFont

FONTS = Path(__file__).resolve().parents[1] / "intake" / "static" / "fonts"

#: A subset font's name starts with six capital letters and a plus: ``ABCDEF+Name``.
SUBSET_PREFIX = re.compile(r"^[A-Z]{6}\+")


@dataclass(frozen=True)
class PdfFont:
    """One font resource of a PDF: its name without the subset prefix, and if it is embedded."""

    name: str
    embedded: bool


def shipped_families() -> set[str]:
    """The family names of the shipped font files, as WeasyPrint writes them in a PDF."""
    return {TTFont(path)["name"].getDebugName(1).replace(" ", "-") for path in FONTS.glob("*.woff")}


def is_shipped(font: PdfFont) -> bool:
    """Is ``font`` one of the shipped families (``Family``, or ``Family-Bold`` and the like)?"""
    return any(
        font.name == family or font.name.startswith(family + "-") for family in shipped_families()
    )


def pdf_fonts(reader: pypdf.PdfReader) -> set[PdfFont]:
    """Every font used on the pages of ``reader``, including those inside form XObjects."""
    found: set[PdfFont] = set()
    for page in reader.pages:
        _collect(page.get("/Resources"), found)
    return found


def _collect(resources: Any, found: set[PdfFont]) -> None:
    if resources is None:
        return
    resources = resources.get_object()
    for font in (resources.get("/Font") or {}).values():
        found.add(_describe(font.get_object()))
    for xobject in (resources.get("/XObject") or {}).values():
        xobject = xobject.get_object()
        if xobject.get("/Subtype") == "/Form":
            _collect(xobject.get("/Resources"), found)


def _describe(font: Any) -> PdfFont:
    name = SUBSET_PREFIX.sub("", str(font.get("/BaseFont", "")).lstrip("/"))
    if font.get("/Subtype") == "/Type0":  # a composite font: the glyphs are in its descendant
        font = font["/DescendantFonts"][0].get_object()
    descriptor = font.get("/FontDescriptor")
    descriptor = descriptor.get_object() if descriptor is not None else {}
    embedded = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
    return PdfFont(name, embedded)
