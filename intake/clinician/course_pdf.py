"""Drawing a course's end-of-course report as a PDF (``intake.pdf_jobs`` decides who renders
it, and when): the app's own fonts, the clinic's paper, the patient on every page."""

from __future__ import annotations

from flask import current_app, render_template, request, url_for

from intake.clinician.course_context import course_context
from intake.models import Course
from intake.services import settings

#: The static stylesheets the PDF is drawn with, in cascade order: given to the renderer,
#: which parses them once per process (``services.pdf``), rather than linked from
#: ``clinician/course_report_pdf.html``.
STYLESHEETS = ("css/app.css", "css/clinician.css", "css/course.css")


def html(course: Course) -> str:
    """The report PDF's HTML for ``course`` as it is now (needs a request context): every
    database read the PDF needs (``pdf_jobs`` does it in the snapshot its key is read in).

    The check-ins not answered yet are not on the report, so the worker draws the course as
    stored; the web's report page makes the ones due first (``courses._synced``)."""
    return render_template(
        "clinician/course_report_pdf.html",
        paper=settings.get_setting(settings.PDF_PAPER),
        pdf=True,
        **course_context(course),
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


def render(course: Course) -> bytes:
    """The report PDF's bytes for ``course`` as it is now (needs a request context)."""
    return pdf(html(course))
