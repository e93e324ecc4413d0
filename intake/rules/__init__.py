"""Pathway rules: derived facts, a data-driven ruleset, and the evaluation they produce.

This package imports nothing from Flask or the database, so the rules can be run, tested and
benchmarked on their own. ``RULESET`` is the shipped ruleset, loaded and checked on import.
"""

from intake.rules.engine import evaluate, evaluate_screening
from intake.rules.ruleset import Ruleset, RulesetError, default_ruleset, load_ruleset

RULESET: Ruleset = default_ruleset()

__all__ = ["RULESET", "Ruleset", "RulesetError", "evaluate", "evaluate_screening", "load_ruleset"]
