"""Reviews, the insurance checklist and settings, at the service level."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from clinician_samples import store
from flask import Flask

from intake.extensions import db
from intake.models import ClinicianReview, InsuranceVerification, InsuranceVerificationHistory
from intake.rules import RULESET
from intake.services.insurance import (
    ChecklistValues,
    InvalidVerification,
    StaleVerification,
    save_verification,
    verification_of,
)
from intake.services.reviews import ReviewError, record_review, reviews_of
from intake.services.settings import EXPORT_FREE_TEXT, get_setting, set_setting


def test_agree_stores_the_suggestion(app: Flask) -> None:
    submission = store()
    review = record_review(
        submission,
        clinician_id=None,
        decision="agree",
        codes=["psychotherapy"],
        note=" ok ",
        ruleset=RULESET,
    )
    assert (
        review.pathway_codes
        == review.suggested_codes
        == [
            "tms_plus_cbt",
            "tms_plus_medication_review",
        ]
    )
    assert review.note == "ok" and review.ruleset_sha256 == submission.ruleset_sha256


def test_different_keeps_priority_order_and_each_code_once(app: Flask) -> None:
    submission = store()
    review = record_review(
        submission,
        clinician_id=None,
        decision="different",
        codes=["psychotherapy", "crisis_support", "psychotherapy"],
        note="",
        ruleset=RULESET,
    )
    assert review.pathway_codes == ["crisis_support", "psychotherapy"]
    assert reviews_of(submission) == [review]


@pytest.mark.parametrize(
    ("decision", "codes", "note", "message"),
    [
        ("different", [], "", "at least one pathway"),
        ("different", ["teleportation"], "", "Unknown pathway: teleportation"),
        ("maybe", [], "", "agree"),
        ("agree", [], "x" * 4001, "limited"),
    ],
)
def test_invalid_reviews_store_nothing(
    app: Flask, decision: str, codes: list[str], note: str, message: str
) -> None:
    submission = store()
    with pytest.raises(ReviewError, match=message):
        record_review(
            submission,
            clinician_id=None,
            decision=decision,
            codes=codes,
            note=note,
            ruleset=RULESET,
        )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ClinicianReview)) == 0


def test_checklist_is_created_then_updated_with_a_version(app: Flask) -> None:
    submission = store()
    assert verification_of(submission) is None
    first = save_verification(
        submission,
        ChecklistValues(eligibility_confirmed=True, prior_auth="needed", notes="called"),
        expected_version=0,
        user_id=None,
    )
    assert first.version == 1
    second = save_verification(
        submission,
        ChecklistValues(eligibility_confirmed=True, prior_auth="submitted", notes="faxed"),
        expected_version=1,
        user_id=None,
    )
    assert second.version == 2 and second.prior_auth == "submitted"
    [kept] = db.session.scalars(sa.select(InsuranceVerificationHistory)).all()
    assert (kept.version, kept.prior_auth, kept.notes) == (1, "needed", "called")
    assert kept.eligibility_confirmed is True


def test_a_stale_save_is_refused_and_changes_nothing(app: Flask) -> None:
    submission = store()
    save_verification(
        submission,
        ChecklistValues(eligibility_confirmed=False, prior_auth="needed", notes="first"),
        expected_version=0,
        user_id=None,
    )
    db.session.commit()
    with pytest.raises(StaleVerification) as caught:
        save_verification(
            submission,
            ChecklistValues(eligibility_confirmed=True, prior_auth="denied", notes="second"),
            expected_version=0,
            user_id=None,
        )
    assert caught.value.current.notes == "first"
    assert verification_of(submission).prior_auth == "needed"


def test_a_save_racing_another_at_the_database_is_refused(app: Flask) -> None:
    submission = store()
    record = save_verification(
        submission,
        ChecklistValues(eligibility_confirmed=False, prior_auth="needed", notes="first"),
        expected_version=0,
        user_id=None,
    )
    db.session.commit()
    assert record.version == 1
    # Another request commits between our version check and our UPDATE.
    with db.engine.begin() as other:
        other.execute(sa.text("UPDATE insurance_verification SET version = 2, notes = 'racer'"))
    with pytest.raises(StaleVerification) as caught:
        save_verification(
            submission,
            ChecklistValues(eligibility_confirmed=True, prior_auth="denied", notes="mine"),
            expected_version=1,
            user_id=None,
        )
    assert caught.value.current.notes == "racer"
    assert db.session.scalar(sa.select(InsuranceVerification.notes)) == "racer"
    # The refused save's copy of version 1 went with its rollback.
    assert db.session.scalar(sa.select(sa.func.count(InsuranceVerificationHistory.id))) == 0


def test_checklist_rejects_an_unknown_status(app: Flask) -> None:
    with pytest.raises(InvalidVerification):
        save_verification(
            store(),
            ChecklistValues(eligibility_confirmed=False, prior_auth="maybe", notes=""),
            expected_version=0,
            user_id=None,
        )


def test_settings_default_then_change(app: Flask) -> None:
    assert get_setting(EXPORT_FREE_TEXT) is False
    assert set_setting(EXPORT_FREE_TEXT, True, user_id=None) is True
    assert set_setting(EXPORT_FREE_TEXT, True, user_id=None) is False
    assert get_setting(EXPORT_FREE_TEXT) is True
    with pytest.raises(TypeError):
        set_setting(EXPORT_FREE_TEXT, "yes", user_id=None)
    with pytest.raises(KeyError):
        get_setting("no.such.setting")
