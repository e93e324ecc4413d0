"""The questionnaires as the wizard asks them: PHQ-9, GAD-7, ASQ and the TMS safety screen.

PHQ-9, GAD-7 and ASQ use their published wording verbatim, with the attribution their
publishers ask for. The TMS safety questions are our own plain-language version of the
IFCN screening questionnaire. The items themselves (code, question, hint, and the short label
staff read) are vocabulary, held once in :mod:`intake.vocabulary`; this module adds the stems and
attributions and gives the forms their items (see ``intake.forms.patient``).
"""

from __future__ import annotations

from dataclasses import dataclass

from intake import vocabulary as vocab


@dataclass(frozen=True)
class Item:
    key: str
    text: str
    hint: str | None = None


PHQ_ATTRIBUTION = (
    "Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues, "
    "with an educational grant from Pfizer Inc. No permission required to reproduce, translate, "
    "display or distribute."
)
ASQ_ATTRIBUTION = (
    "Ask Suicide-Screening Questions (ASQ) from the ASQ toolkit of the National Institute of "
    "Mental Health (NIMH)."
)

FREQUENCY_CHOICES = vocab.form_choices(vocab.FREQUENCY)

PHQ9_STEM = vocab.PHQ9_STEM
PHQ9_ITEMS = tuple(question.patient for question in vocab.PHQ9_QUESTIONS)
PHQ9_DIFFICULTY_QUESTION = vocab.PHQ9_DIFFICULTY_QUESTION
PHQ9_DIFFICULTY_CHOICES = vocab.form_choices(vocab.PHQ9_DIFFICULTY)

GAD7_STEM = vocab.GAD7_STEM
GAD7_ITEMS = tuple(question.patient for question in vocab.GAD7_QUESTIONS)


def _item(question: vocab.Question) -> Item:
    return Item(question.code, question.patient, question.hint)


ASQ_ITEMS = tuple(_item(question) for question in vocab.ASQ_QUESTIONS)
ASQ_RIGHT_NOW = _item(vocab.ASQ_RIGHT_NOW)
SAFETY_ITEMS = tuple(_item(question) for question in vocab.SAFETY_QUESTIONS)
PREGNANT_ITEM = _item(vocab.PREGNANT_QUESTION)
