"""Outcome rules (issue 16, "The outcome contract"): ``intake-course/1`` in,
``course-evaluation/1`` out, at every boundary the issue names. Every expected value below is
worked out by hand from the issue's definitions (response = a fall of at least 50% of the
baseline PHQ-9, remission = PHQ-9 below 5, partial response = a fall of at least 25%,
worsening = a rise of 5 points or more, nothing measured from a baseline below 5), never read
from the outcome ruleset."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskCliRunner

from intake.answers import InvalidAnswers
from intake.course import parse_course
from intake.rules import RulesetError
from intake.rules.outcomes import evaluate_course, load_outcome_rules

NO_ASQ = None
ASQ_ALL_NO = {
    "wished_dead": "no",
    "family_better_off": "no",
    "thoughts_of_killing_self": "no",
    "ever_tried": "no",
    "thoughts_right_now": None,
}


def phq9(score: int, item9: int = 0) -> list[int]:
    """Nine answers adding up to ``score``, question 9 answered ``item9``."""
    rest = score - item9
    assert 0 <= rest <= 24
    items = [min(3, max(0, rest - 3 * i)) for i in range(8)]
    return [*items, item9]


def gad7(score: int = 7) -> list[int]:
    return [min(3, max(0, score - 3 * i)) for i in range(7)]


def course(baseline: int, *checkins: dict[str, Any], day: str = "2026-03-02") -> dict[str, Any]:
    return {
        "contract": "intake-course/1",
        "baseline": {"date": day, "phq9": phq9(baseline), "gad7": gad7()},
        "checkins": list(checkins),
    }


def checkin(score: int, day: str = "2026-03-09", **extra: Any) -> dict[str, Any]:
    return {
        "date": day,
        "session": 5,
        "phq9": phq9(score, extra.pop("item9", 0)),
        "gad7": gad7(),
        "asq": extra.pop("asq", NO_ASQ),
        **extra,
    }


def evaluated(document: dict[str, Any]) -> dict[str, Any]:
    return evaluate_course(parse_course(document))


def only_checkin(baseline: int, score: int, **extra: Any) -> dict[str, Any]:
    return evaluated(course(baseline, checkin(score, **extra)))["checkins"][0]


# (baseline PHQ-9, check-in PHQ-9, status, change_percent), by hand from the definitions.
STATUS_TABLE = [
    # Response: exactly 50% counts; just under (47.6%) is a partial response.
    (20, 10, "response", -50),
    (22, 11, "response", -50),
    (21, 11, "partial_response", -48),
    (23, 11, "response", -52),
    # Partial response: exactly 25% counts; just under (23.8%) does not.
    (20, 15, "partial_response", -25),
    (24, 18, "partial_response", -25),
    (21, 16, "no_response", -24),
    # Remission below 5, from any applicable baseline; 5 itself is not remission.
    (20, 4, "remission", -80),
    (20, 5, "response", -75),
    (5, 4, "remission", -20),
    (8, 5, "partial_response", -38),
    (6, 5, "no_response", -17),
    (10, 0, "remission", -100),
    # Worsening: a rise of 5 points or more; 4 points is no response.
    (10, 15, "worsening", 50),
    (10, 14, "no_response", 40),
    (19, 24, "worsening", 26),
    (12, 12, "no_response", 0),
    # Baseline below 5: not applicable, whatever follows; 5 is applicable.
    (4, 0, "not_applicable", -100),
    (4, 20, "not_applicable", 400),
    (0, 0, "not_applicable", None),
    (0, 9, "not_applicable", None),
    # change_percent rounds half away from zero, both ways.
    (8, 9, "no_response", 13),
    (8, 7, "no_response", -13),
    (8, 3, "remission", -63),
    (16, 14, "no_response", -13),
]


@pytest.mark.parametrize(("baseline", "score", "status", "change"), STATUS_TABLE)
def test_status_and_change_at_every_boundary(
    baseline: int, score: int, status: str, change: int | None
) -> None:
    result = only_checkin(baseline, score)
    assert result["status"] == status
    assert result["change_percent"] == change
    assert result["phq9"] == score
    assert result["because"], "every status says why"


def test_the_worsening_flag_follows_the_worsening_status() -> None:
    assert [f["code"] for f in only_checkin(10, 15)["flags"]] == ["worsening"]
    assert only_checkin(10, 15)["flags"][0]["level"] == "warning"
    assert only_checkin(10, 14)["flags"] == []
    assert only_checkin(4, 20)["flags"] == []  # not applicable: no worsening either


SIDE_EFFECT_TABLE = [
    ({}, []),
    ({"headache": "moderate"}, []),
    ({"headache": "severe"}, [("side_effect_severe", "warning")]),
    ({"other": "severe", "hearing_change": "severe"}, [("side_effect_severe", "warning")]),
    ({"seizure": "mild"}, [("seizure_reported", "urgent")]),
    ({"seizure": "severe"}, [("seizure_reported", "urgent")]),  # not also "severe side effect"
    ({"elevated_mood": "mild"}, []),
    ({"elevated_mood": "moderate"}, [("elevated_mood", "warning")]),
    ({"elevated_mood": "severe"}, [("elevated_mood", "warning")]),
    (
        {"seizure": "moderate", "twitching": "severe", "elevated_mood": "severe"},
        [
            ("seizure_reported", "urgent"),
            ("side_effect_severe", "warning"),
            ("elevated_mood", "warning"),
        ],
    ),
]


@pytest.mark.parametrize(("effects", "flags"), SIDE_EFFECT_TABLE)
def test_side_effect_flags(effects: dict[str, str], flags: list[tuple[str, str]]) -> None:
    result = only_checkin(20, 18, side_effects=effects)
    assert [(f["code"], f["level"]) for f in result["flags"]] == flags


def test_a_severe_side_effect_is_named_in_its_reason() -> None:
    [flag] = only_checkin(20, 18, side_effects={"scalp_discomfort": "severe"})["flags"]
    assert "scalp discomfort" in " ".join(flag["because"])


def asq(**answers: str | None) -> dict[str, str | None]:
    return {**ASQ_ALL_NO, **answers}


# The suicide risk flags exactly as pathway rules v2 define them (pathway-rules-v2.md).
SUICIDE_TABLE = [
    ({"asq": NO_ASQ}, []),
    ({"asq": asq()}, []),
    ({"item9": 1}, ["suicide_risk"]),
    ({"item9": 3, "asq": asq()}, ["suicide_risk"]),
    ({"asq": asq(wished_dead="yes", thoughts_right_now="no")}, ["suicide_risk"]),
    ({"asq": asq(ever_tried="declined", thoughts_right_now="no")}, ["suicide_risk"]),
    ({"asq": asq(wished_dead="yes", thoughts_right_now="yes")}, ["suicide_risk_acute"]),
    ({"asq": asq(wished_dead="yes", thoughts_right_now="declined")}, ["suicide_risk_acute"]),
    # Question 5 "yes" is never dropped, whatever 1-4 say.
    ({"asq": asq(thoughts_right_now="yes")}, ["suicide_risk_acute"]),
    ({"item9": 2, "asq": asq(wished_dead="yes", thoughts_right_now="yes")}, ["suicide_risk_acute"]),
]


@pytest.mark.parametrize(("extra", "codes"), SUICIDE_TABLE)
def test_suicide_risk_flags(extra: dict[str, Any], codes: list[str]) -> None:
    result = only_checkin(20, 12, **extra)
    assert [f["code"] for f in result["flags"]] == codes
    assert all(f["level"] == "urgent" for f in result["flags"])


def test_suicide_risk_comes_first_and_is_raised_whatever_the_baseline() -> None:
    result = only_checkin(
        3,
        9,
        item9=1,
        asq=asq(wished_dead="yes", thoughts_right_now="yes"),
        side_effects={"seizure": "mild"},
    )
    assert result["status"] == "not_applicable"
    assert [f["code"] for f in result["flags"]] == ["suicide_risk_acute", "seizure_reported"]


def test_the_course_summary() -> None:
    result = evaluated(
        course(
            20,
            checkin(14, "2026-03-09"),
            checkin(6, "2026-03-16"),
            checkin(9, "2026-03-23", session=None),
        )
    )
    assert result["contract"] == "course-evaluation/1"
    assert result["baseline"] == {"phq9": 20, "gad7": 7}
    assert [c["status"] for c in result["checkins"]] == [
        "partial_response",
        "response",
        "response",
    ]
    assert result["checkins"][2]["session"] is None
    assert result["course"] == {"status": "response", "best_phq9": 6, "latest_phq9": 9}
    assert set(result["ruleset"]) == {"version", "sha256"}


def test_a_course_with_only_its_baseline() -> None:
    result = evaluated(course(17))
    assert result["checkins"] == []
    assert result["course"] == {"status": "baseline_only", "best_phq9": 17, "latest_phq9": 17}


def test_check_ins_on_the_baselines_day_and_on_the_same_day_are_in_order() -> None:
    document = course(
        20, checkin(18, "2026-03-02"), checkin(17, "2026-03-02"), checkin(9, "2026-03-03")
    )
    assert len(evaluated(document)["checkins"]) == 3


def problems(document: object) -> list[str]:
    with pytest.raises(InvalidAnswers) as caught:
        parse_course(document)
    return [str(problem) for problem in caught.value.problems]


def test_every_problem_is_reported_at_its_path() -> None:
    first = checkin(10, "2026-03-20")
    first["phq9"] = [0, 1, 2, 4, 1, 1, 1, 1, 0]
    first["session"] = 0
    second = checkin(10, "2026-03-10")  # before the check-in above it
    second["side_effects"] = {"headache": "terrible", "nausea": "mild"}
    third = checkin(10, "2026-02-27")  # before the baseline
    third["gad7"] = [1, 1, 1]
    third["asq"] = asq(wished_dead="yes")
    document = course(20, first, second, third)
    document["contract"] = "intake-course/2"
    assert problems(document) == [
        'contract: must be "intake-course/1"',
        "checkins[0].session: must be an integer from 1 to 1000",
        "checkins[0].phq9[3]: must be an integer from 0 to 3",
        "checkins[1].date: must not be before the check-in above it (date order)",
        "checkins[1].side_effects.headache: must be one of: none, mild, moderate, severe",
        "checkins[1].side_effects.nausea: is not a question on this form",
        "checkins[2].date: must not be before the baseline's date",
        "checkins[2].gad7: must have exactly 7 answers, not 3",
        "checkins[2].asq.thoughts_right_now: is required when an answer to questions 1-4 is yes "
        "or declined",
    ]


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ([], ["document: must be a group of answers (a JSON object)"]),
        (
            {"contract": "intake-course/1"},
            [
                "baseline: is required",
                "checkins: must be a list (empty when there are no check-ins yet)",
            ],
        ),
        (
            {
                "contract": "intake-course/1",
                "baseline": {"date": "2026-02-30", "phq9": phq9(10), "gad7": gad7()},
                "checkins": [],
            },
            ["baseline.date: must be a real date written YYYY-MM-DD"],
        ),
        (
            {
                "contract": "intake-course/1",
                "baseline": {"date": "2026-03-02", "phq9": phq9(10), "gad7": gad7(), "x": 1},
                "checkins": [{"date": "2026-03-03", "phq9": phq9(5)}],
            },
            [
                "baseline.x: is not a question on this form",
                "checkins[0].gad7: is required",
            ],
        ),
    ],
)
def test_malformed_documents(document: object, expected: list[str]) -> None:
    assert problems(document) == expected


def test_an_omitted_side_effect_is_none_and_an_omitted_session_is_null() -> None:
    parsed = parse_course(course(20, {"date": "2026-03-03", "phq9": phq9(5), "gad7": gad7()}))
    [entry] = parsed["checkins"]
    assert entry["session"] is None and entry["asq"] is None
    assert set(entry["side_effects"].values()) == {"none"}
    assert set(entry["side_effects"]) == {
        "headache",
        "scalp_discomfort",
        "twitching",
        "light_headedness",
        "hearing_change",
        "seizure",
        "elevated_mood",
        "other",
    }


# The command --------------------------------------------------------------------------------


def test_evaluate_course_prints_the_evaluation(runner: FlaskCliRunner, tmp_path: Path) -> None:
    path = tmp_path / "course.json"
    path.write_text(json.dumps(course(20, checkin(10))))
    result = runner.invoke(args=["evaluate-course", str(path)])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["checkins"][0]["status"] == "response"
    assert result.stderr == ""


def test_evaluate_course_reads_stdin_and_lists_problems(runner: FlaskCliRunner) -> None:
    result = runner.invoke(
        args=["evaluate-course", "-"], input=json.dumps({"contract": "intake-course/1"})
    )
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "baseline: is required",
        "checkins: must be a list (empty when there are no check-ins yet)",
    ]
    bad = runner.invoke(args=["evaluate-course", "-"], input="{not json")
    assert bad.exit_code == 1 and bad.stderr.startswith("document: is not valid JSON")


# The ruleset file ---------------------------------------------------------------------------

SHIPPED = Path(__file__).resolve().parents[2] / "intake" / "rules" / "outcomes-v1.yaml"


def edited(tmp_path: Path, old: str, new: str) -> Path:
    text = SHIPPED.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "outcomes.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    (tmp_path / "ruleset-v2.yaml").write_bytes((SHIPPED.parent / "ruleset-v2.yaml").read_bytes())
    (tmp_path / "catalogue-v2.yaml").write_bytes(
        (SHIPPED.parent / "catalogue-v2.yaml").read_bytes()
    )
    return path


def test_the_shipped_rules_name_their_version_and_hash() -> None:
    rules = load_outcome_rules(SHIPPED)
    assert rules.version == "1.0.0"
    assert len(rules.sha256) == 64
    assert evaluated(course(10))["ruleset"] == {"version": "1.0.0", "sha256": rules.sha256}


def test_an_edited_threshold_changes_the_hash_and_the_result(tmp_path: Path) -> None:
    path = edited(tmp_path, "phq9_fall_percent >= 50", "phq9_fall_percent >= 60")
    rules = load_outcome_rules(path)
    assert rules.sha256 != load_outcome_rules(SHIPPED).sha256
    parsed = parse_course(course(20, checkin(10)))
    assert evaluate_course(parsed, rules)["checkins"][0]["status"] == "partial_response"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("  - code: not_applicable\n", "  - code: not_applicble\n", "status not_applicble"),
        ("phq9_rise >= 5", "phq9_rse >= 5", "status worsening: when"),
        ('when: seizure != "none"', 'when: seizure != "fit"', "flag seizure_reported"),
        ("screening: ruleset-v2.yaml", "screening: nowhere.yaml", "nowhere.yaml"),
        ("  - code: elevated_mood\n", "  - code: suicide_risk\n", "suicide_risk: duplicate code"),
    ],
)
def test_a_broken_ruleset_does_not_load(tmp_path: Path, old: str, new: str, message: str) -> None:
    with pytest.raises(RulesetError, match=message):
        load_outcome_rules(edited(tmp_path, old, new))
