"""Sign-in bookkeeping: the session clock (idle and absolute limits) and Flask-Login wiring.

A session also ends when its account still has a sign-in step to do (a new password, setting
up two-factor that one of its roles now requires): sign-in then asks for it before a new
session starts, so no page is ever used by an account that has not done it.
"""

from __future__ import annotations

import hashlib
import secrets
import time

from flask import Flask, current_app, flash, g, request, session
from flask_login import current_user, login_user, logout_user

from intake.extensions import db, login_manager
from intake.models import StaffSession, User
from intake.models.types import utcnow

LOGIN_AT = "_staff_login_at"
SEEN_AT = "_staff_seen_at"
#: The idle clock moves (and the cookie is written) at most once a minute, as the patient's:
#: most responses send no cookie, so none puts back a stale copy over a concurrent change.
SEEN_STEP = 60
#: The sign-in under way: account id, generation, time, the step it is at, whether a code was
#: checked. Ids and flags only; the authenticator secret being set up stays on the server.
PENDING_2FA = "_staff_2fa_pending"
SESSION_TOKEN = "_staff_session"  # noqa: S105 - a session key name, not a secret


def two_factor_roles() -> frozenset[str]:
    """The roles that must sign in with two-factor: ``REQUIRE_2FA_ROLES``, plus ``admin`` when
    ``REQUIRE_2FA_ADMIN`` is on."""
    roles = set(current_app.config.get("REQUIRE_2FA_ROLES") or ())
    if current_app.config.get("REQUIRE_2FA_ADMIN"):
        roles.add("admin")
    return frozenset(roles)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session_record(user: User) -> str:
    """Record a new server-side session for ``user`` (the caller commits); returns its token,
    which goes into the signed session cookie."""
    token = secrets.token_urlsafe(32)
    db.session.add(StaffSession(user_id=user.id, token_sha256=_digest(token)))
    return token


def _live_session(user_id: int) -> bool:
    """Whether this browser's session token belongs to a session of ``user_id`` still open."""
    token = session.get(SESSION_TOKEN)
    if not isinstance(token, str):
        return False
    record = db.session.scalar(
        db.select(StaffSession).where(StaffSession.token_sha256 == _digest(token))
    )
    return record is not None and record.user_id == user_id and record.ended_at is None


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"
    # No Flask-Login session protection: its "basic" mode only marks a session not fresh,
    # which nothing here reads (staff sessions are bound to a server-side StaffSession record,
    # revocable, with idle and absolute limits), and it wrote that mark into every anonymous
    # patient's cookie the first time any page was drawn. A response that writes the cookie
    # from what its request read can undo a concurrent request's change: a 404 for
    # /favicon.ico, drawn beside "Start", once put back the cookie without the new draft.
    login_manager.session_protection = None

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        try:
            raw_id, raw_generation = user_id.split(":", 1)
            uid, generation = int(raw_id), int(raw_generation)
        except ValueError:
            return None
        user = db.session.get(User, uid)
        if user is None or user.disabled or user.session_generation != generation:
            return None
        if not _live_session(uid):  # signed out: a copied cookie no longer works
            return None
        return user

    app.before_request(enforce_session_limits)


def start_session(user: User) -> None:
    """Sign ``user`` in on a fresh session (a new session id against fixation)."""
    session.clear()
    login_user(user)
    session[SESSION_TOKEN] = open_session_record(user)
    now = int(time.time())
    session[LOGIN_AT] = now
    session[SEEN_AT] = now
    session.permanent = False


def end_session() -> None:
    """Sign out: close the server-side record (so no copy of the cookie works) and clear."""
    token = session.get(SESSION_TOKEN)
    if isinstance(token, str):
        record = db.session.scalar(
            db.select(StaffSession).where(StaffSession.token_sha256 == _digest(token))
        )
        if record is not None and record.ended_at is None:
            record.ended_at = utcnow()
            db.session.commit()
    logout_user()
    session.clear()


def enforce_session_limits() -> None:
    """End the staff session after the idle limit or the absolute limit; any request but a
    background one (a page's own polling) counts as activity and restarts the idle clock."""
    # Load the user afresh for every request (an app context shared by several requests, as in
    # tests or CLI-driven calls, must not keep a user who was disabled in between).
    g.pop("_login_user", None)
    if LOGIN_AT not in session and "_user_id" not in session:
        return
    if not current_user.is_authenticated:
        if "_user_id" in session:
            # The account was disabled or its password changed elsewhere.
            end_session()
            flash("Your session has ended. Please sign in again.", "info")
        return
    now = int(time.time())
    idle = current_app.config["STAFF_IDLE_TIMEOUT"].total_seconds()
    absolute = current_app.config["STAFF_MAX_SESSION"].total_seconds()
    login_at = session.get(LOGIN_AT, 0)
    seen_at = session.get(SEEN_AT, 0)
    from intake.services import audit, authentication

    if now - seen_at > idle or now - login_at > absolute:
        reason = "idle" if now - seen_at > idle else "absolute"
        audit.record("session_expired", detail={"reason": reason})
        db.session.commit()
        end_session()
        if reason == "idle":
            flash("You were signed out after a period without activity.", "info")
        else:
            flash("You were signed out because sessions last at most 12 hours.", "info")
        return
    user = current_user._get_current_object()
    if authentication.next_step(user, code_checked=True, two_factor_roles=two_factor_roles()):
        # A new password or two-factor set-up is now due (set by an admin, a role's new
        # requirement): sign-in asks for it first.
        audit.record("session_expired", detail={"reason": "sign_in_step_due"})
        db.session.commit()
        end_session()
        flash("Please sign in again to finish setting up your account.", "info")
        return
    if not _background_request() and now - seen_at >= SEEN_STEP:
        session[SEEN_AT] = now


def _background_request() -> bool:
    """Whether the request is one a page makes by itself (``decorators.background``): it is
    not activity, so it leaves the idle clock as it was (and the session cookie unchanged)."""
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "background", False))
