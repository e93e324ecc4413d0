"""What text the app accepts: the one check behind the answers contract and every form.

Some characters break storage or mislead a reader without anyone seeing them: PostgreSQL cannot
store a NUL byte, a lone UTF-16 surrogate (possible in JSON, ``"\\ud800"``) cannot be encoded at
all, bidirectional overrides make a name or a medicine read differently from what is stored,
and a "name" made only of zero-width characters looks blank to staff. Such text is refused with
a message at its field, never silently cleaned, so what is stored is what was typed.

Pure Python: no Flask, no database.
"""

from __future__ import annotations

import enum
import unicodedata

#: Line breaks (and tabs) are allowed in free text (text areas), never in one-line answers.
_MULTILINE_ALLOWED = frozenset("\n\r\t")
_WITHOUT_LINE_BREAKS = str.maketrans("", "", "\n\r\t")
#: Embeddings, overrides and isolates (U+202A-202E, U+2066-2069). The plain left-to-right and
#: right-to-left marks (U+200E, U+200F) stay allowed: they are used in real names.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
#: Letters that render as blank space although Unicode does not call them spaces.
_BLANK_LOOKING = frozenset("\u115f\u1160\u3164\uffa0\u2800")


class TextFault(enum.Enum):
    """Why a piece of text is refused."""

    CONTROL = "control"
    SURROGATE = "surrogate"
    BIDI = "bidi"
    INVISIBLE = "invisible"


#: The contract's wording (API and ``evaluate``), after the field's path.
CONTRACT_MESSAGES = {
    TextFault.CONTROL: "must not contain control characters (line breaks only in free text)",
    TextFault.SURROGATE: "must not contain unpaired surrogate characters",
    TextFault.BIDI: "must not contain bidirectional override or isolate characters",
    TextFault.INVISIBLE: "must contain visible characters, not only invisible ones",
}
#: The wording people see next to a form field.
FORM_MESSAGES = {
    TextFault.CONTROL: (
        "This has a hidden control character in it (this can happen when copying and "
        "pasting). Please type it again."
    ),
    TextFault.SURROGATE: "This has a character we cannot store. Please type it again.",
    TextFault.BIDI: (
        "This has a hidden character that changes the direction of the text. Please type it again."
    ),
    TextFault.INVISIBLE: "Please type letters or numbers, not only invisible characters.",
}


def text_fault(value: str, *, multiline: bool = False) -> TextFault | None:
    """The first reason ``value`` cannot be accepted as typed, or None when it is fine.

    Blank text is fine here (whether an answer is required is decided elsewhere).
    """
    # Most answers are plain printable ASCII: none of the faults below can occur in it, and
    # any such text that is not blank has a visible character (tabs and line breaks aside,
    # which only multi-line text may hold).
    plain = value.translate(_WITHOUT_LINE_BREAKS) if multiline else value
    if plain.isascii() and plain.isprintable():
        return None
    allowed = _MULTILINE_ALLOWED if multiline else frozenset()
    visible = False
    for char in value:
        category = unicodedata.category(char)
        if category == "Cs":
            return TextFault.SURROGATE
        if category == "Cc" and char not in allowed:
            return TextFault.CONTROL
        if char in _BIDI_CONTROLS:
            return TextFault.BIDI
        if not (char.isspace() or category in ("Cf", "Cc", "Zs") or char in _BLANK_LOOKING):
            visible = True
    if value.strip() and not visible:
        return TextFault.INVISIBLE
    return None
