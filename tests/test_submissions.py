"""``services.submissions.submit_document``: stored once, in the caller's transaction.

The service flushes and never commits (docs/architecture.md); the wizard's and the API's views
commit. These check the races it handles at the flush, where the commit used to be.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from answer_documents import sample_answers
from flask import Flask

from intake.extensions import db
from intake.models import Draft, Submission
from intake.services import drafts, submissions
from intake.services.codes import submission_reference
from intake.services.submissions import AlreadySubmitted, submit_document
from tests.committed import committed, committed_count


def test_nothing_is_stored_until_the_caller_commits(app: Flask) -> None:
    submission = submit_document(sample_answers(), source="api")
    assert submission.id > 0
    db.session.rollback()
    assert committed_count(Submission) == 0
    submission = submit_document(sample_answers(), source="api")
    db.session.commit()
    assert committed_count(Submission, Submission.id == submission.id) == 1


def test_a_reference_already_taken_draws_another(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = submit_document(sample_answers(), source="api")
    taken = first.reference
    db.session.commit()
    fresh = submission_reference()
    references = iter([taken, fresh])
    monkeypatch.setattr(submissions, "submission_reference", lambda: next(references))
    second = submit_document(sample_answers(), source="api")
    assert second.reference == fresh
    db.session.commit()
    assert committed_count(Submission) == 2


def test_a_draft_submitted_meanwhile_raises_already_submitted(app: Flask) -> None:
    draft = drafts.create_draft()
    first = submit_document(sample_answers(), source="api")
    db.session.commit()
    first_id = first.id
    assert draft.submission_id is None  # loaded now, before the other request links it
    # Another request (a second tab) links the draft between our check and our UPDATE.
    with db.engine.begin() as other:
        other.execute(
            sa.update(Draft)
            .where(Draft.id == draft.id)
            .values(submission_id=first_id, version=Draft.version + 1)
        )
    with pytest.raises(AlreadySubmitted) as caught:
        submit_document(sample_answers(), source="wizard", draft=draft)
    assert caught.value.submission.id == first_id
    db.session.commit()
    assert committed_count(Submission) == 1
    assert committed(sa.select(Draft.submission_id).where(Draft.id == draft.id)) == first_id
