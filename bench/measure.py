"""Run one command and measure it: wall time, CPU time and peak memory of its whole process tree.

`portal build` forks check and render workers and runs Pagefind as a subprocess, so its memory is that
of a process tree. Two figures are kept, each the largest seen in one sample of the whole tree:

- **PSS** (proportional set size, from /proc/PID/smaps_rollup): each resident page counts 1/N in each of
  the N processes that map it, so a page a forked worker shares copy-on-write with its parent counts
  once over the tree. The sum over the tree is what the machine had to hold for it (pages shared with
  processes outside the tree, such as a library's code, count only the tree's share). This is the
  memory figure of the benchmark.
- **RSS** (resident set size, from /proc/PID/statm), summed over the tree: a shared page counts once
  per process, so after a fork it is an upper bound, up to N times too high.

Reading smaps_rollup walks the process's page tables: it costs about 30 ms of CPU per GiB resident
(measured on the shared 2-core machine; reading statm costs microseconds), so sampling it every 50 ms
would take most of a core while Pagefind holds 2–3 GiB and slow down the very build it measures. So:

- the tree and its RSS are sampled every `INTERVAL` seconds;
- PSS is read only when the tree's RSS sum is above the highest PSS sum seen so far (PSS ≤ RSS for every
  process, so a sample below cannot hold a new PSS peak), and at most at a rate that keeps the sampler
  under `PSS_SHARE` of one core: after a PSS read that took t seconds of CPU, the next one waits at
  least t × (1 / PSS_SHARE − 1);
- each run records how many samples and PSS reads it took and the CPU time the sampler itself spent
  (`Run.sampler_cpu`), so the overhead is measured with every figure, not assumed.

A peak shorter than the interval between two reads can be missed, so both peaks are lower bounds of the
true peaks (within the sampling) — the PSS peak more so, as it is read less often while the tree is large.
"""

from __future__ import annotations

import os
import resource
import subprocess
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import psutil

INTERVAL = 0.05  # seconds between samples of the process tree (and its RSS)
PSS_SHARE = 0.1  # at most this share of one core goes into reading PSS (smaps_rollup)


@dataclass(frozen=True)
class Memory:
    """Bytes resident in a process tree at one moment: RSS summed (shared pages once per process) and PSS
    summed (shared pages divided between the processes sharing them); pss is None when not read."""

    rss: int
    pss: int | None = None


@dataclass(frozen=True)
class Run:
    """What one finished command did."""

    command: list[str]
    returncode: int
    wall: float  # seconds, start to exit
    cpu: float  # user + system seconds of the command and every descendant it waited for
    peak_rss: int  # bytes: the largest sum of RSS over the process tree seen in one sample
    peak_pss: int  # bytes: the largest sum of PSS over the process tree seen in one PSS read
    stdout: str
    stderr: str
    samples: int = 0  # samples of the tree (RSS)
    pss_reads: int = 0  # samples in which PSS was read too
    sampler_cpu: float = 0.0  # CPU seconds this process spent sampling (not part of `cpu`)

    def tail(self, lines: int = 20) -> str:
        """The last lines of the command's output, to explain a failure."""
        return "\n".join((self.stdout + self.stderr).strip().splitlines()[-lines:])


def tree(root: psutil.Process) -> list[psutil.Process]:
    """`root` and all its descendants now ([] once root is gone)."""
    try:
        return [root, *root.children(recursive=True)]
    except psutil.Error:
        return []


def tree_memory(processes: list[psutil.Process], pss: bool = True) -> Memory:
    """RSS (and, with pss, PSS) summed over `processes`; a process that vanishes mid-count is skipped
    for both sums."""
    rss_total = pss_total = 0
    for process in processes:
        try:
            if pss:
                info = process.memory_full_info()  # smaps_rollup, and statm for the RSS
                pss_total += info.pss
            else:
                info = process.memory_info()  # statm only
            rss_total += info.rss
        except psutil.Error:
            pass
    return Memory(rss_total, pss_total if pss else None)


@dataclass
class Sampler:
    """The peaks of one process tree's memory, sampled as the module docstring says."""

    root: psutil.Process
    peak_rss: int = 0
    peak_pss: int = 0
    samples: int = 0
    pss_reads: int = 0
    cpu: float = 0.0  # CPU seconds spent in sample()
    pss_after: float = 0.0  # time.monotonic() before which PSS is not read again

    def sample(self) -> None:
        cpu_before = time.process_time()
        processes = tree(self.root)
        memory = tree_memory(processes, pss=False)
        self.samples += 1
        self.peak_rss = max(self.peak_rss, memory.rss)
        if memory.rss > self.peak_pss and time.monotonic() >= self.pss_after:
            pss_started = time.process_time()
            memory = tree_memory(processes, pss=True)
            cost = time.process_time() - pss_started
            self.pss_reads += 1
            self.peak_rss = max(self.peak_rss, memory.rss)
            self.peak_pss = max(self.peak_pss, memory.pss or 0)
            self.pss_after = time.monotonic() + cost * (1 / PSS_SHARE - 1)
        self.cpu += time.process_time() - cpu_before


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(command: list[str], cwd: Path | None = None, env: Mapping[str, str] | None = None) -> Run:
    """Run `command` to its end (with `env` added to this process's environment), sampling its process
    tree's memory every INTERVAL seconds."""
    environment = {**os.environ, **env} if env else None
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        cpu_before = children_cpu()
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=environment, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        sampler = Sampler(psutil.Process(process.pid))
        while process.poll() is None:
            sampler.sample()
            try:
                process.wait(timeout=INTERVAL)
            except subprocess.TimeoutExpired:
                pass
        wall = time.perf_counter() - started
        cpu = children_cpu() - cpu_before
        out.seek(0)
        err.seek(0)
        return Run(
            command,
            process.returncode,
            wall,
            cpu,
            sampler.peak_rss,
            sampler.peak_pss,
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
            sampler.samples,
            sampler.pss_reads,
            sampler.cpu,
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
