"""The JSON API for kiosks and integrations (``/api/v1``)."""

from flask import Blueprint

from intake.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # token-authenticated JSON, never a browser form

from intake.api import views  # noqa: E402,F401 - registers the routes
