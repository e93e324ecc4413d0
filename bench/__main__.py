"""Run every benchmark in turn: ``python -m bench`` (or ``make bench``)."""

import os
import sys

from bench import (
    bench_rules,
    goals,
    http_load,
    intake_load,
    outcomes_bench,
    pages,
    queue_bench,
    rules_diff_bench,
    wizard_bench,
)

if __name__ == "__main__":
    if "BENCH_ROUNDS" in os.environ:
        # It once meant 200 test-client requests in one benchmark and 3 HTTP rounds in
        # others: a value right for one was wrong for the rest. Say so rather than guess.
        sys.exit(
            "BENCH_ROUNDS is no longer read: set BENCH_CLIENT_ROUNDS (test-client requests "
            "per page, bench.pages, default 200) or BENCH_HTTP_ROUNDS (alternating wrk rounds, "
            "wizard_bench and queue_bench, default 3)"
        )
    bench_rules.main([])
    pages.main()
    http_load.main()
    wizard_bench.main([])
    queue_bench.main([])
    rules_diff_bench.main()
    outcomes_bench.main([])
    intake_load.main()
    goals.print_table()
