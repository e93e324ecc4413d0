"""The clinician's view of one submission, built from its stored answers and evaluation.

Pure functions over ``Submission.answers`` (intake-answers/1 or /2) and
``Submission.evaluation`` (intake-evaluation/1 or /2): nothing here touches the database or
Flask, so the summary page, its PDF and the prior-authorization packet show the same facts.

Per-trial adequacy reuses the rules' own definition (``intake.rules.facts.is_failed_adequate_trial``
and the ruleset's medication catalogue), so a row marked "counts" is exactly a trial the rules
counted towards ``failed_adequate_trials``. Every code is shown in its staff wording from
:mod:`intake.vocabulary`, as the templates show theirs with the ``label`` filter.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from intake import vocabulary as vocab
from intake.answers import ASQ_ITEMS, SAFETY_ITEMS
from intake.rules import Ruleset, evaluate
from intake.rules.catalogue import Medicine
from intake.rules.facts import (
    ABSOLUTE_ITEMS,
    MIN_PSYCHOTHERAPY_SESSIONS,
    MIN_TRIAL_WEEKS,
    NON_QUALIFYING_MODALITIES,
    RELATIVE_ITEMS,
    is_adequate_psychotherapy,
    is_failed_adequate_trial,
    seizure_threshold_medicines,
)
from intake.rules.ruleset import ruleset_for

LEVEL_ORDER = {"urgent": 0, "warning": 1, "info": 2}


@dataclass(frozen=True)
class Item:
    """One questionnaire item: its number, short label and score."""

    number: int
    label: str
    score: int

    @property
    def score_words(self) -> str:
        return vocab.staff_label(vocab.FREQUENCY, str(self.score))


@dataclass(frozen=True)
class Questionnaire:
    name: str
    total: int
    maximum: int
    severity: str
    items: tuple[Item, ...]
    difficulty: str | None = None


@dataclass(frozen=True)
class MedicationRow:
    """One medication trial as the patient entered it, with the rules' adequacy verdict."""

    name: str
    generic: str | None
    drug_class: str
    dose_mg: float | None
    min_dose_mg: float | None
    weeks: int
    outcome: str
    current: bool
    counts: bool
    reason: str

    @property
    def dose_words(self) -> str:
        return "not given" if self.dose_mg is None else f"{self.dose_mg:g} mg"

    @property
    def adequate_words(self) -> str:
        return "yes" if self.counts else "no"


@dataclass(frozen=True)
class TherapyRow:
    modality: str
    sessions: int
    outcome: str
    current: bool
    adequate: bool
    reason: str


@dataclass(frozen=True)
class SafetyRow:
    """One TMS safety question; ``highlight`` is set for every yes and unsure."""

    key: str
    label: str
    answer: str
    category: str  # "absolute", "relative" or "other"

    @property
    def highlight(self) -> bool:
        return self.answer in ("yes", "unsure")

    @property
    def answer_words(self) -> str:
        """The answer in staff wording (``PREGNANT`` holds every answer a safety question has)."""
        return vocab.staff_label(vocab.PREGNANT, self.answer)


@dataclass
class Summary:
    """Everything the pathway summary shows, in the order it shows it."""

    answers: dict[str, Any]
    evaluation: dict[str, Any]
    flags: list[dict[str, Any]]
    phq9: Questionnaire
    gad7: Questionnaire
    asq: list[tuple[str, str]]
    medications: list[MedicationRow]
    therapies: list[TherapyRow]
    safety: list[SafetyRow]
    pathways: list[dict[str, Any]]
    coverage: dict[str, Any] | None
    history: dict[str, Any]
    ruleset: dict[str, str]
    seizure_medicines: list[str]
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def urgent(self) -> bool:
        return any(flag["level"] == "urgent" for flag in self.flags)

    @property
    def safety_findings(self) -> list[SafetyRow]:
        return [row for row in self.safety if row.highlight]


def sorted_flags(flags: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Urgent first, then warnings, then information; the rules' order within a level."""
    return sorted(flags, key=lambda flag: LEVEL_ORDER.get(flag["level"], len(LEVEL_ORDER)))


def _items(questions: vocab.Questions, scores: list[int]) -> tuple[Item, ...]:
    return tuple(
        Item(number, question.staff, score)
        for number, (question, score) in enumerate(zip(questions, scores, strict=True), start=1)
    )


def questionnaires(
    answers: Mapping[str, Any], scores: Mapping[str, Any]
) -> tuple[Questionnaire, Questionnaire]:
    """PHQ-9 and GAD-7 with every item, totals and severity as the evaluation recorded them."""
    return phq9_questionnaire(answers, scores), gad7_questionnaire(answers, scores)


def phq9_questionnaire(answers: Mapping[str, Any], scores: Mapping[str, Any]) -> Questionnaire:
    """PHQ-9 with every item, its total, severity and difficulty as the evaluation recorded."""
    difficulty = answers["phq9"]["difficulty"]
    return Questionnaire(
        name="PHQ-9",
        total=scores["phq9"]["total"],
        maximum=27,
        severity=vocab.words(scores["phq9"]["severity"]),
        items=_items(vocab.PHQ9_QUESTIONS, answers["phq9"]["items"]),
        difficulty=vocab.staff_label(vocab.PHQ9_DIFFICULTY, difficulty) if difficulty else None,
    )


def gad7_questionnaire(answers: Mapping[str, Any], scores: Mapping[str, Any]) -> Questionnaire:
    """GAD-7 with every item, its total and severity as the evaluation recorded them."""
    return Questionnaire(
        name="GAD-7",
        total=scores["gad7"]["total"],
        maximum=21,
        severity=vocab.words(scores["gad7"]["severity"]),
        items=_items(vocab.GAD7_QUESTIONS, answers["gad7"]["items"]),
    )


def asq_rows(answers: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The ASQ answers with their question; Q5 only when it was asked."""
    asq = answers["asq"]
    rows = [(vocab.staff_label(vocab.ASQ_QUESTIONS, key), asq[key]) for key in ASQ_ITEMS]
    if asq.get("thoughts_right_now") is not None:
        rows.append((vocab.ASQ_RIGHT_NOW.staff, asq["thoughts_right_now"]))
    return rows


def trial_adequacy(trial: Mapping[str, Any], medicine: Medicine | None) -> tuple[bool, str]:
    """Whether the rules count this trial as a failed adequate trial, and why in a few words.

    The verdict is ``is_failed_adequate_trial`` itself; the reason only explains it.
    """
    if medicine is None:
        return False, "not in the catalogue: check by hand"
    if medicine.drug_class == "augmentation":
        return False, "add-on medicine: counted as augmentation, not as a trial"
    if not medicine.antidepressant:
        return False, f"{medicine.class_label}: not an antidepressant trial"
    counts = is_failed_adequate_trial(trial, medicine)
    outcome, weeks, dose = trial["outcome"], trial["weeks"], trial.get("daily_dose_mg")
    minimum = medicine.min_daily_dose_mg
    if counts:
        if outcome == "stopped_side_effects":
            return True, "stopped for side effects (intolerance counts)"
        if dose is None:
            return True, f"{weeks} weeks; dose not given (counted as adequate)"
        return True, f"{weeks} weeks at {dose:g} mg (minimum {minimum:g} mg)"
    if outcome == "full_improvement":
        return False, "improved fully"
    if outcome == "too_early":
        return False, "too early to tell"
    if weeks < MIN_TRIAL_WEEKS:
        return False, f"under {MIN_TRIAL_WEEKS} weeks"
    return False, f"dose below the {minimum:g} mg minimum"


def medication_rows(answers: Mapping[str, Any], ruleset: Ruleset) -> list[MedicationRow]:
    """Every medication trial with drug class and adequacy; a repeated medicine counts once."""
    rows: list[MedicationRow] = []
    counted: set[str] = set()
    for trial in answers["medication_trials"]:
        medicine = ruleset.catalogue.find(trial["name"])
        counts, reason = trial_adequacy(trial, medicine)
        if counts and medicine is not None:
            if medicine.generic in counted:
                reason += f"; {medicine.generic} already counted once"
            counted.add(medicine.generic)
        rows.append(
            MedicationRow(
                name=trial["name"],
                generic=medicine.generic if medicine else None,
                drug_class=medicine.class_label if medicine else "unrecognised",
                dose_mg=trial.get("daily_dose_mg"),
                min_dose_mg=medicine.min_daily_dose_mg if medicine else None,
                weeks=trial["weeks"],
                outcome=vocab.staff_label(vocab.MED_OUTCOMES, trial["outcome"]),
                current=trial["current"],
                counts=counts,
                reason=reason,
            )
        )
    return rows


def therapy_rows(answers: Mapping[str, Any]) -> list[TherapyRow]:
    """Every psychotherapy course, marked adequate exactly as the rules decide it."""
    rows = []
    for trial in answers["psychotherapy_trials"]:
        adequate = is_adequate_psychotherapy(trial)
        if adequate:
            reason = f"{trial['sessions']} sessions without full improvement"
        elif trial["modality"] in NON_QUALIFYING_MODALITIES:
            reason = "not a structured therapy"
        elif trial["sessions"] < MIN_PSYCHOTHERAPY_SESSIONS:
            reason = f"under {MIN_PSYCHOTHERAPY_SESSIONS} sessions"
        else:
            reason = "improved fully"
        rows.append(
            TherapyRow(
                modality=vocab.staff_label(vocab.THERAPY_MODALITIES, trial["modality"]),
                sessions=trial["sessions"],
                outcome=vocab.staff_label(vocab.THERAPY_OUTCOMES, trial["outcome"]),
                current=trial["current"],
                adequate=adequate,
                reason=reason,
            )
        )
    return rows


def safety_rows(answers: Mapping[str, Any]) -> list[SafetyRow]:
    """The whole TMS safety screen in contract order, pregnancy last."""
    screen = answers["safety_screen"]
    rows = []
    for key in (*SAFETY_ITEMS, "pregnant"):
        if key in ABSOLUTE_ITEMS:
            category = "absolute"
        elif key in RELATIVE_ITEMS:
            category = "relative"
        else:
            category = "other"
        label = vocab.staff_label(vocab.SAFETY_SCREEN, key)
        rows.append(SafetyRow(key, label, screen[key], category))
    return rows


def coverage_rows(coverage: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The coverage checklist with labels and status words, or None when it does not apply."""
    if not coverage:
        return None
    return {
        "profile": coverage["profile"],
        "criteria": [
            {
                **criterion,
                "label": vocab.staff_label(vocab.COVERAGE_CRITERIA, criterion["code"]),
                "status_words": vocab.staff_label(vocab.CRITERION_STATUSES, criterion["status"]),
            }
            for criterion in coverage["criteria"]
        ],
    }


def build_summary(answers: dict[str, Any], evaluation: dict[str, Any], ruleset: Ruleset) -> Summary:
    """The pathway summary of one stored submission.

    Trials are judged with the catalogue of the ruleset that made the evaluation (a v1
    evaluation keeps v1's doses), falling back on ``ruleset`` for one no longer shipped.
    """
    ruleset = ruleset_for(evaluation) or ruleset
    phq9, gad7 = questionnaires(answers, evaluation["scores"])
    return Summary(
        answers=answers,
        evaluation=evaluation,
        flags=sorted_flags(evaluation["flags"]),
        phq9=phq9,
        gad7=gad7,
        asq=asq_rows(answers),
        medications=medication_rows(answers, ruleset),
        therapies=therapy_rows(answers),
        safety=safety_rows(answers),
        pathways=list(evaluation["pathways"]),
        coverage=coverage_rows(evaluation.get("coverage")),
        history=evaluation["treatment_history"],
        ruleset=dict(evaluation["ruleset"]),
        seizure_medicines=seizure_threshold_medicines(answers, ruleset.catalogue),
    )


# --- Partial submissions ----------------------------------------------------------------------

#: The wizard's steps by the sections of the answers they fill, in the wizard's order, in the
#: staff wording: what a partial submission (sent from the support page) lists as missing.
STEP_SECTIONS: tuple[tuple[str, str], ...] = (
    ("About you", "patient"),
    ("What brings you here", "concerns"),
    ("PHQ-9", "phq9"),
    ("GAD-7", "gad7"),
    ("Suicide risk screen (ASQ)", "asq"),
    ("Medicines tried", "medication_trials"),
    ("Therapy and other treatments", "neuromodulation"),
    ("TMS safety screen", "safety_screen"),
    ("Preferences", "preferences"),
    ("Insurance", "insurance"),
    ("Consent and signature", "consent"),
)


def missing_steps(answers: Mapping[str, Any]) -> list[str]:
    """The steps a partial submission's answers do not hold (none for a full submission)."""
    return [title for title, section in STEP_SECTIONS if section not in answers]


def person(answers: Mapping[str, Any]) -> dict[str, Any]:
    """Name, date of birth and contact details: "About you", or a partial's ``contact``."""
    return dict(answers.get("patient") or answers.get("contact") or {})


@dataclass(frozen=True)
class PartialSummary:
    """What a partial submission can show: the person, the screening flags, the questionnaires
    answered, and the steps not answered yet (each shown as such, never as "none")."""

    answers: dict[str, Any]
    evaluation: dict[str, Any]
    person: dict[str, Any]
    flags: list[dict[str, Any]]
    phq9: Questionnaire | None
    gad7: Questionnaire | None
    asq: list[tuple[str, str]] | None
    missing: list[str]


def build_partial_summary(answers: dict[str, Any], evaluation: dict[str, Any]) -> PartialSummary:
    """The summary of a partial submission (``evaluation`` from ``rules.evaluate_screening``)."""
    scores = evaluation.get("scores") or {}
    has = {name for name in ("phq9", "gad7") if name in answers and name in scores}
    return PartialSummary(
        answers=answers,
        evaluation=evaluation,
        person=person(answers),
        flags=sorted_flags(evaluation["flags"]),
        phq9=phq9_questionnaire(answers, scores) if "phq9" in has else None,
        gad7=gad7_questionnaire(answers, scores) if "gad7" in has else None,
        asq=asq_rows(answers) if "asq" in answers else None,
        missing=missing_steps(answers),
    )


# --- Re-evaluation under the current ruleset ---------------------------------------------------


@dataclass(frozen=True)
class Reevaluation:
    """What would change if the stored answers were evaluated again under ``ruleset``.

    Computed on the fly, on the evaluation's own ``as_of`` date so the age is the same; the stored
    evaluation is never modified.
    """

    old_ruleset: dict[str, str]
    new_ruleset: dict[str, str]
    evaluation: dict[str, Any]
    pathways_added: list[dict[str, Any]]
    pathways_removed: list[dict[str, Any]]
    flags_added: list[dict[str, Any]]
    flags_removed: list[dict[str, Any]]
    coverage_changes: list[dict[str, str]]

    @property
    def changed(self) -> bool:
        return bool(
            self.pathways_added
            or self.pathways_removed
            or self.flags_added
            or self.flags_removed
            or self.coverage_changes
        )


def _by_code(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["code"]: item for item in items}


def _criterion_status(status: str | None) -> str:
    """A coverage criterion's status in words; "not applicable" when it has none."""
    return vocab.staff_label(vocab.CRITERION_STATUSES, status) if status else "not applicable"


def _coverage_changes(
    old: Mapping[str, Any] | None, new: Mapping[str, Any] | None
) -> list[dict[str, str]]:
    before = {c["code"]: c["status"] for c in (old or {}).get("criteria", [])}
    after = {c["code"]: c["status"] for c in (new or {}).get("criteria", [])}
    changes = []
    for code in dict.fromkeys([*before, *after]):
        if before.get(code) != after.get(code):
            changes.append(
                {
                    "code": code,
                    "label": vocab.staff_label(vocab.COVERAGE_CRITERIA, code),
                    "before": _criterion_status(before.get(code)),
                    "after": _criterion_status(after.get(code)),
                }
            )
    return changes


def reevaluate(
    answers: dict[str, Any], evaluation: Mapping[str, Any], ruleset: Ruleset
) -> Reevaluation | None:
    """What changes under ``ruleset``; None when ``ruleset`` is the one that made ``evaluation``."""
    if evaluation["ruleset"]["sha256"] == ruleset.sha256:
        return None
    fresh = evaluate(answers, date.fromisoformat(evaluation["as_of"]), ruleset)
    old_p, new_p = _by_code(evaluation["pathways"]), _by_code(fresh["pathways"])
    old_f, new_f = _by_code(evaluation["flags"]), _by_code(fresh["flags"])
    return Reevaluation(
        old_ruleset=dict(evaluation["ruleset"]),
        new_ruleset=dict(fresh["ruleset"]),
        evaluation=fresh,
        pathways_added=[p for code, p in new_p.items() if code not in old_p],
        pathways_removed=[p for code, p in old_p.items() if code not in new_p],
        flags_added=[f for code, f in new_f.items() if code not in old_f],
        flags_removed=[f for code, f in old_f.items() if code not in new_f],
        coverage_changes=_coverage_changes(evaluation.get("coverage"), fresh.get("coverage")),
    )
