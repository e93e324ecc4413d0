"""Derived facts: what the rules reason about, computed from a validated answers document.

Each fact is a small named function so it can be tested on its own and read next to the
contract (section 3, "Derived facts"). :func:`derive` gathers them into the flat mapping the
ruleset's conditions and ``because`` lines use; :data:`FACT_TYPES` declares every name in that
mapping with its type, which is what the ruleset is type-checked against when it loads.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from intake import vocabulary as vocab
from intake.answers import (
    COVERAGE_TYPES,
    NEUROMOD_OUTCOMES,
    PRIMARY_CONCERNS,
    YN,
    age_in_years,
)
from intake.rules.catalogue import Catalogue, Medicine
from intake.rules.expressions import BOOL, INT, TEXT, FactType, enum

MIN_TRIAL_WEEKS = 6
TREATMENT_RESISTANT_TRIALS = 2
MIN_PSYCHOTHERAPY_SESSIONS = 8
NON_QUALIFYING_MODALITIES = frozenset({"supportive", "other"})
TMS_MIN_PHQ9 = 10
TMS_MIN_AGE_DEPRESSION = 15
TMS_MIN_AGE_OCD = 18
OCD_MIN_SRI_TRIALS = 2
#: Rules v2: an OCD trial of an SRI needs this many weeks (and the catalogue's OCD dose).
OCD_MIN_TRIAL_WEEKS = 8
#: ASQ answers that make a screen positive: the ASQ counts "refuses to answer" as positive.
ASQ_POSITIVE = ("yes", "declined")
GUARDIAN_WORDS = vocab.staff_labels(vocab.GUARDIAN_RELATIONSHIPS)

PHQ9_SEVERITY = (
    (4, "minimal"),
    (9, "mild"),
    (14, "moderate"),
    (19, "moderately_severe"),
    (27, "severe"),
)
GAD7_SEVERITY = ((4, "minimal"), (9, "mild"), (14, "moderate"), (21, "severe"))

#: Safety items that rule TMS out with standard devices.
ABSOLUTE_ITEMS = ("metal_in_head", "cochlear_implant", "implanted_neurostimulator")
#: Safety items that need a physician's risk-benefit judgement.
RELATIVE_ITEMS = (
    "seizure_history",
    "family_epilepsy",
    "fainting",
    "head_injury_loss_of_consciousness",
    "brain_condition",
    "cardiac_device",
    "medication_pump",
    "pregnant",
    "alcohol_or_drug_concern",
    "prior_tms_problem",
)
_SCREENED_ITEMS = (*ABSOLUTE_ITEMS, *RELATIVE_ITEMS)
#: How the rules' explanations name answers: the vocabulary's ``phrase`` of each (rule wording,
#: held with the answer's other wordings so a choice added there is phrased here at once).
SAFETY_WORDS = {
    **vocab.phrases(vocab.SAFETY_SCREEN),
    "seizure_threshold_medication": "a medicine that can lower the seizure threshold",
}
ASQ_WORDS = vocab.phrases(vocab.ASQ_QUESTIONS)
PRIMARY_WORDS = vocab.phrases(vocab.PRIMARY_CONCERNS)
MODALITY_WORDS = vocab.phrases(vocab.THERAPY_MODALITIES)


#: Every fact name with its type and meaning; conditions may use any but ``text`` facts.
FACTS: dict[str, tuple[FactType, str]] = {
    "age": (INT, "age in whole years on the evaluation date"),
    "primary": (enum(*PRIMARY_CONCERNS), "the main concern the patient chose"),
    "primary_words": (TEXT, "the main concern in words"),
    "episode_months": (INT, "how long the current episode has lasted, in months"),
    "psychotic_symptoms": (enum(*YN), "hearing or seeing things others do not, or similar"),
    "mania_history": (enum(*YN), "ever had a manic or hypomanic episode"),
    "bipolar_diagnosis": (enum(*YN), "ever diagnosed with bipolar disorder"),
    "phq9_total": (INT, "PHQ-9 total, 0-27"),
    "phq9_severity": (enum(*(n for _, n in PHQ9_SEVERITY)), "PHQ-9 severity band"),
    "phq9_severity_words": (TEXT, "PHQ-9 severity band in words"),
    "phq9_item9": (INT, "PHQ-9 question 9 (thoughts of death or self-harm), 0-3"),
    "gad7_total": (INT, "GAD-7 total, 0-21"),
    "gad7_severity": (enum(*(n for _, n in GAD7_SEVERITY)), "GAD-7 severity band"),
    "gad7_severity_words": (TEXT, "GAD-7 severity band in words"),
    "asq_positive": (BOOL, "yes to any of ASQ questions 1-4, or declined (v2 answers)"),
    "asq_answered_yes": (BOOL, "yes to at least one of ASQ questions 1-4"),
    "asq_yes_words": (TEXT, "the ASQ questions 1-4 answered yes"),
    "asq_declined": (BOOL, "declined at least one of ASQ questions 1-4"),
    "asq_declined_words": (TEXT, "the ASQ questions 1-4 declined"),
    "asq_thoughts_right_now": (enum("yes", "no", "declined", "not_asked"), "ASQ question 5"),
    "asq_acute": (BOOL, "ASQ question 5 answered yes or declined"),
    "failed_adequate_trials": (INT, "distinct antidepressants with a failed adequate trial"),
    "failed_trial_names": (TEXT, "those antidepressants"),
    "failed_class_count": (INT, "distinct classes among them"),
    "failed_class_names": (TEXT, "those classes"),
    "failed_sri_trials": (
        INT,
        "v1: how many of them are an SRI; v2: distinct SRIs with a failed OCD trial",
    ),
    "failed_sri_names": (TEXT, "those SRI medicines"),
    "documented_failed_trials": (INT, "failed adequate trials with a dose or intolerance"),
    "documented_failed_class_count": (INT, "distinct classes among the documented trials"),
    "undocumented_trial_names": (TEXT, "failed adequate trials with no documented trial"),
    "failed_ect": (BOOL, "an ECT course that did not help or helped a little"),
    "augmentation_trials": (INT, "distinct add-on medicines tried (not 'too early')"),
    "currently_on_antidepressant": (BOOL, "taking an antidepressant or add-on medicine now"),
    "current_antidepressant_names": (TEXT, "those medicines"),
    "treatment_resistant": (
        BOOL,
        f"at least {TREATMENT_RESISTANT_TRIALS} failed adequate trials (v2: or 1 and failed ECT)",
    ),
    "adequate_psychotherapy_trial": (BOOL, "an adequate psychotherapy course without full benefit"),
    "psychotherapy_trial_words": (TEXT, "those psychotherapy courses"),
    "has_unrecognized_medications": (BOOL, "some medicine names are not in the catalogue"),
    "unrecognized_medication_names": (TEXT, "those names as typed"),
    "takes_seizure_threshold_medicine": (BOOL, "a current medicine lowers the seizure threshold"),
    "seizure_threshold_names": (TEXT, "those medicines"),
    "absolute_finding": (BOOL, "metal in the head, cochlear implant or brain/nerve stimulator"),
    "absolute_finding_words": (TEXT, "those findings"),
    "absolute_unsure": (BOOL, "unsure about one of the three absolute items"),
    "relative_finding": (BOOL, "a relative TMS safety finding (including seizure medicines)"),
    "relative_finding_words": (TEXT, "those findings"),
    "unsure_finding": (BOOL, "unsure about an absolute or relative safety item"),
    "unsure_finding_words": (TEXT, "those items"),
    "hearing_problems": (enum(*YN), "hearing problems or ringing in the ears"),
    "depressive_presentation": (BOOL, "depression or bipolar, or anxiety with PHQ-9 >= 10"),
    "tms_eligible_depression": (BOOL, "meets the TMS-for-depression criteria of rules v1"),
    "tms_eligible_ocd": (BOOL, "meets the Deep TMS-for-OCD criteria of rules v1"),
    "tms_eligible": (BOOL, "either of the two"),
    "tms_offered": (BOOL, "TMS eligible, no absolute finding (v2: and no acute suicide risk)"),
    "tms_history": (enum(*NEUROMOD_OUTCOMES), "result of an earlier TMS course"),
    "open_to_tms": (enum(*YN), "preference"),
    "open_to_psychotherapy": (enum(*YN), "preference"),
    "open_to_medication_changes": (enum(*YN), "preference"),
    "can_attend_daily_sessions": (enum(*YN), "can come in on weekdays for several weeks"),
    "coverage_type": (enum(*COVERAGE_TYPES), "insurance type"),
    "guardian_recorded": (BOOL, "the consent names a parent or legal guardian"),
    "guardian_words": (TEXT, "the guardian's name and relationship"),
}
FACT_TYPES: dict[str, FactType] = {name: fact_type for name, (fact_type, _) in FACTS.items()}


@dataclass(frozen=True)
class TreatmentHistory:
    """Medication and psychotherapy history as the contract's ``treatment_history`` defines it."""

    failed: tuple[Medicine, ...]
    documented: tuple[Medicine, ...]
    failed_ocd: tuple[Medicine, ...]
    augmentation: tuple[str, ...]
    current_antidepressants: tuple[str, ...]
    unrecognized: tuple[str, ...]
    psychotherapy: tuple[str, ...]

    @property
    def failed_classes(self) -> list[str]:
        return sorted({m.drug_class for m in self.failed})

    @property
    def documented_classes(self) -> list[str]:
        return sorted({m.drug_class for m in self.documented})

    @property
    def undocumented(self) -> tuple[str, ...]:
        """Failed adequate trials none of whose trials gave a dose or intolerance."""
        documented = {m.generic for m in self.documented}
        return tuple([m.generic for m in self.failed if m.generic not in documented])

    def failed_sri(self, version: int) -> tuple[str, ...]:
        """v1: the failed adequate trials of SRIs; v2: the failed OCD trials of SRIs."""
        if version >= 2:
            return tuple([m.generic for m in self.failed_ocd])
        return tuple([m.generic for m in self.failed if m.sri])

    def as_output(self, version: int = 1, failed_ect: bool = False) -> dict[str, Any]:
        """The contract's ``treatment_history`` (``intake-evaluation/<version>``)."""
        out: dict[str, Any] = {
            "failed_adequate_trials": len(self.failed),
            "failed_classes": self.failed_classes,
            "failed_sri_trials": len(self.failed_sri(version)),
            "augmentation_trials": len(self.augmentation),
            "currently_on_antidepressant": bool(self.current_antidepressants),
            "adequate_psychotherapy_trial": bool(self.psychotherapy),
            "treatment_resistant": is_treatment_resistant(len(self.failed), failed_ect, version),
            "unrecognized_medications": sorted(self.unrecognized),
        }
        if version >= 2:
            out["documented_failed_trials"] = len(self.documented)
            out["documented_failed_classes"] = self.documented_classes
            out["failed_ect"] = failed_ect
        return out


@dataclass(frozen=True)
class SafetyFindings:
    """TMS safety items answered yes (absolute, relative) or unsure, by item key."""

    absolute: tuple[str, ...]
    relative: tuple[str, ...]
    unsure: tuple[str, ...]

    @property
    def absolute_unsure(self) -> bool:
        return any(item in ABSOLUTE_ITEMS for item in self.unsure)


def total(items: Iterable[int]) -> int:
    """A questionnaire total: the sum of its item scores."""
    return sum(items)


def severity(score: int, bands: tuple[tuple[int, str], ...]) -> str:
    """The severity word for ``score``: the first band whose upper bound it does not exceed."""
    for upper, name in bands:
        if score <= upper:
            return name
    raise ValueError(f"score {score} is above every band")


def age(answers: Mapping[str, Any], as_of: date) -> int:
    """The patient's age in whole years on ``as_of``."""
    return age_in_years(date.fromisoformat(answers["patient"]["date_of_birth"]), as_of)


def is_failed_adequate_trial(trial: Mapping[str, Any], medicine: Medicine) -> bool:
    """An antidepressant stopped for side effects, or tried long and high enough without remission.

    Intolerance counts whatever the weeks; otherwise at least six weeks at no less than the
    catalogue minimum dose (an unknown dose is given the benefit of the doubt).
    """
    if not medicine.antidepressant:
        return False
    outcome = trial["outcome"]
    if outcome == "stopped_side_effects":
        return True
    if outcome not in ("no_improvement", "partial_improvement") or trial["weeks"] < MIN_TRIAL_WEEKS:
        return False
    dose = trial["daily_dose_mg"]
    return dose is None or dose >= (medicine.min_daily_dose_mg or 0)


def is_documented(trial: Mapping[str, Any]) -> bool:
    """Rules v2: a failed adequate trial is documented by a dose or by intolerance.

    Undocumented trials are the most common reason a payer denies TMS, so the coverage
    checklist counts only documented ones (education still counts every adequate trial).
    """
    return trial["daily_dose_mg"] is not None or trial["outcome"] == "stopped_side_effects"


def is_failed_ocd_trial(trial: Mapping[str, Any], medicine: Medicine) -> bool:
    """Rules v2: an SRI stopped for side effects, or 8+ weeks at the OCD dose without remission.

    An unknown dose is given the benefit of the doubt, as for depression.
    """
    if not medicine.sri:
        return False
    outcome = trial["outcome"]
    if outcome == "stopped_side_effects":
        return True
    if outcome not in ("no_improvement", "partial_improvement"):
        return False
    if trial["weeks"] < OCD_MIN_TRIAL_WEEKS:
        return False
    dose = trial["daily_dose_mg"]
    minimum = medicine.ocd_min_daily_dose_mg or medicine.min_daily_dose_mg or 0
    return dose is None or dose >= minimum


def is_treatment_resistant(failed_trials: int, failed_ect: bool, version: int) -> bool:
    """Two failed adequate trials; from rules v2, one and a failed ECT course also count."""
    if failed_trials >= TREATMENT_RESISTANT_TRIALS:
        return True
    return version >= 2 and failed_trials >= 1 and failed_ect


def is_adequate_psychotherapy(trial: Mapping[str, Any]) -> bool:
    """A structured therapy course of at least 8 sessions that did not bring full improvement."""
    return (
        trial["modality"] not in NON_QUALIFYING_MODALITIES
        and trial["sessions"] >= MIN_PSYCHOTHERAPY_SESSIONS
        and trial["outcome"] != "full_improvement"
    )


def treatment_history(answers: Mapping[str, Any], catalogue: Catalogue) -> TreatmentHistory:
    """Failed adequate trials (each generic once), add-ons, current medicines, unknown names."""
    failed: dict[str, Medicine] = {}
    documented: dict[str, Medicine] = {}
    failed_ocd: dict[str, Medicine] = {}
    augmentation: dict[str, None] = {}
    current: dict[str, None] = {}
    unrecognized: dict[str, None] = {}
    for trial in answers["medication_trials"]:
        medicine = catalogue.find(trial["name"])
        if medicine is None:
            unrecognized[trial["name"]] = None
            continue
        if is_failed_adequate_trial(trial, medicine):
            failed.setdefault(medicine.generic, medicine)
            if is_documented(trial):
                documented.setdefault(medicine.generic, medicine)
        if is_failed_ocd_trial(trial, medicine):
            failed_ocd.setdefault(medicine.generic, medicine)
        if medicine.drug_class == "augmentation" and trial["outcome"] != "too_early":
            augmentation[medicine.generic] = None
        if trial["current"] and (medicine.antidepressant or medicine.drug_class == "augmentation"):
            current[medicine.generic] = None
    therapy = tuple(
        f"{MODALITY_WORDS[t['modality']]}, {t['sessions']} sessions"
        for t in answers["psychotherapy_trials"]
        if is_adequate_psychotherapy(t)
    )
    return TreatmentHistory(
        failed=tuple(failed.values()),
        documented=tuple([m for m in failed.values() if m.generic in documented]),
        failed_ocd=tuple(failed_ocd.values()),
        augmentation=tuple(augmentation),
        current_antidepressants=tuple(current),
        unrecognized=tuple(unrecognized),
        psychotherapy=therapy,
    )


def current_medicines(answers: Mapping[str, Any]) -> list[str]:
    """Medicines taken now: trials marked current plus every other medicine listed."""
    return [t["name"] for t in answers["medication_trials"] if t["current"]] + list(
        answers["other_medications"]
    )


def seizure_threshold_medicines(answers: Mapping[str, Any], catalogue: Catalogue) -> list[str]:
    """Current medicines on the seizure-threshold list, by generic name, each once.

    A medicine with a ``seizure_threshold_above_mg`` (bupropion, from rules v2's catalogue)
    counts only as a current trial whose daily dose is above it: a trial without a dose, or the
    name in ``other_medications`` (which has no dose), does not.
    """
    found: dict[str, None] = {}
    for name in current_medicines(answers):
        generic = catalogue.seizure_threshold_generic(name)
        if generic is not None:
            found[generic] = None
    for trial in answers["medication_trials"]:
        medicine = catalogue.find(trial["name"]) if trial["current"] else None
        above = medicine.seizure_threshold_above_mg if medicine else None
        dose = trial["daily_dose_mg"]
        if medicine and above is not None and dose is not None and dose > above:
            found[medicine.generic] = None
    return list(found)


def safety_findings(screen: Mapping[str, str], seizure_medicines: list[str]) -> SafetyFindings:
    """Sort the safety screen into absolute, relative and unsure findings."""
    relative = [item for item in RELATIVE_ITEMS if screen[item] == "yes"]
    if seizure_medicines:
        relative.append("seizure_threshold_medication")
    return SafetyFindings(
        absolute=tuple([item for item in ABSOLUTE_ITEMS if screen[item] == "yes"]),
        relative=tuple(relative),
        unsure=tuple([item for item in _SCREENED_ITEMS if screen[item] == "unsure"]),
    )


def depressive_presentation(primary: str, phq9_total: int) -> bool:
    """Depression or bipolar as the main concern, or anxiety with at least moderate PHQ-9."""
    return primary in ("depression", "bipolar") or (
        primary == "anxiety" and phq9_total >= TMS_MIN_PHQ9
    )


def tms_eligible_depression(
    *,
    depressive: bool,
    phq9_total: int,
    treatment_resistant: bool,
    age_years: int,
    psychotic_symptoms: str,
    open_to_tms: str,
) -> bool:
    """Rules v1 criteria for TMS for depression."""
    return (
        depressive
        and phq9_total >= TMS_MIN_PHQ9
        and treatment_resistant
        and age_years >= TMS_MIN_AGE_DEPRESSION
        and psychotic_symptoms != "yes"
        and open_to_tms != "no"
    )


def tms_eligible_ocd(
    *,
    primary: str,
    failed_sri_trials: int,
    age_years: int,
    psychotic_symptoms: str,
    open_to_tms: str,
) -> bool:
    """Rules v1 criteria for Deep TMS for OCD."""
    return (
        primary == "ocd"
        and failed_sri_trials >= OCD_MIN_SRI_TRIALS
        and age_years >= TMS_MIN_AGE_OCD
        and psychotic_symptoms != "yes"
        and open_to_tms != "no"
    )


def _words(items: Iterable[str]) -> str:
    listed = ", ".join(items)
    return listed or "none"


@dataclass(frozen=True)
class Derived:
    """Everything evaluate needs: the fact mapping and the contract's output sections."""

    facts: dict[str, Any]
    scores: dict[str, Any]
    treatment_history: dict[str, Any]


def guardian_words(consent: Mapping[str, Any]) -> str:
    """ "Name (parent)" from an intake-answers/2 consent; "none" when no guardian was recorded.

    An intake-answers/1 document has no guardian fields, so it always gives "none".
    """
    name, relationship = consent.get("guardian_name"), consent.get("guardian_relationship")
    if not name or relationship not in GUARDIAN_WORDS:
        return "none"
    return f"{name} ({GUARDIAN_WORDS[relationship]})"


def screening_facts(asq: Mapping[str, Any] | None, phq9_items: list[int] | None) -> dict[str, Any]:
    """The suicide risk screening facts: ASQ answers and PHQ-9 item 9.

    ``derive`` takes them from a whole document; a partial submission (sent from the support
    page before the form was finished) has only these, so ``engine.evaluate_screening`` runs
    the suicide risk flags on them alone. A screen not answered (``None``) counts as negative:
    no "yes", question 5 not asked, item 9 at 0; what is answered decides the flags.
    """
    asq = asq or {}
    asq_yes = [words for key, words in ASQ_WORDS.items() if asq.get(key) == "yes"]
    asq_declined = [words for key, words in ASQ_WORDS.items() if asq.get(key) == "declined"]
    return {
        "phq9_item9": phq9_items[8] if phq9_items else 0,
        "asq_positive": bool(asq_yes or asq_declined),
        "asq_answered_yes": bool(asq_yes),
        "asq_yes_words": _words(asq_yes),
        "asq_declined": bool(asq_declined),
        "asq_declined_words": _words(asq_declined),
        "asq_thoughts_right_now": asq.get("thoughts_right_now") or "not_asked",
        "asq_acute": asq.get("thoughts_right_now") in ASQ_POSITIVE,
    }


def derive(
    answers: Mapping[str, Any], as_of: date, catalogue: Catalogue, version: int = 1
) -> Derived:
    """Compute every declared fact for a validated answers document.

    ``version`` is the generation of the ruleset (1 or 2): the few facts whose definition the
    clinical lead changed in rules v2 (``failed_sri_trials``, ``treatment_resistant``,
    ``tms_offered``) and the ``treatment_history`` output follow it, so v1 stays exactly as it
    was. Facts that are new in v2 are computed for both; v1's rules never read them.
    """
    concerns, preferences = answers["concerns"], answers["preferences"]
    phq9_items = answers["phq9"]["items"]
    phq9_total, gad7_total = total(phq9_items), total(answers["gad7"]["items"])
    phq9_band, gad7_band = severity(phq9_total, PHQ9_SEVERITY), severity(gad7_total, GAD7_SEVERITY)
    years = age(answers, as_of)
    history = treatment_history(answers, catalogue)
    ect = answers["neuromodulation"]["ect"] in ("no_improvement", "partial_improvement")
    summary = history.as_output(version, ect)
    seizure = seizure_threshold_medicines(answers, catalogue)
    safety = safety_findings(answers["safety_screen"], seizure)
    screening = screening_facts(answers["asq"], phq9_items)
    acute = screening["asq_acute"]
    guardian = guardian_words(answers["consent"])
    primary = concerns["primary"]
    depressive = depressive_presentation(primary, phq9_total)
    eligible_depression = tms_eligible_depression(
        depressive=depressive,
        phq9_total=phq9_total,
        treatment_resistant=summary["treatment_resistant"],
        age_years=years,
        psychotic_symptoms=concerns["psychotic_symptoms"],
        open_to_tms=preferences["open_to_tms"],
    )
    eligible_ocd = tms_eligible_ocd(
        primary=primary,
        failed_sri_trials=summary["failed_sri_trials"],
        age_years=years,
        psychotic_symptoms=concerns["psychotic_symptoms"],
        open_to_tms=preferences["open_to_tms"],
    )
    eligible = eligible_depression or eligible_ocd
    failed_sri = history.failed_sri(version)
    facts = {
        "age": years,
        "primary": primary,
        "primary_words": PRIMARY_WORDS[primary],
        "episode_months": concerns["episode_months"],
        "psychotic_symptoms": concerns["psychotic_symptoms"],
        "mania_history": concerns["mania_history"],
        "bipolar_diagnosis": concerns["bipolar_diagnosis"],
        "phq9_total": phq9_total,
        "phq9_severity": phq9_band,
        "phq9_severity_words": phq9_band.replace("_", " "),
        "gad7_total": gad7_total,
        "gad7_severity": gad7_band,
        "gad7_severity_words": gad7_band.replace("_", " "),
        **screening,
        "failed_adequate_trials": summary["failed_adequate_trials"],
        "failed_trial_names": _words([m.generic for m in history.failed]),
        "failed_class_count": len(summary["failed_classes"]),
        "failed_class_names": _words(
            sorted({m.class_label for m in history.failed}, key=str.lower)
        ),
        "failed_sri_trials": summary["failed_sri_trials"],
        "failed_sri_names": _words(failed_sri),
        "documented_failed_trials": len(history.documented),
        "documented_failed_class_count": len(
            summary["documented_failed_classes"] if version >= 2 else history.documented_classes
        ),
        "undocumented_trial_names": _words(history.undocumented),
        "failed_ect": ect,
        "augmentation_trials": summary["augmentation_trials"],
        "currently_on_antidepressant": summary["currently_on_antidepressant"],
        "current_antidepressant_names": _words(history.current_antidepressants),
        "treatment_resistant": summary["treatment_resistant"],
        "adequate_psychotherapy_trial": summary["adequate_psychotherapy_trial"],
        "psychotherapy_trial_words": _words(history.psychotherapy),
        "has_unrecognized_medications": bool(history.unrecognized),
        "unrecognized_medication_names": _words(history.unrecognized),
        "takes_seizure_threshold_medicine": bool(seizure),
        "seizure_threshold_names": _words(seizure),
        "absolute_finding": bool(safety.absolute),
        "absolute_finding_words": _words([SAFETY_WORDS[i] for i in safety.absolute]),
        "absolute_unsure": safety.absolute_unsure,
        "relative_finding": bool(safety.relative),
        "relative_finding_words": _words([SAFETY_WORDS[i] for i in safety.relative]),
        "unsure_finding": bool(safety.unsure),
        "unsure_finding_words": _words([SAFETY_WORDS[i] for i in safety.unsure]),
        "hearing_problems": answers["safety_screen"]["hearing_problems"],
        "depressive_presentation": depressive,
        "tms_eligible_depression": eligible_depression,
        "tms_eligible_ocd": eligible_ocd,
        "tms_eligible": eligible,
        "tms_offered": eligible and not safety.absolute and not (version >= 2 and acute),
        "tms_history": answers["neuromodulation"]["tms"],
        "open_to_tms": preferences["open_to_tms"],
        "open_to_psychotherapy": preferences["open_to_psychotherapy"],
        "open_to_medication_changes": preferences["open_to_medication_changes"],
        "can_attend_daily_sessions": preferences["can_attend_daily_sessions"],
        "coverage_type": answers["insurance"]["coverage_type"],
        "guardian_recorded": guardian != "none",
        "guardian_words": guardian,
    }
    scores = {
        "phq9": {
            "total": phq9_total,
            "severity": phq9_band,
            "item9": phq9_items[8],
            "difficulty": answers["phq9"]["difficulty"],
        },
        "gad7": {"total": gad7_total, "severity": gad7_band},
    }
    return Derived(facts=facts, scores=scores, treatment_history=summary)
