"""The summary PDF carries its own fonts: all embedded, all shipped with the app, none the system's.

Its layout used to depend on the machine's fonts (the rich summary ran to three pages where only
DejaVu was installed); the shipped fonts make it the same everywhere.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pypdf
import pytest
from clinician_samples import rich_answers, store
from flask.testing import FlaskClient
from pdf_fonts import is_shipped, pdf_fonts

from intake.services.pdf import html_to_pdf

STATIC = Path(__file__).resolve().parents[2] / "intake" / "static"


def test_every_font_in_the_rich_summary_is_embedded_and_shipped(
    client: FlaskClient, login_as: object
) -> None:
    login_as("clinician")  # type: ignore[operator]
    submission = store(rich_answers())
    response = client.get(f"/clinician/submissions/{submission.id}.pdf")
    assert response.status_code == 200
    reader = pypdf.PdfReader(io.BytesIO(response.data))
    fonts = pdf_fonts(reader)
    assert fonts, "no fonts found: the check would prove nothing"
    assert [font for font in fonts if not font.embedded] == []
    assert [font.name for font in fonts if not is_shipped(font)] == []
    # Headings and findings are bold: both weights really come from the shipped files.
    assert {font.name for font in fonts} >= {"Atkinson-Hyperlegible", "Atkinson-Hyperlegible-Bold"}
    assert len(reader.pages) <= 2


def test_spanish_text_and_every_style_stay_in_the_shipped_fonts() -> None:
    text = "¿Tiene algún síntoma? ¡Sí! Pequeño, acción, pingüino, Ñandú"
    html = (
        '<html lang="es"><head><link rel="stylesheet" href="/static/css/app.css"></head><body>'
        f"<p>{text}</p><p><strong>{text}</strong></p><p><em>{text}</em></p>"
        f"<p><strong><em>{text}</em></strong></p><ul><li>uno<ul><li>dos</li></ul></li></ul>"
        f"<p><code>Il1 O0</code></p></body></html>"
    )
    reader = pypdf.PdfReader(
        io.BytesIO(html_to_pdf(html, base_url="http://intake.test/", static_folder=STATIC))
    )
    fonts = pdf_fonts(reader)
    assert all(font.embedded and is_shipped(font) for font in fonts), fonts
    assert {font.name for font in fonts} == {
        "Atkinson-Hyperlegible",
        "Atkinson-Hyperlegible-Bold",
        "Atkinson-Hyperlegible-Italic",
        "Atkinson-Hyperlegible-Bold-Italic",
    }
    assert text in " ".join(reader.pages[0].extract_text().split())


def test_stylesheets_given_to_the_renderer_are_parsed_once_a_thread_and_still_embed_the_fonts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 13: the PDF templates link no stylesheet; the drawing modules give theirs to the
    renderer, which parses each once per thread (with the fonts their ``@font-face`` rules
    load). Every render still uses only the shipped fonts, embedded, whichever thread draws it."""
    import threading

    import weasyprint

    parsed: list[str] = []
    real_css = weasyprint.CSS

    def counted(*args: Any, **kwargs: Any) -> Any:
        parsed.append(str(kwargs.get("url")))
        return real_css(*args, **kwargs)

    monkeypatch.setattr(weasyprint, "CSS", counted)
    html = "<html><body><p>Plain</p><p><strong>Bold</strong></p></body></html>"
    base = "http://parsed-once.test/"
    sheets = ["/static/css/app.css", "/static/css/clinician.css"]

    def names() -> set[str]:
        pdf = html_to_pdf(html, base_url=base, static_folder=STATIC, stylesheets=sheets)
        fonts = pdf_fonts(pypdf.PdfReader(io.BytesIO(pdf)))
        assert fonts and all(font.embedded and is_shipped(font) for font in fonts), fonts
        return {font.name for font in fonts}

    assert names() == names() == {"Atkinson-Hyperlegible", "Atkinson-Hyperlegible-Bold"}
    assert parsed == [base + "static/css/app.css", base + "static/css/clinician.css"]
    other: list[set[str]] = []
    thread = threading.Thread(target=lambda: other.append(names()))
    thread.start()
    thread.join()
    assert other == [{"Atkinson-Hyperlegible", "Atkinson-Hyperlegible-Bold"}]
    assert len(parsed) == 4  # the other thread parsed its own


def test_the_parsed_stylesheets_kept_per_thread_are_bounded() -> None:
    """A web process that renders itself keys the parsed sheets by the request's host, which
    the client sends: however many hosts, a thread keeps at most a few sets (each holds a
    folder of fonts)."""
    import threading

    from intake.services import pdf

    sizes: list[int] = []

    def render_many() -> None:
        for n in range(20):
            html_to_pdf(
                "<p>x</p>",
                base_url=f"http://host-{n}.test/",
                static_folder=STATIC,
                stylesheets=["/static/css/app.css"],
            )
            sizes.append(len(pdf._PARSED.styles))

    thread = threading.Thread(target=render_many)  # a thread of its own: a fresh cache
    thread.start()
    thread.join()
    assert len(sizes) == 20
    assert max(sizes) == 8
