"""When each data file was first published and last changed: from git, or from the file's own dates.

One `git log` over the notices folder gives every file's first and last commit,
so the cost does not grow with one process per file. Files with uncommitted
changes count as changed today; outside a repository (or for files git does not
know yet) the caller falls back to the dates written in the file.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class History:
    first: dt.date
    last: dt.date
    from_git: bool = True


def _git(args: list[str], cwd: Path) -> str | None:
    try:
        run = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    except OSError:
        return None
    return run.stdout if run.returncode == 0 else None


def git_history(notices_dir: Path, today: dt.date) -> dict[Path, History]:
    """Absolute file path → History, for every file under `notices_dir` that git knows."""
    notices_dir = notices_dir.resolve()
    top = _git(["rev-parse", "--show-toplevel"], notices_dir)
    if top is None:
        return {}
    root = Path(top.strip())
    log = _git(["log", "--format=%x00%cs", "--name-only", "--no-renames", "--", str(notices_dir)], root)
    if log is None:
        return {}
    first: dict[Path, dt.date] = {}
    last: dict[Path, dt.date] = {}
    for block in log.split("\0")[1:]:
        lines = [line for line in block.splitlines() if line.strip()]
        if not lines:
            continue
        day = dt.date.fromisoformat(lines[0].strip())
        for name in lines[1:]:
            path = root / name
            first[path] = min(first.get(path, day), day)  # the log is newest first; min() keeps it honest
            last[path] = max(last.get(path, day), day)
    dirty = _git(["status", "--porcelain", "--", str(notices_dir)], root) or ""
    for line in dirty.splitlines():
        path = root / line[3:].strip()
        if path in first:
            last[path] = today
    return {path: History(first[path], last[path]) for path in first}
