"""The patient-facing intake: start page, wizard, resume, review and confirmation; and the
check-ins of a course of care (``checkin``)."""

from flask import Blueprint

bp: Blueprint = Blueprint("patient", __name__)

from intake.patient import checkin, language, views  # noqa: E402,F401 - registers the routes
from intake.patient.display import template_helpers  # noqa: E402

bp.app_context_processor(template_helpers)
