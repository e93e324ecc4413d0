"""``/staff/device``: mark this browser as a clinic device lent to patients, or unmark it.

Done by the front desk (or an admin) on the tablet itself, signed in; then sign out and hand
it to patients. What a marked device changes is in :mod:`intake.patient.device`.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from intake.auth.decorators import role_required
from intake.extensions import db
from intake.patient import device
from intake.services import audit
from intake.staff import bp

DEVICE_ROLES = ("front_desk", "admin")


@bp.get("/device")
@role_required(*DEVICE_ROLES)
def clinic_device() -> ResponseReturnValue:
    return render_template("staff/device.html", marked=device.is_clinic_device())


@bp.post("/device")
@role_required(*DEVICE_ROLES)
def set_clinic_device() -> ResponseReturnValue:
    mark = request.form.get("action") == "mark"
    audit.record("device_marked" if mark else "device_unmarked")
    db.session.commit()
    response = redirect(url_for("staff.clinic_device"))
    if mark:
        device.mark(response)
        flash("This browser is now a clinic device.", "success")
    else:
        device.unmark(response)
        flash("This browser is no longer a clinic device.", "success")
    return response
