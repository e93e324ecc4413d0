"""Drawing the summary PDF (``intake.pdf_jobs`` decides who renders it, and when).

``html`` draws ``clinician/summary_pdf.html`` with the summary's context (every database read
the PDF needs: ``pdf_jobs`` does it in the snapshot its key is read in); ``pdf`` renders that
HTML (``services.pdf``, WeasyPrint, offline, no database). The job worker calls them through
``pdf_jobs`` in a request context of its own; a web worker only when there is no worker to ask,
or it did not answer in time.
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


def html(submission: Submission) -> str:
    """The summary PDF's HTML for ``submission`` as it is now (needs a request context)."""
    return render_template(
        "clinician/summary_pdf.html",
        paper=settings.get_setting(settings.PDF_PAPER),
        **summary_context(submission),
    )


def pdf(html: str) -> bytes:
    """The PDF of :func:`html`'s page (needs a request context; reads no database)."""
    from intake.services.pdf import html_to_pdf

    return html_to_pdf(
        html,
        base_url=request.host_url,
        static_folder=str(current_app.static_folder),
        stylesheets=[url_for("static", filename=name) for name in STYLESHEETS],
    )


def render(submission: Submission) -> bytes:
    """The summary PDF's bytes for ``submission`` as it is now (needs a request context)."""
    return pdf(html(submission))
