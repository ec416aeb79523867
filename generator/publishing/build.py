"""The whole pipeline, top to bottom: load → check → render → MkDocs → index → publish.

Nothing is written to the published folder until every file has been read and checked and the whole
site has been built, indexed and scanned in the spare copy (`Workplace.spare`: the site published
before this one, brought up to date by writing only what differs), which is then exchanged with it.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import errno
import gc
import logging
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from importlib.metadata import version
from pathlib import Path
from zoneinfo import ZoneInfo

from .. import resources
from ..checking.history import git_history
from ..checking.load import copy_images, display_path, display_paths, load_file, read_input, scan
from ..checking.model import Portal
from ..checking.problems import BuildError, Problem
from ..checking.validate import Checked, FileResult, assemble, check_source
from ..site import moved, qr
from ..site.opendata import ATOM_FILE, JSON_FEED_FILE, SITE_FEEDS, Earlier, write_open_data
from ..site.page import still_written
from ..site.render import DEFAULT_TEMPLATES, Job, Page, Renderer, renderer
from ..site.searchindex import copy_path, drop_copy, search_copy, update_groups
from ..site.shell import SHELL_DIR, URL_MARK, Frame, read_frames, shell_pages
from ..staff.cms import write_admin
from . import lock, segments
from .cache import (
    BuildCache,
    CheckCache,
    PageCache,
    QrCodes,
    Written,
    code_digest,
    default_dir,
    digest,
    index_identity,
    make_ignored,
    tree_digest,
    workspace,
)
from .scan import check_site
from .workers import worker_pool

PARALLEL_MIN_FILES = 200  # below this, starting worker processes costs more than it saves
CHINA = ZoneInfo("Asia/Shanghai")  # from the system's zoneinfo, or the tzdata package where there is none
wall_clock: Callable[[], float] = time.time  # seconds since the epoch; tests put a fixed clock here


def today_in_china() -> dt.date:
    """ "Today" for every date rule and claim period: the date in China (UTC+8), whatever the machine's
    time zone (CI runs in UTC: from 00:00 to 08:00 China time its local date is yesterday)."""
    return dt.datetime.fromtimestamp(wall_clock(), CHINA).date()


@dataclass
class Options:
    notices: Path = Path("notices")
    site_dir: Path = Path("site")
    config_file: Path = resources.CONFIG  # the site configuration (portal build --config)
    docs_dir: Path = resources.DOCS  # hand-written pages and assets (portal build --docs)
    templates: Path | None = None
    today: dt.date = field(default_factory=today_in_china)
    strict: bool = False
    history: bool = True  # first-published / last-changed dates from git
    workers: int = field(default_factory=lambda: len(os.sched_getaffinity(0)))
    cache: bool = True  # keep what did not change from the last build (see cache.py); False: build everything
    cache_dir: Path | None = None  # default: .portal-cache/<site folder name> beside the site folder
    site_url: str | None = None  # portal build --site-url: the live site's address, over the site identity's
    stale_months: int | None = None  # --stale-months (0: never); None: site.yaml's stale_months (default 12)
    fold: bool = False  # portal build --fold: a full search index run even for a small change (segments.py)


@dataclass
class Result:
    problems: list[Problem]
    failed: bool
    pages: int = 0
    site_dir: Path | None = None
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage, for bench/ and --timings
    rendered: int = 0  # town, notice and list pages rendered anew (the others were kept from the last build)
    counts: str = ""  # pages per kind of YAML entry, as the output scan found them
    scanned: int = 0  # files the output scan read in full (the others' results were reused from the last scan)
    model: Model | None = None  # what the published site was made from (a preview keeps it: publishing/preview.py)


@dataclass(frozen=True)
class Model:
    """What a published build was made from, for `portal serve` to keep in memory: the checked portal, the
    renderer that made its pages (templates, history) and the theme frames each shell page is filled into."""

    checked: Checked
    pages: Renderer
    frames: dict[int, Frame]


class Stopwatch:
    """Seconds spent in each named stage."""

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.timings[stage] = round(now - self._last, 3)
        self._last = now


def open_cache(options: Options) -> BuildCache:
    """The cache of the last build (and check) for this site folder; a disabled one with --no-cache.
    Open it holding the site's lock."""
    cache = BuildCache((options.cache_dir or default_dir(options.site_dir.resolve())) if options.cache else None)
    cache.clear_stale()
    return cache


@dataclass(frozen=True)
class Workplace:
    """What a build of one site folder uses beside it, in `.portal-cache/`: the lock, the spare copy each
    build brings up to date and publishes, the staging folder of a build's own work (the docs tree MkDocs
    reads), and the trash that is removed in the background."""

    site_dir: Path

    @property
    def lock(self) -> Path:
        return workspace(self.site_dir) / (self.site_dir.name + ".lock")

    @property
    def staging(self) -> Path:
        return workspace(self.site_dir) / (self.site_dir.name + ".staging")

    @property
    def trash(self) -> Path:
        return workspace(self.site_dir) / (self.site_dir.name + ".trash")

    @property
    def spare(self) -> Path:
        """The second copy of the site: the one published before the current one. A build brings it up to
        date in place (only the pages that differ are written; nothing else is there) and exchanges it with
        the site folder, whose old copy is the next build's spare: no page is linked or copied per build."""
        return workspace(self.site_dir) / (self.site_dir.name + ".spare")

    @property
    def aside(self) -> Path:
        """Where the old site waits, for a moment, where the site and its spare cannot be exchanged in one step."""
        return workspace(self.site_dir) / (self.site_dir.name + ".aside")

    def new_spare(self, trusted: bool) -> Path:
        """The spare copy, made if there is none (whatever else has its name is removed). When no record
        vouches for any of its pages (`trusted` False: the first rebuild after a full build, a code change, a
        killed build), an old one goes to the trash whole, one rename: every page is linked or rendered into an
        empty folder, rather than each of its 73,000 files at province scale removed first (twice as long)."""
        spare = self.spare
        if os.path.islink(spare) or os.path.lexists(spare) and not spare.is_dir():
            spare.unlink()
        elif not trusted and spare.is_dir():
            self.trash.mkdir(parents=True, exist_ok=True)
            spare.rename(Path(tempfile.mkdtemp(prefix="spare-", dir=self.trash)) / "site")
        spare.mkdir(parents=True, exist_ok=True)
        return spare

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        make_ignored(workspace(self.site_dir))
        with lock.exclusive(self.lock):
            yield

    def clear_stale(self) -> None:
        """Staging folders of builds that were killed (call it holding the lock: no other build is running)."""
        if self.staging.is_dir():
            for leftover in self.staging.iterdir():
                shutil.rmtree(leftover, ignore_errors=True)
        if os.path.lexists(self.aside):  # a publish cut short between its renames: it is the spare
            if os.path.lexists(self.spare) or not os.path.lexists(self.site_dir):
                shutil.rmtree(self.aside, ignore_errors=True)
            else:
                self.aside.rename(self.spare)

    def new_staging(self) -> Path:
        self.staging.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix="build-", dir=self.staging))

    def dispose(self, work: Path) -> None:
        """Remove a build's staging folder in the background."""
        try:
            self.trash.mkdir(parents=True, exist_ok=True)
            work.rename(self.trash / work.name)
        except OSError:
            shutil.rmtree(work, ignore_errors=True)
        discard(sorted(self.trash.iterdir()))


def check(options: Options) -> Checked:
    """Stages 1 and 2 as `portal check` runs them: with the cache, holding the site's lock (a build may be
    writing that cache); with --no-cache, without either."""
    if not options.cache:
        return run_check(options)
    place = Workplace(options.site_dir.resolve())
    with place.locked():
        return run_check(options, open_cache(options))


def run_check(options: Options, cache: BuildCache | None = None) -> Checked:
    """Stages 1 and 2 for the whole notices folder: every file read and checked, then the cross-file rules.

    With a cache, a file whose bytes have not changed since the last build is not read into YAML again."""
    notices = options.notices.resolve()
    if not notices.is_dir():
        problem = Problem(
            str(options.notices), 1, 1, "", "找不到公告文件夹 (notices folder not found)", "file-location"
        )
        return Checked(Portal([], [], [], [], options.today), [problem])
    tree = scan(notices)
    files = tree.yaml
    cache = cache or BuildCache(None)
    scope = digest(code_digest(), options.today.isoformat(), str(notices), os.getcwd())
    record = cache.checks(scope)
    started_ns = time.time_ns()
    names = display_paths(files)
    stats = [path.stat() for path in files] if cache.enabled else []
    # A file the record knows is hashed here, unless its size and time vouch for it, to learn whether it
    # changed; a file it does not know is checked anyway, and hashed by the worker that reads it.
    digests = [
        record.known_digest(name, stat) or (digest(read_input(path)[0]) if name in record.files else None)
        for name, stat, path in zip(names, stats, files)
    ]
    if cache.enabled:
        stale = [i for i, name in enumerate(names) if digests[i] is None or record.files[name][0] != digests[i]]
    else:
        stale = list(range(len(files)))
    with no_gc():
        outcomes = {}  # position → (digest of the bytes, outcome pickled, outcome loaded: fresh objects, which assemble() changes)
        for k, bytes_digest, blob in check_files([files[i] for i in stale], notices, options.today, options.workers):
            outcomes[stale[k]] = (
                bytes_digest,
                blob,
                pickle.loads(blob),
            )  # loaded while the workers check the next files
        for i, name in enumerate(names):
            if i not in outcomes:
                recorded, blob = record.files[name][:2]
                outcomes[i] = (recorded, blob, pickle.loads(blob))
        if cache.enabled:
            cache.save_checks(
                CheckCache(
                    scope,
                    {
                        name: (*outcomes[i][:2], (stats[i].st_size, stats[i].st_mtime_ns))
                        for i, name in enumerate(names)
                    },
                    started_ns,
                )
            )
        results, load_problems = [], list(tree.problems)
        for i in range(len(names)):
            problems, result = outcomes[i][2]
            load_problems += problems
            if result is not None:
                results.append(result)
        checked = assemble(
            results, load_problems, display_path(notices), options.today, tree.images, options.stale_months
        )
        checked.data_files = {name: path.relative_to(notices).parts[0] for name, path in zip(names, files)}
        checked.file_digests = {name: outcomes[i][0] for i, name in enumerate(names)}
        return checked


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
        bytes_digest, load_problems, result = check_one(files[index], notices, today)
        outcomes.append((index, bytes_digest, pickle.dumps((load_problems, result), protocol=pickle.HIGHEST_PROTOCOL)))
    return outcomes


def check_one(path: Path, notices: Path, today: dt.date) -> tuple[str, list[Problem], FileResult | None]:
    """One file read and checked on its own: the digest of its bytes, the problems of reading it, and what it
    holds with its own problems (None where it could not be read). The cross-file rules are `assemble`'s."""
    data, refused = read_input(path)
    source, load_problems = (None, [refused]) if refused else load_file(path, notices, data)
    return digest(data), load_problems, check_source(source, today) if source is not None else None


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
        with worker_pool(workers) as pool:
            for share in pool.map(_check_share, shares):
                yield from share
    finally:
        _CHECK_WORK = ()


def failed(problems: list[Problem], strict: bool) -> bool:
    return any(p.level == "error" or strict for p in problems)


def build(options: Options) -> Result:
    """Check, render, index and publish, holding the site's lock from start to end (one build at a time)."""
    place = Workplace(options.site_dir.resolve())
    place.site_dir.parent.mkdir(parents=True, exist_ok=True)
    with place.locked():
        place.clear_stale()
        return _build(options, place)


def _build(options: Options, place: Workplace) -> Result:
    clock = Stopwatch()
    site_dir = place.site_dir
    cache = open_cache(options)
    checked = run_check(options, cache)
    if options.site_url:
        checked.portal.site_url = options.site_url
    clock.lap("check")
    if failed(checked.problems, options.strict):
        return Result(checked.problems, True, timings=clock.timings)
    history = git_history(options.notices, options.today) if options.history else {}
    clock.lap("history")
    codes = cache.qr_codes(qr.SCOPE)
    qr.BOOK.load(codes.codes)  # before the workers are forked: they inherit the codes
    pages = renderer(checked.portal, options.templates, history, checked.file_digests)
    hubs, jobs = pages.hub_pages(), pages.jobs()
    clock.lap("hub pages")
    work = place.new_staging()
    try:
        docs, themed = work / "docs", work / "mkdocs"
        depths = {job_depth(job) for job in jobs}
        write_docs(hubs + shell_pages(depths), options.docs_dir, options.notices.resolve(), docs)
        site_name = run_mkdocs(options.config_file, docs, themed, checked.portal)
        frames = read_frames(themed, depths)
        clock.lap("mkdocs")
        scope = digest(
            code_digest(),
            version("pagefind"),
            tree_digest(DEFAULT_TEMPLATES, options.templates),
            pages.regions_key(),
            checked.portal.site_url or "",
            *(frames[depth].head + frames[depth].tail for depth in sorted(frames)),
        )
        old = cache.pages(scope)
        held = old.spare or PageCache(scope)  # what the spare copy holds: the site published before the live one
        search_docs = cache.search_docs or work / "search"
        # The spare copy and the slim copies change in place from here: a failed build must not leave a record trusting them.
        cache.clear_pages()
        if not old.pages and search_docs.exists():
            shutil.rmtree(search_docs)  # nothing to trust: start from an empty folder
        staged = place.new_spare(bool(held.pages))
        theme = move_tree(themed, staged)
        prune(staged, page_files(jobs, theme) | theme)
        with no_gc():
            plan = Plan(old, site_dir, search_docs, held, staged)
            written, rendered, changed, fresh_sections = write_shell_pages(
                pages, jobs, plan, frames, staged, search_docs, options.workers
            )
        for url in old.pages.keys() - written.keys():
            if doc := old.pages[url].indexed:
                drop_copy(search_docs, url, doc)
                changed.add(doc)
        sections = update_groups(
            search_docs, {url: w.indexed for url, w in written.items()}, old.sections, fresh_sections, changed
        )
        redirects = moved.write(staged, pages.moved())  # after the pages: a redirect is written only where no page is
        # Data files and feeds made from the same inputs as the published ones are kept, like pages.
        earlier = Earlier(old.data, site_dir, {url: w.key for url, w in written.items()}, keep)
        made = write_open_data(staged, checked.portal, pages.region_url, site_name, redirects, earlier)
        clock.lap("render")
        # A delta over the base the site holds, or a fold (segments.py); the base is kept when it is the one
        # this record made.
        indexed = segments.index(
            cache,
            search_docs,
            staged,
            site_dir,
            changed,
            bool(old.pages) and old.index is not None and old.index == index_identity(site_dir),
            options.fold,
            work,
        )
        carry = indexed.carry
        hold(staged, site_dir, carry, work / "held")  # the scan reads what this build made, as if it were not there
        clock.lap("pagefind")
        expected, scanned = check_site(
            staged, checked, frames, options.docs_dir, options.workers, cache, reuse=not options.fold
        )
        clock.lap("scan")
        publish(staged, site_dir, carry, place.aside, work / "held")
        spare = (
            replace(old, spare=None) if old.pages and place.spare.is_dir() else None
        )  # the old site is the spare now
        cache.save_pages(PageCache(scope, written, sections, index_identity(site_dir), made, spare))
        save_qr_codes(cache, codes, rendered == len(jobs))
        cache.save_scans(scanned.record)
        segments.published(cache, indexed, site_dir)
        clock.lap("publish")
    finally:
        place.dispose(work)
    return Result(
        checked.problems,
        False,
        len(hubs) + len(jobs),
        site_dir,
        clock.timings,
        rendered,
        expected.counts(),
        len(scanned.read),
        Model(checked, pages, frames),
    )


def move_tree(source: Path, site: Path) -> set[str]:
    """Move every file under `source` (what MkDocs made) to the same place in `site`, replacing what is
    there; the files' paths, relative to `site`."""
    moved_files = set()
    for folder, _, names in os.walk(source):
        relative = os.path.relpath(folder, source)
        base = "" if relative == "." else relative.replace(os.sep, "/") + "/"
        for name in names:
            clear(site / (base + name))
            os.rename(os.path.join(folder, name), site / (base + name))
            moved_files.add(base + name)
    return moved_files


def page_files(jobs: list[Job], theme: set[str]) -> set[str]:
    """The files of the shell pages in the site. Two pages at one address, or a page at the address of a
    file MkDocs made, stop the build (the spare copy's pages are replaced in place, so this is checked first)."""
    files: set[str] = set()
    for job in jobs:
        name = job.target.url + "index.html"
        if name in files or name in theme:
            raise BuildError(f"页面地址 {job.target.url} 重复 (two pages at one address)")
        files.add(name)
    return files


def prune(site: Path, wanted: set[str]) -> None:
    """Remove from `site` every file that is not `wanted`, and the folders left empty: what the spare copy held
    that this build does not make (removed pages, old redirects, data files and the delta index, written again),
    and anything put there by hand. The search index's base (segments.BASE) is left to `publish`."""
    emptied = set()

    def walk(folder: str, base: str) -> None:  # os.scandir: no stat per entry (os.walk took 4 s at scale 1)
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    if base or entry.name != segments.BASE:
                        walk(entry.path, base + entry.name + "/")
                elif base + entry.name not in wanted:  # a file, a link of any kind, anything else
                    os.unlink(entry.path)
                    emptied.add(base)

    walk(str(site), "")
    for base in sorted(emptied, key=len, reverse=True):  # the deepest first, then up while they are empty
        while base:
            try:
                os.rmdir(site / base)
            except OSError:  # not empty
                break
            base = base.rstrip("/").rpartition("/")[0] + "/" if "/" in base.rstrip("/") else ""


def clear(target: Path) -> None:
    """Make way for a new file at `target`: whatever is there (a file, a link, a folder) is removed."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        target.unlink()
    except FileNotFoundError:
        pass
    except (IsADirectoryError, PermissionError):
        shutil.rmtree(target)


def same_files(a: Path, b: Path) -> bool:
    """Whether the folders `a` and `b` hold the same files: the same names, each the same file (a hard link)."""

    def files(root: Path) -> dict[str, tuple[int, int]]:
        found = {}
        for folder, _, names in os.walk(root):
            for name in names:
                info = os.lstat(os.path.join(folder, name))
                found[os.path.relpath(os.path.join(folder, name), root)] = (info.st_dev, info.st_ino)
        return found

    return a.is_dir() and b.is_dir() and files(a) == files(b)


def job_depth(job: Job) -> int:
    return job.target.url.count("/")


@dataclass
class Plan:
    """Which pages the last build made from the same inputs and left untouched in the site (those are
    linked into the spare copy), and which the spare copy already holds (those are left as they are)."""

    old: PageCache
    site_dir: Path
    search: Path  # what Pagefind read last time (updated in place): town pages' slim copies, day groups
    held: PageCache = field(default_factory=PageCache)  # the record of the spare copy's pages
    spare: Path | None = None  # the spare copy, brought up to date in place

    def reusable(self, url: str, key: str) -> Written | None:
        """What the last build wrote for `url`, when it may be kept: made from the same inputs (`key`), still the
        file it wrote (size and time), and still in the search documents it was part of."""
        before = self.old.pages.get(url)
        if before is None or before.key != key or not self.indexed(url, before):
            return None
        return before if still_written(self.site_dir / url / "index.html", before.size, before.mtime_ns) else None

    def untouched(self, url: str, key: str) -> Written | None:
        """What the spare copy holds for `url`, when it is the page to publish: made from the same inputs as the
        live site's page too (so the slim copy is this page's), and still the file written."""
        held, before = self.held.pages.get(url), self.old.pages.get(url)
        if self.spare is None or held is None or held.key != key or before is None or before.key != key:
            return None
        if not self.indexed(url, before):
            return None
        return held if still_written(self.spare / url / "index.html", held.size, held.mtime_ns) else None

    def indexed(self, url: str, before: Written) -> bool:
        """Whether the page the last build wrote is still in the search documents it was part of."""
        if before.indexed == url:
            return copy_path(self.search, url).is_file()
        return not before.indexed or url in self.old.sections


Row = tuple[str, Written, bool, tuple[str, ...], str | None]


def _write_one(job: Job, key: str) -> Row:
    """The shell page of `job`, one the spare copy does not hold (`write_shell_pages` decides that), linked from
    the site or rendered into the spare copy with its slim copy updated in place. The row says whether the page was rendered anew, which search documents changed with it, and a fresh notice's
    section of its day group."""
    pages, _, plan, frames, site, search, _ = _SHELL_WORK
    url = job.target.url
    target = site / url / "index.html"
    kept = plan.reusable(url, key)
    clear(target)  # never written into: the spare's old file may be one the live site holds too (a link)
    try:  # neither a link nor the page's file replaces a file there: two pages at one address stop the build
        if kept is not None:
            link_or_copy(plan.site_dir / url / "index.html", target)  # the same file: its size and time
            return url, kept, False, (), None
        page = pages.render_job(job)
        with open(target, "x", encoding="utf-8") as file:
            file.write(frames[page.depth].fill(page))
    except FileExistsError:
        raise BuildError(f"页面地址 {url} 重复 (two pages at one address)") from None
    before = plan.old.pages.get(url)
    was_in = before.indexed if before is not None else ""
    indexed, section = search_copy(page, search)
    if indexed != was_in:
        drop_copy(search, url, was_in)
    stat = target.stat()
    changed = tuple(doc for doc in {indexed, was_in} if doc)
    return url, Written(key, stat.st_size, stat.st_mtime_ns, indexed), True, changed, section


def _write_share(share: int, shares: int) -> tuple[list[Row], tuple[dict[bytes, bytes], set[bytes]]]:
    """One share (every `shares`-th) of the pages to render, in a forked worker or in the build's own process;
    then the QR codes the share made and used (`qr.CodeBook.take`)."""
    pages, jobs, *_, todo = _SHELL_WORK
    rows = []
    for index, key in todo[share::shares]:
        job = jobs[index]
        rows.append(_write_one(job, key or pages.job_key(job)))
    return rows, qr.BOOK.take()


_SHELL_WORK: tuple = ()


def write_shell_pages(
    pages: Renderer, jobs: list[Job], plan: Plan, frames, site: Path, search: Path, workers: int
) -> tuple[dict[str, Written], int, set[str], dict[str, str]]:
    """Render every town, notice and list page into its frame, or keep the one the spare copy or the site holds.
    With a record of the last build, the build's own process works out every page's key and leaves the pages the
    spare copy holds, and worker processes are forked only when at least PARALLEL_MIN_FILES pages are left to link
    or render (a one-file change forks none); without one, every page is rendered, in `workers` forked processes.
    Returns what was written for each URL, how many pages were rendered anew, the search documents that changed,
    and the sections of the notices rendered anew."""
    global _SHELL_WORK
    todo: list[tuple[int, str | None]] = []
    _SHELL_WORK = (pages, jobs, plan, frames, site, search, todo)
    try:
        rows: list[Row] = []
        if plan.old.pages:
            for index, job in enumerate(jobs):
                key = pages.job_key(job)  # here only what the spare holds; linking and rendering are shared out
                if (held := plan.untouched(job.target.url, key)) is None:
                    todo.append((index, key))
                else:
                    rows.append((job.target.url, held, False, (), None))
        else:
            todo += ((index, None) for index in range(len(jobs)))
        workers = max(1, min(workers, len(todo) // PARALLEL_MIN_FILES))
        if workers == 1:
            shares = [_write_share(0, 1)]
        else:
            with worker_pool(workers) as pool:
                shares = list(pool.map(_write_share, range(workers), [workers] * workers))
        rows += [row for share, _ in shares for row in share]
        for _, codes in shares:
            qr.BOOK.absorb(*codes)
        return (
            {row[0]: row[1] for row in rows},
            sum(row[2] for row in rows),
            {doc for row in rows for doc in row[3]},
            {row[0]: row[4] for row in rows if row[4] is not None},
        )
    finally:
        _SHELL_WORK = ()


def save_qr_codes(cache: BuildCache, before: QrCodes, everything_rendered: bool) -> None:
    """Record the QR codes after a published build (`qr.CodeBook.keep`), unless they are the ones recorded."""
    codes = qr.BOOK.keep(everything_rendered)
    if qr.BOOK.made or len(codes) != len(before.codes):  # nothing made: the codes kept are some of those recorded
        cache.save_qr_codes(QrCodes(before.scope, codes))


def keep(source: Path, target: Path) -> None:
    """Put last build's file in the new tree: a hard link (instant, no copy), or a copy where links are not possible."""
    target.parent.mkdir(parents=True, exist_ok=True)
    link_or_copy(source, target)


def link_or_copy(source: Path, target: Path) -> None:
    """`keep` into a folder that exists; FileExistsError if `target` does (it is never replaced)."""
    try:
        os.link(source, target)
    except FileExistsError:
        raise
    except OSError:
        if target.exists():
            raise FileExistsError(errno.EEXIST, "file exists", str(target)) from None
        shutil.copy2(source, target)


def write_docs(pages: list[Page], hand_written: Path, notices: Path, docs: Path) -> None:
    """The MkDocs docs tree: hand-written pages, generated pages, and the images in notices/images/."""
    shutil.copytree(hand_written, docs)
    for page in pages:
        target = docs / page.docs_path
        if target.exists():
            raise BuildError(
                f"生成的页面 {page.docs_path} 与 docs/ 中的手写页面重名 (generated page clashes with a hand-written one)"
            )
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page.text, encoding="utf-8")
    copy_images(notices, docs / "media" / "images")  # regular files only: a link is never followed
    write_admin(docs / "admin")  # web editing (Sveltia CMS) from the same schema


def run_mkdocs(config_file: Path, docs: Path, site: Path, portal: Portal | None = None) -> str:
    """MkDocs over the staged docs tree, with the site identity (notices/site.yaml) over the configuration's
    site_name and site_description, and given to the theme frame (overrides/) as config.extra.portal.
    Returns the site's name."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    for name in ("mkdocs", "mkdocs.structure.pages", "mkdocs.commands.build"):
        logging.getLogger(name).setLevel(logging.WARNING)
    config = load_config(str(config_file), docs_dir=str(docs), site_dir=str(site))
    if config.theme.custom_dir is None:  # a county's own configuration (portal init) keeps the generator's theme frame
        config.theme.dirs.insert(0, str(resources.OVERRIDES))
    if portal is not None:
        identity = portal.identity
        config["site_name"] = identity.name or config["site_name"]
        config["site_description"] = identity.meta_description(config["site_description"])
        config["extra"]["portal"] = {
            **identity.theme(portal.site_url),
            "shell": SHELL_DIR + "/",
            "url_mark": URL_MARK,
            "feeds": {"atom": SITE_FEEDS + ATOM_FILE, "json": SITE_FEEDS + JSON_FEED_FILE},
        }
    try:
        mkdocs_build(config)
    except Exception as exc:  # MkDocs raises its own Abort/ConfigurationError types
        raise BuildError(f"MkDocs 构建失败：{exc} (MkDocs build failed)") from exc
    return config["site_name"]


def hold(staged: Path, site_dir: Path, carry: tuple[str, ...], held: Path) -> None:
    """Move out of `staged` each folder named in `carry` that holds the very files of the live site's folder
    (`same_files`) into `held`, for `publish` to put back; remove the others (an older copy)."""
    for name in carry:
        if same_files(site_dir / name, staged / name):
            held.mkdir(parents=True, exist_ok=True)
            os.rename(staged / name, held / name)
        elif os.path.lexists(staged / name):
            clear(staged / name)


def publish(staged: Path, site_dir: Path, carry: tuple[str, ...], aside: Path, held: Path) -> None:
    """Swap the staged site (the spare copy) in, in one step: `renameat2(RENAME_EXCHANGE)` gives the site
    folder's name to the staged site and the staged folder's name to the old site, atomically, so at every
    instant `site_dir` is the whole old site or the whole new one, and stays a real folder; the old site is
    the spare copy from then on. The folders named in `carry` are hard-linked from the old site into the
    staged one first, or put back from `held` where `hold` found the staged site holding those very files
    (the old site keeps them until the swap).

    Where the exchange is not supported (not Linux, or a file system without it: ENOSYS, EINVAL), the
    old site is renamed `aside`, the staged one renamed in, and the old one renamed to the staged one's
    name: a kill between the first two leaves no site folder until the next build."""
    for name in carry:
        if os.path.isdir(held / name):
            os.rename(held / name, staged / name)
        else:
            shutil.copytree(site_dir / name, staged / name, copy_function=lambda a, b: keep(Path(a), Path(b)))
    if not os.path.lexists(site_dir):
        staged.rename(site_dir)
    elif not exchange(staged, site_dir):
        site_dir.rename(aside)
        staged.rename(site_dir)
        aside.rename(staged)


_RENAME_EXCHANGE = 2  # <linux/fs.h>
_AT_FDCWD = -100


def exchange(a: Path, b: Path) -> bool:
    """Swap the names `a` and `b` atomically (Linux renameat2 with RENAME_EXCHANGE, via the C library).
    False where it is not supported; any other failure is raised."""
    function = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if function is None:
        return False
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if function(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(a), None, str(b))


def discard(folders: list[Path]) -> None:
    """Remove `folders` in a detached process that outlives this one, at the lowest priority (a rebuild that
    follows soon is not slowed by the last one's old site going: 73,000 folders at province scale);
    leftovers of an interrupted removal are in the list again next time."""
    code = "import os, shutil, sys\nos.nice(19)\nfor path in sys.argv[1:]: shutil.rmtree(path, ignore_errors=True)"
    subprocess.Popen(
        [sys.executable, "-c", code, *map(str, folders)],
        start_new_session=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
