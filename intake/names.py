"""How names are compared: the folded form staff search matches and ``last_name_folded`` holds.

Its own module because three layers need the same answer: storing a submission fills the
column, the queue folds what staff type before matching it, and the demo data and tests build
rows with it. Pure Python, so any layer may import it.
"""

from __future__ import annotations

import unicodedata


def fold_name(value: str) -> str:
    """Case- and accent-insensitive form of a name: ``"  Ñúñez "`` → ``"nunez"``."""
    decomposed = unicodedata.normalize("NFKD", value.strip())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
