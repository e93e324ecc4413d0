"""Loading a ruleset file: check everything once, compile conditions and templates.

A ruleset is data a clinician edits (``ruleset.yaml`` and the ``catalogue.yaml`` it names). A
mistake in it must stop the app at start-up, or fail ``flask --app intake rules check``, with a
message naming the rule, never surface as a wrong answer to a patient. So loading checks the
file's shape, parses and type-checks every condition against the declared facts, checks every
``{fact}`` in a ``because`` line, refuses duplicate codes and circular references between rules,
and orders the rules so :mod:`intake.rules.engine` only has to run closures.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from intake.answers import COVERAGE_TYPES
from intake.rules.catalogue import Catalogue, CatalogueError, build_catalogue
from intake.rules.expressions import (
    BOOL,
    INT,
    TEXT,
    Compiled,
    ExpressionError,
    FactType,
    compile_condition,
    enum,
)
from intake.rules.facts import FACT_TYPES

#: libyaml's safe loader when it is compiled in (several times faster), else the pure-Python one.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(text: str | bytes) -> Any:
    """Parse YAML with a *safe* loader (plain data only), using libyaml when available."""
    return yaml.load(text, Loader=_SAFE_LOADER)  # noqa: S506 - a SafeLoader subclass


#: Every shipped ruleset by its generation; the newest is the default for new evaluations.
#: Older ones stay loadable, unchanged (same bytes, same hash), to re-read stored evaluations
#: and for ``rules diff``. "2.1" is rules v2 with the Spanish generic names in its catalogue: a
#: catalogue change alters results, so it is a version of its own (docs/rules.md).
SHIPPED = {
    "1": Path(__file__).with_name("ruleset.yaml"),
    "2": Path(__file__).with_name("ruleset-v2.yaml"),
    "2.1": Path(__file__).with_name("ruleset-v2.1.yaml"),
}
DEFAULT_GENERATION = "2.1"
DEFAULT_PATH = SHIPPED[DEFAULT_GENERATION]
#: The evaluation contract a ruleset produces; a file without ``contract`` is from rules v1.
CONTRACTS = {"intake-evaluation/1": 1, "intake-evaluation/2": 2}
LEVELS = ("urgent", "warning", "info")
STATUSES = ("met", "not_met", "unknown")
#: What each coverage profile sets; criteria conditions and lines may use these names too.
PROFILE_TYPES: dict[str, FactType] = {
    "plan": TEXT,
    "min_age": INT,
    "min_phq9": INT,
    "min_failed_trials": INT,
    "min_failed_classes": INT,
    "psychotherapy_trial_required": BOOL,
    "ocd_indication": enum(*STATUSES),
}
_VERSION = re.compile(r"\d+\.\d+\.\d+")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_CODE = re.compile(r"[a-z][a-z0-9_]*")


class RulesetError(ValueError):
    """A ruleset that must not be used; the message names the rule and the problem."""


@dataclass(frozen=True)
class Template:
    """A ``because`` line with ``{fact}`` placeholders, split once into literal text and names."""

    source: str
    parts: tuple[tuple[str, str | None, bool], ...]  # (literal, fact name, humanise enum)

    def render(self, facts: Mapping[str, Any]) -> str:
        return self.renderer(facts)

    @functools.cached_property
    def renderer(self) -> Callable[[Mapping[str, Any]], str]:
        """``render`` as one closure built for this line's shape, once: the text as written
        when it has no placeholder (most lines), literal + value + literal for one."""
        parts = self.parts
        if len(parts) == 1:
            text = parts[0][0]
            return lambda facts: text
        head, key, humanise = parts[0]
        if len(parts) == 2 and key is not None:  # (every part but the last has a placeholder)
            name, tail = key, parts[1][0]
            if humanise:
                return lambda facts: head + facts[name].replace("_", " ") + tail
            return lambda facts: head + str(facts[name]) + tail

        def render(facts: Mapping[str, Any]) -> str:
            out = []
            for literal, name, humanise in parts:
                out.append(literal)
                if name is not None:
                    value = facts[name]
                    out.append(value.replace("_", " ") if humanise else str(value))
            return "".join(out)

        return render

    @property
    def names(self) -> set[str]:
        return {name for _, name, _ in self.parts if name is not None}

    @functools.cached_property
    def pattern(self) -> re.Pattern[str]:
        """Recovers the inserted values from a rendered line (for rewording it for patients)."""
        regex = "".join(
            re.escape(literal) + (f"(?P<{name}>.+?)" if name else "")
            for literal, name, _ in self.parts
        )
        return re.compile(regex)


@dataclass(frozen=True)
class Line:
    """One ``because`` line: clinician text, patient wording, and an optional condition."""

    text: Template
    patient: Template | None
    condition: Compiled | None


@dataclass(frozen=True)
class Rule:
    """A flag or a pathway."""

    kind: str
    code: str
    when: Compiled
    uses: frozenset[str]
    because: tuple[Line, ...]
    level: str = ""
    title: str = ""
    priority: int = 0
    education: str = ""
    #: Pathways that should come first when they are offered too (intake-evaluation/2).
    after: tuple[str, ...] = ()

    def explain(self, facts: Mapping[str, Any]) -> list[str]:
        return [
            render(facts)
            for condition, render in self._lines
            if condition is None or condition(facts)
        ]

    @functools.cached_property
    def _lines(self) -> tuple[tuple[Compiled | None, Callable[[Mapping[str, Any]], str]], ...]:
        """Each ``because`` line's condition and renderer, looked up once rather than per call."""
        return tuple((line.condition, line.text.renderer) for line in self.because)


@dataclass(frozen=True)
class Criterion:
    code: str
    met: Compiled
    unknown: Compiled | None
    because: dict[str, Template]


@dataclass(frozen=True)
class Coverage:
    when: Compiled
    profiles: dict[str, dict[str, Any]]
    criteria: tuple[Criterion, ...]


@dataclass(frozen=True)
class Ruleset:
    """A loaded, checked ruleset. ``sha256`` covers the ruleset file then the catalogue file."""

    version: str
    sha256: str
    contract: str
    catalogue: Catalogue
    flags: tuple[Rule, ...]
    pathways: tuple[Rule, ...]
    order: tuple[Rule, ...]
    coverage: Coverage

    @property
    def generation(self) -> int:
        """1 or 2: which definitions of the derived facts this ruleset was written for."""
        return CONTRACTS[self.contract]

    @functools.cached_property
    def steps(self) -> tuple[tuple[str, Compiled], ...]:
        """``order`` as (code, condition) pairs: what ``evaluate`` runs, in that order."""
        return tuple((rule.code, rule.when) for rule in self.order)

    def pathway(self, code: str) -> Rule | None:
        return next((rule for rule in self.pathways if rule.code == code), None)


@functools.cache
def default_ruleset() -> Ruleset:
    """The ruleset new evaluations use (the newest shipped), loaded once per process."""
    return shipped_ruleset(DEFAULT_GENERATION)


@functools.cache
def shipped_ruleset(generation: str) -> Ruleset:
    """A shipped ruleset by generation ("1", "2" or "2.1"), loaded once per process."""
    if generation not in SHIPPED:
        raise RulesetError(f"no shipped ruleset {generation!r}; there are {', '.join(SHIPPED)}")
    return load_ruleset(SHIPPED[generation])


def ruleset_for(evaluation: Mapping[str, Any]) -> Ruleset | None:
    """The shipped ruleset that produced a stored evaluation (same version and hash), if any."""
    stamp = evaluation.get("ruleset") or {}
    for generation in SHIPPED:
        rules = shipped_ruleset(generation)
        if rules.version == stamp.get("version") and rules.sha256 == stamp.get("sha256"):
            return rules
    return None


def load_ruleset(path: str | Path | None = None) -> Ruleset:
    """Load and check a ruleset file (default: the shipped one). Raises :class:`RulesetError`."""
    path = Path(path) if path is not None else DEFAULT_PATH
    try:
        ruleset_bytes = path.read_bytes()
        data = read_yaml(ruleset_bytes)
    except (OSError, yaml.YAMLError) as exc:
        raise RulesetError(f"{path}: cannot read the ruleset: {exc}") from exc
    doc = _mapping(
        data, "ruleset", {"version", "contract", "catalogue", "flags", "pathways", "coverage"}
    )
    version = doc.get("version")
    if not isinstance(version, str) or not _VERSION.fullmatch(version):
        raise RulesetError('version: must be quoted text like "1.0.0"')
    contract = doc.get("contract", "intake-evaluation/1")
    if contract not in CONTRACTS:
        raise RulesetError(f"contract: must be one of {', '.join(CONTRACTS)}")
    catalogue, catalogue_bytes = _catalogue(path, doc.get("catalogue"))
    flag_data = _list(doc, "flags")
    pathway_data = _list(doc, "pathways")
    codes = _codes(flag_data, "flag") + _codes(pathway_data, "pathway")
    _check_codes(codes)
    types = {**FACT_TYPES, **dict.fromkeys(codes, BOOL)}
    flags = [_flag(item, types) for item in flag_data]
    pathways = [_pathway(item, types) for item in pathway_data]
    priorities = [rule.priority for rule in pathways]
    if len(set(priorities)) != len(priorities):
        raise RulesetError("pathways: two pathways have the same priority")
    _check_after(pathways, contract)
    return Ruleset(
        version=version,
        sha256=hashlib.sha256(ruleset_bytes + catalogue_bytes).hexdigest(),
        contract=contract,
        catalogue=catalogue,
        flags=tuple(sorted(flags, key=lambda rule: LEVELS.index(rule.level))),
        pathways=tuple(sorted(pathways, key=lambda rule: rule.priority)),
        order=_evaluation_order(flags + pathways),
        coverage=_coverage(doc.get("coverage"), types),
    )


def _catalogue(path: Path, name: Any) -> tuple[Catalogue, bytes]:
    if not isinstance(name, str) or not name:
        raise RulesetError("catalogue: must name the catalogue file, e.g. catalogue.yaml")
    catalogue_path = path.parent / name
    try:
        raw = catalogue_path.read_bytes()
        return build_catalogue(read_yaml(raw)), raw
    except (OSError, yaml.YAMLError) as exc:
        raise RulesetError(f"catalogue: cannot read {catalogue_path}: {exc}") from exc
    except CatalogueError as exc:
        raise RulesetError(f"catalogue: {exc}") from exc


def _mapping(value: Any, where: str, allowed: set[str]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise RulesetError(f"{where}: must be a mapping of names to values")
    if unknown := set(value) - allowed:
        raise RulesetError(f"{where}: unknown key {sorted(unknown)[0]!r}")
    return value


def _list(doc: dict[str, Any], key: str) -> list[Any]:
    value = doc.get(key)
    if not isinstance(value, list) or not value:
        raise RulesetError(f"{key}: must be a non-empty list")
    return value


def _codes(items: list[Any], kind: str) -> list[str]:
    codes = []
    for item in items:
        code = item.get("code") if isinstance(item, dict) else None
        if not isinstance(code, str) or not _CODE.fullmatch(code):
            raise RulesetError(f"{kind} {code!r}: code must be lower_case_with_underscores")
        codes.append(code)
    return codes


def _check_codes(codes: list[str]) -> None:
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            raise RulesetError(f"{code}: duplicate code; every flag and pathway needs its own")
        if code in FACT_TYPES:
            raise RulesetError(f"{code}: this code is already the name of a fact")
        seen.add(code)


def _condition(
    source: Any, types: Mapping[str, FactType], where: str
) -> tuple[Compiled, frozenset[str]]:
    try:
        return compile_condition(source, types)
    except ExpressionError as exc:
        raise RulesetError(f"{where}: {exc}") from exc


def _template(source: Any, types: Mapping[str, FactType], where: str) -> Template:
    if not isinstance(source, str) or not source.strip():
        raise RulesetError(f"{where}: must be non-empty text")
    parts: list[tuple[str, str | None, bool]] = []
    position = 0
    for match in _PLACEHOLDER.finditer(source):
        name = match.group(1)
        fact_type = types.get(name)
        if fact_type is None or fact_type == BOOL:
            raise RulesetError(f"{where}: {{{name}}} is not a fact that can be shown")
        parts.append((source[position : match.start()], name, fact_type.kind == "enum"))
        position = match.end()
    tail = source[position:]
    if "{" in tail or "}" in tail or any("{" in p[0] or "}" in p[0] for p in parts):
        raise RulesetError(f"{where}: unmatched brace")
    parts.append((tail, None, False))
    return Template(source, tuple(parts))


def _because(
    value: Any, types: Mapping[str, FactType], where: str, patient: bool
) -> tuple[Line, ...]:
    if not isinstance(value, list) or not value:
        raise RulesetError(f"{where}: because: must list at least one line")
    lines = []
    for i, item in enumerate(value):
        at = f"{where}: because[{i}]"
        item = _mapping(item, at, {"text", "patient", "if"})
        condition = _condition(item["if"], types, f"{at} if") if "if" in item else (None, None)
        if patient and "patient" not in item:
            raise RulesetError(f"{at}: needs a 'patient' wording")
        text = _template(item.get("text"), types, f"{at} text")
        wording = _template(item["patient"], types, f"{at} patient") if "patient" in item else None
        if wording and not wording.names <= text.names:
            raise RulesetError(f"{at}: the patient wording may only use facts its text shows")
        lines.append(Line(text=text, patient=wording, condition=condition[0]))
    if all(line.condition is not None for line in lines):
        raise RulesetError(f"{where}: because: needs at least one line without 'if'")
    return tuple(lines)


def _flag(item: dict[str, Any], types: Mapping[str, FactType]) -> Rule:
    code = item["code"]
    where = f"flag {code}"
    item = _mapping(item, where, {"code", "level", "when", "because"})
    if item.get("level") not in LEVELS:
        raise RulesetError(f"{where}: level must be one of {', '.join(LEVELS)}")
    when, uses = _condition(item.get("when"), types, f"{where}: when")
    return Rule(
        kind="flag",
        code=code,
        level=item["level"],
        when=when,
        uses=uses,
        because=_because(item.get("because"), types, where, patient=False),
    )


def _pathway(item: dict[str, Any], types: Mapping[str, FactType]) -> Rule:
    code = item["code"]
    where = f"pathway {code}"
    item = _mapping(
        item, where, {"priority", "code", "title", "education", "when", "after", "because"}
    )
    after = item.get("after", [])
    if not isinstance(after, list) or not all(isinstance(code, str) for code in after):
        raise RulesetError(f"{where}: after must list pathway codes")
    priority, title = item.get("priority"), item.get("title")
    if isinstance(priority, bool) or not isinstance(priority, int):
        raise RulesetError(f"{where}: priority must be a whole number")
    if not isinstance(title, str) or not title.strip():
        raise RulesetError(f"{where}: title must be text")
    education = item.get("education", code)
    if not isinstance(education, str):
        raise RulesetError(f"{where}: education must name an entry in education.yaml")
    when, uses = _condition(item.get("when"), types, f"{where}: when")
    return Rule(
        kind="pathway",
        code=code,
        title=title,
        priority=priority,
        education=education,
        after=tuple(after),
        when=when,
        uses=uses,
        because=_because(item.get("because"), types, where, patient=True),
    )


def _check_after(pathways: list[Rule], contract: str) -> None:
    """Each ``after`` names other pathways, listed in priority order, and no two wait on each other.

    ``after`` is sequencing, not priority: "TMS with CBT" (priority 5) waits for a psychiatric
    evaluation (priority 8) when both are offered.
    """
    by_code = {rule.code: rule for rule in pathways}
    for rule in pathways:
        if rule.after and contract == "intake-evaluation/1":
            raise RulesetError(f"pathway {rule.code}: after needs contract intake-evaluation/2")
        for code in rule.after:
            first = by_code.get(code)
            if first is None or first is rule:
                raise RulesetError(f"pathway {rule.code}: after: {code} is not another pathway")
            if rule.code in first.after:
                raise RulesetError(f"pathway {rule.code}: after: {code} also waits for it")
        priorities = [by_code[code].priority for code in rule.after]
        if priorities != sorted(priorities):
            raise RulesetError(f"pathway {rule.code}: after: list the pathways in priority order")


def _evaluation_order(rules: list[Rule]) -> tuple[Rule, ...]:
    """Rules after the rules they mention, in file order otherwise; refuses circles."""
    by_code = {rule.code: rule for rule in rules}
    ordered: dict[str, Rule] = {}
    visiting: list[str] = []

    def visit(rule: Rule) -> None:
        if rule.code in ordered:
            return
        if rule.code in visiting:
            circle = " -> ".join([*visiting[visiting.index(rule.code) :], rule.code])
            raise RulesetError(
                f"{rule.kind} {rule.code}: rules refer to each other in a circle: {circle}"
            )
        visiting.append(rule.code)
        for name in sorted(rule.uses & by_code.keys()):
            visit(by_code[name])
        visiting.pop()
        ordered[rule.code] = rule

    for rule in rules:
        visit(rule)
    return tuple(ordered.values())


def _coverage(value: Any, types: Mapping[str, FactType]) -> Coverage:
    doc = _mapping(value, "coverage", {"when", "profiles", "criteria"})
    when, _ = _condition(doc.get("when"), types, "coverage: when")
    profiles = doc.get("profiles")
    if not isinstance(profiles, dict) or not profiles:
        raise RulesetError("coverage: profiles: must map coverage types to their requirements")
    checked = {name: _profile(name, settings) for name, settings in profiles.items()}
    criterion_types = {**types, **PROFILE_TYPES}
    criteria = [_criterion(item, criterion_types) for item in _list(doc, "criteria")]
    codes = [c.code for c in criteria]
    if duplicate := next((c for c in codes if codes.count(c) > 1), None):
        raise RulesetError(f"coverage criterion {duplicate}: duplicate code")
    return Coverage(when=when, profiles=checked, criteria=tuple(criteria))


def _profile(name: Any, settings: Any) -> dict[str, Any]:
    where = f"coverage profile {name}"
    if name not in COVERAGE_TYPES:
        raise RulesetError(f"{where}: not a coverage type ({', '.join(COVERAGE_TYPES)})")
    settings = _mapping(settings, where, set(PROFILE_TYPES))
    for key, fact_type in PROFILE_TYPES.items():
        value = settings.get(key)
        ok = {
            "int": isinstance(value, int) and not isinstance(value, bool),
            "bool": isinstance(value, bool),
            "text": isinstance(value, str) and bool(value),
            "enum": value in fact_type.choices,
        }[fact_type.kind]
        if not ok:
            raise RulesetError(f"{where}: {key} must be {fact_type.describe()}")
    return dict(settings)


def _criterion(item: Any, types: Mapping[str, FactType]) -> Criterion:
    code = item.get("code") if isinstance(item, dict) else None
    where = f"coverage criterion {code}"
    item = _mapping(item, where, {"code", "met", "unknown", "because"})
    met, _ = _condition(item.get("met"), types, f"{where}: met")
    unknown = (
        _condition(item["unknown"], types, f"{where}: unknown")[0] if "unknown" in item else None
    )
    because = item.get("because")
    if not isinstance(because, dict):
        because = dict.fromkeys(STATUSES, because)
    _mapping(because, f"{where}: because", set(STATUSES))
    return Criterion(
        code=str(code),
        met=met,
        unknown=unknown,
        because={s: _template(because.get(s), types, f"{where}: because {s}") for s in STATUSES},
    )
