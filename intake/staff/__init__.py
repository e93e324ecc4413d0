"""The front desk: the queue (``/staff/``) and one submission (``/staff/submissions/<id>``)."""

from flask import Blueprint

bp = Blueprint("staff", __name__, url_prefix="/staff")

from intake.staff import views  # noqa: E402,F401 - registers the routes
