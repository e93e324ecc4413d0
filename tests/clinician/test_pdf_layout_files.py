"""A deploy that changes what a PDF shows renders it again: each kind's layout version (part of
its stored key) changes when any module that builds or words its content changes, not only its
templates and stylesheets.

Each module below is edited in a copy of the package (a comment appended, as a reviewer's
one-line fix would change it) and the kind's layout version compared before and after. The
table is written here, from what each PDF prints: the summary's tables come from
``clinician/context.py`` and ``services/summary.py``, its labels from ``vocabulary.py``, its
names and evaluation from ``pages.py``. And the versions are those of the files a process
started with, whatever a deploy replaces under it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

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
    # The risk record's notes and the course status are ended by intake/sentences.py.
    (pdf_cache.SUMMARY, "sentences.py"),
    (pdf_cache.PRIOR_AUTH, "sentences.py"),
    (pdf_cache.COURSE_REPORT, "sentences.py"),
]


@pytest.fixture(scope="module")
def package_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = Path(pdf_cache.__file__).resolve().parents[1]
    target = tmp_path_factory.mktemp("intake") / "intake"
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "fonts"))
    return target


@pytest.mark.parametrize(("kind", "name"), WORDED_BY)
def test_a_change_to_what_words_the_pdf_is_a_new_layout(
    kind: str, name: str, package_copy: Path
) -> None:
    path = package_copy / name
    if not path.exists():  # a template named by pattern: take one that is there
        path = sorted(path.parent.glob("*.html"))[0]
    before = pdf_cache.layout_hash(kind, package_copy)
    original = path.read_bytes()
    try:
        path.write_bytes(original + b"\n# changed\n")
        assert pdf_cache.layout_hash(kind, package_copy) != before, (
            f"{name} is not in {kind}'s layout"
        )
    finally:
        path.write_bytes(original)


#: A deploy's files: a template, a module that words a PDF, the code that keys them.
DEPLOYED = ("templates/clinician/course_report_pdf.html", "vocabulary.py", "pdf_jobs.py")

#: A running process: imports the package copy's ``pdf_cache`` (from the folder given), says
#: so, waits for a line (the deploy replaces files meanwhile), then prints every kind's layout
#: version and render version as it has them.
RUNNING_PROCESS = """
import json, sys
sys.path.insert(0, sys.argv[1])
from intake.services import pdf_cache
assert pdf_cache.__file__.startswith(sys.argv[1]), pdf_cache.__file__
print("imported", flush=True)
sys.stdin.readline()
print(json.dumps({k: [pdf_cache.layout_version(k), pdf_cache.render_version(k)]
                  for k in pdf_cache.LAYOUTS}))
"""


def _versions(folder: Path, meanwhile: Callable[[], None] = lambda: None) -> Any:
    """The versions a process started on ``folder`` has, after ``meanwhile`` ran under it."""
    process = subprocess.Popen(
        [sys.executable, "-c", RUNNING_PROCESS, str(folder)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stdin is not None
    assert process.stdout.readline() == "imported\n"
    meanwhile()
    out, _ = process.communicate("go\n", timeout=120)
    assert process.returncode == 0
    return json.loads(out)


def test_a_running_process_keeps_the_versions_of_the_files_it_started_with(
    package_copy: Path,
) -> None:
    """A deploy replaces a template, a wording module and ``pdf_jobs.py`` under a process that
    has not keyed a PDF yet. It must go on keying and asking with the versions of the files
    it imported (its Python modules are those), not the new files': before (the versions read
    from disk at first use), it stored the old modules' PDF under the new layout's key, which
    the restarted processes then sent as current."""
    originals = {name: (package_copy / name).read_bytes() for name in DEPLOYED}

    def deploy() -> None:
        for name, content in originals.items():
            (package_copy / name).write_bytes(content + b"\n# the next release\n")

    folder = package_copy.parent
    try:
        before = _versions(folder)
        running = _versions(folder, meanwhile=deploy)
        restarted = _versions(folder)
    finally:
        for name, content in originals.items():
            (package_copy / name).write_bytes(content)
    assert running == before
    # (The test can fail: a process started after the deploy has every version new.)
    assert all(restarted[kind][i] != before[kind][i] for kind in before for i in (0, 1))
