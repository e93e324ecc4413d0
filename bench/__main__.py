"""Run every benchmark in turn: ``python -m bench`` (or ``make bench``)."""

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
    bench_rules.main([])
    pages.main()
    http_load.main()
    wizard_bench.main([])
    queue_bench.main([])
    rules_diff_bench.main()
    outcomes_bench.main([])
    intake_load.main()
    goals.print_table()
