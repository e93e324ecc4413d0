"""Evaluations per second on one core, with and without validation.

Run from the project root: ``.venv/bin/python -m bench.bench_rules [--documents N] [--seconds S]``
(or ``.venv/bin/python bench/bench_rules.py``).
Goals: at least 10,000 evaluations/s without validation and 3,000/s with it. The documents are
varied copies of the test suite's sample document (tests/answer_documents.py), so the benchmark
needs nothing outside the repository.

Two more modes measure without a clock, so a loaded machine cannot disturb them:

- ``--once WORK`` runs WORK (``evaluate``, ``parse``, ``both`` or ``none``) once over the
  documents, untimed. Under ``valgrind --tool=callgrind`` (with ``PYTHONHASHSEED=0``), WORK's
  instruction count less ``none``'s, divided by ``--documents``, is the cost of one document.
- ``--digest FILE`` writes, one JSON line per case, what ``parse_answers`` returns or refuses
  and what ``evaluate`` (rules v1 and v2) and ``evaluate_screening`` give, for the benchmark's
  documents, intake-answers/2 copies of them, the tests' sample documents and vignettes, and
  broken copies of all of these; it prints the file's sha256. Run by two versions of the code
  (copy this file into the other tree), equal hashes mean identical output for every case.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import os
import random
import sys
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# The sample documents live with the tests; put them on the path (and the project, when this file
# is run as a script rather than with ``python -m bench.bench_rules``).
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import answer_documents as samples  # noqa: E402
from answer_documents import AS_OF_ISO, changed, sample_answers  # noqa: E402

from bench import goals  # noqa: E402
from intake import answers as a  # noqa: E402
from intake.answers import InvalidAnswers, parse_answers  # noqa: E402
from intake.rules import evaluate, evaluate_screening  # noqa: E402
from intake.rules.ruleset import shipped_ruleset  # noqa: E402

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


#: Addresses for the digest's ``patient.email``: ones email_validator accepts and ones it
#: refuses, in the shapes the fast check in ``answers.is_valid_email`` does and does not cover.
EMAILS = [
    "ana@example.org",
    "Ana.Reyes+intake@Example.ORG",
    "a.b-c_d@mail.example-clinic.co.uk",
    "x@a.io",
    "o'brien@example.ie",
    "ana@localhost",
    "ana@mail.local",
    "ana@example.test",
    "ana@example",
    "ana@example.123",
    "ana@-example.org",
    "ana@example-.org",
    "ana@exa--mple.org",
    "ana@xn--bcher-kva.example",
    "ana@xn--zz.example",
    "ana..reyes@example.org",
    ".ana@example.org",
    "ana.@example.org",
    '"ana reyes"@example.org',
    "ana@[192.0.2.1]",
    "Ana <ana@example.org>",
    "ana@bücher.example",
    "josé@example.org",
    "ana@example.org.",
    "ana@@example.org",
    "a" * 64 + "@example.org",
    "a" * 65 + "@example.org",
    "ana@" + "b" * 63 + ".org",
    "ana@" + "b" * 64 + ".org",
    "ana@" + ".".join(["b" * 60] * 4) + ".org",
    "info@example.org",
    "ana@exam_ple.org",
    "ana@ex ample.org",
    "ana\u00a0@example.org",
    "ana@example.org\u200b",
    "ａna@example.org",
    "ana＠example.org",
]
#: Values a broken copy puts in place of an answer.
ODD_VALUES: list[Any] = [
    None,
    "",
    "   ",
    0,
    -1,
    3,
    4,
    1.5,
    True,
    False,
    "yes",
    "no",
    "unsure",
    "declined",
    "other",
    "2010-02-30",
    "1999-01-01",
    "2030-01-01",
    "x" * 300,
    "  Ana  ",
    "Ana\u202eReyes",
    "\u200b\u200b",
    "a\x00b",
    "line\nbreak",
    [],
    [1, 2],
    {},
    {"unexpected": 1},
    10**30,
    float("nan"),
    float("inf"),
]


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every place in a document: each key of each object and each index of each list."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield (*prefix, key)
            yield from _paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield (*prefix, index)
            yield from _paths(inner, (*prefix, index))


def _broken(document: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """A copy of ``document`` with one to three answers removed, replaced or added."""
    out = copy.deepcopy(document)
    for _ in range(rng.randint(1, 3)):
        path = rng.choice(list(_paths(out)))
        target: Any = out
        for step in path[:-1]:
            target = target[step]
        roll = rng.random()
        if roll < 0.2 and isinstance(target, dict):
            del target[path[-1]]
        elif roll < 0.3 and isinstance(target, dict):
            target["not_a_question"] = copy.deepcopy(rng.choice(ODD_VALUES))
        else:
            target[path[-1]] = copy.deepcopy(rng.choice(ODD_VALUES))
    return out


def _as_v2(document: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """An intake-answers/2 copy: some patients under 18 (with or without a guardian named),
    some ASQ answers declined."""
    out = copy.deepcopy(document)
    out["contract"] = "intake-answers/2"
    guardian = rng.random() < 0.7
    out["consent"]["guardian_name"] = None
    out["consent"]["guardian_relationship"] = None
    if rng.random() < 0.3:
        out["patient"]["date_of_birth"] = f"{rng.randint(2009, 2014)}-0{rng.randint(1, 9)}-15"
        if guardian:
            out["consent"]["guardian_name"] = "Rosa Reyes"
            out["consent"]["guardian_relationship"] = rng.choice(a.GUARDIAN_RELATIONSHIPS)
    asq = out["asq"]
    for key in a.ASQ_ITEMS:
        if rng.random() < 0.1:
            asq[key] = "declined"
    if any(asq[key] in ("yes", "declined") for key in a.ASQ_ITEMS):
        asq["thoughts_right_now"] = rng.choice(a.ASQ_ANSWERS)
    return out


def digest_cases(count: int, seed: int = 11) -> Iterator[tuple[str, Any]]:
    """(name, document) for ``--digest``: valid documents of both answers contracts, the tests'
    samples and vignettes, every address in EMAILS, and a broken copy of each document."""
    rng = random.Random(seed)  # noqa: S311 - reproducible sample data, not security
    base: list[tuple[str, Any]] = [(f"bench-{i}", doc) for i, doc in enumerate(documents(count))]
    base += [(f"bench-v2-{i}", _as_v2(doc, rng)) for i, doc in enumerate(documents(count, 8))]
    base.append(("sample", sample_answers()))
    base.append(("sample-v2", samples.sample_answers_v2()))
    named = {"asq-yes": samples.ASQ_YES, "asq-acute": samples.ASQ_ACUTE}
    named["ocd"] = samples.OCD_TWO_FAILED_SRIS
    for name, changes in named.items():
        base.append((name, changed(sample_answers(), changes)))
    for coverage in a.COVERAGE_TYPES:
        base.append(
            (
                f"insurance-{coverage}",
                changed(sample_answers(), {"insurance": samples.insurance_for(coverage)}),
            )
        )
    golden = json.loads((ROOT / "tests/rules/v1_golden/evaluations.json").read_text())
    base += [(f"golden-{name}", case["answers"]) for name, case in sorted(golden.items())]
    for path in sorted((ROOT / "tests/rules/vignettes_v2").glob("*.json")):
        base.append((f"vignette-{path.stem}", json.loads(path.read_text())["answers"]))
    for i, email in enumerate(EMAILS):
        base.append((f"email-{i}", changed(sample_answers(), {"patient.email": email})))
    yield from base
    for name, doc in base:
        if isinstance(doc, dict):
            yield f"{name}-broken", _broken(doc, rng)


def digest(path: Path, count: int) -> str:
    """Write the digest (see the module docstring) to ``path``; return its sha256."""
    v1, v2 = shipped_ruleset("1"), shipped_ruleset("2")
    with path.open("w", encoding="utf-8") as out:
        for name, doc in digest_cases(count):
            line: dict[str, Any] = {"case": name}
            try:
                parsed = parse_answers(doc, AS_OF)
            except InvalidAnswers as exc:
                line["problems"] = [str(problem) for problem in exc.problems]
            else:
                line["answers"] = parsed
                line["v1"] = evaluate(parsed, AS_OF, v1)
                line["v2"] = evaluate(parsed, AS_OF, v2)
                line["screening"] = evaluate_screening(parsed, AS_OF, v2)
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
    return hashlib.sha256(path.read_bytes()).hexdigest()


def once(work: str, raw: list[dict[str, Any]], validated: list[dict[str, Any]]) -> None:
    """Run ``work`` once over the documents (``none``: nothing, the baseline to subtract)."""
    if work == "evaluate":
        for doc in validated:
            evaluate(doc, AS_OF)
    elif work == "parse":
        for doc in raw:
            parse_answers(doc, AS_OF)
    elif work == "both":
        for doc in raw:
            evaluate(parse_answers(doc, AS_OF), AS_OF)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--once", choices=["none", "evaluate", "parse", "both"])
    parser.add_argument("--digest", type=Path, metavar="FILE")
    args = parser.parse_args(argv)
    if args.digest:
        sha = digest(args.digest, args.documents)
        print(f"{args.digest}: sha256 {sha}")
        return
    raw = documents(args.documents)
    validated = [parse_answers(doc, AS_OF) for doc in raw]
    if args.once:
        once(args.once, raw, validated)
        return
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
    goals.record(
        "rules, evaluate only", f"{without_cpu:,.0f}/s per CPU second", "≥ 10,000",
        without_cpu >= 10_000,
    )  # fmt: skip
    goals.record(
        "rules, with validation", f"{with_cpu:,.0f}/s per CPU second", "≥ 3,000",
        with_cpu >= 3_000,
    )  # fmt: skip


if __name__ == "__main__":
    main()
