"""The pages the site stage makes, before they are written: a rendered `Page` and a `Job` still to render."""

from __future__ import annotations

import hashlib
import html
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Page:
    """One generated page: its URL (directory style, relative to the site root), title and HTML body."""

    url: str
    title: str
    body: str
    shell: bool = False  # written into the theme's frame directly, not through MkDocs
    search_group: str = ""  # a notice: the search document it is indexed in with others (searchindex.py)

    @property
    def docs_path(self) -> str:
        return "index.md" if self.url == "" else self.url.rstrip("/") + ".md"

    @property
    def text(self) -> str:
        """The page as a Markdown file for MkDocs: front matter and one raw HTML block."""
        return f"---\ntitle: {json.dumps(safe_title(self.title), ensure_ascii=False)}\n---\n\n{self.body}\n"

    @property
    def html_title(self) -> str:
        """The title as it goes into <title> and the header: markup characters made harmless, then escaped."""
        return html.escape(safe_title(self.title), quote=True)

    @property
    def depth(self) -> int:
        return self.url.count("/")


@dataclass(frozen=True)
class Job:
    """A shell page still to render: which method, for which object."""

    method: str
    target: Any  # a Town, a Notice, a ListSpec, a Guide…: what the method renders


#: Markup characters in a title and their full-width look-alikes.
TITLE_SAFE: dict[str, str | int | None] = {"<": "＜", ">": "＞", "&": "＆", '"': "＂", "'": "＇", "{": "｛", "}": "｝"}


def safe_title(text: str) -> str:
    """A page title for the theme's <title> and header, which print it unescaped: no markup characters survive."""
    return text.translate(str.maketrans(TITLE_SAFE))


def digest(*parts: str | bytes) -> str:
    """A short digest of the parts, each length-prefixed: the key of what a page (or a cache record) depends on."""
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def still_written(path: Path, size: int, mtime_ns: int) -> bool:
    """Whether the file at `path` is still the one a build wrote (its recorded size and time): what an
    incremental build trusts before it keeps a published page or data file (build.Plan, opendata.Earlier)."""
    try:
        stat = path.stat()
    except OSError:
        return False
    return (stat.st_size, stat.st_mtime_ns) == (size, mtime_ns)


def site_files(site: Path) -> list[str]:
    """Every file below `site` as its path there (a link to a file too; a link to a folder is not followed),
    sorted: the one walk of a built site, by the sitemap and the output scan (os.scandir, no stat per entry:
    os.walk took 40 % longer over the 79,000 files of the province)."""
    files: list[str] = []

    def walk(folder: str, prefix: str) -> None:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    walk(entry.path, prefix + entry.name + "/")
                elif entry.is_file():
                    files.append(prefix + entry.name)

    walk(str(site), "")
    return sorted(files)
