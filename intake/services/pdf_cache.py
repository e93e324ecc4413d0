"""PDFs made once per version of what they show, so a download is a file send (issue 13).

Rendering a PDF takes WeasyPrint between a few hundred milliseconds and a second of CPU: done in
a web worker, two clicks stalled every other user. Instead the job worker renders it
(``intake.worker``'s ``render_pdf`` task, enqueued when the page that links to the PDF is
opened or when the PDF is asked for; ``intake.pdf_jobs``) and stores the bytes under a **key**
naming everything the PDF shows; the download sends the stored bytes when the key matches and
otherwise asks the worker and says "being prepared".

Three kinds (``models.rendered_pdf.PDF_KINDS``), each with its own key and its own row, so one
never evicts another's bytes (:func:`keep`):

- ``summary`` (the clinician summary): :func:`summary_key`.
- ``prior_auth`` (the front desk's prior-authorization packet): :func:`prior_auth_key`.
- ``course_report`` (a course's end-of-course report): :func:`course_report_key`.

Every key is a SHA-256 of its kind's name, the kind's **layout** (the files it is drawn from:
templates, stylesheets and the modules that word it, read when the process starts), and the versions
of the records it prints. A record kept append-only is named by its newest id; a record edited
in place by its ``version`` counter (SQLAlchemy's, moved on by every change).
"""

from __future__ import annotations

import hashlib
from dataclasses import astuple, dataclass
from functools import cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from intake.extensions import db
from intake.models import (
    Acknowledgement,
    ClinicianReview,
    ContactAttempt,
    Course,
    RenderedPdf,
    RiskAssessment,
    Submission,
    User,
)
from intake.rules import RULESET
from intake.rules.outcomes import default_outcome_rules
from intake.services import settings
from intake.services.insurance import verification_of
from intake.services.reviews import reviews_of

SUMMARY = "summary"
PRIOR_AUTH = "prior_auth"
COURSE_REPORT = "course_report"

_PACKAGE = Path(__file__).resolve().parents[1]
#: The files each PDF is drawn from (a change to any of them is a new layout), relative to the
#: ``intake`` package, with the module that draws each (it names the stylesheets). The packet
#: and the report name the Python modules that word them too (the vocabulary's labels, the CPT
#: units, the course's status words, how a sentence ends): a deploy that changes those renders
#: them again.
LAYOUTS: dict[str, tuple[str, ...]] = {
    SUMMARY: (
        "templates/clinician/*.html",
        "templates/summary/*.html",
        "templates/macros/*.html",
        "static/css/*.css",
        "clinician/summary_pdf.py",
        # What the summary's content is built and worded from (its tables, the labels).
        "clinician/context.py",
        "services/summary.py",
        "vocabulary.py",
        "pages.py",
        # How a note or a status is ended (the |sentence and |full_stop filters).
        "sentences.py",
    ),
    PRIOR_AUTH: (
        "templates/staff/*prior_auth*.html",
        "templates/summary/*.html",
        "templates/clinician/_safety_table.html",
        "static/css/*.css",
        "staff/prior_auth_pdf.py",
        "services/prior_auth.py",
        "services/summary.py",
        "billing.py",
        "vocabulary.py",
        "pages.py",
        # How a note or a status is ended (the |sentence and |full_stop filters).
        "sentences.py",
    ),
    COURSE_REPORT: (
        "templates/clinician/*course*.html",
        "static/css/*.css",
        "clinician/course_pdf.py",
        "clinician/course_context.py",
        "course_chart.py",
        "services/courses.py",
        "vocabulary.py",
        "pages.py",
        # How a note or a status is ended (the |sentence and |full_stop filters).
        "sentences.py",
    ),
}


@dataclass(frozen=True)
class PdfTarget:
    """Which PDF: its kind, the submission it belongs to and, for a course report, the course.

    One ``rendered_pdf`` row is kept per target (the newest key's)."""

    kind: str
    submission_id: int
    course_id: int | None = None

    @classmethod
    def summary(cls, submission: Submission) -> PdfTarget:
        return cls(SUMMARY, submission.id)

    @classmethod
    def prior_auth(cls, submission: Submission) -> PdfTarget:
        return cls(PRIOR_AUTH, submission.id)

    @classmethod
    def course_report(cls, course: Course) -> PdfTarget:
        return cls(COURSE_REPORT, course.submission_id, course.id)


def layout_hash(kind: str, package: Path = _PACKAGE) -> str:
    """A hash of the files ``kind``'s PDF is drawn from, as they are in ``package`` now."""
    digest = hashlib.sha256()
    for pattern in LAYOUTS[kind]:
        for path in sorted(package.glob(pattern)):
            digest.update(path.relative_to(package).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


#: The files that say how a PDF is keyed, loaded and asked for (relative to ``intake``): with
#: a kind's layout, what a web process and a job worker must share for the key the one waits
#: for to be the key the other stores under (:func:`render_version`).
RECIPE: tuple[str, ...] = ("services/pdf_cache.py", "pdf_jobs.py")


def recipe_hash(package: Path = _PACKAGE) -> str:
    """A hash of :data:`RECIPE`'s files, as they are in ``package`` now."""
    digest = hashlib.sha256()
    for name in RECIPE:
        digest.update(name.encode())
        digest.update((package / name).read_bytes())
    return digest.hexdigest()


#: Each kind's layout and the recipe, hashed when this module is imported (process start),
#: not when first asked for. Read lazily, a process that had imported the older Python
#: modules (the vocabulary's labels, ``pdf_jobs``) and first keyed a PDF after a deploy
#: replaced the files hashed the newer ones: it stored the older modules' PDF under the newer
#: layout's key, which the restarted processes then sent as current. Hashed at import, a
#: process keys what it was started with. (Templates and stylesheets are still read on first
#: use: one first drawn after such a deploy is stored under the older key, which only the
#: processes not yet restarted look for; docs/operations.md, "Deploys".)
LAYOUT_VERSIONS: dict[str, str] = {kind: layout_hash(kind) for kind in LAYOUTS}
RECIPE_VERSION: str = recipe_hash()


def layout_version(kind: str) -> str:
    """The hash of the files ``kind``'s PDF is drawn from, as they were at import."""
    return LAYOUT_VERSIONS[kind]


def _recipe_version() -> str:
    return RECIPE_VERSION


def render_version(kind: str) -> str:
    """What a web process sends with every render it asks for (``pdf_jobs``): ``kind``'s layout
    and the code that keys it. A job worker whose own differs runs other code (a deploy under
    way, a worker not restarted) and would draw another layout or store under another key than
    the one the web process waits for: it refuses, and the web process renders the PDF itself.
    Not part of the key (a change to the recipe alone re-renders nothing).

    The rulesets the keys name (the screening ruleset's hash, the outcome rules' for a course
    report) are in it too: a deploy that changes only a rules file gives a worker not restarted
    other keys for the same records, and without them here it would store a PDF under a key the
    web process never looks for while that one waited (both are loaded at import)."""
    return _digest(
        (
            "render",
            kind,
            layout_version(kind),
            _recipe_version(),
            RULESET.sha256,
            default_outcome_rules().sha256,
        )
    )


def _digest(parts: tuple[object, ...]) -> str:
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()


def _newest(model: type) -> sa.ScalarSelect[int | None]:
    """The newest id of ``model``'s rows of the submission ``:submission_id`` (NULL if none)."""
    column = model.__table__.c  # type: ignore[attr-defined]
    return (
        sa.select(sa.func.max(column.id))
        .where(column.submission_id == sa.bindparam("submission_id"))
        .scalar_subquery()
    )


@cache
def _records_statements() -> tuple[sa.Select[Any], sa.Select[Any]]:
    """The statement of ``_summary_records`` without and with a patient record, built once per
    process (an expression is immutable; its values are bound on each call)."""
    completing = aliased(Submission)
    figures = (
        sa.select(completing.id)
        .where(completing.completes_id == sa.bindparam("submission_id"))
        .correlate(None)
        .scalar_subquery(),
        *(
            _newest(model)
            for model in (ClinicianReview, ContactAttempt, RiskAssessment, Acknowledgement)
        ),
    )
    with_record = (
        sa.select(*figures, Submission.id)
        .where(Submission.patient_id == sa.bindparam("patient_id"))
        .order_by(Submission.id)
    )
    return sa.select(*figures), with_record


def _summary_records(submission: Submission) -> tuple[tuple[int, ...], tuple[object, ...]]:
    """What the summary's key names of the records around ``submission``, in one statement:
    the full submission completing it, the newest review, contact attempt, risk assessment and
    acknowledgement (each 0 when there is none), and every intake of its patient record by id
    (a link and an undo can leave the same number of intakes and the same newest one: only the
    whole list names the set). Each was a statement of its own, six a view (issue 13)."""
    alone, with_record = _records_statements()
    patient_id = submission.patient_id
    values = {"submission_id": submission.id, "patient_id": patient_id}
    rows = db.session.execute(with_record, values).all() if patient_id is not None else []
    found = rows[0][:-1] if rows else db.session.execute(alone, values).one()
    numbers = tuple(int(value or 0) for value in found)
    if patient_id is None:
        return numbers, (None,)
    return numbers, (patient_id, ",".join(str(row[-1]) for row in rows))


def summary_key(submission: Submission) -> str:
    """The key of the summary PDF ``submission`` would get if it were rendered now: the
    submission's ``version`` (every workflow edit bumps it), the newest review, contact attempt,
    risk assessment and acknowledgement, the full submission completing a partial one, the
    patient record's intakes, the ruleset a summary compares with, and the clinic settings it
    prints with (time zone, paper). One statement for the records (``_summary_records``) and
    one for the paper setting (the time zone is the request's clinic profile); no document is
    read."""
    (completed_by, review, contact, assessment, acknowledgement), record = _summary_records(
        submission
    )
    return _digest(
        (
            "summary-pdf/1",
            layout_version(SUMMARY),
            submission.id,
            submission.version,
            review,
            contact,
            assessment,
            acknowledgement,
            completed_by,
            # The same patient's other intakes, listed on the summary (a confirmed match).
            *record,
            RULESET.sha256,
            settings.clinic_profile().time_zone,
            settings.get_setting(settings.PDF_PAPER),
        )
    )


def prior_auth_key(submission: Submission) -> str:
    """The key of the prior-authorization packet's PDF as it would be rendered now.

    What the packet prints (``services.prior_auth.build_packet``): the submission's answers and
    evaluation (its ``version``), the latest review (diagnosis, planned course, its day) and its
    clinician's name, e-mail and NPI (an admin sets the NPI; the packet lists it as missing
    until then), the insurance checklist with the request's status (its ``version``), the
    clinic's billing profile (legal name, address, TIN, group NPI), the ruleset the summary
    tables are built with and the clinic's time zone (its dates). Always Letter paper: the
    clinic's paper setting is not on it.
    """
    reviews = reviews_of(submission)
    review = reviews[0] if reviews else None
    psychiatrist = (
        db.session.get(User, review.clinician_id) if review and review.clinician_id else None
    )
    record = verification_of(submission)
    return _digest(
        (
            "prior-auth-pdf/1",
            layout_version(PRIOR_AUTH),
            submission.id,
            submission.version,
            review.id if review else 0,
            *(
                (psychiatrist.id, psychiatrist.full_name, psychiatrist.email, psychiatrist.npi)
                if psychiatrist
                else (None,)
            ),
            *((record.id, record.version) if record else (None,)),
            *astuple(settings.billing_profile()),
            RULESET.sha256,
            # The zone its dates are written in (``|local_date``: the request's clinic profile,
            # as the summary's and report's keys read it), not a fresh read of the setting: in
            # a process whose kept profile is seconds older than a change, that would key a
            # packet dated in the old zone as the new zone's.
            settings.clinic_profile().time_zone,
        )
    )


def course_report_key(course: Course) -> str:
    """The key of the course's end-of-course report PDF as it would be rendered now.

    What the report prints (``clinician.course_context``): the course (kind, dates, plan,
    status and ending: its ``version``, which a session recorded moves on too), the sessions
    delivered, the completed check-ins (answers, day, sessions by then; each by id and
    ``version``), who started it, the intake it started from (the patient's name and date of
    birth, the baseline when no baseline check-in was done: that submission's ``version``),
    the outcome ruleset it is evaluated with, and the clinic's time zone (the check-ins' days)
    and paper. Check-ins not answered yet are not on the report, so one falling due changes
    nothing.
    """
    sessions = course.sessions
    completed = sorted((c.id, c.version) for c in course.checkins if c.completed)
    return _digest(
        (
            "course-report-pdf/1",
            layout_version(COURSE_REPORT),
            course.id,
            course.version,
            len(sessions),
            max((s.id for s in sessions), default=0),
            ";".join(f"{cid}.{version}" for cid, version in completed),
            course.started_by.email,
            course.submission_id,
            course.submission.version,
            default_outcome_rules().sha256,
            # The request's clinic profile (the same stored value, read once per request: the
            # course's pages read it for the clinic's day already), not a statement of its own.
            settings.clinic_profile().time_zone,
            settings.get_setting(settings.PDF_PAPER),
        )
    )


def stored(key: str) -> RenderedPdf | None:
    """The PDF rendered for ``key``, if it has been made (its bytes loaded: a download)."""
    return db.session.scalar(sa.select(RenderedPdf).where(RenderedPdf.key == key))


def is_stored(key: str) -> bool:
    """Whether the PDF for ``key`` has been made, without loading its bytes (a page asking the
    worker for it, the worker before rendering)."""
    found = db.session.scalar(sa.select(RenderedPdf.id).where(RenderedPdf.key == key))
    return found is not None


def keep(target: PdfTarget, key: str, content: bytes, render_ms: int) -> RenderedPdf:
    """Store a rendered PDF and drop the older ones of the same target (the caller commits):
    a packet stored never drops the summary, nor one course's report another's.

    Two workers rendering the same version at once both reach here; the unique key lets one
    row stand (the caller treats the other's ``IntegrityError`` as done)."""
    same_course = (
        RenderedPdf.course_id.is_(None)
        if target.course_id is None
        else RenderedPdf.course_id == target.course_id
    )
    db.session.execute(
        sa.delete(RenderedPdf).where(
            RenderedPdf.submission_id == target.submission_id,
            RenderedPdf.kind == target.kind,
            same_course,
            RenderedPdf.key != key,
        )
    )
    row = RenderedPdf(
        submission_id=target.submission_id,
        kind=target.kind,
        course_id=target.course_id,
        key=key,
        content=content,
        render_ms=render_ms,
    )
    db.session.add(row)
    db.session.flush()
    return row
