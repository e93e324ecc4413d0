"""The intake's vocabulary: every answer choice (its code and the patient's wording) and limit.

One home, so the answers contract (:mod:`intake.answers`, which validates codes and limits) and
the wizard's forms (which show the wording and enforce the same limits) cannot drift apart: a
choice added here is valid in the contract and offered on the form at once. Staff wording and
translations will plug in here too.

Pure Python: no Flask, no database.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Choice:
    """One answer option: the code stored in the answers document and what the patient reads."""

    code: str
    patient: str


Choices = tuple[Choice, ...]


def codes(choices: Choices) -> tuple[str, ...]:
    """The codes of ``choices``, in order (what the contract accepts)."""
    return tuple(choice.code for choice in choices)


def form_choices(choices: Choices, *, blank: str | None = None) -> list[tuple[str, str]]:
    """``(code, wording)`` pairs for a WTForms field, with a leading blank option if asked."""
    pairs = [(choice.code, choice.patient) for choice in choices]
    return [("", blank), *pairs] if blank is not None else pairs


def _choices(*pairs: tuple[str, str]) -> Choices:
    return tuple(Choice(code, patient) for code, patient in pairs)


YN = _choices(("yes", "Yes"), ("no", "No"), ("unsure", "Not sure"))
YES_NO = _choices(("yes", "Yes"), ("no", "No"))
#: The ASQ's answers from intake-answers/2: the ASQ counts "refuses to answer" as a positive
#: screen, so declining is a real answer, worded kindly (docs/wizard.md says what follows it).
ASQ_ANSWERS = (*YES_NO, Choice("declined", "I'd rather not answer"))
GUARDIAN_RELATIONSHIPS = _choices(("parent", "Parent"), ("legal_guardian", "Legal guardian"))
LANGUAGES = _choices(("en", "English"), ("es", "Español (Spanish)"))
CONTACT_METHODS = _choices(("phone", "Phone call"), ("email", "Email"), ("text", "Text message"))
PRIMARY_CONCERNS = _choices(
    ("depression", "Depression (low mood)"),
    ("anxiety", "Anxiety (worry, fear, panic)"),
    ("ocd", "OCD (obsessive-compulsive disorder)"),
    ("bipolar", "Bipolar disorder"),
    ("ptsd", "PTSD (after a trauma)"),
    ("other", "Something else"),
)
#: PHQ-9 and GAD-7 answers, scored 0-3 (the published wording).
FREQUENCY = _choices(
    ("0", "Not at all"),
    ("1", "Several days"),
    ("2", "More than half the days"),
    ("3", "Nearly every day"),
)
PHQ9_DIFFICULTY = _choices(
    ("not_difficult", "Not difficult at all"),
    ("somewhat_difficult", "Somewhat difficult"),
    ("very_difficult", "Very difficult"),
    ("extremely_difficult", "Extremely difficult"),
)
MED_OUTCOMES = _choices(
    ("no_improvement", "It did not help"),
    ("partial_improvement", "It helped a little"),
    ("full_improvement", "It helped a lot"),
    ("stopped_side_effects", "I stopped because of side effects"),
    ("too_early", "Too early to tell"),
)
#: How long a medicine was taken is typed with a unit; the contract keeps whole weeks.
DURATION_UNITS = _choices(("weeks", "weeks"), ("months", "months"), ("years", "years"))
THERAPY_MODALITIES = _choices(
    ("cbt", "CBT (cognitive behavioural therapy)"),
    ("dbt", "DBT (dialectical behaviour therapy)"),
    ("act", "ACT (acceptance and commitment therapy)"),
    ("ipt", "IPT (interpersonal therapy)"),
    ("mbct", "MBCT (mindfulness-based cognitive therapy)"),
    ("erp", "ERP (exposure and response prevention)"),
    ("psychodynamic", "Psychodynamic therapy"),
    ("trauma_focused", "Trauma-focused therapy (for example EMDR or CPT)"),
    ("supportive", "Supportive counselling"),
    ("other", "Other or not sure"),
)
THERAPY_OUTCOMES = _choices(
    ("no_improvement", "It did not help"),
    ("partial_improvement", "It helped a little"),
    ("full_improvement", "It helped a lot"),
    ("stopped", "I stopped early"),
    ("ongoing", "I am still going"),
)
NEUROMOD_OUTCOMES = _choices(
    ("none", "I have not had it"),
    ("no_improvement", "It did not help"),
    ("partial_improvement", "It helped a little"),
    ("full_improvement", "It helped a lot"),
    ("stopped", "I stopped early"),
)
PREGNANT = (*YN, Choice("not_applicable", "Does not apply to me"))
COVERAGE_TYPES = _choices(
    ("commercial", "Health insurance from work or that I bought"),
    ("medicare", "Medicare"),
    ("medicaid", "Medicaid"),
    ("tricare", "TRICARE (military)"),
    ("self_pay", "I will pay myself"),
    ("other", "Other"),
)
RELATIONSHIPS = _choices(
    ("self", "Mine"),
    ("spouse", "My spouse or partner"),
    ("parent", "My parent"),
    ("other", "Someone else"),
)

# Limits shared by the contract and the forms --------------------------------------------------

NAME_MAX = 100
EMAIL_MAX = 254
#: Generous room for spaces and dashes; the digit count (7-15) is what is checked.
PHONE_TEXT_MAX = 100
PHONE_DIGITS = (7, 15)
OTHER_DESCRIPTION_MAX = 500
EPISODE_MONTHS_MAX = 600
MAX_MEDICATION_TRIALS = 30
MAX_OTHER_MEDICATIONS = 50
MAX_PSYCHOTHERAPY_TRIALS = 20
MEDICINE_NAME_MAX = 100
DOSE_MAX_MG = 3000
MAX_AGE = 120
#: The online intake is for people aged 12 and over (intake-answers/2; the PHQ-9 is validated
#: from adolescence); under 18, a parent or legal guardian takes part in the consent.
MIN_AGE = 12
ADULT_AGE = 18
#: How long a medicine was taken, in weeks: 50 years (intake-answers/2).
WEEKS_MAX = 2600
#: intake-answers/1 documents keep the limit this app gave them: a lifetime (MAX_AGE years).
WEEKS_MAX_V1 = 6262
SESSIONS_MAX = 1000
PAYER_MAX = 100
MEMBER_ID_MAX = 100
GROUP_NUMBER_MAX = 50
SUBSCRIBER_NAME_MAX = 200
SIGNATURE_MAX = 200
GUARDIAN_NAME_MAX = 200
