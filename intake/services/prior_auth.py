"""The prior-authorization packet: everything a payer asks for, gathered from what is stored.

The packet reads, never re-derives: the patient's and subscriber's details from the answers,
the trials and the coverage checklist from the summary (the rules' own explanations of why a
trial counts), the diagnosis and the planned course from the latest clinician review, the
ordering psychiatrist (that review's clinician) with their NPI, and the clinic's legal name,
address, TIN and group NPI from the settings. What is missing is listed on the packet, so the
front desk sees it before a payer does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from intake import billing
from intake import vocabulary as vocab
from intake.extensions import db
from intake.models import ClinicianReview, InsuranceVerification, Submission, User
from intake.rules import RULESET
from intake.services.insurance import verification_of
from intake.services.reviews import reviews_of
from intake.services.settings import BillingProfile, billing_profile
from intake.services.summary import Summary, build_summary


@dataclass(frozen=True)
class CodeLine:
    """A code on the packet with its official description (and units, for CPT codes)."""

    code: str
    description: str
    units: int | None = None


@dataclass(frozen=True)
class Packet:
    submission: Submission
    summary: Summary
    record: InsuranceVerification | None
    review: ClinicianReview | None
    psychiatrist: User | None
    clinic: BillingProfile
    diagnoses: list[CodeLine]
    cpt: list[CodeLine]
    missing: list[str] = field(default_factory=list)

    @property
    def insurance(self) -> dict[str, Any]:
        return dict(self.summary.answers.get("insurance") or {})

    @property
    def patient(self) -> dict[str, Any]:
        return dict(self.summary.answers.get("patient") or {})


def diagnosis_lines(codes: list[str]) -> list[CodeLine]:
    return [CodeLine(code, vocab.staff_label(vocab.ICD10_CODES, code)) for code in codes]


def cpt_lines(review: ClinicianReview | None) -> list[CodeLine]:
    """The CPT codes and units of the review's planned course (none without a course)."""
    if review is None or review.course_sessions is None:
        return []
    lines = billing.course_units(review.course_sessions, review.course_taper_sessions or 0)
    return [
        CodeLine(line.code, vocab.staff_label(vocab.CPT_CODES, line.code), line.units)
        for line in lines
    ]


def build_packet(submission: Submission, evaluation: dict[str, Any]) -> Packet:
    """The packet of a full submission whose stored evaluation is ``evaluation``."""
    summary = build_summary(submission.answers, evaluation, RULESET)
    reviews = reviews_of(submission)
    review = reviews[0] if reviews else None
    psychiatrist = (
        db.session.get(User, review.clinician_id) if review and review.clinician_id else None
    )
    clinic = billing_profile()
    missing: list[str] = []
    if review is None:
        missing.append("a clinician review (diagnosis, planned course)")
    else:
        if not review.diagnosis_codes:
            missing.append("the diagnosis (ICD-10-CM) in the clinician's review")
        if review.course_sessions is None:
            missing.append("the planned course in the clinician's review")
    if review is not None and (psychiatrist is None or not psychiatrist.npi):
        missing.append("the ordering psychiatrist's NPI (an admin sets it on Staff accounts)")
    missing.extend(f"the clinic's {word} (Settings)" for word in clinic.missing)
    return Packet(
        submission=submission,
        summary=summary,
        record=verification_of(submission),
        review=review,
        psychiatrist=psychiatrist,
        clinic=clinic,
        diagnoses=diagnosis_lines(list(review.diagnosis_codes)) if review else [],
        cpt=cpt_lines(review),
        missing=missing,
    )
