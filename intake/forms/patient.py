"""One form per wizard step. ``STEP_FORMS`` lists them in order; each form's ``answers()``
returns its part of the intake-answers/2 document.

Questionnaire steps (PHQ-9, GAD-7, ASQ, TMS safety, preferences) are multiple-choice questions
added to their class by one builder, :func:`questionnaire_form`, from the item lists in
:mod:`intake.forms.questionnaires` (so each item list lives in one place).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from flask import has_app_context
from wtforms import FieldList, FormField
from wtforms.validators import StopValidation, ValidationError

from intake import answers as contract
from intake import vocabulary as vocab
from intake.forms import questionnaires as q
from intake.forms import wording
from intake.forms.base import RowForm, WizardForm
from intake.forms.fields import (
    BooleanField,
    ConfirmBox,
    DateField,
    DecimalNumberField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    WholeNumberField,
)
from intake.forms.validators import (
    Check,
    HiddenUnless,
    MinimumAge,
    MustBeTicked,
    NumberRange,
    OptionalAnswer,
    PastDate,
    Required,
    RequiredWhen,
    TextLength,
    is_blank,
    partial_mode,
)
from intake.i18n import gettext
from intake.i18n import lazy_text as _l
from intake.text import FORM_MESSAGES, text_fault

YN_CHOICES = wording.choices(vocab.YN)


def _yn(label: str) -> Any:
    return RadioField(label, choices=YN_CHOICES, validators=[Required()])


def _iso(day: Any) -> str:
    """A validated date as YYYY-MM-DD (``answers()`` is only called on a valid form)."""
    return str(day.isoformat())


class StepForm(WizardForm):
    """A wizard step. ``answers()`` is its part of the answers document (call after validating)."""

    def answers(self) -> dict[str, Any]:
        raise NotImplementedError


@dataclass(frozen=True)
class Ask:
    """One multiple-choice question of a questionnaire step: its field name, wording and hint,
    and its own choices and validators where they differ from the step's (``[Required()]``)."""

    key: str
    text: str
    hint: str | None = None
    choices: Sequence[tuple[str, str]] | None = None
    validators: Sequence[Any] | None = None


def asks(items: Iterable[q.Item]) -> tuple[Ask, ...]:
    """The questionnaire items as questions, named and worded as the item list says."""
    return tuple(Ask(item.key, item.text, item.hint) for item in items)


def translated(questions: Iterable[Ask]) -> tuple[Ask, ...]:
    """The app's own questions (not a validated instrument) with their vocabulary wording
    translated at rendering (``intake.forms.wording``)."""
    return tuple(
        Ask(ask.key, wording.patient(ask.text), wording.patient(ask.hint), ask.choices)
        for ask in questions
    )


def numbered(texts: Iterable[str]) -> tuple[Ask, ...]:
    """Items named ``item_1``, ``item_2``, … and labelled "1. …", as PHQ-9 and GAD-7 print them."""
    return tuple(Ask(f"item_{n}", f"{n}. {text}") for n, text in enumerate(texts, start=1))


class QuestionnaireForm(StepForm):
    """A step of multiple-choice questions, filled in by :func:`questionnaire_form`."""

    #: Shown above the questions (PHQ-9, GAD-7) and below them (the publisher's attribution).
    stem: str = ""
    attribution: str = ""
    #: The questions' field names, in order.
    questions: tuple[str, ...] = ()

    def given(self) -> dict[str, Any]:
        """``{field name: answer}`` for every question of the step."""
        return {key: self[key].data for key in self.questions}


Q = TypeVar("Q", bound=type[QuestionnaireForm])


def questionnaire_form(
    questions: Sequence[Ask],
    choices: Sequence[tuple[str, str]],
    *,
    title: str,
    stem: str = "",
    attribution: str = "",
) -> Callable[[Q], Q]:
    """Add ``questions`` to the decorated step as radio buttons, in order, each offering
    ``choices`` unless it has its own, and give the step its title, stem and attribution.

    The one way a questionnaire step is made (PHQ-9, GAD-7, ASQ, the TMS safety screen and
    the preferences): the class keeps its own ``answers()`` and helpers, the builder only adds
    fields (field names, labels and order are what the step's page shows and posts).
    """

    def build(form: Q) -> Q:
        form.title = title
        form.stem = stem
        form.attribution = attribution
        form.questions = tuple(ask.key for ask in questions)
        for ask in questions:
            validators = [Required()] if ask.validators is None else list(ask.validators)
            field = RadioField(
                ask.text,
                choices=list(choices if ask.choices is None else ask.choices),
                validators=validators,
                description=ask.hint or "",
            )
            setattr(form, ask.key, field)
        return form

    return build


# 1. About you ------------------------------------------------------------------------------


def evaluation_day() -> date:
    """Today as the contract judges ages: the UTC date ``services.submissions.today`` gives
    ``submit_document``, so the age floor here and at sending agree around midnight."""
    return datetime.now(UTC).date()


def clinic_phone() -> str:
    """The clinic's phone number from the clinic settings (``/admin/settings``; until one is
    saved, ``INTAKE_CLINIC_PHONE``), or "". Read when the message is needed, through the
    settings service's per-request profile (the only setting a form reads)."""
    if not has_app_context():
        return ""
    from intake.services.settings import clinic_profile

    return clinic_profile().phone


def too_young_message() -> str:
    """Why someone under 12 cannot use the online form, and what to do instead."""
    phone = clinic_phone()
    if phone:
        return gettext(
            "Sorry, this online form is for people aged %(age)s and over. Please call the "
            "clinic at %(phone)s, and we can help you another way.",
            age=vocab.MIN_AGE,
            phone=phone,
        )
    return gettext(
        "Sorry, this online form is for people aged %(age)s and over. Please call the "
        "clinic, and we can help you another way.",
        age=vocab.MIN_AGE,
    )


class AboutForm(StepForm):
    title = _l("About you")
    first_name = StringField(
        _l("First name"),
        validators=[Required(), TextLength(contract.NAME_MAX)],
        render_kw={"autocomplete": "given-name"},
    )
    last_name = StringField(
        _l("Last name"),
        validators=[Required(), TextLength(contract.NAME_MAX)],
        render_kw={"autocomplete": "family-name"},
    )
    date_of_birth = DateField(
        _l("Date of birth"),
        description=_l("We also ask for it if you come back later to finish."),
        validators=[
            Required(),
            PastDate(max_age=contract.MAX_AGE),
            MinimumAge(vocab.MIN_AGE, too_young_message, today=evaluation_day),
        ],
        render_kw={"autocomplete": "bday"},
    )
    email = StringField(
        _l("Email address"),
        description=_l("Optional, unless you would like us to contact you by email."),
        validators=[
            RequiredWhen(
                "preferred_contact",
                ("email",),
                _l("Please give your email, or choose another way."),
            ),
            TextLength(vocab.EMAIL_MAX),
            Check(
                contract.is_valid_email, _l("Please enter an email address like name@example.com.")
            ),
        ],
        render_kw={"autocomplete": "email", "inputmode": "email", "type": "email"},
    )
    phone = StringField(
        _l("Phone number"),
        description=_l("Optional, unless you would like a call or a text from us."),
        validators=[
            RequiredWhen(
                "preferred_contact",
                ("phone", "text"),
                _l("Please give your phone number, or choose another way."),
            ),
            TextLength(contract.PHONE_TEXT_MAX),
            Check(contract.is_valid_phone, _l("Please enter a phone number with 7 to 15 digits.")),
        ],
        render_kw={"autocomplete": "tel", "inputmode": "tel", "type": "tel"},
    )
    preferred_language = RadioField(
        _l("Which language do you prefer?"),
        choices=wording.choices(vocab.LANGUAGES),
        validators=[Required()],
    )
    preferred_contact = RadioField(
        _l("How should the clinic contact you?"),
        choices=wording.choices(vocab.CONTACT_METHODS),
        validators=[Required()],
    )

    def answers(self) -> dict[str, Any]:
        return {
            "patient": {
                "first_name": self.first_name.data,
                "last_name": self.last_name.data,
                "date_of_birth": _iso(self.date_of_birth.data),
                "email": self.email.data or None,
                "phone": self.phone.data or None,
                "preferred_language": self.preferred_language.data,
                "preferred_contact": self.preferred_contact.data,
            }
        }


# 2. What brings you here -------------------------------------------------------------------


class ConcernsForm(StepForm):
    title = _l("What brings you here")
    primary = RadioField(
        _l("What would you most like help with?"),
        choices=wording.choices(vocab.PRIMARY_CONCERNS),
        validators=[Required()],
    )
    other_description = TextAreaField(
        _l("Please tell us in a few words what you would like help with"),
        validators=[
            HiddenUnless(
                "primary",
                values=("other",),
                hint=_l("Answer only if you chose “Something else”."),
            ),
            Required(),
            TextLength(contract.OTHER_DESCRIPTION_MAX),
        ],
    )
    episode_months = WholeNumberField(
        _l("How many months have you been feeling this way this time?"),
        description=_l("Write 0 if it is less than a month. A year is 12 months."),
        validators=[Required(), NumberRange(0, contract.EPISODE_MONTHS_MAX)],
    )
    psychotic_symptoms = _yn(
        _l(
            "Have you heard or seen things other people could not, or believed things others "
            "said were not true?"
        )
    )
    mania_history = _yn(
        _l(
            "Have you ever had days when you felt so high or full of energy that others worried, "
            "or you hardly needed sleep?"
        )
    )
    bipolar_diagnosis = _yn(_l("Has a doctor ever told you that you have bipolar disorder?"))

    def answers(self) -> dict[str, Any]:
        return {
            "concerns": {
                "primary": self.primary.data,
                "other_description": self.other_description.data or None,
                "episode_months": self.episode_months.data,
                "psychotic_symptoms": self.psychotic_symptoms.data,
                "mania_history": self.mania_history.data,
                "bipolar_diagnosis": self.bipolar_diagnosis.data,
            }
        }


# 3-4. PHQ-9 and GAD-7, built from their item lists -----------------------------------------


def _difficulty_needed(form: Any, field: Any) -> None:
    """The "how difficult" question is needed once any PHQ-9 item is above "Not at all"."""
    if not is_blank(field) or partial_mode.get():
        return
    if any(
        form[f"item_{n}"].data not in (None, "", "0")
        for n in range(1, contract.PHQ9_ITEM_COUNT + 1)
    ):
        raise StopValidation(gettext("Please answer this question, because you checked a problem."))


def _item_scores(form: StepForm, count: int) -> list[int]:
    return [int(form[f"item_{n}"].data) for n in range(1, count + 1)]


PHQ9_DIFFICULTY = Ask(
    "difficulty",
    q.PHQ9_DIFFICULTY_QUESTION,
    hint=_l("Answer this if you chose anything other than “Not at all” above."),
    choices=q.PHQ9_DIFFICULTY_CHOICES,
    validators=(_difficulty_needed, OptionalAnswer()),
)


@questionnaire_form(
    (*numbered(q.PHQ9_ITEMS), PHQ9_DIFFICULTY),
    q.FREQUENCY_CHOICES,
    title=_l("How you have been feeling (PHQ-9)"),
    stem=q.PHQ9_STEM,
    attribution=q.PHQ_ATTRIBUTION,
)
class Phq9Form(QuestionnaireForm):
    def item9_positive(self) -> bool:
        return self["item_9"].data in ("1", "2", "3")

    def answers(self) -> dict[str, Any]:
        return {
            "phq9": {
                "items": _item_scores(self, contract.PHQ9_ITEM_COUNT),
                "difficulty": self["difficulty"].data or None,
            }
        }


@questionnaire_form(
    numbered(q.GAD7_ITEMS),
    q.FREQUENCY_CHOICES,
    title=_l("Worry and anxiety (GAD-7)"),
    stem=q.GAD7_STEM,
    attribution=q.PHQ_ATTRIBUTION,
)
class Gad7Form(QuestionnaireForm):
    def answers(self) -> dict[str, Any]:
        return {"gad7": {"items": _item_scores(self, contract.GAD7_ITEM_COUNT)}}


# 5. ASQ ------------------------------------------------------------------------------------


#: Yes, no, or "I'd rather not answer" (intake-answers/2): the ASQ counts declining a question
#: as a positive screen, so it is a real answer, worded kindly.
ASQ_CHOICES = wording.as_published(vocab.ASQ_ANSWERS)
#: The ASQ answers that count as a positive screen (questions 1-4) or as acute risk (question 5).
ASQ_POSITIVE = ("yes", "declined")


ASQ_RIGHT_NOW = Ask(
    q.ASQ_RIGHT_NOW.key,
    q.ASQ_RIGHT_NOW.text,
    validators=(
        HiddenUnless(
            [item.key for item in q.ASQ_ITEMS],
            values=ASQ_POSITIVE,
            hint=_l(
                "Answer only if you chose “Yes” or “I'd rather not answer” for any question above."
            ),
            keep=True,
        ),
        Required(),
    ),
)


@questionnaire_form(
    (*asks(q.ASQ_ITEMS), ASQ_RIGHT_NOW),
    ASQ_CHOICES,
    title=_l("Questions about safety (ASQ)"),
    attribution=q.ASQ_ATTRIBUTION,
)
class AsqForm(QuestionnaireForm):
    """ASQ questions 1-4 and question 5 ("right now").

    Question 5 is *asked* (shown by the script, required) after a yes or a declined answer to
    1-4, but an answer to it is never dropped (intake-answers/2): with JavaScript off it is on
    the page whatever the other answers are, and it is kept, checked and stored as given.
    """

    def positive(self) -> bool:
        """A positive screen: yes, or declined, to any of questions 1-4."""
        return any(self[item.key].data in ASQ_POSITIVE for item in q.ASQ_ITEMS)

    def acute(self) -> bool:
        """Acute risk: yes, or declined, to question 5 (whatever 1-4 say)."""
        return self[q.ASQ_RIGHT_NOW.key].data in ASQ_POSITIVE

    def needs_support(self) -> bool:
        """The support page comes next: a positive screen, or acute risk."""
        return self.positive() or self.acute()

    def answers(self) -> dict[str, Any]:
        out = {item.key: self[item.key].data for item in q.ASQ_ITEMS}
        out[q.ASQ_RIGHT_NOW.key] = self[q.ASQ_RIGHT_NOW.key].data or None
        return {"asq": out}


# 6. Medications tried ----------------------------------------------------------------------

MED_OUTCOME_CHOICES = wording.choices(vocab.MED_OUTCOMES, blank=_l("Choose one"))


DURATION_UNIT_CHOICES = wording.choices(vocab.DURATION_UNITS)
#: Weeks in a month and in a year (365.25 days / 7); the contract stores whole weeks.
WEEKS_PER = {"weeks": 1.0, "months": 365.25 / 7 / 12, "years": 365.25 / 7}


def in_weeks(amount: int, unit: str | None) -> int:
    """``amount`` weeks, months or years as whole weeks (rounded to the nearest week)."""
    return round(amount * WEEKS_PER[unit or "weeks"])


def most_in(unit: str) -> int:
    """The largest whole number of ``unit`` the contract's weeks limit holds (2600 weeks,
    598 months, 49 years)."""
    amount = int(contract.WEEKS_MAX / WEEKS_PER[unit]) + 1
    while in_weeks(amount, unit) > contract.WEEKS_MAX:
        amount -= 1
    return amount


def _duration_in_range(form: Any, field: Any) -> None:
    unit = form.duration_unit.data or "weeks"
    if field.data is None or unit not in WEEKS_PER:
        raise StopValidation()
    if field.data < 0 or in_weeks(field.data, unit) > contract.WEEKS_MAX:
        raise ValidationError(
            gettext(
                "Please enter a number from 0 to %(most)s %(unit)s.",
                most=most_in(unit),
                unit=gettext(dict(vocab.form_choices(vocab.DURATION_UNITS))[unit]),
            )
        )


CONFIRM_DOSE_LABEL = _l("Yes, this dose is right")


def _dose_plausible(form: Any, field: Any) -> None:
    """Ask to check a dose above the medicine's usual highest daily dose (on Next only).

    A typo (1000 for 100) is caught here, and a real high dose is kept once the patient ticks
    the box: the dose is never refused or changed for being high.
    """
    from intake.rules.doses import usual_maximum

    if partial_mode.get() or field.data is None or form.dose_confirmed.data:
        return
    maximum = usual_maximum(form.name.data or "")
    if maximum is not None and field.data > maximum:
        form.dose_needs_confirming = True
        raise ValidationError(
            gettext(
                "This is more than the usual highest daily dose of this medicine. Please check "
                "the number. If it is right, tick “%(confirm)s” just below it.",
                confirm=CONFIRM_DOSE_LABEL,
            )
        )


class MedicationTrialForm(RowForm):
    name = StringField(
        _l("Medicine name"),
        validators=[Required(), TextLength(contract.MEDICINE_NAME_MAX)],
        render_kw={"list": "medicine-names", "autocomplete": "off"},
    )
    daily_dose_mg = DecimalNumberField(
        _l("Highest dose per day, in mg"),
        description=_l("Leave empty if you do not know. For example 150 or 37.5."),
        validators=[
            OptionalAnswer(),
            NumberRange(0, contract.DOSE_MAX_MG, above_minimum=True),
            _dose_plausible,
        ],
        unit="mg",
    )
    dose_confirmed = ConfirmBox(CONFIRM_DOSE_LABEL)
    weeks = WholeNumberField(
        _l("How long did you take it?"),
        description=_l("Write 0 if it was less than a week. Choose weeks, months or years."),
        validators=[Required(), _duration_in_range],
    )
    duration_unit = SelectField(
        _l("Weeks, months or years"),
        choices=DURATION_UNIT_CHOICES,
        default="weeks",
        validators=[OptionalAnswer()],
    )
    outcome = SelectField(
        _l("How did it go?"), choices=MED_OUTCOME_CHOICES, validators=[Required()]
    )
    current = BooleanField(_l("I still take this medicine"))
    #: Set when the dose check asks for the box (the template shows it then, or when ticked).
    dose_needs_confirming = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        dose = self.daily_dose_mg.data
        self.dose_confirmed.bind_to(f"{(self.name.data or '').casefold()}|{dose}")

    def answers(self) -> dict[str, Any]:
        return {
            "name": self.name.data,
            "daily_dose_mg": self.daily_dose_mg.data,
            "weeks": in_weeks(int(self.weeks.data or 0), self.duration_unit.data),
            "outcome": self.outcome.data,
            "current": bool(self.current.data),
        }


def _drop_blank_rows(rows: FieldList) -> None:
    kept = [entry for entry in rows.entries if not entry.form.is_blank()]
    rows.entries = kept
    rows.last_index = len(kept) - 1


class MedicationsForm(StepForm):
    title = _l("Medicines you have tried")
    repeating = "medication_trials"
    medication_trials = FieldList(
        FormField(MedicationTrialForm),
        min_entries=1,
        max_entries=contract.MAX_MEDICATION_TRIALS,
    )

    def before_validate(self) -> None:
        _drop_blank_rows(self.medication_trials)

    def answers(self) -> dict[str, Any]:
        return {"medication_trials": [e.form.answers() for e in self.medication_trials.entries]}


# 7. Therapy and other treatments -----------------------------------------------------------

THERAPY_CHOICES = wording.choices(vocab.THERAPY_MODALITIES, blank=_l("Choose one"))
THERAPY_OUTCOME_CHOICES = wording.choices(vocab.THERAPY_OUTCOMES, blank=_l("Choose one"))
NEUROMOD_CHOICES = wording.choices(vocab.NEUROMOD_OUTCOMES)


class PsychotherapyTrialForm(RowForm):
    modality = SelectField(_l("Type of therapy"), choices=THERAPY_CHOICES, validators=[Required()])
    sessions = WholeNumberField(
        _l("About how many sessions?"),
        validators=[Required(), NumberRange(0, contract.SESSIONS_MAX)],
    )
    outcome = SelectField(
        _l("How did it go?"), choices=THERAPY_OUTCOME_CHOICES, validators=[Required()]
    )
    current = BooleanField(_l("I am still having this therapy"))

    def answers(self) -> dict[str, Any]:
        return {
            "modality": self.modality.data,
            "sessions": self.sessions.data,
            "outcome": self.outcome.data,
            "current": bool(self.current.data),
        }


def _other_medicines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _other_medicines_ok(text: str | None) -> bool:
    lines = _other_medicines(text)
    return len(lines) <= contract.MAX_OTHER_MEDICATIONS and all(
        len(line) <= contract.MEDICINE_NAME_MAX for line in lines
    )


def _lines_plain(form: Any, field: Any) -> None:
    """Each listed medicine is one line of plain text (a pasted tab is refused here, at the
    field, as the contract refuses it in ``other_medications[i]``)."""
    for line in _other_medicines(field.data):
        fault = text_fault(line)
        if fault is not None:
            raise ValidationError(gettext(FORM_MESSAGES[fault]))


class TreatmentsForm(StepForm):
    title = _l("Therapy and other treatments")
    repeating = "psychotherapy_trials"
    psychotherapy_trials = FieldList(
        FormField(PsychotherapyTrialForm),
        min_entries=1,
        max_entries=contract.MAX_PSYCHOTHERAPY_TRIALS,
    )
    tms = RadioField(
        _l("TMS (transcranial magnetic stimulation)"),
        choices=NEUROMOD_CHOICES,
        validators=[Required()],
    )
    ect = RadioField(
        _l("ECT (electroconvulsive therapy)"), choices=NEUROMOD_CHOICES, validators=[Required()]
    )
    ketamine = RadioField(
        _l("Ketamine or esketamine (Spravato)"), choices=NEUROMOD_CHOICES, validators=[Required()]
    )
    other_medications = TextAreaField(
        _l("Other medicines you take now"),
        description=(
            _l(
                "One medicine per line, for example blood pressure or sleep medicines. "
                "Up to %(count)s lines. Leave empty if none.",
                count=contract.MAX_OTHER_MEDICATIONS,
            )
        ),
        validators=[
            OptionalAnswer(),
            TextLength(6000),
            _lines_plain,
            Check(
                _other_medicines_ok,
                _l(
                    "Please list up to %(count)s medicines, one per line, each %(length)s "
                    "characters or fewer.",
                    count=contract.MAX_OTHER_MEDICATIONS,
                    length=contract.MEDICINE_NAME_MAX,
                ),
            ),
        ],
        render_kw={"rows": 4},
    )

    def before_validate(self) -> None:
        _drop_blank_rows(self.psychotherapy_trials)

    def answers(self) -> dict[str, Any]:
        return {
            "psychotherapy_trials": [e.form.answers() for e in self.psychotherapy_trials.entries],
            "neuromodulation": {
                "tms": self.tms.data,
                "ect": self.ect.data,
                "ketamine": self.ketamine.data,
            },
            "other_medications": _other_medicines(self.other_medications.data),
        }


# 8. TMS safety questions, built from their item list ---------------------------------------


@questionnaire_form(
    (
        *translated(asks(q.SAFETY_ITEMS)),
        Ask(
            q.PREGNANT_ITEM.key,
            wording.patient(q.PREGNANT_ITEM.text),
            wording.patient(q.PREGNANT_ITEM.hint),
            choices=wording.choices(vocab.PREGNANT),
        ),
    ),
    YN_CHOICES,
    title=_l("TMS safety questions"),
)
class SafetyForm(QuestionnaireForm):
    def answers(self) -> dict[str, Any]:
        return {"safety_screen": self.given()}


# 9. Preferences ----------------------------------------------------------------------------

PREFERENCE_QUESTIONS = (
    Ask("open_to_tms", _l("Would you consider TMS treatment?")),
    Ask("open_to_psychotherapy", _l("Would you consider talk therapy (psychotherapy)?")),
    Ask("open_to_medication_changes", _l("Would you consider starting or changing a medicine?")),
    Ask(
        "can_attend_daily_sessions",
        _l("Could you come to the clinic on most weekdays for about 6 weeks?"),
    ),
)


@questionnaire_form(PREFERENCE_QUESTIONS, YN_CHOICES, title=_l("Your preferences"))
class PreferencesForm(QuestionnaireForm):
    def answers(self) -> dict[str, Any]:
        return {"preferences": self.given()}


# 10. Insurance -----------------------------------------------------------------------------

INSURED = ("commercial", "medicare", "medicaid", "tricare", "other")
_ONLY_INSURED = _l("Answer only if you are not paying for yourself.")
_ONLY_OTHER_PERSON = _l("Answer only if the insurance is in someone else's name.")


def _insured() -> HiddenUnless:
    return HiddenUnless("coverage_type", not_values=("self_pay",), hint=_ONLY_INSURED)


def _valid_member_id(form: Any, field: Any) -> None:
    if form.coverage_type.data == "medicare" and not contract.is_valid_mbi(field.data):
        raise ValidationError(
            gettext(
                "Please enter the 11-character Medicare number from your red, white and blue "
                "Medicare card, like 1EG4-TE5-MK73."
            )
        )


class InsuranceForm(StepForm):
    title = _l("Insurance")
    coverage_type = RadioField(
        _l("How will you pay for care?"),
        choices=wording.choices(vocab.COVERAGE_TYPES),
        validators=[Required()],
    )
    payer_name = StringField(
        _l("Insurance company name"),
        validators=[_insured(), Required(), TextLength(contract.PAYER_MAX)],
    )
    member_id = StringField(
        _l("Member ID"),
        description=_l("It is on your insurance card. For Medicare, it is the Medicare Number."),
        validators=[_insured(), Required(), TextLength(contract.MEMBER_ID_MAX), _valid_member_id],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    group_number = StringField(
        _l("Group number (optional)"),
        validators=[_insured(), OptionalAnswer(), TextLength(contract.GROUP_NUMBER_MAX)],
        render_kw={"autocomplete": "off"},
    )
    subscriber_relationship = RadioField(
        _l("Whose name is the insurance in?"),
        choices=wording.choices(vocab.RELATIONSHIPS),
        validators=[_insured(), Required()],
    )
    subscriber_name = StringField(
        _l("Full name of the person the insurance is in"),
        validators=[
            HiddenUnless(
                "subscriber_relationship",
                values=("spouse", "parent", "other"),
                hint=_ONLY_OTHER_PERSON,
            ),
            Required(),
            TextLength(contract.SUBSCRIBER_NAME_MAX),
        ],
    )
    subscriber_date_of_birth = DateField(
        _l("Their date of birth"),
        validators=[
            HiddenUnless(
                "subscriber_relationship",
                values=("spouse", "parent", "other"),
                hint=_ONLY_OTHER_PERSON,
            ),
            Required(),
            PastDate(max_age=contract.MAX_AGE),
        ],
    )

    def answers(self) -> dict[str, Any]:
        insured = self.coverage_type.data != "self_pay"
        other = insured and self.subscriber_relationship.data in ("spouse", "parent", "other")
        dob = self.subscriber_date_of_birth.data
        return {
            "insurance": {
                "coverage_type": self.coverage_type.data,
                "payer_name": self.payer_name.data if insured else None,
                "member_id": self.member_id.data if insured else None,
                "group_number": (self.group_number.data or None) if insured else None,
                "subscriber_relationship": self.subscriber_relationship.data if insured else None,
                "subscriber_name": self.subscriber_name.data if other else None,
                "subscriber_date_of_birth": dob.isoformat() if other and dob else None,
            }
        }


# 11. Review and consent --------------------------------------------------------------------


class ConsentForm(StepForm):
    """The consent of an adult (or of someone whose age is not known yet)."""

    title = _l("Review and send")
    has_guardian = False
    understands_educational_only = BooleanField(
        _l(
            "I understand that this form gives general, educational information only. "
            "It is not a diagnosis or medical advice."
        ),
        validators=[MustBeTicked(_l("Please tick this box to send your answers."))],
    )
    agrees_to_contact = BooleanField(
        _l("The clinic may contact me about my answers and appointments.")
    )
    signature = StringField(
        _l("Type your full name as your signature"),
        validators=[Required(), TextLength(contract.SIGNATURE_MAX)],
        render_kw={"autocomplete": "name"},
    )

    def answers(self) -> dict[str, Any]:
        return {
            "consent": {
                "understands_educational_only": bool(self.understands_educational_only.data),
                "agrees_to_contact": bool(self.agrees_to_contact.data),
                "signature": self.signature.data,
                # Named in the consent only under 18 (``GuardianConsentForm``).
                "guardian_name": None,
                "guardian_relationship": None,
            }
        }


class GuardianConsentForm(ConsentForm):
    """The consent of someone under 18: a parent or legal guardian is named in it too
    (intake-answers/2). The wizard picks it from the draft's date of birth (``consent_form``),
    so it works without JavaScript and an adult's page neither shows nor sends these fields."""

    has_guardian = True
    guardian_intro = _l(
        "You are under 18, so a parent or legal guardian needs to take part in this form. "
        "Please look over your answers together before you send them."
    )
    guardian_name = StringField(
        _l("Your parent's or legal guardian's full name"),
        description=_l(
            "Parent or guardian: please type your own name. It shows that you have "
            "looked over these answers and agree to send them."
        ),
        validators=[Required(), TextLength(contract.GUARDIAN_NAME_MAX)],
        render_kw={"autocomplete": "off"},
    )
    guardian_relationship = RadioField(
        _l("Is this person your parent or your legal guardian?"),
        choices=wording.choices(vocab.GUARDIAN_RELATIONSHIPS),
        validators=[Required()],
    )

    def answers(self) -> dict[str, Any]:
        out = super().answers()
        out["consent"]["guardian_name"] = self.guardian_name.data
        out["consent"]["guardian_relationship"] = self.guardian_relationship.data
        return out


def is_minor(age: int | None) -> bool:
    """Under 18 (a parent or legal guardian takes part in the consent); unknown is not."""
    return age is not None and age < vocab.ADULT_AGE


def consent_form(age: int | None) -> type[ConsentForm]:
    """The review step's form for someone of ``age`` (None while no date of birth is saved)."""
    return GuardianConsentForm if is_minor(age) else ConsentForm


#: The wizard's steps in order: URL name → form class.
STEP_FORMS: dict[str, type[StepForm]] = {
    "about": AboutForm,
    "concerns": ConcernsForm,
    "phq9": Phq9Form,
    "gad7": Gad7Form,
    "asq": AsqForm,
    "medications": MedicationsForm,
    "treatments": TreatmentsForm,
    "safety": SafetyForm,
    "preferences": PreferencesForm,
    "insurance": InsuranceForm,
    "review": ConsentForm,  # GuardianConsentForm under 18: see ``consent_form``
}
STEP_NAMES: tuple[str, ...] = tuple(STEP_FORMS)


class ResumeForm(WizardForm):
    code = StringField(
        _l("Resume code"),
        description=_l("The code you were given, like ABCD-EFGH-JKMN. Dashes and spaces are fine."),
        validators=[Required(), TextLength(40)],
        render_kw={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"},
    )
    date_of_birth = DateField(
        _l("Your date of birth"),
        validators=[Required()],
        render_kw={"autocomplete": "bday"},
    )


class SendPartialForm(WizardForm):
    """The support page's "send what I have answered so far" button (CSRF only): docs/wizard.md,
    "Sending what you have answered"."""

    title = _l("Send your answers to the clinic now")

    def contact(self) -> dict[str, Any] | None:
        """The contact details typed on the support page (None: "About you" is finished)."""
        return None


class SendPartialWithContactForm(SendPartialForm):
    """The same button when "About you" is not finished: the least the clinic needs to reach
    the patient, checked as on "About you" (a phone number is required here)."""

    first_name = AboutForm.first_name
    last_name = AboutForm.last_name
    date_of_birth = AboutForm.date_of_birth
    phone = StringField(
        _l("Phone number"),
        description=_l("So that someone from the clinic can call you."),
        validators=[
            Required(),
            TextLength(contract.PHONE_TEXT_MAX),
            Check(contract.is_valid_phone, _l("Please enter a phone number with 7 to 15 digits.")),
        ],
        render_kw={"autocomplete": "tel", "inputmode": "tel", "type": "tel"},
    )

    def contact(self) -> dict[str, Any] | None:
        return {
            "first_name": self.first_name.data,
            "last_name": self.last_name.data,
            "date_of_birth": _iso(self.date_of_birth.data),
            "phone": self.phone.data,
        }
