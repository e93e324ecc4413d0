"""Admin pages (``/admin/``): staff accounts, the audit log, API tokens, settings and alerts.

One blueprint; the menu of these pages is ``views.ADMIN_SECTIONS``.
"""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from intake.admin import alerts, settings, tokens, views  # noqa: E402,F401 - registers the routes
