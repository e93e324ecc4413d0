"""The wizard offers exactly the choices the contract accepts, and every code has its wordings.

The expected code lists are the contract's (intake-contract-v1.md), written out here; the test
reads what the forms actually offer and what the contract actually accepts. The staff wording
expected on pages is written out here too (what the queue, the submission page and the summary
show), as are the rules' phrases their explanations depend on.
"""

from __future__ import annotations

from datetime import date

import pytest
from answer_documents import AS_OF_ISO, changed, insurance_for, sample_answers_v2
from flask import Flask, render_template_string
from flask.testing import FlaskClient

from intake import answers
from intake import vocabulary as vocab
from intake.answers import InvalidAnswers, parse_answers
from intake.forms.patient import STEP_FORMS
from intake.rules import RULESET, facts
from intake.rules.ruleset import STATUSES
from tests.factories import make_submission

YN = ["yes", "no", "unsure"]
CONTRACT = {
    # (step, form field): (contract path, codes in the contract)
    ("about", "preferred_language"): ("patient.preferred_language", ["en", "es"]),
    ("about", "preferred_contact"): ("patient.preferred_contact", ["phone", "email", "text"]),
    ("concerns", "primary"): (
        "concerns.primary",
        ["depression", "anxiety", "ocd", "bipolar", "ptsd", "other"],
    ),
    ("concerns", "mania_history"): ("concerns.mania_history", YN),
    ("phq9", "difficulty"): (
        "phq9.difficulty",
        ["not_difficult", "somewhat_difficult", "very_difficult", "extremely_difficult"],
    ),
    # intake-answers/2 (what the wizard writes): each ASQ question may be declined.
    ("asq", "wished_dead"): ("asq.wished_dead", ["yes", "no", "declined"]),
    ("asq", "thoughts_right_now"): ("asq.thoughts_right_now", ["yes", "no", "declined"]),
    ("medications", "medication_trials-0-outcome"): (
        "medication_trials[0].outcome",
        [
            "no_improvement",
            "partial_improvement",
            "full_improvement",
            "stopped_side_effects",
            "too_early",
        ],
    ),
    ("treatments", "psychotherapy_trials-0-modality"): (
        "psychotherapy_trials[0].modality",
        [
            "cbt",
            "dbt",
            "act",
            "ipt",
            "mbct",
            "erp",
            "psychodynamic",
            "trauma_focused",
            "supportive",
            "other",
        ],
    ),
    ("treatments", "psychotherapy_trials-0-outcome"): (
        "psychotherapy_trials[0].outcome",
        ["no_improvement", "partial_improvement", "full_improvement", "stopped", "ongoing"],
    ),
    ("treatments", "tms"): (
        "neuromodulation.tms",
        ["none", "no_improvement", "partial_improvement", "full_improvement", "stopped"],
    ),
    ("safety", "pregnant"): ("safety_screen.pregnant", [*YN, "not_applicable"]),
    ("preferences", "open_to_tms"): ("preferences.open_to_tms", YN),
    ("insurance", "coverage_type"): (
        "insurance.coverage_type",
        ["commercial", "medicare", "medicaid", "tricare", "self_pay", "other"],
    ),
    ("insurance", "subscriber_relationship"): (
        "insurance.subscriber_relationship",
        ["self", "spouse", "parent", "other"],
    ),
}


def _field(app: Flask, step: str, name: str):  # type: ignore[no-untyped-def]
    with app.test_request_context():
        form = STEP_FORMS[step](meta={"csrf": False})
        from intake.forms.base import leaf_fields

        return next(f for f in leaf_fields(form) if f.name == name)


@pytest.mark.parametrize(("step", "name"), sorted(CONTRACT))
def test_the_form_offers_exactly_the_contract_codes(app: Flask, step: str, name: str) -> None:
    field = _field(app, step, name)
    offered = [c.value for c in field.choices if c.value != ""]
    assert offered == CONTRACT[(step, name)][1]
    assert all(c.label.strip() for c in field.choices)


@pytest.mark.parametrize(("step", "name"), sorted(CONTRACT))
def test_the_contract_accepts_each_code_and_nothing_else(step: str, name: str) -> None:
    path, expected = CONTRACT[(step, name)]
    as_of = date.fromisoformat(AS_OF_ISO)
    document = sample_answers_v2()  # the contract the wizard writes
    if path.startswith("insurance.subscriber_relationship"):
        document = changed(
            document,
            {
                "insurance.subscriber_name": "Sam Reyes",
                "insurance.subscriber_date_of_birth": "1980-01-01",
            },
        )
    for code in expected:
        doc = changed(document, {path: code})
        if path == "concerns.primary" and code == "other":
            doc = changed(doc, {"concerns.other_description": "sleep"})
        if path == "patient.preferred_contact":
            doc = changed(doc, {"patient.email": "a@example.org", "patient.phone": "5035550100"})
        if path == "asq.wished_dead" and code in ("yes", "declined"):
            doc = changed(doc, {"asq.thoughts_right_now": "no"})
        if path == "insurance.coverage_type" and code == "medicare":
            doc = changed(doc, {"insurance.member_id": "1EG4-TE5-MK73"})
        parse_answers(doc, as_of)
    with pytest.raises(InvalidAnswers):
        parse_answers(changed(document, {path: "not-a-code"}), as_of)


#: Lists the vocabulary must have (by the name templates give the ``label`` filter).
EXPECTED_LISTS = {
    "yn",
    "yes_no",
    "languages",
    "contact_methods",
    "primary_concerns",
    "frequency",
    "phq9_difficulty",
    "med_outcomes",
    "duration_units",
    "therapy_modalities",
    "therapy_outcomes",
    "neuromod_outcomes",
    "pregnant",
    "coverage_types",
    "relationships",
    "phq9_questions",
    "gad7_questions",
    "asq_questions",
    "safety_questions",
    "safety_screen",
    "coverage_criteria",
    "criterion_statuses",
    "safety_kinds",
    "contact_outcomes",
    "risk_outcomes",
}


def test_every_code_in_every_list_has_patient_and_staff_wording() -> None:
    assert set(vocab.LISTS) >= EXPECTED_LISTS
    for name, items in vocab.LISTS.items():
        assert len(set(vocab.codes(items))) == len(items), name
        for item in items:
            assert item.code and item.staff.strip(), (name, item)
            if isinstance(item, vocab.Choice | vocab.Question):
                assert item.patient.strip(), (name, item)
            else:
                assert isinstance(item, vocab.Label), (name, item)
    for question in (vocab.ASQ_RIGHT_NOW, vocab.PREGNANT_QUESTION):
        assert question.patient.strip() and question.staff.strip()


def test_the_staff_wording_defaults_to_the_patients() -> None:
    assert vocab.Choice("x", "Same words").staff == "Same words"
    assert vocab.Choice("x", "Patient words", "staff words").staff == "staff words"


#: Each code list the contract accepts (intake.answers) and the vocabulary list labelling it.
CONTRACT_LISTS = [
    (answers.YN, "yn"),
    (answers.YES_NO, "yes_no"),
    (answers.LANGUAGES, "languages"),
    (answers.CONTACT_METHODS, "contact_methods"),
    (answers.PRIMARY_CONCERNS, "primary_concerns"),
    (tuple(str(score) for score in range(answers.ITEM_MAX + 1)), "frequency"),
    (answers.PHQ9_DIFFICULTY, "phq9_difficulty"),
    (answers.MED_OUTCOMES, "med_outcomes"),
    (answers.THERAPY_MODALITIES, "therapy_modalities"),
    (answers.THERAPY_OUTCOMES, "therapy_outcomes"),
    (answers.NEUROMOD_OUTCOMES, "neuromod_outcomes"),
    (answers.PREGNANT_CHOICES, "pregnant"),
    (answers.COVERAGE_TYPES, "coverage_types"),
    (answers.RELATIONSHIPS, "relationships"),
    (answers.ASQ_ANSWERS, "asq_answers"),
    (answers.GUARDIAN_RELATIONSHIPS, "guardian_relationships"),
    (answers.ASQ_ITEMS, "asq_questions"),
    (answers.SAFETY_ITEMS, "safety_questions"),
    ((*answers.SAFETY_ITEMS, "pregnant"), "safety_screen"),
    (tuple(f"item_{n}" for n in range(1, answers.PHQ9_ITEM_COUNT + 1)), "phq9_questions"),
    (tuple(f"item_{n}" for n in range(1, answers.GAD7_ITEM_COUNT + 1)), "gad7_questions"),
    # What the rules produce and staff pages show: the coverage checklist of the ruleset.
    (tuple(c.code for c in RULESET.coverage.criteria), "coverage_criteria"),
    (STATUSES, "criterion_statuses"),
]


@pytest.mark.parametrize(("accepted", "name"), CONTRACT_LISTS, ids=[n for _, n in CONTRACT_LISTS])
def test_every_code_the_contract_accepts_has_a_label(accepted: tuple[str, ...], name: str) -> None:
    # Exactly the contract's codes, in its order: none without a label, no label for nothing.
    assert vocab.codes(vocab.named(name)) == tuple(accepted)


def test_the_questions_outside_the_lists_are_the_contracts() -> None:
    assert vocab.ASQ_RIGHT_NOW.code == "thoughts_right_now"
    assert vocab.PREGNANT_QUESTION.code == "pregnant"


#: Staff wording as the staff pages show it (the queue's columns and filters, the submission
#: page, the pathway summary and its PDF, the insurance panel and packet).
STAFF_WORDING = {
    "primary_concerns": {
        "depression": "Depression",
        "anxiety": "Anxiety",
        "ocd": "OCD",
        "bipolar": "Bipolar",
        "ptsd": "PTSD",
        "other": "Other",
    },
    "coverage_types": {
        "commercial": "Commercial",
        "medicare": "Medicare",
        "medicaid": "Medicaid",
        "tricare": "TRICARE",
        "self_pay": "Self-pay",
        "other": "Other",
    },
    "languages": {"en": "English", "es": "Spanish"},
    "med_outcomes": {
        "no_improvement": "no improvement",
        "partial_improvement": "partial improvement",
        "full_improvement": "full improvement",
        "stopped_side_effects": "stopped: side effects",
        "too_early": "too early to tell",
    },
    "therapy_modalities": {
        "cbt": "CBT",
        "dbt": "DBT",
        "act": "ACT",
        "ipt": "IPT",
        "mbct": "MBCT",
        "erp": "ERP",
        "psychodynamic": "Psychodynamic",
        "trauma_focused": "Trauma-focused",
        "supportive": "Supportive",
        "other": "Other",
    },
    "frequency": {
        "0": "not at all",
        "1": "several days",
        "2": "more than half the days",
        "3": "nearly every day",
    },
    "criterion_statuses": {"met": "met", "not_met": "not met", "unknown": "unknown"},
    "safety_kinds": {
        "absolute": "absolute contraindication",
        "relative": "precaution",
        "other": "note",
    },
    # The risk workflow (docs/staff.md): what a call came to, what a clinician's assessment found.
    "contact_outcomes": {
        "reached": "reached the patient",
        "left_voicemail": "left a voicemail",
        "no_answer": "no answer",
        "wrong_number": "wrong number",
    },
    "risk_outcomes": {
        "no_current_risk": "no current risk identified",
        "safety_plan": "safety plan made",
        "emergency_referral": "referred to emergency care",
        "other": "other (see note)",
    },
}


@pytest.mark.parametrize("name", sorted(STAFF_WORDING))
def test_staff_wording(name: str) -> None:
    assert vocab.staff_labels(vocab.named(name)) == STAFF_WORDING[name]


def test_staff_label_of_a_code_no_list_knows_is_its_words() -> None:
    assert vocab.staff_label(vocab.COVERAGE_TYPES, "self_pay") == "Self-pay"
    assert vocab.staff_label(vocab.COVERAGE_TYPES, "veterans_affairs") == "veterans affairs"
    assert vocab.staff_label(vocab.COVERAGE_TYPES, None) == "—"


def test_the_label_filter(app: Flask) -> None:
    def render(source: str, **context: object) -> str:
        with app.test_request_context():
            return render_template_string(source, **context)

    assert render("{{ 'self_pay'|label('coverage_types') }}") == "Self-pay"
    assert render("{{ code|label('primary_concerns') }}", code="ocd") == "OCD"
    assert render("{{ 'unsure'|label('yn') }}") == "unsure"
    assert render("{{ 'new_code'|label('coverage_types') }}") == "new code"
    assert render("{{ code|label('relationships') }}", code=None) == "—"
    assert render("[{{ missing|label('languages') }}]") == "[]"
    with pytest.raises(LookupError, match="no list 'coverage_typos'"):
        render("{{ 'self_pay'|label('coverage_typos') }}")


#: The rules name these answers in their explanations ("a seizure in the past"): each needs a
#: phrase, or evaluating a document that gives the answer would fail.
def test_every_answer_the_rules_name_has_a_phrase() -> None:
    assert set(facts.SAFETY_WORDS) >= {*facts.ABSOLUTE_ITEMS, *facts.RELATIVE_ITEMS}
    assert tuple(facts.ASQ_WORDS) == answers.ASQ_ITEMS
    assert tuple(facts.PRIMARY_WORDS) == answers.PRIMARY_CONCERNS
    assert tuple(facts.MODALITY_WORDS) == answers.THERAPY_MODALITIES
    assert all(
        phrase.strip()
        for words in (
            facts.SAFETY_WORDS,
            facts.ASQ_WORDS,
            facts.PRIMARY_WORDS,
            facts.MODALITY_WORDS,
        )
        for phrase in words.values()
    )


def test_the_rules_phrases_are_their_wording() -> None:
    # Rendered in ``because`` lines: a change here changes what the evaluation says.
    assert facts.SAFETY_WORDS["seizure_history"] == "a seizure in the past"
    assert facts.SAFETY_WORDS["pregnant"] == "pregnancy"
    assert facts.ASQ_WORDS["ever_tried"] == "a past suicide attempt"
    assert facts.PRIMARY_WORDS["other"] == "another concern"
    assert facts.MODALITY_WORDS["trauma_focused"] == "trauma-focused therapy"


def test_staff_pages_show_the_staff_wording(client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as("front_desk", "clinician")
    trial = {"name": "Prozac", "daily_dose_mg": 40, "weeks": 2, "current": False}
    submission = make_submission(
        primary_concern="ocd",
        coverage_type="self_pay",
        changes={
            "insurance": insurance_for("self_pay"),
            "patient.preferred_language": "es",
            "medication_trials": [{**trial, "outcome": "stopped_side_effects"}],
            "psychotherapy_trials[0].modality": "trauma_focused",
            "safety_screen.fainting": "yes",
        },
    )
    staff = client.get(f"/staff/submissions/{submission.id}").get_data(as_text=True)
    for shown in ("OCD", "Self-pay", "Spanish", "stopped: side effects", "Trauma-focused"):
        assert shown in staff
    assert "Fainting spells: yes" in staff
    for code in ("self_pay", "trauma focused", ">ocd<"):
        assert code not in staff
    summary = client.get(f"/clinician/submissions/{submission.id}").get_data(as_text=True)
    assert "<dd>OCD</dd>" in summary and "<dd>Self-pay</dd>" in summary
    queue = client.get("/staff/").get_data(as_text=True)
    assert "<td>OCD</td>" in queue and "<td>Self-pay</td>" in queue
