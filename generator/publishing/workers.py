"""Forked worker processes, for the stages that share out thousands of files (check, render, scan)."""

from __future__ import annotations

import concurrent.futures
import contextlib
import ctypes
import multiprocessing
import os
import signal


def worker_pool(workers: int) -> concurrent.futures.ProcessPoolExecutor:
    """Forked workers (they inherit what the parent prepared for them) that end with the build."""
    return concurrent.futures.ProcessPoolExecutor(
        workers, mp_context=multiprocessing.get_context("fork"), initializer=die_with_parent, initargs=(os.getpid(),)
    )


def die_with_parent(parent: int) -> None:
    """In a worker process: end when the build that forked it ends, even by SIGKILL (Linux
    PR_SET_PDEATHSIG); a worker left behind would wait for work forever."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the parent died before the call
        os._exit(1)
