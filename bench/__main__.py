"""Run every benchmark in turn: ``python -m bench`` (or ``make bench``)."""

from bench import http

if __name__ == "__main__":
    http.main()
