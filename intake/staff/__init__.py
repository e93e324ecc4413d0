"""The front desk (``/staff/``): the queue, one submission, the insurance panel and its
prior-authorization packet, and the CSV export of the queue.

One blueprint; each route module below declares who may use its views with ``role_required``.
"""

from flask import Blueprint

bp = Blueprint("staff", __name__, url_prefix="/staff")

from intake.staff import checkins, device, export, insurance, live, views  # noqa: E402,F401 - registers routes
