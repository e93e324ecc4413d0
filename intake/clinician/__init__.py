"""The clinician's pathway summary and review, the front desk's insurance panel and CSV export,
and the admin's API-token and settings pages.

Three blueprints, one per audience and URL prefix; ``BLUEPRINTS`` is what the app factory
registers. Who may use each view is declared on it with ``role_required``.
"""

from flask import Blueprint

bp = Blueprint("clinician", __name__, url_prefix="/clinician")
insurance_bp = Blueprint("insurance", __name__, url_prefix="/staff")
admin_bp = Blueprint("admin_config", __name__, url_prefix="/admin")

#: The audit actions these pages record, with the words the audit search shows.
AUDIT_ACTIONS: dict[str, str] = {
    "pdf_downloaded": "Summary PDF downloaded",
    "insurance_updated": "Insurance checklist saved",
    "insurance_conflict": "Insurance checklist save refused (changed by someone else)",
    "insurance_history_viewed": "Insurance checklist history viewed",
    "prior_auth_printed": "Prior-authorization packet opened",
    "token_created": "API token created",
    "token_revoked": "API token revoked",
    "setting_changed": "Setting changed",
}

from intake.clinician import admin, export, insurance, views  # noqa: E402,F401 - the routes
from intake.services.audit import ACTIONS  # noqa: E402

# Make these actions searchable on the admin audit page (the lead may fold them into ACTIONS).
ACTIONS.update(AUDIT_ACTIONS)

BLUEPRINTS = (bp, insurance_bp, admin_bp)
