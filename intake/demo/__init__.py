"""Synthetic demo data for ``flask setup-demo`` and ``flask seed-demo``; development only.

Needs Faker, from the ``dev`` extra, so nothing in the app imports this package: the two
commands import ``intake.demo.seed`` when they run and say how to install Faker if it is
missing. ``scenarios`` builds the clinical answers, ``identities`` the made-up people and
``seed`` stores them through the same contract and row builder as real intakes.
"""
