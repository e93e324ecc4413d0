"""Many submissions quickly, for tests of lists longer than a page or a read batch.

One submission is stored through the real rules (``make_submission``); the rest are copies of
its row with their own reference and time, written with multi-row INSERTs. The queue and the
exports read the row's columns (coverage, concern, time, status), so a copy is listed, filtered
and exported as a fresh submission with those columns would be.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa

from intake.extensions import db
from intake.models import Submission
from tests.factories import make_submission


def copies(
    references: Sequence[str],
    times: Sequence[datetime],
    *,
    coverage_type: str = "commercial",
    primary_concern: str = "depression",
) -> None:
    """Store one non-urgent submission per reference (``references[i]`` at ``times[i]``)."""
    template = make_submission(
        reference=references[0],
        submitted_at=times[0],
        coverage_type=coverage_type,
        primary_concern=primary_concern,
    )
    assert not template.urgent
    table = Submission.__table__
    row = dict(db.session.execute(sa.select(table).where(table.c.id == template.id)).one()._mapping)
    del row["id"]
    rest = [
        {**row, "reference": ref, "submitted_at": at}
        for ref, at in zip(references[1:], times[1:], strict=True)
    ]
    for start in range(0, len(rest), 200):
        db.session.execute(sa.insert(table), rest[start : start + 200])
    db.session.commit()
