"""What the last build knew, so the next one redoes only what changed.

Two records, both kept in one folder beside the site (`.portal-cache/<site>/`):

- checks: for each data file, the bytes' digest and what checking it gave (the
  file's own problems and objects, pickled before any cross-file step touched
  them). A file whose bytes are the same is not read into YAML again; the
  cross-file rules still run over every file, as they must.
- pages: for each page of the published site, the digest of everything that
  page was made from (see `Renderer.job_key`) and the size and time of the file
  written. A page whose digest is the same, and whose file in the site is still
  the one written, is linked into the new site instead of rendered again.

Both records start with a digest of the generator's own code, templates and
theme frame (`code_digest`): change any of them and everything is redone. A
missing or unreadable cache means a full build, never an error. The result is
the same file for file as a full build (tests/test_incremental.py).
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

FORMAT = 1
PACKAGE = Path(__file__).resolve().parent


def default_dir(site_dir: Path) -> Path:
    site_dir = site_dir.resolve()
    return site_dir.parent / ".portal-cache" / site_dir.name


def digest(*parts: str | bytes) -> str:
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def tree_digest(*folders: Path | None) -> str:
    """The digest of every file under the folders (names and bytes), in a stable order."""
    parts: list[str | bytes] = []
    for folder in folders:
        if folder is None or not folder.is_dir():
            parts.append("-")
            continue
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            parts += [path.relative_to(folder).as_posix(), path.read_bytes()]
    return digest(*parts)


@functools.cache
def code_digest() -> str:
    """The generator itself: a change to any of its modules may change any result."""
    return tree_digest(PACKAGE)


@dataclass
class CheckCache:
    """file path → (digest of its bytes, pickled (load problems, FileResult or None), its size and mtime).

    A file whose size and modification time (in nanoseconds) are the ones recorded is not read again to
    be hashed, as `make` and git do, unless it was modified less than RACY_NS before the recording check
    started: within a clock tick a file can change again without its time changing, so such a file is
    hashed every time until it is old enough."""

    scope: str = ""  # code and today: checks depend on both
    files: dict[str, tuple[str, bytes, tuple[int, int]]] = field(default_factory=dict)
    started_ns: int = 0  # wall-clock time when the check that made this record began

    def known_digest(self, name: str, stat: os.stat_result) -> str | None:
        """The recorded digest of the file, when its size and time say it is the file that was hashed."""
        entry = self.files.get(name)
        if entry is None or entry[2] != (stat.st_size, stat.st_mtime_ns) or stat.st_mtime_ns >= self.started_ns - RACY_NS:
            return None
        return entry[0]


RACY_NS = 2_000_000_000  # two seconds: coarser than any file system's timestamps


@dataclass(frozen=True)
class Written:
    key: str
    size: int
    mtime_ns: int
    indexed: str  # the search document the page's slim copy is part of (searchindex.py); "" when not searched


@dataclass
class PageCache:
    """page URL → how it was made and the file written for it; notice URL → its section of a day group
    (searchindex.py), kept here rather than as tens of thousands of small files."""

    scope: str = ""
    pages: dict[str, Written] = field(default_factory=dict)
    sections: dict[str, str] = field(default_factory=dict)


class BuildCache:
    """The cache folder; `enabled=False` (`--no-cache`) reads nothing and writes nothing."""

    def __init__(self, folder: Path | None):
        self.folder = folder

    @property
    def enabled(self) -> bool:
        return self.folder is not None

    def _read(self, name: str, kind: type, scope: str):
        if self.folder is None:
            return kind(scope)
        try:
            with open(self.folder / name, "rb") as f:
                version, value = pickle.load(f)
        except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError, AttributeError, ImportError):
            return kind(scope)
        if version != FORMAT or not isinstance(value, kind) or value.scope != scope:
            return kind(scope)
        return value

    def _write(self, name: str, value) -> None:
        if self.folder is None:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        ignore = self.folder / ".gitignore"
        if not ignore.exists():  # git leaves the cache out of a data repository that did not ignore it (as pytest does)
            ignore.write_text("# portal's build and check cache: never committed\n*\n", encoding="utf-8")
        # A temporary file of its own: `portal check` (a pre-commit hook) and `portal serve` may write at once.
        with tempfile.NamedTemporaryFile("wb", dir=self.folder, prefix=name + ".", delete=False) as f:
            try:
                pickle.dump((FORMAT, value), f, protocol=pickle.HIGHEST_PROTOCOL)
            except BaseException:
                os.unlink(f.name)
                raise
        os.replace(f.name, self.folder / name)

    def checks(self, scope: str) -> CheckCache:
        return self._read("checks.pickle", CheckCache, scope)

    def save_checks(self, checks: CheckCache) -> None:
        self._write("checks.pickle", checks)

    def pages(self, scope: str) -> PageCache:
        return self._read("pages.pickle", PageCache, scope)

    def save_pages(self, pages: PageCache) -> None:
        self._write("pages.pickle", pages)

    def clear_pages(self) -> None:
        """Before the site is replaced: a build that fails halfway must not leave a record of pages it did not publish."""
        if self.folder is not None:
            (self.folder / "pages.pickle").unlink(missing_ok=True)

    @property
    def trash(self) -> Path | None:
        """Where replaced sites wait to be removed in the background."""
        return None if self.folder is None else self.folder / "trash"

    @property
    def search_docs(self) -> Path | None:
        """The slim copies of indexed pages that Pagefind reads, kept from build to build."""
        return None if self.folder is None else self.folder / "search"
