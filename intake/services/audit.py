"""Writing the audit log.

``record(action, submission=..., detail=...)`` adds one :class:`AuditEvent` to the current
database session; it is committed together with the change it describes (the view or command
commits, once: docs/architecture.md, "Who commits and who audits"). The actor comes from
Flask-Login and the address from the request, when there is one; at the command line there is
neither, so a command's events have no actor and no address.

``detail`` is for identifiers and workflow values (statuses, ids, counts, filter names). Never put
patient answers (names, dates of birth, member ids, free text) in it: the audit log is searched
and shown to admins, and it must not become a second copy of the patient record.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, cast

import sqlalchemy as sa
from flask import has_request_context, request
from flask_login import current_user

from intake.extensions import db
from intake.models.audit import AuditEvent, ExportedRow
from intake.models.submission import Submission

if TYPE_CHECKING:
    from intake.models import User

_EXPORT_BATCH = 1000

#: Every action the app records, with the words the admin search page shows. Declared only here
#: (a test checks that each ``audit.record("...")`` in the code names one of these).
ACTIONS: Mapping[str, str] = MappingProxyType(
    {
        "login": "Signed in",
        "login_failed": "Sign-in failed",
        "account_locked": "Account locked after failed sign-ins",
        "logout": "Signed out",
        "session_expired": "Session expired",
        "password_changed": "Password changed",
        "totp_enabled": "Two-factor enabled",
        "user_created": "Account created",
        "user_disabled": "Account disabled",
        "user_enabled": "Account enabled",
        "password_reset": "Password reset by an admin",
        "roles_changed": "Roles changed by an admin",
        "two_factor_reset": "Two-factor reset by an admin",
        "submission_created": "Submission received",
        "queue_viewed": "Queue viewed",
        "access_refused": "Access refused (no role for the page)",
        "audit_exported": "Audit log exported",
        "device_marked": "Browser marked as a clinic device",
        "device_unmarked": "Clinic device mark removed",
        "submission_viewed": "Submission viewed",
        "status_changed": "Status changed",
        "assigned": "Assigned to a colleague",
        "patient_match_confirmed": "Returning patient confirmed (intakes linked)",
        "patient_match_rejected": "Returning patient suggestion rejected",
        "patient_match_undone": "Returning patient link undone",
        "course_started": "Course of care started",
        "course_session_recorded": "Course session recorded",
        "course_ended": "Course of care ended",
        "checkin_tablet_code": "Check-in tablet code made",
        "checkin_link_sent_again": "Check-in link e-mailed again",
        "checkin_completed": "Check-in completed by the patient",
        "checkin_viewed": "Check-in viewed",
        "checkin_message_sent": "Check-in link e-mailed to the patient",
        "checkin_acknowledged": "Urgent check-in acknowledged",
        "checkin_signed_off": "Urgent check-in signed off by a clinician",
        "course_viewed": "Course of care viewed",
        "course_report_viewed": "End-of-course report viewed",
        "course_report_pdf": "End-of-course report PDF downloaded",
        "note_added": "Note added",
        "note_edited": "Note edited",
        "acknowledged": "Urgent flag acknowledged (the earlier form)",
        "contact_attempt_recorded": "Contact attempt recorded (urgent)",
        "risk_assessed": "Risk assessment recorded (clinician sign-off)",
        "urgent_list_viewed": "Clinicians' urgent list viewed",
        "exported": "Export started (the rows it is to send)",
        "export_ended": "Export ended (rows sent; complete or cut off)",
        "evaluated": "Evaluated",
        "reviewed": "Clinician review",
        "pdf_downloaded": "Summary PDF downloaded",
        "fhir_bundle_read": "FHIR Bundle read (API or clinician download)",
        "fhir_questionnaire_read": "FHIR Questionnaire read (API)",
        "insurance_updated": "Insurance checklist saved",
        "insurance_conflict": "Insurance checklist save refused (changed by someone else)",
        "insurance_history_viewed": "Insurance checklist history viewed",
        "card_photo_viewed": "Insurance card photo viewed",
        "prior_auth_printed": "Prior-authorization packet opened",
        "prior_auth_pdf_downloaded": "Prior-authorization packet PDF downloaded",
        "clinician_profile_changed": "Clinician's name or NPI changed by an admin",
        "token_created": "API token created",
        "token_revoked": "API token revoked",
        "setting_changed": "Setting changed",
        "alert_tier_added": "On-call tier added",
        "alert_tier_changed": "On-call tier changed",
        "alert_tier_removed": "On-call tier removed",
        "alert_recipient_added": "Alert recipient added",
        "alert_recipient_removed": "Alert recipient removed",
        "alert_test_sent": "Test alert sent",
        "outcomes_viewed": "Clinic outcomes viewed (counts only)",
        "outcomes_exported": "Clinic outcomes CSV downloaded (de-identified, counts only)",
    }
)


def client_ip() -> str | None:
    """The address of the current request (``request.remote_addr``), if there is a request.

    Behind a reverse proxy, wrap the app in ``werkzeug.middleware.proxy_fix.ProxyFix`` so this is
    the client's address rather than the proxy's.
    """
    if not has_request_context():
        return None
    return request.remote_addr


def record(
    action: str,
    *,
    submission: Submission | None = None,
    detail: dict[str, Any] | None = None,
    actor: User | None = None,
    with_address: bool = True,
) -> AuditEvent:
    """Add an audit event for ``action`` to the session (committed with the caller's change).

    ``actor`` defaults to the signed-in user (none for the command line or a failed sign-in).
    ``with_address=False`` leaves the request's address out (a patient's own action).
    """
    submission_id = submission.id if submission is not None else None
    event = AuditEvent(
        **_columns(action, submission_id, detail=detail, actor=actor, with_address=with_address)
    )
    db.session.add(event)
    return event


def record_row(
    action: str,
    *,
    submission_id: int | None = None,
    detail: dict[str, Any] | None = None,
    actor: User | None = None,
    with_address: bool = True,
) -> None:
    """Insert an audit event now, as one Core ``INSERT`` (no ORM object, no flush): the same
    row ``record`` adds, for a path that counts its cost (an API intake's
    ``submission_created``: the ORM's unit of work for this one row was about as much CPU as
    the rules' evaluation). The submission it names must already be in the database. The
    action is checked against ``ACTIONS`` here (``tests/test_architecture.py`` reads only the
    ``record`` calls).
    """
    if action not in ACTIONS:
        raise ValueError(f"undeclared audit action {action!r}")
    columns = _columns(action, submission_id, detail=detail, actor=actor, with_address=with_address)
    db.session.execute(sa.insert(cast(sa.Table, AuditEvent.__table__)), columns)


def columns_for_later(action: str, *, detail: dict[str, Any] | None = None) -> dict[str, Any]:
    """The columns ``record_row`` would insert for ``action`` now (the signed-in user, the
    request's address), for code that inserts the event after the request has gone: an
    export's closing event, written when its streamed body ends."""
    if action not in ACTIONS:
        raise ValueError(f"undeclared audit action {action!r}")
    return _columns(action, None, detail=detail, actor=None, with_address=True)


def _columns(
    action: str,
    submission_id: int | None,
    *,
    detail: dict[str, Any] | None,
    actor: User | None,
    with_address: bool,
) -> dict[str, Any]:
    """An audit event's columns but its id and time (the model's default), for ``record`` and
    ``record_row`` alike."""
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user._get_current_object()
    return {
        "action": action,
        "actor_id": actor.id if actor is not None else None,
        "actor_email": actor.email if actor is not None else None,
        "submission_id": submission_id,
        "detail": dict(detail or {}),
        "ip_address": client_ip() if with_address else None,
    }


def record_exported_rows(event: AuditEvent, submission_ids: Sequence[int]) -> None:
    """Name in the audit log every submission an export sends, in the file's order.

    Written beside ``event`` (flushed first, so ``event.id`` exists); the file is then read
    back from these rows, so the log and the file cannot disagree.
    """
    db.session.flush()
    for start in range(0, len(submission_ids), _EXPORT_BATCH):
        chunk = submission_ids[start : start + _EXPORT_BATCH]
        db.session.execute(
            sa.insert(ExportedRow),
            [
                {"audit_event_id": event.id, "position": start + i, "submission_id": sid}
                for i, sid in enumerate(chunk)
            ],
        )
