"""Extracting the vocabulary's patient wording into the gettext catalogue (``pybabel extract``,
``babel.cfg``): the vocabulary keeps each text once, as data, so it has no gettext calls for
the python extractor to find; this method yields every patient wording and hint of its lists,
the typed-text messages of ``intake.text`` and a refused card photo's (``intake.images``). The
forms translate them where they show them (``intake.forms.wording``). ``extract_education``
does the same for what the confirmation says about each pathway: ``education.yaml`` and the
rulesets' titles and patient wording stay the one home of the English
(``intake.rules.education.catalogue_texts``; translated by ``patient_summary``'s ``say``).

Left out on purpose: the validated instruments (PHQ-9, GAD-7 and the ASQ, with their answer
labels). They are never machine-translated; until the publishers' Spanish versions are verified
the Spanish pages show them in their published English wording (docs/wizard.md, "Spanish").
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

#: The vocabulary lists (by their name in ``vocabulary.LISTS``) that are validated instruments.
INSTRUMENT_LISTS = frozenset(
    {"frequency", "phq9_difficulty", "phq9_questions", "gad7_questions", "asq_questions"}
)
#: The ASQ's answers as the ASQ step offers them (its "Yes" and "No" are the instrument's).
INSTRUMENT_ANSWER_LISTS = frozenset({"asq_answers"})


def patient_texts() -> list[str]:
    """Every patient wording and hint the catalogue must hold, in the vocabulary's order."""
    from intake import vocabulary as vocab
    from intake.images import NOT_AN_IMAGE, TOO_LARGE, TOO_MANY_PIXELS
    from intake.text import FORM_MESSAGES

    texts: list[str] = []
    for name, items in vocab.LISTS.items():
        if name in INSTRUMENT_LISTS or name in INSTRUMENT_ANSWER_LISTS:
            continue
        for item in items:
            if isinstance(item, vocab.Choice | vocab.Question):
                texts.append(item.patient)
            if isinstance(item, vocab.Question) and item.hint:
                texts.append(item.hint)
    texts.extend(FORM_MESSAGES.values())
    texts.extend((NOT_AN_IMAGE, TOO_LARGE, TOO_MANY_PIXELS))  # a refused card photo
    return list(dict.fromkeys(texts))


def extract_vocabulary(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any
) -> Iterator[tuple[int, str | None, str, list[str]]]:
    """A Babel extraction method (``babel.cfg``): the patient texts with the line where each
    starts in ``fileobj`` (0 when it is split over lines)."""
    source = fileobj.read().decode("utf-8")
    for text in patient_texts():
        at = source.find(text[:40])
        line = source.count("\n", 0, at) + 1 if at >= 0 else 0
        yield line, None, text, ["vocabulary: patient wording"]


def extract_education(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any
) -> Iterator[tuple[int, str | None, str, list[str]]]:
    """A Babel extraction method for ``education.yaml`` (``babel.cfg``): its texts, read from
    the file being extracted, and the shipped rulesets' patient wording (line 0: another file)."""
    from intake.rules.education import catalogue_texts, parse_education

    source = fileobj.read().decode("utf-8")
    education = parse_education(source, getattr(fileobj, "name", "education.yaml"))
    for text in catalogue_texts(education):
        at = source.find(text[:40])
        line = source.count("\n", 0, at) + 1 if at >= 0 else 0
        yield line, None, text, ["education: what the patient reads about a pathway"]
