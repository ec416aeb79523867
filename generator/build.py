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
import pickle
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Iterator

from .cache import BuildCache, CheckCache, PageCache, Written, code_digest, default_dir, digest, tree_digest
from .cms import write_admin
from .history import git_history
from .load import display_path, display_paths, load_file, yaml_files
from .model import Portal
from .problems import Problem
from . import resources
from .render import DEFAULT_TEMPLATES, Job, Page, Renderer, renderer
from .searchindex import copy_path, drop_copy, search_copy, update_groups
from .shell import read_frames, shell_pages
from .validate import Checked, assemble, check_source

PARALLEL_MIN_FILES = 200  # below this, starting worker processes costs more than it saves


@dataclass
class Options:
    notices: Path = Path("notices")
    site_dir: Path = Path("site")
    config_file: Path = resources.CONFIG  # the site configuration (portal build --config)
    docs_dir: Path = resources.DOCS  # hand-written pages and assets (portal build --docs)
    templates: Path | None = None
    today: dt.date = field(default_factory=dt.date.today)
    strict: bool = False
    history: bool = True  # first-published / last-changed dates from git
    workers: int = field(default_factory=lambda: len(os.sched_getaffinity(0)))
    cache: bool = True  # keep what did not change from the last build (see cache.py); False: build everything
    cache_dir: Path | None = None  # default: .portal-cache/<site folder name> beside the site folder


@dataclass
class Result:
    problems: list[Problem]
    failed: bool
    pages: int = 0
    site_dir: Path | None = None
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage, for bench/ and --timings
    rendered: int = 0  # town, notice and list pages rendered anew (the others were kept from the last build)


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


def open_cache(options: Options) -> BuildCache:
    """The cache of the last build (and check) for this site folder; a disabled one with --no-cache."""
    return BuildCache((options.cache_dir or default_dir(options.site_dir.resolve())) if options.cache else None)


def run_check(options: Options, cache: BuildCache | None = None) -> Checked:
    """Stages 1 and 2 for the whole notices folder: every file read and checked, then the cross-file rules.

    With a cache, a file whose bytes have not changed since the last build is not read into YAML again."""
    notices = options.notices.resolve()
    if not notices.is_dir():
        problem = Problem(str(options.notices), 1, 1, "", "找不到公告文件夹 (notices folder not found)", "file-location")
        return Checked(Portal([], [], [], [], options.today), [problem])
    files = yaml_files(notices)
    cache = cache or BuildCache(None)
    scope = digest(code_digest(), options.today.isoformat(), str(notices), os.getcwd())
    record = cache.checks(scope)
    started_ns = time.time_ns()
    names = display_paths(files)
    stats = [path.stat() for path in files] if cache.enabled else []
    # A file the record knows is hashed here, unless its size and time vouch for it, to learn whether it
    # changed; a file it does not know is checked anyway, and hashed by the worker that reads it.
    digests = [record.known_digest(name, stat) or (digest(path.read_bytes()) if name in record.files else None)
               for name, stat, path in zip(names, stats, files)]
    if cache.enabled:
        stale = [i for i, name in enumerate(names) if digests[i] is None or record.files[name][0] != digests[i]]
    else:
        stale = list(range(len(files)))
    with no_gc():
        outcomes = {}  # position → (digest of the bytes, outcome pickled, outcome loaded: fresh objects, which assemble() changes)
        for k, bytes_digest, blob in check_files([files[i] for i in stale], notices, options.today, options.workers):
            outcomes[stale[k]] = (bytes_digest, blob, pickle.loads(blob))  # loaded while the workers check the next files
        for i, name in enumerate(names):
            if i not in outcomes:
                recorded, blob = record.files[name][:2]
                outcomes[i] = (recorded, blob, pickle.loads(blob))
        if cache.enabled:
            cache.save_checks(CheckCache(scope, {name: (*outcomes[i][:2], (stats[i].st_size, stats[i].st_mtime_ns))
                                                 for i, name in enumerate(names)}, started_ns))
        results, load_problems = [], []
        for i in range(len(names)):
            problems, result = outcomes[i][2]
            load_problems += problems
            if result is not None:
                results.append(result)
        return assemble(results, load_problems, display_path(notices), options.today)


@contextlib.contextmanager
def no_gc():
    """Python's cycle collector rescans the whole growing model on every pass, which made loading
    a province four times slower; the pipeline makes no reference cycles worth collecting. What was
    made meanwhile (the model) is then frozen: later collections do not scan it again either."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def _check_share(indexes: list[int]) -> list[tuple[int, str, bytes]]:
    """One worker's share: read and check each file on its own (cross-file rules run afterwards).
    Each outcome comes back with the digest of the file's bytes, pickled as (load problems, FileResult or None):
    the form the cache keeps."""
    files, notices, today = _CHECK_WORK
    gc.disable()
    outcomes = []
    for index in indexes:
        data = files[index].read_bytes()
        source, load_problems = load_file(files[index], notices, data)
        result = check_source(source, today) if source is not None else None
        outcomes.append((index, digest(data), pickle.dumps((load_problems, result), protocol=pickle.HIGHEST_PROTOCOL)))
    return outcomes


_CHECK_WORK: tuple = ()
CHECK_SHARES_PER_WORKER = 16  # small shares come back while the others are checked: the parent loads them meanwhile


def check_files(files: list[Path], notices: Path, today: dt.date, workers: int) -> Iterator[tuple[int, str, bytes]]:
    """Check every file, in `workers` processes when there are enough files to be worth it; yields
    (position in `files`, digest of the bytes read, outcome), a share of the files at a time."""
    global _CHECK_WORK
    _CHECK_WORK = (files, notices, today)
    try:
        workers = max(1, min(workers, len(files) // PARALLEL_MIN_FILES))
        if workers == 1:
            yield from _check_share(list(range(len(files))))
            return
        count = workers * CHECK_SHARES_PER_WORKER
        shares = [list(range(i, len(files), count)) for i in range(count)]  # interleaved: big and small files mix
        context = multiprocessing.get_context("fork")
        with concurrent.futures.ProcessPoolExecutor(workers, mp_context=context) as pool:
            for share in pool.map(_check_share, shares):
                yield from share
    finally:
        _CHECK_WORK = ()


def failed(problems: list[Problem], strict: bool) -> bool:
    return any(p.level == "error" or strict for p in problems)


def build(options: Options) -> Result:
    clock = Stopwatch()
    site_dir = options.site_dir.resolve()
    cache = open_cache(options)
    checked = run_check(options, cache)
    clock.lap("check")
    if failed(checked.problems, options.strict):
        return Result(checked.problems, True, timings=clock.timings)
    history = git_history(options.notices, options.today) if options.history else {}
    clock.lap("history")
    pages = renderer(checked.portal, options.templates, history)
    hubs, jobs = pages.hub_pages(), pages.jobs()
    clock.lap("hub pages")
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".portal-", dir=site_dir.parent) as work:
        work = Path(work)
        docs, staged = work / "docs", work / "site"
        depths = {job_depth(job) for job in jobs}
        write_docs(hubs + shell_pages(depths), options.docs_dir, options.notices.resolve(), docs)
        run_mkdocs(options.config_file, docs, staged)
        frames = read_frames(staged, depths)
        clock.lap("mkdocs")
        scope = digest(code_digest(), version("pagefind"), tree_digest(DEFAULT_TEMPLATES, options.templates), pages.regions_key(),
                       *(frames[depth].head + frames[depth].tail for depth in sorted(frames)))
        old = cache.pages(scope)
        search_docs = cache.search_docs or work / "search"
        cache.clear_pages()  # the slim copies change in place from here: a failed build must not leave a record trusting them
        if not old.pages and search_docs.exists():
            shutil.rmtree(search_docs)  # nothing to trust: start from an empty folder
        with no_gc():
            plan = Plan(old, site_dir, search_docs)
            written, rendered, changed, fresh_sections = write_shell_pages(pages, jobs, plan, frames, staged, search_docs,
                                                                           options.workers)
        for url in old.pages.keys() - written.keys():
            if doc := old.pages[url].indexed:
                drop_copy(search_docs, url, doc)
                changed.add(doc)
        sections = update_groups(search_docs, {url: w.indexed for url, w in written.items()}, old.sections,
                                 fresh_sections, changed)
        clock.lap("render")
        keep = ()
        if changed or not old.pages or not (site_dir / "pagefind").is_dir():
            run_pagefind(search_docs, staged / "pagefind")
        else:
            keep = ("pagefind",)  # no indexed page changed: the index would come out the same
        clock.lap("pagefind")
        publish(staged, site_dir, keep, cache.trash)
        cache.save_pages(PageCache(scope, written, sections))
        clock.lap("publish")
    return Result(checked.problems, False, len(hubs) + len(jobs), site_dir, clock.timings, rendered)


def job_depth(job: Job) -> int:
    return job.target.url.count("/")


@dataclass
class Plan:
    """Which pages the last build made from the same inputs and left untouched in the site: those are kept."""

    old: PageCache
    site_dir: Path
    search: Path  # what Pagefind read last time (updated in place): town pages' slim copies, day groups

    def reusable(self, url: str, key: str) -> bool:
        before = self.old.pages.get(url)
        if before is None or before.key != key:
            return False
        try:
            stat = (self.site_dir / url / "index.html").stat()
        except OSError:
            return False
        if (stat.st_size, stat.st_mtime_ns) != (before.size, before.mtime_ns):
            return False
        if before.indexed == url:
            return copy_path(self.search, url).is_file()
        return not before.indexed or url in self.old.sections


def _write_share(share: int, shares: int) -> list[tuple[str, Written, bool, tuple[str, ...], str | None]]:
    """One worker's share of the shell pages, written (or kept) into the staged site, with the slim copies
    of town pages updated in place. Runs in a forked process. Each row says whether the page was rendered
    anew, which search documents changed with it, and a fresh notice's section of its day group."""
    pages, jobs, plan, frames, site, search = _SHELL_WORK
    written = []
    for index in range(share, len(jobs), shares):
        job = jobs[index]
        key = pages.job_key(job)
        url = job.target.url
        target = site / url / "index.html"
        if target.exists():
            raise BuildError(f"页面地址 {url} 重复 (two pages at one address)")
        target.parent.mkdir(parents=True, exist_ok=True)
        before = plan.old.pages.get(url)
        was_in = before.indexed if before is not None else ""
        fresh = not plan.reusable(url, key)
        section = None
        if not fresh:
            keep(plan.site_dir / url / "index.html", target)
            indexed = was_in
        else:
            page = pages.render_job(job)
            target.write_text(frames[page.depth].fill(page), encoding="utf-8")
            indexed, section = search_copy(page, search)
            if indexed != was_in:
                drop_copy(search, url, was_in)
        stat = target.stat()
        changed = tuple(doc for doc in {indexed, was_in} if doc) if fresh else ()
        written.append((url, Written(key, stat.st_size, stat.st_mtime_ns, indexed), fresh, changed, section))
    return written


_SHELL_WORK: tuple = ()


def write_shell_pages(pages: Renderer, jobs: list[Job], plan: Plan, frames, site: Path, search: Path,
                      workers: int) -> tuple[dict[str, Written], int, set[str], dict[str, str]]:
    """Render every town, notice and list page into its frame (or keep last build's), in `workers` forked processes.
    Returns what was written for each URL, how many pages were rendered anew, the search documents that changed,
    and the sections of the notices rendered anew."""
    global _SHELL_WORK
    _SHELL_WORK = (pages, jobs, plan, frames, site, search)
    try:
        workers = max(1, min(workers, len(jobs) // PARALLEL_MIN_FILES))
        if workers == 1:
            rows = _write_share(0, 1)
        else:
            context = multiprocessing.get_context("fork")
            with concurrent.futures.ProcessPoolExecutor(workers, mp_context=context) as pool:
                rows = [row for share in pool.map(_write_share, range(workers), [workers] * workers) for row in share]
        return ({row[0]: row[1] for row in rows}, sum(row[2] for row in rows), {doc for row in rows for doc in row[3]},
                {row[0]: row[4] for row in rows if row[4] is not None})
    finally:
        _SHELL_WORK = ()


def keep(source: Path, target: Path) -> None:
    """Put last build's file in the new tree: a hard link (instant, no copy), or a copy where links are not possible."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


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
    if config.theme.custom_dir is None:  # a county's own configuration (portal init) keeps the generator's theme frame
        config.theme.dirs.insert(0, str(resources.OVERRIDES))
    try:
        mkdocs_build(config)
    except Exception as exc:  # MkDocs raises its own Abort/ConfigurationError types
        raise BuildError(f"MkDocs 构建失败：{exc} (MkDocs build failed)") from exc


def run_pagefind(search_docs: Path, output: Path) -> None:
    """Index the page bodies (marked data-pagefind-body) with Pagefind's extended build (Chinese segmentation),
    from the slim copies in `search_docs` (same URLs as the site), into `output`."""
    search_docs.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "pagefind", "--site", str(search_docs), "--output-path", str(output), "--silent"]
    completed = subprocess.run(command, capture_output=True, text=True)
    if completed.returncode != 0:
        raise BuildError(f"Pagefind 建立索引失败 (search indexing failed):\n{completed.stdout}{completed.stderr}")


def publish(staged: Path, site_dir: Path, keep: tuple[str, ...] = (), trash: Path | None = None) -> None:
    """Swap the staged site in: the old site is moved aside first and removed only after the swap.
    The folders named in `keep` move from the old site into the new one (renamed, not copied).
    With a `trash` folder (on the same disk), the old site is moved there and removed in the background:
    at province scale that is tens of thousands of files the new site does not need to wait for."""
    old = site_dir.with_name(site_dir.name + ".old")
    if old.exists():
        shutil.rmtree(old)
    if site_dir.exists():
        site_dir.rename(old)
    for name in keep:
        (old / name).rename(staged / name)
    staged.rename(site_dir)
    if not old.exists():
        return
    if trash is None:  # --no-cache
        shutil.rmtree(old)
        return
    try:
        trash.mkdir(parents=True, exist_ok=True)
        old.rename(Path(tempfile.mkdtemp(prefix="site-", dir=trash)) / "old")
    except OSError:  # the cache is on another disk: remove it now
        shutil.rmtree(old)
    else:
        discard(sorted(trash.iterdir()))


def discard(folders: list[Path]) -> None:
    """Remove `folders` in a detached process that outlives this one (leftovers of an interrupted
    removal are in the list again next time)."""
    code = "import shutil, sys\nfor path in sys.argv[1:]: shutil.rmtree(path, ignore_errors=True)"
    subprocess.Popen([sys.executable, "-c", code, *map(str, folders)], start_new_session=True,
                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
