"""Rules of the code's shape that a reviewer would otherwise have to remember.

- Services change, flush, audit and log; they never commit. The view or command commits once,
  so a change and its audit event are saved together (docs/architecture.md).
- No module changes another module's data when it is imported: what a list or mapping holds must
  not depend on which modules happened to be imported first.
- Every audit action recorded anywhere is declared once, in ``intake.services.audit.ACTIONS``.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from intake.services.audit import ACTIONS

PACKAGE = Path(__file__).resolve().parent.parent / "intake"

MUTATING_METHODS = {"append", "extend", "insert", "update", "setdefault", "add", "pop", "remove"}


def _modules() -> Iterator[tuple[Path, ast.Module]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _commits(tree: ast.AST) -> list[int]:
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "commit"
    ]


def test_services_never_commit() -> None:
    services = [tree for path, tree in _modules() if path.parent.name == "services"]
    assert len(services) > 10  # the walk finds the services
    offenders = {
        f"services/{path.name}:{line}"
        for path, tree in _modules()
        if path.parent.name == "services"
        for line in _commits(tree)
    }
    assert not offenders, f"services commit (leave it to the view or command): {offenders}"


def test_the_commit_check_sees_a_commit_wherever_it_is_called() -> None:
    sample = ast.parse(
        "db.session.commit()\n"
        "def later(session):\n"
        "    if session:\n"
        "        session.commit()\n"
        "commit = None\n"
    )
    assert _commits(sample) == [1, 4]


def _imported_names(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.update(a.asname or a.name for a in node.names)
    return names


def _root(node: ast.expr) -> str | None:
    while isinstance(node, ast.Attribute | ast.Subscript):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _module_level(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Statements run at import: the module body, including inside top-level if/try/with."""
    for stmt in body:
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        yield stmt
        for field in ("body", "orelse", "finalbody"):
            yield from _module_level(getattr(stmt, field, []))
        for handler in getattr(stmt, "handlers", []):
            yield from _module_level(handler.body)


def _mutations(tree: ast.Module) -> Iterator[tuple[int, str]]:
    imported = _imported_names(tree)
    for stmt in _module_level(tree.body):
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
            func = stmt.value.func
            if (
                isinstance(func, ast.Attribute)
                and func.attr in MUTATING_METHODS
                and _root(func.value) in imported
            ):
                yield stmt.lineno, ast.unparse(func)
        targets: list[ast.expr] = []
        if isinstance(stmt, ast.Assign):
            targets = stmt.targets
        elif isinstance(stmt, ast.AugAssign | ast.AnnAssign):
            targets = [stmt.target]
        for target in targets:
            if isinstance(target, ast.Attribute | ast.Subscript) and _root(target) in imported:
                yield stmt.lineno, ast.unparse(target)


def test_no_module_changes_what_it_imported_when_it_is_imported() -> None:
    found = [
        f"{path.relative_to(PACKAGE.parent)}:{line} {what}"
        for path, tree in _modules()
        for line, what in _mutations(tree)
    ]
    assert not found, f"import-time changes to another module's objects: {found}"


def test_the_mutation_check_sees_the_old_patterns() -> None:
    sample = ast.parse(
        "from intake.admin.views import ADMIN_SECTIONS\n"
        "from intake.services.audit import ACTIONS\n"
        "from intake.services import queue\n"
        "ADMIN_SECTIONS.extend([('a', 'b')])\n"
        "ACTIONS.update({})\n"
        "queue.PATHWAYS['x'] = 'y'\n"
        "LOCAL = []\n"
        "LOCAL.append(1)\n"
        "def later():\n"
        "    ACTIONS.update({})\n"
    )
    assert [line for line, _ in _mutations(sample)] == [4, 5, 6]


def _recorded_actions() -> Iterator[tuple[str, str]]:
    for path, tree in _modules():
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute | ast.Name)
                and (node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id)
                == "record"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                yield f"{path.relative_to(PACKAGE.parent)}:{node.lineno}", node.args[0].value


def test_every_recorded_action_is_declared_in_audit_actions() -> None:
    recorded = list(_recorded_actions())
    assert len(recorded) > 20  # the scan finds the calls
    undeclared = [f"{where} {action}" for where, action in recorded if action not in ACTIONS]
    assert not undeclared, f"declare these in intake/services/audit.py ACTIONS: {undeclared}"


_PRINT_ACTIONS = """
import importlib, pkgutil, sys
import intake
names = sorted(m.name for m in pkgutil.walk_packages(intake.__path__, "intake."))
order = sys.argv[1]
if order == "reversed":
    names.reverse()
if order != "audit-only":
    for name in names:
        importlib.import_module(name)
if order == "app":
    from config import TestingConfig
    intake.create_app(TestingConfig)
from intake.services.audit import ACTIONS
print(sorted(ACTIONS.items()))
"""


def _actions_after(order: str) -> str:
    """``ACTIONS`` as a fresh interpreter sees it after importing modules in ``order``."""
    result = subprocess.run(
        [sys.executable, "-c", _PRINT_ACTIONS, order],
        capture_output=True,
        text=True,
        check=True,
        cwd=PACKAGE.parent,
    )
    return result.stdout


@pytest.fixture(scope="module")
def actions_alone() -> str:
    return _actions_after("audit-only")


@pytest.mark.parametrize("order", ["reversed", "app"])
def test_audit_actions_do_not_depend_on_import_order(actions_alone: str, order: str) -> None:
    assert _actions_after(order) == actions_alone
