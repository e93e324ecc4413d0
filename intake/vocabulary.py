"""The intake's vocabulary: every answer choice and question, in each wording, and every limit.

One home, so the answers contract (:mod:`intake.answers`, which validates codes and limits), the
wizard's forms (which show the patient's wording and enforce the same limits), the staff pages
(which show the staff wording) and the rules' explanations (which name some answers in a
phrase) cannot drift apart: a choice added here is valid in the contract, offered on the form,
labelled on every staff page and, where the rules name it, phrased in their explanations at once
(``tests/test_vocabulary.py`` checks that every code has its wording). Translations will plug in
here too.

Each code has up to three wordings:

- ``patient``: what the patient reads on the form (questionnaires: the published wording);
- ``staff``: what staff pages show (the patient's wording when not given): the queue, the
  submission page, the clinician summary and its PDF, the insurance panel and packet. Templates
  write ``{{ code|label("coverage_types") }}`` (the list's name here, in lower case), Python
  ``staff_label(COVERAGE_TYPES, code)``;
- ``phrase``: how the rules' explanations name it inside a sentence ("a seizure in the past"),
  only where the rules do (``intake.rules.facts``). Changing a phrase changes rendered
  ``because`` lines, so it is rule wording: bump the ruleset's version as for a wording change.

A few codes of the evaluation (coverage criteria and their status) and of the summary (the kind
of a safety finding) are shown to staff only; they are :class:`Label` lists.

Pure Python: no Flask, no database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Choice:
    """One answer option: the code stored in the answers document and its wordings.

    ``staff`` defaults to the patient's wording; ``phrase`` is empty unless the rules name it.
    """

    code: str
    patient: str
    staff: str = ""
    phrase: str = ""

    def __post_init__(self) -> None:
        if not self.staff:
            object.__setattr__(self, "staff", self.patient)


@dataclass(frozen=True)
class Question:
    """One questionnaire item: its code (the form field and the answers document key), the
    question the patient reads with an optional hint, the short label staff read, and the
    rules' phrase where their explanations name the item."""

    code: str
    patient: str
    staff: str
    hint: str | None = None
    phrase: str = ""


@dataclass(frozen=True)
class Label:
    """A code only staff see (from the evaluation or the summary) and its staff wording."""

    code: str
    staff: str


class Worded(Protocol):
    """Anything with a code and a staff wording: a Choice, a Question or a Label."""

    @property
    def code(self) -> str: ...

    @property
    def staff(self) -> str: ...


Choices = tuple[Choice, ...]
Questions = tuple[Question, ...]


def codes(choices: Iterable[Worded]) -> tuple[str, ...]:
    """The codes of ``choices``, in order (what the contract accepts)."""
    return tuple(choice.code for choice in choices)


def form_choices(choices: Choices, *, blank: str | None = None) -> list[tuple[str, str]]:
    """``(code, wording)`` pairs for a WTForms field, with a leading blank option if asked."""
    pairs = [(choice.code, choice.patient) for choice in choices]
    return [("", blank), *pairs] if blank is not None else pairs


def words(code: str) -> str:
    """A code in plain words, for a code no list knows: ``moderately_severe`` → ``moderately
    severe``."""
    return code.replace("_", " ")


def staff_label(choices: Iterable[Worded], code: str | None) -> str:
    """What staff pages show for ``code`` of ``choices``: its staff wording.

    A code the list does not know (a stored document older or newer than this vocabulary) is
    shown in plain words rather than failing the page; no answer at all is "—".
    """
    if code is None:
        return "—"
    for choice in choices:
        if choice.code == code:
            return choice.staff
    return words(code)


def staff_labels(choices: Iterable[Worded]) -> dict[str, str]:
    """``{code: staff wording}`` in order (the choices of a staff filter)."""
    return {choice.code: choice.staff for choice in choices}


def phrases(items: Iterable[Choice | Question]) -> dict[str, str]:
    """``{code: phrase}`` for the items the rules name, in order (the rules' ``*_WORDS``)."""
    return {item.code: item.phrase for item in items if item.phrase}


def _choices(*entries: tuple[str, ...]) -> Choices:
    """Choices from ``(code, patient)``, ``(code, patient, staff)`` or ``(code, patient, staff,
    phrase)``; a staff wording of ``""`` is the patient's."""
    return tuple(Choice(*entry) for entry in entries)


# Answer choices ---------------------------------------------------------------------------------
# Staff pages show yes / no answers as the words themselves, in lower case.

YN = _choices(("yes", "Yes", "yes"), ("no", "No", "no"), ("unsure", "Not sure", "unsure"))
YES_NO = _choices(("yes", "Yes", "yes"), ("no", "No", "no"))
#: The ASQ's answers from intake-answers/2: the ASQ counts "refuses to answer" as a positive
#: screen, so declining is a real answer, worded kindly (docs/wizard.md says what follows it).
ASQ_ANSWERS = (*YES_NO, Choice("declined", "I'd rather not answer", "declined to answer"))
GUARDIAN_RELATIONSHIPS = _choices(
    ("parent", "Parent", "parent"), ("legal_guardian", "Legal guardian", "legal guardian")
)
LANGUAGES = _choices(("en", "English"), ("es", "Español (Spanish)", "Spanish"))
CONTACT_METHODS = _choices(
    ("phone", "Phone call", "phone"), ("email", "Email", "email"), ("text", "Text message", "text")
)
PRIMARY_CONCERNS = _choices(
    ("depression", "Depression (low mood)", "Depression", "depression"),
    ("anxiety", "Anxiety (worry, fear, panic)", "Anxiety", "anxiety"),
    ("ocd", "OCD (obsessive-compulsive disorder)", "OCD", "OCD"),
    ("bipolar", "Bipolar disorder", "Bipolar", "bipolar disorder"),
    ("ptsd", "PTSD (after a trauma)", "PTSD", "PTSD"),
    ("other", "Something else", "Other", "another concern"),
)
#: PHQ-9 and GAD-7 answers, scored 0-3 (the published wording).
FREQUENCY = _choices(
    ("0", "Not at all", "not at all"),
    ("1", "Several days", "several days"),
    ("2", "More than half the days", "more than half the days"),
    ("3", "Nearly every day", "nearly every day"),
)
PHQ9_DIFFICULTY = _choices(
    ("not_difficult", "Not difficult at all", "not difficult"),
    ("somewhat_difficult", "Somewhat difficult", "somewhat difficult"),
    ("very_difficult", "Very difficult", "very difficult"),
    ("extremely_difficult", "Extremely difficult", "extremely difficult"),
)
MED_OUTCOMES = _choices(
    ("no_improvement", "It did not help", "no improvement"),
    ("partial_improvement", "It helped a little", "partial improvement"),
    ("full_improvement", "It helped a lot", "full improvement"),
    ("stopped_side_effects", "I stopped because of side effects", "stopped: side effects"),
    ("too_early", "Too early to tell", "too early to tell"),
)
#: How long a medicine was taken is typed with a unit; the contract keeps whole weeks.
DURATION_UNITS = _choices(("weeks", "weeks"), ("months", "months"), ("years", "years"))
THERAPY_MODALITIES = _choices(
    ("cbt", "CBT (cognitive behavioural therapy)", "CBT", "CBT"),
    ("dbt", "DBT (dialectical behaviour therapy)", "DBT", "DBT"),
    ("act", "ACT (acceptance and commitment therapy)", "ACT", "ACT"),
    ("ipt", "IPT (interpersonal therapy)", "IPT", "IPT"),
    ("mbct", "MBCT (mindfulness-based cognitive therapy)", "MBCT", "MBCT"),
    ("erp", "ERP (exposure and response prevention)", "ERP", "ERP"),
    ("psychodynamic", "Psychodynamic therapy", "Psychodynamic", "psychodynamic therapy"),
    (
        "trauma_focused",
        "Trauma-focused therapy (for example EMDR or CPT)",
        "Trauma-focused",
        "trauma-focused therapy",
    ),
    ("supportive", "Supportive counselling", "Supportive", "supportive therapy"),
    ("other", "Other or not sure", "Other", "other therapy"),
)
THERAPY_OUTCOMES = _choices(
    ("no_improvement", "It did not help", "no improvement"),
    ("partial_improvement", "It helped a little", "partial improvement"),
    ("full_improvement", "It helped a lot", "full improvement"),
    ("stopped", "I stopped early", "stopped"),
    ("ongoing", "I am still going", "ongoing"),
)
NEUROMOD_OUTCOMES = _choices(
    ("none", "I have not had it", "none"),
    ("no_improvement", "It did not help", "no improvement"),
    ("partial_improvement", "It helped a little", "partial improvement"),
    ("full_improvement", "It helped a lot", "full improvement"),
    ("stopped", "I stopped early", "stopped"),
)
PREGNANT = (*YN, Choice("not_applicable", "Does not apply to me", "not applicable"))
COVERAGE_TYPES = _choices(
    ("commercial", "Health insurance from work or that I bought", "Commercial"),
    ("medicare", "Medicare"),
    ("medicaid", "Medicaid"),
    ("tricare", "TRICARE (military)", "TRICARE"),
    ("self_pay", "I will pay myself", "Self-pay"),
    ("other", "Other"),
)
RELATIONSHIPS = _choices(
    ("self", "Mine", "self"),
    ("spouse", "My spouse or partner", "spouse"),
    ("parent", "My parent", "parent"),
    ("other", "Someone else", "other"),
)

# Check-ins during a course of care (intake-course/1) --------------------------------------------
# The known TMS side effects (clinical-facts.md, "TMS safety"), each rated none to severe; the
# codes are the contract's keys. The staff label is what the course pages and the rules name.

SIDE_EFFECTS = _choices(
    ("headache", "Headache", "headache"),
    ("scalp_discomfort", "Scalp discomfort or pain where the coil sits", "scalp discomfort"),
    ("twitching", "Twitching of the jaw or face during sessions", "jaw or facial twitching"),
    ("light_headedness", "Feeling light-headed", "light-headedness"),
    ("hearing_change", "A change in your hearing", "hearing change"),
    ("seizure", "A seizure (a fit)", "seizure"),
    ("elevated_mood", "Feeling unusually high, wired or full of energy", "elevated mood"),
    ("other", "Something else", "other side effect"),
)
SIDE_EFFECT_SEVERITY = _choices(
    ("none", "None"),
    ("mild", "Mild"),
    ("moderate", "Moderate"),
    ("severe", "Severe"),
)

# Courses of care (issue 16) ---------------------------------------------------------------------
# What a clinician starts from a reviewed intake; the patient's wording is what a check-in page
# names ("your TMS treatment"), the staff label what the course pages and reports show.

COURSE_KINDS = _choices(
    ("standard_tms", "TMS treatment", "Standard TMS"),
    ("accelerated_tms", "TMS treatment", "Accelerated TMS"),
    ("deep_tms_ocd", "Deep TMS treatment", "Deep TMS for OCD"),
    ("psychotherapy", "Therapy", "Psychotherapy"),
    ("medication_management", "Medication care", "Medication management"),
)
#: How a course ends (``active`` until then); ``stopped_early`` asks for a reason.
COURSE_STATUSES = _choices(
    ("active", "Active", "Active"),
    ("completed", "Completed", "Completed"),
    ("stopped_early", "Stopped early", "Stopped early"),
    ("transferred", "Transferred", "Transferred to another service"),
)
#: Why a check-in exists: at the start, each interval, at the end, and monthly after a
#: completed course (watching for relapse).
CHECKIN_KINDS = _choices(
    ("baseline", "Baseline", "Baseline"),
    ("interval", "Check-in", "Scheduled check-in"),
    ("end", "End of treatment", "End of course"),
    ("maintenance", "Follow-up", "Maintenance follow-up"),
)

# Questionnaire items ----------------------------------------------------------------------------
# PHQ-9, GAD-7 and ASQ in their published wording (intake.forms.questionnaires has the stems and
# the attributions their publishers ask for); the TMS safety questions are our own plain-language
# version of the IFCN screening questionnaire. Codes are the wizard's field names and the keys of
# the answers document (PHQ-9 and GAD-7 items are stored as a list, in this order).

#: The questionnaires' stems and the PHQ-9's difficulty question, read by the wizard's forms
#: (``intake.forms.questionnaires``) and the FHIR Questionnaires (``intake.fhir``).
PHQ9_STEM = (
    "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
)
PHQ9_DIFFICULTY_QUESTION = (
    "If you checked off any problems, how difficult have these problems made it for you to do "
    "your work, take care of things at home, or get along with other people?"
)
GAD7_STEM = "Over the last 2 weeks, how often have you been bothered by the following problems?"

PHQ9_QUESTIONS = (
    Question(
        "item_1", "Little interest or pleasure in doing things", "Little interest or pleasure"
    ),
    Question("item_2", "Feeling down, depressed, or hopeless", "Down, depressed, hopeless"),
    Question("item_3", "Trouble falling or staying asleep, or sleeping too much", "Sleep trouble"),
    Question("item_4", "Feeling tired or having little energy", "Tired, little energy"),
    Question("item_5", "Poor appetite or overeating", "Appetite change"),
    Question(
        "item_6",
        "Feeling bad about yourself — or that you are a failure or have let yourself or your "
        "family down",
        "Feeling bad about self",
    ),
    Question(
        "item_7",
        "Trouble concentrating on things, such as reading the newspaper or watching television",
        "Trouble concentrating",
    ),
    Question(
        "item_8",
        "Moving or speaking so slowly that other people could have noticed? Or the opposite — "
        "being so fidgety or restless that you have been moving around a lot more than usual",
        "Slowed down or restless",
    ),
    Question(
        "item_9",
        "Thoughts that you would be better off dead, or of hurting yourself in some way",
        "Thoughts of death or self-harm",
    ),
)
GAD7_QUESTIONS = (
    Question("item_1", "Feeling nervous, anxious or on edge", "Nervous, anxious, on edge"),
    Question("item_2", "Not being able to stop or control worrying", "Cannot stop worrying"),
    Question("item_3", "Worrying too much about different things", "Worrying too much"),
    Question("item_4", "Trouble relaxing", "Trouble relaxing"),
    Question(
        "item_5", "Being so restless that it is hard to sit still", "Restless, hard to sit still"
    ),
    Question("item_6", "Becoming easily annoyed or irritable", "Easily annoyed or irritable"),
    Question(
        "item_7",
        "Feeling afraid as if something awful might happen",
        "Afraid something awful might happen",
    ),
)
#: ASQ questions 1-4, answered yes or no; the rules' phrase names each one answered yes.
ASQ_QUESTIONS = (
    Question(
        "wished_dead",
        "In the past few weeks, have you wished you were dead?",
        "Q1 Wished you were dead (past few weeks)",
        phrase="wished to be dead",
    ),
    Question(
        "family_better_off",
        "In the past few weeks, have you felt that you or your family would be better off if "
        "you were dead?",
        "Q2 Family better off if you were dead (past few weeks)",
        phrase="felt family would be better off",
    ),
    Question(
        "thoughts_of_killing_self",
        "In the past week, have you been having thoughts about killing yourself?",
        "Q3 Thoughts of killing yourself (past week)",
        phrase="thoughts of killing oneself",
    ),
    Question(
        "ever_tried",
        "Have you ever tried to kill yourself?",
        "Q4 Ever tried to kill yourself",
        phrase="a past suicide attempt",
    ),
)
#: ASQ question 5, asked only after a yes to 1-4.
ASQ_RIGHT_NOW = Question(
    "thoughts_right_now",
    "Are you having thoughts of killing yourself right now?",
    "Q5 Thoughts of killing yourself right now",
)
#: The TMS safety questions answered yes / no / unsure, in contract order. The rules' phrase
#: names each finding (a yes or an unsure) among the absolute and relative items.
SAFETY_QUESTIONS = (
    Question(
        "seizure_history",
        "Have you ever had a seizure or convulsion?",
        "Seizure or convulsion ever",
        hint="Also called a fit.",
        phrase="a seizure in the past",
    ),
    Question(
        "family_epilepsy",
        "Does anyone in your close family (parent, brother, sister, child) have epilepsy?",
        "Epilepsy in the family",
        phrase="epilepsy in the family",
    ),
    Question(
        "fainting",
        "Have you ever fainted or passed out without a clear reason?",
        "Fainting spells",
        phrase="fainting spells",
    ),
    Question(
        "head_injury_loss_of_consciousness",
        "Have you ever had a head injury that made you pass out (lose consciousness)?",
        "Head injury with loss of consciousness",
        phrase="a head injury with loss of consciousness",
    ),
    Question(
        "brain_condition",
        "Have you ever had a stroke, a brain tumour, an aneurysm, brain surgery or a shunt?",
        "Stroke, tumour, aneurysm, brain surgery or shunt",
        phrase="a stroke, tumour, aneurysm, brain surgery or shunt",
    ),
    Question(
        "metal_in_head",
        "Do you have any metal in your head or neck?",
        "Metal in the head (not dental)",
        hint="For example clips, plates, stents, shrapnel or bullet pieces, or implants. "
        "Dental fillings, crowns and braces do NOT count.",
        phrase="metal in the head",
    ),
    Question(
        "cochlear_implant",
        "Do you have a cochlear implant (an implant for hearing)?",
        "Cochlear implant",
        phrase="a cochlear implant",
    ),
    Question(
        "implanted_neurostimulator",
        "Do you have an implanted nerve or brain stimulator?",
        "Implanted brain or nerve stimulator",
        hint="For example deep brain stimulation (DBS), a cortical stimulator or a vagus nerve "
        "stimulator.",
        phrase="an implanted brain or nerve stimulator",
    ),
    Question(
        "cardiac_device",
        "Do you have a heart pacemaker or an implanted defibrillator?",
        "Pacemaker or defibrillator",
        phrase="a pacemaker or defibrillator",
    ),
    Question(
        "medication_pump",
        "Do you have an implanted medicine pump?",
        "Medication pump",
        hint="For example an insulin pump placed under the skin, or a pain medicine pump.",
        phrase="a medication pump",
    ),
    Question(
        "hearing_problems",
        "Do you have hearing loss or ringing in your ears?",
        "Hearing problems or ringing",
    ),
    Question(
        "frequent_headaches", "Do you often get headaches or migraines?", "Frequent headaches"
    ),
    Question(
        "alcohol_or_drug_concern",
        "Are you worried about how much alcohol you drink or drugs you use?",
        "Concern about alcohol or drug use",
        hint="Or have you recently stopped heavy drinking or sleeping pills?",
        phrase="a concern about alcohol or drug use",
    ),
    Question(
        "prior_tms_problem",
        "Have you had TMS before and had a problem with it?",
        "Problem with TMS before",
        phrase="a problem with TMS before",
    ),
)
#: The last safety question, answered with ``PREGNANT``.
PREGNANT_QUESTION = Question(
    "pregnant",
    "Are you pregnant, or could you be pregnant?",
    "Pregnant or could be",
    hint="Choose “Does not apply to me” if you cannot become pregnant.",
    phrase="pregnancy",
)
#: The whole ``safety_screen`` section, in contract order.
SAFETY_SCREEN = (*SAFETY_QUESTIONS, PREGNANT_QUESTION)

# Codes only staff see ---------------------------------------------------------------------------

#: The coverage checklist's criteria (their codes come from ``ruleset.yaml``).
COVERAGE_CRITERIA = (
    Label("covered_indication", "Covered indication"),
    Label("age", "Age"),
    Label("severity", "Severity (PHQ-9)"),
    Label("medication_trials", "Failed medication trials"),
    Label("psychotherapy_trial", "Psychotherapy trial"),
    Label("no_psychosis", "No psychosis"),
    Label("no_acute_suicide_risk", "No acute suicide risk"),
    Label("no_contraindication", "No contraindication"),
)
#: The status of a coverage criterion (intake-evaluation/1 and /2).
CRITERION_STATUSES = (
    Label("met", "met"),
    Label("not_met", "not met"),
    Label("unknown", "unknown"),
)
#: The kind of a TMS safety question on the summary (``summary.SafetyRow.category``).
SAFETY_KINDS = (
    Label("absolute", "absolute contraindication"),
    Label("relative", "precaution"),
    Label("other", "note"),
)

#: What came of a front-desk call to a patient with an urgent submission (``ContactAttempt``).
#: Any recorded attempt acknowledges the submission (docs/staff.md, "The risk workflow").
CONTACT_OUTCOMES = (
    Label("reached", "reached the patient"),
    Label("left_voicemail", "left a voicemail"),
    Label("no_answer", "no answer"),
    Label("wrong_number", "wrong number"),
)
#: The outcome of a clinician's brief safety assessment (``RiskAssessment``), which signs an
#: urgent submission off.
RISK_OUTCOMES = (
    Label("no_current_risk", "no current risk identified"),
    Label("safety_plan", "safety plan made"),
    Label("emergency_referral", "referred to emergency care"),
    Label("other", "other (see note)"),
)

#: The diagnoses a TMS prior authorization may name: ICD-10-CM codes with their official
#: descriptions (the FY2026 tabular list; docs/clinician.md, "Diagnosis"), and no others. Major
#: depressive disorder, single episode (F32.x) and recurrent (F33.x), by severity, and
#: obsessive-compulsive disorder (F42.2, F42.8, F42.9; F42.3 hoarding is left out).
ICD10_CODES = (
    Label("F32.0", "Major depressive disorder, single episode, mild"),
    Label("F32.1", "Major depressive disorder, single episode, moderate"),
    Label("F32.2", "Major depressive disorder, single episode, severe without psychotic features"),
    Label("F32.3", "Major depressive disorder, single episode, severe with psychotic features"),
    Label("F32.4", "Major depressive disorder, single episode, in partial remission"),
    Label("F32.5", "Major depressive disorder, single episode, in full remission"),
    Label("F32.9", "Major depressive disorder, single episode, unspecified"),
    Label("F33.0", "Major depressive disorder, recurrent, mild"),
    Label("F33.1", "Major depressive disorder, recurrent, moderate"),
    Label("F33.2", "Major depressive disorder, recurrent severe without psychotic features"),
    Label("F33.3", "Major depressive disorder, recurrent, severe with psychotic symptoms"),
    Label("F33.40", "Major depressive disorder, recurrent, in remission, unspecified"),
    Label("F33.41", "Major depressive disorder, recurrent, in partial remission"),
    Label("F33.42", "Major depressive disorder, recurrent, in full remission"),
    Label("F33.9", "Major depressive disorder, recurrent, unspecified"),
    Label("F42.2", "Mixed obsessional thoughts and acts"),
    Label("F42.8", "Other obsessive-compulsive disorder"),
    Label("F42.9", "Obsessive-compulsive disorder, unspecified"),
)
#: The CPT codes of a course of therapeutic TMS with their descriptors (``intake.billing``
#: counts the units of a planned course).
CPT_CODES = (
    Label(
        "90867",
        "Therapeutic repetitive transcranial magnetic stimulation (TMS) treatment; initial, "
        "including cortical mapping, motor threshold determination, delivery and management",
    ),
    Label(
        "90868",
        "Therapeutic repetitive transcranial magnetic stimulation (TMS) treatment; subsequent "
        "delivery and management, per session",
    ),
    Label(
        "90869",
        "Therapeutic repetitive transcranial magnetic stimulation (TMS) treatment; subsequent "
        "motor threshold re-determination with delivery and management",
    ),
)
#: The stimulation protocol of a planned TMS course (the clinician's review).
TMS_PROTOCOLS = (
    Label("standard_10hz", "standard 10 Hz rTMS (left DLPFC)"),
    Label("itbs", "intermittent theta burst (iTBS)"),
    Label("deep_tms", "deep TMS (H-coil)"),
    Label("low_frequency_1hz", "1 Hz rTMS (right DLPFC)"),
)
#: What came of an appeal against a denied prior authorization (the insurance checklist).
APPEAL_OUTCOMES = (
    Label("pending", "pending"),
    Label("approved", "approved on appeal"),
    Label("denied", "denied on appeal"),
)

# Lists by name --------------------------------------------------------------------------------


def _is_list(value: object) -> bool:
    return (
        isinstance(value, tuple)
        and bool(value)
        and all(isinstance(item, Choice | Question | Label) for item in value)
    )


#: Every list above by its name in lower case: what ``{{ code|label("name") }}`` looks up.
LISTS: Mapping[str, tuple[Worded, ...]] = {
    name.lower(): value
    for name, value in dict(globals()).items()
    if name.isupper() and _is_list(value)
}


def named(name: str) -> tuple[Worded, ...]:
    """The list called ``name`` (``"coverage_types"`` is ``COVERAGE_TYPES``)."""
    try:
        return LISTS[name]
    except KeyError:
        raise LookupError(f"the vocabulary has no list {name!r}") from None


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
