"""Clinic outcomes (issue 16, item 7): the SQL aggregates agree with the course service's own
evaluation, the dashboard and the de-identified CSV through HTTP, and CMS's cell-size rule.

Courses are made through the course service (started from a reviewed intake, check-ins
completed week by week), from the table ``COURSES`` written here; the expected statuses and
figures are worked out by hand from the issue's definitions (response = a fall of at least 50%,
remission = PHQ-9 under 5, not measured under a baseline of 5), not read from the code. The
intake sample's PHQ-9 is 17 (answer_documents.py).
"""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from intake.extensions import db
from intake.models import AuditEvent, Course, Submission
from intake.services import courses, outcomes
from tests.factories import post
from tests.outcome_samples import make_course

#: (kind, baseline check-in PHQ-9 or None for the intake's 17, follow-up totals, ending)
#: → (the course's outcome, measured?) worked out by hand.
COURSES: list[tuple[str, int | None, list[int], str | None, str, bool]] = [
    ("standard_tms", None, [12, 8], "completed", "response", True),  # 17 → 8: down 52.9%
    ("standard_tms", 20, [9], None, "response", True),  # 20 → 9: down 55%
    ("standard_tms", 18, [4], "completed", "remission", True),  # under 5
    ("standard_tms", 16, [4, 12], None, "partial_response", True),  # the latest, not the best
    ("accelerated_tms", 4, [2], "completed", "not_applicable", False),  # baseline under 5
    ("accelerated_tms", None, [], None, "baseline_only", False),  # no check-in yet
    ("deep_tms_ocd", 10, [15], "stopped_early", "worsening", True),  # +5
    ("psychotherapy", 12, [9, 6], None, "response", True),  # exactly 50%
    ("psychotherapy", None, [13], None, "no_response", True),  # down 23.5%
    ("medication_management", 5, [4], "completed", "remission", True),  # baseline 5: measured
]


@pytest.fixture
def table(app: Flask) -> list[Course]:
    return [
        make_course(kind, base, ups, ending=ending) for kind, base, ups, ending, _, _ in COURSES
    ]


def test_the_sql_agrees_with_the_course_service(table: list[Course]) -> None:
    rows = {row["course_id"]: row for row in outcomes.course_outcomes(outcomes.Cohort())}
    for course, (*_, status, measured) in zip(table, COURSES, strict=True):
        evaluation = courses.outcome(course).evaluation
        assert evaluation["course"]["status"] == status  # the table is right
        row = rows[course.id]
        assert row["baseline"] == evaluation["baseline"]["phq9"]
        if evaluation["checkins"]:
            assert row["latest"] == evaluation["course"]["latest_phq9"]
            assert row["outcome"] == evaluation["course"]["status"]
        else:
            assert row["latest"] is None and row["outcome"] is None
        assert bool(row["measured"]) is measured


def test_the_dashboard_figures_by_kind(table: list[Course]) -> None:
    figures = outcomes.dashboard(outcomes.Cohort())
    tms = figures.by_kind["standard_tms"]
    assert (tms.courses, tms.completed, tms.active, tms.measured) == (4, 2, 2, 4)
    assert (tms.responders, tms.remitters) == (3, 1)  # 18 → 4: remission, and down 78%
    assert tms.response_rate == 75 and tms.remission_rate == 25
    # Changes: 8-17=-9, 9-20=-11, 4-18=-14, 12-16=-4 → median of -11 and -9 = -10 points;
    # percent: -52.94, -55, -77.78, -25 → median (-55 + -52.94) / 2 = -53.97.
    assert tms.median_change_points == -10
    assert tms.median_change_percent == pytest.approx(-53.97, abs=0.01)
    accelerated = figures.by_kind["accelerated_tms"]
    assert (accelerated.courses, accelerated.measured, accelerated.response_rate) == (2, 0, None)
    assert figures.by_kind["deep_tms_ocd"].stopped_early == 1
    therapy = figures.by_kind["psychotherapy"]
    assert (therapy.measured, therapy.responders, therapy.median_change_points) == (2, 1, -5)
    total = figures.total
    assert (total.courses, total.completed, total.measured) == (10, 4, 8)
    # 5 → 4 is remission but a fall of 20%: not a response (HEDIS: a fall of at least 50%).
    assert (total.responders, total.remitters) == (4, 2)
    # Points over the 8 measured: -14 -11 -9 -4 +5 -6 -4 -1 → sorted middle -6 and -4 → -5.
    assert total.median_change_points == -5


def test_the_date_range_chooses_courses_by_start_day(app: Flask) -> None:
    make_course("standard_tms", 20, [9], start=date(2026, 9, 1))
    make_course("standard_tms", 20, [18], start=date(2026, 10, 5))
    october = outcomes.dashboard(
        outcomes.Cohort(start_from=date(2026, 10, 1), start_to=date(2026, 10, 31))
    )
    assert (october.total.courses, october.total.responders) == (1, 0)
    assert outcomes.dashboard(outcomes.Cohort(start_to=date(2026, 10, 5))).total.courses == 2


# Suppression (CMS cell-size rule: 1 to 10 is not shown) -----------------------------------------


@pytest.mark.parametrize(
    ("count", "cell"), [(0, "0"), (1, "<11"), (10, "<11"), (11, "11"), (250, "250")]
)
def test_counts_from_1_to_10_are_suppressed(count: int, cell: str) -> None:
    assert outcomes.suppress(count) == cell


def _csv(client: FlaskClient, data: dict[str, str] | None = None) -> list[dict[str, str]]:
    response = post(client, "/clinician/outcomes.csv", data or {})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_the_csv_suppresses_small_cells_and_what_they_give_away(
    app: Flask, client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    # 11 standard TMS courses in 2026-Q4, all responders (20 → 9), 2 of them in remission.
    for i in range(11):
        make_course("standard_tms", 20, [3 if i < 2 else 9], start=date(2026, 10, 5))
    # 1 psychotherapy course in 2026-Q3: every figure of its row is suppressed.
    make_course("psychotherapy", 20, [9], start=date(2026, 8, 3))
    login_as("clinician")
    rows = _csv(client)
    assert [(r["course_kind"], r["start_period"]) for r in rows] == [
        ("standard_tms", "2026-Q4"),
        ("psychotherapy", "2026-Q3"),
    ]
    tms, therapy = rows
    assert (tms["courses"], tms["outcome_measured"], tms["responders"]) == ("11", "11", "11")
    assert tms["completed"] == "0"  # 0 is shown: it identifies nobody
    assert tms["remitters"] == "<11" and tms["remission_rate_percent"] == "<11"
    assert tms["response_rate_percent"] == "100.0"
    assert (tms["median_baseline_phq9"], tms["median_latest_phq9"]) == ("20", "9")
    assert therapy == {
        "course_kind": "psychotherapy",
        "start_period": "2026-Q3",
        "courses": "<11",
        "completed": "0",
        "outcome_measured": "<11",
        "responders": "<11",
        "remitters": "0",
        "response_rate_percent": "<11",
        "remission_rate_percent": "<11",  # 0 of a suppressed 1: suppressed with it
        "median_baseline_phq9": "<11",
        "median_latest_phq9": "<11",
    }
    monthly = _csv(client, {"by": "month"})
    assert [(r["course_kind"], r["start_period"]) for r in monthly] == [
        ("standard_tms", "2026-10"),
        ("psychotherapy", "2026-08"),
    ]
    # An unknown period is ignored (quarters), a bad day is ignored: never a 400.
    assert [r["start_period"] for r in _csv(client, {"by": "week", "date_from": "x"})] == [
        "2026-Q4",
        "2026-Q3",
    ]
    [event, *_] = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "outcomes_exported")
    ).all()
    assert event.detail == {"rows": 2, "by": "quarter", "filters": {}}
    assert event.submission_id is None


def test_the_csv_holds_no_name_date_or_free_text_of_the_patients(
    app: Flask, client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    for _ in range(12):
        make_course("deep_tms_ocd", 20, [9], start=date(2026, 11, 2), ending="stopped_early")
    login_as("clinician")
    text = post(client, "/clinician/outcomes.csv", {}).get_data(as_text=True)
    submission = db.session.scalars(sa.select(Submission)).first()
    assert submission is not None
    forbidden = [
        "Ana",
        "Reyes",
        "1985",
        "04-12",
        "ana@example.org",
        "555",
        submission.reference,
        "2026-11-02",
        "11/02",
        "Portland",  # the end reason typed by staff
    ]
    for value in forbidden:
        assert value not in text, value
    [row] = list(csv.DictReader(io.StringIO(text)))
    assert row["start_period"] == "2026-Q4" and row["courses"] == "12"


# The pages through HTTP ------------------------------------------------------------------------


def test_the_dashboard_page_draws_charts_with_tables_and_is_audited(
    table: list[Course], client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    login_as("clinician")
    response = client.get("/clinician/outcomes")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    figures = html.split("<h1>Clinic outcomes</h1>")[1].split("De-identified CSV")[0]
    assert figures.count('<svg class="bar-chart"') == 3 and "<script" not in figures
    assert html.count("<table") == 3
    assert '<th scope="row">Standard TMS</th><td class="num">4</td>' in html
    assert "75%" in html and "down 54%" in html  # response rate, median fall of standard TMS
    assert 'href="/clinician/outcomes"' in html  # the nav's link
    [event] = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "outcomes_viewed")
    ).all()
    assert event.detail == {"courses": 10, "filters": {}}
    assert event.submission_id is None


def test_bad_filter_values_are_ignored_with_a_message(
    table: list[Course], client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    login_as("clinician")
    response = client.get("/clinician/outcomes?date_from=tomorrow&date_to=2026-11-30")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Enter dates as YYYY-MM-DD." in html
    assert "10 courses started" in html  # the bad day was left out; the other one applied
    backwards = client.get("/clinician/outcomes?date_from=2026-12-01&date_to=2026-11-01")
    assert "before the first day" in backwards.get_data(as_text=True)
    empty = client.get("/clinician/outcomes?date_from=2027-01-01")
    assert "0 courses started" in empty.get_data(as_text=True)


@pytest.mark.parametrize("role", ["front_desk", "admin"])
def test_only_clinicians_see_outcomes(app: Flask, client: FlaskClient, login_as, role: str) -> None:  # type: ignore[no-untyped-def]
    login_as(role)
    assert client.get("/clinician/outcomes").status_code == 403
    assert post(client, "/clinician/outcomes.csv", {}).status_code == 403
    assert 'href="/clinician/outcomes"' not in client.get("/staff/account").get_data(as_text=True)


def test_the_csv_is_a_post(app: Flask, client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as("clinician")
    assert client.get("/clinician/outcomes.csv").status_code == 405


@pytest.mark.parametrize(
    ("start_from", "start_to", "expected"),
    [
        ("2026-11-06", "2026-11-20", ("2026-10-01", "2026-12-31")),
        ("2028-02-29", "2028-02-03", ("2028-01-01", "2028-03-31")),
        ("2026-03-31", "2026-04-01", ("2026-01-01", "2026-06-30")),
        (None, "2026-08-15", (None, "2026-09-30")),
        ("2026-01-31", None, ("2026-01-01", None)),
    ],
)
def test_the_csv_cohort_is_whole_quarters(
    start_from: str | None, start_to: str | None, expected: tuple[str | None, str | None]
) -> None:
    """Two exports a day or a month apart must not isolate one course, nor a month's count
    be its quarter less the others: the CSV widens to whole quarters."""
    day = lambda text: date.fromisoformat(text) if text else None  # noqa: E731
    widened = outcomes.Cohort(start_from=day(start_from), start_to=day(start_to)).whole_quarters()
    assert (widened.start_from, widened.start_to) == (day(expected[0]), day(expected[1]))


#: One kind's quarter by month: each month's counts (courses, completed, measured, responders,
#: remitters; a month without courses is all 0) → whether the quarter is hidden whole: as soon
#: as any count is 1 to 10 (its quarter's total less the others, or a column bounded by
#: another, would give it away).
COMPLEMENTARY = [
    ([], False),
    ([[12, 0, 12, 12, 0], [15, 11, 15, 0, 0], [30, 30, 30, 30, 30]], False),
    ([[5, 0, 0, 0, 0]], True),
    ([[12, 0, 12, 12, 0], [15, 0, 15, 15, 3], [30, 0, 30, 30, 0]], True),
    ([[1, 0, 0, 0, 0], [1, 0, 0, 0, 0], [25, 0, 0, 0, 0]], True),
    ([[33, 33, 33, 33, 33], [40, 40, 40, 40, 40], [1, 0, 1, 0, 0]], True),
]


@pytest.mark.parametrize(("months", "hidden"), COMPLEMENTARY)
def test_complementary_suppression_hides_a_quarter_with_any_small_count(
    months: list[list[int]], hidden: bool
) -> None:
    assert outcomes.complementary(months) is hidden


def test_the_csv_by_month_hides_a_quarter_whose_total_would_give_a_month_away(
    app: Flask, client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    # Standard TMS in 2026-Q4: 12 courses in October, 3 in November, 15 in December.
    for month, count in ((10, 12), (11, 3), (12, 15)):
        for _ in range(count):
            make_course("standard_tms", 20, [9], start=date(2026, month, 5))
    # Psychotherapy in 2026-Q4: 11 in October, 12 in November: nothing small, shown as it is.
    for month, count in ((10, 11), (11, 12)):
        for _ in range(count):
            make_course("psychotherapy", 20, [9], start=date(2026, month, 5))
    login_as("clinician")
    # Asked for November only: the CSV still covers the whole quarter.
    monthly = _csv(client, {"by": "month", "date_from": "2026-11-01", "date_to": "2026-11-30"})
    rows = {(r["course_kind"], r["start_period"]): r for r in monthly}
    assert sorted(rows) == [
        ("psychotherapy", "2026-10"),
        ("psychotherapy", "2026-11"),
        ("standard_tms", "2026-10"),
        ("standard_tms", "2026-11"),
        ("standard_tms", "2026-12"),
    ]
    tms = [rows[("standard_tms", m)] for m in ("2026-10", "2026-11", "2026-12")]
    # 30 - 12 - 15 would give November's 3 away: the quarter's months show nothing but zeros.
    assert [r["courses"] for r in tms] == ["suppressed", "<11", "suppressed"]
    assert [r["responders"] for r in tms] == ["suppressed", "<11", "suppressed"]
    assert [r["completed"] for r in tms] == ["0", "0", "0"]
    assert [r["response_rate_percent"] for r in tms] == ["suppressed", "<11", "suppressed"]
    assert [r["median_baseline_phq9"] for r in tms] == ["suppressed", "<11", "suppressed"]
    therapy = rows[("psychotherapy", "2026-10")]
    assert (therapy["courses"], therapy["response_rate_percent"]) == ("11", "100.0")
    quarterly = _csv(client, {"by": "quarter"})
    assert [(r["course_kind"], r["start_period"], r["courses"]) for r in quarterly] == [
        ("standard_tms", "2026-Q4", "30"),
        ("psychotherapy", "2026-Q4", "23"),
    ]
