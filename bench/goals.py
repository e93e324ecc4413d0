"""Issue 13's targets, each figure beside its goal, gathered from one ``make bench`` run.

Each benchmark prints its own lines as it goes (they take minutes, and a reader watches them);
it also calls :func:`record` for every figure the issue sets a goal for, so ``python -m bench``
can end with one table of them all (:func:`print_table`) instead of leaving the reader to find
them in a long log. A benchmark that is skipped (no wrk, no PostgreSQL) records nothing, and
the table says which targets have no figure in this run.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    """One measured figure: what it is of, the figure as printed, the goal, and whether it met
    it (``None``: there is a figure but no pass/fail, e.g. a ratio without a goal)."""

    target: str
    figure: str
    goal: str
    met: bool | None


#: What this run measured, in the order it was measured.
FIGURES: list[Figure] = []

#: The targets issue 13 names: a run that leaves one out says so.
EXPECTED = (
    "seeder",
    "rules",
    "PDF",
    "wizard",
    "queue",
    "clinician summary",
    "rules diff",
    "API",
)


def record(target: str, figure: str, goal: str, met: bool | None) -> None:
    """Keep one figure for the closing table."""
    FIGURES.append(Figure(target, figure, goal, met))


def _verdict(met: bool | None) -> str:
    return "" if met is None else ("met" if met else "MISSED")


def print_table() -> None:
    """Every recorded figure beside its goal, and the targets nothing was recorded for."""
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\n== issue 13's targets, this run (load average at the end {load}, 2 shared cores)")
    width = max((len(f.target) for f in FIGURES), default=10)
    for f in FIGURES:
        print(f"  {f.target:<{width}}  {f.figure}   goal {f.goal}  {_verdict(f.met)}".rstrip())
    missing = [name for name in EXPECTED if not any(f.target.startswith(name) for f in FIGURES)]
    if missing:
        print(f"  no figure this run (skipped): {', '.join(missing)}")
    met = sum(1 for f in FIGURES if f.met)
    judged = sum(1 for f in FIGURES if f.met is not None)
    print(f"  {met} of {judged} figures meet their goal")
