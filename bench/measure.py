"""Run one command and measure it: wall time, CPU time and peak memory of its whole process tree.

`portal build` forks check and render workers and runs Pagefind as a subprocess, so the peak
memory of the build is the peak of the SUM of the resident set sizes of every process in the
tree at one moment. psutil samples the tree every `INTERVAL` seconds; a peak shorter than that
can be missed, and pages shared between forked workers (copy-on-write) are counted once per
process, so the figure is an upper bound of what the machine had to hold.
"""

from __future__ import annotations

import os
import resource
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

INTERVAL = 0.05  # seconds between samples of the process tree


@dataclass(frozen=True)
class Run:
    """What one finished command did."""

    command: list[str]
    returncode: int
    wall: float  # seconds, start to exit
    cpu: float  # user + system seconds of the command and every descendant it waited for
    peak_rss: int  # bytes: the largest sum of RSS over the process tree seen in one sample
    stdout: str
    stderr: str

    def tail(self, lines: int = 20) -> str:
        """The last lines of the command's output, to explain a failure."""
        return "\n".join((self.stdout + self.stderr).strip().splitlines()[-lines:])


def tree_rss(root: psutil.Process) -> int:
    """The sum of RSS over `root` and all its descendants now; processes that vanish mid-count are skipped."""
    total = 0
    try:
        processes = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0
    for process in processes:
        try:
            total += process.memory_info().rss
        except psutil.Error:
            pass
    return total


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(command: list[str], cwd: Path | None = None) -> Run:
    """Run `command` to its end, sampling its process tree's memory every INTERVAL seconds."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        cpu_before = children_cpu()
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        root = psutil.Process(process.pid)
        peak = 0
        while process.poll() is None:
            peak = max(peak, tree_rss(root))
            time.sleep(INTERVAL)
        wall = time.perf_counter() - started
        cpu = children_cpu() - cpu_before
        out.seek(0)
        err.seek(0)
        return Run(
            command,
            process.returncode,
            wall,
            cpu,
            peak,
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
        )


def tree_bytes(folder: Path) -> int:
    """Bytes of the files under `folder`, each hard-linked file once (like `du -sb`, without folders)."""
    seen: set[tuple[int, int]] = set()
    total = 0
    for parent, _, files in os.walk(folder):
        for name in files:
            info = os.lstat(os.path.join(parent, name))
            if (info.st_dev, info.st_ino) not in seen:
                seen.add((info.st_dev, info.st_ino))
                total += info.st_size
    return total


def count_pages(site: Path) -> int:
    """Pages of a site: its index.html files (Pagefind's folder holds none)."""
    return sum(1 for _ in site.rglob("index.html"))
