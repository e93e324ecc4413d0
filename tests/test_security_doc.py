"""docs/security.md names a test for each requirement; each named test must exist.

The page maps OWASP ASVS and HIPAA requirements to tests. A renamed or deleted test would make
a row a claim nobody checks, so every ``tests/…py::test_…`` reference is resolved here against
the test files' own function definitions.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "security.md"
REFERENCE = re.compile(r"`(tests/[\w/]+\.py)::(test_\w+)`")


def _test_names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test")
    }


def test_every_test_the_security_map_names_exists() -> None:
    references = REFERENCE.findall(DOC.read_text())
    assert len(references) >= 40  # the map is not empty
    missing = [
        f"{file}::{name}"
        for file, name in references
        if not (ROOT / file).is_file() or name not in _test_names(ROOT / file)
    ]
    assert missing == []


def test_every_row_of_the_asvs_tables_names_a_test_or_says_why_not() -> None:
    rows = [
        line
        for line in DOC.read_text().splitlines()
        if line.startswith("| ") and not line.startswith(("| ASVS", "| safeguard", "|---"))
    ]
    assert rows
    unproved = [row for row in rows if not REFERENCE.search(row) and "—" not in row]
    assert unproved == []
