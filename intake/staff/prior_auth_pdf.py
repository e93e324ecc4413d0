"""Drawing the prior-authorization packet as a PDF (``intake.pdf_jobs`` decides who renders it,
and when): Letter paper (``static/css/packet.css``), the app's own fonts, offline."""

from __future__ import annotations

from flask import current_app, render_template, request, url_for

from intake.models import Submission
from intake.pages import evaluation_of
from intake.services.insurance import PRIOR_AUTH_WORDS
from intake.services.prior_auth import build_packet

#: The static stylesheets the PDF is drawn with, in cascade order: given to the renderer,
#: which parses them once per process (``services.pdf``), rather than linked from
#: ``staff/insurance_prior_auth_pdf.html``.
STYLESHEETS = ("css/app.css", "css/clinician.css", "css/packet.css")


def html(submission: Submission) -> str:
    """The packet PDF's HTML for a full, evaluated ``submission`` as it is now (needs a request
    context): every database read the PDF needs (``pdf_jobs`` does it in the snapshot its key
    is read in)."""
    return render_template(
        "staff/insurance_prior_auth_pdf.html",
        packet=build_packet(submission, evaluation_of(submission)),
        prior_auth_words=PRIOR_AUTH_WORDS,
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
    """The packet PDF's bytes for a full, evaluated ``submission`` as it is now (needs a
    request context)."""
    return pdf(html(submission))
