"""What a course's page and its end-of-course report show (one place, so page, report and PDF
agree): the check-ins in due order with their state and outcome, the charts' geometry, the
side effects over time and the worst rating of each.

Every number and status here is read from the course service's :func:`courses.outcome` (the
outcome rules' ``course-evaluation/1``), never worked out again: this module only arranges it
for reading.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from intake import course_chart
from intake.models import CheckIn, Course
from intake.rules.outcomes import change_percent
from intake.services import courses
from intake.vocabulary import SIDE_EFFECT_SEVERITY, SIDE_EFFECTS, codes, staff_labels

#: PHQ-9 totals run from 0 to 27, GAD-7 from 0 to 21: the y axes stop at the next tick.
PHQ9_AXIS, PHQ9_TICK = 30, 5
GAD7_AXIS, GAD7_TICK = 24, 4
#: Remission is a PHQ-9 under 5 (the outcome rules; the line is drawn at 5).
REMISSION_LINE = 5
SEVERITY_ORDER = codes(SIDE_EFFECT_SEVERITY)


@dataclass(frozen=True)
class CheckInRow:
    """One check-in of the course as the table shows it."""

    checkin: CheckIn
    #: "completed", "open" (the one the patient can answer now) or "missed".
    state: str
    #: This check-in is the course's baseline (a completed baseline check-in).
    is_baseline: bool
    #: Its entry of the evaluation (None for the baseline and for check-ins not done).
    result: dict[str, Any] | None


@dataclass(frozen=True)
class Measure:
    """A point of the trend: the baseline or a completed check-in, in order."""

    label: str
    day: date
    session: int | None
    phq9: int
    gad7: int
    change_percent: int | None
    gad7_change_percent: int | None
    status: str  # an outcome status, or "baseline"


def _label(session: int | None, day: date) -> str:
    return f"S{session}" if session else day.strftime("%m-%d")


#: The PHQ-9 chart's legend: each marker's outline (in a 16 × 16 box) and its words.
LEGEND = tuple(
    (course_chart.marker_path(shape, 8, 8), shape, courses.STATUS_WORDS.get(status, "Baseline"))
    for status, shape in course_chart.SHAPES.items()
    if status
)


def course_context(course: Course) -> dict[str, Any]:
    """The course page's and the report's values (the caller has synced the check-ins)."""
    result = courses.outcome(course)
    evaluation = result.evaluation
    by_id = {
        checkin.id: entry
        for checkin, entry in zip(result.checkins, evaluation["checkins"], strict=True)
    }
    open_one = courses.open_checkin(course)
    ordered = sorted(course.checkins, key=lambda c: (c.due_on, c.id or 0))
    rows = [
        CheckInRow(
            checkin=checkin,
            state="completed" if checkin.completed else "open" if checkin is open_one else "missed",
            is_baseline=checkin.kind == "baseline"
            and checkin.completed
            and result.baseline_from == "checkin",
            result=by_id.get(checkin.id),
        )
        for checkin in ordered
    ]
    base = evaluation["baseline"]
    measures = [
        Measure(
            label="Baseline" if result.baseline_from == "checkin" else "Intake",
            day=result.baseline_date,
            session=None,
            phq9=base["phq9"],
            gad7=base["gad7"],
            change_percent=None,
            gad7_change_percent=None,
            status="baseline",
        )
    ]
    for entry in evaluation["checkins"]:
        day = date.fromisoformat(entry["date"])
        measures.append(
            Measure(
                label=_label(entry["session"], day),
                day=day,
                session=entry["session"],
                phq9=entry["phq9"],
                gad7=entry["gad7"],
                change_percent=entry["change_percent"],
                gad7_change_percent=change_percent(base["gad7"], entry["gad7"]),
                status=entry["status"],
            )
        )
    phq9_guides: list[tuple[str, float]] = [
        (f"Baseline {base['phq9']}", base["phq9"]),
        (f"50%: {course_chart.num(base['phq9'] / 2)}", base["phq9"] / 2),
        ("Remission <5", REMISSION_LINE),
    ]
    phq9_chart = course_chart.build(
        [course_chart.ChartPoint(m.label, m.phq9, m.status) for m in measures],
        axis_max=PHQ9_AXIS,
        tick_step=PHQ9_TICK,
        guides=phq9_guides,
    )
    gad7_chart = course_chart.build(
        [
            course_chart.ChartPoint(m.label, m.gad7, "baseline" if i == 0 else "")
            for i, m in enumerate(measures)
        ],
        axis_max=GAD7_AXIS,
        tick_step=GAD7_TICK,
        guides=[(f"Baseline {base['gad7']}", base["gad7"])],
    )
    side_rows = [
        (row, (row.checkin.answers or {}).get("side_effects") or {})
        for row in rows
        if row.checkin.completed
    ]
    worst = {
        code: max(
            (effects.get(code, "none") for _row, effects in side_rows),
            key=SEVERITY_ORDER.index,
            default="none",
        )
        for code in codes(SIDE_EFFECTS)
    }
    last = evaluation["checkins"][-1] if evaluation["checkins"] else None
    return {
        "course": course,
        "submission": course.submission,
        "outcome": result,
        "evaluation": evaluation,
        "status_words": courses.status_words(result),
        "status_because": last["because"] if last else [],
        "rows": rows,
        "measures": measures,
        "phq9_chart": phq9_chart,
        "gad7_chart": gad7_chart,
        "side_rows": side_rows,
        "side_effects": staff_labels(SIDE_EFFECTS),
        "severity_words": staff_labels(SIDE_EFFECT_SEVERITY),
        "worst": worst,
        "open_checkin": open_one,
        "latest": measures[-1],
        "legend": LEGEND,
        "status_names": courses.STATUS_WORDS,
    }
