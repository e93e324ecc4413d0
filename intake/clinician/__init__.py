"""Clinician pages (``/clinician/``): the pathway summary, its PDF, and the clinician's review;
courses of care (``courses.py``: the course page, which front desk opens too, and its report);
the clinic outcomes dashboard and its de-identified CSV (``outcomes.py``).

The front desk's insurance panel, packet and CSV export live in ``intake.staff``; the admin's
API-token and settings pages in ``intake.admin``. Who may use each view is declared on it with
``role_required``.
"""

from flask import Blueprint

bp = Blueprint("clinician", __name__, url_prefix="/clinician")

from intake.clinician import courses, outcomes, views  # noqa: E402,F401 - registers the routes
