"""Test factories: staff users and submissions with valid intake-answers/1 documents."""

from __future__ import annotations

import itertools
import re
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from answer_documents import sample_answers
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer

from intake.extensions import db
from intake.models import Submission, User
from intake.models.submission import pathway_codes_for
from intake.models.types import utcnow
from intake.services.queue import fold_name

DEFAULT_PASSWORD = "correct-horse-staple-42"
_counter = itertools.count(1)


@cache
def _default_hash() -> str:
    from intake.auth.passwords import hash_password

    return hash_password(DEFAULT_PASSWORD)


def make_user(
    *roles: str,
    email: str | None = None,
    password: str | None = None,
    totp_secret: str | None = None,
    disabled: bool = False,
) -> User:
    from intake.auth.passwords import hash_password

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


def make_evaluation(*, urgent: bool = False, pathways: tuple[str, ...] = ()) -> dict[str, Any]:
    flags = [{"code": "suicide_risk", "level": "urgent", "because": ["ASQ: yes"]}] if urgent else []
    codes = pathways or (("crisis_support",) if urgent else ("medication_evaluation",))
    return {
        "contract": "intake-evaluation/1",
        "ruleset": {"version": "test", "sha256": "0" * 64},
        "as_of": "2026-11-01",
        "age": 41,
        "scores": {
            "phq9": {"total": 17, "severity": "moderately_severe", "item9": 0},
            "gad7": {"total": 7, "severity": "mild"},
        },
        "treatment_history": {},
        "flags": flags,
        "pathways": [{"code": c, "title": c.replace("_", " "), "because": ["test"]} for c in codes],
        "coverage": None,
    }


def make_submission(
    *,
    last_name: str = "Reyes",
    date_of_birth: date = date(1985, 4, 12),
    urgent: bool = False,
    status: str = "new",
    primary_concern: str = "depression",
    coverage_type: str = "commercial",
    pathways: tuple[str, ...] = (),
    submitted_at: datetime | None = None,
    reference: str | None = None,
    acknowledged: bool = False,
) -> Submission:
    n = next(_counter)
    answers = make_answers(last_name=last_name, date_of_birth=date_of_birth.isoformat())
    answers["concerns"]["primary"] = primary_concern
    answers["insurance"]["coverage_type"] = coverage_type
    evaluation = make_evaluation(urgent=urgent, pathways=pathways)
    submission = Submission(
        reference=reference or f"T{n:07d}",
        status=status,
        urgent=urgent,
        answers=answers,
        evaluation=evaluation,
        pathway_codes=pathway_codes_for(evaluation),
        ruleset_version="test",
        ruleset_sha256="0" * 64,
        submitted_at=submitted_at or utcnow() - timedelta(minutes=n),
        last_name=last_name,
        last_name_folded=fold_name(last_name),
        date_of_birth=date_of_birth,
        primary_concern=primary_concern,
        coverage_type=coverage_type,
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
