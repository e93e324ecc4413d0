"""``rules diff`` over the 1M benchmark database: ``python -m bench.rules_diff_bench`` (also run
by ``make bench``; issue 13's target: under 3 minutes and under 256 MiB peak memory).

Runs ``flask --app intake rules diff 1 2`` as an operator would, on ``intake_bench``
(``make bench-db`` builds it once), its listing sent to a file. Memory is what the whole command
holds: the resident set of the command and of every process it starts (the comparing pool, one
process per core), summed, read from ``/proc`` every 0.2 s; the largest single process is
printed beside it. Wall time and the CPU time of all its processes are printed too, with the
load average, since the machine's 2 cores are shared.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import bench_db, goals

GOAL_SECONDS = 180
GOAL_MIB = 256


def _tree(root: int) -> list[int]:
    """``root`` and every process below it, by walking ``/proc``'s parent links."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces: the fields follow the last ")".
        fields = stat.rsplit(")", 1)[1].split()
        parents[int(entry.name)] = int(fields[1])
    found, frontier = [root], [root]
    while frontier:
        frontier = [pid for pid, parent in parents.items() if parent in frontier]
        found += frontier
    return found


def _rss_kib(pid: int) -> int:
    """A process's resident set in KiB (0 once it has gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def measure(database_url: str) -> tuple[float, float, float, float, str]:
    """(seconds, CPU seconds, peak MiB of all its processes, peak MiB of one, its summary)."""
    root = Path(__file__).resolve().parent.parent
    environ = {k: v for k, v in os.environ.items() if not k.startswith("INTAKE_")}
    environ |= {"INTAKE_ENV": "development", "INTAKE_DATABASE_URL": database_url}
    with tempfile.TemporaryFile("w+") as listing:
        before = os.times()
        started = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "intake", "rules", "diff", "1", "2"],
            cwd=root,
            env=environ,
            stdout=listing,
            stderr=subprocess.STDOUT,
        )
        peak_sum = peak_one = 0
        while proc.poll() is None:
            sizes = [_rss_kib(pid) for pid in _tree(proc.pid)]
            peak_sum, peak_one = max(peak_sum, sum(sizes)), max(peak_one, *sizes)
            time.sleep(0.2)
        seconds = time.perf_counter() - started
        after = os.times()
        listing.seek(0)
        text = listing.read()
    if proc.returncode != 0:
        raise RuntimeError(f"rules diff failed:\n{text[-2000:]}")
    cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    head = [
        line for line in text.splitlines() if line.startswith("ruleset ") or " would change" in line
    ]
    return seconds, cpu, peak_sum / 1024, peak_one / 1024, "\n".join(f"    {x}" for x in head)


def main() -> None:
    print(f"\nrules diff 1 2 over the benchmark database (load average {_load()}, 2 cores):")
    url = bench_db.ensure()
    seconds, cpu, peak_sum, peak_one, head = measure(url)
    time_verdict = "ok" if seconds < GOAL_SECONDS else "MISSED"
    memory_verdict = "ok" if peak_sum < GOAL_MIB else "MISSED"
    print(head)
    print(
        f"  time: {seconds:.0f} s wall, {cpu:.0f} s CPU   goal < {GOAL_SECONDS} s  {time_verdict}"
    )
    print(
        f"  peak memory: {peak_sum:.0f} MiB, all its processes together (largest one "
        f"{peak_one:.0f} MiB)   goal < {GOAL_MIB} MiB  {memory_verdict}"
    )
    print(f"  load average at the end: {_load()}")
    goals.record(
        "rules diff 1M, time", f"{seconds:.0f} s", f"< {GOAL_SECONDS} s", seconds < GOAL_SECONDS
    )
    goals.record(
        "rules diff 1M, peak memory",
        f"{peak_sum:.0f} MiB",
        f"< {GOAL_MIB} MiB",
        peak_sum < GOAL_MIB,
    )


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


if __name__ == "__main__":
    main()
