"""Front-desk forms."""

from __future__ import annotations

from collections.abc import Mapping

from wtforms import IntegerField, RadioField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length
from wtforms.widgets import HiddenInput

from intake.forms.base import BaseForm
from intake.services.risk import NOTE_MAX
from intake.services.workflow import STATUSES
from intake.vocabulary import CONTACT_OUTCOMES, staff_labels


def choices(labels: Mapping[str, str]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in labels.items()]


class StatusForm(BaseForm):
    to_status = SelectField(
        "Move to", choices=choices(STATUSES), validators=[DataRequired("Choose a status.")]
    )
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])


class AssignForm(BaseForm):
    """Assign the submission to a colleague ("" = nobody); choices are set by the view from
    ``workflow.assignable_staff``."""

    assignee = SelectField("Assigned to", choices=[], validate_choice=True)
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])


class ContactAttemptForm(BaseForm):
    """A call to the patient of an urgent submission (``services.risk.record_contact_attempt``
    says which outcomes need a note)."""

    outcome = RadioField(
        "What came of the call?",
        choices=choices(
            {c: w[:1].upper() + w[1:] for c, w in staff_labels(CONTACT_OUTCOMES).items()}
        ),
        validators=[DataRequired("Choose what came of the call.")],
    )
    note = TextAreaField(
        "Call note",
        validators=[Length(max=NOTE_MAX)],
        description=(
            "Required when you reached the patient (what they said, what was agreed) or the "
            "number was wrong (which number you tried, what happens next)."
        ),
    )


class NoteForm(BaseForm):
    body = TextAreaField(
        "Note", validators=[DataRequired("Write something in the note."), Length(max=4000)]
    )
