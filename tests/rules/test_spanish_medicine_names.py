"""Spanish generic medicine names (the Spanish INN) match the catalogue from rules 2.1 on.

The Spanish page asks patients to type their medicine; a Spanish speaker types "sertralina".
The expected class of each name is written here (from the English generic it names), never
read from the catalogue. Ruleset 2.0.0 must keep answering as it did for stored submissions
(its hash is pinned in test_rules_v2.py), so the same names stay unrecognised under it.
"""

from __future__ import annotations

from datetime import date

import pytest
from answer_documents import changed, sample_answers_v2

from intake.answers import parse_answers
from intake.rules import evaluate
from intake.rules.ruleset import Ruleset, default_ruleset, shipped_ruleset

AS_OF = date(2026, 11, 1)
V2_1 = shipped_ruleset("2.1")

#: Typed name -> the class code of the antidepressant it names (docs: pathway-rules-v2.md).
ANTIDEPRESSANTS = [
    ("sertralina", "ssri"),
    ("Sertralina", "ssri"),
    ("SERTRALINA", "ssri"),
    ("sertralína", "ssri"),  # a stray accent still matches
    ("fluoxetina", "ssri"),
    ("paroxetina", "ssri"),
    ("fluvoxamina", "ssri"),
    ("escitalopram", "ssri"),
    ("citalopram", "ssri"),
    ("venlafaxina", "snri"),
    ("venlafaxina retard", None),  # not a release suffix the catalogue knows: checked by hand
    ("Venlafaxina XR", "snri"),
    ("desvenlafaxina", "snri"),
    ("duloxetina", "snri"),
    ("bupropión", "atypical"),
    ("Bupropion", "atypical"),
    ("mirtazapina", "atypical"),
    ("trazodona", "atypical"),
    ("vortioxetina", "atypical"),
    ("vilazodona", "atypical"),
    ("nefazodona", "atypical"),
    ("amitriptilina", "tca"),
    ("nortriptilina", "tca"),
    ("imipramina", "tca"),
    ("clomipramina", "tca"),
    ("desipramina", "tca"),
    ("doxepina", "tca"),
    ("trimipramina", "tca"),
    ("fenelzina", "maoi"),
    ("tranilcipromina", "maoi"),
    ("isocarboxazida", "maoi"),
    ("selegilina", "maoi"),
]
ADD_ONS = [
    "litio",
    "Litio",
    "aripiprazol",
    "quetiapina",
    "olanzapina",
    "brexpiprazol",
    "cariprazina",
    "liotironina",
]
#: Current medicines (other_medications) that lower the seizure threshold -> generic named.
SEIZURE = [
    ("clozapina", "clozapine"),
    ("clorpromazina", "chlorpromazine"),
    ("teofilina", "theophylline"),
    ("aminofilina", "aminophylline"),
    ("anfetamina", "amphetamine"),
    ("dextroanfetamina", "dextroamphetamine"),
    ("lisdexanfetamina", "lisdexamfetamine"),
    ("metilfenidato", "methylphenidate"),
    ("dexmetilfenidato", "dexmethylphenidate"),
    ("tramadol", "tramadol"),
    ("amitriptilina", "amitriptyline"),  # a tricyclic: the class is on the list
]


def one_trial(name: str, ruleset: Ruleset = V2_1) -> dict:
    trial = {
        "name": name,
        "daily_dose_mg": None,
        "weeks": 8,
        "outcome": "no_improvement",
        "current": False,
    }
    answers = parse_answers(changed(sample_answers_v2(), {"medication_trials": [trial]}), AS_OF)
    return evaluate(answers, AS_OF, ruleset)


def test_the_default_ruleset_is_2_1_and_says_so() -> None:
    assert default_ruleset() is V2_1
    assert one_trial("sertralina", default_ruleset())["ruleset"]["version"] == "2.1.0"


@pytest.mark.parametrize(("typed", "drug_class"), ANTIDEPRESSANTS)
def test_a_spanish_antidepressant_counts_as_its_class(typed: str, drug_class: str | None) -> None:
    history = one_trial(typed)["treatment_history"]
    if drug_class is None:
        assert history["unrecognized_medications"] == [typed]
        assert history["failed_classes"] == []
        return
    assert history["unrecognized_medications"] == []
    assert history["failed_classes"] == [drug_class]
    assert history["failed_adequate_trials"] == 1


@pytest.mark.parametrize("typed", ADD_ONS)
def test_a_spanish_add_on_medicine_counts_as_an_add_on(typed: str) -> None:
    history = one_trial(typed)["treatment_history"]
    assert history["unrecognized_medications"] == []
    assert history["augmentation_trials"] == 1


@pytest.mark.parametrize(("typed", "generic"), SEIZURE)
def test_a_spanish_seizure_threshold_medicine_is_named(typed: str, generic: str) -> None:
    document = changed(sample_answers_v2(), {"other_medications": [typed]})
    evaluation = evaluate(parse_answers(document, AS_OF), AS_OF, V2_1)
    flag = next(f for f in evaluation["flags"] if f["code"] == "seizure_threshold_medication")
    assert any(generic in line for line in flag["because"])


def test_the_unrecognised_flag_names_the_spanish_name_no_more() -> None:
    codes = [f["code"] for f in one_trial("sertralina")["flags"]]
    assert "unrecognized_medication" not in codes


@pytest.mark.parametrize("typed", ["sertralina", "fluoxetina", "litio", "bupropión"])
def test_ruleset_2_0_0_still_answers_as_it_did(typed: str) -> None:
    """A stored 2.0.0 evaluation is re-read under 2.0.0: the names it did not know stay so."""
    evaluation = one_trial(typed, shipped_ruleset("2"))
    assert evaluation["ruleset"]["version"] == "2.0.0"
    assert evaluation["treatment_history"]["unrecognized_medications"] == [typed]
    assert "unrecognized_medication" in [f["code"] for f in evaluation["flags"]]


def test_the_typed_name_is_kept_as_typed() -> None:
    """The answers are never rewritten: the parsed document holds "Sertralina", not a key."""
    trial = {"name": "Sertralina", "daily_dose_mg": 50, "weeks": 8}
    trial |= {"outcome": "no_improvement", "current": True}
    answers = parse_answers(changed(sample_answers_v2(), {"medication_trials": [trial]}), AS_OF)
    assert answers["medication_trials"][0]["name"] == "Sertralina"
