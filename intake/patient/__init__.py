"""The patient-facing intake: start page, wizard, resume, review and confirmation."""

from flask import Blueprint

bp = Blueprint("patient", __name__)

from intake.patient import views  # noqa: E402,F401 - registers the routes
