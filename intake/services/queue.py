"""The front-desk queue: pinned urgent submissions, filters, search, sorting and pages."""

from __future__ import annotations

import sqlalchemy as sa

from intake.extensions import db
from intake.models import Submission


def unacknowledged_urgent_count() -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Submission)
            .where(Submission.urgent.is_(True), Submission.acknowledged_at.is_(None))
        )
        or 0
    )
