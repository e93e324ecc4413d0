"""Admin routes: staff accounts and the audit log, and the admin menu.

The API-token, settings and alerts pages are in ``tokens.py``, ``settings.py`` and
``alerts.py``; every admin page is
listed once, here, in ``ADMIN_SECTIONS`` (shown on ``/admin/`` and in the admin sub-navigation).
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from intake.admin import bp
from intake.admin.filters import AuditFilterForm
from intake.admin.forms import ClinicianProfileForm, CreateUserForm, RolesForm, SetPasswordForm
from intake.auth.decorators import role_required
from intake.extensions import db
from intake.forms.filters import page_number
from intake.models import User
from intake.models.types import utcnow
from intake.services import accounts, audit, audit_search
from intake.services.audit import ACTIONS
from intake.services.export import csv_chunks

#: (endpoint, label) of each admin page, in menu order. A tuple: nothing adds to it at import.
ADMIN_SECTIONS: tuple[tuple[str, str], ...] = (
    ("admin.users", "Staff accounts"),
    ("admin.audit_log", "Audit log"),
    ("admin.tokens", "API tokens"),
    ("admin.settings", "Settings"),
    ("admin.alerts_page", "Alerts"),
)


@bp.app_context_processor
def admin_sections() -> dict[str, object]:
    """The admin sub-navigation (pages that exist in this build) and ``has_endpoint``."""
    endpoints = _endpoints()
    return {
        "admin_sections": [(e, label) for e, label in ADMIN_SECTIONS if e in endpoints],
        "has_endpoint": endpoints.__contains__,
    }


def _endpoints() -> set[str]:
    from flask import current_app

    return set(current_app.view_functions)


@bp.get("/")
@role_required("admin")
def index() -> ResponseReturnValue:
    return render_template("admin/index.html")


@bp.route("/users", methods=["GET", "POST"])
@role_required("admin")
def users() -> ResponseReturnValue:
    form = CreateUserForm()
    error = None
    if form.validate_on_submit():
        try:
            user = accounts.create_account(
                form.email.data or "", form.password.data or "", form.roles.data or []
            )
        except accounts.WeakPassword as exc:
            form.password.errors = [*form.password.errors, *exc.problems]
        except accounts.AccountError as exc:
            error = str(exc)
        else:
            db.session.commit()
            flash(f"Account {user.email} created.", "success")
            return redirect(url_for("admin.users"))
    accounts_list = db.session.scalars(sa.select(User).order_by(User.email)).all()
    code = 400 if (error or form.errors) else 200
    return render_template("admin/users.html", form=form, error=error, users=accounts_list), code


def _user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.post("/users/<int:user_id>/disable")
@role_required("admin")
def disable_user(user_id: int) -> ResponseReturnValue:
    user = _user(user_id)
    if user.id == current_user.id:
        flash("You cannot disable your own account.", "error")
    else:
        accounts.set_disabled(user, True)
        db.session.commit()
        flash(f"{user.email} is disabled and signed out everywhere.", "success")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/enable")
@role_required("admin")
def enable_user(user_id: int) -> ResponseReturnValue:
    user = _user(user_id)
    accounts.set_disabled(user, False)
    db.session.commit()
    flash(f"{user.email} is enabled.", "success")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/reset-2fa")
@role_required("admin")
def reset_two_factor(user_id: int) -> ResponseReturnValue:
    """For someone who lost their authenticator: two-factor off, signed out everywhere."""
    user = _user(user_id)
    accounts.reset_two_factor(user)
    db.session.commit()
    flash(f"Two-factor sign-in is off for {user.email}; they set it up again.", "success")
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>/roles", methods=["GET", "POST"])
@role_required("admin")
def edit_roles(user_id: int) -> ResponseReturnValue:
    """Change someone else's roles (never one's own; never admin with a patient-data role)."""
    user = _user(user_id)
    own = user.id == current_user.id
    form = RolesForm(data={"roles": sorted(user.roles)} if request.method == "GET" else None)
    error = accounts.OWN_ROLES if own else None
    if form.validate_on_submit():
        try:
            accounts.set_roles(user, form.roles.data or [], by=current_user._get_current_object())
        except accounts.AccountError as exc:
            error = str(exc)
        else:
            db.session.commit()
            flash(f"Roles of {user.email}: {', '.join(user.role_labels)}.", "success")
            return redirect(url_for("admin.users"))
    code = 400 if request.method == "POST" and (error or form.errors) else 200
    template = "admin/roles.html"
    return render_template(template, form=form, account=user, error=error, own=own), code


@bp.route("/users/<int:user_id>/clinician", methods=["GET", "POST"])
@role_required("admin")
def clinician_profile(user_id: int) -> ResponseReturnValue:
    """A clinician's name and NPI, for the prior-authorization packet (admins set them)."""
    user = _user(user_id)
    data = {"full_name": user.full_name, "npi": user.npi or ""}
    form = ClinicianProfileForm(data=data if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            changed = accounts.set_clinician_profile(
                user, full_name=form.full_name.data or "", npi=form.npi.data or ""
            )
        except accounts.AccountError as exc:
            form.npi.errors = [*form.npi.errors, str(exc)]
        else:
            db.session.commit()
            flash(f"Saved for {user.email}." if changed else "Nothing changed.", "success")
            return redirect(url_for("admin.users"))
    code = 422 if form.errors else 200
    return render_template("admin/clinician_profile.html", form=form, account=user), code


@bp.route("/users/<int:user_id>/password", methods=["GET", "POST"])
@role_required("admin")
def set_password(user_id: int) -> ResponseReturnValue:
    """For someone who lost their password: a new one from the admin, signed out everywhere.

    Not for one's own account (that is Account → Change your password, which asks for the
    current one): the password set here must be changed at the next sign-in.
    """
    user = _user(user_id)
    if user.id == current_user.id:
        flash("Change your own password here, under Account.", "info")
        return redirect(url_for("auth.change_password"))
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            accounts.set_password(user, form.password.data or "")
        except accounts.WeakPassword as exc:
            form.password.errors = [*form.password.errors, *exc.problems]
        else:
            db.session.commit()
            flash(f"New password set for {user.email}; their sessions have ended.", "success")
            return redirect(url_for("admin.users"))
    code = 400 if form.errors else 200
    return render_template("admin/set_password.html", form=form, account=user), code


@bp.post("/audit.csv")
@role_required("admin")
def audit_export() -> ResponseReturnValue:
    """Every event the audit search matches, as CSV (POST with CSRF: the download is audited)."""
    form = AuditFilterForm.read(request.form)
    query = form.query()
    audit.record("audit_exported", detail={"filters": form.url_args()})
    db.session.commit()
    chunks = csv_chunks(audit_search.AUDIT_COLUMNS, audit_search.export_rows(db.engine, query))
    return Response(
        chunks,
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="audit-{utcnow():%Y%m%d-%H%M%S}.csv"'
        },
    )


@bp.get("/audit")
@role_required("admin")
def audit_log() -> ResponseReturnValue:
    """Search the audit log by actor, action, submission and date range (GET: no patient data)."""
    form = AuditFilterForm.read(request.args)
    result = audit_search.search(form.query(), page=page_number(request.args.get("page")))
    return render_template("admin/audit.html", form=form, result=result, actions=ACTIONS)
