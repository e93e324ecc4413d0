"""Loading rulesets: the shipped one is sound, and every kind of mistake refuses to load."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from intake.rules import RulesetError, load_ruleset
from tests.rules.v1 import DEFAULT_PATH, RULESET

RULES_DIR = DEFAULT_PATH.parent
PROJECT_ROOT = RULES_DIR.parent.parent


def ruleset_copy(
    tmp_path: Path, old: str = "", new: str = "", catalogue: tuple[str, str] = ("", "")
) -> Path:
    """A copy of the shipped ruleset and catalogue with one text replacement in each."""
    text = DEFAULT_PATH.read_text()
    if old:
        assert old in text, f"{old!r} is not in the shipped ruleset"
        text = text.replace(old, new, 1)
    catalogue_text = (RULES_DIR / "catalogue.yaml").read_text()
    if catalogue[0]:
        assert catalogue[0] in catalogue_text
        catalogue_text = catalogue_text.replace(catalogue[0], catalogue[1], 1)
    (tmp_path / "catalogue.yaml").write_text(catalogue_text)
    path = tmp_path / "ruleset.yaml"
    path.write_text(text)
    return path


def test_shipped_ruleset_identity() -> None:
    expected = hashlib.sha256(
        DEFAULT_PATH.read_bytes() + (RULES_DIR / "catalogue.yaml").read_bytes()
    )
    assert RULESET.version == "1.0.0"
    assert RULESET.sha256 == expected.hexdigest()


def test_shipped_ruleset_has_the_contract_codes_in_order() -> None:
    assert [rule.code for rule in RULESET.pathways] == [
        "crisis_support",
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
    assert [(rule.code, rule.level) for rule in RULESET.flags] == [
        ("suicide_risk_acute", "urgent"),
        ("suicide_risk", "urgent"),
        ("tms_contraindication", "warning"),
        ("tms_precaution", "warning"),
        ("tms_screen_incomplete", "warning"),
        ("seizure_threshold_medication", "warning"),
        ("psychotic_features", "warning"),
        ("mania_risk", "warning"),
        ("minor", "info"),
        ("hearing_protection", "info"),
        ("unrecognized_medication", "info"),
        ("schedule_barrier", "info"),
    ]
    assert [c.code for c in RULESET.coverage.criteria] == [
        "covered_indication",
        "age",
        "severity",
        "medication_trials",
        "psychotherapy_trial",
        "no_psychosis",
        "no_contraindication",
    ]
    assert set(RULESET.coverage.profiles) == {
        "commercial",
        "medicare",
        "medicaid",
        "tricare",
        "other",
    }


def test_pathway_titles_match_the_contract() -> None:
    titles = {rule.code: rule.title for rule in RULESET.pathways}
    assert titles["crisis_support"] == "Crisis support now"
    assert titles["tms_plus_erp"] == "Deep TMS for OCD with exposure and response prevention"
    assert titles["clinician_consultation"] == "Talk it through with a clinician"


def test_an_unchanged_copy_loads_with_the_same_hash(tmp_path: Path) -> None:
    assert load_ruleset(ruleset_copy(tmp_path)).sha256 == RULESET.sha256


def test_any_byte_change_changes_the_hash(tmp_path: Path) -> None:
    path = ruleset_copy(tmp_path, "# Pathway rules v1", "# Pathway rules v1 (edited)")
    assert load_ruleset(path).sha256 != RULESET.sha256


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("when: age < 18", "when: agee < 18", "flag minor: when: unknown fact 'agee'"),
        ("when: age < 18", "when: age <", "flag minor: when: the condition ends too early"),
        (
            "when: age < 18",
            "when: (age < 18",
            "flag minor: when: the condition ends too early: expected ')'",
        ),
        ("when: age < 18", 'when: age == "18"', "flag minor: when: cannot compare age"),
        ("when: age < 18", "when: age", "flag minor: when: the condition must be true or false"),
        (
            'when: hearing_problems == "yes"',
            'when: hearing_problems == "loud"',
            'flag hearing_protection: when: "loud" is not a possible value',
        ),
        ("code: hearing_protection", "code: minor", "minor: duplicate code"),
        ("code: maintenance_therapy", "code: psychotherapy", "psychotherapy: duplicate code"),
        ("code: minor", "code: age", "age: this code is already the name of a fact"),
        (
            "when: age < 18",
            "when: age < 18 and minor",
            "flag minor: rules refer to each other in a circle: minor -> minor",
        ),
        ("level: info", "level: low", "flag minor: level must be one of"),
        ('version: "1.0.0"', "version: 1.0", "version: must be quoted text"),
        ("priority: 10", "priority: 9", "two pathways have the same priority"),
        (
            '      - text: "Age {age}: under 18"',
            '      - text: "Age {agee}"',
            "{agee} is not a fact",
        ),
        (
            '      - text: "Age {age}: under 18"',
            '      - text: "Age {age}"\n        if: age < 17',
            "flag minor: because: needs at least one line without 'if'",
        ),
        ('      - text: "Age {age}: under 18"', '      - text: "Age {age"', "unmatched brace"),
        (
            '        patient: "TMS helped you before ({tms_history})"\n',
            "",
            "pathway maintenance_therapy: because[0]: needs a 'patient' wording",
        ),
        ("    level: info\n", "    level: info\n    colour: blue\n", "unknown key 'colour'"),
        (
            "      min_phq9: 20",
            "      min_phq9: twenty",
            "coverage profile medicare: min_phq9 must be a number",
        ),
        (
            "      ocd_indication: not_met",
            "      ocd_indication: never",
            "ocd_indication must be one of",
        ),
        ("  medicare:\n", "  medicar:\n", "coverage profile medicar: not a coverage type"),
        (
            "      met: phq9_total >= min_phq9",
            "      met: phq9_total >= min_phq10",
            "coverage criterion severity: met: unknown fact 'min_phq10'",
        ),
        ("catalogue: catalogue.yaml", "catalogue: nowhere.yaml", "catalogue: cannot read"),
    ],
)
def test_a_broken_ruleset_refuses_to_load_naming_the_rule(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    path = ruleset_copy(tmp_path, old, new)
    with pytest.raises(RulesetError) as caught:
        load_ruleset(path)
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "brands: [Zoloft]",
            "brands: [Zoloft, Prozac]",
            "the name 'Prozac' is already in the catalogue",
        ),
        (
            "class: ssri, min_daily_dose_mg: 50",
            "class: sri, min_daily_dose_mg: 50",
            "unknown class 'sri'",
        ),
        ("class: ssri, min_daily_dose_mg: 50, ", "class: ssri, ", "needs min_daily_dose_mg"),
        ("seizure_threshold_classes: [tca]", "seizure_threshold_classes: [tcas]", "unknown class"),
    ],
)
def test_a_broken_catalogue_refuses_to_load(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    path = ruleset_copy(tmp_path, catalogue=(old, new))
    with pytest.raises(RulesetError, match="catalogue") as caught:
        load_ruleset(path)
    assert message in str(caught.value)


def test_a_file_that_is_not_yaml_refuses_to_load(tmp_path: Path) -> None:
    path = tmp_path / "ruleset.yaml"
    path.write_text("flags: [unclosed")
    with pytest.raises(RulesetError, match="cannot read the ruleset"):
        load_ruleset(path)


def test_the_rules_package_imports_neither_flask_nor_the_database() -> None:
    # The app package's own __init__ imports Flask, so stand in for it and import only the
    # rules and answers modules themselves.
    script = (
        "import sys, types, json\n"
        f"package = types.ModuleType('intake'); package.__path__ = [{str(RULES_DIR.parent)!r}]\n"
        "sys.modules['intake'] = package\n"
        "import intake.rules, intake.rules.education, intake.answers\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('flask', 'sqlalchemy', 'flask_sqlalchemy', 'werkzeug'))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=PROJECT_ROOT
    )
    assert json.loads(result.stdout) == []


def test_docs_describe_every_fact() -> None:
    from intake.rules.facts import FACT_TYPES

    text = (PROJECT_ROOT / "docs" / "rules.md").read_text()
    assert [name for name in FACT_TYPES if f"| `{name}` |" not in text] == []
