"""Clinician reviews: agree with the rules' pathways, or choose different ones, with a note."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import select
from sqlalchemy.orm.attributes import set_committed_value

from intake import billing
from intake import vocabulary as vocab
from intake.extensions import db
from intake.models import ClinicianReview, Submission
from intake.rules import Ruleset
from intake.services import audit

NOTE_MAX = 4000


class ReviewError(ValueError):
    """A review that cannot be stored; the message says why, in words for the clinician.

    ``field`` names the review form's field the problem is about (none: the whole review), so
    the refused page's error summary links the message to it."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def pathway_choices(ruleset: Ruleset) -> list[tuple[str, str]]:
    """Every pathway code with its title, in priority order (the review's checkboxes)."""
    return [(rule.code, rule.title) for rule in ruleset.pathways]


def suggested_codes(submission: Submission) -> list[str]:
    """The pathways the stored evaluation suggested, in order."""
    return [p["code"] for p in (submission.evaluation or {}).get("pathways", [])]


@dataclass(frozen=True)
class Course:
    """A planned TMS course: acute sessions (the first included), taper sessions, protocol."""

    sessions: int
    taper_sessions: int
    protocol: str


def checked_diagnoses(codes: Iterable[str]) -> list[str]:
    """ICD-10-CM codes of the curated list, once each in the order given, or ``ReviewError``."""
    picked = list(dict.fromkeys(codes))
    known = vocab.codes(vocab.ICD10_CODES)
    if unknown := [code for code in picked if code not in known]:
        raise ReviewError(f"Not a diagnosis of the list: {', '.join(unknown)}.", field="diagnoses")
    return picked


def checked_course(course: Course | None) -> Course | None:
    if course is None:
        return None
    if not 1 <= course.sessions <= billing.SESSIONS_MAX:
        raise ReviewError(
            f"Sessions are a number from 1 to {billing.SESSIONS_MAX}.", field="course_sessions"
        )
    if not 0 <= course.taper_sessions <= billing.TAPER_MAX:
        raise ReviewError(
            f"Taper sessions are a number from 0 to {billing.TAPER_MAX}.",
            field="course_taper_sessions",
        )
    if course.protocol not in vocab.codes(vocab.TMS_PROTOCOLS):
        raise ReviewError("Choose the protocol from the list.", field="course_protocol")
    return course


def record_review(
    submission: Submission,
    *,
    clinician_id: int | None,
    decision: str,
    codes: Iterable[str],
    note: str,
    ruleset: Ruleset,
    diagnoses: Iterable[str] = (),
    course: Course | None = None,
) -> ClinicianReview:
    """Check and add a review and its audit event to the session (the caller commits).

    Raises ``ReviewError`` and adds nothing when the review is invalid.

    "agree" takes the suggested pathways (any codes sent with it are ignored); "different" needs
    at least one known pathway code, kept once each in priority order.
    """
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ReviewError(f"The note is limited to {NOTE_MAX} characters.", field="note")
    suggested = suggested_codes(submission)
    if decision == "agree":
        chosen = suggested
    elif decision == "different":
        known = [code for code, _ in pathway_choices(ruleset)]
        picked = list(dict.fromkeys(codes))
        if not picked:
            raise ReviewError(
                "Choose at least one pathway, or agree with the suggestion.", field="pathways"
            )
        if unknown := [code for code in picked if code not in known]:
            raise ReviewError(f"Unknown pathway: {', '.join(unknown)}.", field="pathways")
        chosen = [code for code in known if code in picked]
    else:
        raise ReviewError("Choose whether you agree with the suggested pathways.", field="decision")
    diagnosis_codes = checked_diagnoses(diagnoses)
    course = checked_course(course)
    review = ClinicianReview(
        submission_id=submission.id,
        clinician_id=clinician_id,
        decision=decision,
        pathway_codes=chosen,
        suggested_codes=suggested,
        ruleset_sha256=(submission.evaluation or {}).get("ruleset", {}).get("sha256", ""),
        note=note,
        diagnosis_codes=diagnosis_codes,
        course_sessions=course.sessions if course else None,
        course_taper_sessions=course.taper_sessions if course else None,
        course_protocol=course.protocol if course else None,
    )
    # The submission's row lock first: two reviews at once are stored one after the other, so
    # the worklist's copy below is always the latest review's decision.
    db.session.execute(
        sa.select(Submission.id).where(Submission.id == submission.id).with_for_update()
    )
    db.session.add(review)
    db.session.flush()
    # The worklist's copy of the latest decision, written without the submission's ORM
    # ``version``: a review is not an edit of the submission, so a colleague's open page stays
    # current (migration 0016).
    db.session.execute(
        sa.update(Submission)
        .where(Submission.id == submission.id)
        .values(review_decision=review.decision)
        .execution_options(synchronize_session=False)
    )
    set_committed_value(submission, "review_decision", review.decision)
    detail: dict[str, object] = {"decision": review.decision, "pathways": review.pathway_codes}
    if diagnosis_codes:
        detail["diagnoses"] = diagnosis_codes
    if course is not None:
        detail["course"] = [course.sessions, course.taper_sessions, course.protocol]
    audit.record("reviewed", submission=submission, detail=detail)
    return review


def reviews_of(submission: Submission) -> list[ClinicianReview]:
    """Every review of ``submission``, newest first."""
    query = (
        select(ClinicianReview)
        .where(ClinicianReview.submission_id == submission.id)
        .order_by(ClinicianReview.created_at.desc(), ClinicianReview.id.desc())
    )
    return list(db.session.scalars(query))
