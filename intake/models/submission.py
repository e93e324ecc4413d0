"""A submitted intake: the validated answers, the evaluation it got, and its workflow state."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from intake.extensions import Model
from intake.models.types import JSONDocument, UTCDateTime, utcnow
from intake.models.workflow import status_rank
from intake.names import fold_email, fold_name, phone_digits

if TYPE_CHECKING:
    from intake.models.risk import ContactAttempt, RiskAssessment
    from intake.models.user import User
    from intake.models.workflow import Acknowledgement, Note, StatusChange


class Submission(Model):
    """One submitted intake.

    ``answers`` is the validated intake-answers document (/1 or /2) and never changes after
    submission. ``evaluation`` is the result the patient and staff saw, kept with the
    ruleset version and hash that produced it so it can always be reproduced; re-evaluating
    under a newer ruleset never overwrites it. The indexed columns copy the few answers staff
    filter and search on, so the queue never has to open the JSON document; ``row_values``
    is the one place they are copied out. A partial submission (``partial``) has the same
    columns, from the sections it has: ``patient`` or its ``contact``, and no concern or
    coverage before those steps are answered.
    ``version`` is the optimistic-locking counter: a save made against an older version is
    refused instead of silently overwriting someone else's change.
    """

    __tablename__ = "submission"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(sa.String(16), unique=True)
    status: Mapped[str] = mapped_column(sa.String(32), default="new")
    urgent: Mapped[bool] = mapped_column(default=False, index=True)
    #: Acute suicide risk (the ``suicide_risk_acute`` flag): pinned before other urgent rows.
    acute: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    answers: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    evaluation: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument, nullable=True)
    ruleset_version: Mapped[str | None] = mapped_column(sa.String(40), nullable=True)
    ruleset_sha256: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_name: Mapped[str] = mapped_column(sa.String(100), index=True)
    last_name_folded: Mapped[str] = mapped_column(sa.String(100))
    date_of_birth: Mapped[date] = mapped_column(sa.Date, index=True)
    #: None only on a partial submission whose step was not answered yet (migration 0014).
    primary_concern: Mapped[str | None] = mapped_column(sa.String(20), index=True, nullable=True)
    coverage_type: Mapped[str | None] = mapped_column(sa.String(20), index=True, nullable=True)
    source: Mapped[str] = mapped_column(sa.String(20), default="wizard")
    # Staff workflow (migration 0002).
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id"), nullable=True)
    version: Mapped[int] = mapped_column(default=1)
    # The risk workflow (migration 0013): when a clinician's risk assessment signed this urgent
    # submission off (the latest assessment's time); until then it is on the clinician's urgent
    # list (``ix_submission_unsigned``), whatever the front desk did.
    risk_signed_off_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # The API's Idempotency-Key (migration 0006): a kiosk's retry of a request whose answer it
    # never saw finds this row instead of storing the intake twice. Unique per API token;
    # ``request_sha256`` tells a true retry from the same key reused for another intake.
    api_token_id: Mapped[int | None] = mapped_column(sa.ForeignKey("api_token.id"), nullable=True)
    idempotency_key: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    request_sha256: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    # Partial submissions (migration 0014, docs/staff.md "Partial submissions"): sent from the
    # support page after a positive suicide risk screen, before the form was finished.
    # ``answers`` then holds only the steps answered in full (``answers.parse_partial``) and
    # ``evaluation`` only the screening flags (``rules.evaluate_screening``).
    partial: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    #: On a full submission: the partial one sent earlier from the same draft, which it completes.
    completes_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("submission.id", ondelete="SET NULL"), nullable=True, unique=True
    )
    # The front desk's worklist (migration 0016, docs/staff.md "The worklist"): copies of what
    # its columns show and filter on, so a filter reads an index, never the JSON documents.
    #: The workflow position of ``status`` (the status sort), kept by ``_rank_status``.
    status_rank: Mapped[int] = mapped_column(sa.SmallInteger, default=0, server_default="0")
    #: The PHQ-9 total (None on a partial submission sent before the PHQ-9 step).
    phq9_total: Mapped[int | None] = mapped_column(sa.SmallInteger, nullable=True)
    #: The code of the evaluation's first flag (flags come urgent first), None with no flag.
    top_flag: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    #: The payer's name as typed, folded as last names are (``fold_name``), for the filter.
    payer_folded: Mapped[str | None] = mapped_column(sa.String(120), nullable=True)
    #: The latest clinician review's decision ("agree" / "different"); None until reviewed.
    review_decision: Mapped[str | None] = mapped_column(sa.String(16), nullable=True)
    #: The colleague the submission is assigned to (front desk or clinician), if anyone.
    assigned_to_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="SET NULL"), nullable=True
    )
    # The patient record (migration 0020, ``models.patient``): the person this intake is of,
    # and the contact details patient matching compares, as ``intake.names`` folds them.
    patient_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("patient.id"), nullable=True, index=True
    )
    email_folded: Mapped[str | None] = mapped_column(sa.String(254), nullable=True, index=True)
    phone_digits: Mapped[str | None] = mapped_column(sa.String(15), nullable=True, index=True)

    # What the staff submission page shows, newest first. Read-only (``viewonly``): notes,
    # status changes and acknowledgements are written by ``intake.services.workflow`` as rows
    # of their own, so adding one never touches the submission's row or its ``version``.
    # Loaded when first read; a commit expires them, so the page always shows fresh lists.
    status_history: Mapped[list[StatusChange]] = relationship(
        order_by="[StatusChange.changed_at.desc(), StatusChange.id.desc()]", viewonly=True
    )
    notes: Mapped[list[Note]] = relationship(order_by="Note.id.desc()", viewonly=True)
    acknowledgements: Mapped[list[Acknowledgement]] = relationship(
        order_by="Acknowledgement.id.desc()", viewonly=True
    )
    #: The front desk's calls and the clinicians' risk assessments (``services.risk``), newest
    #: first; read-only for the same reason.
    contact_attempts: Mapped[list[ContactAttempt]] = relationship(
        order_by="ContactAttempt.id.desc()", viewonly=True
    )
    risk_assessments: Mapped[list[RiskAssessment]] = relationship(
        order_by="[RiskAssessment.assessed_at.desc(), RiskAssessment.id.desc()]", viewonly=True
    )
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id], viewonly=True)
    assigned_to: Mapped[User | None] = relationship(foreign_keys=[assigned_to_id], viewonly=True)
    #: The partial submission this full one completes, and (the other way) the full one.
    completes: Mapped[Submission | None] = relationship(
        foreign_keys=[completes_id], remote_side=[id], viewonly=True
    )
    completed_by: Mapped[Submission | None] = relationship(
        foreign_keys=[completes_id], viewonly=True, uselist=False, overlaps="completes"
    )
    #: One row per pathway of the evaluation (what the queue's pathway filter reads), written
    #: with the submission: ``new_submission`` fills it, the seeder inserts the same rows.
    pathway_rows: Mapped[list[SubmissionPathway]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )

    @validates("status")
    def _rank_status(self, _key: str, status: str) -> str:
        """Every status set through the ORM sets its rank too (the seeder's bulk rows add
        ``status_rank`` themselves)."""
        self.status_rank = status_rank(status)
        return status

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's own API

    __table_args__ = (
        sa.UniqueConstraint("api_token_id", "idempotency_key", name="uq_submission_idempotency"),
        sa.Index("ix_submission_queue", "urgent", "submitted_at"),
        # Prefix search (LIKE 'smi%') on PostgreSQL needs the pattern operator class.
        sa.Index(
            "ix_submission_last_name_prefix",
            "last_name_folded",
            postgresql_ops={"last_name_folded": "varchar_pattern_ops"},
        ),
    )


def pinned_condition() -> sa.ColumnElement[bool]:
    """Urgent and not yet acknowledged: pinned above the queue (``ix_submission_pinned``)."""
    table = Submission.__table__.c
    return sa.and_(table.urgent, table.acknowledged_at.is_(None))


_columns = Submission.__table__.c
# The pinned list (migration 0011): only unacknowledged urgent rows are in this partial index, in
# the order the queue shows them, so neither the list nor its count (nor the header count) reads
# the acknowledged urgent rows. Its condition is the queue's own ``pinned_condition()``, as each
# database writes it (a partial index is used only when the query states the same terms).
sa.Index(
    "ix_submission_pinned",
    _columns.acute.desc(),
    _columns.submitted_at,
    _columns.id,
    postgresql_where=pinned_condition(),
    sqlite_where=pinned_condition(),
    # The few pinned rows carry what the filters and the search read (PostgreSQL), so a
    # filtered pinned list is read from this small index alone.
    postgresql_include=[
        "status",
        "primary_concern",
        "coverage_type",
        "last_name_folded",
        "date_of_birth",
        "reference",
        # The worklist's filters (migration 0016).
        "partial",
        "phq9_total",
        "top_flag",
        "payer_folded",
        "review_decision",
        "assigned_to_id",
    ],
)


def unsigned_condition() -> sa.ColumnElement[bool]:
    """Urgent and not yet signed off by a clinician: the clinician's urgent list
    (``ix_submission_unsigned``)."""
    table = Submission.__table__.c
    return sa.and_(table.urgent, table.risk_signed_off_at.is_(None))


# The clinician's urgent list (migration 0013): the urgent rows no clinician has signed off, in
# the list's order (acute first, then oldest first), stated as ``unsigned_condition()`` states it.
sa.Index(
    "ix_submission_unsigned",
    _columns.acute.desc(),
    _columns.submitted_at,
    _columns.id,
    postgresql_where=unsigned_condition(),
    sqlite_where=unsigned_condition(),
)
# One index per sort of the list, ending in the tiebreaker id, so a page (and the keyset "next
# page" after a given row) is read in index order: newest/oldest (and the date range), status
# then newest, last name.
sa.Index("ix_submission_submitted", _columns.submitted_at, _columns.id)
sa.Index(
    "ix_submission_status_submitted",
    _columns.status,
    _columns.submitted_at.desc(),
    _columns.id.desc(),
)
sa.Index("ix_submission_last_name_folded", _columns.last_name_folded, _columns.id)
# Two filters the front desk combines (migration 0025): coverage and concern together, so their
# count is one index range rather than two indexes combined, and a page of them is in order.
sa.Index(
    "ix_submission_coverage_concern",
    _columns.coverage_type,
    _columns.primary_concern,
    _columns.submitted_at,
    _columns.id,
)
# Patient matching (migration 0020): the same folded last name and date of birth.
sa.Index("ix_submission_name_dob", _columns.last_name_folded, _columns.date_of_birth)
# The status sort in workflow order (migration 0016), and the worklist's filters, each ending in
# the list's default order (newest first) so a filtered page is one index range.
sa.Index(
    "ix_submission_status_rank",
    _columns.status_rank,
    _columns.submitted_at.desc(),
    _columns.id.desc(),
)
sa.Index("ix_submission_phq9_total", _columns.phq9_total, _columns.submitted_at, _columns.id)
sa.Index("ix_submission_top_flag", _columns.top_flag, _columns.submitted_at, _columns.id)
sa.Index(
    "ix_submission_review_decision",
    _columns.review_decision,
    _columns.submitted_at,
    _columns.id,
)
sa.Index("ix_submission_assigned_to", _columns.assigned_to_id, _columns.submitted_at, _columns.id)
sa.Index(
    "ix_submission_payer_prefix",
    _columns.payer_folded,
    postgresql_ops={"payer_folded": "varchar_pattern_ops"},
)


class SubmissionPathway(Model):
    """One pathway code of a submission's evaluation: the queue's pathway filter reads this.

    Written with its submission (``new_submission``, and the seeder's bulk inserts) from
    ``pathway_codes(evaluation)``, and never changed, like the evaluation. ``submitted_at`` is
    the submission's own (which never changes either), so the index on
    ``(code, submitted_at, submission_id)`` gives a pathway's submissions newest (or oldest)
    first without reading the others: the queue's default sort, filtered on a pathway.
    """

    __tablename__ = "submission_pathway"

    submission_id: Mapped[int] = mapped_column(
        sa.ForeignKey("submission.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        sa.Index("ix_submission_pathway_code", "code", "submitted_at", "submission_id"),
    )


def pathway_codes(evaluation: dict[str, Any] | None) -> list[str]:
    """The pathway codes of an evaluation, in its order, each once: its ``submission_pathway``
    rows."""
    codes = (p.get("code") for p in (evaluation or {}).get("pathways") or [])
    return list(dict.fromkeys(code for code in codes if code))


ACUTE_FLAG = "suicide_risk_acute"


def is_acute(evaluation: dict[str, Any]) -> bool:
    """Acute suicide risk: crisis support now, ahead of every other urgent submission."""
    return any(flag["code"] == ACUTE_FLAG for flag in evaluation["flags"])


def is_urgent(evaluation: dict[str, Any]) -> bool:
    """A submission is urgent when any flag of its evaluation is at the urgent level."""
    return any(flag["level"] == "urgent" for flag in evaluation["flags"])


def row_values(answers: dict[str, Any], evaluation: dict[str, Any]) -> dict[str, Any]:
    """The columns a submission stores for validated answers and their evaluation.

    The one place the indexed copies (folded last name, date of birth, concern, coverage,
    urgent) and the ruleset version and hash are taken out of the documents, so the submit
    service, the demo seeder and the test factory cannot drift apart; the pathway rows come
    from ``pathway_codes`` (``new_submission`` adds both). ``answers`` must come from
    ``parse_answers`` and ``evaluation`` from ``rules.evaluate`` on them; the caller adds what
    is not in the documents (reference, status, source, timestamps). Only columns of
    ``submission``, so a bulk insert can take the dict as it is.
    """
    patient = answers.get("patient") or answers["contact"]  # a partial's "contact" (0014)
    return {
        "answers": answers,
        "evaluation": evaluation,
        "urgent": is_urgent(evaluation),
        "acute": is_acute(evaluation),
        "ruleset_version": evaluation["ruleset"]["version"],
        "ruleset_sha256": evaluation["ruleset"]["sha256"],
        "last_name": patient["last_name"],
        "last_name_folded": fold_name(patient["last_name"]),
        "date_of_birth": date.fromisoformat(patient["date_of_birth"]),
        # A partial submission may not have answered these steps yet: no value, not a guess.
        "primary_concern": (answers.get("concerns") or {}).get("primary"),
        "coverage_type": (answers.get("insurance") or {}).get("coverage_type"),
        **worklist_values(answers, evaluation),
        "email_folded": fold_email(patient.get("email")),
        "phone_digits": phone_digits(patient.get("phone")),
    }


def worklist_values(answers: dict[str, Any], evaluation: dict[str, Any]) -> dict[str, Any]:
    """The worklist's copies of the documents (``phq9_total``, ``top_flag``, ``payer_folded``):
    part of ``row_values``, and what migration 0016 fills in for the rows stored before it."""
    phq9 = (evaluation.get("scores") or {}).get("phq9") or {}
    flags = evaluation.get("flags") or []
    payer = ((answers.get("insurance") or {}).get("payer_name") or "").strip()
    return {
        "phq9_total": phq9.get("total"),
        "top_flag": flags[0].get("code") if flags else None,
        "payer_folded": fold_name(payer)[:120] if payer else None,
    }


def new_submission(
    answers: dict[str, Any], evaluation: dict[str, Any], **columns: Any
) -> Submission:
    """A new, unsaved submission: ``row_values``, its ``submission_pathway`` rows and
    ``columns`` (reference, status, times, ...). The submit service and the test factory build
    every submission here; the seeder inserts the same values in bulk."""
    submitted_at = columns.setdefault("submitted_at", utcnow())
    return Submission(
        **row_values(answers, evaluation),
        pathway_rows=[
            SubmissionPathway(code=code, submitted_at=submitted_at)
            for code in pathway_codes(evaluation)
        ],
        **columns,
    )
