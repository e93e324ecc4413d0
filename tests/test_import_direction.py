"""Imports go one way: views → services → models / rules (docs/architecture.md).

Read from the source with ``ast`` (imports inside functions count too), so a lazy import cannot
hide an upward dependency. A service that needs something from a blueprint package or the forms
shows that the code is in the wrong place: move it down (as ``intake.passwords`` and
``intake.names``) or up beside the views (as ``intake.patient.wizard``).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "intake"

#: Blueprint packages (views and what only they use), the forms, and the dev-only demo data.
ABOVE_SERVICES = (
    "intake.patient",
    "intake.staff",
    "intake.clinician",
    "intake.admin",
    "intake.auth",
    "intake.api",
    "intake.forms",
    "intake.demo",
)
#: The pure layer: no web framework, no database, nothing that stores.
PURE_MODULES = (
    "rules",
    "answers.py",
    "images.py",
    "vocabulary.py",
    "text.py",
    "names.py",
    "passwords.py",
    "clinic.py",
    "course.py",
    "billing.py",
    "fhir.py",
)
NOT_IN_PURE = (
    "flask",
    "flask_login",
    "flask_wtf",
    "sqlalchemy",
    "intake.models",
    "intake.services",
    "intake.extensions",
    *ABOVE_SERVICES,
)


def _modules(*relative: str) -> list[Path]:
    paths: list[Path] = []
    for name in relative:
        path = PACKAGE / name
        paths.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    return paths


def _imported(path: Path) -> Iterator[tuple[int, str]]:
    """Every module name ``path`` imports, with its line (``from intake import auth`` counts
    as ``intake.auth``)."""
    for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module
            for alias in node.names:
                yield node.lineno, f"{node.module}.{alias.name}"


def _violations(paths: list[Path], forbidden: tuple[str, ...]) -> list[str]:
    found = []
    for path in paths:
        for line, name in _imported(path):
            if any(name == bad or name.startswith(bad + ".") for bad in forbidden):
                where = path.relative_to(PACKAGE.parent) if path.is_relative_to(PACKAGE) else path
                found.append(f"{where}:{line} imports {name}")
    return sorted(set(found))


@pytest.mark.parametrize("layer", ["services", "models"])
def test_services_and_models_import_no_views_forms_or_demo(layer: str) -> None:
    assert _violations(_modules(layer), ABOVE_SERVICES) == []


def test_rules_and_contract_stay_pure() -> None:
    assert _violations(_modules(*PURE_MODULES), NOT_IN_PURE) == []


def test_the_check_sees_an_upward_import(tmp_path: Path) -> None:
    module = tmp_path / "bad.py"
    module.write_text("def f():\n    from intake import auth\n    import intake.forms.patient\n")
    assert [name for _line, name in _imported(module)] == [
        "intake",
        "intake.auth",
        "intake.forms.patient",
    ]
    assert len(_violations([module], ABOVE_SERVICES)) == 2
