"""Run one `portal build` that is killed (SIGKILL, as by the kernel's OOM killer or `kill -9`) or paused at a
deterministic point: the N-th call of a named function, before or after it runs.

    python -m tests.buildkill NOTICES SITE TODAY --at pathlib:Path.write_text:5:before [--pause] [--parallel]
    python -m tests.buildkill --loop [--work DIR] [--only edit|same|parallel]   # every point: the figures

A point is `module:attribute.path:N:before|after`. With --pause the build prints "paused" on stdout and
waits for a line on stdin instead of dying. With --parallel, pages are written by two forked workers
(the point is counted in each worker; a worker that reaches it kills the build, its parent, and goes on). Used by
tests/test_integrity.py, and by `--loop` for the figures in dev/builds.md and SECURITY.md (kills survived): for each point, a
copy of a built site is rebuilt after an edit (and once more with nothing changed), killed there; the
site must then be the old one or the new one, file for file, and the next build must equal a clean one.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import functools
import importlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: Points spread over the whole build: the check cache written, the docs tree and pages written, pages
#: and the search index kept by hard links, slim copies of pages and day groups written in place in the
#: cache's search folder, Pagefind, the swap and its two renames, the page record written.
POINTS = [
    "os:replace:1:before",  # writing the check record
    "os:replace:1:after",
    "pathlib:Path.write_text:3:after",  # the docs tree for MkDocs
    "generator.publishing.build:run_mkdocs:1:after",
    "generator.publishing.build:search_copy:1:after",  # slim copies of town pages, in place in the cache
    "generator.publishing.build:search_copy:7:after",
    "generator.publishing.build:search_copy:10:before",
    "generator.publishing.build:link_or_copy:2:after",  # unchanged pages hard-linked into the spare copy
    "generator.publishing.build:drop_copy:1:after",
    "pathlib:Path.write_text:20:after",  # a slim copy written
    "generator.publishing.build:update_groups:1:after",  # day groups rewritten
    "generator.publishing.segments:run_pagefind:1:before",
    "generator.publishing.segments:run_pagefind:1:after",
    "generator.publishing.build:exchange:1:before",  # the swap
    "generator.publishing.build:exchange:1:after",
    "generator.publishing.build:publish:1:after",
    "os:replace:2:before",  # the page record
    "os:replace:2:after",
    "generator.publishing.build:discard:1:before",
]
#: With nothing changed, the spare copy already holds every page, and the search index (70 files) is
#: hard-linked from the live site into it.
UNCHANGED_POINTS = [
    "generator.publishing.build:prune:1:after",
    "generator.publishing.build:link_or_copy:1:after",
    "generator.publishing.build:link_or_copy:40:after",
    "generator.publishing.build:link_or_copy:60:after",
    "generator.publishing.build:exchange:1:before",
    "generator.publishing.build:exchange:1:after",
    "os:replace:2:before",
]
PARALLEL_POINTS = ["generator.publishing.build:search_copy:1:after", "generator.publishing.build:link_or_copy:5:after"]


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


def edit(notices: Path) -> None:
    """A commit's worth of change: a notice added, one removed, a town's phone number changed."""
    from tests.test_incremental import NEW_NOTICE, edit_town

    (notices / "lost" / "2024").mkdir(exist_ok=True)
    (notices / "lost" / "2024" / "2024-03-05-biye-new.yaml").write_text(NEW_NOTICE, encoding="utf-8")
    edit_town(notices)
    sorted((notices / "lost").rglob("*.yaml"))[0].unlink()


@contextlib.contextmanager
def inside(folder: Path):
    """Build from `folder` with relative paths, as staff and CI do: pages name their data file relative to
    the working directory, so a copy of the folder builds the same pages and its cache holds for it."""
    here = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(here)


NOTICES, SITE = Path("notices"), Path("site")


@dataclass
class Base:
    template: Path  # notices/ and site/ built twice with its cache (so it has a spare copy): the state before the build that gets killed
    old: dict[str, bytes]  # that site, file by file
    new: Path  # a clean build (--no-cache) of the edited data


def prepare(root: Path) -> Base:
    """The sample data built twice with its cache (the spare copy is the first build's site), and the edited
    data built clean."""
    from tests.sitebuild import SAMPLE
    from tests.test_incremental import run, tree

    template, edited = root / "template", root / "edited"
    shutil.copytree(SAMPLE, template / "notices")
    shutil.copytree(SAMPLE, edited / "notices")
    edit(edited / "notices")
    with inside(template):
        run(NOTICES, SITE)
        run(NOTICES, SITE)
    with inside(edited):
        run(NOTICES, SITE, cache=False)
    return Base(template, tree(template / "site"), edited / "site")


def copy_of(base: Base, folder: Path) -> Path:
    """The template (data, site and cache) copied, with times kept: the copy's cache holds for the copy."""
    shutil.copytree(base.template, folder, ignore=shutil.ignore_patterns("*.trash"))
    return folder


def command(point: str, *extra: str) -> list[str]:
    from tests.sitebuild import TODAY

    return [sys.executable, "-m", "tests.buildkill", "notices", "site", TODAY.isoformat(), "--at", point, *extra]


def environment() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def killed_build(work: Path, point: str, *extra: str) -> subprocess.CompletedProcess:
    """The build's output goes to a file, not a pipe: a worker process it left behind must not hold this up."""
    with open(work / "killed.log", "w+", encoding="utf-8") as log:
        killed = subprocess.run(
            command(point, *extra), cwd=work, env=environment(), stdout=log, stderr=log, timeout=300
        )
        log.seek(0)
        killed.stderr = log.read()
    return killed


def warm(work: Path) -> None:
    """One build of the copy as it is: the page record then names the copy's own search index (a copy
    has new inodes), so that the next build, with nothing changed, keeps it."""
    from tests.test_incremental import run

    with inside(work):
        run(NOTICES, SITE)


def loop(root: Path, only: str) -> int:
    """Kill a build at every point, with and without an edit and with forked workers; print one line each
    and the totals. Exit 1 if any kill left something other than the old or the new site, or a next
    build that differs from a clean one."""
    from tests.test_incremental import run, tree

    base = prepare(root)
    new = tree(base.new)
    cases = {
        "edit": [(p, True, ()) for p in POINTS],
        "same": [(p, False, ()) for p in UNCHANGED_POINTS],
        "parallel": [(p, True, ("--parallel",)) for p in PARALLEL_POINTS],
    }
    cases = [case for name, group in cases.items() if only in ("all", name) for case in group]
    kills = left_old = left_new = broken = equal = 0
    for number, (point, edited, extra) in enumerate(cases):
        work = copy_of(base, root / f"kill-{number}")
        if edited:
            edit(work / "notices")
        else:
            warm(work)
        killed = killed_build(work, point, *extra)
        if killed.returncode != -signal.SIGKILL:
            print(
                f"{point:45} {'edit' if edited else 'same'} {' '.join(extra):10} not reached (exit {killed.returncode})"
            )
            continue
        kills += 1
        after = tree(work / "site")
        expected = new if edited else base.old
        state = "old" if after == base.old else "new" if after == expected else "NEITHER"
        left_old += state == "old"
        left_new += state == "new"
        broken += state == "NEITHER"
        with inside(work):
            run(NOTICES, SITE)
        same = tree(work / "site") == expected
        equal += same
        print(
            f"{point:45} {'edit' if edited else 'same'} {' '.join(extra):10} killed: site {state}; "
            f"next build {'equals' if same else 'DIFFERS FROM'} a clean one",
            flush=True,
        )
        shutil.rmtree(work, ignore_errors=True)  # the background removal of the old site may be at it too
    print(
        f"{kills} kills: {left_old} left the old site, {left_new} the new one, {broken} neither; "
        f"the next build equalled a clean one {equal} times of {kills}"
    )
    return 0 if broken == 0 and equal == kills else 1


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--loop":
        looping = argparse.ArgumentParser()
        looping.add_argument("--loop", action="store_true")
        looping.add_argument("--work", type=Path, default=None)
        looping.add_argument("--only", choices=("all", "edit", "same", "parallel"), default="all")
        args = looping.parse_args(argv)
        with tempfile.TemporaryDirectory(dir=args.work) as root:
            return loop(Path(root), args.only)
    parser = argparse.ArgumentParser()
    parser.add_argument("notices", type=Path)
    parser.add_argument("site", type=Path)
    parser.add_argument("today", type=dt.date.fromisoformat)
    parser.add_argument("--at", required=True)
    parser.add_argument("--pause", action="store_true")
    parser.add_argument("--parallel", action="store_true")
    args = parser.parse_args(argv)
    from generator.publishing import build as pipeline

    install(args.at, args.pause)
    if args.parallel:
        pipeline.PARALLEL_MIN_FILES = 1
    result = pipeline.build(
        pipeline.Options(notices=args.notices, site_dir=args.site, today=args.today, workers=2 if args.parallel else 1)
    )
    return 1 if result.failed else 0


if __name__ == "__main__":
    sys.exit(main())
