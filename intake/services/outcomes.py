"""Clinic outcomes (issue 16, item 7): how the clinic's courses of care are going, in figures.

The dashboard and the de-identified CSV are aggregates computed by the database over stored
columns, never by evaluating every course here: at 10,000 courses and 200,000 check-ins a page
that ran the outcome rules per course would load every check-in's answers and run the rules
10,000 times; this is one statement (docs/operations.md, "Clinic outcomes at 10,000 courses").
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
month with CMS's cell-size rule applied: any count from 1 to 10 is written ``<11``, a rate or
median worked out from a suppressed count is suppressed with it, and by month a kind's quarter
with any such count hides all its counts (``suppressed``: complementary suppression).
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa

from intake.extensions import db
from intake.models import CheckIn, Course, Submission
from intake.vocabulary import COURSE_KINDS, codes

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

    def whole_quarters(self) -> Cohort:
        """The cohort widened to whole calendar quarters. The de-identified CSV takes only
        these, by quarter and by month alike: two exports whose days (or months) differ would
        otherwise isolate one course's row, or a suppressed month could be read off its
        quarter's total less the months around it (differencing)."""
        start = None
        if self.start_from is not None:
            first_month = 3 * ((self.start_from.month - 1) // 3) + 1
            start = date(self.start_from.year, first_month, 1)
        end = None
        if self.start_to is not None:
            last_month = 3 * ((self.start_to.month - 1) // 3) + 3
            last_day = calendar.monthrange(self.start_to.year, last_month)[1]
            end = date(self.start_to.year, last_month, last_day)
        return Cohort(start_from=start, start_to=end)


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


# The per-course table -----------------------------------------------------------------------------


def _latest(*columns: Any) -> Any:
    """``columns`` of the course's latest completed check-in after the baseline.

    Found through the partial index ``ix_checkin_latest`` (course, completed_at, id; read
    backwards, holding the columns read), in the course service's order (completed first to
    last, ties by id). Correlated with the course: a subquery for the caller to make a scalar
    (SQLite, one column at a time; the same order, so always the same check-in) or a LATERAL
    join (PostgreSQL, both columns in one probe).
    """
    return (
        sa.select(*columns)
        .where(
            CheckIn.course_id == Course.id,
            CheckIn.kind != "baseline",
            CheckIn.completed_at.is_not(None),
            CheckIn.phq9_total.is_not(None),
        )
        .order_by(CheckIn.completed_at.desc(), CheckIn.id.desc())
        .limit(1)
        .correlate(Course)
    )


def _per_course(cohort: Cohort, period: str | None = None) -> sa.CTE:
    """One row per course of the cohort: kind, status, baseline and latest PHQ-9, outcome.

    The baseline is found through ``ix_checkin_baseline``, the latest check-in's PHQ-9 and
    status through ``ix_checkin_latest``: index-only probes per course, no scan of the
    check-ins.
    """
    postgresql = db.session.get_bind().dialect.name == "postgresql"
    baseline_checkin = (
        sa.select(CheckIn.phq9_total)
        .where(
            CheckIn.course_id == Course.id,
            CheckIn.kind == "baseline",
            CheckIn.completed_at.is_not(None),
            CheckIn.phq9_total.is_not(None),
        )
        # (course, kind, due day) is unique: the due day alone orders the baselines as the
        # service's (due day, id) does, and the index gives that order without a sort.
        .order_by(CheckIn.due_on)
        .limit(1)
        .correlate(Course)
        .scalar_subquery()
    )
    intake_phq9 = (
        sa.select(Submission.phq9_total)
        .where(Submission.id == Course.submission_id)
        .correlate(Course)
        .scalar_subquery()
    )
    columns: list[Any] = [
        Course.id.label("course_id"),
        Course.kind.label("kind"),
        Course.status.label("course_status"),
        # The intake's PHQ-9 is looked up only for a course without a baseline check-in
        # (COALESCE stops at its first value that is not NULL).
        sa.func.coalesce(baseline_checkin, intake_phq9).label("baseline"),
    ]
    if postgresql:
        latest = _latest(
            CheckIn.phq9_total.label("latest"), CheckIn.status.label("outcome")
        ).lateral("latest_checkin")
        columns += [latest.c.latest, latest.c.outcome]
    else:
        columns += [
            _latest(CheckIn.phq9_total).scalar_subquery().label("latest"),
            _latest(CheckIn.status).scalar_subquery().label("outcome"),
        ]
    if period is not None:
        year = sa.cast(sa.extract("year", Course.start_date), sa.Integer)
        month = sa.cast(sa.extract("month", Course.start_date), sa.Integer)
        part = (month - 1) // 3 + 1 if period == "quarter" else month
        columns.append((year * 100 + part).label("period"))
    query = sa.select(*columns).select_from(Course)
    if postgresql:
        query = query.outerjoin(latest, sa.true())
    if cohort.start_from is not None:
        query = query.where(Course.start_date >= cohort.start_from)
    if cohort.start_to is not None:
        query = query.where(Course.start_date <= cohort.start_to)
    # Materialized (PostgreSQL 12+ would inline a CTE used once): each course's lookups then
    # run once, not once per use of ``baseline`` and ``latest`` below.
    courses = query.cte("per_course").prefix_with("MATERIALIZED", dialect="postgresql")
    measured = sa.and_(courses.c.latest.is_not(None), courses.c.baseline >= MEASURABLE_FROM)
    outcome = sa.select(
        *courses.c,
        sa.case((measured, 1), else_=0).label("measured"),
        (courses.c.latest - courses.c.baseline).label("change_points"),
        sa.case(
            (measured, 100.0 * (courses.c.latest - courses.c.baseline) / courses.c.baseline),
            else_=None,
        ).label("change_percent"),
    )
    return outcome.cte("course_outcome")


def _median(
    rows: sa.CTE, value: sa.ColumnElement[Any], keys: Sequence[sa.ColumnElement[Any]], where: Any
) -> sa.Subquery:
    """The median of ``value`` per ``keys`` over the rows ``where`` holds (NULLs left out).

    Portable SQL (SQLite has no ``percentile_cont``), and cheap: the values are PHQ-9 totals
    and changes, a few dozen distinct ones, so the rows are first counted by value (a
    histogram), and the running count over the histogram finds the middle one or two ranks.
    """
    group = [rows.c[key.name] for key in keys]
    histogram = (
        sa.select(*group, value.label("value"), sa.func.count().label("n"))
        .where(where, value.is_not(None))
        .group_by(*group, value)
        .subquery()
    )
    parts = [histogram.c[key.name] for key in keys]
    running = sa.select(
        *parts,
        histogram.c.value,
        sa.cast(
            sa.func.sum(histogram.c.n).over(partition_by=parts, order_by=histogram.c.value),
            sa.Integer,
        ).label("upto"),
        sa.cast(sa.func.sum(histogram.c.n).over(partition_by=parts), sa.Integer).label("total"),
    ).subquery()
    low = sa.func.min(
        sa.case((running.c.upto >= (running.c.total + 1) // 2, running.c.value), else_=None)
    )
    high = sa.func.min(
        sa.case((running.c.upto >= (running.c.total + 2) // 2, running.c.value), else_=None)
    )
    out = [running.c[key.name] for key in keys]
    return sa.select(*out, ((low + high) / 2.0).label("median")).group_by(*out).subquery()


#: The group of every course together, in the portable query (not a course kind code).
ALL_KINDS = "*"


def _aggregate(
    rows: sa.CTE, keys: Sequence[str], *, with_total: bool = False
) -> list[tuple[tuple[Any, ...] | None, Figures]]:
    """The figures per group of ``keys``, and of all the rows (key ``None``) if asked, in one
    statement.

    PostgreSQL computes the medians with ``percentile_cont`` (an ordered-set aggregate, which
    leaves NULLs out: a course without a measured outcome has no change) and the total with
    ``ROLLUP``, in one pass. SQLite has neither: the medians come from ``_median``'s
    histograms and the total from every row counted again under ``ALL_KINDS``. The test suite
    runs both (``INTAKE_TEST_DATABASE_URL``).
    """
    postgresql = db.session.get_bind().dialect.name == "postgresql"
    if with_total and not postgresql:
        assert len(keys) == 1
        key = keys[0]
        rows = sa.union_all(
            sa.select(*rows.c),
            sa.select(
                *(
                    sa.literal(ALL_KINDS, sa.String()).label(key) if c.name == key else c
                    for c in rows.c
                )
            ),
        ).cte("grouped")
    key_columns = [rows.c[name] for name in keys]

    def count_where(condition: Any) -> Any:
        return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)

    measured = rows.c.measured == 1
    counts: list[Any] = [
        sa.func.count().label("courses"),
        *(
            count_where(rows.c.course_status == status).label(status)
            for status in ("active", "completed", "stopped_early", "transferred")
        ),
        count_where(measured).label("measured"),
        # Response is a fall of at least 50% (HEDIS), whatever the status: a remission from a
        # baseline of 5-9 can be a smaller fall (6 to 4 is 33%). 2 × latest <= baseline is
        # exactly "fell by at least 50%" in whole numbers.
        count_where(sa.and_(measured, rows.c.latest * 2 <= rows.c.baseline)).label("responders"),
        count_where(sa.and_(measured, rows.c.outcome == "remission")).label("remitters"),
    ]
    values = {
        "median_change_points": (rows.c.change_points, measured),
        "median_change_percent": (rows.c.change_percent, measured),
        "median_baseline": (rows.c.baseline, sa.true()),
        "median_latest": (rows.c.latest, measured),
    }
    if postgresql:
        query = sa.select(
            *key_columns,
            *counts,
            *(
                sa.func.percentile_cont(0.5)
                .within_group(sa.case((where, value), else_=None))
                .label(name)
                for name, (value, where) in values.items()
            ),
        ).group_by(*([sa.func.rollup(*key_columns)] if with_total else key_columns))
    else:
        counted = sa.select(*key_columns, *counts).group_by(*key_columns).subquery()
        medians = {
            name: _median(rows, value, key_columns, where)
            for name, (value, where) in values.items()
        }
        query = sa.select(
            *(counted.c[name] for name in keys),
            *(c for c in counted.c if c.name not in keys),
            *(m.c.median.label(name) for name, m in medians.items()),
        ).select_from(counted)
        for m in medians.values():
            query = query.outerjoin(
                m, sa.and_(sa.true(), *(m.c[name] == counted.c[name] for name in keys))
            )
    result: list[tuple[tuple[Any, ...] | None, Figures]] = []
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
        key_values = tuple(row[name] for name in keys)
        total = all(v is None for v in key_values) if postgresql else key_values == (ALL_KINDS,)
        result.append((None if with_total and total else key_values, figures))
    return result


def _without_jit() -> None:
    """Turn PostgreSQL's JIT compiler off for this transaction.

    Ten thousand index probes add up to a cost estimate over ``jit_above_cost``, so PostgreSQL
    would spend about 100 ms compiling a statement that runs in less (docs/operations.md,
    "Clinic outcomes"). ``SET LOCAL`` ends with the transaction: nothing else is changed.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.text("SET LOCAL jit = off"))


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


# The dashboard ------------------------------------------------------------------------------------


def dashboard(cohort: Cohort) -> Dashboard:
    """The dashboard's figures for the courses started in ``cohort``'s range: by kind and for
    all kinds, in one statement."""
    _without_jit()
    result = Dashboard(by_kind={kind: Figures() for kind in codes(COURSE_KINDS)})
    for key, figures in _aggregate(_per_course(cohort), ["kind"], with_total=True):
        if key is None:
            result.total = figures
        else:
            result.by_kind[key[0]] = figures
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
    return SUPPRESSED if is_suppressed(count) else str(count)


def is_suppressed(count: int) -> bool:
    return 1 <= count <= SUPPRESS_UP_TO


def complementary(months: Sequence[Sequence[int]]) -> bool:
    """Whether one course kind's quarter, by month, must be hidden whole: ``months`` holds each
    month's counts (a month without courses is all 0). When any count of any month is 1 to 10,
    the quarter's total (the CSV by quarter) less the months shown — or a column that cannot
    exceed another (``completed`` ≤ ``courses``) — could give it away, so every other non-zero
    count of that quarter's months is hidden too (complementary suppression): by month, such a
    quarter then shows no more than the CSV by quarter does."""
    return any(is_suppressed(count) for counts in months for count in counts)


def _rate(numerator: int, denominator: int, marks: tuple[str, ...]) -> str:
    """A percentage, blank with no denominator, hidden with the first of ``marks`` (the hidden
    counts it is worked out from: ``<11`` before ``suppressed``)."""
    if denominator == 0:
        return ""
    if marks:
        return min(marks, key=_MARK_ORDER.index)
    return f"{100 * numerator / denominator:.1f}"


def _median_cell(median: float | None, count: int, mark: str | None) -> str:
    """A median over ``count`` courses: blank with none, hidden with its count's mark."""
    if median is None or count == 0:
        return ""
    if mark is not None:
        return mark
    return f"{median:g}"


def period_label(period: int, by: str) -> str:
    """``202604`` → ``2026-Q4`` (by quarter) or ``202611`` → ``2026-11`` (by month)."""
    year, part = divmod(period, 100)
    return f"{year}-Q{part}" if by == "quarter" else f"{year}-{part:02d}"


#: The CSV's count columns, by the ``Figures`` field each shows.
COUNTS = ("courses", "completed", "measured", "responders", "remitters")
#: A count hidden only so that a small count beside it cannot be worked out (by month).
COMPLEMENTARY = "suppressed"
_MARK_ORDER = (SUPPRESSED, COMPLEMENTARY)


def _marks(groups: list[tuple[tuple[str, int], Figures]], by: str) -> list[dict[str, str]]:
    """For each row, its hidden counts and how each is written: ``<11`` for 1 to 10 and, by
    month, ``suppressed`` for the other non-zero counts of a quarter :func:`complementary`
    hides whole."""
    marks = [
        {name: SUPPRESSED for name in COUNTS if is_suppressed(getattr(f, name))}
        for _key, f in groups
    ]
    if by != "month":
        return marks
    quarters: dict[tuple[str, int, int], list[int]] = {}
    for row, ((kind, period), _f) in enumerate(groups):
        year, month = divmod(int(period), 100)
        quarters.setdefault((kind, year, (month - 1) // 3), []).append(row)
    for rows in quarters.values():
        if complementary([[getattr(groups[row][1], name) for name in COUNTS] for row in rows]):
            for row in rows:
                for name in COUNTS:
                    if getattr(groups[row][1], name) > 0:
                        marks[row].setdefault(name, COMPLEMENTARY)
    return marks


def registry_rows(cohort: Cohort, by: str = "quarter") -> list[list[str]]:
    """The CSV's rows (``REGISTRY_COLUMNS``): course kind × start quarter or month, suppressed.

    Only kind and period identify a row; there is no name, date of birth, exact day, free
    text or record id anywhere in it. ``cohort`` should be whole quarters
    (:meth:`Cohort.whole_quarters`), so that the months' complementary suppression sees each
    quarter whole.
    """
    if by not in PERIODS:
        raise ValueError(f"period must be one of {PERIODS}")
    _without_jit()
    rows = _per_course(cohort, period=by)
    order = {kind: i for i, kind in enumerate(codes(COURSE_KINDS))}
    groups = [(key, f) for key, f in _aggregate(rows, ["kind", "period"]) if key is not None]
    groups.sort(key=lambda g: (order.get(g[0][0], 99), g[0][1]))
    out = []
    for ((kind, period), f), mark in zip(groups, _marks(groups, by), strict=True):

        def cell(name: str, figures: Figures = f, mark: dict[str, str] = mark) -> str:
            return mark.get(name, str(getattr(figures, name)))

        def hidden(*names: str, mark: dict[str, str] = mark) -> tuple[str, ...]:
            return tuple(mark[name] for name in names if name in mark)

        out.append(
            [
                kind,
                period_label(int(period), by),
                cell("courses"),
                cell("completed"),
                cell("measured"),
                cell("responders"),
                cell("remitters"),
                _rate(f.responders, f.measured, hidden("measured", "responders")),
                _rate(f.remitters, f.measured, hidden("measured", "remitters")),
                _median_cell(f.median_baseline, f.courses, mark.get("courses")),
                _median_cell(f.median_latest, f.measured, mark.get("measured")),
            ]
        )
    return out
