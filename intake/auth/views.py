"""Sign-in (with optional TOTP), sign-out, password change and two-factor enrolment.

The sign-in rules (password check, lockout, failure counting, the code step, which steps an
account still needs) are in :mod:`intake.services.authentication`; these views keep the session
side: the sign-in under way (``PENDING_2FA``: which step, since when), the ``next`` target, the
messages and status codes, and the commit (a refused sign-in is committed too, so that its
failure counts). Sign-in steps, each its own page, in this order when the account needs them:
``/staff/login`` (password) → ``/login/verify`` (code) → ``/login/new-password`` (a password
set by someone else) → ``/login/setup-2fa`` (two-factor its role requires). The session starts
after the last one; each page accepts only the step the sign-in is at.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import pyotp
import segno
from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user
from markupsafe import Markup

from intake.auth import bp
from intake.auth.decorators import public, role_required
from intake.auth.forms import LoginForm, NewPasswordForm, PasswordChangeForm, TotpForm
from intake.auth.sessions import PENDING_2FA, end_session, start_session, two_factor_roles
from intake.extensions import db, limiter
from intake.models import User
from intake.passwords import verify_password
from intake.roles import PATIENT_DATA_ROLES
from intake.services import audit, authentication

#: One message for every failed sign-in, so the page never tells whether an account exists.
GENERIC_FAILURE = (
    "That email and password did not work. After repeated failed attempts sign-in is paused "
    "for 15 minutes. If you are stuck, ask an admin."
)
PENDING_LIFETIME = 300  # seconds to finish each step after the password
#: The page of each sign-in step.
STEP_PAGES: dict[authentication.Step, str] = {
    "verify": "auth.login_verify",
    "password": "auth.login_new_password",
    "enrol": "auth.login_enrol",
}


def _login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


def _safe_next(target: str | None) -> str | None:
    """Only same-site paths are followed after sign-in.

    Browsers read a backslash as a slash and drop tabs and newlines, so ``/\\evil.example``
    would leave the site: such targets are refused.
    """
    if not target:
        return None
    if "\\" in target or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def home_for(user: User) -> str:
    # A clinician lands on the urgent submissions waiting for a clinician's sign-off.
    if user.has_role("clinician"):
        return url_for("clinician.urgent")
    if user.has_role(*PATIENT_DATA_ROLES):
        return url_for("staff.queue")
    if user.has_role("admin"):
        return url_for("admin.index")
    return url_for("auth.account")


def _complete_login(user: User, *, two_factor: bool) -> ResponseReturnValue:
    next_url = _safe_next(session.get("_staff_next"))
    start_session(user)
    authentication.signed_in(user, two_factor=two_factor)
    db.session.commit()
    return redirect(next_url or home_for(user))


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm()
    error = None
    if request.method == "GET":
        session["_staff_next"] = _safe_next(request.args.get("next"))
    if form.validate_on_submit():
        check = authentication.check_password(
            form.email.data or "", form.password.data or "", two_factor_roles=two_factor_roles()
        )
        if check.user is None:
            db.session.commit()  # the failure counts although the sign-in is refused
            error = GENERIC_FAILURE
        elif check.step is None:
            return _complete_login(check.user, two_factor=False)
        else:
            db.session.commit()  # a rehashed password is kept while the next step runs
            return _go_to_step(check.user, check.step, two_factor=False)
    status = 200 if error is None else 401
    return render_template("auth/login.html", form=form, error=error), status


def _go_to_step(user: User, step: authentication.Step, *, two_factor: bool) -> ResponseReturnValue:
    """Remember where this sign-in is (ids and flags only) and open that step's page."""
    session[PENDING_2FA] = {
        "id": user.id,
        "generation": user.session_generation,
        "at": int(time.time()),
        "step": step,
        "two_factor": two_factor,
    }
    return redirect(url_for(STEP_PAGES[step]))


def _advance(user: User, *, two_factor: bool) -> ResponseReturnValue:
    """The step after the one just done, or the session when none is left."""
    step = authentication.next_step(
        user, code_checked=two_factor, two_factor_roles=two_factor_roles()
    )
    if step is None:
        return _complete_login(user, two_factor=two_factor)
    return _go_to_step(user, step, two_factor=two_factor)


def _pending() -> dict[str, object]:
    pending = session.get(PENDING_2FA)
    return pending if isinstance(pending, dict) else {}


def _pending_user(step: authentication.Step) -> User | None:
    """The account signing in, when this sign-in is at ``step`` and not too old."""
    pending = _pending()
    at = pending.get("at")
    if (
        pending.get("step") != step
        or not isinstance(at, int)
        or time.time() - at > PENDING_LIFETIME
    ):
        return None
    user = db.session.get(User, pending.get("id"))
    if (
        user is None
        or user.disabled
        or user.is_locked()
        or user.session_generation != pending.get("generation")
    ):
        return None
    return user


def _start_again() -> ResponseReturnValue:
    session.pop(PENDING_2FA, None)
    flash("Please sign in again.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/login/verify", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
def login_verify() -> ResponseReturnValue:
    """Second step: the code from the authenticator app."""
    user = _pending_user("verify")
    if user is None or not user.totp_secret:
        return _start_again()
    form = TotpForm()
    error = None
    if form.validate_on_submit():
        if authentication.check_code(user, form.code.data or ""):
            db.session.commit()  # the code is spent whatever comes next
            return _advance(user, two_factor=True)
        db.session.commit()  # the wrong code counts although the sign-in is refused
        error = "That code did not work. Codes change every 30 seconds; try the newest one."
    return render_template("auth/verify.html", form=form, error=error), 200 if not error else 401


def _qr_svg(secret: str, email: str) -> Markup:
    uri = pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name="Clinic intake")
    svg = segno.make(uri, error="m").svg_inline(scale=4, title="QR code for your authenticator")
    return Markup(svg)  # noqa: S704 - generated locally by segno from our own URI


@bp.route("/login/new-password", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
def login_new_password() -> ResponseReturnValue:
    """A password set by someone else (an admin, ``user create``) is replaced before the
    session starts: nothing else can be used until it is."""
    user = _pending_user("password")
    if user is None or not user.must_change_password:
        return _start_again()
    form = NewPasswordForm()
    if form.validate_on_submit():
        problems = authentication.change_own_password(
            user, form.new_password.data or "", at_sign_in=True
        )
        if problems:
            form.new_password.errors = [*form.new_password.errors, *problems]
        else:
            db.session.commit()
            return _advance(user, two_factor=bool(_pending().get("two_factor")))
    status = 400 if form.errors else 200
    return render_template("auth/new_password.html", form=form), status


def _enrol(user: User, *, on_success: str | None) -> ResponseReturnValue:
    """Set up an authenticator. The secret stays on the server (``User.totp_pending_secret``),
    never in the session cookie; the page shows it once per visit, as a QR code and a key."""
    secret = authentication.enrolment_secret(user)
    db.session.commit()  # the same secret on the next visit, until a code confirms it
    form = TotpForm()
    error = None
    if form.validate_on_submit():
        if authentication.enrol_totp(user, form.code.data or ""):
            db.session.commit()
            if on_success is None:  # part of sign-in
                return _advance(user, two_factor=True)
            flash("Two-factor sign-in is on for your account.", "success")
            return redirect(on_success)
        error = "That code did not work. Check the time on your phone and try the newest code."
    return render_template(
        "auth/enrol.html",
        form=form,
        error=error,
        secret=secret,
        qr=_qr_svg(secret, user.email),
        required=on_success is None,
    ), 200 if not error else 400


@bp.route("/login/setup-2fa", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
def login_enrol() -> ResponseReturnValue:
    """An account whose role requires two-factor sets it up before its first session."""
    user = _pending_user("enrol")
    if user is None or user.totp_secret:
        return _start_again()
    return _enrol(user, on_success=None)


@bp.post("/logout")
@public
def logout() -> ResponseReturnValue:
    if current_user.is_authenticated:
        audit.record("logout")
        db.session.commit()
    end_session()
    flash("You are signed out.", "success")
    return redirect(url_for("auth.login"))


@bp.get("/account")
@role_required()
def account() -> ResponseReturnValue:
    return render_template("auth/account.html")


@bp.route("/account/password", methods=["GET", "POST"])
@role_required()
@limiter.limit(_login_limit, methods=["POST"])  # the current password must not be guessable
def change_password() -> ResponseReturnValue:
    form = PasswordChangeForm()
    user: User = current_user._get_current_object()
    if form.validate_on_submit():
        if not verify_password(user.password_hash, form.current_password.data or ""):
            form.current_password.errors.append("That is not your current password.")
        else:
            problems = authentication.change_own_password(user, form.new_password.data or "")
            if problems:
                form.new_password.errors.extend(problems)
            else:
                db.session.commit()  # every other session of this account has ended
                login_user(user)  # this session continues under the new generation
                flash("Your password is changed. Other sessions were signed out.", "success")
                return redirect(url_for("auth.account"))
    return render_template("auth/password.html", form=form)


@bp.route("/account/two-factor", methods=["GET", "POST"])
@role_required()
def two_factor() -> ResponseReturnValue:
    user: User = current_user._get_current_object()
    if user.totp_secret:
        flash("Two-factor sign-in is already on. Ask an admin to reset it.", "info")
        return redirect(url_for("auth.account"))
    return _enrol(user, on_success=url_for("auth.account"))
