"""The pathway summary service: pure functions over stored answers and evaluations."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from answer_documents import changed, sample_answers
from clinician_samples import AS_OF, rich_answers

from intake.answers import parse_answers
from intake.rules import RULESET, evaluate, load_ruleset
from intake.rules.ruleset import DEFAULT_PATH, shipped_ruleset
from intake.services.summary import (
    build_summary,
    reevaluate,
    sorted_flags,
    trial_adequacy,
)


def _summary(document: dict) -> object:
    answers = parse_answers(document, AS_OF)
    return build_summary(answers, evaluate(answers, AS_OF), RULESET)


def test_flags_are_ordered_urgent_warning_info() -> None:
    summary = _summary(rich_answers())
    levels = [flag["level"] for flag in summary.flags]
    assert levels == sorted(levels, key=["urgent", "warning", "info"].index)
    assert levels[0] == "urgent" and "info" in levels
    assert summary.urgent
    assert all(flag["because"] for flag in summary.flags)


def test_sorted_flags_is_stable_within_a_level() -> None:
    flags = [
        {"code": "a", "level": "info"},
        {"code": "b", "level": "warning"},
        {"code": "c", "level": "info"},
        {"code": "d", "level": "urgent"},
    ]
    assert [f["code"] for f in sorted_flags(flags)] == ["d", "b", "a", "c"]


#: The summary's short labels of the PHQ-9 items, in order (docs/clinician.md, "Item wording").
PHQ9_SHORT_LABELS = [
    "Little interest or pleasure",
    "Down, depressed, hopeless",
    "Sleep trouble",
    "Tired, little energy",
    "Appetite change",
    "Feeling bad about self",
    "Trouble concentrating",
    "Slowed down or restless",
    "Thoughts of death or self-harm",
]


def test_every_questionnaire_item_has_its_label_and_score() -> None:
    summary = _summary(rich_answers())
    assert [item.label for item in summary.phq9.items] == PHQ9_SHORT_LABELS
    assert [item.score for item in summary.phq9.items] == [3, 3, 2, 2, 2, 2, 2, 2, 1]
    assert summary.phq9.total == 19 and summary.phq9.severity == "moderately severe"
    assert len(summary.gad7.items) == 7 and summary.gad7.total == 7
    assert summary.phq9.items[8].score_words == "several days"


def test_asq_question_five_only_when_asked() -> None:
    assert len(_summary(sample_answers()).asq) == 4
    rows = _summary(rich_answers()).asq
    assert len(rows) == 5 and rows[0][1] == "yes" and rows[4][1] == "no"


def test_per_trial_adequacy_agrees_with_the_rules_count() -> None:
    summary = _summary(rich_answers())
    counted = {row.generic for row in summary.medications if row.counts}
    assert len(counted) == summary.history["failed_adequate_trials"] == 3
    by_name = {row.name: row for row in summary.medications}
    assert by_name["Zoloft"].drug_class == "SSRI" and by_name["Zoloft"].counts
    assert "already counted" in by_name["sertraline"].reason
    assert (
        not by_name["escitalopram"].counts and "below the 10 mg" in by_name["escitalopram"].reason
    )
    assert not by_name["fluoxetine"].counts and "under 6 weeks" in by_name["fluoxetine"].reason
    assert by_name["bupropion"].counts and "side effects" in by_name["bupropion"].reason
    assert not by_name["aripiprazole"].counts and "add-on" in by_name["aripiprazole"].reason
    assert by_name["Moonleaf tincture"].drug_class == "unrecognised"


@pytest.mark.parametrize(
    ("outcome", "weeks", "dose", "counts", "words"),
    [
        ("full_improvement", 10, 100, False, "improved fully"),
        ("too_early", 1, 100, False, "too early"),
        ("no_improvement", 6, None, True, "dose not given"),
        ("no_improvement", 6, 50, True, "minimum 50 mg"),
        ("no_improvement", 5, 50, False, "under 6 weeks"),
    ],
)
def test_trial_adequacy_reasons(
    outcome: str, weeks: int, dose: float | None, counts: bool, words: str
) -> None:
    medicine = RULESET.catalogue.find("sertraline")
    trial = {"outcome": outcome, "weeks": weeks, "daily_dose_mg": dose}
    verdict, reason = trial_adequacy(trial, medicine)
    assert verdict is counts and words in reason


def test_therapy_adequacy_follows_the_rules() -> None:
    rows = _summary(rich_answers()).therapies
    assert [(row.modality, row.adequate) for row in rows] == [("CBT", True), ("Supportive", False)]


def test_safety_screen_highlights_every_yes_and_unsure() -> None:
    summary = _summary(rich_answers())
    assert len(summary.safety) == 15
    assert {row.key: row.answer for row in summary.safety_findings} == {
        "seizure_history": "unsure",
        "fainting": "yes",
        "hearing_problems": "yes",
    }
    assert summary.seizure_medicines == ["tramadol"]


def test_coverage_rows_have_labels_or_none() -> None:
    coverage = _summary(sample_answers()).coverage
    assert coverage["profile"] == "commercial"
    assert coverage["criteria"][0]["label"] == "Covered indication"
    assert (
        _summary(changed(sample_answers(), {"insurance.coverage_type": "self_pay"})).coverage
        is None
    )


def test_no_reevaluation_under_the_same_ruleset() -> None:
    answers = parse_answers(sample_answers(), AS_OF)
    assert reevaluate(answers, evaluate(answers, AS_OF), RULESET) is None


def _stricter_ruleset(tmp_path: Path) -> object:
    """The shipped ruleset, version 1.1.0, where an unsure hearing answer also flags hearing."""
    for name in ("ruleset.yaml", "catalogue.yaml"):
        shutil.copy(DEFAULT_PATH.with_name(name), tmp_path / name)
    path = tmp_path / "ruleset.yaml"
    text = path.read_text()
    text = text.replace('version: "1.0.0"', 'version: "1.1.0"', 1)
    assert 'hearing_problems == "yes"' in text
    text = text.replace('hearing_problems == "yes"', 'hearing_problems != "no"', 1)
    path.write_text(text)
    return load_ruleset(path)


def test_reevaluation_lists_what_changed(tmp_path: Path) -> None:
    ruleset = _stricter_ruleset(tmp_path)
    answers = parse_answers(
        changed(sample_answers(), {"safety_screen.hearing_problems": "unsure"}), AS_OF
    )
    stored = evaluate(answers, AS_OF, shipped_ruleset("1"))
    before = repr(stored)
    diff = reevaluate(answers, stored, ruleset)
    assert diff is not None and diff.changed
    assert [flag["code"] for flag in diff.flags_added] == ["hearing_protection"]
    assert diff.old_ruleset["version"] == "1.0.0" and diff.new_ruleset["version"] == "1.1.0"
    assert repr(stored) == before  # the stored evaluation is untouched


def test_reevaluation_with_only_a_different_hash_changes_nothing() -> None:
    answers = parse_answers(sample_answers(), AS_OF)
    stored = evaluate(answers, AS_OF)
    stored["ruleset"] = {"version": "0.9.0", "sha256": "0" * 64}
    stored["pathways"] = [
        *stored["pathways"],
        {"code": "psychotherapy", "title": "x", "because": ["y"]},
    ]
    diff = reevaluate(answers, stored, RULESET)
    assert diff is not None
    assert [p["code"] for p in diff.pathways_removed] == ["psychotherapy"]
    assert diff.pathways_added == [] and diff.flags_added == []
