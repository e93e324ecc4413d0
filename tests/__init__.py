"""The test suite (a package, so `tests.factories` wins over a stray `tests` package)."""
