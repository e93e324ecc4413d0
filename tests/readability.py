"""Flesch-Kincaid grade level, counted with pyphen's hyphenation (no downloads, no NLTK), and
the Fernández-Huerta score for Spanish (below).

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


# Spanish ------------------------------------------------------------------------------------
#
# Fernández-Huerta (1959), Flesch's reading ease adapted to Spanish, as corrected by Law (2011;
# LINGUIST List 22.2332): the published "206.84 − 0.60 P − 1.02 F" counts P syllables per 100
# words and, by the usual misprint, F sentences per 100 words (more, shorter sentences would
# then read harder); with F as words per sentence, as in Flesch's formula, it is
#
#     score = 206.84 − 60 × syllables per word − 1.02 × words per sentence
#
# 100 is very easy, 70-80 fairly easy (about a 7th-grade reader), 60-70 standard. Spanish
# syllables are counted by rule, not by hyphenation (pyphen's Spanish patterns keep a lone
# vowel with its neighbour: "a-yu-da" would be "ayu-da"): one per vowel group, a group split
# where two strong vowels meet (a, e, o) or an accented í or ú stands beside a vowel (hiatus);
# the u of que, qui, gue, gui is silent; a final y after a vowel closes a diphthong ("hoy").

_STRONG = frozenset("aeoáéó")
_HIATUS_WEAK = frozenset("íú")
_VOWELS = frozenset("aeiouáéíóúü")
_SILENT_U = re.compile(r"(?<=[qg])u(?=[eiéí])")


def syllables_es(word: str) -> int:
    """Syllables of a Spanish word (at least one)."""
    text = _SILENT_U.sub("", word.lower())
    text = "i" if text == "y" else re.sub(r"(?<=[aeiouáéíóú])y$", "i", text)
    count = 0
    previous = ""
    for char in text:
        if char not in _VOWELS:
            previous = ""
            continue
        hiatus = previous and (
            (previous in _STRONG and char in _STRONG)
            or char in _HIATUS_WEAK
            or previous in _HIATUS_WEAK
        )
        if not previous or hiatus:
            count += 1
        previous = char
    return max(1, count)


def fernandez_huerta(text: str) -> float:
    """The Fernández-Huerta reading ease of a Spanish ``text`` (higher is easier)."""
    words = _words(text)
    if not words:
        return 0.0
    syllable_count = sum(syllables_es(w) for w in words)
    return 206.84 - 60 * syllable_count / len(words) - 1.02 * len(words) / _sentences(text)
