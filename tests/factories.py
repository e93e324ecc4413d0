"""Test factories: staff users, and submissions stored from real answers and evaluations.

``make_submission`` validates its answers with ``parse_answers``, evaluates them with the real
rules and builds the row with ``new_submission`` (``row_values`` and the pathway rows), as the
submit service does: a test that needs
an urgent submission or a pathway passes answers that produce it (``answer_documents.ASQ_YES``,
``OCD_TWO_FAILED_SRIS``), so no test sees a row the app could not have stored.
"""

from __future__ import annotations

import itertools
import re
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from answer_documents import changed, insurance_for, sample_answers
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer

from intake.extensions import db
from intake.models import Submission, User
from intake.models.submission import new_submission
from intake.models.types import utcnow
from intake.services.submissions import evaluate_document, today

DEFAULT_PASSWORD = "correct-horse-staple-42"
_counter = itertools.count(1)


@cache
def _default_hash() -> str:
    from intake.passwords import hash_password

    return hash_password(DEFAULT_PASSWORD)


def make_user(
    *roles: str,
    email: str | None = None,
    password: str | None = None,
    totp_secret: str | None = None,
    disabled: bool = False,
) -> User:
    from intake.passwords import hash_password

    n = next(_counter)
    user = User(
        email=email or f"staff{n}@example.org",
        password_hash=_default_hash() if password is None else hash_password(password),
        totp_secret=totp_secret,
        disabled=disabled,
    )
    user.roles = set(roles or ("front_desk",))
    db.session.add(user)
    db.session.commit()
    return user


def make_answers(**patient: Any) -> dict[str, Any]:
    answers = sample_answers()
    answers["patient"].update(patient)
    return answers


def make_submission(
    *,
    changes: dict[str, Any] | None = None,
    last_name: str = "Reyes",
    date_of_birth: date = date(1985, 4, 12),
    status: str = "new",
    primary_concern: str = "depression",
    coverage_type: str = "commercial",
    submitted_at: datetime | None = None,
    reference: str | None = None,
    acknowledged: bool = False,
) -> Submission:
    """Store a submission of ``sample_answers()`` with ``changes`` (``changed()`` paths) and the
    named answers replaced, evaluated today with the real rules."""
    n = next(_counter)
    document = make_answers(last_name=last_name, date_of_birth=date_of_birth.isoformat())
    document["concerns"]["primary"] = primary_concern
    document["insurance"] = insurance_for(coverage_type)
    answers, evaluation = evaluate_document(changed(document, changes or {}), today())
    submission = new_submission(
        answers,
        evaluation,
        reference=reference or f"T{n:07d}",
        status=status,
        submitted_at=submitted_at or utcnow() - timedelta(minutes=n),
        acknowledged_at=utcnow() if acknowledged else None,
    )
    db.session.add(submission)
    db.session.commit()
    return submission


def csrf_token(client: FlaskClient) -> str:
    """A valid CSRF token for ``client``'s session (what ``csrf_token()`` renders)."""
    app = client.application
    with client.session_transaction() as sess:
        raw = sess.get("csrf_token")
        if raw is None:
            import hashlib
            import os

            raw = hashlib.sha1(os.urandom(64)).hexdigest()  # noqa: S324 - Flask-WTF's format
            sess["csrf_token"] = raw
    return URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps(raw)


def post(client: FlaskClient, url: str, data: dict[str, Any] | None = None, **kw: Any) -> Any:
    """POST with a valid CSRF token."""
    payload = {"csrf_token": csrf_token(client), **(data or {})}
    return client.post(url, data=payload, **kw)


def token_from(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no csrf token in page"
    return match.group(1)
