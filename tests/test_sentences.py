"""Ending a text once: a note that ends with ".", "!" or "?" gets no second mark."""

from __future__ import annotations

import pytest
from markupsafe import Markup

from intake.sentences import full_stop, sentence, sentences

ENDINGS = [
    ("agreed to clinician call tomorrow 9am.", "agreed to clinician call tomorrow 9am."),
    ("agreed to clinician call tomorrow 9am", "agreed to clinician call tomorrow 9am."),
    ("call me back!", "call me back!"),
    ("is Tuesday fine?", "is Tuesday fine?"),
    ("trailing spaces.  ", "trailing spaces."),
    ("trailing spaces  ", "trailing spaces."),
    ("and then\u2026", "and then\u2026"),
    ("", ""),
]


@pytest.mark.parametrize(("text", "expected"), ENDINGS)
def test_a_sentence_ends_once(text: str, expected: str) -> None:
    assert sentence(text) == expected


@pytest.mark.parametrize(
    ("text", "mark"), [("done.", ""), ("done!", ""), ("done?", ""), ("done", "."), ("", "")]
)
def test_the_mark_a_text_still_needs(text: str, mark: str) -> None:
    assert full_stop(text) == mark


def test_markup_stays_markup() -> None:
    ended = sentence(Markup("<b>x</b> &amp; y"))
    assert isinstance(ended, Markup) and ended == Markup("<b>x</b> &amp; y.")


def test_sentences_join_each_ended_once() -> None:
    assert sentences(["One.", "Two", "", "  ", "Three?"]) == "One. Two. Three?"
