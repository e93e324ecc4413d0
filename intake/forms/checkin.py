"""The patient's check-in during a course of care (issue 16): PHQ-9, GAD-7, the side-effect
checklist and, whenever PHQ-9 item 9 is above "Not at all", the ASQ; and the clinic tablet's
code and date of birth.

One flat form (the page posts one body): PHQ-9 items are ``phq9_1`` … ``phq9_9``, GAD-7 items
``gad7_1`` … ``gad7_7``, the ASQ the wizard's own field names (``wished_dead`` …
``thoughts_right_now``, with the wizard's "right now" condition) and each side effect
``effect_<code>``. The wording is the vocabulary's (``intake.forms.questionnaires``), the same
the wizard shows: the instruments' items and answer labels as published (English on a Spanish
page too, never machine-translated), the side effects, their severities and every message
through the catalogue (``intake.forms.wording``, ``_l``), in the check-in's language.
:meth:`CheckInForm.answers` turns a valid form into the check-in fields of ``intake-course/1``,
which the course service validates again with the contract's reader.
"""

from __future__ import annotations

from typing import Any

from wtforms.validators import StopValidation

from intake import vocabulary as vocab
from intake.forms import questionnaires as q
from intake.forms import wording
from intake.forms.base import WizardForm
from intake.forms.fields import DateField, RadioField, StringField
from intake.forms.patient import ASQ_CHOICES, ASQ_POSITIVE, ASQ_RIGHT_NOW, numbered
from intake.forms.validators import OptionalAnswer, Required, TextLength, is_blank
from intake.i18n import lazy_text as _l

PHQ9_NAMES = tuple(f"phq9_{n}" for n in range(1, len(q.PHQ9_ITEMS) + 1))
GAD7_NAMES = tuple(f"gad7_{n}" for n in range(1, len(q.GAD7_ITEMS) + 1))
ASQ_NAMES = tuple(item.key for item in q.ASQ_ITEMS)
ASQ_RIGHT_NOW_NAME = ASQ_RIGHT_NOW.key
ASQ_ALL_NAMES = (*ASQ_NAMES, ASQ_RIGHT_NOW_NAME)
EFFECT_NAMES = tuple(f"effect_{choice.code}" for choice in vocab.SIDE_EFFECTS)
#: PHQ-9 item 9 (thoughts of being better off dead or of hurting yourself): above 0, the ASQ.
ITEM9 = PHQ9_NAMES[8]
ITEM9_POSITIVE = ("1", "2", "3")

#: none / mild / moderate / severe, in the patient's words and language (app wording, not an
#: instrument's).
SEVERITY_CHOICES = wording.choices(vocab.SIDE_EFFECT_SEVERITY)


def _asq_needed(form: Any, field: Any) -> None:
    """ASQ questions 1-4 are needed once PHQ-9 item 9 is above 0, or once any of them is
    answered (an ASQ is stored whole or not at all); otherwise they may stay blank."""
    if not is_blank(field):
        return
    if form.asq_asked():
        field.errors[:] = []
        raise StopValidation(
            _l("Please answer this question, because of your answer to question 9 above.")
        )
    field.errors[:] = []
    raise StopValidation()


def _asq_field(key: str, text: str, hint: str | None) -> RadioField:
    return RadioField(
        text,
        choices=list(ASQ_CHOICES),
        validators=[_asq_needed, OptionalAnswer()],
        description=hint or "",
    )


class CheckInForm(WizardForm):
    """The check-in questionnaire (see the module docstring)."""

    title = _l("Your check-in")

    #: Posted by the page that asked for the ASQ after item 9 (the view reads it): sent blank
    #: again, the check-in is stored without an ASQ.
    PROMPTED_KEY = "asq_prompted"

    def known_keys(self) -> set[str]:
        return super().known_keys() | {self.PROMPTED_KEY}

    def asq_asked(self) -> bool:
        """The ASQ must be answered: PHQ-9 item 9 is above 0, or an ASQ answer was given."""
        return self.item9_positive() or self.asq_started()

    def item9_positive(self) -> bool:
        return self[ITEM9].data in ITEM9_POSITIVE

    def asq_started(self) -> bool:
        """Some ASQ answer was sent (the section was on the patient's screen)."""
        return any(not is_blank(self[name]) for name in ASQ_ALL_NAMES)

    def asq_positive(self) -> bool:
        """A positive ASQ: yes or declined to any question (the crisis path)."""
        return any(self[name].data in ASQ_POSITIVE for name in ASQ_ALL_NAMES)

    def answers(self) -> dict[str, Any]:
        """The check-in fields of ``intake-course/1`` (call after validating)."""
        asq = None
        if self.asq_asked():
            asq = {name: self[name].data or None for name in ASQ_ALL_NAMES}
        return {
            "phq9": [int(self[name].data) for name in PHQ9_NAMES],
            "gad7": [int(self[name].data) for name in GAD7_NAMES],
            "asq": asq,
            "side_effects": {
                choice.code: self[f"effect_{choice.code}"].data or "none"
                for choice in vocab.SIDE_EFFECTS
            },
        }


def _add_fields() -> None:
    """The questionnaires' items as radio buttons, in the published order and wording."""
    for name, ask in zip(PHQ9_NAMES, numbered(q.PHQ9_ITEMS), strict=True):
        setattr(
            CheckInForm,
            name,
            RadioField(ask.text, choices=list(q.FREQUENCY_CHOICES), validators=[Required()]),
        )
    for name, ask in zip(GAD7_NAMES, numbered(q.GAD7_ITEMS), strict=True):
        setattr(
            CheckInForm,
            name,
            RadioField(ask.text, choices=list(q.FREQUENCY_CHOICES), validators=[Required()]),
        )
    for item in q.ASQ_ITEMS:
        setattr(CheckInForm, item.key, _asq_field(item.key, item.text, item.hint))
    setattr(
        CheckInForm,
        ASQ_RIGHT_NOW.key,
        RadioField(
            ASQ_RIGHT_NOW.text,
            choices=list(ASQ_CHOICES),
            validators=list(ASQ_RIGHT_NOW.validators or ()),
        ),
    )
    for choice in vocab.SIDE_EFFECTS:
        setattr(
            CheckInForm,
            f"effect_{choice.code}",
            RadioField(
                wording.patient(choice.patient),
                choices=list(SEVERITY_CHOICES),
                default="none",
                validators=[Required()],
            ),
        )


_add_fields()


class TabletForm(WizardForm):
    """The clinic tablet: the code staff read out and the patient's date of birth."""

    code = StringField(
        _l("Check-in code"),
        description=_l(
            "The 8 letters and numbers the clinic gave you. Spaces and dashes are fine."
        ),
        validators=[Required(), TextLength(40)],
        render_kw={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"},
    )
    date_of_birth = DateField(
        _l("Your date of birth"),
        validators=[Required()],
        render_kw={"autocomplete": "off"},
    )
