"""`portal check FILES...`: check the whole data set, report only what concerns the given files.

Rules across files (duplicate notice, one file per town, villages in regions.yaml) need every
file, so the whole `notices/` folder is always checked; the report is then narrowed to the files
a commit touches (what pre-commit passes). A problem concerns a file when it is in that file or
its message names that file (a duplicate is reported on the later file by name, and names the
earlier one). A change to regions.yaml can break any town or notice, so it keeps every problem.
"""

from __future__ import annotations

import re
from pathlib import Path

from .guides import SUFFIX as GUIDE_SUFFIX
from .load import YAML_SUFFIXES, display_path
from .problems import Problem

REGIONS = {"regions.yaml", "regions.yml"}
EVERYTHING = {*REGIONS, "legal.yaml"}  # legal.yaml's review age and places concern every guide and town
CHECKED_SUFFIXES = {*YAML_SUFFIXES, GUIDE_SUFFIX}


def select(problems: list[Problem], files: list[Path], notices: Path) -> list[Problem]:
    """The problems in or about `files`; every problem when no file (or regions.yaml) is given."""
    if not files:
        return list(problems)
    root = notices.resolve()
    wanted: set[str] = set()
    extra: list[Problem] = []
    everything = False
    for file in files:
        path = display_path(file)
        resolved = file.resolve()
        if not resolved.is_relative_to(root):
            extra.append(
                Problem(
                    path,
                    1,
                    1,
                    "",
                    f"文件不在公告文件夹 {display_path(notices)} 中，没有检查 "
                    "(not inside the notices folder: not checked)",
                    "file-location",
                )
            )
        elif not file.is_file():
            extra.append(Problem(path, 1, 1, "", "找不到文件 (file not found)", "file-location"))
        elif file.suffix in CHECKED_SUFFIXES:
            everything = everything or resolved.relative_to(root).parts in {(name,) for name in EVERYTHING}
            wanted.add(path)
    if everything:
        return [*problems, *extra]
    if not wanted:
        return extra
    named = re.compile("|".join(rf"(?<![\w/.-]){re.escape(path)}(?![\w/.-])" for path in sorted(wanted)))
    return [p for p in problems if p.path in wanted or named.search(p.message)] + extra
