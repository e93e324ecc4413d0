"""Usual highest daily doses, to ask a patient to check a dose that looks like a typo.

A dose above the usual maximum is not refused (it may be real) and never changed: the wizard
asks the patient to confirm it. The numbers live in ``dose_maximums.yaml``, apart from the
catalogue, so that the rules' catalogue hash does not move (see the file's header). Names are
matched through the rules catalogue, so brands and release suffixes work ("Zoloft", "Effexor
XR").

Pure Python: no Flask, no database.
"""

from __future__ import annotations

import functools
from pathlib import Path

from intake.rules.ruleset import default_ruleset, read_yaml

_PATH = Path(__file__).with_name("dose_maximums.yaml")


@functools.cache
def _maximums() -> dict[str, float]:
    data = read_yaml(_PATH.read_bytes())
    if not isinstance(data, dict) or not all(
        isinstance(v, int | float) and v > 0 for v in data.values()
    ):
        raise ValueError(f"{_PATH.name}: must map generic names to positive numbers")
    return {str(k): float(v) for k, v in data.items()}


def usual_maximum(name: str) -> float | None:
    """The usual highest daily dose in mg for the medicine ``name`` names, if known."""
    catalogue = default_ruleset().catalogue
    found = catalogue.find(name)
    generic = found.generic if found else catalogue.seizure_threshold_generic(name)
    if generic is None:
        return None
    return _maximums().get(generic)


def known_generics() -> set[str]:
    """Every generic name the maximums file lists (for the test that each is catalogued)."""
    return set(_maximums())
