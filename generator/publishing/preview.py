"""`portal serve`'s quick look: a saved town or notice file's own pages, shown from the model kept in memory.

A rebuild reads, checks and renders what changed against the whole province (about a minute at province
scale: dev/performance.md). Before it starts, the preview checks each saved data file on its own and, where it
is a town or notice whose address and reference no other file decides (`validate.replaced`), renders that
town's or notice's own pages (`Renderer.own_jobs`) with the renderer and page frames of the last published
build: the same code and inputs the rebuild then uses for those pages, so they are the pages it writes. The
preview serves them until the rebuild ends; the lists, hub pages and search follow with the rebuild, which
alone publishes, runs the cross-file rules and scans. A file with errors shows its problems at once instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..checking.load import display_path
from ..checking.problems import Problem
from ..checking.validate import replaced
from .build import Model, check_one, failed

DATA_SUFFIXES = (".yaml", ".yml")


@dataclass
class Look:
    """What the preview can show before the rebuild: pages (their file in the site, e.g.
    `towns/hengdong/ganxi/index.html` → the HTML the rebuild will write there) and their titles, the saved files' own problems,
    and the saved data files whose pages only the rebuild can show (their display paths)."""

    pages: dict[str, str] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)  # the same files → the pages' titles
    problems: list[Problem] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)


def quick_look(model: Model, changed: Iterable[Path], notices: Path, strict: bool = False) -> Look:
    """The pages of the towns and notices in the `changed` files (absolute paths) that need no other file,
    rendered as the next build will render them; changed files that are not data files below `notices`
    (templates, hand-written pages, the configuration, images) are left to the rebuild."""
    notices = notices.resolve()
    portal = model.checked.portal
    look = Look()
    saved, removed = [], []
    for path in sorted(set(changed)):
        if path.suffix not in DATA_SUFFIXES or not path.is_relative_to(notices):
            continue
        if not path.is_file():  # removed, or renamed away: its town's or notice's address may pass to a homophone
            gone = display_path(path)
            look.waiting.append(gone)
            removed += [item.url for item in (*portal.towns, *portal.notices) if item.source.path == gone]
            continue
        _, problems, result = check_one(path, notices, portal.today)
        problems += result.problems if result is not None else []
        look.problems += problems
        if result is not None and not failed(problems, strict):
            saved.append(result)
    claims = [(result, found.url) for result in saved if (found := result.town or result.notice) is not None]
    items = []
    for result in saved:  # each against the model and the addresses the files saved or removed with it claimed
        placed = replaced(portal, result, [url for other, url in claims if other is not result] + removed)
        if placed is None:
            look.waiting.append(result.path)
            continue
        portal = placed[0]
        items.append(placed[1])
    if not items:
        return look
    pages = model.pages.over(portal)
    for item in items:
        for job in pages.own_jobs(item):
            page = pages.render_job(job)
            frame = model.frames.get(page.depth)
            if frame is None:  # a page deeper than any the last build made: the rebuild's theme run makes its frame
                look.waiting.append(item.source.path)
                continue
            look.pages[job.target.url + "index.html"] = frame.fill(page)
            look.titles[job.target.url + "index.html"] = page.title
    return look
