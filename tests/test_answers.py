"""The intake-answers/1 validation: every field, every conditional rule, every problem listed."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from answer_documents import AS_OF_ISO, DELETE, changed, sample_answers
from email_validator import EmailNotValidError, validate_email
from hypothesis import given, settings
from hypothesis import strategies as st

from intake import answers
from intake.answers import InvalidAnswers, Problem, is_valid_email, is_valid_mbi, parse_answers

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


# --- The answers contract (section 1), rule by rule --------------------------------------------
# Folded in from tests/review/test_review_answers.py (issue 10): each test names the contract
# rule it guards; documents are the sample with ``changes`` applied.


def paths(changes: dict[str, Any]) -> list[str]:
    """The problem paths for the sample with ``changes``; fails if the document is accepted."""
    return paths_for(changed(sample_answers(), changes))


def accepted(changes: dict[str, Any]) -> dict[str, Any]:
    return parse_answers(changed(sample_answers(), changes), AS_OF)


SELF_PAY = {
    "insurance": {
        "coverage_type": "self_pay",
        "payer_name": None,
        "member_id": None,
        "group_number": None,
        "subscriber_relationship": None,
        "subscriber_name": None,
        "subscriber_date_of_birth": None,
    }
}
MEDICARE = {"insurance.coverage_type": "medicare", "insurance.member_id": "1EG4-TE5-MK73"}


# --- document and contract -------------------------------------------------------------------


@pytest.mark.parametrize(
    "contract", ["intake-answers/3", "", None, 1, [], DELETE, "INTAKE-ANSWERS/1"]
)
def test_contract_must_be_exactly_a_known_intake_answers(contract: Any) -> None:
    assert "contract" in paths({"contract": contract})


@pytest.mark.parametrize(
    "section",
    [
        "patient",
        "concerns",
        "phq9",
        "gad7",
        "asq",
        "medication_trials",
        "other_medications",
        "psychotherapy_trials",
        "neuromodulation",
        "preferences",
        "safety_screen",
        "insurance",
        "consent",
    ],
)
def test_a_missing_section_is_reported_at_its_own_path(section: str) -> None:
    assert section in paths({section: DELETE})


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("extra", "extra"),
        ("patient.nickname", "patient.nickname"),
        ("concerns.secondary", "concerns.secondary"),
        ("phq9.item9", "phq9.item9"),
        ("gad7.difficulty", "gad7.difficulty"),
        ("asq.q5", "asq.q5"),
        ("medication_trials[0].dose", "medication_trials[0].dose"),
        ("medication_trials[1].started", "medication_trials[1].started"),
        ("psychotherapy_trials[0].therapist", "psychotherapy_trials[0].therapist"),
        ("neuromodulation.dbs", "neuromodulation.dbs"),
        ("preferences.open_to_ect", "preferences.open_to_ect"),
        ("safety_screen.metal_in_body", "safety_screen.metal_in_body"),
        ("insurance.plan", "insurance.plan"),
        ("consent.date", "consent.date"),
    ],
)
def test_unknown_keys_are_reported_where_they_appear(path: str, expected: str) -> None:
    assert expected in paths({path: "x"})


def test_a_typo_in_a_key_is_an_unknown_key_and_the_real_key_is_missing() -> None:
    document = changed(sample_answers(), {})
    document["safety_screen"]["metal_in_hed"] = document["safety_screen"].pop("metal_in_head")
    with pytest.raises(InvalidAnswers) as caught:
        parse_answers(document, AS_OF)
    found = [p.path for p in caught.value.problems]
    assert "safety_screen.metal_in_hed" in found
    assert "safety_screen.metal_in_head" in found


def test_every_problem_is_listed_not_just_the_first() -> None:
    found = paths(
        {
            "patient.first_name": "  ",
            "concerns.episode_months": -1,
            "phq9.items[3]": 4,
            "gad7.items": [1] * 6,
            "asq.wished_dead": "unsure",
            "medication_trials[0].weeks": 6.5,
            "psychotherapy_trials[0].sessions": True,
            "safety_screen.pregnant": "maybe",
            "insurance.payer_name": DELETE,
            "consent.understands_educational_only": False,
            "bogus": 1,
        }
    )
    for path in [
        "patient.first_name",
        "concerns.episode_months",
        "phq9.items[3]",
        "gad7.items",
        "asq.wished_dead",
        "medication_trials[0].weeks",
        "psychotherapy_trials[0].sessions",
        "safety_screen.pregnant",
        "insurance.payer_name",
        "consent.understands_educational_only",
        "bogus",
    ]:
        assert path in found


# --- patient ---------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["first_name", "last_name"])
@pytest.mark.parametrize("value", ["", "   ", None, DELETE, 5, "x" * 101, " " + "x" * 101])
def test_names_are_1_to_100_characters_after_trimming(field: str, value: Any) -> None:
    assert f"patient.{field}" in paths({f"patient.{field}": value})


@pytest.mark.parametrize("field", ["first_name", "last_name"])
def test_names_of_100_characters_with_surrounding_spaces_are_accepted(field: str) -> None:
    result = accepted({f"patient.{field}": "  " + "x" * 100 + "  "})
    assert result["patient"][field] == "x" * 100


@pytest.mark.parametrize(
    "value",
    ["2023-02-30", "1985-13-01", "1985-4-12", "12/04/1985", "19850412", "", 19850412, None],
)
def test_date_of_birth_must_be_a_real_yyyy_mm_dd_date(value: Any) -> None:
    assert "patient.date_of_birth" in paths({"patient.date_of_birth": value})


def test_age_120_is_accepted_and_121_rejected() -> None:
    accepted({"patient.date_of_birth": "1906-11-01"})
    accepted({"patient.date_of_birth": "1905-11-02"})
    assert "patient.date_of_birth" in paths({"patient.date_of_birth": "1905-11-01"})


@pytest.mark.parametrize("value", ["ana", "ana@", "@example.org", "ana example.org", 5])
def test_email_must_be_a_valid_address(value: Any) -> None:
    assert "patient.email" in paths({"patient.email": value})


#: What email_validator (without a DNS look-up, its default options) says of each address, from
#: its rules: an ASCII or international dot-atom before the @; after it, a domain with a dot,
#: a last label ending in a letter, labels of at most 63 characters that neither start nor end
#: with a hyphen and have no "--" in their 3rd and 4th places (unless Punycode), no special-use
#: name (.local, .localhost, .test, .invalid, .onion, .arpa); at most 254 characters in all; no
#: quoted part, bracketed address, display name, space or invisible character.
#: ``is_valid_email`` must say the same: it skips email_validator for plain addresses only.
_LONG_DOMAIN = ".".join(["b" * 61] * 3) + ".org"  # 189 characters
EMAIL_TABLE = [
    ("ana@example.org", True),
    ("ana.reyes@example.org", True),
    ("ana+intake@example.org", True),
    ("Ana.Reyes@example.org", True),
    ("ANA@EXAMPLE.ORG", True),
    ("ana@Example.org", True),
    ("o'brien@example.ie", True),
    ("a_b-c@mail.example-clinic.co.uk", True),
    ("x@a.io", True),
    ("ana@a.b", True),
    ("1@2.com", True),
    ("user@123.example", True),
    ("!#$%&'*+/=?^_`{|}~-@example.org", True),
    ("info@example.org", True),
    ("ana@bücher.example", True),
    ("josé@example.org", True),
    ("ana@xn--bcher-kva.example", True),
    ("ana@exa--mple.org", True),
    ("ana@local.example.org", True),
    ("ana@testing.org", True),
    ("a" * 64 + "@example.org", True),
    ("a" * 65 + "@example.org", True),
    ("ana@" + "b" * 63 + ".org", True),
    ("a" * 64 + "@" + _LONG_DOMAIN, True),
    ("a" * 65 + "@" + _LONG_DOMAIN, False),
    ("ana@" + "b" * 64 + ".org", False),
    ("ana", False),
    ("ana@", False),
    ("@example.org", False),
    ("ana example.org", False),
    ("an a@example.org", False),
    ("ana@ex ample.org", False),
    ("ana@example.org ", False),
    ("ana@localhost", False),
    ("ana@sub.localhost", False),
    ("ana@example", False),
    ("ana@mytest", False),
    ("ana@mail.local", False),
    ("ana@example.test", False),
    ("ana@example.co.test", False),
    ("ana@foo.onion", False),
    ("ana@x.invalid", False),
    ("ana@1.in-addr.arpa", False),
    ("ana@example.123", False),
    ("ana@example.org1", False),
    ("ana@123.456", False),
    ("ana@-example.org", False),
    ("ana@example-.org", False),
    ("ana@ex.-ample.org", False),
    ("ana@ab--cd.org", False),
    ("ana@.example.org", False),
    ("ana@example..org", False),
    ("ana@example.org.", False),
    ("ana..reyes@example.org", False),
    (".ana@example.org", False),
    ("ana.@example.org", False),
    ('"ana reyes"@example.org', False),
    ('a"b@example.org', False),
    ("ana(comment)@example.org", False),
    ("ana@[192.0.2.1]", False),
    ("Ana <ana@example.org>", False),
    ("ana@@example.org", False),
    ("ana@exam_ple.org", False),
    ("ana@exa%mple.org", False),
    ("ana\n@example.org", False),
    ("ana\u00a0@example.org", False),
    ("ana@example.org\u200b", False),
    ("ana\uff20example.org", False),
]
#: Addresses at the edges of the plain shape whose verdict is email_validator's alone.
EMAIL_EDGES = [
    "ａna@example.org",
    "ana@xn--zz.example",
    "ana@xn--example.org",
    "ana@e\u0301xample.org",
    "ana@EXAMPLE.local",
    "ana@example.LOCAL",
    "ana@test",
    "ana@a-.b",
    "ana@a.b-",
    "ana@a.-b",
    "ana@a.b1c",
    "ana@a1.b",
    "ana@xn--a.org",
    "ana@XN--bcher-kva.example",
    "a.b.c.d@e.f.g.h",
]


def _email_validator_accepts(value: str) -> bool:
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


@pytest.mark.parametrize(("value", "valid"), EMAIL_TABLE)
def test_email_addresses_are_judged_as_email_validator_judges_them(value: str, valid: bool) -> None:
    assert _email_validator_accepts(value) is valid  # the table is right about the library
    assert is_valid_email(value) is valid


@pytest.mark.parametrize("value", EMAIL_EDGES)
def test_email_addresses_at_the_edge_of_the_fast_check_get_email_validators_verdict(
    value: str,
) -> None:
    assert is_valid_email(value) is _email_validator_accepts(value)


_EMAIL_PIECES = st.sampled_from(
    ["a", "Z", "0", "9", ".", "-", "_", "+", "'", '"', " ", "é", "@", "xn--", "--", "b" * 30]
)
_TLDS = st.sampled_from(["org", "com", "io", "local", "test", "localhost", "1", "a1", "", "x-"])


@settings(max_examples=500, deadline=None)
@given(
    local=st.lists(_EMAIL_PIECES, min_size=0, max_size=6).map("".join),
    domain=st.lists(_EMAIL_PIECES, min_size=0, max_size=8).map("".join),
    tld=_TLDS,
)
def test_any_address_gets_email_validators_verdict(local: str, domain: str, tld: str) -> None:
    value = f"{local}@{domain}.{tld}" if tld else f"{local}@{domain}"
    assert is_valid_email(value) is _email_validator_accepts(value)


@pytest.mark.parametrize(
    "value",
    ["5035550", "+1 (503) 555-0100", "503.555.0100", "123456789012345", "+123456789012345"],
)
def test_phone_with_7_to_15_digits_after_separators_is_accepted(value: str) -> None:
    accepted({"patient.phone": value})


@pytest.mark.parametrize(
    "value",
    ["503555", "1234567890123456", "503-555-010a", "1+5035550100", "++15035550100", 5035550100],
)
def test_phone_outside_the_rule_is_rejected(value: Any) -> None:
    assert "patient.phone" in paths({"patient.phone": value})


@pytest.mark.parametrize("value", [DELETE, None, "", "   "])
def test_preferred_contact_email_needs_patient_email_at_its_own_path(value: Any) -> None:
    found = paths({"patient.email": value, "patient.preferred_contact": "email"})
    assert found == ["patient.email"]


@pytest.mark.parametrize("contact", ["phone", "text"])
@pytest.mark.parametrize("value", [DELETE, None, "   "])
def test_preferred_contact_phone_or_text_needs_patient_phone(contact: str, value: Any) -> None:
    found = paths({"patient.phone": value, "patient.preferred_contact": contact})
    assert found == ["patient.phone"]


def test_email_is_optional_when_contact_is_by_phone() -> None:
    result = accepted({"patient.email": DELETE, "patient.preferred_contact": "phone"})
    assert result["patient"]["email"] is None


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("patient.preferred_language", "fr"),
        ("patient.preferred_language", "EN"),
        ("patient.preferred_contact", "post"),
        ("patient.preferred_contact", None),
    ],
)
def test_patient_choices(path: str, value: Any) -> None:
    assert path in paths({path: value})


# --- concerns --------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [DELETE, None, "", "   ", "x" * 501, 7])
def test_other_description_is_required_1_to_500_chars_when_primary_is_other(value: Any) -> None:
    found = paths({"concerns.primary": "other", "concerns.other_description": value})
    assert "concerns.other_description" in found


@pytest.mark.parametrize("primary", ["depression", "anxiety", "ocd", "bipolar", "ptsd"])
def test_other_description_must_be_empty_unless_primary_is_other(primary: str) -> None:
    found = paths({"concerns.primary": primary, "concerns.other_description": "insomnia"})
    assert found == ["concerns.other_description"]


@pytest.mark.parametrize("value", ["panic", "", None, DELETE, "Depression"])
def test_primary_must_be_one_of_the_listed_concerns(value: Any) -> None:
    assert "concerns.primary" in paths({"concerns.primary": value})


@pytest.mark.parametrize("value", [-1, 601, 14.0, 14.5, True, False, "14", None, DELETE])
def test_episode_months_is_an_integer_0_to_600(value: Any) -> None:
    assert "concerns.episode_months" in paths({"concerns.episode_months": value})


@pytest.mark.parametrize("field", ["psychotic_symptoms", "mania_history", "bipolar_diagnosis"])
@pytest.mark.parametrize("value", ["maybe", "Yes", True, None, DELETE, "not_applicable"])
def test_concerns_yn_fields(field: str, value: Any) -> None:
    assert f"concerns.{field}" in paths({f"concerns.{field}": value})


# --- questionnaires --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        ([1] * 8, "phq9.items"),
        ([1] * 10, "phq9.items"),
        ([], "phq9.items"),
        (None, "phq9.items"),
        ("111111111", "phq9.items"),
        ([1, 1, 1, 1, 1, 1, 1, 1, 4], "phq9.items[8]"),
        ([1, 1, 1, 1, 1, 1, 1, 1, -1], "phq9.items[8]"),
        ([1, 1, 1, 1, 1, 1, 1, 1, 1.0], "phq9.items[8]"),
        ([1, 1, 1, 1, 1, 1, 1, 1, True], "phq9.items[8]"),
        ([1, 1, 1, 1, 1, 1, 1, 1, "1"], "phq9.items[8]"),
        ([1, 1, 1, 1, 1, 1, 1, 1, None], "phq9.items[8]"),
    ],
)
def test_phq9_items_are_exactly_nine_integers_0_to_3(items: Any, expected: str) -> None:
    assert expected in paths({"phq9.items": items})


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        ([1] * 6, "gad7.items"),
        ([1] * 8, "gad7.items"),
        ([1, 1, 1, 1, 1, 1, 4], "gad7.items[6]"),
        ([1, 1, 1, 1, 1, 1, False], "gad7.items[6]"),
        ([1, 1, 1, 1, 1, 1, 2.0], "gad7.items[6]"),
    ],
)
def test_gad7_items_are_exactly_seven_integers_0_to_3(items: Any, expected: str) -> None:
    assert expected in paths({"gad7.items": items})


def test_every_bad_item_is_reported() -> None:
    found = paths({"phq9.items": [4, 1, 1, -1, 1, 1, 1, 1, 9]})
    assert {"phq9.items[0]", "phq9.items[3]", "phq9.items[8]"} <= set(found)


@pytest.mark.parametrize("value", [None, DELETE])
def test_phq9_difficulty_is_required_when_any_item_is_above_0(value: Any) -> None:
    found = paths({"phq9.items": [0, 0, 0, 0, 0, 0, 0, 0, 1], "phq9.difficulty": value})
    assert found == ["phq9.difficulty"]


@pytest.mark.parametrize("value", ["hard", "", "Very_difficult", 2])
def test_phq9_difficulty_must_be_a_listed_answer(value: Any) -> None:
    assert "phq9.difficulty" in paths({"phq9.difficulty": value})


ASQ_FOUR = ["wished_dead", "family_better_off", "thoughts_of_killing_self", "ever_tried"]


@pytest.mark.parametrize("field", ASQ_FOUR)
@pytest.mark.parametrize("value", ["unsure", None, DELETE, True, "YES"])
def test_asq_questions_1_to_4_are_yes_or_no(field: str, value: Any) -> None:
    assert f"asq.{field}" in paths({f"asq.{field}": value})


@pytest.mark.parametrize("field", ASQ_FOUR)
@pytest.mark.parametrize("value", [None, DELETE, "unsure", "maybe"])
def test_thoughts_right_now_is_required_yes_or_no_after_any_yes(field: str, value: Any) -> None:
    found = paths({f"asq.{field}": "yes", "asq.thoughts_right_now": value})
    assert found == ["asq.thoughts_right_now"]


def test_thoughts_right_now_yes_is_kept_even_when_all_four_are_no() -> None:
    """A "yes, right now" is never discarded (issue 8): it is kept and flagged acute."""
    result = accepted({"asq.thoughts_right_now": "yes"})
    assert result["asq"]["thoughts_right_now"] == "yes"
    assert [result["asq"][key] for key in ASQ_FOUR] == ["no"] * 4


# --- medication and psychotherapy trials ----------------------------------------------------


@pytest.mark.parametrize("value", [None, 0.5, 1, 37.5, 3000, 3000.0, 2999.99])
def test_daily_dose_is_null_or_a_number_above_0_up_to_3000(value: Any) -> None:
    result = accepted({"medication_trials[0].daily_dose_mg": value})
    assert result["medication_trials"][0]["daily_dose_mg"] == value


@pytest.mark.parametrize(
    "value", [0, 0.0, -5, 3000.5, 3001, True, False, "150", float("nan"), float("inf"), [150]]
)
def test_daily_dose_outside_the_rule_is_rejected(value: Any) -> None:
    assert "medication_trials[0].daily_dose_mg" in paths(
        {"medication_trials[0].daily_dose_mg": value}
    )


@pytest.mark.parametrize("value", [-1, 6263, 6.0, 6.5, True, "6", None, DELETE])
def test_weeks_is_an_integer_0_to_a_lifetime(value: Any) -> None:
    """Weeks run from 0 to 6262 (120 years, the age limit): issue 8 lifts the 520 cap."""
    assert "medication_trials[1].weeks" in paths({"medication_trials[1].weeks": value})


@pytest.mark.parametrize("value", [0, 520, 15 * 52, 6262])
def test_weeks_bounds_are_accepted(value: int) -> None:
    accepted({"medication_trials[0].weeks": value})


@pytest.mark.parametrize("value", ["", "   ", None, DELETE, "x" * 101, 12])
def test_medicine_name_is_1_to_100_characters(value: Any) -> None:
    assert "medication_trials[0].name" in paths({"medication_trials[0].name": value})


@pytest.mark.parametrize("value", ["stopped", "improved", None, DELETE, "No_improvement"])
def test_medication_outcome_must_be_listed(value: Any) -> None:
    assert "medication_trials[0].outcome" in paths({"medication_trials[0].outcome": value})


@pytest.mark.parametrize("value", ["true", 1, 0, None, DELETE])
def test_medication_current_is_a_boolean(value: Any) -> None:
    assert "medication_trials[0].current" in paths({"medication_trials[0].current": value})


@pytest.mark.parametrize("value", [{}, "sertraline", None, 5])
def test_medication_list_must_be_a_list(value: Any) -> None:
    assert "medication_trials" in paths({"medication_trials": value})


@pytest.mark.parametrize("value", ["sertraline", None, 5, []])
def test_a_medication_entry_must_be_an_object(value: Any) -> None:
    assert "medication_trials[1]" in paths({"medication_trials[1]": value})


def test_other_medications_limits_and_entries() -> None:
    accepted({"other_medications": ["x"] * 50})
    assert "other_medications" in paths({"other_medications": ["x"] * 51})
    assert "other_medications[1]" in paths({"other_medications": ["ok", "   "]})
    assert "other_medications[0]" in paths({"other_medications": ["x" * 101]})
    assert "other_medications[0]" in paths({"other_medications": [5]})
    assert "other_medications[0]" in paths({"other_medications": [None]})
    assert "other_medications" in paths({"other_medications": "tramadol"})
    assert accepted({"other_medications": [" tramadol "]})["other_medications"] == ["tramadol"]


@pytest.mark.parametrize("value", [-1, 1001, 8.0, True, "8", None, DELETE])
def test_sessions_is_an_integer_0_to_1000(value: Any) -> None:
    assert "psychotherapy_trials[0].sessions" in paths({"psychotherapy_trials[0].sessions": value})


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("modality", "emdr"),
        ("modality", "CBT"),
        ("modality", None),
        ("outcome", "stopped_side_effects"),
        ("outcome", "too_early"),
        ("current", "no"),
    ],
)
def test_psychotherapy_entry_fields(field: str, value: Any) -> None:
    assert f"psychotherapy_trials[0].{field}" in paths({f"psychotherapy_trials[0].{field}": value})


# --- neuromodulation, preferences, safety screen -------------------------------------------


@pytest.mark.parametrize("field", ["tms", "ect", "ketamine"])
@pytest.mark.parametrize("value", ["yes", "too_early", None, DELETE])
def test_neuromodulation_answers(field: str, value: Any) -> None:
    assert f"neuromodulation.{field}" in paths({f"neuromodulation.{field}": value})


@pytest.mark.parametrize(
    "field",
    [
        "open_to_tms",
        "open_to_psychotherapy",
        "open_to_medication_changes",
        "can_attend_daily_sessions",
    ],
)
@pytest.mark.parametrize("value", ["maybe", None, DELETE, True])
def test_preferences_are_yn(field: str, value: Any) -> None:
    assert f"preferences.{field}" in paths({f"preferences.{field}": value})


SAFETY_YN = [
    "seizure_history",
    "family_epilepsy",
    "fainting",
    "head_injury_loss_of_consciousness",
    "brain_condition",
    "metal_in_head",
    "cochlear_implant",
    "implanted_neurostimulator",
    "cardiac_device",
    "medication_pump",
    "hearing_problems",
    "frequent_headaches",
    "alcohol_or_drug_concern",
    "prior_tms_problem",
]


@pytest.mark.parametrize("field", SAFETY_YN)
@pytest.mark.parametrize("value", ["not_applicable", None, DELETE, "Yes"])
def test_safety_items_are_yn_only(field: str, value: Any) -> None:
    assert f"safety_screen.{field}" in paths({f"safety_screen.{field}": value})


@pytest.mark.parametrize("value", ["yes", "no", "unsure", "not_applicable"])
def test_pregnant_accepts_yn_and_not_applicable(value: str) -> None:
    accepted({"safety_screen.pregnant": value})


@pytest.mark.parametrize("value", [None, DELETE, "n/a"])
def test_pregnant_is_required(value: Any) -> None:
    assert "safety_screen.pregnant" in paths({"safety_screen.pregnant": value})


# --- insurance -------------------------------------------------------------------------------


def test_self_pay_needs_no_payer_member_or_relationship() -> None:
    result = parse_answers(changed(sample_answers(), SELF_PAY), AS_OF)
    assert result["insurance"]["coverage_type"] == "self_pay"


def test_self_pay_with_keys_absent_is_accepted() -> None:
    document = changed(sample_answers(), SELF_PAY)
    document["insurance"] = {"coverage_type": "self_pay"}
    parse_answers(document, AS_OF)


@pytest.mark.parametrize("coverage", ["commercial", "medicaid", "tricare", "other"])
@pytest.mark.parametrize("field", ["payer_name", "member_id", "subscriber_relationship"])
@pytest.mark.parametrize("value", [None, DELETE])
def test_insured_needs_payer_member_and_relationship(coverage: str, field: str, value: Any) -> None:
    found = paths({"insurance.coverage_type": coverage, f"insurance.{field}": value})
    assert found == [f"insurance.{field}"]


@pytest.mark.parametrize("field", ["payer_name", "member_id"])
def test_payer_and_member_are_at_most_100_characters(field: str) -> None:
    assert f"insurance.{field}" in paths({f"insurance.{field}": "x" * 101})
    accepted({f"insurance.{field}": "x" * 100})


def test_group_number_is_optional_up_to_50_characters() -> None:
    accepted({"insurance.group_number": DELETE})
    accepted({"insurance.group_number": None})
    accepted({"insurance.group_number": "x" * 50})
    assert "insurance.group_number" in paths({"insurance.group_number": "x" * 51})


@pytest.mark.parametrize("relationship", ["spouse", "parent", "other"])
def test_subscriber_name_and_birth_date_required_when_not_self(relationship: str) -> None:
    found = paths({"insurance.subscriber_relationship": relationship})
    assert found == ["insurance.subscriber_name", "insurance.subscriber_date_of_birth"]


def test_subscriber_fields_accepted_when_given() -> None:
    result = accepted(
        {
            "insurance.subscriber_relationship": "parent",
            "insurance.subscriber_name": "Maria Reyes",
            "insurance.subscriber_date_of_birth": "1960-01-31",
        }
    )
    assert result["insurance"]["subscriber_name"] == "Maria Reyes"


def test_subscriber_birth_date_must_be_a_real_date() -> None:
    found = paths(
        {
            "insurance.subscriber_relationship": "spouse",
            "insurance.subscriber_name": "Luis Reyes",
            "insurance.subscriber_date_of_birth": "1980-02-30",
        }
    )
    assert found == ["insurance.subscriber_date_of_birth"]


@pytest.mark.parametrize("value", ["parent ", "Self", "child", 1])
def test_subscriber_relationship_must_be_listed(value: Any) -> None:
    assert "insurance.subscriber_relationship" in paths(
        {"insurance.subscriber_relationship": value}
    )


@pytest.mark.parametrize("value", ["private", "", "SELF_PAY", None, DELETE])
def test_coverage_type_must_be_listed(value: Any) -> None:
    assert "insurance.coverage_type" in paths({"insurance.coverage_type": value})


@pytest.mark.parametrize(
    "mbi",
    [
        "1EG4-TE5-MK73",
        "1EG4TE5MK73",
        "1eg4-te5-mk73",
        "1EG4 TE5 MK73",
        " 1EG4-TE5-MK73 ",
        "9AA0A00AA00",
        "1A00A00AA00",
        "1A99A99AA99",
        "1E04-TE5-MK73",
        "1EG4-T05-MK73",
    ],
)
def test_valid_medicare_beneficiary_identifiers_are_accepted(mbi: str) -> None:
    accepted({**MEDICARE, "insurance.member_id": mbi})


@pytest.mark.parametrize(
    "mbi",
    [
        "0EG4-TE5-MK73",  # position 1 must be 1-9
        "A EG4-TE5-MK73",
        "11G4-TE5-MK73",  # position 2 must be a letter
        "1EGA-TE5-MK73",  # position 4 must be a digit
        "1EG41E5-MK73",  # position 5 must be a letter
        "1EG4-TEA-MK73",  # position 7 must be a digit
        "1EG4-TE51K73",  # position 8 must be a letter
        "1EG4-TE5-M173",  # position 9 must be a letter
        "1EG4-TE5-MKA3",  # position 10 must be a digit
        "1EG4-TE5-MK7A",  # position 11 must be a digit
        "1EG4-TE5-MK7",  # 10 characters
        "1EG4-TE5-MK733",  # 12 characters
        "1EG4.TE5.MK73",  # only dashes and spaces are ignored
        "1EG4_TE5_MK73",
        "W123456789",
    ],
)
def test_malformed_medicare_identifiers_are_rejected(mbi: str) -> None:
    assert paths({**MEDICARE, "insurance.member_id": mbi}) == ["insurance.member_id"]


@pytest.mark.parametrize("letter", ["S", "L", "O", "I", "B", "Z", "s", "l", "o", "i", "b", "z"])
@pytest.mark.parametrize("position", [1, 2, 4, 7, 8])
def test_medicare_identifiers_never_use_s_l_o_i_b_z(letter: str, position: int) -> None:
    compact = list("1EG4TE5MK73")
    compact[position] = letter
    assert paths({**MEDICARE, "insurance.member_id": "".join(compact)}) == ["insurance.member_id"]


def test_medicare_identifier_rule_applies_only_to_medicare() -> None:
    accepted({"insurance.coverage_type": "medicaid", "insurance.member_id": "W123456789"})
    accepted({"insurance.coverage_type": "tricare", "insurance.member_id": "0SL-OIBZ"})


def test_medicare_with_a_missing_member_id_says_required_once() -> None:
    assert paths({**MEDICARE, "insurance.member_id": None}) == ["insurance.member_id"]


# --- consent ---------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [False, None, DELETE, "true", 1])
def test_understands_educational_only_must_be_true(value: Any) -> None:
    found = paths({"consent.understands_educational_only": value})
    assert found == ["consent.understands_educational_only"]


@pytest.mark.parametrize("value", ["yes", None, DELETE, 0])
def test_agrees_to_contact_must_be_boolean(value: Any) -> None:
    assert "consent.agrees_to_contact" in paths({"consent.agrees_to_contact": value})


@pytest.mark.parametrize("value", ["", "  ", None, DELETE, "x" * 201])
def test_signature_is_1_to_200_characters(value: Any) -> None:
    assert "consent.signature" in paths({"consent.signature": value})


# --- a rejected document stores nothing: parse_answers leaves its input alone ---------------


def test_parse_does_not_change_the_input_document() -> None:
    document = changed(sample_answers(), {"patient.first_name": "  Ana  ", "phq9.items[0]": 9})
    before = repr(document)
    with pytest.raises(InvalidAnswers):
        parse_answers(document, AS_OF)
    assert repr(document) == before


@pytest.mark.parametrize(
    "path",
    [
        "concerns.episode_months",
        "phq9.items[0]",
        "gad7.items[0]",
        "medication_trials[0].weeks",
        "psychotherapy_trials[0].sessions",
    ],
)
def test_huge_json_integers_in_integer_fields_are_problems(path: str) -> None:
    assert paths({path: 10**400}) == [path]


def test_difficulty_stays_null_and_optional_keys_normalise() -> None:
    result = accepted({"phq9.items": [0] * 9, "phq9.difficulty": DELETE})
    assert result["phq9"]["difficulty"] is None
    assert result["asq"]["thoughts_right_now"] is None


@pytest.mark.parametrize("dose", [10**400, -(10**400), 10**309, float("nan"), float("inf")])
def test_huge_or_non_finite_dose_is_a_problem_not_a_crash(dose: object) -> None:
    doc = changed(sample_answers(), {"medication_trials[0].daily_dose_mg": dose})
    with pytest.raises(InvalidAnswers) as caught:
        parse_answers(doc, AS_OF)
    assert [p.path for p in caught.value.problems] == ["medication_trials[0].daily_dose_mg"]


def test_fifteen_digits_with_many_separators_is_a_valid_phone() -> None:
    phone = " - ".join("123456789012345")
    doc = changed(sample_answers(), {"patient.phone": phone})
    assert parse_answers(doc, AS_OF)["patient"]["phone"] == phone


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        ({"concerns.other_description": ""}, "concerns.other_description"),
        ({"concerns.other_description": "   "}, "concerns.other_description"),
        ({"asq.thoughts_right_now": ""}, "asq.thoughts_right_now"),
    ],
)
def test_blank_text_where_the_contract_says_null_or_absent(changes: dict, path: str) -> None:
    with pytest.raises(InvalidAnswers) as caught:
        parse_answers(changed(sample_answers(), changes), AS_OF)
    assert path in [p.path for p in caught.value.problems]
