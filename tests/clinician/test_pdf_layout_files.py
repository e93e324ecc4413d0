"""A deploy that changes what a PDF shows renders it again: each kind's layout version (part of
its stored key) changes when any module that builds or words its content changes, not only its
templates and stylesheets.

Each module below is edited in a copy of the package (a comment appended, as a reviewer's
one-line fix would change it) and the kind's layout version compared before and after. The
table is written here, from what each PDF prints: the summary's tables come from
``clinician/context.py`` and ``services/summary.py``, its labels from ``vocabulary.py``, its
names and evaluation from ``pages.py``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from intake.services import pdf_cache

WORDED_BY = [
    (pdf_cache.SUMMARY, "clinician/context.py"),
    (pdf_cache.SUMMARY, "services/summary.py"),
    (pdf_cache.SUMMARY, "vocabulary.py"),
    (pdf_cache.SUMMARY, "pages.py"),
    (pdf_cache.SUMMARY, "clinician/summary_pdf.py"),
    (pdf_cache.SUMMARY, "templates/summary/_tables.html"),
    (pdf_cache.PRIOR_AUTH, "services/prior_auth.py"),
    (pdf_cache.PRIOR_AUTH, "billing.py"),
    (pdf_cache.COURSE_REPORT, "clinician/course_context.py"),
    (pdf_cache.COURSE_REPORT, "course_chart.py"),
]


@pytest.fixture(scope="module")
def package_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = Path(pdf_cache.__file__).resolve().parents[1]
    target = tmp_path_factory.mktemp("intake") / "intake"
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "fonts"))
    return target


@pytest.mark.parametrize(("kind", "name"), WORDED_BY)
def test_a_change_to_what_words_the_pdf_is_a_new_layout(
    kind: str, name: str, package_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = package_copy / name
    if not path.exists():  # a template named by pattern: take one that is there
        path = sorted(path.parent.glob("*.html"))[0]
    monkeypatch.setattr(pdf_cache, "_PACKAGE", package_copy)
    pdf_cache.layout_version.cache_clear()
    before = pdf_cache.layout_version(kind)
    original = path.read_bytes()
    try:
        path.write_bytes(original + b"\n# changed\n")
        pdf_cache.layout_version.cache_clear()
        assert pdf_cache.layout_version(kind) != before, f"{name} is not in {kind}'s layout"
    finally:
        path.write_bytes(original)
        pdf_cache.layout_version.cache_clear()
