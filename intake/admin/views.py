"""Admin routes: staff accounts and the audit log, and the admin menu.

The API-token and settings pages are in ``tokens.py`` and ``settings.py``; every admin page is
listed once, here, in ``ADMIN_SECTIONS`` (shown on ``/admin/`` and in the admin sub-navigation).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from intake.admin import bp
from intake.admin.forms import CreateUserForm, SetPasswordForm
from intake.auth.decorators import role_required
from intake.extensions import db
from intake.models import AuditEvent, Submission, User
from intake.security import MAX_DB_ID
from intake.services import accounts
from intake.services.audit import ACTIONS

#: (endpoint, label) of each admin page, in menu order. A tuple: nothing adds to it at import.
ADMIN_SECTIONS: tuple[tuple[str, str], ...] = (
    ("admin.users", "Staff accounts"),
    ("admin.audit_log", "Audit log"),
    ("admin.tokens", "API tokens"),
    ("admin.settings", "Settings"),
)
AUDIT_PAGE_SIZE = 50


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
        except accounts.AccountError as exc:
            error = str(exc)
        else:
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
        flash(f"{user.email} is disabled and signed out everywhere.", "success")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/enable")
@role_required("admin")
def enable_user(user_id: int) -> ResponseReturnValue:
    user = _user(user_id)
    accounts.set_disabled(user, False)
    flash(f"{user.email} is enabled.", "success")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/reset-2fa")
@role_required("admin")
def reset_two_factor(user_id: int) -> ResponseReturnValue:
    """For someone who lost their authenticator: two-factor off, signed out everywhere."""
    user = _user(user_id)
    accounts.reset_two_factor(user)
    flash(f"Two-factor sign-in is off for {user.email}; they set it up again.", "success")
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>/password", methods=["GET", "POST"])
@role_required("admin")
def set_password(user_id: int) -> ResponseReturnValue:
    """For someone who lost their password: a new one from the admin, signed out everywhere."""
    user = _user(user_id)
    form = SetPasswordForm()
    error = None
    if form.validate_on_submit():
        try:
            accounts.set_password(user, form.password.data or "")
        except accounts.AccountError as exc:
            error = str(exc)
            form.password.errors = [*form.password.errors, error]
        else:
            flash(f"New password set for {user.email}; their sessions have ended.", "success")
            return redirect(url_for("admin.users"))
    code = 400 if form.errors else 200
    return render_template("admin/set_password.html", form=form, account=user), code


def _day(value: str) -> datetime | None:
    try:
        return datetime.combine(datetime.strptime(value, "%Y-%m-%d").date(), time.min, tzinfo=UTC)
    except ValueError:
        return None


@bp.get("/audit")
@role_required("admin")
def audit_log() -> ResponseReturnValue:
    """Search the audit log by actor, action, submission and date range (GET: no patient data)."""
    args = request.args
    actor = (args.get("actor") or "").strip().lower()
    action = (args.get("action") or "").strip()
    submission = (args.get("submission") or "").strip()
    date_from = (args.get("date_from") or "").strip()
    date_to = (args.get("date_to") or "").strip()
    try:
        page = max(1, int(args.get("page") or 1))
    except ValueError:
        page = 1
    conds: list[sa.ColumnElement[bool]] = []
    problems: list[str] = []
    if actor:
        conds.append(AuditEvent.actor_email.like(f"%{actor}%"))
    if action:
        if action in ACTIONS:
            conds.append(AuditEvent.action == action)
        else:
            problems.append("Unknown action ignored.")
            action = ""
    if submission:
        if submission.isdigit() and int(submission) <= MAX_DB_ID:
            conds.append(AuditEvent.submission_id == int(submission))
        else:
            ref = submission.upper().replace(" ", "")
            conds.append(
                AuditEvent.submission_id.in_(
                    sa.select(Submission.id).where(Submission.reference == ref)
                )
            )
    for value, is_end in ((date_from, False), (date_to, True)):
        if value:
            start = _day(value)
            if start is None:
                problems.append("Enter dates as YYYY-MM-DD.")
            elif is_end:
                if start.date() < date.max:  # the last possible day has no next day to stop at
                    conds.append(AuditEvent.created_at < start + timedelta(days=1))
            else:
                conds.append(AuditEvent.created_at >= start)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(*conds)) or 0
    pages = max(1, -(-total // AUDIT_PAGE_SIZE))
    page = min(page, pages)
    events = db.session.scalars(
        sa.select(AuditEvent)
        .where(*conds)
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        .limit(AUDIT_PAGE_SIZE)
        .offset((page - 1) * AUDIT_PAGE_SIZE)
    ).all()
    references = dict(
        db.session.execute(
            sa.select(Submission.id, Submission.reference).where(
                Submission.id.in_({e.submission_id for e in events if e.submission_id})
            )
        ).all()
    )
    query = {
        k: v
        for k, v in {
            "actor": actor,
            "action": action,
            "submission": submission,
            "date_from": date_from,
            "date_to": date_to,
        }.items()
        if v
    }
    return render_template(
        "admin/audit.html",
        events=events,
        references=references,
        actions=ACTIONS,
        query=query,
        page=page,
        pages=pages,
        total=total,
        problems=problems,
    )
