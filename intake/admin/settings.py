"""Admin page for run-time settings (``/admin/settings``): the CSV export and the clinic's
profile (name, phone, address, time zone, opening hours, holidays), what payers need
(legal name, TIN, group NPI) and a new course of care's check-in schedule.

The form refuses at its field what a setting's validator (``intake.clinic``) refuses, so
nothing is stored from a page with a problem; the settings service stores each change and
audits it with its old and new value; this view commits once.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from intake import billing, clinic
from intake.admin import bp
from intake.admin.config_forms import SettingsForm
from intake.auth.decorators import role_required
from intake.extensions import db
from intake.services import settings as svc


def _form_data() -> dict[str, Any]:
    return {
        "export_free_text": svc.get_setting(svc.EXPORT_FREE_TEXT),
        "pdf_paper": svc.get_setting(svc.PDF_PAPER),
        "clinic_name": svc.get_setting(svc.CLINIC_NAME),
        "clinic_phone": svc.get_setting(svc.CLINIC_PHONE),
        "clinic_address": svc.get_setting(svc.CLINIC_ADDRESS),
        "time_zone": svc.get_setting(svc.CLINIC_TIME_ZONE),
        "legal_name": svc.get_setting(svc.CLINIC_LEGAL_NAME),
        "tin": billing.format_tin(svc.get_setting(svc.CLINIC_TIN)),
        "group_npi": svc.get_setting(svc.CLINIC_GROUP_NPI),
        "holidays": clinic.holiday_lines(svc.get_setting(svc.CLINIC_HOLIDAYS)),
        "course_every_days": str(svc.get_setting(svc.COURSE_EVERY_DAYS)),
        "course_maintenance_months": str(svc.get_setting(svc.COURSE_MAINTENANCE_MONTHS)),
    }


@bp.route("/settings", methods=["GET", "POST"])
@role_required("admin")
def settings() -> ResponseReturnValue:
    """Settings an admin may change; each change is audited with its old and new value."""
    form = SettingsForm(data=_form_data())
    form.export_free_text.description = svc.SETTINGS[svc.EXPORT_FREE_TEXT].hint
    if request.method == "GET":
        form.fill_hours(svc.get_setting(svc.CLINIC_HOURS))
    if form.validate_on_submit():
        values: dict[str, Any] = {
            svc.EXPORT_FREE_TEXT: bool(form.export_free_text.data),
            svc.PDF_PAPER: form.pdf_paper.data or "letter",
            svc.CLINIC_NAME: form.clinic_name.data or "",
            svc.CLINIC_PHONE: form.clinic_phone.data or "",
            svc.CLINIC_ADDRESS: form.clinic_address.data or "",
            svc.CLINIC_TIME_ZONE: (form.time_zone.data or "").strip(),
            svc.CLINIC_LEGAL_NAME: form.legal_name.data or "",
            svc.CLINIC_TIN: form.tin.data or "",
            svc.CLINIC_GROUP_NPI: form.group_npi.data or "",
            svc.CLINIC_HOURS: form.hours(),
            svc.CLINIC_HOLIDAYS: clinic.parse_holiday_lines(form.holidays.data or ""),
            svc.COURSE_EVERY_DAYS: svc.SETTINGS[svc.COURSE_EVERY_DAYS].clean(
                form.course_every_days.data or ""
            ),
            svc.COURSE_MAINTENANCE_MONTHS: svc.SETTINGS[svc.COURSE_MAINTENANCE_MONTHS].clean(
                form.course_maintenance_months.data or ""
            ),
        }
        changed = [
            key
            for key, value in values.items()
            if svc.set_setting(key, value, user_id=current_user.id)
        ]
        if changed:
            db.session.commit()
            flash("Settings saved.", "success")
        else:
            flash("Nothing changed.", "success")
        return redirect(url_for("admin.settings"))
    code = 400 if form.errors else 200
    return render_template("admin/settings.html", form=form), code
