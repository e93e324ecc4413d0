"""The condition language: what parses, what it means, and what is refused at load."""

from __future__ import annotations

from typing import Any

import pytest

from intake.rules.expressions import BOOL, INT, TEXT, ExpressionError, compile_condition, enum

TYPES = {
    "phq9_total": INT,
    "age": INT,
    "tms_offered": BOOL,
    "treatment_resistant": BOOL,
    "open_to_psychotherapy": enum("yes", "no", "unsure"),
    "primary": enum("depression", "ocd", "ptsd"),
    "names": TEXT,
}
FACTS: dict[str, Any] = {
    "phq9_total": 12,
    "age": 17,
    "tms_offered": False,
    "treatment_resistant": True,
    "open_to_psychotherapy": "unsure",
    "primary": "ocd",
    "names": "sertraline",
}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("phq9_total >= 10", True),
        ("phq9_total >= 13", False),
        ("phq9_total > 12 or age < 18", True),
        ("phq9_total == 12 and age != 17", False),
        ("phq9_total <= 12", True),
        ("not tms_offered", True),
        ("not not tms_offered", False),
        ("tms_offered or treatment_resistant", True),
        ("tms_offered and treatment_resistant", False),
        ('open_to_psychotherapy != "no"', True),
        ('"unsure" == open_to_psychotherapy', True),
        ('primary in ["ocd", "ptsd"]', True),
        ('primary not in ["ocd", "ptsd"]', False),
        ("phq9_total in [10, 12]", True),
        ("not (tms_offered or treatment_resistant)", False),
        ("tms_offered or treatment_resistant and phq9_total > 20", False),
        ("(tms_offered or treatment_resistant) and phq9_total > 2", True),
        ("treatment_resistant == true", True),
        ("  phq9_total>=10  ", True),
    ],
)
def test_conditions_mean_what_they_say(source: str, expected: bool) -> None:
    run, _ = compile_condition(source, TYPES)
    assert run(FACTS) is expected


def test_compiling_reports_the_names_a_condition_reads() -> None:
    _, names = compile_condition('phq9_total >= 10 and primary == "ocd"', TYPES)
    assert names == {"phq9_total", "primary"}


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("phq9_totl >= 10", "unknown fact 'phq9_totl'"),
        ("phq9_total >=", "ends too early"),
        ("phq9_total >= 10 10", "unexpected '10'"),
        ("(phq9_total >= 10", "expected ')'"),
        ("phq9_total => 10", "cannot read '=> 10'"),
        ("phq9_total >= 10 & age", "cannot read '& age'"),
        ("", "empty"),
        ("and", "unexpected 'and'"),
        ("phq9_total", "must be true or false"),
        ("phq9_total and tms_offered", "'and' needs true or false"),
        ("not age", "'not' needs true or false"),
        ('phq9_total >= "10"', "cannot compare"),
        ("tms_offered == 1", "cannot compare"),
        ("open_to_psychotherapy == primary", "cannot compare"),
        (
            'open_to_psychotherapy != "noo"',
            '"noo" is not a possible value of open_to_psychotherapy',
        ),
        ('primary in ["ocd", "panic"]', '"panic" is not a possible value of primary'),
        ("tms_offered > treatment_resistant", "compares numbers"),
        ('primary < "ocd"', "compares numbers"),
        ("primary in [age]", "may hold only"),
        ('names == "x"', "display text"),
        ("__import__", "unknown fact"),
        ("phq9_total.real > 1", "cannot read"),
    ],
)
def test_bad_conditions_are_refused_with_a_reason(source: str, message: str) -> None:
    with pytest.raises(ExpressionError, match=message.replace("(", r"\(").replace(")", r"\)")):
        compile_condition(source, TYPES)
