"""Rules v2 and intake-answers/2, table-driven from ../shared/docs/pathway-rules-v2.md.

Every expectation is written here from the spec (the clinical lead's answers), never read from
the ruleset: each changed flag, pathway, criterion and boundary (8 weeks for OCD, 450 mg
bupropion, 12 and 18 years, declined on each ASQ question, documented vs undocumented doses).
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

import pytest
from answer_documents import DELETE, changed, sample_answers, sample_answers_v2

from intake.answers import InvalidAnswers, parse_answers
from intake.rules import evaluate
from intake.rules.ruleset import SHIPPED, default_ruleset, shipped_ruleset

AS_OF = date(2026, 11, 1)
V2 = shipped_ruleset("2")
ASQ_QUESTIONS = ("wished_dead", "family_better_off", "thoughts_of_killing_self", "ever_tried")


def run(changes: dict[str, Any] | None = None, *, document: dict[str, Any] | None = None) -> dict:
    answers = parse_answers(changed(document or sample_answers_v2(), changes or {}), AS_OF)
    return evaluate(answers, AS_OF, V2)


def pathways(evaluation: dict[str, Any]) -> list[str]:
    return [p["code"] for p in evaluation["pathways"]]


def flags(evaluation: dict[str, Any]) -> list[str]:
    return [f["code"] for f in evaluation["flags"]]


def after(evaluation: dict[str, Any]) -> dict[str, list[str]]:
    return {p["code"]: p["after"] for p in evaluation["pathways"]}


def criteria(evaluation: dict[str, Any]) -> dict[str, str]:
    return {c["code"]: c["status"] for c in evaluation["coverage"]["criteria"]}


def trial(name: str, dose: float | None, weeks: int, outcome: str, current: bool = False) -> dict:
    return {
        "name": name,
        "daily_dose_mg": dose,
        "weeks": weeks,
        "outcome": outcome,
        "current": current,
    }


# -- the rulesets ---------------------------------------------------------------------------


def test_v1_and_v2_are_unchanged_byte_for_byte_and_v2_1_is_the_default() -> None:
    v1 = shipped_ruleset("1")
    # The hash every stored v1 evaluation carries (docs/rules.md); it must never move.
    assert v1.sha256 == "a3166d80f296c09166469145adc1c5bc6a66510c54323fd1a7432db807bd0346"
    assert (v1.version, v1.contract) == ("1.0.0", "intake-evaluation/1")
    assert (V2.version, V2.contract) == ("2.0.0", "intake-evaluation/2")
    # The hash every stored 2.0.0 evaluation carries: the Spanish names came as 2.1.0 instead.
    assert V2.sha256 == "2c72353b9efabaadb8de97a2e845e1a0ebeea3daf9b07f15166e91154e65ac04"
    v2_1 = shipped_ruleset("2.1")
    assert (v2_1.version, v2_1.contract) == ("2.1.0", "intake-evaluation/2")
    assert default_ruleset() is v2_1
    ruleset_bytes = SHIPPED["2"].read_bytes()
    catalogue = SHIPPED["2"].with_name("catalogue-v2.yaml").read_bytes()
    assert V2.sha256 == hashlib.sha256(ruleset_bytes + catalogue).hexdigest()


def test_v2_lists_pathways_flags_and_criteria_in_the_spec_order() -> None:
    assert [rule.code for rule in V2.pathways] == [
        "crisis_support",
        "safety_check",
        "tms_safety_review",
        "bipolar_assessment",
        "tms_plus_cbt",
        "tms_plus_medication_review",
        "tms_plus_erp",
        "medication_evaluation",
        "psychotherapy",
        "maintenance_therapy",
        "clinician_consultation",
    ]
    assert [c.code for c in V2.coverage.criteria] == [
        "covered_indication",
        "age",
        "severity",
        "medication_trials",
        "psychotherapy_trial",
        "no_psychosis",
        "no_acute_suicide_risk",
        "no_contraindication",
    ]
    levels = {rule.code: rule.level for rule in V2.flags}
    assert levels["suicide_risk_acute"] == levels["suicide_risk"] == "urgent"
    assert levels["psychosis_unclear"] == "warning"
    assert levels["guardian_consent"] == "info"
    assert V2.pathway("safety_check").title == "A safety check-in with a clinician"


def test_the_evaluation_has_the_v2_keys() -> None:
    evaluation = run()
    assert evaluation["contract"] == "intake-evaluation/2"
    assert evaluation["ruleset"] == {"version": "2.0.0", "sha256": V2.sha256}
    assert all(set(p) == {"code", "title", "because", "after"} for p in evaluation["pathways"])
    history = evaluation["treatment_history"]
    assert {"documented_failed_trials", "documented_failed_classes", "failed_ect"} <= set(history)
    assert history["documented_failed_trials"] == 2
    assert history["documented_failed_classes"] == ["snri", "ssri"]
    assert history["failed_ect"] is False


# -- suicide risk: acute vs non-acute, declined ---------------------------------------------

SUICIDE_ROWS = [
    # (changes, flags expected among the urgent ones, first pathway)
    ({}, [], "tms_plus_cbt"),
    ({"asq.wished_dead": "yes", "asq.thoughts_right_now": "no"}, ["suicide_risk"], "safety_check"),
    ({"asq.ever_tried": "yes", "asq.thoughts_right_now": "no"}, ["suicide_risk"], "safety_check"),
    ({"phq9.items[8]": 1}, ["suicide_risk"], "safety_check"),
    (
        {"asq.wished_dead": "yes", "asq.thoughts_right_now": "yes"},
        ["suicide_risk_acute"],
        "crisis_support",
    ),
    (
        {"asq.wished_dead": "yes", "asq.thoughts_right_now": "declined"},
        ["suicide_risk_acute"],
        "crisis_support",
    ),
    # Q5 answered whatever Q1-4 say: a yes or a declined Q5 alone is acute.
    ({"asq.thoughts_right_now": "yes"}, ["suicide_risk_acute"], "crisis_support"),
    ({"asq.thoughts_right_now": "declined"}, ["suicide_risk_acute"], "crisis_support"),
    ({"asq.thoughts_right_now": "no"}, [], "tms_plus_cbt"),
]


@pytest.mark.parametrize(("changes", "urgent", "first"), SUICIDE_ROWS)
def test_acute_and_non_acute_suicide_risk(
    changes: dict[str, Any], urgent: list[str], first: str
) -> None:
    evaluation = run(changes)
    got = [f["code"] for f in evaluation["flags"] if f["level"] == "urgent"]
    assert got == urgent
    assert pathways(evaluation)[0] == first
    assert ("crisis_support" in pathways(evaluation)) == (urgent == ["suicide_risk_acute"])
    assert ("safety_check" in pathways(evaluation)) == (urgent == ["suicide_risk"])


@pytest.mark.parametrize("question", ASQ_QUESTIONS)
def test_declining_any_of_questions_1_to_4_is_a_positive_screen(question: str) -> None:
    evaluation = run({f"asq.{question}": "declined", "asq.thoughts_right_now": "no"})
    assert "suicide_risk" in flags(evaluation)
    assert pathways(evaluation)[0] == "safety_check"
    because = next(f["because"] for f in evaluation["flags"] if f["code"] == "suicide_risk")
    assert any("chose not to answer" in line for line in because)


@pytest.mark.parametrize("question", ASQ_QUESTIONS)
def test_a_declined_question_1_to_4_makes_question_5_required(question: str) -> None:
    document = changed(sample_answers_v2(), {f"asq.{question}": "declined"})
    with pytest.raises(InvalidAnswers) as caught:
        parse_answers(document, AS_OF)
    assert [p.path for p in caught.value.problems] == ["asq.thoughts_right_now"]


def test_acute_risk_defers_tms_and_offers_the_other_pathways_after_crisis_support() -> None:
    evaluation = run({"asq.wished_dead": "yes", "asq.thoughts_right_now": "yes"})
    assert pathways(evaluation) == ["crisis_support", "medication_evaluation", "psychotherapy"]
    assert criteria(evaluation)["no_acute_suicide_risk"] == "not_met"


def test_non_acute_risk_keeps_tms_after_the_safety_check() -> None:
    evaluation = run({"asq.wished_dead": "yes", "asq.thoughts_right_now": "no"})
    assert pathways(evaluation) == ["safety_check", "tms_plus_cbt", "tms_plus_medication_review"]
    assert after(evaluation) == {
        "safety_check": [],
        "tms_plus_cbt": ["safety_check"],
        "tms_plus_medication_review": ["safety_check"],
    }
    assert criteria(evaluation)["no_acute_suicide_risk"] == "met"


def test_acute_risk_has_no_safety_review_even_with_a_safety_finding() -> None:
    evaluation = run({"asq.thoughts_right_now": "yes", "safety_screen.seizure_history": "yes"})
    assert "tms_safety_review" not in pathways(evaluation)
    assert "tms_precaution" in flags(evaluation)


# -- sequencing -----------------------------------------------------------------------------


def test_bipolar_tms_comes_after_the_bipolar_assessment() -> None:
    evaluation = run({"concerns.mania_history": "yes"})
    assert pathways(evaluation) == [
        "bipolar_assessment",
        "tms_plus_cbt",
        "tms_plus_medication_review",
    ]
    assert after(evaluation)["tms_plus_cbt"] == ["bipolar_assessment"]
    assert after(evaluation)["bipolar_assessment"] == []


def test_every_first_step_is_listed_in_priority_order() -> None:
    evaluation = run(
        {
            "asq.wished_dead": "yes",
            "asq.thoughts_right_now": "no",
            "safety_screen.fainting": "yes",
            "concerns.bipolar_diagnosis": "yes",
            "concerns.psychotic_symptoms": "unsure",
        }
    )
    first = ["safety_check", "tms_safety_review", "bipolar_assessment", "medication_evaluation"]
    assert after(evaluation)["tms_plus_cbt"] == first
    assert after(evaluation)["tms_plus_medication_review"] == first
    assert all(after(evaluation)[code] == [] for code in first)


def test_unsure_psychosis_asks_for_a_psychiatric_evaluation_first() -> None:
    evaluation = run({"concerns.psychotic_symptoms": "unsure"})
    assert "psychosis_unclear" in flags(evaluation)
    assert pathways(evaluation) == [
        "tms_plus_cbt",
        "tms_plus_medication_review",
        "medication_evaluation",
    ]
    assert after(evaluation)["tms_plus_cbt"] == ["medication_evaluation"]
    assert criteria(evaluation)["no_psychosis"] == "unknown"
    # Not unsure: no flag, and no psychiatric evaluation beside TMS.
    assert "psychosis_unclear" not in flags(run())
    assert "medication_evaluation" not in pathways(run())


# -- OCD: 8 weeks at the OCD dose --------------------------------------------------------------

OCD_DOSES = [
    ("citalopram", 40),
    ("escitalopram", 20),
    ("fluoxetine", 40),
    ("fluvoxamine", 200),
    ("paroxetine", 40),
    ("sertraline", 200),
    ("clomipramine", 100),
]


def ocd(*trials: dict[str, Any]) -> dict[str, Any]:
    return run({"concerns.primary": "ocd", "medication_trials": list(trials)})


@pytest.mark.parametrize(("name", "minimum"), OCD_DOSES)
def test_an_ocd_trial_needs_the_ocd_dose(name: str, minimum: int) -> None:
    at = ocd(trial(name, minimum, 8, "no_improvement"))
    below = ocd(trial(name, minimum - 1, 12, "no_improvement"))
    assert at["treatment_history"]["failed_sri_trials"] == 1
    assert below["treatment_history"]["failed_sri_trials"] == 0


@pytest.mark.parametrize(("weeks", "counts"), [(7, False), (8, True), (12, True)])
def test_an_ocd_trial_needs_8_weeks(weeks: int, counts: bool) -> None:
    evaluation = ocd(trial("fluoxetine", 60, weeks, "partial_improvement"))
    assert evaluation["treatment_history"]["failed_sri_trials"] == int(counts)


@pytest.mark.parametrize(
    ("dose", "weeks", "outcome", "counts"),
    [
        (None, 8, "no_improvement", True),  # an unknown dose: benefit of the doubt
        (10, 1, "stopped_side_effects", True),  # intolerance, whatever dose or weeks
        (200, 12, "full_improvement", False),
        (200, 12, "too_early", False),
    ],
)
def test_ocd_trial_outcomes(dose: float | None, weeks: int, outcome: str, counts: bool) -> None:
    evaluation = ocd(trial("sertraline", dose, weeks, outcome))
    assert evaluation["treatment_history"]["failed_sri_trials"] == int(counts)


def test_deep_tms_for_ocd_with_two_ocd_trials_and_not_with_depression_doses() -> None:
    two = ocd(
        trial("fluoxetine", 40, 8, "no_improvement"), trial("sertraline", 200, 10, "no_improvement")
    )
    assert "tms_plus_erp" in pathways(two)
    # At depression doses (v1 counted these), v2 does not.
    low = ocd(
        trial("fluoxetine", 20, 8, "no_improvement"), trial("sertraline", 100, 10, "no_improvement")
    )
    assert low["treatment_history"]["failed_sri_trials"] == 0
    assert "tms_plus_erp" not in pathways(low)
    v1 = evaluate(
        parse_answers(
            changed(
                sample_answers(),
                {
                    "concerns.primary": "ocd",
                    "medication_trials": [
                        trial("fluoxetine", 20, 8, "no_improvement"),
                        trial("sertraline", 100, 10, "no_improvement"),
                    ],
                },
            ),
            AS_OF,
        ),
        AS_OF,
        shipped_ruleset("1"),
    )
    assert "tms_plus_erp" in pathways(v1)


def test_failed_sri_trials_is_reported_for_every_patient() -> None:
    # Not OCD, and sertraline 150 mg is below its OCD dose (200): the count is still given.
    assert run()["treatment_history"]["failed_sri_trials"] == 0
    evaluation = run({"medication_trials[0].daily_dose_mg": 200})
    assert evaluation["treatment_history"]["failed_sri_trials"] == 1
    evaluation = run({"medication_trials[0].weeks": 7, "medication_trials[0].daily_dose_mg": 200})
    assert evaluation["treatment_history"]["failed_sri_trials"] == 0


# -- bupropion above 450 mg ------------------------------------------------------------------

BUPROPION_ROWS = [
    (trial("bupropion", 450, 10, "partial_improvement", current=True), False),
    (trial("bupropion", 451, 10, "partial_improvement", current=True), True),
    (trial("Wellbutrin XL", 600, 10, "partial_improvement", current=True), True),
    (trial("bupropion", 600, 10, "partial_improvement", current=False), False),
    (trial("bupropion", None, 10, "partial_improvement", current=True), False),
]


@pytest.mark.parametrize(("entry", "flagged"), BUPROPION_ROWS)
def test_bupropion_above_450_mg_lowers_the_seizure_threshold(
    entry: dict[str, Any], flagged: bool
) -> None:
    evaluation = run({"medication_trials[1]": entry})
    assert ("seizure_threshold_medication" in flags(evaluation)) is flagged
    assert ("tms_precaution" in flags(evaluation)) is flagged


def test_bupropion_in_other_medicines_has_no_dose_and_does_not_count() -> None:
    evaluation = run({"other_medications": ["bupropion", "Wellbutrin"]})
    assert "seizure_threshold_medication" not in flags(evaluation)


def test_v1_never_counts_bupropion() -> None:
    document = changed(
        sample_answers(),
        {"medication_trials[1]": trial("bupropion", 600, 10, "no_improvement", True)},
    )
    evaluation = evaluate(parse_answers(document, AS_OF), AS_OF, shipped_ruleset("1"))
    assert "seizure_threshold_medication" not in flags(evaluation)


# -- ECT and treatment resistance ------------------------------------------------------------


@pytest.mark.parametrize(
    ("ect", "resistant"),
    [
        ("no_improvement", True),
        ("partial_improvement", True),
        ("full_improvement", False),
        ("stopped", False),
        ("none", False),
    ],
)
def test_one_failed_trial_and_failed_ect_is_treatment_resistant(ect: str, resistant: bool) -> None:
    one_trial = {"medication_trials": [trial("sertraline", 150, 10, "no_improvement")]}
    evaluation = run({**one_trial, "neuromodulation.ect": ect})
    history = evaluation["treatment_history"]
    assert history["failed_ect"] is (ect in ("no_improvement", "partial_improvement"))
    assert history["treatment_resistant"] is resistant
    assert ("tms_plus_cbt" in pathways(evaluation)) is resistant


def test_failed_ect_alone_is_not_treatment_resistant() -> None:
    evaluation = run({"medication_trials": [], "neuromodulation.ect": "no_improvement"})
    assert evaluation["treatment_history"]["treatment_resistant"] is False


# -- documented trials and the coverage checklist --------------------------------------------


@pytest.mark.parametrize(
    ("trials", "status", "named"),
    [
        # Both with a dose: documented.
        (
            [
                trial("sertraline", 150, 10, "no_improvement"),
                trial("venlafaxine", 150, 8, "no_improvement"),
            ],
            "met",
            None,
        ),
        # Intolerance documents a trial without a dose.
        (
            [
                trial("sertraline", None, 2, "stopped_side_effects"),
                trial("venlafaxine", 150, 8, "no_improvement"),
            ],
            "met",
            None,
        ),
        # One without a dose: enough trials, not enough documented; it is named.
        (
            [
                trial("sertraline", None, 10, "no_improvement"),
                trial("venlafaxine", 150, 8, "no_improvement"),
            ],
            "unknown",
            "sertraline",
        ),
        # Neither documented.
        (
            [
                trial("sertraline", None, 10, "no_improvement"),
                trial("venlafaxine", None, 8, "no_improvement"),
                trial("bupropion", 300, 8, "no_improvement"),
            ],
            "unknown",
            "sertraline, venlafaxine",
        ),
        # The same medicine twice, once with a dose: documented.
        (
            [
                trial("sertraline", None, 10, "no_improvement"),
                trial("Zoloft", 100, 10, "no_improvement"),
                trial("venlafaxine", 150, 8, "no_improvement"),
            ],
            "met",
            None,
        ),
    ],
)
def test_medication_trials_criterion_counts_documented_trials(
    trials: list[dict[str, Any]], status: str, named: str | None
) -> None:
    evaluation = run({"medication_trials": trials})
    criterion = next(
        c for c in evaluation["coverage"]["criteria"] if c["code"] == "medication_trials"
    )
    assert criterion["status"] == status
    if named:
        assert criterion["because"].endswith(f"record the daily dose of: {named}")
    # Education still counts every adequate trial: TMS stays offered.
    assert "tms_plus_cbt" in pathways(evaluation)


def test_medication_trials_not_met_when_too_few_trials_even_undocumented() -> None:
    evaluation = run(
        {
            "medication_trials": [trial("sertraline", None, 10, "no_improvement")],
            "neuromodulation.ect": "no_improvement",
        }
    )
    assert criteria(evaluation)["medication_trials"] == "not_met"


def test_medicare_needs_one_documented_trial() -> None:
    evaluation = run(
        {
            "insurance.coverage_type": "medicare",
            "insurance.member_id": "1EG4-TE5-MK73",
            "medication_trials": [
                trial("sertraline", None, 10, "no_improvement"),
                trial("venlafaxine", 150, 8, "no_improvement"),
            ],
        }
    )
    assert criteria(evaluation)["medication_trials"] == "met"


# -- age: 12 and 18 --------------------------------------------------------------------------


def born(years_before: int, days: int = 0) -> str:
    """A date of birth that gives an age of ``years_before`` on AS_OF (``days`` later: younger)."""
    day = date(AS_OF.year - years_before, AS_OF.month, AS_OF.day)
    return date.fromordinal(day.toordinal() + days).isoformat()


GUARDIAN = {"consent.guardian_name": "Maria Reyes", "consent.guardian_relationship": "parent"}


@pytest.mark.parametrize(
    ("dob", "accepted"),
    [(born(12), True), (born(12, days=1), False), (born(11), False), (born(13), True)],
)
def test_the_online_intake_is_for_people_aged_12_and_over(dob: str, accepted: bool) -> None:
    document = changed(sample_answers_v2(), {"patient.date_of_birth": dob, **GUARDIAN})
    if accepted:
        assert parse_answers(document, AS_OF)["patient"]["date_of_birth"] == dob
        return
    with pytest.raises(InvalidAnswers) as caught:
        parse_answers(document, AS_OF)
    [problem] = caught.value.problems
    assert problem.path == "patient.date_of_birth"
    assert "12 and over" in problem.message and "call the clinic" in problem.message


def test_a_v1_document_keeps_v1_field_rules() -> None:
    """No age floor, no guardian, no declined; 6262 weeks (v1's limit in this app)."""
    document = changed(
        sample_answers(), {"patient.date_of_birth": born(10), "medication_trials[0].weeks": 6262}
    )
    answers = parse_answers(document, AS_OF)
    assert answers["contract"] == "intake-answers/1"
    assert "guardian_name" not in answers["consent"]
    with pytest.raises(InvalidAnswers):
        parse_answers(changed(sample_answers(), {"asq.wished_dead": "declined"}), AS_OF)
    with pytest.raises(InvalidAnswers):
        parse_answers(changed(sample_answers(), GUARDIAN), AS_OF)


@pytest.mark.parametrize(("weeks", "ok"), [(0, True), (2600, True), (2601, False)])
def test_v2_weeks_run_from_0_to_2600(weeks: int, ok: bool) -> None:
    document = changed(sample_answers_v2(), {"medication_trials[0].weeks": weeks})
    if ok:
        parse_answers(document, AS_OF)
    else:
        with pytest.raises(InvalidAnswers) as caught:
            parse_answers(document, AS_OF)
        assert [p.path for p in caught.value.problems] == ["medication_trials[0].weeks"]


@pytest.mark.parametrize(
    ("age", "changes", "problems"),
    [
        (17, {}, ["consent.guardian_name", "consent.guardian_relationship"]),
        (17, GUARDIAN, []),
        (
            17,
            {**GUARDIAN, "consent.guardian_relationship": "aunt"},
            ["consent.guardian_relationship"],
        ),
        (17, {**GUARDIAN, "consent.guardian_name": "  "}, ["consent.guardian_name"]),
        (17, {**GUARDIAN, "consent.guardian_name": "x" * 201}, ["consent.guardian_name"]),
        (18, {}, []),
        (18, GUARDIAN, ["consent.guardian_name", "consent.guardian_relationship"]),
    ],
)
def test_under_18_a_parent_or_legal_guardian_is_named(
    age: int, changes: dict[str, Any], problems: list[str]
) -> None:
    document = changed(sample_answers_v2(), {"patient.date_of_birth": born(age), **changes})
    if not problems:
        parse_answers(document, AS_OF)
        return
    with pytest.raises(InvalidAnswers) as caught:
        parse_answers(document, AS_OF)
    assert [p.path for p in caught.value.problems] == problems


def test_guardian_consent_flag_names_the_guardian() -> None:
    evaluation = run({"patient.date_of_birth": born(16), **GUARDIAN})
    flag = next(f for f in evaluation["flags"] if f["code"] == "guardian_consent")
    assert flag["level"] == "info"
    assert "Maria Reyes (parent)" in " ".join(flag["because"])
    assert "guardian_consent" not in flags(run({"patient.date_of_birth": born(18)}))


def test_a_v1_minor_has_no_guardian_recorded() -> None:
    document = changed(sample_answers(), {"patient.date_of_birth": born(16)})
    evaluation = evaluate(parse_answers(document, AS_OF), AS_OF, V2)
    flag = next(f for f in evaluation["flags"] if f["code"] == "guardian_consent")
    assert "No parent or legal guardian was recorded in the consent" in flag["because"]


# -- v1 documents under v2, and v1 unchanged -------------------------------------------------


def test_a_v1_document_is_evaluated_by_v2() -> None:
    evaluation = evaluate(parse_answers(sample_answers(), AS_OF), AS_OF, V2)
    assert evaluation["contract"] == "intake-evaluation/2"
    assert pathways(evaluation) == ["tms_plus_cbt", "tms_plus_medication_review"]


def test_v1_output_has_no_v2_keys() -> None:
    evaluation = evaluate(parse_answers(sample_answers(), AS_OF), AS_OF, shipped_ruleset("1"))
    assert evaluation["contract"] == "intake-evaluation/1"
    assert all("after" not in p for p in evaluation["pathways"])
    assert "documented_failed_trials" not in evaluation["treatment_history"]
    assert [c["code"] for c in evaluation["coverage"]["criteria"]][-2:] == [
        "no_psychosis",
        "no_contraindication",
    ]


def test_v2_patient_wording_never_gives_a_diagnosis_or_a_band() -> None:
    from intake.rules.education import patient_summary

    evaluation = ocd(
        trial("fluoxetine", 40, 8, "no_improvement"), trial("sertraline", 200, 10, "no_improvement")
    )
    lines = [line for item in patient_summary(evaluation) for line in item["why_it_may_fit"]]
    assert "You told us OCD is what brings you here" in " ".join(lines)
    assert not any("You have OCD" in line for line in lines)
    for item in patient_summary(run({"concerns.mania_history": "yes"})):
        for line in item["why_it_may_fit"]:
            assert "range" not in line and "moderately severe" not in line


def test_no_tms_may_fit_beside_an_absolute_finding() -> None:
    from intake.rules.education import patient_summary

    evaluation = run({"safety_screen.metal_in_head": "yes"})
    [review] = [i for i in patient_summary(evaluation) if i["code"] == "tms_safety_review"]
    text = " ".join(review["why_it_may_fit"])
    assert (
        "A doctor needs to check your safety answers before anyone can say whether TMS is an option"
        in text
    )
    assert "may be an option" not in text and "may fit" not in text


def test_a_missing_section_is_still_reported_once_in_v2() -> None:
    with pytest.raises(InvalidAnswers) as caught:
        parse_answers(changed(sample_answers_v2(), {"consent": DELETE}), AS_OF)
    assert [p.path for p in caught.value.problems] == ["consent"]
