"""An export lists each submission once, even when a colleague acknowledges an urgent one while
the export reads its rows.

The rows are read by two statements (the pinned urgent ones, then the listed ones), one after
the other on READ COMMITTED: a submission acknowledged between them is matched by both. Found
by a review (a CSV with the same patient twice, its audit counting three rows for two).
"""

from __future__ import annotations

import csv
import io
from typing import Any

import sqlalchemy as sa
from flask.testing import FlaskClient

from intake.extensions import db
from intake.models import AuditEvent, Submission
from intake.models.types import utcnow
from tests.factories import make_submission, post


def test_a_submission_acknowledged_between_the_two_reads_is_exported_once(
    client: FlaskClient, login_as: Any
) -> None:
    login_as("front_desk")
    urgent = make_submission(
        reference="URG0001", changes={"asq.thoughts_right_now": "yes", "asq.wished_dead": "yes"}
    )
    make_submission(reference="PLAIN01")
    assert urgent.urgent and urgent.acknowledged_at is None
    urgent_id = urgent.id
    reads: list[str] = []

    def colleague_acknowledges(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        if not statement.lstrip().upper().startswith("SELECT SUBMISSION.ID"):
            return
        reads.append(statement)
        if len(reads) == 2:  # the listed rows are read next, the pinned ones were
            with db.engine.begin() as other:  # another worker's request, committed
                other.execute(
                    sa.update(Submission.__table__)
                    .where(Submission.__table__.c.id == urgent_id)
                    .values(acknowledged_at=utcnow())
                )

    sa.event.listen(db.engine, "before_cursor_execute", colleague_acknowledges)
    try:
        response = post(client, "/staff/export.csv", {"sort": "newest"})
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", colleague_acknowledges)
    assert len(reads) >= 2, "the export no longer reads its rows in two statements"
    assert response.status_code == 200
    rows = csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")))
    assert [row["reference"] for row in rows] == ["URG0001", "PLAIN01"]
    exported = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "exported")
    ).one()
    assert exported.detail["rows"] == 2
