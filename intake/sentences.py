"""Ending and joining sentences: the one home for the full stop after a text.

Staff notes, status phrases and reasons are often written with their own full stop (or "!" or
"?"), and pages and PDFs put a sentence's end after them: "agreed to clinician call tomorrow
9am." must not become "9am..". Every place that ends or joins sentences around such text goes
through these functions (templates through the ``sentence`` and ``full_stop`` filters).

Pure Python: no Flask. Markup stays Markup (``Markup + "."`` is still safe to show).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

#: What already ends a sentence: a full stop, "!", "?" and an ellipsis.
END_MARKS = (".", "!", "?", "\u2026")

Text = TypeVar("Text", bound=str)


def full_stop(text: str, stop: str = ".") -> str:
    """The mark ``text`` still needs to end a sentence: ``stop``, or "" when it ends with one
    of :data:`END_MARKS` (trailing spaces ignored), or "" for empty text."""
    stripped = str(text).rstrip()
    if not stripped or stripped.endswith(END_MARKS):
        return ""
    return stop


def sentence(text: Text, stop: str = ".") -> Text:
    """``text`` (trailing spaces dropped) ending with exactly one sentence mark."""
    stripped = text.rstrip()
    return stripped + full_stop(stripped, stop)  # type: ignore[return-value]


def sentences(parts: Iterable[str]) -> str:
    """Non-empty ``parts`` as sentences, each ended once, joined by a space."""
    return " ".join(sentence(part) for part in parts if part and part.strip())
