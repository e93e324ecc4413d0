"""The demo data: every record a valid document with its core's evaluation; Faker stays optional."""

from __future__ import annotations

import random
import subprocess
import sys
from datetime import date

import pytest
from faker import Faker
from flask.testing import FlaskCliRunner

from intake.demo.identities import dress
from intake.demo.seed import build_pool, demo_answers
from intake.rules import evaluate

TODAY = date(2026, 11, 1)


def test_a_dressed_core_keeps_its_evaluation() -> None:
    """Records reuse their core's evaluation, so a new identity must not change what the rules
    see: re-evaluating dressed copies gives the stored evaluation."""
    rng = random.Random(3)
    fake = Faker(["en_US", "es_MX"])
    fake.seed_instance(3)
    pool = build_pool(60, rng, fake, TODAY)
    for _ in range(200):
        answers, evaluation = demo_answers(pool, rng, fake, TODAY)
        assert evaluate(answers, TODAY) == evaluation


def test_dress_does_not_change_the_core() -> None:
    rng = random.Random(5)
    fake = Faker("en_US")
    fake.seed_instance(5)
    (core, _evaluation), *_ = build_pool(1, rng, fake, TODAY)
    before = repr(core)
    dress(core, rng, fake)
    dress(core, rng, fake)
    assert repr(core) == before


def test_seed_demo_without_faker_says_how_to_install_it(
    runner: FlaskCliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util

    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "faker" else real_find_spec(name, *a),
    )
    result = runner.invoke(args=["seed-demo", "--count", "1"])
    assert result.exit_code != 0
    assert "Faker" in result.output and "[dev]" in result.output


def test_the_app_does_not_import_the_demo_package() -> None:
    """``intake.demo`` is development code: building the app, its commands and every blueprint
    must not load it (nor Faker), so a production install without the dev extra works."""
    code = (
        "import sys\n"
        "from config import TestingConfig\n"
        "from intake import create_app\n"
        "app = create_app(TestingConfig)\n"
        "app.cli.list_commands(app.app_context())\n"
        "loaded = [m for m in sys.modules if m.startswith(('intake.demo', 'faker'))]\n"
        "assert not loaded, loaded\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
