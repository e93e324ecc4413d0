"""Drawing the summary PDF (``intake.pdf_jobs`` decides who renders it, and when).

``render`` draws ``clinician/summary_pdf.html`` with the summary's context and renders it
(``services.pdf``, WeasyPrint, offline). The job worker calls it through ``pdf_jobs`` in a
request context of its own; a web worker only when there is no worker to ask.
"""

from __future__ import annotations

from flask import current_app, render_template, request, url_for

from intake.clinician.context import summary_context
from intake.models import Submission
from intake.services import settings

#: The static stylesheets the PDF is drawn with, in cascade order: given to the renderer,
#: which parses them once per process (``services.pdf``), rather than linked from
#: ``clinician/summary_pdf.html``.
STYLESHEETS = ("css/app.css", "css/clinician.css")


def render(submission: Submission) -> bytes:
    """The summary PDF's bytes for ``submission`` as it is now (needs a request context)."""
    from intake.services.pdf import html_to_pdf

    html = render_template(
        "clinician/summary_pdf.html",
        paper=settings.get_setting(settings.PDF_PAPER),
        **summary_context(submission),
    )
    return html_to_pdf(
        html,
        base_url=request.host_url,
        static_folder=str(current_app.static_folder),
        stylesheets=[url_for("static", filename=name) for name in STYLESHEETS],
    )
