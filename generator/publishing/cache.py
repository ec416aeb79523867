"""What the last build knew, so the next one redoes only what changed.

Records kept in one folder beside the site (`.portal-cache/<site>/`):

- checks: for each data file, the bytes' digest and what checking it gave (the
  file's own problems and objects, pickled before any cross-file step touched
  them). A file whose bytes are the same is not read into YAML again; the
  cross-file rules still run over every file, as they must.
- pages: for each page of the published site, the digest of everything that
  page was made from (see `Renderer.job_key`) and the size and time of the file
  written. A page whose digest is the same, and whose file in the site is still
  the one written, is linked into the new site instead of rendered again.

- segments: the search index's base (segments.py); scan: the output scan's result of
  each file it read, by the SHA-256 of its bytes (`ScanRecord`, scan.py).

These records start with a digest of the generator's own code, templates and
theme frame (`code_digest`): change any of them and everything is redone. The
QR codes' record (`QrCodes`) is scoped by segno's version only: a code depends
on nothing but what it encodes. A
missing or unreadable cache means a full build, never an error. The result is
the same file for file as a full build (tests/test_incremental.py).

The cache is data the build trusts only if the build wrote it (pickle runs code when it is loaded):

- every record is signed, HMAC-SHA256 over its name and bytes, with a key kept outside the repository
  (`cache_key`: $PORTAL_CACHE_KEY, or a random key made on first use in
  $XDG_STATE_HOME/portal/cache-key, ~/.local/state by default, mode 0600); the signature is checked
  before anything is unpickled, and a record that fails it is ignored (a full build) with a notice;
- a cache folder that git tracks any file in (a committed cache, from a clone or a pull) is not used at
  all, whatever its signatures.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import os
import pickle
import secrets
import stat as stat_mode
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..site.opendata import Made
from ..site.page import digest

FORMAT = 3
PACKAGE = Path(__file__).resolve().parent.parent
IGNORE_ALL = "# portal's build and check cache: never committed\n*\n"


def workspace(site_dir: Path) -> Path:
    """`.portal-cache/` beside the site folder: the site's cache folder, lock, staging and trash folders."""
    return site_dir.resolve().parent / ".portal-cache"


def default_dir(site_dir: Path) -> Path:
    return workspace(site_dir) / site_dir.resolve().name


def make_ignored(folder: Path) -> None:
    """Create `folder` with a .gitignore of `*`: git leaves it out of a data repository that did not
    ignore it (as pytest's cache does)."""
    folder.mkdir(parents=True, exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text(IGNORE_ALL, encoding="utf-8")


def notice(message: str) -> None:
    """One line on stderr about the cache (it is never an error: without a cache the build does everything)."""
    print(f"注意：{message}", file=sys.stderr, flush=True)


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
        if (
            entry is None
            or entry[2] != (stat.st_size, stat.st_mtime_ns)
            or stat.st_mtime_ns >= self.started_ns - RACY_NS
        ):
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
    (searchindex.py), kept here rather than as tens of thousands of small files; open data file and feed →
    how it was made and the file written (opendata.Made: kept like pages when made from the same inputs)."""

    scope: str = ""
    pages: dict[str, Written] = field(default_factory=dict)
    sections: dict[str, str] = field(default_factory=dict)
    index: tuple[int, int, int] | None = None  # the published search index it made or kept (see index_identity)
    data: dict[str, Made] = field(default_factory=dict)
    spare: PageCache | None = None  # the record of the site published before (the spare copy), without its own


def index_identity(site_dir: Path) -> tuple[int, int, int] | None:
    """Which search index the site holds: its entry file's inode, size and time (kept indexes are hard
    links, so they keep it). A record keeps the site's index only if it is the one the record published."""
    try:
        info = (site_dir / "pagefind" / "pagefind-entry.json").stat()
    except OSError:
        return None
    return info.st_ino, info.st_size, info.st_mtime_ns


@dataclass
class QrCodes:
    """The QR codes' modules, packed, by what they encode (`qr.BOOK`, `qr.key`). Scoped by segno's version
    only, not by the generator's code: a board's address, and so its code, stays the same across code
    changes, so a full build encodes only addresses no build encoded before."""

    scope: str = ""
    codes: dict[bytes, bytes] = field(default_factory=dict)


@dataclass
class ScanRecord:
    """What the last successful output scan read (scan.py): file below the site → what reading its bytes gave, with
    the SHA-256 of those bytes (a scan.Kept). Only results without a finding are kept (a scan with a finding fails
    its build), and none of a file shipped as it is or that could not be read. A file whose bytes have that
    digest, at that place, gives that result again, as long as every fingerprint it relied on is still one of
    the build's (`FileReport.relied`).

    `scope` is the digest of everything besides a file's bytes and place that its result depends on
    (scan.scan_scope): a record of another scope is not used."""

    scope: str = ""
    files: dict[str, tuple] = field(default_factory=dict)


KEY_ENV = "PORTAL_CACHE_KEY"
KEY_MIN_CHARS = 32
SIGNED = b"portal-cache signed v2\n"  # then the 32-byte HMAC-SHA256, then the pickle


def key_path() -> Path:
    state = Path(os.environ.get("XDG_STATE_HOME") or "relative")
    return (state if state.is_absolute() else Path.home() / ".local" / "state") / "portal" / "cache-key"


def cache_key() -> bytes:
    """The key that signs the cache: $PORTAL_CACHE_KEY (CI: a secret of at least 32 characters), or the
    key file of this user, made with 32 random bytes on first use (folder 0700, file 0600). Raises
    OSError when there is none to trust (a key file others can read or write, a key too short)."""
    given = os.environ.get(KEY_ENV)
    if given is not None:
        if len(given) < KEY_MIN_CHARS:
            raise OSError(
                f"{KEY_ENV} 少于 {KEY_MIN_CHARS} 个字符 ({KEY_ENV} is shorter than {KEY_MIN_CHARS} characters)"
            )
        return given.encode("utf-8")
    path = key_path()
    try:
        return _read_key(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=path.parent, prefix=".cache-key.", delete=False) as f:  # mode 0600
        f.write(secrets.token_hex(32) + "\n")
    try:
        os.link(f.name, path)  # never replaces a key another process made meanwhile
    except FileExistsError:
        pass
    finally:
        os.unlink(f.name)
    return _read_key(path)


def _read_key(path: Path) -> bytes:
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(f.fileno())
        if not stat_mode.S_ISREG(info.st_mode) or info.st_uid != os.geteuid() or info.st_mode & 0o077:
            raise OSError(f"{path} 不是只属于本用户的文件 (key file must be a regular file, yours, mode 0600)")
        key = f.read().strip()
    if len(key) < KEY_MIN_CHARS:
        raise OSError(f"{path} 太短 (key file too short)")
    return key


def sign(key: bytes, name: str, payload: bytes | memoryview) -> bytes:
    """The record's signature: over its name too, so that one record cannot stand in for another."""
    mac = hmac.new(key, name.encode("utf-8") + b"\0", hashlib.sha256)
    mac.update(payload)
    return mac.digest()


def git_tracked(folder: Path) -> list[str]:
    """Files under `folder` that git tracks (none outside a git work tree, or without git)."""
    if not folder.is_dir() or not any((parent / ".git").exists() for parent in (folder, *folder.parents)):
        return []
    try:
        listed = subprocess.run(
            ["git", "-C", str(folder), "ls-files", "-z", "--", "."], capture_output=True, timeout=60
        )
    except (OSError, subprocess.SubprocessError):
        return []  # git cannot tell: the signatures still guard the records
    return (
        [name for name in listed.stdout.decode("utf-8", "replace").split("\0") if name]
        if listed.returncode == 0
        else []
    )


class BuildCache:
    """The cache folder; `enabled=False` (`--no-cache`, or a cache that cannot be trusted) reads nothing
    and writes nothing."""

    def __init__(self, folder: Path | None):
        self.folder = folder
        self.key = b""
        if folder is None:
            return
        if tracked := git_tracked(folder):
            notice(
                f"git 跟踪着缓存文件夹 {folder} 中的 {len(tracked)} 个文件（如 {tracked[0]}），"
                f"这次不使用缓存，全部重新生成；请运行 git rm -r --cached {folder} (cache not used: git tracks files in it)"
            )
            self.folder = None
            return
        try:
            self.key = cache_key()
        except OSError as exc:
            notice(f"没有可用的缓存密钥，这次不使用缓存：{exc} (cache not used: no signing key)")
            self.folder = None

    @property
    def enabled(self) -> bool:
        return self.folder is not None

    def _read(self, name: str, kind: type, scope: str):
        if self.folder is None:
            return kind(scope)
        path = self.folder / name
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK)  # a FIFO would block
            with os.fdopen(fd, "rb") as f:
                if not stat_mode.S_ISREG(os.fstat(f.fileno()).st_mode):
                    raise OSError("not a regular file")
                data = memoryview(f.read())
        except FileNotFoundError:
            return kind(scope)  # the first build
        except OSError as exc:
            notice(f"缓存文件 {path} 无法读取，已忽略：{exc} (cache record ignored)")
            return kind(scope)
        start = len(SIGNED) + hashlib.sha256().digest_size
        if data[: len(SIGNED)] != SIGNED or not hmac.compare_digest(
            data[len(SIGNED) : start], sign(self.key, name, data[start:])
        ):
            notice(
                f"缓存文件 {path} 的签名不符（不是本机这个用户的生成写的），已忽略，全部重新生成 "
                "(cache record ignored: bad signature)"
            )
            return kind(scope)
        try:
            version, value = pickle.loads(data[start:])
        except (EOFError, pickle.UnpicklingError, ValueError, TypeError, AttributeError, ImportError):
            return kind(scope)
        if version != FORMAT or not isinstance(value, kind) or getattr(value, "scope", None) != scope:
            return kind(scope)
        return value

    def _write(self, name: str, value) -> None:
        if self.folder is None:
            return
        make_ignored(self.folder)
        payload = pickle.dumps((FORMAT, value), protocol=pickle.HIGHEST_PROTOCOL)
        # A temporary file, renamed over the record: a reader sees the old record or the new one, whole.
        with tempfile.NamedTemporaryFile("wb", dir=self.folder, prefix=name + ".", delete=False) as f:
            try:
                f.write(SIGNED)
                f.write(sign(self.key, name, payload))
                f.write(payload)
            except BaseException:
                os.unlink(f.name)
                raise
        os.replace(f.name, self.folder / name)

    def clear_stale(self) -> None:
        """Temporary files of records a killed build or check was writing (call it holding the site's lock)."""
        if self.folder is not None and self.folder.is_dir():
            for name in ("checks.pickle", "pages.pickle", "segments.pickle", "scan.pickle", "qr.pickle"):
                for leftover in self.folder.glob(name + ".*"):
                    leftover.unlink(missing_ok=True)

    def checks(self, scope: str) -> CheckCache:
        return self._read("checks.pickle", CheckCache, scope)

    def save_checks(self, checks: CheckCache) -> None:
        self._write("checks.pickle", checks)

    def pages(self, scope: str) -> PageCache:
        return self._read("pages.pickle", PageCache, scope)

    def save_pages(self, pages: PageCache) -> None:
        self._write("pages.pickle", pages)

    def qr_codes(self, scope: str) -> QrCodes:
        return self._read("qr.pickle", QrCodes, scope)

    def save_qr_codes(self, codes: QrCodes) -> None:
        self._write("qr.pickle", codes)

    def clear_pages(self) -> None:
        """Before the site is replaced: a build that fails halfway must not leave a record of pages it did not publish."""
        if self.folder is not None:
            (self.folder / "pages.pickle").unlink(missing_ok=True)

    def scans(self, scope: str) -> ScanRecord:
        return self._read("scan.pickle", ScanRecord, scope)

    def save_scans(self, record: ScanRecord) -> None:
        """After the scanned site is published (only a successful scan's record is kept)."""
        self._write("scan.pickle", record)

    @property
    def search_docs(self) -> Path | None:
        """The slim copies of indexed pages that Pagefind reads, kept from build to build."""
        return None if self.folder is None else self.folder / "search"
