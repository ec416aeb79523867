"""What one memory sample of a process tree costs the benchmark (bench/measure.py): finding the tree,
reading RSS (statm) and reading PSS (smaps_rollup), for a tree of a given size.

    .venv/bin/python bench/sample_cost.py --mib 1000 --children 2 [--samples 50]

Starts a Python process that touches `--mib` MiB and forks `--children` children sharing them
(copy-on-write), then times `--samples` samples of each kind and prints the CPU and wall milliseconds of
one. Reading smaps_rollup walks the page tables of every process, so its cost grows with the resident
memory of each; statm is a few counters. A measurement, not a test.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections.abc import Callable

import psutil
from measure import tree, tree_memory

HOLDER = """
import os, sys
held = bytearray({mib} * 2**20)
for i in range(0, len(held), 4096):
    held[i] = 1
for _ in range({children}):
    if os.fork() == 0:
        sys.stdin.read()
        os._exit(0)
print("ready", flush=True)
sys.stdin.read()
"""


def cost(what: Callable[[], object], samples: int) -> tuple[float, float]:
    """CPU and wall milliseconds of one call of `what`, averaged over `samples` calls."""
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(samples):
        what()
    return (time.process_time() - cpu) * 1000 / samples, (time.perf_counter() - wall) * 1000 / samples


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--mib", type=int, default=1000, help="MiB the tree's parent touches (default 1000)")
    p.add_argument("--children", type=int, default=0, help="children forked after touching it (default 0)")
    p.add_argument("--samples", type=int, default=50, help="samples timed of each kind (default 50)")
    args = p.parse_args()
    code = HOLDER.format(mib=args.mib, children=args.children)
    holder = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "ready\n"
        root = psutil.Process(holder.pid)
        processes = tree(root)
        kinds: list[tuple[str, Callable[[], object]]] = [
            ("find the tree (psutil children)", lambda: tree(root)),
            ("RSS of the tree (statm)", lambda: tree_memory(processes, pss=False)),
            ("PSS of the tree (smaps_rollup)", lambda: tree_memory(processes, pss=True)),
        ]
        memory = tree_memory(processes)
        print(
            f"tree of {len(processes)} processes, {args.mib} MiB touched: RSS summed {memory.rss / 2**20:.0f} MiB, "
            f"PSS summed {(memory.pss or 0) / 2**20:.0f} MiB; load average {psutil.getloadavg()[0]:.1f}"
        )
        for name, what in kinds:
            cpu, wall = cost(what, args.samples)
            print(f"  {name}: {cpu:.2f} ms CPU, {wall:.2f} ms wall per sample")
    finally:
        holder.communicate("")
    return 0


if __name__ == "__main__":
    sys.exit(main())
