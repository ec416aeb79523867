"""The whole pipeline, top to bottom: load → check → render → MkDocs → index → publish.

Nothing is written to the published folder until every file has been read and
checked and the whole site has been built and indexed in a staging folder.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import datetime as dt
import gc
import logging
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from .cms import write_admin
from .history import git_history
from .load import display_path, load_file, yaml_files
from .model import Portal
from .problems import Problem
from .render import Job, Page, Renderer, renderer
from .shell import read_frames, shell_pages
from .validate import Checked, assemble, check_source

ROOT = Path(__file__).resolve().parent.parent
PARALLEL_MIN_FILES = 200  # below this, starting worker processes costs more than it saves


@dataclass
class Options:
    notices: Path = Path("notices")
    site_dir: Path = Path("site")
    config_file: Path = ROOT / "mkdocs.yml"
    docs_dir: Path = ROOT / "docs"
    templates: Path | None = None
    today: dt.date = field(default_factory=dt.date.today)
    strict: bool = False
    history: bool = True  # first-published / last-changed dates from git
    workers: int = field(default_factory=lambda: len(os.sched_getaffinity(0)))


@dataclass
class Result:
    problems: list[Problem]
    failed: bool
    pages: int = 0
    site_dir: Path | None = None
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage, for bench/ and --timings


class Stopwatch:
    """Seconds spent in each named stage."""

    def __init__(self):
        self.timings: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.timings[stage] = round(now - self._last, 3)
        self._last = now


class BuildError(Exception):
    """A step after checking failed (MkDocs or Pagefind); the published site is untouched."""


def run_check(options: Options) -> Checked:
    """Stages 1 and 2 for the whole notices folder: every file read and checked, then the cross-file rules."""
    notices = options.notices.resolve()
    if not notices.is_dir():
        problem = Problem(str(options.notices), 1, 1, "", "找不到公告文件夹 (notices folder not found)", "file-location")
        return Checked(Portal([], [], [], [], options.today), [problem])
    files = yaml_files(notices)
    with no_gc():
        results, load_problems = check_files(files, notices, options.today, options.workers)
        return assemble(results, load_problems, display_path(notices), options.today)


@contextlib.contextmanager
def no_gc():
    """Python's cycle collector rescans the whole growing model on every pass, which made loading
    a province four times slower; the pipeline makes no reference cycles worth collecting."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _check_share(notices: Path, files: list[Path], indexes: list[int], today: dt.date):
    """One worker's share: read and check each file on its own (cross-file rules run afterwards)."""
    gc.disable()
    results, problems = [], []
    for index in indexes:
        source, load_problems = load_file(files[index], notices)
        problems.append((index, load_problems))
        if source is not None:
            results.append((index, check_source(source, today)))
    return results, problems


def check_files(files: list[Path], notices: Path, today: dt.date, workers: int):
    """Check every file, in `workers` processes when there are enough files to be worth it; results in file order."""
    workers = max(1, min(workers, len(files) // PARALLEL_MIN_FILES))
    shares = [list(range(i, len(files), workers)) for i in range(workers)]  # interleaved: big and small files mix
    if workers == 1:
        outputs = [_check_share(notices, files, shares[0], today)]
    else:
        context = multiprocessing.get_context("fork")
        with concurrent.futures.ProcessPoolExecutor(workers, mp_context=context) as pool:
            outputs = list(pool.map(_check_share, [notices] * workers, [files] * workers, shares, [today] * workers))
    results = sorted((pair for out in outputs for pair in out[0]), key=lambda pair: pair[0])
    problems = sorted((pair for out in outputs for pair in out[1]), key=lambda pair: pair[0])
    return [result for _, result in results], [p for _, group in problems for p in group]


def failed(problems: list[Problem], strict: bool) -> bool:
    return any(p.level == "error" or strict for p in problems)


def build(options: Options) -> Result:
    clock = Stopwatch()
    checked = run_check(options)
    clock.lap("check")
    if failed(checked.problems, options.strict):
        return Result(checked.problems, True, timings=clock.timings)
    history = git_history(options.notices, options.today) if options.history else {}
    clock.lap("history")
    pages = renderer(checked.portal, options.templates, history)
    hubs, jobs = pages.hub_pages(), pages.jobs()
    clock.lap("hub pages")
    site_dir = options.site_dir.resolve()
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".portal-", dir=site_dir.parent) as work:
        work = Path(work)
        docs, staged = work / "docs", work / "site"
        depths = {job_depth(job) for job in jobs}
        write_docs(hubs + shell_pages(depths), options.docs_dir, options.notices.resolve(), docs)
        run_mkdocs(options.config_file, docs, staged)
        frames = read_frames(staged, depths)
        clock.lap("mkdocs")
        with no_gc():
            write_shell_pages(pages, jobs, frames, staged, options.workers)
        clock.lap("render")
        run_pagefind(staged)
        clock.lap("pagefind")
        publish(staged, site_dir)
        clock.lap("publish")
    return Result(checked.problems, False, len(hubs) + len(jobs), site_dir, clock.timings)


def job_depth(job: Job) -> int:
    return job.target.url.count("/")


def _write_share(share: int, shares: int) -> int:
    """One worker's share of the shell pages, written into the staged site. Runs in a forked process."""
    pages, jobs, frames, site = _SHELL_WORK
    written = 0
    for job in jobs[share::shares]:
        page = pages.render_job(job)
        target = site / page.url / "index.html"
        if target.exists():
            raise BuildError(f"页面地址 {page.url} 重复 (two pages at one address)")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(frames[page.depth].fill(page), encoding="utf-8")
        written += 1
    return written


_SHELL_WORK: tuple = ()


def write_shell_pages(pages: Renderer, jobs: list[Job], frames, site: Path, workers: int) -> int:
    """Render every town, notice and list page into its frame, in `workers` forked processes."""
    global _SHELL_WORK
    _SHELL_WORK = (pages, jobs, frames, site)
    try:
        workers = max(1, min(workers, len(jobs) // PARALLEL_MIN_FILES))
        if workers == 1:
            return _write_share(0, 1)
        context = multiprocessing.get_context("fork")
        with concurrent.futures.ProcessPoolExecutor(workers, mp_context=context) as pool:
            return sum(pool.map(_write_share, range(workers), [workers] * workers))
    finally:
        _SHELL_WORK = ()


def write_docs(pages: list[Page], hand_written: Path, notices: Path, docs: Path) -> None:
    """The MkDocs docs tree: hand-written pages, generated pages, and images staff referenced."""
    shutil.copytree(hand_written, docs)
    for page in pages:
        target = docs / page.docs_path
        if target.exists():
            raise BuildError(f"生成的页面 {page.docs_path} 与 docs/ 中的手写页面重名 (generated page clashes with a hand-written one)")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page.text, encoding="utf-8")
    images = notices / "images"
    if images.is_dir():
        shutil.copytree(images, docs / "media" / "images")
    write_admin(docs / "admin")  # web editing (Sveltia CMS) from the same schema


def run_mkdocs(config_file: Path, docs: Path, site: Path) -> None:
    from mkdocs.commands.build import build as mkdocs_build  # noqa: PLC0415 - heavy import, only when building
    from mkdocs.config import load_config  # noqa: PLC0415

    for name in ("mkdocs", "mkdocs.structure.pages", "mkdocs.commands.build"):
        logging.getLogger(name).setLevel(logging.WARNING)
    config = load_config(str(config_file), docs_dir=str(docs), site_dir=str(site))
    try:
        mkdocs_build(config)
    except Exception as exc:  # MkDocs raises its own Abort/ConfigurationError types
        raise BuildError(f"MkDocs 构建失败：{exc} (MkDocs build failed)") from exc


def run_pagefind(site: Path) -> None:
    """Index the page bodies (marked data-pagefind-body) with Pagefind's extended build (Chinese segmentation)."""
    command = [sys.executable, "-m", "pagefind", "--site", str(site), "--output-subdir", "pagefind", "--silent"]
    completed = subprocess.run(command, capture_output=True, text=True)
    if completed.returncode != 0:
        raise BuildError(f"Pagefind 建立索引失败 (search indexing failed):\n{completed.stdout}{completed.stderr}")


def publish(staged: Path, site_dir: Path) -> None:
    """Swap the staged site in: the old site is moved aside first and removed only after the swap."""
    old = site_dir.with_name(site_dir.name + ".old")
    if old.exists():
        shutil.rmtree(old)
    if site_dir.exists():
        site_dir.rename(old)
    staged.rename(site_dir)
    if old.exists():
        shutil.rmtree(old)
