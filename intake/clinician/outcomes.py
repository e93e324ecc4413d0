"""Clinic outcomes (``/clinician/outcomes``): the dashboard and its de-identified CSV.

Both read the aggregates of ``services.outcomes`` (computed by the database; no course is
evaluated here). The dashboard is for the clinic's clinicians, so its counts are not
suppressed; the CSV is meant to leave the clinic (a registry, a payer), so it is de-identified
and suppressed (docs/clinician.md, "Clinic outcomes"). The filter is a GET form (days and a
period, no patient data); the CSV is a POST with CSRF, like every audited download.
"""

from __future__ import annotations

from datetime import date

from flask import Response, render_template, request
from flask.typing import ResponseReturnValue

from intake.auth.decorators import role_required
from intake.clinician import bp
from intake.extensions import db
from intake.forms.filters import ChoiceFilter, DateFilter, FilterForm
from intake.models.types import utcnow
from intake.services import audit, outcomes
from intake.services.courses import STATUS_WORDS
from intake.services.export import csv_chunks
from intake.vocabulary import COURSE_KINDS, staff_labels

OUTCOME_ROLES = ("clinician",)
PERIOD_CHOICES = {"quarter": "Quarter", "month": "Month"}


class OutcomesFilterForm(FilterForm):
    date_from = DateFilter("Courses started from", description="YYYY-MM-DD")
    date_to = DateFilter("Courses started up to", description="YYYY-MM-DD")
    by = ChoiceFilter(
        "CSV rows by start",
        choices=PERIOD_CHOICES,
        any_label=None,
        unknown="Unknown period ignored: rows are by quarter.",
    )

    def validate(self, extra_validators: object = None) -> bool:
        ok = super().validate()
        start, end = self.value("date_from"), self.value("date_to")
        if start is not None and end is not None and end < start:
            self.date_to.errors = [
                *self.date_to.errors,
                "This day is before the first day: ignored.",
            ]
            ok = False
        return ok

    def cohort(self) -> outcomes.Cohort:
        start: date | None = self.value("date_from")
        end: date | None = self.value("date_to")
        return outcomes.Cohort(start_from=start, start_to=end)

    def period(self) -> str:
        return self.value("by") or "quarter"


@bp.get("/outcomes")
@role_required(*OUTCOME_ROLES)
def outcomes_dashboard() -> ResponseReturnValue:
    """Courses started and completed, response and remission rates and the median PHQ-9 change
    by course kind, for the courses started in the range (audited with the counts shown)."""
    form = OutcomesFilterForm.read(request.args)
    figures = outcomes.dashboard(form.cohort())
    html = render_template(
        "clinician/outcomes.html",
        form=form,
        figures=figures,
        kinds=staff_labels(COURSE_KINDS),
        status_words=STATUS_WORDS,
    )
    audit.record(
        "outcomes_viewed",
        detail={"courses": figures.total.courses, "filters": form.url_args()},
    )
    db.session.commit()
    return html


@bp.post("/outcomes.csv")
@role_required(*OUTCOME_ROLES)
def outcomes_export() -> ResponseReturnValue:
    """The de-identified registry CSV: course kind × start quarter or month, counts under 11
    suppressed (audited with its counts: no course or submission is named, none is sent)."""
    form = OutcomesFilterForm.read(request.form)
    rows = outcomes.registry_rows(form.cohort().whole_quarters(), form.period())
    audit.record(
        "outcomes_exported",
        detail={"rows": len(rows), "by": form.period(), "filters": form.url_args()},
    )
    db.session.commit()
    return Response(
        csv_chunks(outcomes.REGISTRY_COLUMNS, rows),
        mimetype="text/csv",
        headers={
            "Content-Disposition": (
                f'attachment; filename="clinic-outcomes-{utcnow():%Y%m%d-%H%M%S}.csv"'
            )
        },
    )
