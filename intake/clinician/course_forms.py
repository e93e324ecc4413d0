"""The forms of a course of care: starting one, recording a session, ending it, a tablet code.

Each refuses at its field what the course service would refuse (the same limits, read from
``services.courses``), so a bad value gets its message beside the field and nothing is
stored; the service checks again, and a refusal it alone can see (a session before the
course started) is shown in the form's error summary.
"""

from __future__ import annotations

from typing import Any

from wtforms import IntegerField
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import HiddenInput

from intake.forms.base import BaseForm
from intake.forms.fields import DateField, RadioField, TextAreaField, WholeNumberField
from intake.forms.validators import NumberRange
from intake.services import courses
from intake.vocabulary import COURSE_KINDS, COURSE_STATUSES, staff_labels

#: The longest session note or end reason (a line or two, not a clinical note).
NOTE_MAX = 500


def _required_number(low: int, high: int) -> list[Any]:
    return [InputRequired(f"Enter a whole number from {low} to {high}."), NumberRange(low, high)]


class StartCourseForm(BaseForm):
    """A clinician starts a course from the reviewed intake (the summary page)."""

    kind = RadioField(
        "Kind of course",
        choices=list(staff_labels(COURSE_KINDS).items()),
        validators=[InputRequired("Choose the kind of course.")],
    )
    start_date = DateField(
        "Start date",
        validators=[InputRequired("Enter the day the course starts, like 2026-11-02.")],
        description="The first session's day; the baseline check-in is due on it.",
    )
    planned_sessions = WholeNumberField(
        "Planned sessions",
        validators=_required_number(0, courses.SESSIONS_MAX),
        description="The acute course (usually 30 or 36 for TMS).",
    )
    taper_sessions = WholeNumberField(
        "Planned taper sessions",
        validators=_required_number(0, courses.TAPER_MAX),
        description="After the acute course (usually 6); 0 for none.",
    )
    every_days = WholeNumberField(
        "Days between check-ins",
        validators=_required_number(1, courses.EVERY_DAYS_MAX),
        description="PHQ-9 and GAD-7 this often (7: weekly), besides the baseline and the end.",
    )
    maintenance_months = WholeNumberField(
        "Months of follow-up",
        validators=_required_number(0, courses.MAINTENANCE_MAX),
        description="After a completed course, one check-in a month for this many months.",
    )


class SessionForm(BaseForm):
    """Front desk or a clinician records a session delivered (the course page)."""

    delivered_on = DateField(
        "Day of the session",
        validators=[InputRequired("Enter the day of the session, like 2026-11-02.")],
    )
    note = TextAreaField(
        "Note (optional)",
        validators=[Length(max=NOTE_MAX)],
        description="No more than a line: the course page and its report show it.",
        render_kw={"rows": 2},
    )
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])


#: How a course can end, in the staff wording (``active`` is not an ending).
ENDINGS = {
    code: words[:1].upper() + words[1:]
    for code, words in staff_labels(COURSE_STATUSES).items()
    if code in courses.ENDINGS
}


class EndCourseForm(BaseForm):
    """A clinician ends the course: completed, stopped early (with a reason) or transferred."""

    status = RadioField(
        "How the course ended",
        choices=list(ENDINGS.items()),
        validators=[InputRequired("Choose how the course ended.")],
    )
    ended_on = DateField(
        "Day it ended",
        validators=[InputRequired("Enter the day the course ended, like 2026-12-11.")],
    )
    reason = TextAreaField(
        "Reason",
        validators=[Optional(), Length(max=NOTE_MAX)],
        description="Required when the course stopped early.",
        render_kw={"rows": 2},
    )
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])

    def validate(self, extra_validators: Any = None) -> bool:
        """A course stopped early says why (the message at the reason's field)."""
        valid = bool(super().validate(extra_validators))
        if self.status.data == "stopped_early" and not (self.reason.data or "").strip():
            self.reason.errors = [*self.reason.errors, "Say why the course stopped early."]
            valid = False
        return valid


class TabletCodeForm(BaseForm):
    """The "Make a tablet code" button: only its CSRF token and the course's version."""


class SendLinkAgainForm(BaseForm):
    """The "E-mail a new link" button: only its CSRF token (the service decides whether a link
    may go out now)."""
