"""Flesch-Kincaid grade level, counted with pyphen's hyphenation (no downloads, no NLTK).

grade = 0.39 × words per sentence + 11.8 × syllables per word − 15.59 (Kincaid et al., 1975).
A word's syllables are its hyphenation points plus one, which is what readability tools fall
back to without a pronunciation dictionary; words and sentences are counted as those tools do
(punctuation removed; fragments of two words or fewer are not sentences). The same text gives
the same grade on every machine.
"""

from __future__ import annotations

import functools
import re

import pyphen

_PUNCTUATION = re.compile(r"[^\w\s']")
_SENTENCE = re.compile(r"\b[^.!?]+[.!?]*")


@functools.cache
def _dictionary() -> pyphen.Pyphen:
    return pyphen.Pyphen(lang="en_US")


def syllables(word: str) -> int:
    return len(_dictionary().positions(word.lower())) + 1


def _words(text: str) -> list[str]:
    """Words once punctuation is removed ("trauma-focused" is one word, "988" is a word)."""
    return _PUNCTUATION.sub("", text).split()


def _sentences(text: str) -> int:
    """Sentences, not counting fragments of two words or fewer (headings, "Call 988.")."""
    found = _SENTENCE.findall(text)
    return max(1, len(found) - sum(1 for s in found if len(_words(s)) <= 2))


def flesch_kincaid_grade(text: str) -> float:
    words = _words(text)
    if not words:
        return 0.0
    syllable_count = sum(syllables(w) for w in words)
    return 0.39 * len(words) / _sentences(text) + 11.8 * syllable_count / len(words) - 15.59
