"""Benchmarks (``make bench``): measured figures, never timed tests.

The root logger gets a WARNING handler before any benchmark migrates a database: Alembic's
``migrations/env.py`` only installs its own INFO logging when the root logger has none, and its
twenty-five "Running upgrade" lines per run buried the figures a reader runs the benchmarks for.
Warnings and errors (a migration that fails) still print.
"""

import logging

if not logging.getLogger().handlers:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
