"""Front-desk forms."""

from __future__ import annotations

from collections.abc import Mapping

from wtforms import IntegerField, RadioField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length
from wtforms.widgets import HiddenInput

from intake.forms.base import BaseForm
from intake.models.workflow import ACKNOWLEDGEMENT_ACTIONS
from intake.services.workflow import STATUSES


def choices(labels: Mapping[str, str]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in labels.items()]


class StatusForm(BaseForm):
    to_status = SelectField(
        "Move to", choices=choices(STATUSES), validators=[DataRequired("Choose a status.")]
    )
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])


class AcknowledgeForm(BaseForm):
    action = RadioField(
        "What was done",
        choices=choices(ACKNOWLEDGEMENT_ACTIONS),
        validators=[DataRequired("Choose what was done.")],
    )
    note = TextAreaField(
        "Acknowledgement note",
        validators=[Length(max=4000)],
        description="What happened, who you spoke to, what was agreed. Required for Other.",
    )


class NoteForm(BaseForm):
    body = TextAreaField(
        "Note", validators=[DataRequired("Write something in the note."), Length(max=4000)]
    )
