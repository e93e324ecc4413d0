"""The intake-answers/1 validation: every field, every conditional rule, every problem listed."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from answer_documents import AS_OF_ISO, DELETE, changed, sample_answers

from intake import answers
from intake.answers import InvalidAnswers, Problem, is_valid_mbi, parse_answers

AS_OF = date.fromisoformat(AS_OF_ISO)


def problems_for(document: Any) -> list[Problem]:
    with pytest.raises(InvalidAnswers) as caught:
        parse_answers(document, AS_OF)
    return caught.value.problems


def paths_for(document: Any) -> list[str]:
    return [p.path for p in problems_for(document)]


def test_sample_document_is_valid_and_returned_as_a_new_equal_copy() -> None:
    document = sample_answers()
    result = parse_answers(document, AS_OF)
    assert result == document
    assert result is not document
    assert result["patient"] is not document["patient"]
    json.dumps(result)


def test_strings_are_trimmed_and_blank_optionals_become_none() -> None:
    document = changed(
        sample_answers(),
        {
            "patient.first_name": "  Ana ",
            "patient.phone": "   ",
            "insurance.group_number": "",
            "insurance.member_id": " W1 ",
            "medication_trials[0].name": " ZOLOFT ",
            "other_medications": ["  tramadol "],
        },
    )
    result = parse_answers(document, AS_OF)
    assert result["patient"]["first_name"] == "Ana"
    assert result["patient"]["phone"] is None
    assert result["insurance"]["group_number"] is None
    assert result["insurance"]["member_id"] == "W1"
    assert result["medication_trials"][0]["name"] == "ZOLOFT"
    assert result["other_medications"] == ["tramadol"]


def test_absent_optional_keys_are_filled_with_none() -> None:
    document = changed(
        sample_answers(),
        {
            "patient.phone": DELETE,
            "concerns.other_description": DELETE,
            "asq.thoughts_right_now": DELETE,
            "insurance.group_number": DELETE,
            "insurance.subscriber_name": DELETE,
            "insurance.subscriber_date_of_birth": DELETE,
            "medication_trials[0].daily_dose_mg": DELETE,
        },
    )
    result = parse_answers(document, AS_OF)
    assert result["patient"]["phone"] is None
    assert result["concerns"]["other_description"] is None
    assert result["asq"]["thoughts_right_now"] is None
    assert result["insurance"]["group_number"] is None
    assert result["insurance"]["subscriber_name"] is None
    assert result["medication_trials"][0]["daily_dose_mg"] is None
    assert list(result["insurance"]) == list(sample_answers()["insurance"])


VALID_CHANGES = [
    {"patient.first_name": "A"},
    {"patient.first_name": "x" * 100},
    {"patient.date_of_birth": AS_OF_ISO},
    {"patient.date_of_birth": "1905-11-02"},
    {"patient.email": None, "patient.preferred_contact": "phone"},
    {"patient.phone": None},
    {"patient.phone": "(503) 555.0100"},
    {"patient.phone": "1234567"},
    {"patient.phone": "+123456789012345"},
    {"patient.preferred_contact": "text"},
    {"patient.preferred_language": "es"},
    {"concerns.primary": "other", "concerns.other_description": "Stress at work"},
    {"concerns.primary": "other", "concerns.other_description": "x" * 500},
    {"concerns.episode_months": 0},
    {"concerns.episode_months": 600},
    {"concerns.psychotic_symptoms": "unsure"},
    {"phq9.items": [0] * 9, "phq9.difficulty": None},
    {"phq9.items": [0] * 9, "phq9.difficulty": DELETE},
    {"phq9.items": [0] * 9, "phq9.difficulty": "not_difficult"},
    {"phq9.items": [3] * 9},
    {"asq.wished_dead": "yes", "asq.thoughts_right_now": "no"},
    {"asq.ever_tried": "yes", "asq.thoughts_right_now": "yes"},
    {"medication_trials": []},
    {"medication_trials[0].daily_dose_mg": None},
    {"medication_trials[0].daily_dose_mg": 0.5},
    {"medication_trials[0].daily_dose_mg": 3000},
    {"medication_trials[0].weeks": 0},
    {"medication_trials[0].weeks": 520},
    {"medication_trials": [sample_answers()["medication_trials"][0]] * 30},
    {"other_medications": ["x"] * 50},
    {"psychotherapy_trials": []},
    {"psychotherapy_trials[0].sessions": 1000},
    {"psychotherapy_trials": [sample_answers()["psychotherapy_trials"][0]] * 20},
    {"safety_screen.pregnant": "unsure"},
    {"insurance.coverage_type": "medicare", "insurance.member_id": "1EG4-TE5-MK73"},
    {"insurance.coverage_type": "medicare", "insurance.member_id": "1eg4te5mk73"},
    {"insurance.coverage_type": "self_pay", "insurance.payer_name": None},
    {
        "insurance.coverage_type": "self_pay",
        "insurance.payer_name": DELETE,
        "insurance.member_id": DELETE,
        "insurance.subscriber_relationship": DELETE,
    },
    {"insurance.group_number": "x" * 50},
    {
        "insurance.subscriber_relationship": "spouse",
        "insurance.subscriber_name": "Luis Reyes",
        "insurance.subscriber_date_of_birth": "1983-02-01",
    },
    {"consent.agrees_to_contact": False},
    {"consent.signature": "x" * 200},
]


@pytest.mark.parametrize("changes", VALID_CHANGES, ids=lambda c: ",".join(c))
def test_valid_answers_are_accepted(changes: dict[str, Any]) -> None:
    parse_answers(changed(sample_answers(), changes), AS_OF)


INVALID_CHANGES = [
    ({"contract": "intake-answers/3"}, "contract"),
    ({"contract": DELETE}, "contract"),
    ({"patient": DELETE}, "patient"),
    ({"patient": "Ana"}, "patient"),
    ({"patient.first_name": ""}, "patient.first_name"),
    ({"patient.first_name": "  "}, "patient.first_name"),
    ({"patient.first_name": "x" * 101}, "patient.first_name"),
    ({"patient.first_name": 7}, "patient.first_name"),
    ({"patient.last_name": DELETE}, "patient.last_name"),
    ({"patient.date_of_birth": "2026-11-02"}, "patient.date_of_birth"),
    ({"patient.date_of_birth": "1905-11-01"}, "patient.date_of_birth"),
    ({"patient.date_of_birth": "1985-02-30"}, "patient.date_of_birth"),
    ({"patient.date_of_birth": "12/04/1985"}, "patient.date_of_birth"),
    ({"patient.date_of_birth": "1985-4-12"}, "patient.date_of_birth"),
    ({"patient.date_of_birth": 19850412}, "patient.date_of_birth"),
    ({"patient.email": "ana@"}, "patient.email"),
    ({"patient.email": "ana example.org"}, "patient.email"),
    ({"patient.email": None}, "patient.email"),
    ({"patient.email": DELETE}, "patient.email"),
    ({"patient.phone": "123456"}, "patient.phone"),
    ({"patient.phone": "1234567890123456"}, "patient.phone"),
    ({"patient.phone": "503-CALL-ANA"}, "patient.phone"),
    ({"patient.phone": "++15035550100"}, "patient.phone"),
    ({"patient.phone": None, "patient.preferred_contact": "phone"}, "patient.phone"),
    ({"patient.phone": DELETE, "patient.preferred_contact": "text"}, "patient.phone"),
    ({"patient.preferred_language": "fr"}, "patient.preferred_language"),
    ({"patient.preferred_contact": "post"}, "patient.preferred_contact"),
    ({"concerns.primary": "grief"}, "concerns.primary"),
    ({"concerns.primary": "other"}, "concerns.other_description"),
    (
        {"concerns.primary": "other", "concerns.other_description": "x" * 501},
        "concerns.other_description",
    ),
    ({"concerns.other_description": "Stress"}, "concerns.other_description"),
    ({"concerns.episode_months": -1}, "concerns.episode_months"),
    ({"concerns.episode_months": 601}, "concerns.episode_months"),
    ({"concerns.episode_months": 1.5}, "concerns.episode_months"),
    ({"concerns.episode_months": "14"}, "concerns.episode_months"),
    ({"concerns.episode_months": True}, "concerns.episode_months"),
    ({"concerns.mania_history": "maybe"}, "concerns.mania_history"),
    ({"concerns.bipolar_diagnosis": True}, "concerns.bipolar_diagnosis"),
    ({"phq9.items": [1] * 8}, "phq9.items"),
    ({"phq9.items": [1] * 10}, "phq9.items"),
    ({"phq9.items": "123"}, "phq9.items"),
    ({"phq9.items[3]": 4}, "phq9.items[3]"),
    ({"phq9.items[0]": -1}, "phq9.items[0]"),
    ({"phq9.items[8]": True}, "phq9.items[8]"),
    ({"phq9.items[2]": 1.0}, "phq9.items[2]"),
    ({"phq9.items[2]": None}, "phq9.items[2]"),
    ({"phq9.difficulty": None}, "phq9.difficulty"),
    ({"phq9.difficulty": "hard"}, "phq9.difficulty"),
    ({"gad7.items": [1] * 9}, "gad7.items"),
    ({"gad7.items[6]": 7}, "gad7.items[6]"),
    ({"asq.wished_dead": "unsure"}, "asq.wished_dead"),
    ({"asq.ever_tried": DELETE}, "asq.ever_tried"),
    ({"asq.wished_dead": "yes"}, "asq.thoughts_right_now"),
    ({"asq.wished_dead": "yes", "asq.thoughts_right_now": "unsure"}, "asq.thoughts_right_now"),
    ({"asq.thoughts_right_now": "no"}, "asq.thoughts_right_now"),
    ({"medication_trials": DELETE}, "medication_trials"),
    ({"medication_trials": {}}, "medication_trials"),
    ({"medication_trials[0]": "sertraline"}, "medication_trials[0]"),
    ({"medication_trials[0].name": ""}, "medication_trials[0].name"),
    ({"medication_trials[0].name": "x" * 101}, "medication_trials[0].name"),
    ({"medication_trials[1].daily_dose_mg": 0}, "medication_trials[1].daily_dose_mg"),
    ({"medication_trials[1].daily_dose_mg": -5}, "medication_trials[1].daily_dose_mg"),
    ({"medication_trials[1].daily_dose_mg": 3000.5}, "medication_trials[1].daily_dose_mg"),
    ({"medication_trials[1].daily_dose_mg": "150"}, "medication_trials[1].daily_dose_mg"),
    ({"medication_trials[1].daily_dose_mg": True}, "medication_trials[1].daily_dose_mg"),
    ({"medication_trials[1].daily_dose_mg": float("nan")}, "medication_trials[1].daily_dose_mg"),
    ({"medication_trials[0].weeks": 6263}, "medication_trials[0].weeks"),
    ({"medication_trials[0].weeks": None}, "medication_trials[0].weeks"),
    ({"medication_trials[0].outcome": "worse"}, "medication_trials[0].outcome"),
    ({"medication_trials[0].current": "no"}, "medication_trials[0].current"),
    ({"medication_trials[0].current": 0}, "medication_trials[0].current"),
    ({"medication_trials[0].dose": 5}, "medication_trials[0].dose"),
    ({"medication_trials": [sample_answers()["medication_trials"][0]] * 31}, "medication_trials"),
    ({"other_medications": ["x"] * 51}, "other_medications"),
    ({"other_medications": [""]}, "other_medications[0]"),
    ({"other_medications": ["ok", 5]}, "other_medications[1]"),
    ({"other_medications": ["x" * 101]}, "other_medications[0]"),
    ({"psychotherapy_trials[0].modality": "hypnosis"}, "psychotherapy_trials[0].modality"),
    ({"psychotherapy_trials[0].sessions": 1001}, "psychotherapy_trials[0].sessions"),
    (
        {"psychotherapy_trials[0].outcome": "stopped_side_effects"},
        "psychotherapy_trials[0].outcome",
    ),
    ({"psychotherapy_trials[0].current": None}, "psychotherapy_trials[0].current"),
    (
        {"psychotherapy_trials": [sample_answers()["psychotherapy_trials"][0]] * 21},
        "psychotherapy_trials",
    ),
    ({"neuromodulation.tms": "yes"}, "neuromodulation.tms"),
    ({"neuromodulation.ketamine": DELETE}, "neuromodulation.ketamine"),
    ({"neuromodulation.vns": "none"}, "neuromodulation.vns"),
    ({"preferences.open_to_tms": "no_improvement"}, "preferences.open_to_tms"),
    ({"safety_screen.metal_in_head": "not_applicable"}, "safety_screen.metal_in_head"),
    ({"safety_screen.pregnant": "maybe"}, "safety_screen.pregnant"),
    ({"safety_screen.fainting": DELETE}, "safety_screen.fainting"),
    ({"insurance.coverage_type": "private"}, "insurance.coverage_type"),
    ({"insurance.payer_name": ""}, "insurance.payer_name"),
    ({"insurance.payer_name": "x" * 101}, "insurance.payer_name"),
    ({"insurance.member_id": DELETE}, "insurance.member_id"),
    ({"insurance.coverage_type": "medicare"}, "insurance.member_id"),
    ({"insurance.group_number": "x" * 51}, "insurance.group_number"),
    ({"insurance.subscriber_relationship": None}, "insurance.subscriber_relationship"),
    ({"insurance.subscriber_relationship": "child"}, "insurance.subscriber_relationship"),
    (
        {
            "insurance.subscriber_relationship": "parent",
            "insurance.subscriber_date_of_birth": "1960-01-01",
        },
        "insurance.subscriber_name",
    ),
    (
        {"insurance.subscriber_relationship": "other", "insurance.subscriber_name": "Sam Reyes"},
        "insurance.subscriber_date_of_birth",
    ),
    (
        {
            "insurance.subscriber_relationship": "spouse",
            "insurance.subscriber_name": "Luis",
            "insurance.subscriber_date_of_birth": "next year",
        },
        "insurance.subscriber_date_of_birth",
    ),
    ({"consent.understands_educational_only": False}, "consent.understands_educational_only"),
    ({"consent.understands_educational_only": "yes"}, "consent.understands_educational_only"),
    ({"consent.understands_educational_only": 1}, "consent.understands_educational_only"),
    ({"consent.agrees_to_contact": None}, "consent.agrees_to_contact"),
    ({"consent.signature": ""}, "consent.signature"),
    ({"consent.signature": "x" * 201}, "consent.signature"),
    ({"extra": 1}, "extra"),
    ({"patient.middle_name": "Maria"}, "patient.middle_name"),
    ({"safety_screen.tattoos": "no"}, "safety_screen.tattoos"),
    ({"psychotherapy_trials[0].therapist": "Dr Who"}, "psychotherapy_trials[0].therapist"),
]


@pytest.mark.parametrize(
    ("changes", "path"),
    INVALID_CHANGES,
    ids=[f"{i}-{p}" for i, (_, p) in enumerate(INVALID_CHANGES)],
)
def test_invalid_answers_are_reported_at_their_own_path(changes: dict[str, Any], path: str) -> None:
    problems = problems_for(changed(sample_answers(), changes))
    assert path in [p.path for p in problems]
    assert all(p.message and p.message[0].islower() for p in problems)


def test_subscriber_date_of_birth_may_not_be_in_the_future() -> None:
    document = changed(
        sample_answers(),
        {
            "insurance.subscriber_relationship": "parent",
            "insurance.subscriber_name": "Sam Reyes",
            "insurance.subscriber_date_of_birth": "2027-01-01",
        },
    )
    assert paths_for(document) == ["insurance.subscriber_date_of_birth"]


def test_every_problem_is_listed_in_document_order() -> None:
    document = changed(
        sample_answers(),
        {
            "phq9.items": [0, 1, 2, 4, 1, 1, 1, 1],
            "insurance.coverage_type": "medicare",
            "insurance.member_id": "12345",
            "consent.understands_educational_only": False,
            "patient.preferred_contact": "text",
            "patient.phone": DELETE,
            "patient.nickname": "A",
        },
    )
    assert paths_for(document) == [
        "patient.phone",
        "patient.nickname",
        "phq9.items",
        "phq9.items[3]",
        "insurance.member_id",
        "consent.understands_educational_only",
    ]


def test_conditional_requirement_is_reported_at_the_missing_field_with_a_reason() -> None:
    document = changed(sample_answers(), {"patient.email": DELETE})
    [problem] = problems_for(document)
    assert problem == Problem(
        "patient.email", "is required because you prefer to be contacted by email"
    )


def test_a_missing_section_is_reported_once() -> None:
    assert paths_for(changed(sample_answers(), {"safety_screen": DELETE})) == ["safety_screen"]


@pytest.mark.parametrize("document", [None, [], "answers", 3])
def test_a_document_that_is_not_an_object_is_rejected(document: Any) -> None:
    assert paths_for(document) == ["document"]


def test_phq9_item_message_matches_the_contract_example() -> None:
    problems = problems_for(changed(sample_answers(), {"phq9.items[3]": 4}))
    assert str(problems[0]) == "phq9.items[3]: must be an integer from 0 to 3"


def test_invalid_answers_exception_lists_every_problem_as_path_and_message() -> None:
    with pytest.raises(InvalidAnswers) as caught:
        parse_answers(changed(sample_answers(), {"phq9.items[0]": 9, "gad7.items[0]": 9}), AS_OF)
    assert str(caught.value).splitlines() == [
        "phq9.items[0]: must be an integer from 0 to 3",
        "gad7.items[0]: must be an integer from 0 to 3",
    ]


def test_age_is_checked_against_the_evaluation_date_not_today() -> None:
    document = changed(sample_answers(), {"patient.date_of_birth": "2026-12-01"})
    assert parse_answers(document, date(2026, 12, 1))["patient"]["date_of_birth"] == "2026-12-01"
    assert paths_for(document) == ["patient.date_of_birth"]


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        ("2000-02-29", "2001-02-28", 0),
        ("2000-02-29", "2001-03-01", 1),
        ("1985-04-12", "2026-04-11", 40),
        ("1985-04-12", "2026-04-12", 41),
    ],
)
def test_age_in_years(born: str, on: str, age: int) -> None:
    assert answers.age_in_years(date.fromisoformat(born), date.fromisoformat(on)) == age


@pytest.mark.parametrize(
    "value", ["1EG4-TE5-MK73", "1EG4TE5MK73", "1eg4-te5-mk73", " 1EG4 TE5 MK73 ", "9AA0A00AA00"]
)
def test_valid_medicare_beneficiary_identifiers(value: str) -> None:
    assert is_valid_mbi(value)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "12345",
        "0EG4-TE5-MK73",  # position 1 may not be 0
        "1SG4-TE5-MK73",  # S never appears
        "1EL4-TE5-MK73",  # L never appears
        "1EG4-TO5-MK73",  # O never appears
        "1EG4-TE5-MI73",  # I never appears
        "1EG4-TE5-BK73",  # B never appears
        "1EG4-TE5-MZ73",  # Z never appears
        "1EGA-TE5-MK73",  # position 4 must be a digit
        "1EG4-4E5-MK73",  # position 5 must be a letter
        "1EG4-TEA-MK73",  # position 7 must be a digit
        "1EG4-TE5-1K73",  # position 8 must be a letter
        "1EG4-TE5-MK7A",  # position 11 must be a digit
        "1EG4-TE5-MK731",  # too long
        "1EG4_TE5_MK73",  # only dashes and spaces are ignored
        "1\u0415G4-TE5-MK73",  # a Cyrillic E is not an E
    ],
)
def test_invalid_medicare_beneficiary_identifiers(value: str) -> None:
    assert not is_valid_mbi(value)


def test_medicare_member_id_is_kept_as_typed() -> None:
    document = changed(
        sample_answers(),
        {"insurance.coverage_type": "medicare", "insurance.member_id": "1eg4-te5-mk73"},
    )
    assert parse_answers(document, AS_OF)["insurance"]["member_id"] == "1eg4-te5-mk73"


def test_choice_lists_follow_the_contract() -> None:
    assert answers.YN == ("yes", "no", "unsure")
    assert len(answers.SAFETY_ITEMS) == 14
    assert answers.SAFETY_ITEMS[0] == "seizure_history"
    assert answers.SAFETY_ITEMS[-1] == "prior_tms_problem"
    assert answers.MAX_MEDICATION_TRIALS == 30
    assert answers.MAX_OTHER_MEDICATIONS == 50
    assert answers.MAX_PSYCHOTHERAPY_TRIALS == 20
    assert "self_pay" in answers.COVERAGE_TYPES
