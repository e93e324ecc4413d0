"""The patient's wording of the vocabulary, translated where the forms show it.

The vocabulary (:mod:`intake.vocabulary`) is pure Python and holds each text once, in English;
``intake.patient.catalogue`` extracts its patient wording into the gettext catalogue, and these
helpers give WTForms lazy strings, translated when a page is rendered in the request's locale
(English on staff pages). The validated instruments are shown as published: ``as_published``.
"""

from __future__ import annotations

from typing import Any

from intake import vocabulary as vocab
from intake.i18n import lazy_text


def patient(text: str | None) -> Any:
    """``text`` (a vocabulary wording or hint) translated at rendering; blank stays blank."""
    return lazy_text(text) if text else text


def choices(items: vocab.Choices, *, blank: Any = None) -> list[tuple[str, Any]]:
    """``(code, translated wording)`` pairs for a WTForms field, with a leading blank option
    (already a translatable text) if asked."""
    pairs = [(code, patient(text)) for code, text in vocab.form_choices(items)]
    return [("", blank), *pairs] if blank is not None else pairs


def as_published(items: vocab.Choices) -> list[tuple[str, str]]:
    """An instrument's answer labels exactly as published (never through the catalogue)."""
    return vocab.form_choices(items)
