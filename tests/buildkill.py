"""Run one `portal build` that is killed (SIGKILL, as by the kernel's OOM killer or `kill -9`) or paused at a
deterministic point: the N-th call of a named function, before or after it runs.

    python -m tests.buildkill NOTICES SITE TODAY --at pathlib:Path.write_text:5:before [--pause] [--parallel]

A point is `module:attribute.path:N:before|after`. With --pause the build prints "paused" on stdout and
waits for a line on stdin instead of dying. With --parallel, pages are written by two forked workers
(the point is counted in each worker; a worker that reaches it kills the build, its parent, and goes on). Used by
tests/test_integrity.py, and by `--loop` for the figures in the README (kills survived).
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import importlib
import os
import signal
import sys
from pathlib import Path

#: Points spread over the whole build: the check cache written, the docs tree and pages written, pages
#: and the search index kept by hard links, slim copies of pages and day groups written in place in the
#: cache's search folder, Pagefind, the swap and its two renames, the page record written.
POINTS = [
    "os:replace:1:before",                          # writing the check record
    "os:replace:1:after",
    "pathlib:Path.write_text:3:after",              # the docs tree for MkDocs
    "generator.build:run_mkdocs:1:after",
    "generator.build:search_copy:1:after",          # slim copies of town pages, in place in the cache
    "generator.build:search_copy:7:after",
    "generator.build:search_copy:30:before",
    "generator.build:keep:2:after",                 # unchanged pages hard-linked into the staging folder
    "generator.build:drop_copy:1:after",
    "generator.searchindex:Path.write_text:1:after",
    "generator.build:update_groups:1:after",        # day groups rewritten
    "generator.build:run_pagefind:1:before",
    "generator.build:run_pagefind:1:after",
    "generator.build:exchange:1:before",            # the swap
    "generator.build:exchange:1:after",
    "generator.build:publish:1:after",
    "os:replace:2:before",                          # the page record
    "os:replace:2:after",
    "generator.build:discard:1:before",
]


def install(point: str, pause: bool) -> None:
    """Wrap the function named by `point` so that its N-th call kills (or pauses) this build."""
    module_name, path, count, when = point.split(":")
    owner = importlib.import_module(module_name)
    *parents, name = path.split(".")
    for part in parents:
        owner = getattr(owner, part)
    original = getattr(owner, name)
    main = os.getpid()
    calls = 0

    def stop() -> None:
        if pause:
            print("paused", flush=True)
            sys.stdin.readline()
            return
        if os.getpid() != main:  # a forked worker kills the build, its parent, and carries on (as the OOM killer would)
            os.kill(main, signal.SIGKILL)
            return
        os.kill(os.getpid(), signal.SIGKILL)

    @functools.wraps(original)
    def wrapper(*args, **kwargs):
        nonlocal calls
        calls += 1
        if calls == int(count) and when == "before":
            stop()
        result = original(*args, **kwargs)
        if calls == int(count) and when == "after":
            stop()
        return result

    setattr(owner, name, wrapper)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("notices", type=Path)
    parser.add_argument("site", type=Path)
    parser.add_argument("today", type=dt.date.fromisoformat)
    parser.add_argument("--at", required=True)
    parser.add_argument("--pause", action="store_true")
    parser.add_argument("--parallel", action="store_true")
    args = parser.parse_args(argv)
    from generator import build as pipeline  # noqa: PLC0415

    install(args.at, args.pause)
    if args.parallel:
        pipeline.PARALLEL_MIN_FILES = 1
    result = pipeline.build(pipeline.Options(notices=args.notices, site_dir=args.site, today=args.today,
                                             workers=2 if args.parallel else 1))
    return 1 if result.failed else 0


if __name__ == "__main__":
    sys.exit(main())
