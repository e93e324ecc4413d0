"""Clinic outcomes (issue 16, item 7): how the clinic's courses of care are going, in figures.

The dashboard and the de-identified CSV are aggregates computed by the database over stored
columns, never by evaluating every course here: at 10,000 courses and 200,000 check-ins a page
that ran the outcome rules per course would take seconds (docs/operations.md has the figure).
The figures follow the course service's own rules (``intake.services.courses``), column for
column, and a test checks them against ``courses.outcome(course)`` for a table of courses:

- a course's **baseline PHQ-9** is its completed baseline check-in's total, else the intake's
  total (``submission.phq9_total``);
- its **latest** check-in is its last completed check-in after the baseline (in the order they
  were completed; ties by id), and its **outcome** that check-in's status as stored when the
  patient sent it (with the outcome ruleset's stamp, ``checkin.outcome_version``);
- a course has a **measured outcome** when it has a latest check-in and its baseline PHQ-9 is 5
  or more (under 5 the outcome rules say ``not_applicable``: nothing to respond from);
- a **responder** is a measured course whose outcome is response or remission (remission is a
  response too: PHQ-9 under 5 from a baseline of 5 or more); a **remitter** one in remission.
  The rates are over the measured courses (docs/clinician.md, "Clinic outcomes").

Which courses: those *started* in the chosen range of days (a cohort), whatever happened since.

The CSV (:func:`registry_rows`) is a registry-style table by course kind and start quarter or
month with CMS's cell-size rule applied: any count from 1 to 10 is written ``<11``, and a rate or
median worked out from a suppressed count is suppressed with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa

from intake.extensions import db
from intake.models import CheckIn, Course, Submission
from intake.vocabulary import COURSE_KINDS, codes

#: The outcome statuses that count as a response (remission is a response too).
RESPONSE_STATUSES = ("response", "remission")
#: Under this baseline PHQ-9 a course has no measurable outcome (``not_applicable``).
MEASURABLE_FROM = 5
#: CMS cell-size rule: a count from 1 to this is not shown.
SUPPRESS_UP_TO = 10
SUPPRESSED = "<11"
PERIODS = ("quarter", "month")

REGISTRY_COLUMNS = (
    "course_kind",
    "start_period",
    "courses",
    "completed",
    "outcome_measured",
    "responders",
    "remitters",
    "response_rate_percent",
    "remission_rate_percent",
    "median_baseline_phq9",
    "median_latest_phq9",
)


@dataclass(frozen=True)
class Cohort:
    """Which courses: started from ``start_from`` to ``start_to`` (each inclusive, or open)."""

    start_from: date | None = None
    start_to: date | None = None


@dataclass
class Figures:
    """The aggregates of one group of courses (a course kind, a kind × period, or all)."""

    courses: int = 0
    active: int = 0
    completed: int = 0
    stopped_early: int = 0
    transferred: int = 0
    measured: int = 0
    responders: int = 0
    remitters: int = 0
    median_change_points: float | None = None
    median_change_percent: float | None = None
    median_baseline: float | None = None
    median_latest: float | None = None

    @property
    def response_rate(self) -> float | None:
        return 100 * self.responders / self.measured if self.measured else None

    @property
    def remission_rate(self) -> float | None:
        return 100 * self.remitters / self.measured if self.measured else None


@dataclass
class Dashboard:
    """The dashboard's figures: by course kind (every kind, in the vocabulary's order) and all."""

    by_kind: dict[str, Figures] = field(default_factory=dict)
    total: Figures = field(default_factory=Figures)
    #: The outcome ruleset versions that stamped the latest check-ins counted.
    outcome_versions: list[str] = field(default_factory=list)


# The per-course table -----------------------------------------------------------------------------


def _per_course(cohort: Cohort, period: str | None = None) -> sa.CTE:
    """One row per course of the cohort: kind, status, baseline and latest PHQ-9, outcome.

    The baseline and the latest check-in are each found by a correlated lookup on the
    check-in index (``ix_checkin_course_completed``), one index probe per course.
    """
    baseline_checkin = (
        sa.select(CheckIn.phq9_total)
        .where(
            CheckIn.course_id == Course.id,
            CheckIn.kind == "baseline",
            CheckIn.completed_at.is_not(None),
            CheckIn.phq9_total.is_not(None),
        )
        .order_by(CheckIn.due_on, CheckIn.id)
        .limit(1)
        .correlate(Course)
        .scalar_subquery()
    )
    latest_id = (
        sa.select(CheckIn.id)
        .where(
            CheckIn.course_id == Course.id,
            CheckIn.kind != "baseline",
            CheckIn.completed_at.is_not(None),
            CheckIn.phq9_total.is_not(None),
        )
        .order_by(CheckIn.completed_at.desc(), CheckIn.id.desc())
        .limit(1)
        .correlate(Course)
        .scalar_subquery()
    )
    columns: list[Any] = [
        Course.id.label("course_id"),
        Course.kind.label("kind"),
        Course.status.label("course_status"),
        sa.func.coalesce(baseline_checkin, Submission.phq9_total).label("baseline"),
        latest_id.label("latest_id"),
    ]
    if period is not None:
        year = sa.cast(sa.extract("year", Course.start_date), sa.Integer)
        month = sa.cast(sa.extract("month", Course.start_date), sa.Integer)
        part = (month - 1) // 3 + 1 if period == "quarter" else month
        columns.append((year * 100 + part).label("period"))
    query = sa.select(*columns).join(Submission, Submission.id == Course.submission_id)
    if cohort.start_from is not None:
        query = query.where(Course.start_date >= cohort.start_from)
    if cohort.start_to is not None:
        query = query.where(Course.start_date <= cohort.start_to)
    courses = query.cte("per_course")
    latest = sa.orm.aliased(CheckIn, name="latest")
    measured = sa.and_(courses.c.latest_id.is_not(None), courses.c.baseline >= MEASURABLE_FROM)
    outcome = sa.select(
        *courses.c,
        latest.phq9_total.label("latest"),
        latest.status.label("outcome"),
        latest.outcome_version.label("outcome_version"),
        sa.case((measured, 1), else_=0).label("measured"),
        (latest.phq9_total - courses.c.baseline).label("change_points"),
        sa.case(
            (measured, 100.0 * (latest.phq9_total - courses.c.baseline) / courses.c.baseline),
            else_=None,
        ).label("change_percent"),
    ).outerjoin(latest, latest.id == courses.c.latest_id)
    return outcome.cte("course_outcome")


def _median(
    rows: sa.CTE, value: sa.ColumnElement[Any], keys: Sequence[sa.ColumnElement[Any]], where: Any
) -> sa.Subquery:
    """The median of ``value`` per ``keys`` over the rows ``where`` holds (NULLs left out).

    Portable SQL (SQLite has no ``percentile_cont``): rank the values in each group, then
    average the middle one or two ranks.
    """
    ranked = (
        sa.select(
            *keys,
            value.label("value"),
            sa.func.row_number().over(partition_by=list(keys), order_by=value).label("rank"),
            sa.func.count().over(partition_by=list(keys)).label("n"),
        )
        .where(where, value.is_not(None))
        .subquery()
    )
    group = [ranked.c[key.name] for key in keys]
    return (
        sa.select(*group, sa.func.avg(ranked.c.value).label("median"))
        .where(ranked.c.rank.in_([(ranked.c.n + 1) // 2, (ranked.c.n + 2) // 2]))
        .group_by(*group)
        .subquery()
    )


def _aggregate(rows: sa.CTE, keys: Sequence[str]) -> list[tuple[tuple[Any, ...], Figures]]:
    """The figures per group of ``keys`` (no keys: one group of everything), in one statement."""
    key_columns = [rows.c[name] for name in keys]

    def count_where(condition: Any) -> Any:
        return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)

    measured = rows.c.measured == 1
    counts = sa.select(
        *key_columns,
        sa.func.count().label("courses"),
        *(
            count_where(rows.c.course_status == status).label(status)
            for status in ("active", "completed", "stopped_early", "transferred")
        ),
        count_where(measured).label("measured"),
        count_where(sa.and_(measured, rows.c.outcome.in_(RESPONSE_STATUSES))).label("responders"),
        count_where(sa.and_(measured, rows.c.outcome == "remission")).label("remitters"),
    )
    if key_columns:
        counts = counts.group_by(*key_columns)
    counted = counts.subquery()
    medians = {
        "median_change_points": _median(rows, rows.c.change_points, key_columns, measured),
        "median_change_percent": _median(rows, rows.c.change_percent, key_columns, measured),
        "median_baseline": _median(rows, rows.c.baseline, key_columns, sa.true()),
        "median_latest": _median(rows, rows.c.latest, key_columns, measured),
    }
    query = sa.select(
        *(counted.c[name] for name in keys),
        *(c for c in counted.c if c.name not in keys),
        *(m.c.median.label(name) for name, m in medians.items()),
    ).select_from(counted)
    for m in medians.values():
        on = sa.and_(sa.true(), *(m.c[name] == counted.c[name] for name in keys))
        query = query.outerjoin(m, on)
    result = []
    for row in db.session.execute(query).mappings():
        if not row["courses"]:
            continue
        figures = Figures(
            courses=int(row["courses"]),
            active=int(row["active"]),
            completed=int(row["completed"]),
            stopped_early=int(row["stopped_early"]),
            transferred=int(row["transferred"]),
            measured=int(row["measured"]),
            responders=int(row["responders"]),
            remitters=int(row["remitters"]),
            median_change_points=_number(row["median_change_points"]),
            median_change_percent=_number(row["median_change_percent"]),
            median_baseline=_number(row["median_baseline"]),
            median_latest=_number(row["median_latest"]),
        )
        result.append((tuple(row[name] for name in keys), figures))
    return result


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


# The dashboard ------------------------------------------------------------------------------------


def dashboard(cohort: Cohort) -> Dashboard:
    """The dashboard's figures for the courses started in ``cohort``'s range."""
    rows = _per_course(cohort)
    result = Dashboard(by_kind={kind: Figures() for kind in codes(COURSE_KINDS)})
    for (kind,), figures in _aggregate(rows, ["kind"]):
        result.by_kind[kind] = figures
    for _, figures in _aggregate(rows, []):
        result.total = figures
    versions = sa.select(rows.c.outcome_version).where(rows.c.measured == 1).distinct()
    result.outcome_versions = sorted(v for v in db.session.scalars(versions) if v)
    return result


def course_outcomes(cohort: Cohort) -> list[dict[str, Any]]:
    """Each course's row as the aggregates see it (the agreement test reads these)."""
    rows = _per_course(cohort)
    query = sa.select(
        rows.c.course_id, rows.c.baseline, rows.c.latest, rows.c.outcome, rows.c.measured
    ).order_by(rows.c.course_id)
    return [dict(row) for row in db.session.execute(query).mappings()]


# The de-identified registry CSV -------------------------------------------------------------------


def suppress(count: int) -> str:
    """A count under CMS's cell-size rule: 1 to 10 is ``<11``; 0 and 11 or more are shown."""
    return SUPPRESSED if 1 <= count <= SUPPRESS_UP_TO else str(count)


def is_suppressed(count: int) -> bool:
    return 1 <= count <= SUPPRESS_UP_TO


def _rate(numerator: int, denominator: int) -> str:
    """A percentage, blank with no denominator, suppressed when either count is."""
    if denominator == 0:
        return ""
    if is_suppressed(numerator) or is_suppressed(denominator):
        return SUPPRESSED
    return f"{100 * numerator / denominator:.1f}"


def _median_cell(median: float | None, count: int) -> str:
    """A median over ``count`` courses: blank with none, suppressed when the count is."""
    if median is None or count == 0:
        return ""
    if is_suppressed(count):
        return SUPPRESSED
    return f"{median:g}"


def period_label(period: int, by: str) -> str:
    """``202604`` → ``2026-Q4`` (by quarter) or ``202611`` → ``2026-11`` (by month)."""
    year, part = divmod(period, 100)
    return f"{year}-Q{part}" if by == "quarter" else f"{year}-{part:02d}"


def registry_rows(cohort: Cohort, by: str = "quarter") -> list[list[str]]:
    """The CSV's rows (``REGISTRY_COLUMNS``): course kind × start quarter or month, suppressed.

    Only kind and period identify a row; there is no name, date of birth, exact day, free
    text or record id anywhere in it.
    """
    if by not in PERIODS:
        raise ValueError(f"period must be one of {PERIODS}")
    rows = _per_course(cohort, period=by)
    order = {kind: i for i, kind in enumerate(codes(COURSE_KINDS))}
    groups = sorted(
        _aggregate(rows, ["kind", "period"]), key=lambda g: (order.get(g[0][0], 99), g[0][1])
    )
    out = []
    for (kind, period), f in groups:
        out.append(
            [
                kind,
                period_label(int(period), by),
                suppress(f.courses),
                suppress(f.completed),
                suppress(f.measured),
                suppress(f.responders),
                suppress(f.remitters),
                _rate(f.responders, f.measured),
                _rate(f.remitters, f.measured),
                _median_cell(f.median_baseline, f.courses),
                _median_cell(f.median_latest, f.measured),
            ]
        )
    return out
