"""Helpers shared by the clinician, insurance and admin views."""

from __future__ import annotations

from flask import abort

from intake.extensions import db
from intake.models import Submission, User


def get_submission(submission_id: int) -> Submission:
    """The submission, or 404."""
    submission = db.session.get(Submission, submission_id)
    if submission is None or submission.evaluation is None:
        abort(404)
    return submission


def user_names(ids: set[int | None]) -> dict[int | None, str]:
    """Staff emails by account id, for "changed by" and "reviewed by" lines."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    users = db.session.scalars(db.select(User).where(User.id.in_(wanted)))
    return {user.id: user.email for user in users}
