"""Evaluations per second on one core, with and without validation.

Run from the project root: ``.venv/bin/python -m bench.bench_rules [--documents N] [--seconds S]``
(or ``.venv/bin/python bench/bench_rules.py``).
Goals: at least 10,000 evaluations/s without validation and 3,000/s with it. The documents are
varied copies of the test suite's sample document (tests/answer_documents.py), so the benchmark
needs nothing outside the repository.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# The sample documents live with the tests; put them on the path (and the project, when this file
# is run as a script rather than with ``python -m bench.bench_rules``).
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from answer_documents import AS_OF_ISO, changed, sample_answers  # noqa: E402

from intake import answers as a  # noqa: E402
from intake.answers import parse_answers  # noqa: E402
from intake.rules import evaluate  # noqa: E402

AS_OF = date.fromisoformat(AS_OF_ISO)
NAMES = [
    "sertraline",
    "Effexor XR",
    "wellbutrin-xl",
    "Lexapro",
    "clomipramine",
    "Abilify",
    "Zeta pill",
]


def documents(count: int, seed: int = 7) -> list[dict[str, Any]]:
    """``count`` valid documents with varied scores, history, safety answers and insurance."""
    rng = random.Random(seed)  # noqa: S311 - reproducible sample data, not security
    out = []
    for _ in range(count):
        asq = {key: rng.choice(["no", "no", "no", "yes"]) for key in a.ASQ_ITEMS}
        asq["thoughts_right_now"] = rng.choice(a.YES_NO) if "yes" in asq.values() else None
        coverage = rng.choice(a.COVERAGE_TYPES)
        trials = [
            {
                "name": rng.choice(NAMES),
                "daily_dose_mg": rng.choice([None, 50, 150, 300]),
                "weeks": rng.randint(0, 16),
                "outcome": rng.choice(a.MED_OUTCOMES),
                "current": rng.random() < 0.3,
            }
            for _ in range(rng.randint(0, 5))
        ]
        out.append(
            changed(
                sample_answers(),
                {
                    "concerns.primary": rng.choice(
                        ["depression", "anxiety", "ocd", "bipolar", "ptsd"]
                    ),
                    "phq9.items": [rng.randint(0, 3) for _ in range(9)],
                    "gad7.items": [rng.randint(0, 3) for _ in range(7)],
                    "asq": asq,
                    "medication_trials": trials,
                    "safety_screen": {
                        **{
                            k: rng.choice(["no", "no", "no", "yes", "unsure"])
                            for k in a.SAFETY_ITEMS
                        },
                        "pregnant": "not_applicable",
                    },
                    "insurance.coverage_type": coverage,
                    "insurance.member_id": "1EG4-TE5-MK73" if coverage == "medicare" else "W1",
                },
            )
        )
    return out


def rate(
    work: Callable[[dict[str, Any]], object], docs: list[dict[str, Any]], seconds: float
) -> tuple[float, float]:
    """Calls per second of ``work`` over ``docs``, repeated for at least ``seconds``: per
    second of wall time, and per second of this process's CPU time (one core's worth of work,
    which other processes on a shared machine disturb far less)."""
    done, start, cpu_start = 0, time.perf_counter(), time.process_time()
    while (elapsed := time.perf_counter() - start) < seconds:
        for doc in docs:
            work(doc)
        done += len(docs)
    return done / elapsed, done / (time.process_time() - cpu_start)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=2.0)
    args = parser.parse_args(argv)
    raw = documents(args.documents)
    validated = [parse_answers(doc, AS_OF) for doc in raw]
    without, without_cpu = rate(lambda doc: evaluate(doc, AS_OF), validated, args.seconds)
    with_validation, with_cpu = rate(
        lambda doc: evaluate(parse_answers(doc, AS_OF), AS_OF), raw, args.seconds
    )
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} (2 shared cores)")
    print(
        f"evaluate only:             {without:9,.0f}/s wall, {without_cpu:9,.0f}/s per CPU "
        "second (goal 10,000 per core)"
    )
    print(
        f"parse_answers + evaluate:  {with_validation:9,.0f}/s wall, {with_cpu:9,.0f}/s per CPU "
        "second (goal 3,000 per core)"
    )


if __name__ == "__main__":
    main()
