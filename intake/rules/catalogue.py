"""The medication catalogue: how a name a patient typed becomes a known medicine.

The catalogue itself is data (``catalogue.yaml``) so a clinician can read and change it; this
module loads it once into lookup dicts keyed by normalised name, because ``evaluate`` looks names
up on every call and must stay fast.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

_PUNCTUATION = re.compile(r"[^\w]+|_")
#: The same for ASCII text without the regex: every ASCII character but a letter or a digit
#: becomes a space (``split`` then drops runs of them, as the regex's one space per run).
_ASCII_PUNCTUATION = str.maketrans({chr(c): " " for c in range(128) if not chr(c).isalnum()})


class CatalogueError(ValueError):
    """The catalogue file is malformed; the message names the entry."""


@dataclass(frozen=True)
class Medicine:
    """One catalogued medicine. ``min_daily_dose_mg`` is None where no dose rule applies.

    The two optional doses came with rules v2 (a v1 catalogue has neither, so v1 is unchanged):
    ``ocd_min_daily_dose_mg`` is the usual OCD target dose of an SRI (OCD needs more than
    depression), and ``seizure_threshold_above_mg`` makes a medicine a seizure-threshold medicine
    only above that daily dose (bupropion's risk is dose-related).
    """

    generic: str
    drug_class: str
    class_label: str
    antidepressant: bool
    sri: bool
    min_daily_dose_mg: float | None
    ocd_min_daily_dose_mg: float | None = None
    seizure_threshold_above_mg: float | None = None


@dataclass(frozen=True)
class Catalogue:
    """Lookup tables built once from ``catalogue.yaml``."""

    medicines: dict[str, Medicine]
    seizure_threshold: dict[str, str]
    suffixes: frozenset[str]
    #: Whether accents are ignored ("bupropión" = "bupropion"). Only a catalogue that says
    #: ``fold_accents: true`` (rules 2.1 on) does it: folding in every catalogue would change
    #: what ruleset 1 and 2.0.0 answer for stored submissions while their hashes stay the same.
    fold_accents: bool = False
    #: Every generic and brand name as the file spells it, in its order: what the medicine
    #: field suggests to every patient.
    names: tuple[str, ...] = ()
    #: The generic names in other languages (``aliases``, e.g. "sertralina"): suggested on the
    #: Spanish pages only, where a patient may type them.
    aliases: tuple[str, ...] = ()

    def key(self, name: str) -> str:
        return normalise(name, self.suffixes, fold_accents=self.fold_accents)

    def _lookup(self, table: dict[str, Any], name: str) -> Any:
        """Look ``name`` up, then again without a release suffix glued to its end.

        "Effexor XR" loses its suffix as a word; "EffexorXR" and "Effexor X.R." only lose it
        here. The exact key is tried first, so a name that really ends in those letters still
        matches itself.
        """
        key = self.key(name)
        found = table.get(key)
        if found is None:
            for suffix in self.suffixes:
                if key.endswith(suffix) and len(key) > len(suffix):
                    found = table.get(key[: -len(suffix)])
                    if found is not None:
                        break
        return found

    def find(self, name: str) -> Medicine | None:
        """The catalogued medicine ``name`` refers to (generic or brand), if any."""
        return self._lookup(self.medicines, name)

    def seizure_threshold_generic(self, name: str) -> str | None:
        """The generic name when ``name`` is a medicine that lowers the seizure threshold."""
        return self._lookup(self.seizure_threshold, name)


def normalise(name: str, suffixes: frozenset[str], *, fold_accents: bool = False) -> str:
    """The lookup key: lower case, punctuation and release suffixes dropped, no spaces; with
    ``fold_accents``, accents dropped too (a letter's combining marks after NFKD)."""
    lowered = name.lower()
    if fold_accents and not lowered.isascii():
        decomposed = unicodedata.normalize("NFKD", lowered)
        lowered = "".join(char for char in decomposed if not unicodedata.combining(char))
    if lowered.isascii():
        if lowered.isalnum():
            # One plain word ("sertraline", the usual case): nothing to drop but a lone suffix.
            return "" if lowered in suffixes else lowered
        words = lowered.translate(_ASCII_PUNCTUATION).split()
    else:
        words = _PUNCTUATION.sub(" ", lowered).split()
    return "".join([word for word in words if word not in suffixes])


def build_catalogue(data: Any) -> Catalogue:
    """Check the parsed ``catalogue.yaml`` and build its lookup tables."""
    if not isinstance(data, dict):
        raise CatalogueError("catalogue: must be a mapping")
    suffixes = frozenset(str(s).lower() for s in _list(data, "release_suffixes"))
    fold = data.get("fold_accents", False)
    if not isinstance(fold, bool):
        raise CatalogueError("catalogue: 'fold_accents' must be true or false")
    classes = data.get("classes")
    if not isinstance(classes, dict) or not classes:
        raise CatalogueError("catalogue: 'classes' must map class codes to their settings")
    medicines: dict[str, Medicine] = {}
    names: list[str] = []
    aliases: list[str] = []
    for entry in _list(data, "medicines"):
        generic, brands, others = _names(entry, "medicines")
        names.extend([generic, *brands])
        aliases.extend(others)
        code = entry.get("class")
        settings = classes.get(code)
        if not isinstance(settings, dict):
            raise CatalogueError(f"medicine {generic}: unknown class {code!r}")
        dose = entry.get("min_daily_dose_mg")
        antidepressant = bool(settings.get("antidepressant"))
        if antidepressant and (isinstance(dose, bool) or not isinstance(dose, int | float)):
            raise CatalogueError(f"medicine {generic}: an antidepressant needs min_daily_dose_mg")
        medicine = Medicine(
            generic=generic,
            drug_class=code,
            class_label=str(settings.get("label", code)),
            antidepressant=antidepressant,
            sri=bool(entry.get("sri", settings.get("sri", False))),
            min_daily_dose_mg=dose,
            ocd_min_daily_dose_mg=_optional_dose(entry, "ocd_min_daily_dose_mg", generic),
            seizure_threshold_above_mg=_optional_dose(entry, "seizure_threshold_above_mg", generic),
        )
        if medicine.ocd_min_daily_dose_mg is not None and not medicine.sri:
            raise CatalogueError(f"medicine {generic}: only an SRI has an OCD dose")
        _add(medicines, [generic, *brands, *others], medicine, suffixes, generic, fold)
    seizure: dict[str, str] = {}
    for entry in _list(data, "seizure_threshold"):
        generic, brands, others = _names(entry, "seizure_threshold")
        names.extend([generic, *brands])
        aliases.extend(others)
        _add(seizure, [generic, *brands, *others], generic, suffixes, generic, fold)
    lowering_classes = set(_list(data, "seizure_threshold_classes"))
    if unknown := lowering_classes - set(classes):
        raise CatalogueError(f"seizure_threshold_classes: unknown class {sorted(unknown)[0]!r}")
    for key, medicine in medicines.items():
        if medicine.drug_class in lowering_classes:
            if key in seizure:
                raise CatalogueError(f"seizure_threshold: {medicine.generic} is listed twice")
            seizure[key] = medicine.generic
    return Catalogue(medicines, seizure, suffixes, fold, tuple(names), tuple(aliases))


def _optional_dose(entry: dict[str, Any], key: str, generic: str) -> float | None:
    value = entry.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise CatalogueError(f"medicine {generic}: {key} must be a number of mg above 0")
    return value


def _list(data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise CatalogueError(f"catalogue: '{key}' must be a list")
    return value


def _names(entry: Any, section: str) -> tuple[str, list[str], list[str]]:
    """The generic name, its brands, and its ``aliases`` (the generic name in other
    languages, e.g. the Spanish INN "sertralina"; rules 2.1 on)."""
    if not isinstance(entry, dict) or not isinstance(entry.get("generic"), str):
        raise CatalogueError(f"{section}: every entry needs a generic name, got {entry!r}")
    found: dict[str, list[str]] = {}
    for key in ("brands", "aliases"):
        names = entry.get(key, [])
        if not isinstance(names, list) or not all(isinstance(b, str) for b in names):
            raise CatalogueError(f"medicine {entry['generic']}: {key} must be a list of names")
        found[key] = names
    return entry["generic"], found["brands"], found["aliases"]


def _add(
    table: dict[str, Any],
    names: list[str],
    value: Any,
    suffixes: frozenset[str],
    owner: str,
    fold_accents: bool,
) -> None:
    for name in names:
        key = normalise(name, suffixes, fold_accents=fold_accents)
        if not key:
            raise CatalogueError(f"medicine {owner}: the name {name!r} is empty once normalised")
        if key in table:
            raise CatalogueError(f"medicine {owner}: the name {name!r} is already in the catalogue")
        table[key] = value
